"""Reading and checking a file of queue tickets (叫号机), vectorised: the rows are an Arrow table and the
checks are one DuckDB query over all of them. Plain Python, no Django (the service looks the outlets and
tellers up once and writes what this returns). Reuses youfu.feedback.ingest's readers' helpers.

| column | also | what |
| --- | --- | --- |
| ticket_no | 票号, 排队号 | the ticket number (unique per outlet and day) |
| unit | 网点号, 机构号 | the outlet's code |
| business_type | 业务类型 | the business type, as the machine names it |
| ticket_at | 取号时间 | when the ticket was drawn (Asia/Shanghai, no offset) |
| called_at | 叫号时间 | when it was called (empty: never called — the customer left) |
| finished_at | 完成时间, 办结时间 | when the transaction finished (may be empty) |
| employee_no | 柜员号, 员工号 | the teller who called it (required when called) |
| counter | 窗口号 | the counter (optional column) |

Row numbers: the line of a CSV file (header = 1), the row of an Excel sheet (header = 1), the row of a
Parquet file (from 1).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from youfu.feedback.ingest import REPORT_ROWS, BadRow, Malformed, _common_path, head_of, keyed
from youfu.feedback.store import MONTH, sql_path
from youfu.reports.choices import Reason

__all__ = ["BadRow", "Malformed", "keyed"]

COLUMNS = (
    "ticket_no",
    "unit",
    "business_type",
    "ticket_at",
    "called_at",
    "finished_at",
    "employee_no",
    "counter",
)
OPTIONAL = ("counter",)
ALIASES: dict[str, str] = {name: name for name in COLUMNS} | {
    "票号": "ticket_no",
    "排队号": "ticket_no",
    "网点号": "unit",
    "机构号": "unit",
    "业务类型": "business_type",
    "取号时间": "ticket_at",
    "叫号时间": "called_at",
    "完成时间": "finished_at",
    "办结时间": "finished_at",
    "柜员号": "employee_no",
    "员工号": "employee_no",
    "窗口号": "counter",
}
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
STRING_SCHEMA = pa.schema([(name, pa.string()) for name in COLUMNS])


@dataclass
class Checked:
    rows: int
    good: int
    called: int
    counts: dict[str, int]
    first_bad: list[BadRow]
    first_at: dt.datetime | None
    last_at: dt.datetime | None
    common_path: str
    month_rows: dict[str, int] = field(default_factory=dict)

    @property
    def bad(self) -> int:
        return self.rows - self.good


def canonical(names: Sequence[str]) -> list[str]:
    result = []
    for name in names:
        text = str(name or "").strip().lstrip("\ufeff")
        key = ALIASES.get(text, ALIASES.get(text.lower()))
        if key is None:
            raise Malformed(
                f"Unknown column “{name}”: a queue file has the columns {', '.join(COLUMNS)}.", column=text
            )
        if key in result:
            raise Malformed(f"The column {key} appears twice.", column=key)
        result.append(key)
    missing = [name for name in COLUMNS if name not in result and name not in OPTIONAL]
    if missing:
        raise Malformed(f"Missing column(s): {', '.join(missing)}.", column=missing[0])
    return result


def _complete(table: pa.Table) -> pa.Table:
    """Every column as text, the optional ones added empty, in the canonical order."""
    columns = {}
    for name in COLUMNS:
        if name in table.column_names:
            column = table[name]
            if pa.types.is_timestamp(column.type):
                column = column.cast(pa.timestamp("s")).cast(pa.string())
            elif not pa.types.is_string(column.type):
                column = column.cast(pa.string())
            columns[name] = column
        else:
            columns[name] = pa.nulls(table.num_rows, pa.string())
    return pa.table(columns)


def read_csv(data: bytes | Path) -> pa.Table:
    head = data[:65536] if isinstance(data, bytes) else head_of(data, 65536)
    if not head.strip():
        raise Malformed("The file is empty.")
    encoding = "utf8"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            encoding = "gb18030"
    first = head.splitlines()[0].decode("utf-8" if encoding == "utf8" else "gb18030", errors="replace")
    names = canonical([n.strip().strip('"') for n in first.lstrip("\ufeff").split(",")])
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data) if isinstance(data, bytes) else str(data),
            read_options=pa_csv.ReadOptions(encoding=encoding, column_names=names, skip_rows=1),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError) as exc:
        raise Malformed(f"Not a readable CSV file: {exc}") from exc
    return _complete(table)


def read_parquet(data: bytes | Path) -> pa.Table:
    try:
        table = pq.read_table(pa.BufferReader(data) if isinstance(data, bytes) else str(data))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as exc:
        raise Malformed(f"Not a readable Parquet file: {exc}") from exc
    return _complete(table.rename_columns(canonical(table.column_names)))


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_excel(data: bytes | Path) -> pa.Table:
    """The first sheet of an .xlsx workbook, the header in row 1 (read-only mode, row by row: Excel
    holds at most about a million rows, so this stays a few seconds)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise Malformed(f"Not a readable Excel file: {exc}") from exc
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if not header or all(v is None for v in header):
            raise Malformed("The file is empty.")
        width = max(i for i, v in enumerate(header) if v is not None) + 1
        names = canonical([str(v or "") for v in header[:width]])
        columns: list[list[str | None]] = [[] for _ in names]
        for row in rows:
            for i in range(width):
                columns[i].append(_cell_text(row[i]) if i < len(row) else None)
    finally:
        book.close()
    return _complete(pa.table({n: pa.array(c, pa.string()) for n, c in zip(names, columns, strict=True)}))


def codes(con: duckdb.DuckDBPyConnection, table: pa.Table) -> tuple[list[str], list[str]]:
    con.register("input_rows", table)
    units = con.sql("SELECT DISTINCT unit FROM input_rows WHERE unit IS NOT NULL").fetchall()
    people = con.sql("SELECT DISTINCT employee_no FROM input_rows WHERE employee_no IS NOT NULL").fetchall()
    return [r[0] for r in units], [r[0] for r in people]


def check(
    con: duckdb.DuckDBPyConnection,
    table: pa.Table,
    *,
    units: pa.Table,
    people: pa.Table,
    scope: str,
    now: dt.datetime,
    row_offset: int,
    existing_files: Sequence[Path] = (),
    time_zone: str = "Asia/Shanghai",
    report_rows: int = REPORT_ROWS,
) -> Checked:
    """Check every row at once; afterwards the connection holds the good rows as the view `good`.
    `existing_files`: the stored files of the months concerned (a ticket already there is refused)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(time_zone)
    indexed = table.append_column(
        "_row", pa.array(np.arange(row_offset, row_offset + table.num_rows, dtype=np.int64))
    )
    con.register("input_rows", indexed)
    con.register("known_units", units)
    con.register("known_people", people)
    if existing_files:
        sources = ", ".join(sql_path(p) for p in existing_files)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE earlier AS SELECT DISTINCT unit_id, CAST(ticket_at AS DATE) AS d, "  # noqa: S608
            f"ticket_no FROM read_parquet([{sources}])"
        )
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE earlier (unit_id INTEGER, d DATE, ticket_no VARCHAR)")
    limit = (now + FUTURE_TOLERANCE).astimezone(zone).replace(tzinfo=None)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE checked AS
        WITH parsed AS (
            SELECT i._row, trim(i.ticket_no) AS ticket_no, trim(i.business_type) AS business_type,
                   nullif(trim(i.counter), '') AS counter,
                   nullif(trim(i.ticket_at), '') AS t_raw, nullif(trim(i.called_at), '') AS c_raw,
                   nullif(trim(i.finished_at), '') AS f_raw, nullif(trim(i.employee_no), '') AS e_raw,
                   TRY_CAST(nullif(trim(i.ticket_at), '') AS TIMESTAMP) AS ticket_at,
                   TRY_CAST(nullif(trim(i.called_at), '') AS TIMESTAMP) AS called_at,
                   TRY_CAST(nullif(trim(i.finished_at), '') AS TIMESTAMP) AS finished_at,
                   i.unit IS NULL OR u.blank AS no_unit, u.id AS unit_id, u.path AS unit_path,
                   p.id AS person_id
            FROM input_rows i
            LEFT JOIN known_units u ON u.raw = i.unit
            LEFT JOIN known_people p ON p.raw = i.employee_no
        ), flagged AS (
            SELECT *, count(*) OVER (PARTITION BY unit_id, CAST(ticket_at AS DATE), ticket_no) AS copies,
                   EXISTS (SELECT 1 FROM earlier e WHERE e.unit_id = parsed.unit_id
                           AND e.d = CAST(parsed.ticket_at AS DATE)
                           AND e.ticket_no = parsed.ticket_no) AS seen
            FROM parsed
        )
        SELECT _row, ticket_no, CAST(unit_id AS INTEGER) AS unit_id, business_type, ticket_at, called_at,
               finished_at, CAST(person_id AS INTEGER) AS person_id, counter,
               CAST(epoch(called_at) - epoch(ticket_at) AS INTEGER) AS wait_s,
               CAST(year(ticket_at) * 100 + month(ticket_at) AS INTEGER) AS month, unit_path,
               CASE
                   WHEN coalesce(ticket_no, '') = '' THEN 'missing_value:ticket_no'
                   WHEN no_unit THEN 'missing_value:unit'
                   WHEN coalesce(business_type, '') = '' THEN 'missing_value:business_type'
                   WHEN t_raw IS NULL THEN 'missing_value:ticket_at'
                   WHEN c_raw IS NOT NULL AND e_raw IS NULL THEN 'missing_value:employee_no'
                   WHEN ticket_at IS NULL THEN 'bad_time:ticket_at'
                   WHEN c_raw IS NOT NULL AND called_at IS NULL THEN 'bad_time:called_at'
                   WHEN f_raw IS NOT NULL AND finished_at IS NULL THEN 'bad_time:finished_at'
                   WHEN f_raw IS NOT NULL AND c_raw IS NULL THEN 'missing_value:called_at'
                   WHEN greatest(ticket_at, coalesce(called_at, ticket_at), coalesce(finished_at, ticket_at))
                        > $limit THEN 'future_time:ticket_at'
                   WHEN called_at < ticket_at THEN 'bad_order:called_at'
                   WHEN finished_at < called_at THEN 'bad_order:finished_at'
                   WHEN unit_id IS NULL THEN 'unknown_unit:unit'
                   WHEN NOT starts_with(unit_path, $scope) THEN 'outside_scope:unit'
                   WHEN e_raw IS NOT NULL AND person_id IS NULL THEN 'unknown_teller:employee_no'
                   WHEN copies > 1 THEN 'duplicate:ticket_no'
                   WHEN seen THEN 'already_loaded:ticket_no'
               END AS problem
        FROM flagged
        """,
        {"limit": limit, "scope": scope},
    )
    con.execute("CREATE OR REPLACE TEMP VIEW good AS SELECT * FROM checked WHERE problem IS NULL")
    stats = con.execute(
        "SELECT count(*), count(called_at), min(ticket_at), max(ticket_at), min(unit_path), max(unit_path) "
        "FROM good"
    ).fetchone()
    assert stats is not None
    good, called, first, last, low, high = stats
    counts = dict(
        con.execute(
            "SELECT split_part(problem, ':', 1), count(*) FROM checked WHERE problem IS NOT NULL GROUP BY 1"
        ).fetchall()
    )
    first_bad = [
        BadRow(row=r, column=c, reason=reason, value=v or "")
        for r, reason, c, v in con.execute(
            """SELECT c._row, split_part(c.problem, ':', 1), split_part(c.problem, ':', 2),
                      CASE split_part(c.problem, ':', 2) WHEN 'ticket_no' THEN i.ticket_no
                          WHEN 'unit' THEN i.unit WHEN 'business_type' THEN i.business_type
                          WHEN 'ticket_at' THEN i.ticket_at WHEN 'called_at' THEN i.called_at
                          WHEN 'finished_at' THEN i.finished_at ELSE i.employee_no END
               FROM checked c JOIN input_rows i ON i._row = c._row
               WHERE c.problem IS NOT NULL ORDER BY c._row LIMIT $n""",
            {"n": report_rows},
        ).fetchall()
    ]
    month_rows = {
        f"{key // 100:04d}-{key % 100:02d}": n
        for key, n in con.execute("SELECT month, count(*) FROM good GROUP BY month ORDER BY month").fetchall()
    }
    return Checked(
        rows=table.num_rows,
        good=int(good),
        called=int(called),
        counts={reason: counts[reason] for reason in Reason.values if reason in counts},
        first_bad=first_bad,
        first_at=None if first is None else first.replace(tzinfo=zone),
        last_at=None if last is None else last.replace(tzinfo=zone),
        common_path=_common_path(low or "", high or ""),
        month_rows=month_rows,
    )


def months_of(con: duckdb.DuckDBPyConnection, table: pa.Table) -> list[str]:
    """The months the batch's parseable ticket times fall in (to find the stored files to check against)."""
    con.register("input_months", table)
    rows = con.execute(
        "SELECT DISTINCT strftime(TRY_CAST(nullif(trim(ticket_at), '') AS TIMESTAMP), '%Y-%m') "
        "FROM input_months WHERE TRY_CAST(nullif(trim(ticket_at), '') AS TIMESTAMP) IS NOT NULL"
    ).fetchall()
    return sorted(r[0] for r in rows)


def write_good(con: duckdb.DuckDBPyConnection, folder: Path, months: Sequence[str]) -> dict[str, Path]:
    written = {}
    for month in months:
        if not MONTH.match(month):
            raise ValueError(f"not a month: {month!r}")
        target = folder / f"{month}.parquet"
        con.execute(
            f"""COPY (SELECT ticket_no, unit_id, business_type, ticket_at, called_at, finished_at, person_id,
                             counter, wait_s FROM good WHERE month = {month.replace("-", "")})
                TO {sql_path(target)} (FORMAT parquet, COMPRESSION zstd)"""  # noqa: S608 (month is checked)
        )
        written[month] = target
    return written
