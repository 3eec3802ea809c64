"""Fixtures of the facts tests: periods, an Excel file builder and an import helper."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook

from youfu.org.choices import PeriodKind
from youfu.org.models import Period


@pytest.fixture
def q3(db: None) -> Period:
    return Period.objects.create(
        code="2025Q3",
        name="2025年第3季度",
        kind=PeriodKind.QUARTER,
        start=dt.date(2025, 7, 1),
        end=dt.date(2025, 9, 30),
    )


@pytest.fixture
def q4(db: None) -> Period:
    return Period.objects.create(
        code="2025Q4",
        name="2025年第4季度",
        kind=PeriodKind.QUARTER,
        start=dt.date(2025, 10, 1),
        end=dt.date(2025, 12, 31),
    )


class Upload(io.BytesIO):
    """An in-memory .xlsx with a file name, like an upload."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def xlsx_bytes(rows: list[list[Any]], title: str = "Sheet1") -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def xlsx() -> Callable[..., Upload]:
    def make(rows: list[list[Any]], name: str = "省行神秘人检查2025Q3.xlsx", title: str = "Sheet1") -> Upload:
        return Upload(xlsx_bytes(rows, title), name)

    return make


SCORES: list[list[Any]] = [
    ["机构号", "机构名称", "期间", "score", "complaint_tickets"],
    ["O1A", "东城营业部", "2025Q3", 93.35, 0],
    ["O1B", "东湖网点", "2025Q3", "88.5", 2],
]
