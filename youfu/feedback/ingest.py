"""Reading and checking a batch of ratings, vectorised: the rows are an Arrow table and every check is one
DuckDB query over all of them (no Python loop over rows). Plain Python, no Django: the service passes in
the outlets and tellers the batch names (looked up once, by code) and writes what this returns.

A batch is a table of four columns, by their English names or the bank's Chinese headers:

| column | also | what |
| --- | --- | --- |
| occurred_at | 交易时间 | the transaction's date and time; without an offset it is Asia/Shanghai time |
| unit | 机构号, 网点号 | the outlet's code |
| employee_no | 员工号, 柜员号 | the teller's employee number |
| rating | 评价, 评价结果 | very_satisfied … none, 非常满意 / 满意 / 一般 / 不满意 / 未评价, or 4 … 0 |

A rating is very_satisfied / satisfied / neutral / unsatisfied / none (or not_rated), in English or
in Chinese, or its code 4 … 0 (youfu.feedback.choices.Rating); an empty cell is "not rated".

Row numbers in reports are those a person finds the row by: the line in a CSV file (the header is line
1), the row in a Parquet file, the position in an API call's `rows` (both from 1).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from youfu.feedback.choices import RATING_SPELLINGS, Reason
from youfu.feedback.store import MONTH, sql_path

COLUMNS = ("occurred_at", "unit", "employee_no", "rating")
ALIASES: dict[str, str] = {
    "occurred_at": "occurred_at",
    "交易时间": "occurred_at",
    "unit": "unit",
    "机构号": "unit",
    "网点号": "unit",
    "employee_no": "employee_no",
    "员工号": "employee_no",
    "柜员号": "employee_no",
    "rating": "rating",
    "评价": "rating",
    "评价结果": "rating",
}
REPORT_ROWS = 100  # bad rows listed in a report; the counts cover them all
FUTURE_TOLERANCE = dt.timedelta(minutes=5)  # device clocks run a little fast

Source = Path | bytes | BinaryIO


class Malformed(Exception):
    """The file or the call cannot be read as a batch at all (not CSV/Parquet, a missing or unknown
    column, a value of the wrong type in a call)."""

    def __init__(self, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class BadRow:
    row: int
    column: str
    reason: str
    value: str


@dataclass
class Checked:
    """The outcome of checking a batch: counts, the bad rows' reasons, and (in the connection) the good
    rows as the temporary table `good` and the bad ones as `bad`."""

    rows: int
    good: int
    rated: int
    counts: dict[str, int]
    first_bad: list[BadRow]
    first_at: dt.datetime | None
    last_at: dt.datetime | None
    months: list[str]
    common_path: str
    row_offset: int
    month_rows: dict[str, int] = field(default_factory=dict)

    @property
    def bad(self) -> int:
        return self.rows - self.good


def _canonical(names: Sequence[str]) -> list[str]:
    canonical = []
    for name in names:
        key = ALIASES.get(str(name).strip().lstrip("\ufeff"), ALIASES.get(str(name).strip().lower()))
        if key is None:
            raise Malformed(
                f"Unknown column “{name}”: a batch has the columns {', '.join(COLUMNS)}.", column=str(name)
            )
        if key in canonical:
            raise Malformed(f"The column {key} appears twice.", column=key)
        canonical.append(key)
    missing = [name for name in COLUMNS if name not in canonical]
    if missing:
        raise Malformed(f"Missing column(s): {', '.join(missing)}.", column=missing[0])
    return canonical


def _bytes_of(source: Source) -> bytes | Path:
    if isinstance(source, Path | bytes):
        return source
    return source.read()


def head_of(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def read_csv(source: Source) -> pa.Table:
    """A CSV file (UTF-8, with or without BOM, or GB18030 as Excel saves it in China), every column read
    as text; multi-threaded."""
    data = _bytes_of(source)
    head = data[:65536] if isinstance(data, bytes) else head_of(data, 65536)
    if not head.strip():
        raise Malformed("The file is empty.")
    encoding = "utf8"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            encoding = "gb18030"
    first_line = head.splitlines()[0].decode("utf-8" if encoding == "utf8" else "gb18030", errors="replace")
    raw_names = [name.strip().strip('"') for name in first_line.lstrip("\ufeff").split(",")]
    names = _canonical(raw_names)
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data) if isinstance(data, bytes) else str(data),
            read_options=pa_csv.ReadOptions(
                encoding=encoding, column_names=names, skip_rows=1, block_size=8 << 20
            ),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError) as exc:
        raise Malformed(f"Not a readable CSV file: {exc}") from exc
    return table


def read_parquet(source: Source) -> pa.Table:
    data = _bytes_of(source)
    try:
        table = pq.read_table(pa.BufferReader(data) if isinstance(data, bytes) else str(data))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as exc:
        raise Malformed(f"Not a readable Parquet file: {exc}") from exc
    return table.rename_columns(_canonical(table.column_names))


STRING_SCHEMA = pa.schema([(name, pa.string()) for name in COLUMNS])


def rows_table(rows: Any) -> pa.Table:
    """An API call's rows: a list of objects with exactly the four columns, each a string (or null)."""
    if not isinstance(rows, list):
        raise Malformed("`rows` is a list of objects.", column="rows")
    if not rows:
        return STRING_SCHEMA.empty_table()
    try:
        keys = set().union(*map(dict.keys, rows))
    except TypeError:
        raise Malformed(
            "Each row is an object with the keys " + ", ".join(COLUMNS) + ".", column="rows"
        ) from None
    unknown = sorted(str(key) for key in keys - set(COLUMNS))
    if unknown:
        raise Malformed(f"Unknown field(s) in rows: {', '.join(unknown)}.", column=unknown[0])
    try:
        return pa.Table.from_pylist(rows, schema=STRING_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise Malformed(f"Every value of a row is a string (or null): {exc}", column="rows") from None


def codes(con: duckdb.DuckDBPyConnection, table: pa.Table) -> tuple[list[str], list[str]]:
    """The distinct outlet codes and employee numbers the batch names, as written (to look up once
    each; the lookup tables are keyed by the value as written, so the rows are joined without
    trimming every one of them)."""
    con.register("input_rows", table)
    units = con.sql("SELECT DISTINCT CAST(unit AS VARCHAR) FROM input_rows WHERE unit IS NOT NULL")
    people = con.sql(
        "SELECT DISTINCT CAST(employee_no AS VARCHAR) FROM input_rows WHERE employee_no IS NOT NULL"
    )
    return [row[0] for row in units.fetchall()], [row[0] for row in people.fetchall()]


def keyed(raw_values: Sequence[str], found: Mapping[str, tuple[Any, ...]], names: Sequence[str]) -> pa.Table:
    """A lookup table keyed by the values as written: `raw`, `blank` (nothing but spaces) and the
    columns `names` of the record `found` gives for the trimmed value (nulls when there is none)."""
    rows = [(raw, not raw.strip(), *(found.get(raw.strip()) or (None,) * len(names))) for raw in raw_values]
    columns: list[Sequence[Any]] = (
        list(zip(*rows, strict=True)) if rows else [[] for _ in range(len(names) + 2)]
    )
    return pa.table(
        {"raw": pa.array(columns[0], pa.string()), "blank": pa.array(columns[1], pa.bool_())}
        | {
            name: pa.array(columns[i + 2]) if rows else pa.array([], pa.string())
            for i, name in enumerate(names)
        }
    )


def _spellings(con: duckdb.DuckDBPyConnection) -> pa.Table:
    raws = [row[0] for row in con.sql("SELECT DISTINCT CAST(rating AS VARCHAR) FROM input_rows").fetchall()]
    mapped = [(raw, RATING_SPELLINGS.get((raw or "").strip().lower())) for raw in raws]
    return pa.table(
        {
            "raw": pa.array([raw for raw, _code in mapped], pa.string()),
            "code": pa.array([code for _raw, code in mapped], pa.uint8()),
        }
    )


def _aware(value: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    return None if value is None else value.replace(tzinfo=zone)


def _text(table: pa.Table, column: str) -> str:
    """The column as text (a text column as it is: a cast of every row costs)."""
    kind = table.schema.field(column).type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return f"i.{column}"
    return f"CAST(i.{column} AS VARCHAR)"


def _time_expression(kind: pa.DataType, offsets: bool) -> str:
    """SQL turning the occurred_at column into the bank's local wall-clock time (TIMESTAMP). Text without
    an offset is local time already (parsed without the time-zone machinery, which costs twice as
    much); text with one (…+08:00, …Z) and zone-aware timestamps are converted. `offsets`: whether any
    text is longer than "2025-10-08 09:30:00" (else the per-row test for an offset is skipped)."""
    if pa.types.is_timestamp(kind):
        return "timezone($tz, occurred_at)" if kind.tz else "CAST(occurred_at AS TIMESTAMP)"
    # The cast itself skips surrounding spaces; a trim of every row would cost more than the parse.
    text = "occurred_at" if pa.types.is_string(kind) else "CAST(occurred_at AS VARCHAR)"
    if not offsets:
        return f"TRY_CAST({text} AS TIMESTAMP)"
    return f"""CASE WHEN contains({text}[20:], '+') OR contains({text}[20:], '-') OR {text}[20:] LIKE '%Z'
                    THEN timezone($tz, TRY_CAST({text} AS TIMESTAMPTZ))
                    ELSE TRY_CAST({text} AS TIMESTAMP) END"""


def check(
    con: duckdb.DuckDBPyConnection,
    table: pa.Table,
    *,
    units: pa.Table,
    people: pa.Table,
    scope: str,
    now: dt.datetime,
    row_offset: int,
    time_zone: str = "Asia/Shanghai",
    report_rows: int = REPORT_ROWS,
) -> Checked:
    """Check every row at once. `units`: (code, id, path) of the outlets the batch names that exist;
    `people`: (employee_no, id); `scope`: the path prefix of the outlets the loader may load ("" for
    the whole bank); `now`: an aware datetime; `row_offset`: the number of the first row; `time_zone`:
    the bank's, in which times are stored (local wall-clock time) and months cut."""
    zone = ZoneInfo(time_zone)
    indexed = table.append_column(
        "_row", pa.array(np.arange(row_offset, row_offset + table.num_rows, dtype=np.int64))
    )
    con.register("input_rows", indexed)
    con.register("known_units", units)
    con.register("known_people", people)
    con.register("spellings", _spellings(con))
    kind = table.schema.field("occurred_at").type
    longest = 0
    if not pa.types.is_timestamp(kind):
        (longest,) = con.execute(
            "SELECT coalesce(max(length(CAST(occurred_at AS VARCHAR))), 0) FROM input_rows"
        ).fetchall()[0]
    time_sql = _time_expression(kind, longest > 19)
    limit = (now + FUTURE_TOLERANCE).astimezone(zone).replace(tzinfo=None)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE checked AS
        WITH joined AS (
            SELECT i._row, TIME_EXPRESSION AS ts, i.occurred_at AS i_time, i.occurred_at IS NULL AS no_time,
                   i.unit IS NULL OR u.blank AS no_unit, i.employee_no IS NULL OR p.blank AS no_teller,
                   u.id AS unit_id, u.path AS unit_path, p.id AS person_id, s.code AS rating
            FROM input_rows i
            LEFT JOIN known_units u ON u.raw = UNIT_TEXT
            LEFT JOIN known_people p ON p.raw = TELLER_TEXT
            LEFT JOIN spellings s ON s.raw IS NOT DISTINCT FROM RATING_TEXT
        )
        SELECT _row, ts AS occurred_at, CAST(unit_id AS INTEGER) AS unit_id,
            CAST(person_id AS INTEGER) AS person_id, CAST(rating AS UTINYINT) AS rating,
            CAST(year(ts) * 100 + month(ts) AS INTEGER) AS month,
            CASE
                WHEN no_time OR (ts IS NULL AND trim(CAST(i_time AS VARCHAR)) = '')
                    THEN 'missing_value:occurred_at'
                WHEN no_unit THEN 'missing_value:unit'
                WHEN no_teller THEN 'missing_value:employee_no'
                WHEN ts IS NULL THEN 'bad_time:occurred_at'
                WHEN ts > $limit THEN 'future_time:occurred_at'
                WHEN rating IS NULL THEN 'bad_rating:rating'
                WHEN unit_id IS NULL THEN 'unknown_unit:unit'
                WHEN NOT starts_with(unit_path, $scope) THEN 'outside_scope:unit'
                WHEN person_id IS NULL THEN 'unknown_teller:employee_no'
            END AS problem
        FROM joined
        """.replace("TIME_EXPRESSION", time_sql)
        .replace("UNIT_TEXT", _text(table, "unit"))
        .replace("TELLER_TEXT", _text(table, "employee_no"))
        .replace("RATING_TEXT", _text(table, "rating")),
        {"limit": limit, "scope": scope} | ({"tz": time_zone} if "$tz" in time_sql else {}),
    )
    con.execute("CREATE OR REPLACE TEMP VIEW good AS SELECT * FROM checked WHERE problem IS NULL")
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE bad AS
        WITH raw AS (
            SELECT c._row, c.problem, CAST(i.occurred_at AS VARCHAR) AS raw_time,
                   CAST(i.unit AS VARCHAR) AS raw_unit, CAST(i.employee_no AS VARCHAR) AS raw_teller,
                   CAST(i.rating AS VARCHAR) AS raw_rating
            FROM checked c JOIN input_rows i ON i._row = c._row
            WHERE c.problem IS NOT NULL
        )
        SELECT _row AS "row", split_part(problem, ':', 2) AS "column", split_part(problem, ':', 1) AS reason,
               CASE split_part(problem, ':', 2)
                   WHEN 'occurred_at' THEN raw_time WHEN 'unit' THEN raw_unit
                   WHEN 'employee_no' THEN raw_teller ELSE raw_rating END AS value,
               raw_time AS occurred_at, raw_unit AS unit, raw_teller AS employee_no, raw_rating AS rating
        FROM raw
        """
    )
    total = table.num_rows
    stats = con.execute(
        """SELECT count(*), count(*) FILTER (WHERE rating > 0), min(occurred_at), max(occurred_at),
                  (SELECT min(path) FROM known_units WHERE id IN (SELECT DISTINCT unit_id FROM good)),
                  (SELECT max(path) FROM known_units WHERE id IN (SELECT DISTINCT unit_id FROM good))
           FROM good"""
    ).fetchone()
    assert stats is not None
    good, rated, first, last, low, high = stats
    counts = dict(con.execute("SELECT reason, count(*) FROM bad GROUP BY reason").fetchall())
    first_bad = [
        BadRow(row=r, column=c, reason=reason, value=v or "")
        for r, c, reason, v in con.execute(
            'SELECT "row", "column", reason, value FROM bad ORDER BY "row" LIMIT $n', {"n": report_rows}
        ).fetchall()
    ]
    month_rows = {
        f"{key // 100:04d}-{key % 100:02d}": n
        for key, n in con.execute("SELECT month, count(*) FROM good GROUP BY month ORDER BY month").fetchall()
    }
    return Checked(
        rows=total,
        good=int(good),
        rated=int(rated),
        counts={reason: counts[reason] for reason in Reason.values if reason in counts},
        first_bad=first_bad,
        first_at=_aware(first, zone),
        last_at=_aware(last, zone),
        months=list(month_rows),
        common_path=_common_path(low or "", high or ""),
        row_offset=row_offset,
        month_rows=month_rows,
    )


def _common_path(low: str, high: str, steplen: int = 4) -> str:
    """The path of the lowest unit above every path between `low` and `high` (sorted): their common
    prefix, cut to whole steps of the tree."""
    n = 0
    while n < min(len(low), len(high)) and low[n] == high[n]:
        n += 1
    return low[: n - n % steplen]


def write_good(con: duckdb.DuckDBPyConnection, folder: Path, months: Sequence[str]) -> dict[str, Path]:
    """Write the good rows into one Parquet file per month under `folder`; month → file."""
    written = {}
    for month in months:
        if not MONTH.match(month):
            raise ValueError(f"not a month: {month!r}")
        target = folder / f"{month}.parquet"
        con.execute(
            f"""COPY (SELECT occurred_at, unit_id, person_id, rating FROM good
                      WHERE month = {month.replace("-", "")})
                TO {sql_path(target)} (FORMAT parquet, COMPRESSION zstd)"""  # noqa: S608 (month is checked)
        )
        written[month] = target
    return written


def write_bad(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    query = f'COPY (SELECT * FROM bad ORDER BY "row") TO {sql_path(target)} (FORMAT parquet)'  # noqa: S608
    con.execute(query)
