from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404

from youfu.accounts.models import User
from youfu.conftest import Bank
from youfu.ledger.choices import EvidenceType, SubjectRole
from youfu.ledger.selectors import balance_by_subject, entry_explain, entry_list
from youfu.ledger.services import EntrySpec, Evidence, ledger_post, ledger_reverse
from youfu.ledger.tests.conftest import POLICY, PostViolation
from youfu.org.models import Period


def post_to_s2(bank: Bank, period: Period) -> None:
    ledger_post(
        author=None,
        period=period,
        policy=POLICY,
        policy_version=1,
        rule="callback_satisfied",
        entries=[EntrySpec(subject=bank.teller_2a, role=SubjectRole.PERSON, points=2, reason="回访满意")],
        evidence=Evidence(type=EvidenceType.RATING_BATCH, id="B-1"),
    )


def test_each_user_sees_only_entries_in_their_subtree(
    bank: Bank,
    march: Period,
    s1_office: User,
    outlet_head: User,
    outsider: User,
    branch_office: User,
    admin: User,
    post_violation: PostViolation,
) -> None:
    s1_entries = post_violation()
    post_to_s2(bank, march)
    s1_ids = [entry.pk for entry in s1_entries]

    assert [e.pk for e in entry_list(user=s1_office)] == s1_ids
    assert [e.pk for e in entry_list(user=outlet_head)] == s1_ids
    assert [e.person_id for e in entry_list(user=outsider)] == [bank.teller_2a.pk]
    assert entry_list(user=branch_office).count() == 4
    assert entry_list(user=admin).count() == 4


def test_the_outsider_sees_no_s1_balance_and_cannot_open_an_s1_entry(
    bank: Bank, march: Period, outsider: User, post_violation: PostViolation
) -> None:
    entry, *_ = post_violation()
    post_to_s2(bank, march)

    balances = balance_by_subject(user=outsider, period=march)

    assert [(b.name, b.points) for b in balances] == [("王芳", Decimal("2.0000"))]
    with pytest.raises(Http404):
        entry_explain(user=outsider, entry=entry)
    with pytest.raises(Http404):
        entry_explain(user=outsider, entry=entry.pk)


def test_a_user_without_a_unit_sees_nothing(bank: Bank, march: Period, post_violation: PostViolation) -> None:
    post_violation()
    nobody = User.objects.create(username="nobody")

    assert entry_list(user=nobody).count() == 0
    assert balance_by_subject(user=nobody, period=march) == []


def test_balances_by_policy_and_with_money(bank: Bank, march: Period, s1_office: User) -> None:
    for amount in ("-1043.26", "0.10", "0.20"):
        ledger_post(
            author=s1_office,
            period=march,
            policy="r1_mystery_shopper",
            policy_version=1,
            rule="phases_1_2_missed",
            entries=[EntrySpec(subject=bank.o1a, role=SubjectRole.UNIT_HEAD, amount=amount, reason="未达标")],
            evidence=Evidence(type=EvidenceType.SCORING_RUN, id="run-1"),
        )
    ledger_post(
        author=s1_office,
        period=march,
        policy=POLICY,
        policy_version=1,
        rule="praise",
        entries=[EntrySpec(subject=bank.o1a, role=SubjectRole.UNIT_HEAD, points="1.5", reason="表扬")],
        evidence=Evidence(type=EvidenceType.PRAISE, id="P-1"),
    )

    [r1] = balance_by_subject(user=s1_office, period=march, policy="r1_mystery_shopper")
    [both] = balance_by_subject(user=s1_office, period=march)

    assert (r1.subject_role, r1.unit_id, r1.points, r1.amount, r1.entries) == (
        SubjectRole.UNIT_HEAD,
        bank.o1a.pk,
        Decimal("0.0000"),
        Decimal("-1042.96"),
        3,
    )
    assert (both.points, both.amount, both.entries) == (Decimal("1.5000"), Decimal("-1042.96"), 4)
    assert str(both.amount) == "-1042.96"
    assert balance_by_subject(user=s1_office, period=march, policy="no_such_policy") == []


def test_explain_shows_the_event_and_the_reversal(
    bank: Bank, march: Period, s1_office: User, post_violation: PostViolation
) -> None:
    person, unit, head = post_violation()
    reversal = ledger_reverse(author=s1_office, entry=person, reason="复核撤销")

    explained = entry_explain(user=s1_office, entry=person)

    assert explained.entry == person
    assert explained.entry.rule == "video_violation" and explained.entry.evidence_id == "F-1"
    assert explained.siblings == [unit, head]
    assert explained.reversed_by == reversal
    assert explained.reverses is None
    of_reversal = entry_explain(user=s1_office, entry=reversal.pk)
    assert (of_reversal.reverses, of_reversal.reversed_by, of_reversal.siblings) == (person, None, [])
