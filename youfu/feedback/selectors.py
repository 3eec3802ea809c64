"""Reads of the feedback domain, always scoped to the user's subtree (youfu.accounts.access):

* batches: a user sees the batches whose outlets all lie in their subtree (`scope_path`);
* rates: per teller, outlet, sub-branch or branch and period, computed by DuckDB over the Parquet files of
  the catalogue, counting only ratings given at outlets in the user's subtree (and under `within`).

Rates are percentages as Decimal, rounded half up to 2 places (youfu.core.money): evaluation rate =
rated ÷ transactions, satisfaction rate = (very satisfied + satisfied) ÷ rated; None when the
denominator is 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.db.models import QuerySet
from django.http import Http404

from youfu.accounts.access import WHOLE_BANK, scope_path
from youfu.core.money import fixed_divide, round_points
from youfu.feedback import store
from youfu.feedback.choices import Grouping
from youfu.feedback.models import RatingBatch
from youfu.org.choices import UnitKind
from youfu.org.models import Person, Unit

_CHUNK = 900  # ids per IN (...) on SQLite


def batch_list(*, user: Any) -> QuerySet[RatingBatch]:
    path = scope_path(user)
    batches = RatingBatch.objects.select_related("created_by")
    if path is None:
        return batches.none()
    if path == WHOLE_BANK:
        return batches
    return batches.filter(scope_path__startswith=path)


def batch_get(*, user: Any, pk: int | str) -> RatingBatch:
    try:
        return batch_list(user=user).get(pk=pk)
    except (RatingBatch.DoesNotExist, ValueError):
        raise Http404 from None


def batch_bad_rows(*, batch: RatingBatch, limit: int | None = None) -> list[dict[str, Any]]:
    """The quarantined rows of a batch (row, column, reason, value and the row's four values)."""
    if not batch.quarantine_file:
        return []
    con = store.connect()
    try:
        source = store.sql_path(store.absolute(batch.quarantine_file))
        query = f"SELECT * FROM read_parquet({source}) ORDER BY row"  # noqa: S608 (a path from the catalogue)
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        result = con.sql(query)
        names = result.columns
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    finally:
        con.close()


@dataclass(frozen=True)
class RateLine:
    """One line of the rates table: a teller, an outlet, a sub-branch or a branch, over a period."""

    kind: str  # Grouping
    subject_id: int
    code: str  # unit code or employee number
    name: str
    unit_name: str  # a teller's (current) unit; a unit's parent
    transactions: int
    rated: int
    very_satisfied: int
    satisfied: int
    neutral: int
    unsatisfied: int

    @property
    def satisfied_total(self) -> int:
        return self.very_satisfied + self.satisfied

    @property
    def evaluation_rate(self) -> Decimal | None:
        return percent(self.rated, self.transactions)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return percent(self.satisfied_total, self.rated)


def percent(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a percentage, half up to 2 places (None when whole is 0)."""
    if whole == 0:
        return None
    return round_points(fixed_divide(Decimal(part) * 100, Decimal(whole)))


def _files(start: dt.date, end: dt.date) -> list[str]:
    months = set()
    month = start.replace(day=1)
    while month <= end:
        months.add(month.strftime("%Y-%m"))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    files: list[str] = []
    for entries in RatingBatch.objects.order_by("pk").values_list("files", flat=True):
        files += [str(store.absolute(e["path"])) for e in entries if e["month"] in months]
    return files


def _scope_units(path: str, kind: str, within: Unit | None) -> list[tuple[int, str, str, str]]:
    units = Unit.objects.filter(kind=kind, path__startswith=path)
    if within is not None:
        units = units.filter(path__startswith=within.path)
    return list(units.values_list("id", "path", "code", "name"))


def rates_for_scope(
    *, path: str, start: dt.date, end: dt.date, grouping: str, within: Unit | None = None
) -> list[RateLine]:
    """The rates over [start, end] (local dates, both included) of the outlets under `path` ("" for the
    whole bank) and `within`. For the service and the CLI; pages and the API call `rates`."""
    if end < start:
        return []
    files = _files(start, end)
    outlets = _scope_units(path, UnitKind.OUTLET, within)
    if not files or not outlets:
        return []
    con = store.connect()
    try:
        con.register(
            "scope_units",
            pa.table(
                {
                    "id": pa.array([u[0] for u in outlets], pa.int32()),
                    "path": pa.array([u[1] for u in outlets], pa.string()),
                }
            ),
        )
        key = "person_id" if grouping == Grouping.PERSON else "unit_id"
        # `key` is one of two column names; the paths come from the catalogue.
        sources = ", ".join(store.sql_path(Path(f)) for f in files)
        con.execute(
            f"""
            CREATE TEMP TABLE counts AS
            SELECT r.{key} AS subject, count(*) AS tx,
                   count(*) FILTER (WHERE rating > 0) AS rated,
                   count(*) FILTER (WHERE rating = 4) AS very,
                   count(*) FILTER (WHERE rating = 3) AS sat,
                   count(*) FILTER (WHERE rating = 2) AS neutral,
                   count(*) FILTER (WHERE rating = 1) AS unsat
            FROM read_parquet([{sources}]) r
            JOIN scope_units s ON s.id = r.unit_id
            WHERE r.occurred_at >= CAST($start AS TIMESTAMP) AND r.occurred_at < CAST($end AS TIMESTAMP)
            GROUP BY r.{key}
            """,  # noqa: S608
            {
                "start": f"{start.isoformat()} 00:00:00",
                "end": f"{(end + dt.timedelta(days=1)).isoformat()} 00:00:00",
            },
        )
        if grouping in (Grouping.SUB_BRANCH, Grouping.BRANCH):
            groups = _scope_units(path, grouping, None)
            if within is not None:  # the groups at or below `within`, or the one holding it
                groups = [g for g in groups if g[1].startswith(within.path) or within.path.startswith(g[1])]
            con.register(
                "groups",
                pa.table(
                    {
                        "id": pa.array([g[0] for g in groups], pa.int32()),
                        "path": pa.array([g[1] for g in groups], pa.string()),
                    }
                ),
            )
            query = """
                SELECT g.id, sum(c.tx), sum(c.rated), sum(c.very), sum(c.sat), sum(c.neutral), sum(c.unsat)
                FROM counts c JOIN scope_units s ON s.id = c.subject
                JOIN groups g ON starts_with(s.path, g.path)
                GROUP BY g.id
            """
        else:
            query = "SELECT subject, tx, rated, very, sat, neutral, unsat FROM counts"
        counted = {int(row[0]): [int(n) for n in row[1:]] for row in con.execute(query).fetchall()}
    finally:
        con.close()
    return _lines(grouping, counted)


def _lines(grouping: str, counted: dict[int, list[int]]) -> list[RateLine]:
    ids = sorted(counted)
    lines = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        if grouping == Grouping.PERSON:
            for person_id, code, name, unit_name in Person.objects.filter(pk__in=chunk).values_list(
                "id", "employee_no", "name", "unit__name"
            ):
                lines.append(RateLine(grouping, person_id, code, name, unit_name, *counted[person_id]))
        else:
            units = Unit.objects.filter(pk__in=chunk)
            parents = _parent_names(units)
            for unit in units:
                lines.append(
                    RateLine(
                        grouping,
                        unit.pk,
                        unit.code,
                        unit.name,
                        parents.get(unit.path[:-4], ""),
                        *counted[unit.pk],
                    )
                )
    return sorted(lines, key=lambda line: (line.code, line.subject_id))


def _parent_names(units: QuerySet[Unit]) -> dict[str, str]:
    paths = {unit.path[:-4] for unit in units if len(unit.path) > 4}
    return dict(Unit.objects.filter(path__in=paths).values_list("path", "name"))


def rates(
    *, user: Any, start: dt.date, end: dt.date, grouping: str, within: Unit | None = None
) -> list[RateLine]:
    """The rates the user may see: ratings given at outlets in their subtree (and under `within`)."""
    path = scope_path(user)
    if path is None:
        return []
    return rates_for_scope(path=path, start=start, end=end, grouping=grouping, within=within)


def total_line(lines: Sequence[RateLine], kind: str = "total") -> RateLine:
    """The sum of lines of one grouping (the groups of one kind never overlap)."""
    return RateLine(
        kind,
        0,
        "",
        "",
        "",
        *(
            sum(getattr(line, name) for line in lines)
            for name in ("transactions", "rated", "very_satisfied", "satisfied", "neutral", "unsatisfied")
        ),
    )
