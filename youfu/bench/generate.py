"""Generate the synthetic bank into one DuckDB file, with DuckDB SQL only (range() and hash()).

`bank(sizes, cache_dir)` returns the file, generating it only when the cache has none for these sizes
and this seed. Tables:

- `outlets(outlet_id, region_id, province_id)`, `staff(person_id, outlet_id, department_id)`;
- `events(kind, outlet_id, person_id, value, day)`: see `model.py`;
- `history(outlet_id, quarter, score_tenths, complaint_tickets)`: the earlier quarters of the year, for
  R1's `count(score >= 98, over=earlier_quarters)` and `sum(complaint_tickets, over=year_so_far)`;
- `meta(name, value)`: the sizes and the time generation took.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from .model import OUTLETS_PER_REGION, RATING_STREAM, STREAMS, Kind, Sizes, Stream

BANK_FILE = "bank.duckdb"


@dataclass(frozen=True)
class Bank:
    path: Path
    sizes: Sizes
    seconds: float  # how long generation took (when it was made, if it came from the cache)
    cached: bool


def bank(sizes: Sizes, cache_dir: Path, *, regenerate: bool = False) -> Bank:
    sizes.validate()
    folder = cache_dir / sizes.key()
    path = folder / BANK_FILE
    if path.exists() and not regenerate:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute("SELECT value FROM meta WHERE name = 'seconds'").fetchone()
        return Bank(path=path, sizes=sizes, seconds=float(row[0]) if row else float("nan"), cached=True)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / (BANK_FILE + ".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    with duckdb.connect(str(partial)) as con:
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")
        for statement in statements(sizes):
            con.execute(statement)
        seconds = time.perf_counter() - started
        con.execute(
            "CREATE TABLE meta AS SELECT * FROM (VALUES ('sizes', ?), ('seconds', ?)) t(name, value)",
            [json.dumps(asdict(sizes)), repr(seconds)],
        )
        con.execute("CHECKPOINT")
    os.replace(partial, path)  # a generation killed half-way never leaves a cache that looks whole
    return Bank(path=path, sizes=sizes, seconds=time.perf_counter() - started, cached=False)


def _quality(outlet: str, seed: int) -> str:
    """0 (a perfect outlet) to 9: how much the outlet loses per mystery-shopper item, fixed per outlet."""
    return f"(hash({outlet}, {seed + 7}) % 10)"


def _value(stream: Stream, r: str, seed: int) -> str:
    if stream.kind is Kind.MYSTERY_DEDUCTION:
        # 0 to quality tenths a deduction: about 2 × quality points a quarter over 40 items
        return f"({r} % ({_quality('o', seed)} + 1))"
    if stream.choices == 1:
        return str(stream.low)
    return f"({stream.low} + {stream.step} * ({r} % {stream.choices}))"


def statements(sizes: Sizes) -> list[str]:
    seed, n = sizes.seed, sizes.events
    outlets, staff = sizes.outlets, sizes.staff
    # Stream s holds the events whose top 32 hash bits fall in [bounds[s-1], bounds[s]); the last
    # stream (ratings) takes the rest.
    streams = [*STREAMS, RATING_STREAM]
    bounds, total = [], 0.0
    for stream in STREAMS:
        total += sizes.stream_count(stream) / n
        bounds.append(round(total * 2**32))
    pick = " ".join(f"WHEN u < {bound} THEN {s}" for s, bound in enumerate(bounds))
    by_person = ", ".join(str(s) for s, stream in enumerate(streams) if stream.about == "person")
    kinds = " ".join(f"WHEN {s} THEN {int(stream.kind)}" for s, stream in enumerate(streams))
    values = " ".join(f"WHEN {s} THEN {_value(stream, 'r', seed)}" for s, stream in enumerate(streams))
    regions = sizes.regions
    # The SQL is made of the sizes' integers only, never of input text.
    return [
        f"""CREATE TABLE outlets AS
        SELECT o::INTEGER AS outlet_id, (o // {OUTLETS_PER_REGION})::INTEGER AS region_id,
               ((o // {OUTLETS_PER_REGION}) * {sizes.provinces} // {regions})::SMALLINT AS province_id
        FROM range({outlets}) t(o)""",  # noqa: S608
        f"""CREATE TABLE staff AS
        SELECT p::INTEGER AS person_id, (p * {outlets} // {staff})::INTEGER AS outlet_id,
               ((p * {outlets} // {staff}) * 3 + p % 3)::INTEGER AS department_id
        FROM range({staff}) t(p)""",  # noqa: S608
        f"""CREATE TABLE events AS
        WITH drawn AS (
            SELECT hash(i, {seed}) AS h1, hash(i, {seed + 1}) AS h2 FROM range({n}) t(i)
        ), streamed AS (
            SELECT CASE {pick} ELSE {len(STREAMS)} END AS s, h1 & 4294967295 AS r, h2
            FROM (SELECT h1 >> 32 AS u, h1, h2 FROM drawn)
        ), placed AS (
            SELECT s, r, h2,
                   CASE WHEN s IN ({by_person}) THEN (h2 % {staff})::BIGINT ELSE -1 END AS p,
                   CASE WHEN s IN ({by_person}) THEN (h2 % {staff}) * {outlets} // {staff}
                        ELSE h2 % {outlets} END::BIGINT AS o
            FROM streamed
        )
        SELECT (CASE s {kinds} END)::TINYINT AS kind, o::INTEGER AS outlet_id, p::INTEGER AS person_id,
               (CASE s {values} END)::SMALLINT AS value,
               ((h2 >> 40) % {sizes.quarter_days})::SMALLINT AS day
        FROM placed""",  # noqa: S608
        # Earlier quarters: the same outlet quality as this quarter's mystery shopper, so that good
        # outlets were good before too.
        f"""CREATE TABLE history AS
        SELECT o::INTEGER AS outlet_id, q::TINYINT AS quarter,
               (1000 - hash(o, q, {seed + 3}) % (40 * {_quality("o", seed)} + 1))::SMALLINT AS score_tenths,
               (CASE WHEN hash(o, q, {seed + 4}) % 3 = 0 THEN 0
                     ELSE hash(o, q, {seed + 5}) % 3 END)::SMALLINT AS complaint_tickets
        FROM range({outlets}) t(o), range(1, {sizes.quarter}) u(q)""",  # noqa: S608
    ]
