"""The database itself keeps the ledger append-only, on SQLite and on PostgreSQL: these tests go around
the services (ORM updates and deletes, raw SQL) and expect the database to refuse."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from youfu.conftest import Bank
from youfu.ledger import guard
from youfu.ledger.choices import EvidenceType, SubjectRole
from youfu.ledger.management.commands.flush import is_test_database
from youfu.ledger.models import LedgerEntry, PeriodLock
from youfu.ledger.services import ledger_period_publish
from youfu.ledger.tests.conftest import POLICY, RULE, PostViolation
from youfu.org.models import Period

TABLE = LedgerEntry._meta.db_table


def refused(statement: Any, match: str = "append-only") -> None:
    """The statement raises an integrity error from the database (in a savepoint, so that PostgreSQL's
    transaction stays usable for the assertions that follow)."""
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        statement()


def raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_guard_triggers_are_installed(db: None) -> None:
    assert guard.trigger_names(connection) == guard.expected_trigger_names(connection)


def test_orm_update_and_delete_are_refused(post_violation: PostViolation) -> None:
    entry, *_ = post_violation()
    rows = LedgerEntry.objects.filter(pk=entry.pk)

    refused(lambda: rows.update(points=0))
    refused(lambda: rows.update(reason="改过的理由"))
    refused(lambda: rows.delete())
    refused(lambda: LedgerEntry.objects.all().delete())
    refused(lambda: LedgerEntry.objects.get(pk=entry.pk).save())

    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored.points, stored.reason) == (Decimal("-3.0000"), "视频违规")
    assert LedgerEntry.objects.count() == 3


def test_raw_sql_update_and_delete_are_refused(post_violation: PostViolation) -> None:
    entry, *_ = post_violation()

    refused(lambda: raw(f"UPDATE {TABLE} SET points = 0 WHERE id = %s", [entry.pk]))  # noqa: S608
    refused(lambda: raw(f"UPDATE {TABLE} SET amount = amount + 100", []))  # noqa: S608
    refused(lambda: raw(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk]))  # noqa: S608
    refused(lambda: raw(f"DELETE FROM {TABLE}", []))  # noqa: S608

    assert LedgerEntry.objects.get(pk=entry.pk).points == Decimal("-3.0000")
    assert LedgerEntry.objects.count() == 3


def test_a_publication_cannot_be_undone(march: Period, post_violation: PostViolation) -> None:
    lock = ledger_period_publish(author=None, period=march, policy=POLICY)
    table = PeriodLock._meta.db_table

    refused(lambda: PeriodLock.objects.filter(pk=lock.pk).delete())
    refused(lambda: PeriodLock.objects.filter(pk=lock.pk).update(policy="other"))
    refused(lambda: raw(f"DELETE FROM {table}", []))  # noqa: S608

    assert PeriodLock.objects.filter(pk=lock.pk, policy=POLICY).exists()


def test_the_database_refuses_entries_for_a_published_period(
    bank: Bank, march: Period, post_violation: PostViolation
) -> None:
    ledger_period_publish(author=None, period=march, policy=POLICY)

    refused(lambda: LedgerEntry.objects.create(**entry_fields(bank, march)), match="published")

    assert LedgerEntry.objects.count() == 0


def entry_fields(bank: Bank, period: Period, /, **changes: Any) -> dict[str, Any]:
    return {
        "event_id": uuid.uuid4(),
        "subject_role": SubjectRole.PERSON,
        "person": bank.teller_1a,
        "unit_path": bank.o1a.path,
        "period": period,
        "policy": POLICY,
        "policy_version": 1,
        "rule": RULE,
        "points": Decimal("-3.0000"),
        "amount": Decimal("0.00"),
        "reason": "直接写入",
        "evidence_type": EvidenceType.MANUAL,
        **changes,
    }


def test_the_database_refuses_a_reversal_that_does_not_negate(
    bank: Bank, march: Period, april: Period, post_violation: PostViolation
) -> None:
    entry, *_ = post_violation()
    wrong: dict[str, dict[str, Any]] = {
        "points": {"points": Decimal("2.0000")},
        "amount": {"points": Decimal("3.0000"), "amount": Decimal("0.01")},
        "period": {"points": Decimal("3.0000"), "period": april},
        "subject": {"points": Decimal("3.0000"), "person": bank.teller_1b},
        "rule": {"points": Decimal("3.0000"), "rule": "other_rule"},
        "version": {"points": Decimal("3.0000"), "policy_version": 2},
    }
    for changes in wrong.values():
        refused(
            lambda changes=changes: LedgerEntry.objects.create(
                **entry_fields(bank, march, reverses=entry, **changes)
            ),
            match="reversal must negate",
        )
    assert LedgerEntry.objects.count() == 3

    right = LedgerEntry.objects.create(**entry_fields(bank, march, reverses=entry, points=Decimal("3.0000")))

    # … and a reversal of that reversal is refused too, as is a second reversal of the entry.
    refused(
        lambda: LedgerEntry.objects.create(**entry_fields(bank, march, reverses=right)),
        match="reversal must negate",
    )
    refused(
        lambda: LedgerEntry.objects.create(**entry_fields(bank, march, reverses=entry, points=Decimal(3))),
        match="unique|UNIQUE",
    )
    assert LedgerEntry.objects.count() == 4


def test_check_constraints_hold_without_the_services(bank: Bank, march: Period) -> None:
    bad: list[dict[str, Any]] = [
        {"points": Decimal(0), "amount": Decimal(0)},  # moves nothing
        {"unit": bank.o1a},  # a person and a unit
        {"subject_role": SubjectRole.UNIT_HEAD},  # a head entry without a unit
        {"person": None, "subject_role": SubjectRole.UNIT},  # no subject at all
        {"policy_version": 0},
        {"reason": ""},
        {"evidence_type": EvidenceType.COMPLAINT, "evidence_id": ""},  # evidence without its id
    ]
    for changes in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.create(**entry_fields(bank, march, **changes))

    assert LedgerEntry.objects.count() == 0


def test_this_is_a_test_database(db: None) -> None:
    assert is_test_database("default")


@pytest.mark.django_db(transaction=True)
def test_the_test_flush_empties_the_ledger_and_puts_the_guard_back(
    bank: Bank, post_violation: PostViolation
) -> None:
    entry, *_ = post_violation()
    ledger_period_publish(author=None, period=entry.period, policy=POLICY)

    call_command("flush", verbosity=0, interactive=False)

    assert LedgerEntry.objects.count() == 0
    assert PeriodLock.objects.count() == 0
    assert guard.trigger_names(connection) == guard.expected_trigger_names(connection)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT allow_flush FROM {guard.MAINTENANCE_TABLE}")  # noqa: S608
            assert cursor.fetchall() == [(0,)]


@pytest.mark.django_db(transaction=True)
def test_entries_committed_by_a_transactional_test_are_flushed_after_it(
    bank: Bank, post_violation: PostViolation
) -> None:
    entry, *_ = post_violation()
    ledger_period_publish(author=None, period=entry.period, policy=POLICY)

    # Committed rows, and the guard still stands between tests …
    refused(lambda: LedgerEntry.objects.all().delete())
    assert LedgerEntry.objects.count() == 3
    # … yet the flush after this test empties the ledger (a failing flush is a teardown error here).
