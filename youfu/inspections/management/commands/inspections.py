from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youfu.core.errors import ApplicationError
from youfu.inspections import selectors, services
from youfu.inspections.choices import InspectionKind, InspectionStatus
from youfu.inspections.filters import InspectionFilter
from youfu.org.management.commands._common import actor_for


class Command(BaseCommand):
    help = "Inspections: list checks (as a user, within their subtree); make due checks final."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="list inspections, newest first")
        listing.add_argument("--unit", help="unit code (and below)")
        listing.add_argument("--period", help="period code, e.g. 2025Q3")
        listing.add_argument("--kind", choices=InspectionKind.values)
        listing.add_argument("--status", choices=InspectionStatus.values)
        listing.add_argument("--limit", type=int, default=50)
        listing.add_argument(
            "--as", dest="username", help="act as this user (default: the first administrator)"
        )
        importing = sub.add_parser(
            "import",
            help="import a mystery-shopping firm's Excel results (all or nothing; safe to run twice)",
        )
        importing.add_argument("file", help="the .xlsx file, one row per outlet and item")
        importing.add_argument("--standard", required=True, help="standard code, e.g. MS-OUTLET")
        importing.add_argument("--version", dest="number", type=int, help="version number (default: latest)")
        importing.add_argument("--firm", default="", help="the mystery-shopping firm, written in the notes")
        importing.add_argument("--dry-run", action="store_true", help="check only, save nothing")
        importing.add_argument(
            "--as", dest="username", help="act as this user (default: the first administrator)"
        )
        sub.add_parser(
            "finalize",
            help="make final every published check whose appeal window has passed (safe to run twice)",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            if action == "finalize":
                done = services.inspections_finalize_due()
                self.stdout.write(f"{len(done)} final")
                return
            if action == "import":
                self._import(**options)
                return
            self._list(**options)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

    def _import(
        self,
        *,
        file: str,
        standard: str,
        number: int | None,
        firm: str,
        dry_run: bool,
        username: str | None,
        **_options: Any,
    ) -> None:
        from youfu.inspections.imports import inspections_import

        try:
            result = inspections_import(
                actor=actor_for(username),
                file=file,
                standard=standard,
                version=number,
                firm=firm,
                dry_run=dry_run,
            )
        except ApplicationError as exc:
            for detail in exc.details:
                self.stderr.write(f"row {detail.row or '-'}\t{detail.field or '-'}\t{detail.message}")
            raise
        for visit in result.visits:
            state = "unchanged" if visit.unchanged else ("would create" if dry_run else "created")
            ref = f"#{visit.inspection_id}" if visit.inspection_id else "-"
            self.stdout.write(f"{visit.ref}\t{visit.outlet}\t{visit.date.isoformat()}\t{state}\t{ref}")
        prefix = "dry run: " if dry_run else ""
        self.stdout.write(f"{prefix}{result.created} created, {result.unchanged} unchanged")

    def _list(self, *, username: str | None, limit: int, **options: Any) -> None:
        user = actor_for(username)
        data = {k: v for k, v in options.items() if k in ("unit", "period", "kind", "status") and v}
        rows = InspectionFilter(
            data, queryset=selectors.inspection_list(user=user), request=_Request(user)
        ).qs
        for inspection in rows[:limit]:
            total = "—" if inspection.total is None else f"{inspection.total.normalize():f}"
            self.stdout.write(
                "\t".join(
                    [
                        f"#{inspection.pk}",
                        inspection.date.isoformat(),
                        inspection.unit.code,
                        inspection.unit.name,
                        inspection.kind,
                        inspection.status,
                        total,
                    ]
                )
            )


class _Request:
    def __init__(self, user: Any) -> None:
        self.user = user
