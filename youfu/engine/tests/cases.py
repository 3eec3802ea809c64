"""Frames for the reference policies, as plain columns first (so every backend gets the same data), then
uploaded with ``upload``. Used by test_r1.py (DuckDB, worked by hand) and test_backends.py (DuckDB,
PostgreSQL and Spark compared).

R1 needs a province of more than 200 outlets for anyone to be penalised (the province's top 200 are
exempt), so the provinces are generated: ``ladder`` gives scores 100, 99.95, 99.90, … one outlet each.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from youfu.engine import HistoryFrame, PeriodContext, period_context
from youfu.engine.numbers import NUMBER
from youfu.policies.checker import load_policy
from youfu.policies.document import Policy

REFERENCE = Path(__file__).resolve().parents[2] / "policies" / "reference"
D = Decimal
Columns = dict[str, list[Any]]
DECIMAL = pa.decimal128(38, 10)  # the engine's numbers

R1_NUMBERS = (
    "score",
    "complaint_tickets",
    "repeated_findings",
    "key_item_findings",
    "hardware_points_lost",
    "praise_count",
    "media_praise_amount",
    "onsite_points_first",
    "onsite_points_repeat",
)
R2_NUMBERS = ("video_violations", "praise_points", "complaint_points", "callbacks_satisfied")


def policy(name: str) -> Policy:
    return load_policy(REFERENCE / name)


def r1() -> Policy:
    return policy("r1_mystery_shopper.yaml")


def quarter(policy: Policy, year: int, q: int) -> PeriodContext:
    first = 3 * q - 2
    end = {1: date(year, 3, 31), 2: date(year, 6, 30), 3: date(year, 9, 30), 4: date(year, 12, 31)}[q]
    return period_context(policy, start=date(year, first, 1), end=end, key=f"{year}Q{q}")


def upload(con: BaseBackend, name: str, rows: Columns, numbers: tuple[str, ...] = ()) -> ir.Table:
    """A table of the backend (numbers as DECIMAL(38, 10), the rest as text), made from pyarrow."""
    if con.name == "pyspark":
        # Ibis' PySpark backend turns an arrow table into pandas and maps Decimal over the decimal
        # columns, which fails on NULL (ibis 12): numbers go up as text and are cast by Spark. And its
        # create_table writes a managed table to the warehouse directory (slow, and left behind by a
        # killed run): a temporary view of the in-memory table instead.
        text = {column: [None if v is None else str(v) for v in values] for column, values in rows.items()}
        memtable = ibis.memtable(pa.table({c: pa.array(v, type=pa.string()) for c, v in text.items()}))
        cast = memtable.mutate(**{c: memtable[c].cast(NUMBER) for c in rows if c in numbers})
        return con.create_view(name, cast, overwrite=True)
    types = {column: (DECIMAL if column in numbers else pa.string()) for column in rows}
    table = pa.table({column: pa.array(values, type=types[column]) for column, values in rows.items()})
    return con.create_table(name, table, overwrite=True)


def outlets(rows: list[dict[str, Any]]) -> Columns:
    """Rows (dicts) → columns; inputs a row does not give are NULL (the engine takes the default)."""
    names: list[str] = []
    for row in rows:
        names += [name for name in row if name not in names]
    return {name: [row.get(name) for row in rows] for name in names}


def ladder(n: int, step: str = "0.05") -> list[Decimal]:
    """n scores from 100 down by ``step``: 100, 99.95, …"""
    return [100 - D(step) * i for i in range(n)]


# -- R1, quarter 4: one province of `size` outlets, ten regions -----------------------------------------


def r1_q4_rows(size: int, extra: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Outlet i (key o000, o001, …) scores 100 − 0.05·i, in region R<i mod 10> of province P1."""
    rows = []
    for i, score in enumerate(ladder(size)):
        row: dict[str, Any] = {
            "subject_key": f"o{i:03d}",
            "scope__region": f"R{i % 10}",
            "scope__province": "P1",
            "score": score,
        }
        row.update(extra.get(i, {}))
        rows.append(row)
    return rows


def r1_history(
    con: BaseBackend, prefix: str, policy: Policy, year: int, rows: list[tuple[str, int, dict[str, Any]]]
) -> dict[str, HistoryFrame]:
    """Spans of R1's outlet heads from (subject_key, quarter, inputs): earlier_quarters gets the
    quarters 1–3, year_so_far 1–4 (it includes the quarter scored)."""
    contexts = {q: quarter(policy, year, q) for q in (1, 2, 3, 4)}

    def span(name: str, quarters: tuple[int, ...]) -> HistoryFrame:
        chosen = [(key, q, values) for key, q, values in rows if q in quarters]
        columns = outlets(
            [{"subject_key": key, "period_key": contexts[q].key, **values} for key, q, values in chosen]
        )
        table = upload(con, f"{prefix}_{name}", columns, R1_NUMBERS)
        return HistoryFrame(table, [contexts[q] for q in quarters])

    return {"earlier_quarters": span("earlier", (1, 2, 3)), "year_so_far": span("ytd", (1, 2, 3, 4))}


def r1_persons() -> Columns:
    # p1: 2 points on the spot, first offence; p2: 1 first + 1 repeat; p3: nothing.
    return outlets(
        [
            {"subject_key": "p1", "onsite_points_first": D(2)},
            {"subject_key": "p2", "onsite_points_first": D(1), "onsite_points_repeat": D(1)},
            {"subject_key": "p3"},
        ]
    )


def r1_small_case(con: BaseBackend, prefix: str) -> tuple[Policy, PeriodContext, dict[str, Any], Any]:
    """For the backends: R1 in Q4 over a province of 230 outlets (30 below the exempt 200 … the engine
    must agree on them), ties, doubling, a NULL score, persons and a history. Returns what
    evaluate_policy takes: (policy, period, frames, history)."""
    policy = r1()
    extra: dict[int, dict[str, Any]] = {
        0: {"complaint_tickets": D(0)},
        3: {"hardware_points_lost": D("0.25")},
        205: {"repeated_findings": D(1)},
        211: {"key_item_findings": D(2), "praise_count": D(2), "media_praise_amount": D(300)},
        228: {"score": D("88.45")},  # ties with 229 for the region's and the province's last place
        229: {"score": D("88.45")},
    }
    rows = r1_q4_rows(230, extra)
    rows.append({"subject_key": "x_null", "scope__region": "R0", "scope__province": "P1", "score": None})
    heads = upload(con, f"{prefix}_heads", outlets(rows), R1_NUMBERS)
    persons = upload(con, f"{prefix}_persons", r1_persons(), R1_NUMBERS)
    history = r1_history(
        con,
        prefix,
        policy,
        2024,
        [
            ("o000", 1, {"score": D(98), "complaint_tickets": D(0)}),
            ("o000", 2, {"score": D("97.99"), "complaint_tickets": D(0)}),
            ("o000", 3, {"score": D(99), "complaint_tickets": D(0)}),
            ("o001", 2, {"score": D(100), "complaint_tickets": D(1)}),
            ("o002", 4, {"score": D(99), "complaint_tickets": D(2)}),
            ("o229", 1, {"score": D(99)}),
        ],
    )
    return (
        policy,
        quarter(policy, 2024, 4),
        {"outlet_head": heads, "person": persons},
        {"outlet_head": history},
    )


# -- R2: test_policies.py's case ------------------------------------------------------------------------


def r2_frames(con: BaseBackend, prefix: str = "r2") -> dict[str, ir.Table]:
    # Persons p1..p5 (p5 has a video violation; p1 praise +2; p4 complaint -1), each in department d1
    # and outlet o1 (head h1); outlet o1 3 satisfied callbacks.
    persons = upload(
        con,
        f"{prefix}_person",
        {
            "subject_key": ["p1", "p2", "p3", "p4", "p5"],
            "link__department": ["d1"] * 5,
            "link__outlet_head": ["h1"] * 5,
            "video_violations": [D(0), D(0), D(0), D(0), D(1)],
            "praise_points": [D(2), D(0), D(0), D(0), D(0)],
            "complaint_points": [D(0), D(0), D(0), D(1), D(0)],
        },
        R2_NUMBERS,
    )
    outlet = upload(
        con,
        f"{prefix}_outlet",
        {"subject_key": ["o1", "o2"], "callbacks_satisfied": [D(3), D(0)]},
        R2_NUMBERS,
    )
    return {"person": persons, "outlet": outlet}


def r2_period(policy: Policy) -> PeriodContext:
    return period_context(policy, start=date(2009, 8, 1), end=date(2009, 11, 10), key="2009")
