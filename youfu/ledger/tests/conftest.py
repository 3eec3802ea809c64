"""Fixtures of the ledger tests: a month, and the seed-001 video violation (one event, three subjects:
the teller 张伟 −3, his outlet O1A as the department −5, the head of O1A −4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from youfu.conftest import Bank
from youfu.ledger.choices import EvidenceType, SubjectRole
from youfu.ledger.models import LedgerEntry
from youfu.ledger.services import EntrySpec, Evidence, ledger_post
from youfu.org.choices import PeriodKind
from youfu.org.models import Period

POLICY = "r2_competition_100_days"
RULE = "video_violation"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are asserted on their English msgids, whatever the Chinese translations say.
    with translation.override("en"):
        yield


@pytest.fixture
def march(db: None) -> Period:
    return Period.objects.create(
        code="2026-03",
        name="2026年3月",
        kind=PeriodKind.MONTH,
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 3, 31),
    )


@pytest.fixture
def april(db: None) -> Period:
    return Period.objects.create(
        code="2026-04",
        name="2026年4月",
        kind=PeriodKind.MONTH,
        start=dt.date(2026, 4, 1),
        end=dt.date(2026, 4, 30),
    )


def violation_entries(bank: Bank) -> list[EntrySpec]:
    inputs = {"violations": 1, "clip": "09:14:05-09:16:40"}
    return [
        EntrySpec(
            subject=bank.teller_1a,
            role=SubjectRole.PERSON,
            points=Decimal(-3),
            inputs=inputs,
            reason="视频违规",
        ),
        EntrySpec(
            subject=bank.o1a, role=SubjectRole.UNIT, points="-5", inputs=inputs, reason="视频违规(部门)"
        ),
        EntrySpec(
            subject=bank.o1a,
            role=SubjectRole.UNIT_HEAD,
            points=-4,
            inputs=inputs,
            reason="视频违规(网点负责人)",
        ),
    ]


PostViolation = Callable[..., list[LedgerEntry]]


@pytest.fixture
def post_violation(bank: Bank, march: Period) -> PostViolation:
    def post(*, author: Any = None, period: Period = march, finding: str = "F-1") -> list[LedgerEntry]:
        return ledger_post(
            author=author,
            period=period,
            policy=POLICY,
            policy_version=1,
            rule=RULE,
            entries=violation_entries(bank),
            evidence=Evidence(
                type=EvidenceType.INSPECTION_FINDING, id=finding, url=f"/inspections/findings/{finding}/"
            ),
        )

    return post
