"""`youfu reports kpis --period CODE [--unit CODE] [--out file.xlsx]`, `youfu reports queue FILE [--key KEY]`,
`youfu reports diversion FILE`, `youfu reports facts --period CODE [--dry-run]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.core.errors import ApplicationError
from youfu.org.management.commands._common import actor_for, error_table
from youfu.org.models import Period
from youfu.reports import exports, selectors
from youfu.reports.forms import last_month
from youfu.reports.services import diversion_import_file, kpi_facts_record, queue_ingest_file


class Command(BaseCommand):
    help = (
        "Service KPIs: `youfu reports kpis`, `youfu reports queue FILE`, `youfu reports diversion FILE`, "
        "`youfu reports facts`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        show = actions.add_parser("kpis", help="the KPIs of a scope and period (and per outlet)")
        show.add_argument("--period", help="period code, e.g. 2026-10 (default: last month)")
        show.add_argument("--unit", help="only this unit's subtree (code)")
        show.add_argument("--out", type=Path, help="write the tiles and the outlets to this .xlsx file")
        show.add_argument("--as", dest="username", help="act as this user (default: the first administrator)")
        queue = actions.add_parser(
            "queue", help="load a CSV, Excel or Parquet file of queue tickets; all or nothing"
        )
        queue.add_argument("file", type=Path)
        queue.add_argument("--key", default="", help="idempotency key (default: the file's SHA-256)")
        queue.add_argument(
            "--as", dest="username", help="act as this user (default: the first administrator)"
        )
        diversion = actions.add_parser(
            "diversion", help="load an Excel file of smart-counter diversion figures"
        )
        diversion.add_argument("file", type=Path)
        diversion.add_argument(
            "--as", dest="username", help="act as this user (default: the first administrator)"
        )
        facts = actions.add_parser("facts", help="record a period's KPIs of the outlets as indicator data")
        facts.add_argument("--period", required=True, help="period code, e.g. 2026-10")
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

    def _period(self, code: str | None) -> tuple[Any, Any]:
        if not code:
            return last_month(timezone.localdate())
        period = Period.objects.filter(code=code).first()
        if period is None:
            raise CommandError(_("No period has the code %(code)s.") % {"code": code})
        return period.start, period.end

    def _kpis(self, actor: Any, options: dict[str, Any]) -> None:
        start, end = self._period(options["period"])
        try:
            unit = selectors.scope_unit(user=actor, code=options["unit"])
        except Exception as exc:
            raise CommandError(
                _("Unit %(code)s does not exist or is outside your part of the organisation.")
                % {"code": options["unit"]}
            ) from exc
        board = selectors.board(user=actor, unit=unit, start=start, end=end)
        self.stdout.write(f"{unit.name if unit else ''} {start} – {end}")
        for tile in board.tiles:
            value = "—" if tile.value is None else f"{tile.value} {tile.measure}"
            inputs = ", ".join(f"{k}={v}" for k, v in tile.inputs.items() if v is not None)
            self.stdout.write(
                f"{tile.label}: {value} (target {tile.target.target}, {tile.rag or '—'}) [{inputs}]"
            )
        out: Path | None = options["out"]
        if out is not None:
            header, rows = exports.ranking_table(board.ranking)
            out.write_bytes(exports.workbook(f"KPI {start} – {end}", header, rows))
            self.stdout.write(_("Written to %(file)s.") % {"file": out})

    def _queue(self, actor: Any, options: dict[str, Any]) -> None:
        file: Path = options["file"]
        if not file.is_file():
            raise CommandError(_("%(file)s is not a file.") % {"file": file})
        result = queue_ingest_file(actor=actor, file=file, idempotency_key=options["key"])
        if result.created:
            self.stdout.write(
                _("Loaded %(n)s tickets (batch #%(id)d).")
                % {"n": f"{result.batch.row_count:,}", "id": result.batch.pk}
            )
        else:
            self.stdout.write(
                _("Loaded before (batch #%(id)d): nothing loaded again.") % {"id": result.batch.pk}
            )

    def _diversion(self, actor: Any, options: dict[str, Any]) -> None:
        file: Path = options["file"]
        if not file.is_file():
            raise CommandError(_("%(file)s is not a file.") % {"file": file})
        result = diversion_import_file(actor=actor, file=file, file_name=file.name)
        if result.created:
            self.stdout.write(
                _("Loaded %(n)d rows, %(c)d new or changed.")
                % {"n": result.batch.row_count, "c": result.batch.changed_count}
            )
        else:
            self.stdout.write(_("Loaded before: nothing changed."))

    def _facts(self, actor: Any, options: dict[str, Any]) -> None:
        period = Period.objects.filter(code=options["period"]).first()
        if period is None:
            raise CommandError(_("No period has the code %(code)s.") % {"code": options["period"]})
        result = kpi_facts_record(actor=actor, period=period, dry_run=options["dry_run"])
        self.stdout.write(
            _("%(created)d new, %(changed)d changed, %(unchanged)d unchanged.")
            % {"created": result.created, "changed": result.changed, "unchanged": result.unchanged}
        )
