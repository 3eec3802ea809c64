from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404

from youfu.facts.imports import facts_import
from youfu.facts.selectors import (
    batch_get,
    batch_list,
    fact_evidence,
    fact_get,
    fact_history,
    fact_list,
    facts_for_period,
    facts_for_periods,
)
from youfu.facts.services import fact_set
from youfu.facts.tests.conftest import SCORES


@pytest.fixture
def recorded(bank, admin, q3, q4, xlsx):
    facts_import(actor=admin, file=xlsx([*SCORES, ["O2A", "西湖网点", "2025Q3", 91, 1]]))
    fact_set(actor=admin, period=q3, subject=bank.o1a, name="score", value=Decimal("94"), note="复核更正")
    fact_set(
        actor=admin,
        period=q4,
        subject=bank.teller_1a,
        name="onsite_points_first",
        value=Decimal(2),
        note="现场",
    )


def test_facts_for_period_gives_current_typed_rows(bank, q3, recorded):
    rows = facts_for_period(period=q3, names=["score"])

    assert [(r.subject_kind, r.unit_id, r.value) for r in rows] == [
        ("unit", bank.o1a.pk, Decimal(94)),
        ("unit", bank.o1b.pk, Decimal("88.5")),
        ("unit", bank.o2a.pk, Decimal(91)),
    ]
    assert all(r.name == "score" and r.value_type == "number" and r.measure == "分" for r in rows)


def test_facts_for_periods_groups_by_name(bank, q3, q4, recorded):
    found = facts_for_periods(periods=[q3, q4], names=["onsite_points_first", "complaint_tickets", "nothing"])

    assert set(found) == {"onsite_points_first", "complaint_tickets", "nothing"}
    assert [(r.period_id, r.person_id, r.value) for r in found["onsite_points_first"]] == [
        (q4.pk, bank.teller_1a.pk, Decimal(2))
    ]
    assert len(found["complaint_tickets"]) == 3 and found["nothing"] == []


def test_a_user_sees_only_the_subtree(bank, q3, recorded, outsider, outlet_head, s1_office):
    assert {f.unit.code for f in fact_list(user=outsider) if f.unit} == {"O2A"}
    assert {f.unit_id for f in fact_list(user=outlet_head) if f.unit_id} == {bank.o1a.pk}
    assert {r.unit_id for r in facts_for_period(period=q3, names=["score"], user=s1_office)} == {
        bank.o1a.pk,
        bank.o1b.pk,
    }
    o1a = fact_list(user=s1_office).get(unit=bank.o1a, name="score")
    with pytest.raises(Http404):
        fact_get(user=outsider, pk=o1a.pk)
    assert fact_evidence(fact_ids=[o1a.pk], user=outsider) == {}


def test_history_and_evidence(bank, q3, recorded, s1_office):
    current = fact_list(user=s1_office).get(unit=bank.o1a, name="score")

    history = fact_history(user=s1_office, fact=current)

    assert [f.value for f in history] == [Decimal(94), Decimal("93.35")]
    evidence = fact_evidence(fact_ids=[f.pk for f in history])
    assert evidence[history[0].pk].source == "manual" and evidence[history[0].pk].note == "复核更正"
    assert (
        evidence[history[1].pk].file_name == "省行神秘人检查2025Q3.xlsx"
        and evidence[history[1].pk].row_number == 2
    )
    assert not evidence[history[1].pk].is_current


def test_batches_are_seen_where_they_have_values(bank, recorded, outsider, outlet_head):
    assert {b.file_name for b in batch_list(user=outsider)} == {"省行神秘人检查2025Q3.xlsx"}
    manual = [b for b in batch_list(user=outlet_head) if b.source == "manual"]
    assert len(manual) == 2
    with pytest.raises(Http404):
        batch_get(user=outsider, pk=manual[0].pk)
