from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from youfu.accounts.access import visible_units
from youfu.core.errors import ApplicationError
from youfu.inspections import selectors, services
from youfu.inspections.choices import InspectionKind, InspectionStatus, PlanSampling
from youfu.inspections.filters import InspectionFilter
from youfu.org.management.commands._common import actor_for
from youfu.org.models import Period


class Command(BaseCommand):
    help = (
        "Inspections: list checks (as a user, within their subtree), import a firm's results, plans and "
        "their coverage, outlet locations; make due checks final."
    )

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
            "--layout",
            choices=["auto", "a", "b"],
            default="auto",
            help="a: one row per outlet and item; b: one sheet per visit (default: told apart)",
        )
        importing.add_argument(
            "--as", dest="username", help="act as this user (default: the first administrator)"
        )
        plan = sub.add_parser("plan", help="inspection plans: create, list, coverage")
        plans = plan.add_subparsers(dest="plan_action", required=True)
        creating = plans.add_parser("create", help="plan a period's checks of every outlet under a unit")
        creating.add_argument("--name", required=True)
        creating.add_argument("--period", required=True, help="period code, e.g. 2025Q4")
        creating.add_argument("--scope", required=True, help="unit code: the bank or a unit of your subtree")
        creating.add_argument("--kind", choices=InspectionKind.values, default=InspectionKind.ON_SITE)
        creating.add_argument("--visits", type=int, default=1, help="visits per outlet in the period")
        creating.add_argument("--mystery-share", type=int, default=0, help="%% of visits by mystery shopper")
        creating.add_argument("--sampling", choices=PlanSampling.values, default=PlanSampling.RANDOM)
        creating.add_argument("--seed", type=int, help="the random draw's seed (default: a new one)")
        creating.add_argument("--grace-days", type=int, default=15, help="late up to this many days")
        creating.add_argument("--max-distance", type=int, default=500, help="photo distance allowed (m)")
        creating.add_argument("--as", dest="username", help="act as this user")
        listing_plans = plans.add_parser("list", help="the plans you see")
        listing_plans.add_argument("--as", dest="username", help="act as this user")
        coverage = plans.add_parser("coverage", help="a plan's coverage per sub-branch and its visits")
        coverage.add_argument("plan", type=int, help="plan id")
        coverage.add_argument("--visits", action="store_true", help="also list every planned visit")
        coverage.add_argument("--today", help="judge as of this date (YYYY-MM-DD; default today)")
        coverage.add_argument("--as", dest="username", help="act as this user")
        location = sub.add_parser("location", help="set an outlet's location (for photo distance checks)")
        location.add_argument("unit", help="outlet code")
        location.add_argument("latitude", help="degrees, e.g. 31.2304")
        location.add_argument("longitude", help="degrees, e.g. 121.4737")
        location.add_argument("--as", dest="username", help="act as this user")
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
            if action == "plan":
                self._plan(**options)
                return
            if action == "location":
                self._location(**options)
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
        layout: str,
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
                layout=layout,
            )
        except ApplicationError as exc:
            for detail in exc.details:
                self.stderr.write(f"row {detail.row or '-'}\t{detail.field or '-'}\t{detail.message}")
            raise
        for visit in result.visits:
            state = "unchanged" if visit.unchanged else ("would create" if dry_run else "created")
            ref = f"#{visit.inspection_id}" if visit.inspection_id else "-"
            self.stdout.write(
                f"{visit.ref}\t{visit.outlet}\t{visit.date.isoformat()}\t{state}\t{ref}\t{visit.sheet}"
            )
        prefix = "dry run: " if dry_run else ""
        self.stdout.write(f"{prefix}{result.created} created, {result.unchanged} unchanged")

    def _plan(self, *, plan_action: str, username: str | None, **options: Any) -> None:
        user = actor_for(username)
        if plan_action == "create":
            period = Period.objects.filter(code=options["period"]).first()
            if period is None:
                raise CommandError(f"no period {options['period']}")
            scope = visible_units(user).filter(code=options["scope"]).first()
            if scope is None:
                raise CommandError(f"unit {options['scope']} does not exist or is outside your subtree")
            created = services.plan_create(
                actor=user,
                name=options["name"],
                period=period,
                scope=scope,
                kind=options["kind"],
                visits_per_outlet=options["visits"],
                mystery_share=options["mystery_share"],
                sampling=options["sampling"],
                seed=options["seed"],
                grace_days=options["grace_days"],
                max_distance_m=options["max_distance"],
            )
            kinds = Counter(created.visits.values_list("kind", flat=True))
            self.stdout.write(
                f"plan #{created.pk}\t{created.period.code}\t{created.scope.code}\tseed {created.seed}\t"
                + "\t".join(f"{k} {n}" for k, n in sorted(kinds.items()))
            )
            return
        if plan_action == "list":
            for row in selectors.plan_list(user=user):
                self.stdout.write(
                    f"#{row.pk}\t{row.period.code}\t{row.scope.code}\t{row.kind}\t"
                    f"{row.mystery_share}%\t{row.sampling}\t{row.name}"
                )
            return
        try:
            found = selectors.plan_get(user=user, pk=options["plan"])
        except Http404 as exc:
            raise CommandError(f"no plan #{options['plan']} that you can see") from exc
        today = dt.date.fromisoformat(options["today"]) if options.get("today") else None
        rows = selectors.plan_rows(user=user, plan=found, today=today)
        total, groups = selectors.plan_coverage(rows)
        self.stdout.write("unit\ttotal\tdone\tlate\tmissed\tpending\tcovered%\tflagged")
        for c in [*groups, total]:
            code = c.unit.code if c.unit is not None else "ALL"
            self.stdout.write(
                f"{code}\t{c.total}\t{c.done}\t{c.late}\t{c.missed}\t{c.pending}\t{c.covered_pct}\t{c.flagged}"
            )
        if options.get("visits"):
            for r in rows:
                v = r.visit
                check = f"#{r.inspection.pk} {r.inspection.date.isoformat()}" if r.inspection else "-"
                self.stdout.write(
                    f"{v.outlet.code}\t{v.kind}\t{v.window_start.isoformat()}..{v.window_end.isoformat()}"
                    f"\t{r.status}\t{check}\t{' '.join(r.flags)}"
                )

    def _location(self, *, unit: str, latitude: str, longitude: str, username: str | None, **_: Any) -> None:
        user = actor_for(username)
        found = visible_units(user).filter(code=unit).first()
        if found is None:
            raise CommandError(f"unit {unit} does not exist or is outside your subtree")
        try:
            stored = services.outlet_location_set(
                actor=user, unit=found, latitude=Decimal(latitude), longitude=Decimal(longitude)
            )
        except InvalidOperation as exc:
            raise CommandError("latitude and longitude are numbers of degrees") from exc
        self.stdout.write(f"{found.code}\t{stored.latitude}\t{stored.longitude}")

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
