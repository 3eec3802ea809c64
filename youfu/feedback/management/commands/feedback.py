"""`youfu feedback ingest FILE [--quarantine] [--key KEY]`, `youfu feedback rates [--period CODE |
--start D --end D] [--unit CODE] [--by person|outlet|sub_branch|branch]` and `youfu feedback facts
--period CODE`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.accounts.access import visible_units
from youfu.core.errors import ApplicationError
from youfu.feedback.choices import Grouping
from youfu.feedback.forms import last_month
from youfu.feedback.selectors import rates, total_line
from youfu.feedback.services import rating_facts_record, ratings_ingest_file
from youfu.org.management.commands._common import actor_for, error_table
from youfu.org.models import Period


def _rate(value: Any) -> str:
    return "—" if value is None else f"{value}%"


class Command(BaseCommand):
    help = (
        "Evaluator ratings (满意度评价器): `youfu feedback ingest FILE`, `youfu feedback rates`, "
        "`youfu feedback facts --period CODE`."
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

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        actor = actor_for(options["username"])
        try:
            getattr(self, f"_{action}")(actor, options)
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
