"""Where the ratings live: Parquet files under FEEDBACK_DATA_DIR (default: DATA_DIR/feedback), laid out

    ratings/month=2026-10/batch-00000042.parquet      one file per batch and month (Asia/Shanghai months)
    quarantine/batch-00000042.parquet                 a batch's refused rows, when quarantine was chosen
    tmp/<random>/…                                    files being written, renamed into place on success

Columns of a rating file: occurred_at TIMESTAMP (the bank's local wall-clock time, TIME_ZONE: what the
months, days and periods of its rates are cut by; times given with an offset are converted on loading),
unit_id INTEGER (the outlet),
person_id INTEGER (the teller), rating UTINYINT (youfu.feedback.choices.Rating: 0 = not rated … 4 = very
satisfied). Seventeen bytes a row before compression.

Readers never list the folders: they take the files of committed catalogue rows (RatingBatch.files), so a
file whose batch was not committed (a crash between the rename and the commit) is never counted.
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

import duckdb
from django.conf import settings

RATINGS = "ratings"
QUARANTINE = "quarantine"
TMP = "tmp"
MONTH = re.compile(r"^\d{4}-\d{2}$")


def data_dir() -> Path:
    configured = getattr(settings, "FEEDBACK_DATA_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "feedback"


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose naive times and months are the bank's local time (Asia/Shanghai)."""
    con = duckdb.connect(":memory:")
    con.execute(f"SET TimeZone = '{settings.TIME_ZONE}'")
    # Row order is kept by the row numbers, not by the engine: letting it go speeds up every write.
    con.execute("SET preserve_insertion_order = false")
    return con


def sql_path(path: Path) -> str:
    """A path as an SQL string literal (DuckDB's COPY and read_parquet take no parameters there)."""
    return "'" + str(path).replace("'", "''") + "'"


def month_file(batch_id: int, month: str) -> str:
    """The path of a batch's file for a month, relative to the data folder."""
    if not MONTH.match(month):
        raise ValueError(f"not a month: {month!r}")
    return f"{RATINGS}/month={month}/batch-{batch_id:08d}.parquet"


def quarantine_file(batch_id: int) -> str:
    return f"{QUARANTINE}/batch-{batch_id:08d}.parquet"


def absolute(relative: str) -> Path:
    return data_dir() / relative


def new_tmp_dir() -> Path:
    path = data_dir() / TMP / uuid.uuid4().hex
    path.mkdir(parents=True)
    return path


def remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
