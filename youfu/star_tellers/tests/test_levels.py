"""Star levels worked by hand at the policy's thresholds (youfu/policies/reference/star_tellers.yaml:
1★ 90 % / 70 % / 60, 2★ 93 / 80 / 70, 3★ 95 / 85 / 80, 4★ 97 / 90 / 90, 5★ 98 / 95 / 95, at least 100
rated transactions, no finding), the money to the fen, a disqualifying finding, the tellers left out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from youfu.accounts.choices import Role
from youfu.core.errors import ApplicationError
from youfu.facts.models import Fact
from youfu.inspections import services as inspection_services
from youfu.inspections.tests.conftest import PERFECT, checklist_data
from youfu.ledger.models import LedgerEntry
from youfu.org.choices import PeriodKind
from youfu.org.models import Period
from youfu.scoring.choices import RunStatus
from youfu.standards import services as standard_services
from youfu.star_tellers.selectors import person_history, star_list
from youfu.star_tellers.services import person_findings_record, star_levels_compute, star_levels_publish
from youfu.star_tellers.tests.conftest import record
from youfu.testing.factories import UserFactory


def _levels(user, period):
    return {line.employee_no: line.level for line in star_list(user=user, period=period).lines}


@pytest.mark.django_db
def test_levels_at_the_thresholds(rated, october, branch_office):
    run = star_levels_compute(actor=branch_office, period=october)
    assert run.status == RunStatus.POSTED and run.subjects == 3
    assert _levels(branch_office, october) == {"100001": 5, "100002": 2, "200001": 1}


@pytest.mark.parametrize(
    ("facts", "level"),
    [
        ({"rated": 100, "evaluation": 95, "satisfaction": 98, "skill": 95}, 5),
        ({"rated": 99, "evaluation": 95, "satisfaction": 98, "skill": 95}, 0),  # too few ratings
        ({"rated": 100, "evaluation": 95, "satisfaction": "97.99", "skill": 95}, 4),
        ({"rated": 100, "evaluation": "94.99", "satisfaction": 98, "skill": 95}, 4),
        ({"rated": 100, "evaluation": 95, "satisfaction": 98, "skill": "94.9"}, 4),
        ({"rated": 500, "evaluation": 85, "satisfaction": 95, "skill": 80}, 3),
        ({"rated": 500, "evaluation": 80, "satisfaction": 93, "skill": 70}, 2),
        ({"rated": 500, "evaluation": 70, "satisfaction": 90, "skill": 60}, 1),
        ({"rated": 500, "evaluation": "69.99", "satisfaction": 99, "skill": 99}, 0),
        ({"rated": 500, "evaluation": 99, "satisfaction": "89.99", "skill": 99}, 0),
        ({"rated": 500, "evaluation": 99, "satisfaction": 99, "skill": "59.9"}, 0),
        ({"rated": 500, "evaluation": 99, "satisfaction": 93, "skill": 99}, 2),  # the lowest criterion counts
    ],
)
@pytest.mark.django_db
def test_one_teller_boundaries(bank, october, branch_office, facts, level):
    record(october, bank.teller_1a, **facts)
    star_levels_compute(actor=branch_office, period=october)
    assert _levels(branch_office, october)["100001"] == level
    line = next(
        line for line in star_list(user=branch_office, period=october).lines if line.employee_no == "100001"
    )
    assert line.amount == (Decimal("200.00") if level else Decimal("0.00"))


@pytest.mark.django_db
def test_money_to_the_fen_in_the_ledger(rated, october, branch_office):
    run = star_levels_compute(actor=branch_office, period=october)
    entries = LedgerEntry.objects.filter(policy="star_tellers", period=october)
    assert sorted(entries.values_list("amount", flat=True)) == [Decimal("200.00")] * 3
    assert run.total_amount == Decimal("600.00") and run.entries == 3
    result = star_list(user=branch_office, period=october)
    assert result.total_amount == Decimal("600.00") and result.star_count == 3
    # A rerun supersedes: the earlier entries are reversed; 王芳 drops below 90 % and loses her 200.
    record(october, rated.teller_2a, satisfaction="89.99")
    star_levels_compute(actor=branch_office, period=october)
    amounts = LedgerEntry.objects.filter(policy="star_tellers", period=october).values_list(
        "amount", flat=True
    )
    assert sum(amounts) == Decimal("400.00")
    assert star_list(user=branch_office, period=october).total_amount == Decimal("400.00")


@pytest.mark.django_db
def test_a_finding_attributed_to_the_teller_takes_the_star_away(
    rated, october, branch_office, s1_office, admin
):
    version = standard_services.standard_save(
        actor=admin, data=checklist_data(), owner=rated.head_office
    ).version
    version = standard_services.standard_version_publish(actor=admin, version=version)
    inspector = UserFactory.create(username="inspector", unit=rated.s1, roles=[Role.INSPECTOR])
    day = dt.date(2025, 10, 14)
    inspection = inspection_services.inspection_create(
        actor=inspector, kind="mystery_shopper", unit=rated.o1a, date=day, version_id=version.pk, today=day
    )
    inspection_services.inspection_record_results(
        actor=inspector,
        inspection=inspection,
        values={**PERFECT, "C2": 1},  # 提醒清点 missed once
    )
    finding = inspection.findings.get()
    inspection_services.finding_attribute(actor=inspector, finding=finding, people=[rated.teller_1a])
    inspection_services.inspection_submit(actor=inspector, inspection=inspection)
    inspection_services.inspection_approve(actor=s1_office, inspection=inspection)
    # Approved but not yet published: it does not count.
    assert person_findings_record(period=october) is not None
    assert _fact(rated.teller_1a, october) == Decimal(0)
    inspection_services.inspection_publish(
        actor=s1_office, inspection=inspection, today=dt.date(2025, 10, 15)
    )
    star_levels_compute(actor=branch_office, period=october)
    assert _fact(rated.teller_1a, october) == Decimal(1)
    line = next(
        line for line in star_list(user=branch_office, period=october).lines if line.employee_no == "100001"
    )
    assert line.level == 0 and line.disqualified is True and line.amount == Decimal("0.00")
    assert _levels(branch_office, october) == {"100001": 0, "100002": 2, "200001": 1}


def _fact(person, period):
    return Fact.objects.get(person=person, period=period, name="person_findings", is_current=True).value


@pytest.mark.django_db
def test_a_teller_without_skills_score_is_left_out_and_listed(bank, october, branch_office):
    record(october, bank.teller_1a, rated=300, evaluation=90, satisfaction=97, skill=90)
    record(october, bank.teller_1b, rated=300, evaluation=90, satisfaction=97)
    star_levels_compute(actor=branch_office, period=october)
    result = star_list(user=branch_office, period=october)
    assert [line.employee_no for line in result.lines] == ["100001"]
    assert {person.employee_no for person in result.left_out} == {"100002", "200001"}
    assert any("open question" in warning for warning in result.warnings)


@pytest.mark.django_db
def test_publish_freezes_the_month_and_only_months_are_rated(rated, october, branch_office):
    with pytest.raises(ApplicationError) as error:
        star_levels_publish(actor=branch_office, period=october)
    assert error.value.code == "not_computed"
    star_levels_compute(actor=branch_office, period=october)
    run = star_levels_publish(actor=branch_office, period=october)
    assert run.status == RunStatus.PUBLISHED
    with pytest.raises(ApplicationError):
        star_levels_compute(actor=branch_office, period=october)
    history = person_history(user=branch_office, person=rated.teller_1a)
    assert history is not None
    assert [(line.period_code, line.level, line.published) for line in history] == [("2025-10", 5, True)]
    quarter = Period.objects.create(
        code="2025Q4",
        name="2025年第4季度",
        kind=PeriodKind.QUARTER,
        start=dt.date(2025, 10, 1),
        end=dt.date(2025, 12, 31),
    )
    with pytest.raises(ApplicationError) as error:
        star_levels_compute(actor=branch_office, period=quarter)
    assert error.value.code == "wrong_period"
