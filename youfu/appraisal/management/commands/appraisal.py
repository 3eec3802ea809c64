from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from youfu.appraisal import selectors, services
from youfu.appraisal.imports import read_rows, template_workbook
from youfu.core.errors import ApplicationError
from youfu.core.money import round_points
from youfu.org.management.commands._common import actor_for
from youfu.org.models import Period, Unit
from youfu.scoring.models import PolicyVersion


class Command(BaseCommand):
    help = (
        "Staff appraisal (员工绩效考核): open a quarter's cycle, import attendance and training from Excel, "
        "close a cycle and compute its grades, list results."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        opening = sub.add_parser("open", help="open a quarter's cycle for the staff of a unit's subtree")
        opening.add_argument("--unit", required=True, help="unit code")
        opening.add_argument("--period", required=True, help="quarter code, e.g. 2025Q1")
        opening.add_argument("--policy", help="policy version id (default: the reference R3, uploaded once)")
        opening.add_argument("--finance", help="login of the finance department rater (成本意识)")
        opening.add_argument("--admin", help="login of the administration department rater (职业规范)")
        opening.add_argument("--appeal-days", type=int, default=10)
        opening.add_argument(
            "--as", dest="username", help="act as this user (default: the first administrator)"
        )
        importing = sub.add_parser(
            "import", help="import attendance and training (all or nothing; safe to run twice)"
        )
        importing.add_argument("cycle", type=int, help="cycle id")
        importing.add_argument(
            "file", help="the .xlsx file: 工号, 月份, 事假天数, 参加培训次数, 培训缺勤次数, 逾期天数"
        )
        importing.add_argument("--dry-run", action="store_true", help="check only, save nothing")
        importing.add_argument("--as", dest="username", help="act as this user")
        template = sub.add_parser("template", help="write an empty adjustments workbook")
        template.add_argument("file")
        closing = sub.add_parser("close", help="close a cycle and compute every grade from its policy")
        closing.add_argument("cycle", type=int, help="cycle id")
        closing.add_argument("--as", dest="username", help="act as this user")
        listing = sub.add_parser("results", help="a cycle's current results (within your subtree)")
        listing.add_argument("cycle", type=int, help="cycle id")
        listing.add_argument("--as", dest="username", help="act as this user")
        cycles = sub.add_parser("cycles", help="the cycles you see")
        cycles.add_argument("--as", dest="username", help="act as this user")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "template":
            Path(options["file"]).write_bytes(template_workbook())
            self.stdout.write(options["file"])
            return
        actor = actor_for(options.get("username"))
        try:
            getattr(self, f"_{action}")(actor, options)
        except ApplicationError as exc:
            for detail in exc.details:
                self.stderr.write(f"row {detail.row or '-'}\t{detail.field or '-'}\t{detail.message}")
            raise CommandError(exc.message) from None
        except Http404:
            raise CommandError("not found (or outside your part of the organisation)") from None

    def _open(self, actor: Any, options: dict[str, Any]) -> None:
        from youfu.accounts.models import User

        unit = Unit.objects.filter(code=options["unit"]).first()
        period = Period.objects.filter(code=options["period"]).first()
        if unit is None or period is None:
            raise CommandError("unknown unit or period")
        version = (
            PolicyVersion.objects.filter(pk=options["policy"]).first()
            if options["policy"]
            else services.reference_policy_version()
        )
        if version is None:
            raise CommandError("unknown policy version")
        raters = {}
        for key in ("finance", "admin"):
            if options[key]:
                raters[key] = User.objects.filter(username=options[key]).first()
                if raters[key] is None:
                    raise CommandError(f"no user {options[key]}")
        cycle = services.cycle_create(
            actor=actor,
            unit=unit,
            period=period,
            policy_version=version,
            finance_rater=raters.get("finance"),
            admin_rater=raters.get("admin"),
            appeal_days=options["appeal_days"],
        )
        self.stdout.write(f"cycle {cycle.pk}: {cycle}")
        for warning in version.warnings:
            if "silent" in warning:
                self.stdout.write(f"warning: {warning}")

    def _import(self, actor: Any, options: dict[str, Any]) -> None:
        cycle = selectors.cycle_get(user=actor, pk=options["cycle"])
        content = Path(options["file"]).read_bytes()
        outcome = services.adjustments_import(
            actor=actor,
            cycle=cycle,
            rows=read_rows(content),
            file_name=Path(options["file"]).name,
            content=content,
            dry_run=options["dry_run"],
        )
        note = " (dry run: nothing saved)" if options["dry_run"] else ""
        self.stdout.write(f"{outcome.rows} rows, {outcome.changed} changed{note}")

    def _close(self, actor: Any, options: dict[str, Any]) -> None:
        cycle = selectors.cycle_get(user=actor, pk=options["cycle"])
        missing = services.cycle_close(actor=actor, cycle=cycle)
        count = selectors.result_list(user=actor, cycle=cycle).count()
        self.stdout.write(f"closed {cycle}: {count} results")
        for m in missing:
            self.stdout.write(f"no result\t{m.person.employee_no}\t{m.person.name}\t{'; '.join(m.what)}")

    def _results(self, actor: Any, options: dict[str, Any]) -> None:
        cycle = selectors.cycle_get(user=actor, pk=options["cycle"])
        appraisal = services.policy_of(cycle)
        if appraisal.silent_cases:
            self.stdout.write(
                f"warning: the policy is silent on the bonus of {', '.join(appraisal.silent_cases)}"
            )
        for r in selectors.result_list(user=actor, cycle=cycle):
            bonus = "(policy silent)" if r.bonus_silent else (r.bonus_items or "-")
            score = round_points(r.score, 2)
            self.stdout.write(
                f"{r.person.employee_no}\t{r.person.name}\t{score}\t{r.grade}\t{bonus}\tv{r.version}"
            )

    def _cycles(self, actor: Any, options: dict[str, Any]) -> None:
        for c in selectors.cycle_list(user=actor):
            self.stdout.write(f"{c.pk}\t{c.period.code}\t{c.unit.code}\t{c.unit.name}\t{c.status}")
