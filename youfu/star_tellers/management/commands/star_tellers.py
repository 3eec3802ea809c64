"""`youfu star_tellers compute --period 2026-10`, `youfu star_tellers list --period 2026-10 [--unit CODE]
[--min-level N]` and `youfu star_tellers publish --period 2026-10`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from youfu.accounts.access import visible_units
from youfu.core.errors import ApplicationError
from youfu.org.management.commands._common import actor_for, error_table
from youfu.org.models import Period
from youfu.star_tellers.selectors import default_period, star_list
from youfu.star_tellers.services import star_levels_compute, star_levels_publish


class Command(BaseCommand):
    help = "Star tellers (星级柜员): `compute`, `list` and `publish` a month's star levels."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        compute = actions.add_parser("compute", help="compute a month's star levels (posts the star pay)")
        compute.add_argument("--period", required=True, help="month code, e.g. 2026-10")
        compute.add_argument(
            "--as", dest="username", help="act as this user (default: the first administrator)"
        )
        show = actions.add_parser("list", help="a month's star levels in your part of the organisation")
        show.add_argument("--period", help="month code (default: the latest month with star levels)")
        show.add_argument("--unit", help="only this unit's subtree (code)")
        show.add_argument(
            "--min-level", type=int, default=0, help="only tellers with at least this many stars"
        )
        show.add_argument("--as", dest="username", help="act as this user (default: the first administrator)")
        publish = actions.add_parser("publish", help="publish (freeze) a month's star levels")
        publish.add_argument("--period", required=True, help="month code, e.g. 2026-10")
        publish.add_argument(
            "--as", dest="username", help="act as this user (default: the first administrator)"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        actor = actor_for(options["username"])
        try:
            getattr(self, f"_{action}")(actor, options)
        except ApplicationError as exc:
            if len(exc.details) > 1 or exc.details[0].row is not None:
                self.stderr.write(error_table(exc.details))
            raise CommandError(exc.message) from exc

    def _period(self, code: str | None) -> Period:
        period = Period.objects.filter(code=code).first() if code else default_period()
        if period is None:
            raise CommandError(_("Period %(code)s does not exist.") % {"code": code or "?"})
        return period

    def _compute(self, actor: Any, options: dict[str, Any]) -> None:
        period = self._period(options["period"])
        run = star_levels_compute(actor=actor, period=period)
        self.stdout.write(
            self.style.SUCCESS(
                _("Star levels of %(period)s computed: %(subjects)d tellers, %(entries)d ledger entries.")
                % {"period": period.code, "subjects": run.subjects, "entries": run.entries}
            )
        )

    def _publish(self, actor: Any, options: dict[str, Any]) -> None:
        period = self._period(options["period"])
        star_levels_publish(actor=actor, period=period)
        self.stdout.write(
            self.style.SUCCESS(
                _("%(period)s is published: its star levels are final.") % {"period": period.code}
            )
        )

    def _list(self, actor: Any, options: dict[str, Any]) -> None:
        period = self._period(options["period"])
        within = None
        if options["unit"]:
            within = visible_units(actor).filter(code=options["unit"]).first()
            if within is None:
                raise CommandError(
                    _("No unit %(code)s in your part of the organisation.") % {"code": options["unit"]}
                )
        result = star_list(user=actor, period=period, within=within, min_level=options["min_level"])
        if result.run is None:
            raise CommandError(_("No star levels for %(period)s yet.") % {"period": period.code})
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(_("open question: ") + warning))
        header = (
            "employee_no",
            "name",
            "unit",
            "level",
            "satisfaction",
            "evaluation",
            "rated",
            "skill",
            "findings",
            "amount",
        )
        self.stdout.write("\t".join(header))
        for line in result.lines:
            inputs = ["—" if item.value is None else f"{item.value.normalize():f}" for item in line.inputs]
            self.stdout.write(
                "\t".join(
                    [line.employee_no, line.name, line.unit_name, str(line.level), *inputs, str(line.amount)]
                )
            )
        for person in result.left_out:
            self.stdout.write(
                "\t".join(
                    [person.employee_no, person.name, person.unit_name, _("not rated: no skills score")]
                )
            )
        self.stdout.write(
            _("%(period)s: %(stars)d star tellers of %(tellers)d, %(amount)s yuan.")
            % {
                "period": period.code,
                "stars": result.star_count,
                "tellers": len(result.lines),
                "amount": result.total_amount,
            }
        )
