from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from youfu.org.exports import people_export, units_export
from youfu.org.management.commands._common import actor_for, kind_label


class Command(BaseCommand):
    help = "Export units or people to an Excel file (.xlsx) in the import layout; only what the user may see."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["units", "people"])
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as", dest="username", help="act as this user (default: the first administrator)"
        )

    def handle(self, *args: Any, kind: str, file: Path, username: str | None, **options: Any) -> None:
        user = actor_for(username)
        data = units_export(user=user) if kind == "units" else people_export(user=user)
        file.write_bytes(data)
        self.stdout.write(
            self.style.SUCCESS(
                _("Wrote %(kind)s to %(file)s (%(size)s bytes).")
                % {"kind": kind_label(kind), "file": file, "size": f"{len(data):,}"}
            )
        )
