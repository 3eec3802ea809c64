"""Reads of the reports domain, always scoped through youfu.accounts.access: every figure counts only
outlets in the user's subtree (and under the chosen unit, itself in the subtree, else 404).

* `board` — the KPI tiles of a scope and period (each with its inputs, target, band and colour) and one
  row per outlet (its KPIs, colours, score and location);
* `trend` — the scope's KPIs month by month over the last 12 months;
* `tellers` — an outlet's tellers: tickets called, waits and ratings;
* `targets_for` — the targets in force at a unit and where each comes from (inherited down the tree).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.db.models import Sum
from django.http import Http404

from youfu.accounts.access import WHOLE_BANK, scope_path, visible_units
from youfu.complaints.selectors import DEFAULT_RATE_CHANNEL, complaint_rates
from youfu.feedback.choices import Grouping
from youfu.feedback.selectors import RateLine, rates_for_scope, total_line
from youfu.org.choices import UnitKind
from youfu.org.models import Period, Unit
from youfu.reports import kpis, store
from youfu.reports.choices import Kpi
from youfu.reports.models import DiversionRecord, KpiTarget, QueueBatch

STEPLEN = 4  # treebeard's path step


class SystemUser:
    """Stands in for a system run (the demo, the CLI without --as): the whole bank, every right."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    unit_id = None

    def has_perm(self, perm: str) -> bool:
        return True


def _user(user: Any) -> Any:
    return SystemUser() if user is None else user


# --- Targets ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    kpi: str
    target: Decimal
    band: Decimal
    unit: Unit | None  # where it is set; None = youfu's default
    seed: str  # the seed the default comes from ("" = none: flagged)

    @property
    def is_default(self) -> bool:
        return self.unit is None


def _ancestors(path: str) -> list[str]:
    return [path[:i] for i in range(STEPLEN, len(path) + 1, STEPLEN)]


def targets_for_units(units: Iterable[Unit]) -> dict[int, dict[str, Target]]:
    """unit id → kpi → the target in force there: the one set at the nearest unit at or above it, else
    the default."""
    units = list(units)
    paths = {p for u in units for p in _ancestors(u.path)}
    rows = list(KpiTarget.objects.filter(unit__path__in=paths).select_related("unit"))
    by_path: dict[str, dict[str, KpiTarget]] = {}
    for row in rows:
        by_path.setdefault(row.unit.path, {})[row.kpi] = row
    result: dict[int, dict[str, Target]] = {}
    for unit in units:
        found: dict[str, Target] = {}
        for kpi in Kpi.values:
            default = kpis.DEFAULTS[kpi]
            chosen = Target(kpi, default.target, default.band, None, default.seed)
            for path in _ancestors(unit.path):  # top down: the deepest wins
                found_row = by_path.get(path, {}).get(kpi)
                if found_row is not None:
                    chosen = Target(kpi, found_row.target, found_row.amber_band, found_row.unit, default.seed)
            found[kpi] = chosen
        result[unit.pk] = found
    return result


def targets_for(unit: Unit) -> dict[str, Target]:
    return targets_for_units([unit])[unit.pk]


def bank_defaults() -> dict[str, Target]:
    return {k: Target(k, d.target, d.band, None, d.seed) for k, d in kpis.DEFAULTS.items()}


# --- Scope -------------------------------------------------------------------------------------------------


def scope_unit(*, user: Any, code: str | None) -> Unit | None:
    """The unit whose subtree to show: the code's (404 outside the user's subtree), else the user's own
    (None for the whole bank)."""
    if code:
        unit = visible_units(user).filter(code=code).first()
        if unit is None:
            raise Http404
        return unit
    path = scope_path(user)
    if path is None:
        raise Http404
    if path == WHOLE_BANK:
        return Unit.objects.filter(depth=1).order_by("path").first()
    return Unit.objects.get(path=path)


def outlet_get(*, user: Any, pk: int | str) -> Unit:
    try:
        return visible_units(user).get(pk=pk, kind=UnitKind.OUTLET)
    except (Unit.DoesNotExist, ValueError):
        raise Http404 from None


# --- Inputs ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitCounts:
    tickets: int = 0
    called: int = 0
    wait_seconds: int = 0
    p90_seconds: int | None = None

    @property
    def average(self) -> Decimal | None:
        return kpis.minutes(self.wait_seconds, self.called)

    @property
    def p90(self) -> Decimal | None:
        return None if self.p90_seconds is None else kpis.minutes(self.p90_seconds)


def _months(start: dt.date, end: dt.date) -> set[str]:
    months = set()
    month = start.replace(day=1)
    while month <= end:
        months.add(month.strftime("%Y-%m"))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _queue_files(start: dt.date, end: dt.date) -> list[str]:
    months = _months(start, end)
    files: list[str] = []
    for entries in QueueBatch.objects.order_by("pk").values_list("files", flat=True):
        files += [str(store.absolute(e["path"])) for e in entries if e["month"] in months]
    return files


def wait_counts(
    *, outlet_ids: Sequence[int], start: dt.date, end: dt.date, by: str | None
) -> dict[int | None, WaitCounts]:
    """Tickets, called tickets, the sum of waits and the nearest-rank p90 wait (seconds), per outlet
    (by="unit_id"), per teller (by="person_id"), per month (by="month" → key YYYYMM) or in all (by=None
    → key None)."""
    files = _queue_files(start, end)
    if not files or not outlet_ids or end < start:
        return {}
    group = {None: "NULL", "month": "CAST(year(q.ticket_at) * 100 + month(q.ticket_at) AS INTEGER)"}.get(
        by, f"q.{by}"
    )
    con = store.connect()
    try:
        con.register("scope_units", pa.table({"id": pa.array(list(outlet_ids), pa.int32())}))
        sources = ", ".join(store.sql_path(Path(f)) for f in files)
        rows = con.execute(
            f"""
            WITH src AS (
                SELECT {group} AS g, wait_s FROM read_parquet([{sources}]) q
                JOIN scope_units s ON s.id = q.unit_id
                WHERE q.ticket_at >= CAST($start AS TIMESTAMP) AND q.ticket_at < CAST($end AS TIMESTAMP)
            ), ranked AS (
                SELECT g, wait_s,
                       row_number() OVER (PARTITION BY g, wait_s IS NULL ORDER BY wait_s) AS rn,
                       count(wait_s) OVER (PARTITION BY g) AS n
                FROM src
            )
            SELECT g, count(*), count(wait_s), coalesce(sum(wait_s), 0),
                   max(CASE WHEN wait_s IS NOT NULL AND rn = (9 * n + 9) // 10 THEN wait_s END)
            FROM ranked GROUP BY g
            """,  # noqa: S608 (group is one of three fixed expressions; paths from the catalogue)
            {
                "start": f"{start.isoformat()} 00:00:00",
                "end": f"{(end + dt.timedelta(days=1)).isoformat()} 00:00:00",
            },
        ).fetchall()
    finally:
        con.close()
    return {
        (None if g is None else int(g)): WaitCounts(int(t), int(c), int(s), None if p is None else int(p))
        for g, t, c, s, p in rows
    }


def diversion_counts(
    *, outlet_ids: Sequence[int], start: dt.date, end: dt.date
) -> dict[int, tuple[int, int]]:
    """outlet id → (smart, counter) over the days in [start, end] (a month figure counts when its first
    day is in the window)."""
    rows = (
        DiversionRecord.objects.filter(unit_id__in=list(outlet_ids), day__gte=start, day__lte=end)
        .values("unit_id")
        .annotate(smart=Sum("smart"), counter=Sum("counter"))
    )
    return {r["unit_id"]: (int(r["smart"] or 0), int(r["counter"] or 0)) for r in rows}


def complaint_counts(
    *, user: Any, outlet_ids: Sequence[int], start: dt.date, end: dt.date
) -> tuple[dict[int, tuple[int, int]], int, str]:
    """outlet id → (base year's, current) 95580 complaints, through youfu.complaints; and the base year
    and the counted window's end (a running period counts up to today)."""
    period = Period(code=f"{start}/{end}", name="", start=start, end=end)
    rates = complaint_rates(
        user=_user(user), period=period, baseline_year=start.year - 1, channel=DEFAULT_RATE_CHANNEL
    )
    wanted = set(outlet_ids)
    return (
        {r.unit.pk: (r.baseline, r.current) for r in rates.rows if r.unit.pk in wanted},
        rates.baseline_year,
        rates.current_end.isoformat(),
    )


def complaint_change(baseline: int, current: int) -> Decimal | None:
    if not baseline:
        return None
    return kpis.round_points(Decimal(current - baseline) * 100 / Decimal(baseline))


# --- The board ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiValue:
    kpi: str
    value: Decimal | None
    target: Target
    inputs: dict[str, Any]

    @property
    def rag(self) -> str | None:
        return kpis.rag(self.kpi, self.value, self.target.target, self.target.band)

    @property
    def label(self) -> str:
        return str(Kpi(self.kpi).label)

    @property
    def measure(self) -> str:
        return "min" if self.kpi in (Kpi.WAIT_AVG, Kpi.WAIT_P90) else "%"

    @property
    def input_items(self) -> list[tuple[str, Any]]:
        """The inputs with their labels, as shown on a tile."""
        from youfu.reports.exports import INPUT_LABELS

        return [(str(INPUT_LABELS.get(k, k)), v) for k, v in self.inputs.items() if v is not None]

    @property
    def higher_is_better(self) -> bool:
        return kpis.HIGHER_IS_BETTER[self.kpi]


@dataclass
class OutletRow:
    unit: Unit
    values: dict[str, KpiValue]
    called: int = 0
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    parent_name: str = ""

    @property
    def score(self) -> Decimal | None:
        return kpis.score([v.rag for v in self.values.values()])

    @property
    def colours(self) -> list[str | None]:
        return [self.values[k].rag for k in Kpi.values]


@dataclass
class Board:
    unit: Unit | None
    start: dt.date
    end: dt.date
    tiles: list[KpiValue]
    outlets: list[OutletRow] = field(default_factory=list)
    complaints_visible: bool = True

    def tile(self, kpi: str) -> KpiValue:
        return next(t for t in self.tiles if t.kpi == kpi)

    @property
    def ranking(self) -> list[OutletRow]:
        return sorted(self.outlets, key=lambda r: (r.score is None, -(r.score or Decimal(0)), r.unit.code))

    @property
    def located(self) -> list[OutletRow]:
        return [r for r in self.outlets if r.latitude is not None and r.longitude is not None]

    @property
    def unlocated(self) -> list[OutletRow]:
        return [r for r in self.outlets if r.latitude is None or r.longitude is None]


def _values(
    targets: dict[str, Target],
    wait: WaitCounts,
    diversion: tuple[int, int],
    complaints: tuple[int, int] | None,
    complaint_info: dict[str, Any],
    rating: RateLine | None,
) -> dict[str, KpiValue]:
    smart, counter = diversion
    base, current = complaints or (0, 0)
    r_tx = rating.transactions if rating else 0
    r_rated = rating.rated if rating else 0
    r_sat = rating.satisfied_total if rating else 0
    return {
        Kpi.DIVERSION_RATE: KpiValue(
            Kpi.DIVERSION_RATE,
            kpis.diversion_rate(smart, counter),
            targets[Kpi.DIVERSION_RATE],
            {"smart": smart, "counter": counter},
        ),
        Kpi.WAIT_AVG: KpiValue(
            Kpi.WAIT_AVG,
            wait.average,
            targets[Kpi.WAIT_AVG],
            {"tickets": wait.tickets, "called": wait.called, "wait_seconds": wait.wait_seconds},
        ),
        Kpi.WAIT_P90: KpiValue(
            Kpi.WAIT_P90,
            wait.p90,
            targets[Kpi.WAIT_P90],
            {"called": wait.called, "p90_rank": kpis.p90_rank(wait.called), "p90_seconds": wait.p90_seconds},
        ),
        Kpi.COMPLAINT_CHANGE: KpiValue(
            Kpi.COMPLAINT_CHANGE,
            complaint_change(base, current) if complaints is not None else None,
            targets[Kpi.COMPLAINT_CHANGE],
            {"complaints": current, "baseline": base} | complaint_info,
        ),
        Kpi.SATISFACTION_RATE: KpiValue(
            Kpi.SATISFACTION_RATE,
            kpis.percent(r_sat, r_rated),
            targets[Kpi.SATISFACTION_RATE],
            {"satisfied": r_sat, "rated": r_rated},
        ),
        Kpi.EVALUATION_RATE: KpiValue(
            Kpi.EVALUATION_RATE,
            kpis.percent(r_rated, r_tx),
            targets[Kpi.EVALUATION_RATE],
            {"rated": r_rated, "transactions": r_tx},
        ),
    }


def _outlets(path: str, within: Unit | None) -> list[Unit]:
    units = Unit.objects.filter(kind=UnitKind.OUTLET, path__startswith=path)
    if within is not None:
        units = units.filter(path__startswith=within.path)
    return list(units.order_by("path"))


def outlet_values(
    *, path: str, user: Any, start: dt.date, end: dt.date, within: Unit | None
) -> list[OutletRow]:
    """One row per outlet under `path` (the user's subtree) and `within`, with its KPI values."""
    outlets = _outlets(path, within)
    return _rows(outlets, path=path, user=user, start=start, end=end, within=within)[0]


def _rows(
    outlets: list[Unit], *, path: str, user: Any, start: dt.date, end: dt.date, within: Unit | None
) -> tuple[list[OutletRow], dict[str, Any]]:
    ids = [u.pk for u in outlets]
    waits = wait_counts(outlet_ids=ids, start=start, end=end, by="unit_id")
    diversion = diversion_counts(outlet_ids=ids, start=start, end=end)
    complaints_visible = _user(user).has_perm("complaints.view_complaint")
    complaints, base_year, counted_to = complaint_counts(user=user, outlet_ids=ids, start=start, end=end)
    info = {"baseline_year": base_year, "counted_to": counted_to}
    ratings = {
        line.subject_id: line
        for line in rates_for_scope(path=path, start=start, end=end, grouping=Grouping.OUTLET, within=within)
    }
    targets = targets_for_units(outlets)
    locations = _locations(ids)
    parents = dict(
        Unit.objects.filter(path__in={u.path[:-STEPLEN] for u in outlets}).values_list("path", "name")
    )
    rows = []
    for unit in outlets:
        wait = waits.get(unit.pk, WaitCounts())
        row = OutletRow(
            unit=unit,
            values=_values(
                targets[unit.pk],
                wait,
                diversion.get(unit.pk, (0, 0)),
                complaints.get(unit.pk, (0, 0)) if complaints_visible else None,
                info,
                ratings.get(unit.pk),
            ),
            called=wait.called,
            parent_name=parents.get(unit.path[:-STEPLEN], ""),
        )
        row.latitude, row.longitude = locations.get(unit.pk, (None, None))
        rows.append(row)
    totals = {
        "waits": wait_counts(outlet_ids=ids, start=start, end=end, by=None).get(None, WaitCounts()),
        "diversion": tuple(sum(v[i] for v in diversion.values()) for i in (0, 1)),
        "complaints": tuple(sum(v[i] for v in complaints.values()) for i in (0, 1))
        if complaints_visible
        else None,
        "info": info,
        "ratings": total_line(list(ratings.values())) if ratings else None,
        "visible": complaints_visible,
    }
    return rows, totals


def _locations(ids: Sequence[int]) -> dict[int, tuple[Decimal, Decimal]]:
    from youfu.inspections.models import OutletLocation

    return {
        unit_id: (lat, lng)
        for unit_id, lat, lng in OutletLocation.objects.filter(unit_id__in=list(ids)).values_list(
            "unit_id", "latitude", "longitude"
        )
    }


def board(*, user: Any, unit: Unit | None, start: dt.date, end: dt.date, with_outlets: bool = True) -> Board:
    path = scope_path(_user(user))
    if path is None:
        raise Http404
    outlets = _outlets(path, unit)
    rows, totals = _rows(outlets, path=path, user=user, start=start, end=end, within=unit)
    scope_targets = targets_for(unit) if unit is not None else bank_defaults()
    tiles = list(
        _values(
            scope_targets,
            totals["waits"],
            totals["diversion"],
            totals["complaints"],
            totals["info"],
            totals["ratings"],
        ).values()
    )
    return Board(unit, start, end, tiles, rows if with_outlets else [], totals["visible"])


# --- Trend -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    month: str
    start: dt.date
    end: dt.date
    values: dict[str, KpiValue]


def last_months(end: dt.date, count: int = 12) -> list[tuple[dt.date, dt.date]]:
    months = []
    month_end = (end.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    for _ in range(count):
        first = month_end.replace(day=1)
        months.append((first, month_end))
        month_end = first - dt.timedelta(days=1)
    return list(reversed(months))


def trend(*, user: Any, unit: Unit | None, end: dt.date, months: int = 12) -> list[TrendPoint]:
    """The scope's KPIs for each of the `months` months up to the one holding `end` (scope totals only:
    the waits of all the months in one query)."""
    path = scope_path(_user(user))
    if path is None:
        raise Http404
    windows = last_months(end, months)
    ids = [u.pk for u in _outlets(path, unit)]
    waits = wait_counts(outlet_ids=ids, start=windows[0][0], end=windows[-1][1], by="month")
    targets = targets_for(unit) if unit is not None else bank_defaults()
    visible = _user(user).has_perm("complaints.view_complaint")
    points = []
    for first, last in windows:
        diversion = diversion_counts(outlet_ids=ids, start=first, end=last).values()
        complaints, base_year, counted_to = complaint_counts(user=user, outlet_ids=ids, start=first, end=last)
        ratings = rates_for_scope(path=path, start=first, end=last, grouping=Grouping.OUTLET, within=unit)
        values = _values(
            targets,
            waits.get(first.year * 100 + first.month, WaitCounts()),
            (sum(v[0] for v in diversion), sum(v[1] for v in diversion)),
            (sum(v[0] for v in complaints.values()), sum(v[1] for v in complaints.values()))
            if visible
            else None,
            {"baseline_year": base_year, "counted_to": counted_to},
            total_line(ratings) if ratings else None,
        )
        points.append(TrendPoint(first.strftime("%Y-%m"), first, last, values))
    return points


# --- Drill-down: the tellers of an outlet ------------------------------------------------------------------


@dataclass(frozen=True)
class TellerRow:
    person_id: int
    employee_no: str
    name: str
    wait: WaitCounts
    rating: RateLine | None

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return self.rating.satisfaction_rate if self.rating else None

    @property
    def evaluation_rate(self) -> Decimal | None:
        return self.rating.evaluation_rate if self.rating else None


def tellers(*, user: Any, outlet: Unit, start: dt.date, end: dt.date) -> list[TellerRow]:
    from youfu.org.models import Person

    path = scope_path(_user(user))
    if path is None or not outlet.path.startswith(path):
        raise Http404
    waits = wait_counts(outlet_ids=[outlet.pk], start=start, end=end, by="person_id")
    ratings = {
        line.subject_id: line
        for line in rates_for_scope(path=path, start=start, end=end, grouping=Grouping.PERSON, within=outlet)
    }
    ids = {k for k in waits if k is not None} | set(ratings)
    people = Person.objects.filter(pk__in=ids).order_by("employee_no")
    return [
        TellerRow(p.pk, p.employee_no, p.name, waits.get(p.pk, WaitCounts()), ratings.get(p.pk))
        for p in people
    ]
