from __future__ import annotations

from decimal import Decimal

import pytest

from youfu.facts.demo import MYSTERY_NAMES, demo_facts_create, demo_facts_delete, demo_facts_exists, demo_year
from youfu.facts.models import Fact, FactBatch
from youfu.facts.selectors import facts_for_period
from youfu.org.demo import demo_bank_create
from youfu.org.models import Period


@pytest.mark.django_db
def test_demo_builds_mystery_shopper_facts_for_every_outlet_and_quarter():
    demo_bank_create(seed=2026)
    summary = demo_facts_create(seed=2026)
    year = demo_year()
    quarters = list(Period.objects.filter(kind="quarter", start__year=year).order_by("start"))
    assert len(quarters) == 4

    for quarter in quarters:
        rows = facts_for_period(period=quarter, names=MYSTERY_NAMES)
        scores = [r.value for r in rows if r.name == "score" and isinstance(r.value, Decimal)]
        assert len(scores) == 40
        assert all(Decimal(85) <= s <= Decimal(100) and s == s.quantize(Decimal("0.01")) for s in scores)
        assert {r.name for r in rows} == set(MYSTERY_NAMES)
        assert facts_for_period(period=quarter, names=["onsite_points_first"])
    first = [r.value for r in facts_for_period(period=quarters[0], names=["score"])]
    last = [r.value for r in facts_for_period(period=quarters[-1], names=["score"])]
    assert sum(v for v in last if isinstance(v, Decimal)) > sum(
        v for v in first if isinstance(v, Decimal)
    )  # improving over the year
    assert FactBatch.objects.filter(file_name=f"省行神秘人检查得分_{year}Q1.xlsx").exists()

    count = Fact.objects.count()
    assert summary.facts == count and demo_facts_exists()
    values = sorted(Fact.objects.values_list("name", "value_number", "unit__code", "person__employee_no"))
    assert demo_facts_delete() == count and not demo_facts_exists() and not FactBatch.objects.exists()
    demo_facts_create(seed=2026)  # deterministic: the same values again
    assert (
        sorted(Fact.objects.values_list("name", "value_number", "unit__code", "person__employee_no"))
        == values
    )
