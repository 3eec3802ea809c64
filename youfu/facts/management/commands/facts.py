"""`youfu facts import FILE --period 2025Q3 [--dry-run]` and `youfu facts export FILE --period 2025Q3`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from youfu.core.errors import ApplicationError
from youfu.facts.choices import SubjectKind
from youfu.facts.exports import facts_export
from youfu.facts.imports import facts_import
from youfu.org.management.commands._common import actor_for, error_table
from youfu.org.models import Period


class Command(BaseCommand):
    help = (
        "Indicator data (考核指标数据): `youfu facts import FILE [--period CODE] [--dry-run]`, "
        "`youfu facts export FILE --period CODE`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser(
            "import", help="import an .xlsx file; all or nothing, row errors as a table"
        )
        load.add_argument("file", type=Path)
        load.add_argument("--period", help="period code, e.g. 2025Q3 (else the file's 期间 column)")
        load.add_argument("--dry-run", action="store_true", help="check the file and count, write nothing")
        load.add_argument("--note", default="", help="a note kept with the batch")
        load.add_argument("--as", dest="username", help="act as this user (default: the first administrator)")
        dump = actions.add_parser("export", help="export one period to an .xlsx file in the import layout")
        dump.add_argument("file", type=Path)
        dump.add_argument("--period", required=True, help="period code, e.g. 2025Q3")
        dump.add_argument("--people", action="store_true", help="the facts of people (default: of units)")
        dump.add_argument("--name", action="append", dest="names", help="only this input (repeatable)")
        dump.add_argument("--as", dest="username", help="act as this user (default: the first administrator)")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        actor = actor_for(options["username"])
        if action == "export":
            self._export(actor, options)
        else:
            self._import(actor, options)

    def _import(self, actor: Any, options: dict[str, Any]) -> None:
        file: Path = options["file"]
        if not file.is_file():
            raise CommandError(_("%(file)s is not a file.") % {"file": file})
        try:
            result = facts_import(
                actor=actor,
                file=file,
                period=options["period"],
                dry_run=options["dry_run"],
                note=options["note"],
            )
        except ApplicationError as exc:
            self.stderr.write(error_table(exc.details))
            raise CommandError(exc.message) from exc
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        counts = {
            "period": result.period,
            "rows": result.rows,
            "created": result.created,
            "changed": result.changed,
            "unchanged": result.unchanged,
        }
        if options["dry_run"]:
            message = _(
                "Dry run, nothing written. %(period)s, %(rows)d rows: would record %(created)d new values, "
                "change %(changed)d, leave %(unchanged)d unchanged."
            )
        elif result.batch_id is None:
            message = _(
                "%(period)s: nothing changed (%(unchanged)d values already recorded); no batch created."
            )
        else:
            message = _(
                "%(period)s, %(rows)d rows: %(created)d new values, "
                "%(changed)d changed, %(unchanged)d unchanged."
            )
        self.stdout.write(self.style.SUCCESS(message % counts))

    def _export(self, actor: Any, options: dict[str, Any]) -> None:
        period = Period.objects.filter(code=options["period"]).first()
        if period is None:
            raise CommandError(_("Period %(code)s does not exist.") % {"code": options["period"]})
        kind = SubjectKind.PERSON if options["people"] else SubjectKind.UNIT
        data = facts_export(user=actor, period=period, subject_kind=kind, names=options["names"])
        file: Path = options["file"]
        file.write_bytes(data)
        self.stdout.write(
            self.style.SUCCESS(
                _("Wrote %(file)s (%(size)s bytes).") % {"file": file, "size": f"{len(data):,}"}
            )
        )
