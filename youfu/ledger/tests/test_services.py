from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest

from youfu.accounts.models import User
from youfu.conftest import Bank
from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.ledger.choices import EvidenceType, SubjectRole
from youfu.ledger.models import LedgerEntry, PeriodLock
from youfu.ledger.selectors import balance_by_subject
from youfu.ledger.services import (
    EntrySpec,
    Evidence,
    ledger_period_publish,
    ledger_post,
    ledger_reverse,
    ledger_reverse_event,
)
from youfu.ledger.tests.conftest import POLICY, RULE, PostViolation
from youfu.org.models import Period, Person, Unit
from youfu.org.services import person_move


def post_one(bank: Bank, period: Period, *, author: Any = None, **spec: Any) -> LedgerEntry:
    fields = {"subject": bank.teller_1a, "role": SubjectRole.PERSON, "reason": "测试", **spec}
    [entry] = ledger_post(
        author=author,
        period=period,
        policy=POLICY,
        policy_version=1,
        rule=RULE,
        entries=[EntrySpec(**fields)],
        evidence=Evidence(type=EvidenceType.MANUAL),
    )
    return entry


def test_one_event_posts_three_subjects_and_their_balances(
    bank: Bank, march: Period, s1_office: User, post_violation: PostViolation
) -> None:
    entries = post_violation(author=s1_office)

    assert [(e.subject_role, e.person_id, e.unit_id, e.points, e.amount) for e in entries] == [
        (SubjectRole.PERSON, bank.teller_1a.pk, None, Decimal("-3.0000"), Decimal("0.00")),
        (SubjectRole.UNIT, None, bank.o1a.pk, Decimal("-5.0000"), Decimal("0.00")),
        (SubjectRole.UNIT_HEAD, None, bank.o1a.pk, Decimal("-4.0000"), Decimal("0.00")),
    ]
    assert len({e.event_id for e in entries}) == 1
    stored = LedgerEntry.objects.get(pk=entries[0].pk)
    assert stored.unit_path == bank.o1a.path
    assert stored.policy == POLICY and stored.policy_version == 1 and stored.rule == RULE
    assert stored.inputs == {"violations": 1, "clip": "09:14:05-09:16:40"}
    assert (stored.evidence_type, stored.evidence_id) == ("inspection_finding", "F-1")
    assert stored.author == s1_office
    assert stored.created_at.tzinfo is not None
    balances = balance_by_subject(user=s1_office, period=march)
    assert [(b.subject_role, b.name, b.points, b.amount, b.entries) for b in balances] == [
        (SubjectRole.PERSON, "张伟", Decimal("-3.0000"), Decimal("0.00"), 1),
        (SubjectRole.UNIT, "东城营业部", Decimal("-5.0000"), Decimal("0.00"), 1),
        (SubjectRole.UNIT_HEAD, "东城营业部", Decimal("-4.0000"), Decimal("0.00"), 1),
    ]


def test_a_system_run_has_no_author_and_no_subtree(bank: Bank, post_violation: PostViolation) -> None:
    entries = post_violation(author=None)

    assert [e.author_id for e in entries] == [None, None, None]


def test_amounts_round_half_up_at_the_fen_and_points_at_four_places(bank: Bank, march: Period) -> None:
    cases = [
        ("0.005", "0.01"),
        ("43.255", "43.26"),
        ("43.125", "43.13"),
        ("-43.125", "-43.13"),
        ("-0.005", "-0.01"),
        ("0.0049", "0.00"),
    ]
    for given, expected in cases:
        entry = post_one(bank, march, points="1", amount=given)
        assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal(expected), given
    entry = post_one(bank, march, points="2.00005", amount=0)
    assert LedgerEntry.objects.get(pk=entry.pk).points == Decimal("2.0001")


def test_floats_are_refused_and_nothing_is_written(bank: Bank, march: Period) -> None:
    for bad in ({"points": 0.1}, {"amount": 43.25}, {"points": 1, "inputs": {"score": 91.5}}):
        with pytest.raises(ApplicationError) as caught:
            post_one(bank, march, **bad)
        assert caught.value.code == "invalid_number"
        assert "float" in caught.value.message

    assert LedgerEntry.objects.count() == 0


def test_decimal_inputs_are_kept_as_strings(bank: Bank, march: Period) -> None:
    entry = post_one(
        bank, march, points=1, inputs={"score": Decimal("91.50"), "day": dt.date(2026, 3, 9), "ok": True}
    )

    assert LedgerEntry.objects.get(pk=entry.pk).inputs == {"score": "91.50", "day": "2026-03-09", "ok": True}


def test_an_entry_that_moves_nothing_is_refused(bank: Bank, march: Period) -> None:
    with pytest.raises(ApplicationError, match="both are zero"):
        post_one(bank, march, points="0.00001", amount="0.004")  # both round to zero

    assert LedgerEntry.objects.count() == 0


def test_one_bad_entry_refuses_the_whole_event(bank: Bank, march: Period) -> None:
    with pytest.raises(ApplicationError) as caught:
        ledger_post(
            author=None,
            period=march,
            policy=POLICY,
            policy_version=1,
            rule=RULE,
            entries=[
                EntrySpec(subject=bank.teller_1a, role=SubjectRole.PERSON, points=-3, reason="a"),
                EntrySpec(subject=bank.teller_1a, role=SubjectRole.UNIT_HEAD, points=-4, reason="b"),
            ],
            evidence=Evidence(type=EvidenceType.INSPECTION_FINDING, id="F-9"),
        )

    assert caught.value.field == "entries[1].subject"
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"policy": "r1 mystery"}, "policy"),
        ({"rule": ""}, "rule"),
        ({"policy_version": 0}, "policy_version"),
        ({"entries": []}, "entries"),
        ({"evidence": Evidence(type="rumour", id="x")}, "evidence"),
        ({"evidence": Evidence(type=EvidenceType.COMPLAINT)}, "evidence"),
        ({"event_id": "not-a-uuid"}, "event_id"),
    ],
)
def test_bad_posts_are_refused_with_the_field(
    bank: Bank, march: Period, changes: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {
        "author": None,
        "period": march,
        "policy": POLICY,
        "policy_version": 1,
        "rule": RULE,
        "entries": [EntrySpec(subject=bank.teller_1a, role=SubjectRole.PERSON, points=1, reason="a")],
        "evidence": Evidence(type=EvidenceType.MANUAL),
    }

    with pytest.raises(ApplicationError) as caught:
        ledger_post(**(arguments | changes))

    assert caught.value.field == field
    assert LedgerEntry.objects.count() == 0


def test_a_reason_is_required(bank: Bank, march: Period) -> None:
    with pytest.raises(ApplicationError) as caught:
        post_one(bank, march, points=1, reason="  ")

    assert caught.value.field == "entries[0].reason"


def test_an_event_is_posted_once(bank: Bank, march: Period) -> None:
    event = uuid.uuid5(uuid.NAMESPACE_URL, "youfu:finding:F-7")
    arguments: dict[str, Any] = {
        "author": None,
        "period": march,
        "policy": POLICY,
        "policy_version": 1,
        "rule": RULE,
        "entries": [EntrySpec(subject=bank.teller_1a, role=SubjectRole.PERSON, points=-3, reason="a")],
        "evidence": Evidence(type=EvidenceType.INSPECTION_FINDING, id="F-7"),
        "event_id": event,
    }
    ledger_post(**arguments)

    with pytest.raises(ApplicationError) as caught:
        ledger_post(**arguments)

    assert caught.value.code == "duplicate_event"
    assert LedgerEntry.objects.filter(event_id=event).count() == 1


def test_reversal_negates_the_entry_and_nets_to_zero(
    bank: Bank, march: Period, s1_office: User, post_violation: PostViolation
) -> None:
    person_entry, *_ = post_violation(author=s1_office)

    reversal = ledger_reverse(author=s1_office, entry=person_entry, reason="复核撤销")

    assert reversal.reverses_id == person_entry.pk
    assert (reversal.points, reversal.amount) == (Decimal("3.0000"), Decimal("0.00"))
    stored = LedgerEntry.objects.get(pk=reversal.pk)
    assert (stored.points, stored.amount) == (Decimal("3.0000"), Decimal("0.00"))
    assert (stored.person_id, stored.period_id, stored.policy, stored.rule) == (
        bank.teller_1a.pk,
        march.pk,
        POLICY,
        RULE,
    )
    assert stored.event_id != person_entry.event_id
    assert stored.reason == "复核撤销"
    [person] = [b for b in balance_by_subject(user=s1_office, period=march) if b.person_id is not None]
    assert (person.points, person.amount, person.entries) == (Decimal("0.0000"), Decimal("0.00"), 2)


def test_money_reversal_negates_to_the_fen(bank: Bank, march: Period) -> None:
    entry = post_one(bank, march, amount="-1043.26")

    reversal = ledger_reverse(author=None, entry=entry, reason="撤销")

    assert LedgerEntry.objects.get(pk=reversal.pk).amount == Decimal("1043.26")


def test_an_entry_is_reversed_at_most_once(bank: Bank, march: Period, post_violation: PostViolation) -> None:
    entry, *_ = post_violation()
    ledger_reverse(author=None, entry=entry, reason="撤销")

    with pytest.raises(ApplicationError) as caught:
        ledger_reverse(author=None, entry=entry, reason="再撤销")

    assert caught.value.code == "already_reversed"
    assert LedgerEntry.objects.filter(reverses=entry).count() == 1


def test_a_reversal_cannot_be_reversed(bank: Bank, march: Period, post_violation: PostViolation) -> None:
    entry, *_ = post_violation()
    reversal = ledger_reverse(author=None, entry=entry, reason="撤销")

    with pytest.raises(ApplicationError) as caught:
        ledger_reverse(author=None, entry=reversal, reason="撤销撤销")

    assert caught.value.code == "reversal_of_reversal"
    assert LedgerEntry.objects.count() == 4


def test_reversing_an_event_gives_everyone_their_points_back(
    bank: Bank, march: Period, s1_office: User, post_violation: PostViolation
) -> None:
    entries = post_violation(author=s1_office)
    ledger_reverse(author=s1_office, entry=entries[0], reason="先撤销个人")

    reversals = ledger_reverse_event(author=s1_office, event_id=entries[0].event_id, reason="检查结论撤销")

    assert [(r.reverses_id, r.points) for r in reversals] == [
        (entries[1].pk, Decimal("5.0000")),
        (entries[2].pk, Decimal("4.0000")),
    ]
    assert len({r.event_id for r in reversals}) == 1
    assert {(b.points, b.amount) for b in balance_by_subject(user=s1_office, period=march)} == {
        (Decimal("0.0000"), Decimal("0.00"))
    }
    with pytest.raises(ApplicationError) as caught:
        ledger_reverse_event(author=s1_office, event_id=entries[0].event_id, reason="again")
    assert caught.value.code == "nothing_to_reverse"


def test_publishing_freezes_the_period_for_that_policy(
    bank: Bank, march: Period, april: Period, branch_office: User, post_violation: PostViolation
) -> None:
    entry, *_ = post_violation()

    lock = ledger_period_publish(author=branch_office, period=march, policy=POLICY)

    assert (lock.period, lock.policy, lock.locked_by) == (march, POLICY, branch_office)
    with pytest.raises(ApplicationError) as caught:
        post_violation(finding="F-2")
    assert caught.value.code == "period_published"
    with pytest.raises(ApplicationError) as caught:
        ledger_reverse(author=branch_office, entry=entry, reason="发布后撤销")
    assert caught.value.code == "period_published"
    with pytest.raises(ApplicationError) as caught:
        ledger_period_publish(author=branch_office, period=march, policy=POLICY)
    assert caught.value.code == "period_published"
    assert LedgerEntry.objects.count() == 3
    # Another period, or another policy in the same period, is still open.
    post_violation(period=april, finding="F-3")
    ledger_post(
        author=None,
        period=march,
        policy="r1_mystery_shopper",
        policy_version=2,
        rule="praise",
        entries=[EntrySpec(subject=bank.o1a, role=SubjectRole.UNIT_HEAD, amount=100, reason="表扬信")],
        evidence=Evidence(type=EvidenceType.PRAISE, id="P-1"),
    )
    assert LedgerEntry.objects.count() == 7


def test_only_the_head_office_or_a_branch_publishes(
    bank: Bank, march: Period, s1_office: User, admin: User
) -> None:
    with pytest.raises(PermissionDeniedError):
        ledger_period_publish(author=s1_office, period=march, policy=POLICY)
    assert not PeriodLock.objects.exists()

    ledger_period_publish(author=admin, period=march, policy=POLICY)

    assert PeriodLock.objects.count() == 1


def test_the_outsider_cannot_post_to_s1(bank: Bank, outsider: User, post_violation: PostViolation) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        post_violation(author=outsider)

    assert caught.value.field == "entries[0].subject"
    assert LedgerEntry.objects.count() == 0


def test_the_outsider_cannot_reverse_s1_entries(
    bank: Bank, outsider: User, post_violation: PostViolation
) -> None:
    entry, *_ = post_violation()

    with pytest.raises(PermissionDeniedError):
        ledger_reverse(author=outsider, entry=entry, reason="越权")
    with pytest.raises(PermissionDeniedError):
        ledger_reverse_event(author=outsider, event_id=entry.event_id, reason="越权")

    assert LedgerEntry.objects.count() == 3


def test_an_outlet_head_posts_only_inside_the_outlet(bank: Bank, march: Period, outlet_head: User) -> None:
    post_one(bank, march, author=outlet_head, points=1)

    with pytest.raises(PermissionDeniedError):
        post_one(bank, march, author=outlet_head, subject=bank.teller_1b, points=1)

    assert LedgerEntry.objects.count() == 1


def test_an_entry_stays_where_it_was_posted_after_the_person_moves(
    bank: Bank, march: Period, s1_office: User, branch_office: User, post_violation: PostViolation
) -> None:
    entry, *_ = post_violation()

    person_move(
        actor=branch_office, person=bank.teller_1a, to_unit=bank.o2a, effective_date=dt.date(2026, 4, 1)
    )
    reversal = ledger_reverse(author=s1_office, entry=entry, reason="调动后撤销")

    assert LedgerEntry.objects.get(pk=entry.pk).unit_path == bank.o1a.path
    assert LedgerEntry.objects.get(pk=reversal.pk).unit_path == bank.o1a.path


def test_posting_many_entries_takes_a_fixed_number_of_queries(
    bank: Bank, march: Period, s1_office: User, django_assert_max_num_queries: Any
) -> None:
    pairs: list[tuple[Person | Unit, SubjectRole]] = [
        (bank.teller_1a, SubjectRole.PERSON),
        (bank.o1b, SubjectRole.UNIT),
    ]
    entries = [
        EntrySpec(subject=subject, role=role, points=-1, reason="批量") for subject, role in pairs * 100
    ]

    # Subjects are read in two queries, not one per entry; SQLite inserts ~55 rows per statement.
    with django_assert_max_num_queries(12):
        posted = ledger_post(
            author=s1_office,
            period=march,
            policy=POLICY,
            policy_version=1,
            rule=RULE,
            entries=entries,
            evidence=Evidence(type=EvidenceType.SCORING_RUN, id="run-7"),
        )

    assert len(posted) == 200
    assert LedgerEntry.objects.filter(event_id=posted[0].event_id).count() == 200
