"""Where the queue tickets live: Parquet files under REPORTS_DATA_DIR (default DATA_DIR/reports), laid out
like the evaluator ratings (youfu.feedback.store, whose DuckDB connection and helpers this reuses):

    queue/month=2026-10/batch-00000042.parquet     one file per batch and month (Asia/Shanghai months)
    tmp/<random>/…                                 files being written, renamed into place on success

Columns: ticket_no VARCHAR, unit_id INTEGER (the outlet), business_type VARCHAR, ticket_at, called_at,
finished_at TIMESTAMP (local wall-clock time; called_at/finished_at null for a ticket never called),
person_id INTEGER (the teller who called it, null if never called), counter VARCHAR, wait_s INTEGER
(called_at − ticket_at in seconds, null if never called). Readers take the files of committed catalogue
rows (QueueBatch.files), never a listing of the folders.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings

from youfu.feedback.store import MONTH, connect, remove, remove_tree, sql_path

__all__ = ["MONTH", "absolute", "connect", "data_dir", "month_file", "new_tmp_dir", "remove", "remove_tree"]
__all__ += ["sql_path"]

QUEUE = "queue"
TMP = "tmp"


def data_dir() -> Path:
    """REPORTS_DATA_DIR; else beside a configured FEEDBACK_DATA_DIR (so that a test run which moves the
    ratings to a temporary folder moves the tickets too); else DATA_DIR/reports."""
    configured = getattr(settings, "REPORTS_DATA_DIR", None)
    if configured:
        return Path(configured)
    feedback = getattr(settings, "FEEDBACK_DATA_DIR", None)
    if feedback:
        return Path(feedback).parent / "reports"
    return Path(settings.DATA_DIR) / "reports"


def month_file(batch_id: int, month: str) -> str:
    if not MONTH.match(month):
        raise ValueError(f"not a month: {month!r}")
    return f"{QUEUE}/month={month}/batch-{batch_id:08d}.parquet"


def absolute(relative: str) -> Path:
    return data_dir() / relative


def new_tmp_dir() -> Path:
    path = data_dir() / TMP / uuid.uuid4().hex
    path.mkdir(parents=True)
    return path
