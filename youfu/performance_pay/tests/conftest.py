"""Fixtures of the pay-pool tests, on top of the appraisal's (the 2024 periods, R3, the O1A team, a
cycle on S1 and its closed quarter): R4 stored, a pool of S1 for 2024Q1, balance and salary rows."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import Workbook

from youfu.accounts.models import User
from youfu.appraisal.tests.conftest import (  # noqa: F401  (fixtures)
    Team,
    _english,
    closed,
    cycle,
    periods,
    r3,
    team,
)
from youfu.org.models import Period
from youfu.performance_pay import services
from youfu.performance_pay.imports import BALANCE_COLUMNS, PERSON_COLUMNS, SALARY_COLUMNS
from youfu.performance_pay.models import Pool
from youfu.scoring.models import PolicyVersion

BALANCE_HEADER = [PERSON_COLUMNS["employee_no"][0], *[c[0] for c in BALANCE_COLUMNS.values()]]
SALARY_HEADER = [PERSON_COLUMNS["employee_no"][0], *[c[0] for c in SALARY_COLUMNS.values()]]


@pytest.fixture
def r4(db: None) -> PolicyVersion:
    return services.reference_policy_version()


@pytest.fixture
def pool(bank: Any, s1_office: User, periods: dict[str, Period], r4: PolicyVersion) -> Pool:  # noqa: F811
    return services.pool_create(
        actor=s1_office, unit=bank.s1, period=periods["2024Q1"], total="10000.00", comparison="2023Q3"
    )


def balance_rows() -> list[list[object]]:
    """张伟 (100001), 刘强 (100009), 赵敏 (100003): the hand-worked example of test_calculator."""
    return [
        ["100001", 300, 300, 300, 1500, 1000, 0, "500.00", "业务部门", 90, 80, 90],
        ["100009", 300, 300, 300, 800, 1000, 1000, "700.00", "职能部门", 90, 80, 80],
        ["100003", 300, 300, 300, 900, 1000, 0, 0, "业务部门", 80, 70, 70],
    ]


def salary_rows() -> list[list[object]]:
    return [
        ["100001", "36000.00", "12000.00", "144000.00", "15000.00"],
        ["100009", "45000.00", "15000.00", "180000.00", "18000.00"],
        ["100003", "30000.00", "10000.00", "120000.00", "12000.00"],
    ]


def xlsx(header: list[str], rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(header: list[str], rows: list[list[object]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)
