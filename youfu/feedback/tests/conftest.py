"""Fixtures of the feedback tests: a data folder of its own per test, and rating batches in the file
layout built from the shared bank's tellers."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from youfu.conftest import Bank
from youfu.feedback.demo import Teller, ratings_table
from youfu.org.choices import PeriodKind
from youfu.org.models import Period

HEADER = "occurred_at,unit,employee_no,rating\n"


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "feedback"
    settings.FEEDBACK_DATA_DIR = folder
    return folder


@pytest.fixture
def october(db: None) -> Period:
    return Period.objects.create(
        code="2025-10",
        name="2025年10月",
        kind=PeriodKind.MONTH,
        start=dt.date(2025, 10, 1),
        end=dt.date(2025, 10, 31),
    )


def month_of_ratings(bank: Bank, *, seed: int = 7) -> pa.Table:
    """October 2025 for the three tellers of the shared bank (two in S1, one in S2)."""
    tellers = [
        Teller(bank.teller_1a.employee_no, bank.o1a.code),
        Teller(bank.teller_1b.employee_no, bank.o1b.code),
        Teller(bank.teller_2a.employee_no, bank.o2a.code),
    ]
    return ratings_table(tellers, dt.date(2025, 10, 1), dt.date(2025, 10, 31), seed=seed)


def csv_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pa_csv.write_csv(table, buffer)
    return buffer.getvalue()


def parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def csv_of(lines: list[str]) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()
