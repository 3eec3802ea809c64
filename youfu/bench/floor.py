"""The floor: a raw DuckDB SQL scan of the same events, the least any engine must do.

Group all events by outlet (with kind, value and whether the event is about the outlet itself, which
is all any input of R1 and R2 at outlet level needs), group the person events by person and kind,
and rank the outlets' mystery-shopper scores within province and region, both ways. Results are
materialised as tables. No rules, no money: what the engine spends beyond this is its own cost.

The split floor (``split=True``, for reference) is the same in the plan of the engine's load
(engine_path.py): the verdicts (ratings and callbacks, 98% of the events) counted by outlet alone,
the other events kept apart once and grouped from there. It does less than the one group-by of
every event, so the engine's figures are also set against it in the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from .model import PERSON_KINDS, SATISFIED, UNSATISFIED, Kind
from .timing import Timer

PERSON_KIND_LIST = ", ".join(str(int(kind)) for kind in PERSON_KINDS)


# Settings of every DuckDB connection of the benchmark, the engine's and the floors', so that the
# comparison stays even. Each measured on its own, interleaved with the code before it:
DUCKDB_SETTINGS = (
    # No table the benchmark stores needs its rows in the order they were made (scorecards and
    # entries are read by key): DuckDB then writes them from its threads as they come. On the engine,
    # 8 runs each: load + evaluate lower in 6 of 8, write in 7 of 8.
    "SET preserve_insertion_order = false",
    # A group-by whose keys span at most 2^16 values (by outlet alone: 25,000 at national size) is
    # counted in a perfect hash table, an array indexed by the key, instead of a hash table; DuckDB's
    # default stops at 2^12. The verdicts counted by outlet, in the engine's load: 0.43-0.56 s
    # instead of 0.75-0.80 s (that query alone: 0.54-0.64 s instead of 0.75-1.34 s); the split floor
    # 1.02-1.09 s instead of 1.25-1.42 s; the floor, whose keys (outlet, kind, value, owner) span far
    # more, is the same with it or without (3.0-3.2 s). 2^24 was slower for both.
    "SET perfect_ht_threshold = 16",
)


def configure(execute: Any) -> None:
    """The benchmark's settings on a connection (``execute`` runs one SQL statement)."""
    for setting in DUCKDB_SETTINGS:
        execute(setting)


def connect_bank(bank_path: Path) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB with the bank attached read-only as `bank`."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    configure(con.execute)
    con.execute(f"ATTACH '{bank_path}' AS bank (READ_ONLY)")
    return con


# The SQL is made of integers from model.py only, never of input text.
def _outlet_ranks(tenths: str) -> str:
    """The outlets' mystery-shopper scores ranked within province and region both ways; ``tenths``
    is the deduction of a row of ``outlet_counts`` (whose columns differ between the two plans)."""
    return f"""CREATE TEMP TABLE outlet_ranks AS
    SELECT o.outlet_id, greatest(1000 - coalesce(d.tenths, 0), 0) AS score_tenths,
      rank() OVER (PARTITION BY o.province_id ORDER BY score_tenths DESC) AS province_rank,
      rank() OVER (PARTITION BY o.province_id ORDER BY score_tenths ASC) AS province_rank_asc,
      rank() OVER (PARTITION BY o.region_id ORDER BY score_tenths DESC) AS region_rank,
      rank() OVER (PARTITION BY o.region_id ORDER BY score_tenths ASC) AS region_rank_asc
    FROM bank.outlets o LEFT JOIN (
      SELECT outlet_id, sum({tenths}) AS tenths FROM outlet_counts
      WHERE kind = {int(Kind.MYSTERY_DEDUCTION)} GROUP BY outlet_id
    ) d USING (outlet_id)"""  # noqa: S608


FLOOR_SQL = (
    """CREATE TEMP TABLE outlet_counts AS
    SELECT outlet_id, kind, value, person_id < 0 AS about_outlet, count(*) AS n
    FROM bank.events GROUP BY ALL""",
    f"""CREATE TEMP TABLE person_counts AS
    SELECT person_id, kind, sum(value) AS total, count(*) AS n
    FROM bank.events WHERE kind IN ({PERSON_KIND_LIST}) AND person_id >= 0 GROUP BY ALL""",  # noqa: S608
    _outlet_ranks("value * n"),  # one row per outlet, kind and value: the value n times
)


VERDICTS = f"{int(Kind.RATING)}, {int(Kind.CALLBACK)}"
SPLIT_FLOOR_SQL = (
    f"""CREATE TEMP TABLE other_events AS
    SELECT kind, outlet_id, person_id, value FROM bank.events
    WHERE kind <> {int(Kind.RATING)} AND kind <> {int(Kind.CALLBACK)}""",  # noqa: S608
    f"""CREATE TEMP TABLE verdict_counts AS
    SELECT outlet_id, count_if(kind IN ({VERDICTS}) AND value = {SATISFIED}) AS satisfied,
      count_if(kind IN ({VERDICTS}) AND value = {UNSATISFIED}) AS unsatisfied
    FROM bank.events GROUP BY outlet_id""",  # noqa: S608
    """CREATE TEMP TABLE outlet_counts AS
    SELECT outlet_id, kind, person_id < 0 AS about_outlet, count(*) AS n, sum(value) AS total
    FROM other_events GROUP BY ALL""",
    f"""CREATE TEMP TABLE person_counts AS
    SELECT person_id, kind, sum(value) AS total, count(*) AS n
    FROM other_events WHERE kind IN ({PERSON_KIND_LIST}) AND person_id >= 0 GROUP BY ALL""",  # noqa: S608
    _outlet_ranks("total"),  # one row per outlet and kind: the sum of the values already
)


def run_floor(bank_path: Path, *, split: bool = False) -> dict[str, Any]:
    con = connect_bank(bank_path)
    timer = Timer()
    with timer.phase("scan"):
        for statement in SPLIT_FLOOR_SQL if split else FLOOR_SQL:
            con.execute(statement)
    rows = {
        table: (con.execute(f"SELECT count(*) FROM {table}").fetchone() or (0,))[0]  # noqa: S608
        for table in ("outlet_counts", "person_counts", "outlet_ranks")
    }
    con.close()
    return {"seconds": timer.seconds, "cpu": timer.cpu, "rows": rows}
