"""Fixtures of the star-tellers tests: October 2025 as a month, and the facts of the shared bank's three
tellers (two in S1, one in S2) recorded as the feedback app and a skills import would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from youfu.conftest import Bank
from youfu.facts.services import FactValue, facts_record
from youfu.org.choices import PeriodKind
from youfu.org.models import Period, Person


@pytest.fixture
def october(db: None) -> Period:
    return Period.objects.create(
        code="2025-10",
        name="2025年10月",
        kind=PeriodKind.MONTH,
        start=dt.date(2025, 10, 1),
        end=dt.date(2025, 10, 31),
    )


def record(period: Period, person: Person, **values: Any) -> None:
    """Record the person's facts for the month (rated, evaluation, satisfaction, skill …) as numbers."""
    names = {
        "rated": "rating_rated",
        "evaluation": "rating_evaluation_rate",
        "satisfaction": "rating_satisfaction_rate",
        "skill": "teller_skill_score",
    }
    facts_record(
        actor=None,
        period=period,
        values=[
            FactValue(subject=person, name=names.get(k, k), value=Decimal(str(v))) for k, v in values.items()
        ],
    )


@pytest.fixture
def rated(bank: Bank, october: Period) -> Bank:
    """张伟 (S1/O1A): 5 stars exactly at the thresholds; 李娜 (S1/O1B): 2 stars (the evaluation rate
    holds her back); 王芳 (S2/O2A): 1 star exactly at the thresholds of level 1."""
    record(october, bank.teller_1a, rated=100, evaluation=95, satisfaction=98, skill=95)
    record(october, bank.teller_1b, rated=850, evaluation="84.99", satisfaction="99.5", skill=99)
    record(october, bank.teller_2a, rated=400, evaluation=70, satisfaction=90, skill=60)
    return bank
