"""`youfu feedback ingest FILE [--quarantine] [--key KEY]`, `youfu feedback rates [--period CODE |
--start D --end D] [--unit CODE] [--by person|outlet|sub_branch|branch]` and `youfu feedback facts
--period CODE`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.accounts.access import visible_units
from youfu.core.errors import ApplicationError
from youfu.feedback.callback_selectors import callback_results, callback_total
from youfu.feedback.callback_services import callback_contacts_import, callback_facts_record, callbacks_draw
from youfu.feedback.choices import Grouping, SurveyKind
from youfu.feedback.forms import last_month
from youfu.feedback.selectors import rates, total_line
from youfu.feedback.services import rating_facts_record, ratings_ingest_file
from youfu.feedback.survey_selectors import survey_get, survey_results
from youfu.feedback.survey_services import survey_create, survey_facts_record
from youfu.org.management.commands._common import actor_for, error_table
from youfu.org.models import Period, Unit


def _rate(value: Any) -> str:
    return "—" if value is None else f"{value}%"


class Command(BaseCommand):
    help = (
        "Evaluator ratings (满意度评价器): `youfu feedback ingest FILE`, `youfu feedback rates`, "
        "`youfu feedback facts --period CODE`; callbacks (电话回访): callbacks-import, callbacks-draw, "
        "callbacks-results, callbacks-facts; surveys (满意度调查): survey-create, survey-results, "
        "survey-facts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser("ingest", help="load a .csv or .parquet file of ratings; all or nothing")
        load.add_argument("file", type=Path)
        load.add_argument("--quarantine", action="store_true", help="load the good rows, keep the bad apart")
        load.add_argument("--key", default="", help="idempotency key (default: the file's SHA-256)")
        load.add_argument("--note", default="", help="a note kept with the batch")
        load.add_argument("--as", dest="username", help="act as this user (default: the first administrator)")
        show = actions.add_parser("rates", help="transactions, evaluation and satisfaction rates")
        show.add_argument("--period", help="period code, e.g. 2025-10 or 2025Q4 (default: last month)")
        show.add_argument("--start", type=dt.date.fromisoformat, help="first day, YYYY-MM-DD")
        show.add_argument("--end", type=dt.date.fromisoformat, help="last day, YYYY-MM-DD")
        show.add_argument("--unit", help="only this unit's subtree (code)")
        show.add_argument(
            "--by", choices=Grouping.values, default=Grouping.OUTLET, help="one line per (default outlet)"
        )
        show.add_argument("--as", dest="username", help="act as this user (default: the first administrator)")
        facts = actions.add_parser(
            "facts", help="record a period's rates of outlets and tellers as indicator data"
        )
        facts.add_argument("--period", required=True, help="period code, e.g. 2025-10")
        facts.add_argument("--dry-run", action="store_true", help="count what would change, write nothing")
        facts.add_argument(
            "--as", dest="username", help="act as this user (default: the first administrator)"
        )

        as_help = "act as this user (default: the first administrator)"
        load = actions.add_parser(
            "callbacks-import", help="import a customer list (.xlsx/.csv); all or nothing"
        )
        load.add_argument("file", type=Path)
        load.add_argument("--as", dest="username", help=as_help)
        draw = actions.add_parser(
            "callbacks-draw", help="draw the month's callback samples of a unit's outlets"
        )
        draw.add_argument("--month", required=True, help="YYYY-MM")
        draw.add_argument("--unit", required=True, help="unit code: every outlet at or under it")
        draw.add_argument("--as", dest="username", help=as_help)
        show = actions.add_parser("callbacks-results", help="callback results per outlet or teller")
        show.add_argument("--period", required=True, help="period code, e.g. 2025-10")
        show.add_argument("--by", choices=["outlet", "person"], default="outlet")
        show.add_argument("--as", dest="username", help=as_help)
        facts = actions.add_parser(
            "callbacks-facts", help="record a period's callback results as indicator data"
        )
        facts.add_argument("--period", required=True)
        facts.add_argument("--dry-run", action="store_true")
        facts.add_argument("--as", dest="username", help=as_help)
        create = actions.add_parser("survey-create", help="create a survey from a template")
        create.add_argument("--kind", choices=SurveyKind.values, required=True)
        create.add_argument("--unit", required=True, help="unit code: the units surveyed are at or under it")
        create.add_argument("--opens", type=dt.date.fromisoformat, required=True, help="YYYY-MM-DD")
        create.add_argument("--closes", type=dt.date.fromisoformat, required=True, help="YYYY-MM-DD")
        create.add_argument("--title", default="")
        create.add_argument("--as", dest="username", help=as_help)
        results = actions.add_parser("survey-results", help="a survey's responses and mean score per unit")
        results.add_argument("survey", type=int)
        results.add_argument("--as", dest="username", help=as_help)
        sfacts = actions.add_parser("survey-facts", help="record a period's survey results as indicator data")
        sfacts.add_argument("--period", required=True)
        sfacts.add_argument("--dry-run", action="store_true")
        sfacts.add_argument("--as", dest="username", help=as_help)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        actor = actor_for(options["username"])
        try:
            getattr(self, f"_{action.replace('-', '_')}")(actor, options)
        except ApplicationError as exc:
            if len(exc.details) > 1 or exc.details[0].row is not None:
                self.stderr.write(error_table(exc.details))
            raise CommandError(exc.message) from exc

    def _ingest(self, actor: Any, options: dict[str, Any]) -> None:
        file: Path = options["file"]
        if not file.is_file():
            raise CommandError(_("%(file)s is not a file.") % {"file": file})
        result = ratings_ingest_file(
            actor=actor,
            file=file,
            quarantine=options["quarantine"],
            idempotency_key=options["key"],
            note=options["note"],
        )
        batch = result.batch
        if not result.created:
            self.stdout.write(
                self.style.WARNING(_("Loaded before as batch #%(id)d: nothing loaded.") % {"id": batch.pk})
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Batch #%(id)d: %(good)s rows loaded (%(months)s), %(bad)s quarantined.")
                % {
                    "id": batch.pk,
                    "good": f"{batch.loaded_count:,}",
                    "months": ", ".join(batch.months),
                    "bad": f"{batch.quarantined_count:,}",
                }
            )
        )

    def _period(self, code: str) -> Period:
        period = Period.objects.filter(code=code).first()
        if period is None:
            raise CommandError(_("Period %(code)s does not exist.") % {"code": code})
        return period

    def _rates(self, actor: Any, options: dict[str, Any]) -> None:
        if options["period"]:
            period = self._period(options["period"])
            start, end = period.start, period.end
        else:
            start, end = last_month(timezone.localdate())
            start, end = options["start"] or start, options["end"] or end
        within = None
        if options["unit"]:
            within = visible_units(actor).filter(code=options["unit"]).first()
            if within is None:
                raise CommandError(
                    _("No unit %(code)s in your part of the organisation.") % {"code": options["unit"]}
                )
        lines = rates(user=actor, start=start, end=end, grouping=options["by"], within=within)
        self.stdout.write(f"{start} – {end}")
        header = ("code", "name", "transactions", "rated", "satisfied", "evaluation", "satisfaction")
        self.stdout.write("\t".join(header))
        for line in [*lines, total_line(lines)]:
            self.stdout.write(
                "\t".join(
                    [
                        line.code or _("Total"),
                        line.name,
                        str(line.transactions),
                        str(line.rated),
                        str(line.satisfied_total),
                        _rate(line.evaluation_rate),
                        _rate(line.satisfaction_rate),
                    ]
                )
            )

    def _facts(self, actor: Any, options: dict[str, Any]) -> None:
        period = self._period(options["period"])
        result = rating_facts_record(actor=actor, period=period, dry_run=options["dry_run"])
        prefix = _("Dry run, nothing written. ") if options["dry_run"] else ""
        self.stdout.write(
            self.style.SUCCESS(
                prefix
                + _("%(period)s: %(created)d new values, %(changed)d changed, %(unchanged)d unchanged.")
                % {
                    "period": period.code,
                    "created": result.created,
                    "changed": result.changed,
                    "unchanged": result.unchanged,
                }
            )
        )

    def _unit(self, actor: Any, code: str) -> Unit:
        unit = visible_units(actor).filter(code=code).first()
        if unit is None:
            raise CommandError(_("No unit %(code)s in your part of the organisation.") % {"code": code})
        return unit

    def _recorded(self, period: Period, result: Any, dry_run: bool) -> None:
        prefix = _("Dry run, nothing written. ") if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                prefix
                + _("%(period)s: %(created)d new values, %(changed)d changed, %(unchanged)d unchanged.")
                % {
                    "period": period.code,
                    "created": result.created,
                    "changed": result.changed,
                    "unchanged": result.unchanged,
                }
            )
        )

    def _callbacks_import(self, actor: Any, options: dict[str, Any]) -> None:
        file: Path = options["file"]
        if not file.is_file():
            raise CommandError(_("%(file)s is not a file.") % {"file": file})
        result = callback_contacts_import(actor=actor, data=file.read_bytes(), file_name=file.name)
        if not result.created:
            self.stdout.write(self.style.WARNING(_("This file was imported before: nothing was added.")))
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("%(new)d customers added, %(old)d were listed already.")
                % {"new": result.batch.created_count, "old": result.batch.unchanged_count}
            )
        )

    def _callbacks_draw(self, actor: Any, options: dict[str, Any]) -> None:
        try:
            month = dt.date.fromisoformat(options["month"][:7] + "-01")
        except ValueError as exc:
            raise CommandError(_("--month is YYYY-MM.")) from exc
        result = callbacks_draw(actor=actor, unit=self._unit(actor, options["unit"]), month=month)
        for draw in result.created:
            self.stdout.write(f"{draw.unit.code}\t{draw.month:%Y-%m}\tseed {draw.seed}\t{draw.used}")
        for outlet, drawn, wanted in result.short:
            self.stderr.write(
                _(
                    "%(outlet)s: only %(drawn)d customers could be drawn of %(wanted)d "
                    "(not enough in its list)."
                )
                % {"outlet": outlet.code, "drawn": drawn, "wanted": wanted}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(new)d outlets drawn for %(month)s (%(old)d had their sample already).")
                % {"new": len(result.created), "old": len(result.existing), "month": f"{month:%Y-%m}"}
            )
        )

    def _callbacks_results(self, actor: Any, options: dict[str, Any]) -> None:
        period = self._period(options["period"])
        lines = callback_results(user=actor, start=period.start, end=period.end, grouping=options["by"])
        self.stdout.write(
            "\t".join(("code", "name", "drawn", "reached", "satisfied", "neutral", "unsatisfied", "points"))
        )
        for line in [*lines, callback_total(lines)]:
            self.stdout.write(
                "\t".join(
                    str(v)
                    for v in (
                        line.code or _("Total"),
                        line.name,
                        line.drawn,
                        line.reached,
                        line.satisfied,
                        line.neutral,
                        line.unsatisfied,
                        line.points,
                    )
                )
            )

    def _callbacks_facts(self, actor: Any, options: dict[str, Any]) -> None:
        period = self._period(options["period"])
        result = callback_facts_record(actor=actor, period=period, dry_run=options["dry_run"])
        self._recorded(period, result, options["dry_run"])

    def _survey_create(self, actor: Any, options: dict[str, Any]) -> None:
        survey = survey_create(
            actor=actor,
            kind=options["kind"],
            unit=self._unit(actor, options["unit"]),
            opens_on=options["opens"],
            closes_on=options["closes"],
            title=options["title"],
        )
        self.stdout.write(self.style.SUCCESS(_("Survey #%(id)d created.") % {"id": survey.pk}))
        for link in survey.links.select_related("unit").order_by("unit__path"):
            self.stdout.write(f"{link.unit.code}\t{reverse('feedback:public_survey', args=[link.token])}")

    def _survey_results(self, actor: Any, options: dict[str, Any]) -> None:
        try:
            survey = survey_get(user=actor, pk=options["survey"])
        except Http404 as exc:
            raise CommandError(
                _("No survey #%(id)d in your part of the organisation.") % {"id": options["survey"]}
            ) from exc
        results = survey_results(user=actor, survey=survey)
        self.stdout.write(
            f"{survey.title}\t{results.responses}\t{results.mean if results.mean is not None else '—'}"
        )
        for line in results.units:
            self.stdout.write(f"{line.code}\t{line.name}\t{line.responses}\t{line.mean}")

    def _survey_facts(self, actor: Any, options: dict[str, Any]) -> None:
        period = self._period(options["period"])
        result = survey_facts_record(actor=actor, period=period, dry_run=options["dry_run"])
        self._recorded(period, result, options["dry_run"])
