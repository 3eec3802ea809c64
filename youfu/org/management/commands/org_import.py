from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from youfu.core.errors import ApplicationError
from youfu.org.imports import people_import, units_import
from youfu.org.management.commands._common import actor_for, error_table, kind_label


class Command(BaseCommand):
    help = "Import units or people from an Excel file (.xlsx); all or nothing, row errors printed as a table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["units", "people"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check the file and count, write nothing")
        parser.add_argument(
            "--as", dest="username", help="act as this user (default: the first administrator)"
        )

    def handle(
        self, *args: Any, kind: str, file: Path, dry_run: bool, username: str | None, **options: Any
    ) -> None:
        actor = actor_for(username)
        if not file.is_file():
            raise CommandError(_("%(file)s is not a file.") % {"file": file})
        run = units_import if kind == "units" else people_import
        # disable=None: a bar on a terminal, silence in logs and pipes.
        with tqdm(total=None, unit="step", leave=False, disable=None) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                result = run(actor=actor, file=file, dry_run=dry_run, progress=progress)
            except ApplicationError as exc:
                bar.close()
                self.stderr.write(error_table(exc.details))
                raise CommandError(exc.message) from exc
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        counts = {
            "kind": kind_label(kind),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if dry_run:
            message = _(
                "Dry run, nothing written. %(kind)s: would create %(created)d, update %(updated)d, "
                "leave %(unchanged)d unchanged."
            )
        else:
            message = _("%(kind)s: created %(created)d, updated %(updated)d, unchanged %(unchanged)d.")
        self.stdout.write(self.style.SUCCESS(message % counts))
