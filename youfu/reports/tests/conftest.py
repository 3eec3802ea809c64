"""Fixtures of the reports tests: a data folder of its own per test, and hand-worked queue tickets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from youfu.org.choices import PeriodKind
from youfu.org.models import Period

HEADER = "ticket_no,unit,business_type,ticket_at,called_at,finished_at,employee_no,counter\n"


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.FEEDBACK_DATA_DIR = tmp_path / "feedback"
    settings.REPORTS_DATA_DIR = tmp_path / "reports"
    return tmp_path / "reports"


@pytest.fixture
def october(db: None) -> Period:
    return Period.objects.create(
        code="2025-10",
        name="2025年10月",
        kind=PeriodKind.MONTH,
        start=dt.date(2025, 10, 1),
        end=dt.date(2025, 10, 31),
    )


def csv_of(lines: list[str]) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


# O1A on 2025-10-08: waits of 60, 120, 180, 240, 300, 360, 420, 480, 540, 1200 seconds (ten called tickets)
# and one ticket never called. Average = 3900 / 10 = 390 s = 6.50 min; p90 = rank ⌈0.9 × 10⌉ = 9 → 540 s =
# 9.00 min. O1B: one ticket, a wait of 100 s (1.67 min; p90 = rank 1 → 100 s).
WAITS_1A = [60, 120, 180, 240, 300, 360, 420, 480, 540, 1200]


def s1_tickets() -> bytes:
    lines = []
    for n, wait in enumerate(WAITS_1A, start=1):
        ticket = dt.datetime(2025, 10, 8, 9, 0) + dt.timedelta(minutes=n)
        called = ticket + dt.timedelta(seconds=wait)
        finished = called + dt.timedelta(minutes=5)
        times = ",".join(f"{t:%Y-%m-%d %H:%M:%S}" for t in (ticket, called, finished))
        lines.append(f"A{n:03d},O1A,个人存取款,{times},100001,1")
    lines.append("A011,O1A,个人存取款,2025-10-08 10:00:00,,,,")
    lines.append("B001,O1B,对公业务,2025-10-09 09:00:00,2025-10-09 09:01:40,2025-10-09 09:10:00,100002,2")
    return csv_of(lines)


def s2_tickets() -> bytes:
    return csv_of(
        ["C001,O2A,个人存取款,2025-10-08 09:00:00,2025-10-08 09:30:00,2025-10-08 09:40:00,200001,1"]
    )
