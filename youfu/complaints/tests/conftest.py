"""Fixtures of the complaints tests: the conftest bank's handlers, quarters of 2025, and a clock.

Times are Asia/Shanghai (the bank's business hours); 2025-07-07 is a Monday."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.complaints import services
from youfu.complaints.choices import Category, Channel, ComplaintKind, Severity
from youfu.complaints.models import Complaint
from youfu.complaints.sla import SHANGHAI
from youfu.org.choices import PeriodKind
from youfu.org.models import Period
from youfu.testing.factories import UserFactory


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


MONDAY = at(2025, 7, 7, 9, 0)


@pytest.fixture
def quarters(db: None) -> list[Period]:
    made = []
    for q, (start, end) in enumerate(
        [((1, 1), (3, 31)), ((4, 1), (6, 30)), ((7, 1), (9, 30)), ((10, 1), (12, 31))], start=1
    ):
        made.append(
            Period.objects.create(
                code=f"2025Q{q}",
                name=f"2025年第{q}季度",
                kind=PeriodKind.QUARTER,
                start=dt.date(2025, *start),
                end=dt.date(2025, *end),
            )
        )
    return made


@pytest.fixture
def s1_handler(bank: Any) -> User:
    return UserFactory.create(username="s1_handler", unit=bank.s1, roles=[Role.COMPLAINT_HANDLER])


@pytest.fixture
def branch_handler(bank: Any) -> User:
    return UserFactory.create(username="branch_handler", unit=bank.branch, roles=[Role.COMPLAINT_HANDLER])


@pytest.fixture
def hotline(bank: Any, s1_handler: User) -> Complaint:
    """A 95580 complaint about 张伟's attitude at O1A, received Monday 09:00 (acknowledge by 13:00,
    resolve within 40 business hours)."""
    return services.complaint_register(
        actor=s1_handler,
        kind=ComplaintKind.COMPLAINT,
        channel=Channel.HOTLINE_95580,
        unit=bank.o1a,
        category=Category.ATTITUDE,
        severity=Severity.LOW,
        summary="柜员态度生硬,不耐烦",
        received_at=MONDAY,
        customer_name="赵先生",
        customer_phone="13812345678",
        people=[bank.teller_1a],
        source_ref="95580-0001",
        now=MONDAY,
    )
