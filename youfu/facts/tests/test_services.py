from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.facts.choices import BatchSource, SubjectKind, ValueType
from youfu.facts.models import Fact, FactBatch
from youfu.facts.services import FactValue, fact_set, facts_record
from youfu.ledger.models import PeriodLock


def test_record_creates_a_batch_and_typed_values(bank, branch_office, q3):
    result = facts_record(
        actor=branch_office,
        period=q3,
        values=[
            FactValue(bank.o1a, "score", Decimal("93.35"), "分", row_number=2),
            FactValue(bank.teller_1a, "onsite_points_first", Decimal(2), row_number=3),
            FactValue(bank.o1b, "exempt_flag", True),
            FactValue(bank.o1b, "kind", "business"),
        ],
        source=BatchSource.IMPORT,
        file_name="a.xlsx",
    )

    assert (result.created, result.changed, result.unchanged) == (4, 0, 0)
    batch = result.batch
    assert batch is not None and batch.created_by == branch_office and batch.file_name == "a.xlsx"
    score = Fact.objects.get(name="score")
    assert score.value == Decimal("93.35") and score.value_type == ValueType.NUMBER and score.measure == "分"
    assert score.unit_path == bank.o1a.path and score.row_number == 2
    person = Fact.objects.get(name="onsite_points_first")
    assert person.subject_kind == SubjectKind.PERSON and person.unit_path == bank.o1a.path
    assert Fact.objects.get(name="exempt_flag").value is True
    assert Fact.objects.get(name="kind").value == "business"


def test_a_changed_value_supersedes_and_keeps_history(bank, branch_office, q3):
    first = fact_set(
        actor=branch_office, period=q3, subject=bank.o1a, name="score", value=Decimal("90"), note="初报"
    )
    second = fact_set(
        actor=branch_office, period=q3, subject=bank.o1a, name="score", value=Decimal("92.5"), note="复核"
    )

    old, new = Fact.objects.order_by("id")
    assert (first.created, second.changed) == (1, 1)
    assert not old.is_current and new.is_current and new.supersedes == old and old.superseded_by == new
    assert old.value == Decimal(90)
    assert FactBatch.objects.count() == 2


def test_an_equal_value_writes_nothing(bank, branch_office, q3):
    fact_set(actor=branch_office, period=q3, subject=bank.o1a, name="score", value=Decimal("90.00"), note="x")

    again = fact_set(
        actor=branch_office, period=q3, subject=bank.o1a, name="score", value=Decimal("90"), note="x"
    )

    assert (again.created, again.changed, again.unchanged, again.batch) == (0, 0, 1, None)
    assert Fact.objects.count() == 1 and FactBatch.objects.count() == 1


def test_database_refuses_two_current_values(bank, branch_office, q3):
    fact_set(actor=branch_office, period=q3, subject=bank.o1a, name="score", value=Decimal("90"), note="x")
    fact = Fact.objects.get()
    fact.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        fact.save()


def test_database_refuses_two_subjects_or_two_values(bank, branch_office, q3):
    fact_set(actor=branch_office, period=q3, subject=bank.o1a, name="score", value=Decimal("90"), note="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Fact.objects.filter(name="score").update(person=bank.teller_1a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Fact.objects.filter(name="score").update(value_text="90")


def test_outside_the_subtree_is_refused_and_nothing_written(bank, outsider, q3):
    with pytest.raises(ApplicationError) as error:
        fact_set(actor=outsider, period=q3, subject=bank.o1a, name="score", value=Decimal("90"), note="x")

    assert error.value.details[0].code == "out_of_scope"
    assert not Fact.objects.exists() and not FactBatch.objects.exists()


def test_a_role_without_the_right_is_refused(bank, outlet_head, q3):
    with pytest.raises(PermissionDeniedError):
        fact_set(actor=outlet_head, period=q3, subject=bank.o1a, name="score", value=Decimal("90"), note="x")
    assert not Fact.objects.exists()


def test_a_published_period_is_locked(bank, branch_office, q3):
    PeriodLock.objects.create(period=q3, policy="r1_mystery_shopper")

    with pytest.raises(ApplicationError) as error:
        fact_set(
            actor=branch_office, period=q3, subject=bank.o1a, name="score", value=Decimal("90"), note="x"
        )

    assert error.value.code == "period_locked" and "r1_mystery_shopper" in error.value.message
    assert not Fact.objects.exists()


@pytest.mark.parametrize(
    "value,code",
    [
        (Decimal("1.12345678901"), "invalid_value"),  # 11 decimal places
        (Decimal("1234567890123456"), "invalid_value"),  # 16 significant digits
        (Decimal("NaN"), "invalid_value"),
        (0.5, "invalid_value"),  # a float
    ],
)
def test_values_that_cannot_be_stored_exactly_are_refused(bank, branch_office, q3, value, code):
    with pytest.raises(ApplicationError) as error:
        facts_record(actor=branch_office, period=q3, values=[FactValue(bank.o1a, "score", value)])
    assert error.value.details[0].code == code
    assert not Fact.objects.exists()


def test_fifteen_digits_round_trip_exactly(bank, branch_office, q3):
    facts_record(
        actor=branch_office,
        period=q3,
        values=[
            FactValue(bank.o1a, "balance", Decimal("9999999999999.99")),
            FactValue(bank.o1b, "balance", Decimal("0.0000000001")),
        ],
    )
    values = {f.unit_id: Fact.objects.get(pk=f.pk).value for f in Fact.objects.all()}
    assert values == {bank.o1a.pk: Decimal("9999999999999.99"), bank.o1b.pk: Decimal("1E-10")}


def test_two_values_for_one_subject_are_refused(bank, branch_office, q3):
    with pytest.raises(ApplicationError) as error:
        facts_record(
            actor=branch_office,
            period=q3,
            values=[
                FactValue(bank.o1a, "score", Decimal(1), row_number=2),
                FactValue(bank.o1a, "score", Decimal(2), row_number=5),
            ],
        )
    assert error.value.details[0].code == "duplicate" and error.value.details[0].row == 5


def test_manual_entry_needs_a_note(bank, branch_office, q3):
    with pytest.raises(ApplicationError):
        fact_set(
            actor=branch_office, period=q3, subject=bank.o1a, name="score", value=Decimal("90"), note=" "
        )
