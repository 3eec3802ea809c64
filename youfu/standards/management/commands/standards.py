from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from youfu.accounts.access import visible_units
from youfu.core.errors import ApplicationError
from youfu.org.management.commands._common import actor_for, error_table
from youfu.standards import exports, imports, selectors, services

OUTCOMES = {
    "created": "created",
    "new_version": "new version",
    "updated": "draft updated",
    "unchanged": "unchanged",
}


class Command(BaseCommand):
    help = "Checklists: load the shipped standards (or YAML files), export a version to Excel, import Excel."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "load", help="load data files (default: the shipped standards); safe to run twice"
        )
        load.add_argument("files", nargs="*", type=Path)
        load.add_argument("--owner", help="code of the owner unit for new standards (default: the top unit)")
        load.add_argument(
            "--draft", action="store_true", help="leave new versions as drafts (default: publish)"
        )
        load.add_argument("--as", dest="username", help="act as this user (default: the first administrator)")
        export = sub.add_parser("export", help="export a standard's version to Excel")
        export.add_argument("code")
        export.add_argument("file", type=Path)
        export.add_argument(
            "--version", type=int, help="version number (default: latest published, else draft)"
        )
        export.add_argument("--as", dest="username")
        imp = sub.add_parser("import", help="import a standard from Excel (all or nothing)")
        imp.add_argument("file", type=Path)
        imp.add_argument("--dry-run", action="store_true")
        imp.add_argument("--publish", action="store_true")
        imp.add_argument("--as", dest="username")

    def handle(self, *args: Any, action: str, username: str | None = None, **options: Any) -> None:
        user = actor_for(username)
        try:
            getattr(self, f"_{action}")(user, **options)
        except ApplicationError as exc:
            if exc.details and any(d.row for d in exc.details):
                self.stderr.write(error_table(exc.details))
            elif len(exc.details) > 1:
                self.stderr.write("\n".join(d.message for d in exc.details))
            raise CommandError(exc.message) from exc

    def _load(self, user: Any, *, files: list[Path], owner: str | None, draft: bool, **options: Any) -> None:
        unit = None
        if owner:
            unit = visible_units(user).filter(code=owner).first()
            if unit is None:
                raise CommandError(_("No unit %(code)s in your part of the organisation.") % {"code": owner})
        results = services.standard_load(actor=user, paths=files or None, owner=unit, publish=not draft)
        for result in results:
            version = result.version
            self.stdout.write(
                f"{version.standard.code}  v{version.number}  {OUTCOMES[result.outcome]}"
                + ("  published" if result.published else "")
            )

    def _export(self, user: Any, *, code: str, file: Path, version: int | None, **options: Any) -> None:
        try:
            standard = selectors.standard_get_by_code(user=user, code=code)
        except Exception as exc:
            raise CommandError(_("No standard %(code)s that you may see.") % {"code": code}) from exc
        versions = selectors.standard_versions(user=user, standard=standard)
        chosen = (
            versions.filter(number=version).first()
            if version
            else (selectors.standard_latest_published(user=user, standard=standard) or versions.first())
        )
        if chosen is None:
            raise CommandError(_("Standard %(code)s has no such version.") % {"code": code})
        data = exports.standard_export(version=chosen)
        file.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"{code} v{chosen.number} → {file} ({len(data):,} bytes)"))

    def _import(self, user: Any, *, file: Path, dry_run: bool, publish: bool, **options: Any) -> None:
        result = imports.standard_import(actor=user, file=file, dry_run=dry_run, publish=publish)
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        prefix = "dry run: " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(f"{prefix}{result.code}  v{result.version_number}  {OUTCOMES[result.outcome]}")
        )
