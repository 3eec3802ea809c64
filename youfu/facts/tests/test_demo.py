from __future__ import annotations

from decimal import Decimal

import pytest

from youfu.facts.demo import MYSTERY_NAMES, demo_facts_create, demo_facts_delete, demo_facts_exists, demo_year
from youfu.facts.models import Fact, FactBatch
from youfu.facts.selectors import facts_for_period
from youfu.org.demo import demo_bank_create
from youfu.org.models import Period


def _values() -> list[tuple[str, ...]]:
    rows = Fact.objects.values_list("name", "value_number", "unit__code", "person__employee_no")
    return sorted(tuple("" if v is None else str(v) for v in row) for row in rows)


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
    values = _values()
    assert demo_facts_delete() == count and not demo_facts_exists() and not FactBatch.objects.exists()
    demo_facts_create(seed=2026)  # deterministic: the same values again
    assert _values() == values


@pytest.mark.django_db
def test_demo_builds_the_100_day_competition_period_and_its_inputs():
    from youfu.facts.demo import COMPETITION_OUTLET_NAMES, COMPETITION_PERSON_NAMES

    demo_bank_create(seed=2026)
    summary = demo_facts_create(seed=2026)
    year = demo_year()

    competition = Period.objects.get(kind="custom", code=f"C{year}-100D")
    assert (competition.start.isoformat(), competition.end.isoformat()) == (f"{year}-08-01", f"{year}-11-10")
    assert competition.code in summary.periods
    rows = facts_for_period(period=competition, names=[*COMPETITION_OUTLET_NAMES, *COMPETITION_PERSON_NAMES])
    outlets = {r.unit_id for r in rows if r.subject_kind == "unit"}
    people = {r.person_id for r in rows if r.subject_kind == "person"}
    assert len(outlets) == 40 and len(people) > 400
    satisfied = [r.value for r in rows if r.name == "callbacks_satisfied"]
    assert all(isinstance(v, Decimal) and 0 <= v <= 30 for v in satisfied) and len(set(satisfied)) > 3
    praise = [r.value for r in rows if r.name == "praise_points" and r.subject_kind == "person"]
    assert 0 < sum(1 for v in praise if v) < len(praise) / 2  # most people have none, some a lot
    assert max(v for v in praise if isinstance(v, Decimal)) > 10

    demo_facts_delete()
    demo_facts_create(seed=2026)  # the period is there now: used again, not created twice
    assert Period.objects.filter(kind="custom").count() == 1
