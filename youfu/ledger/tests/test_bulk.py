"""Bulk posting and bulk reversal (a whole scoring run at once): the same entries as posting event by
event, in batches of a few queries each, all or nothing, and the database's guard still on."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from youfu.accounts.models import User
from youfu.conftest import Bank
from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.ledger import services
from youfu.ledger.choices import EvidenceType, SubjectRole
from youfu.ledger.models import LedgerEntry
from youfu.ledger.services import (
    EntrySpec,
    EventSpec,
    Evidence,
    ledger_period_publish,
    ledger_post,
    ledger_post_events,
    ledger_reverse_evidence,
)
from youfu.ledger.tests.conftest import POLICY, RULE, violation_entries
from youfu.org.models import Period

RUN = Evidence(type=EvidenceType.SCORING_RUN, id="run-1", url="/scoring/runs/1/")
COMPARED = (
    "event_id",
    "subject_role",
    "person_id",
    "unit_id",
    "unit_path",
    "period_id",
    "policy",
    "policy_version",
    "rule",
    "inputs",
    "points",
    "amount",
    "reason",
    "evidence_type",
    "evidence_id",
    "evidence_url",
    "reverses_id",
    "author_id",
)


def _events(bank: Bank, count: int, *, evidence: Evidence = RUN) -> list[EventSpec]:
    """``count`` violation events (three entries each), with amounts that need rounding."""
    events = []
    for n in range(count):
        entries = [
            EntrySpec(
                subject=spec.subject,
                role=spec.role,
                points=Decimal(spec.points) * (n + 1),
                amount=Decimal("-12.345") * (n + 1),
                inputs={**spec.inputs, "n": n, "ratio": Decimal("0.125")},
                reason=spec.reason,
            )
            for spec in violation_entries(bank)
        ]
        events.append(
            EventSpec(
                event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"e{n}"),
                rule=RULE,
                entries=entries,
                evidence=evidence,
            )
        )
    return events


def _rows(queryset: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in queryset.values_list(*COMPARED))


def test_bulk_entries_equal_those_posted_event_by_event(bank: Bank, march: Period, april: Period) -> None:
    events = _events(bank, 5)
    for event in events:
        ledger_post(
            author=None,
            period=march,
            policy=POLICY,
            policy_version=2,
            rule=event.rule,
            entries=event.entries,
            evidence=event.evidence,
            event_id=event.event_id,
        )
    one_by_one = _rows(LedgerEntry.objects.all())
    bulk_events = [
        EventSpec(
            event_id=uuid.uuid5(e.event_id, "bulk"), rule=e.rule, entries=e.entries, evidence=e.evidence
        )
        for e in events
    ]

    count = ledger_post_events(author=None, period=april, policy=POLICY, policy_version=2, events=bulk_events)

    bulk = _rows(LedgerEntry.objects.filter(period=april))
    assert count == len(bulk) == len(one_by_one) == 15
    renamed = {uuid.uuid5(e.event_id, "bulk"): e.event_id for e in events}
    assert sorted((renamed[r[0]], *r[1:5], march.pk, *r[6:]) for r in bulk) == one_by_one
    assert sum(r[11] for r in bulk) == Decimal(
        "-555.57"
    )  # 3 × (12.35 + 24.69 + 37.04 + 49.38 + 61.73): each to the fen, half up
    assert LedgerEntry.objects.filter(period=april, amount=Decimal("-12.35")).count() == 3
    assert LedgerEntry.objects.filter(period=april)[0].inputs["ratio"] == "0.125"  # no float


def test_subjects_may_be_given_by_id(bank: Bank, march: Period) -> None:
    events = [
        EventSpec(
            event_id=uuid.uuid4(),
            rule=RULE,
            entries=[
                EntrySpec(subject=bank.teller_1a.pk, role=SubjectRole.PERSON, points=-3, reason="r"),
                EntrySpec(subject=bank.o1a.pk, role=SubjectRole.UNIT_HEAD, points=-4, reason="r"),
            ],
            evidence=RUN,
        )
    ]

    ledger_post_events(author=None, period=march, policy=POLICY, policy_version=1, events=events)

    person, head = LedgerEntry.objects.order_by("id")
    assert (person.person_id, person.unit_id, person.unit_path) == (bank.teller_1a.pk, None, bank.o1a.path)
    assert (head.person_id, head.unit_id, head.subject_role) == (None, bank.o1a.pk, SubjectRole.UNIT_HEAD)


def test_queries_do_not_grow_with_the_number_of_events(
    bank: Bank, march: Period, django_assert_max_num_queries: Any
) -> None:
    with CaptureQueriesContext(connection) as few:
        ledger_post_events(
            author=None, period=march, policy=POLICY, policy_version=1, events=_events(bank, 2)
        )
    many = [
        EventSpec(event_id=uuid.uuid4(), rule=e.rule, entries=e.entries, evidence=e.evidence)
        for e in _events(bank, 300)
    ]

    with django_assert_max_num_queries(len(few.captured_queries)):
        count = ledger_post_events(author=None, period=march, policy=POLICY, policy_version=1, events=many)

    assert count == 900


def test_batches_take_a_few_queries_each(
    bank: Bank, march: Period, django_assert_max_num_queries: Any
) -> None:
    # 300 events × 3 entries in batches of 300 entries: 3 batches of 4 queries, plus the period checks
    # (the period's row lock on PostgreSQL, the publication) and the savepoint.
    with django_assert_max_num_queries(3 * 4 + 4):
        count = ledger_post_events(
            author=None,
            period=march,
            policy=POLICY,
            policy_version=1,
            events=_events(bank, 300),
            batch_size=300,
        )
    assert count == LedgerEntry.objects.count() == 900


def test_a_bad_entry_in_a_late_batch_leaves_nothing(bank: Bank, march: Period) -> None:
    events = _events(bank, 10)
    bad = events[8]
    events[8] = EventSpec(
        event_id=bad.event_id,
        rule=bad.rule,
        entries=[*bad.entries, EntrySpec(subject=bank.o1a, role=SubjectRole.PERSON, points=-1, reason="r")],
        evidence=bad.evidence,
    )

    with pytest.raises(ApplicationError) as error:
        ledger_post_events(
            author=None, period=march, policy=POLICY, policy_version=1, events=events, batch_size=3
        )

    assert error.value.field == "events[8].entries[3].subject"
    assert not LedgerEntry.objects.exists()


def test_a_database_failure_midway_leaves_nothing(bank: Bank, march: Period, monkeypatch: Any) -> None:
    inserted: list[int] = []
    real_insert = services._insert_rows

    def failing(rows: Any) -> None:
        if len(inserted) == 2:
            raise IntegrityError("the disk is full")
        real_insert(rows)
        inserted.append(len(rows))

    monkeypatch.setattr(services, "_insert_rows", failing)

    with pytest.raises(IntegrityError):
        ledger_post_events(
            author=None, period=march, policy=POLICY, policy_version=1, events=_events(bank, 10), batch_size=3
        )

    assert inserted == [3, 3]  # two batches were in the database before the failure …
    assert not LedgerEntry.objects.exists()  # … and went with it


def test_events_are_posted_once(bank: Bank, march: Period) -> None:
    events = _events(bank, 2)
    ledger_post_events(author=None, period=march, policy=POLICY, policy_version=1, events=events[:1])

    with pytest.raises(ApplicationError) as again:
        ledger_post_events(author=None, period=march, policy=POLICY, policy_version=1, events=events)
    with pytest.raises(ApplicationError) as twice:
        ledger_post_events(
            author=None, period=march, policy=POLICY, policy_version=1, events=[events[1], events[1]]
        )

    assert again.value.code == twice.value.code == "duplicate_event"
    assert LedgerEntry.objects.count() == 3


def test_bulk_posts_respect_publication_and_the_append_only_guard(bank: Bank, march: Period) -> None:
    ledger_post_events(author=None, period=march, policy=POLICY, policy_version=1, events=_events(bank, 2))
    ledger_period_publish(author=None, period=march, policy=POLICY)

    with pytest.raises(ApplicationError) as published:
        ledger_post_events(
            author=None,
            period=march,
            policy=POLICY,
            policy_version=1,
            events=_events(bank, 1, evidence=Evidence(type=EvidenceType.SCORING_RUN, id="run-2")),
        )
    with pytest.raises(ApplicationError):
        ledger_reverse_evidence(author=None, period=march, policy=POLICY, evidence=RUN, reason="重算")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(period=march).update(points=0)

    assert published.value.code == "period_published"
    assert LedgerEntry.objects.count() == 6


def test_an_outsider_cannot_bulk_post_to_s1(bank: Bank, march: Period, outsider: User) -> None:
    with pytest.raises(PermissionDeniedError):
        ledger_post_events(
            author=outsider, period=march, policy=POLICY, policy_version=1, events=_events(bank, 1)
        )
    assert not LedgerEntry.objects.exists()


def test_reversing_a_run_nets_to_zero_in_batches(
    bank: Bank, march: Period, django_assert_max_num_queries: Any
) -> None:
    ledger_post_events(author=None, period=march, policy=POLICY, policy_version=1, events=_events(bank, 40))
    other = Evidence(type=EvidenceType.SCORING_RUN, id="run-2")
    events = [
        EventSpec(event_id=uuid.uuid4(), rule=e.rule, entries=e.entries, evidence=other)
        for e in _events(bank, 1)
    ]
    ledger_post_events(author=None, period=march, policy=POLICY, policy_version=1, events=events)

    # 120 entries in batches of 50: three selects and inserts, an empty select, the period checks.
    with django_assert_max_num_queries(3 * 2 + 1 + 4):
        count = ledger_reverse_evidence(
            author=None, period=march, policy=POLICY, evidence=RUN, reason="重算", batch_size=50
        )

    run = LedgerEntry.objects.filter(evidence_id="run-1")
    assert count == 120
    assert run.count() == 240
    assert sum(e.amount for e in run) == 0 and sum(e.points for e in run) == 0
    reversals = run.filter(reverses__isnull=False)
    assert reversals.values("event_id").distinct().count() == 40  # one new event per original event
    assert all(r.reason == "重算" and r.reverses and r.unit_path == r.reverses.unit_path for r in reversals)
    assert LedgerEntry.objects.filter(evidence_id="run-2", reversal__isnull=True).count() == 3  # untouched
    assert ledger_reverse_evidence(author=None, period=march, policy=POLICY, evidence=RUN, reason="再算") == 0
