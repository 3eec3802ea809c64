"""Property: whatever posts and reversals happen, each subject's balance is exactly the sum of its
entries that were never reversed (a reversal and its original net to zero)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from youfu.accounts.models import User
from youfu.conftest import Bank
from youfu.ledger.choices import EvidenceType, SubjectRole
from youfu.ledger.models import LedgerEntry
from youfu.ledger.selectors import balance_by_subject
from youfu.ledger.services import EntrySpec, Evidence, ledger_post, ledger_reverse
from youfu.ledger.tests.conftest import POLICY, RULE
from youfu.org.models import Period

points = st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False, allow_infinity=False)
amounts = st.decimals(min_value=-100_000, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
post = st.tuples(st.just("post"), st.integers(0, 2), points, amounts)
reverse = st.tuples(st.just("reverse"), st.integers(0, 10_000))
operations = st.lists(st.one_of(post, reverse), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_balance_is_the_sum_of_entries_never_reversed(
    bank: Bank, march: Period, admin: User, steps: list[tuple]
) -> None:
    subjects = [
        (bank.teller_1a, SubjectRole.PERSON),
        (bank.o1a, SubjectRole.UNIT),
        (bank.o1a, SubjectRole.UNIT_HEAD),
    ]
    with transaction.atomic():  # each example starts from an empty ledger
        originals: list[LedgerEntry] = []
        reversed_ids: set[int] = set()
        for step in steps:
            if step[0] == "post":
                _, which, point, amount = step
                if not point and not amount:
                    continue
                subject, role = subjects[which]
                originals += ledger_post(
                    author=admin,
                    period=march,
                    policy=POLICY,
                    policy_version=1,
                    rule=RULE,
                    entries=[EntrySpec(subject=subject, role=role, points=point, amount=amount, reason="p")],
                    evidence=Evidence(type=EvidenceType.MANUAL),
                )
            elif originals:
                target = originals[step[1] % len(originals)]
                if target.pk not in reversed_ids:
                    ledger_reverse(author=admin, entry=target, reason="r")
                    reversed_ids.add(target.pk)

        expected: dict[tuple[str, int | None, int | None], list[Decimal]] = defaultdict(
            lambda: [Decimal(0), Decimal(0)]
        )
        for entry in originals:
            # A subject whose entries were all reversed still has a balance: zero.
            totals = expected[(entry.subject_role, entry.person_id, entry.unit_id)]
            if entry.pk not in reversed_ids:
                totals[0] += entry.points
                totals[1] += entry.amount

        balances = balance_by_subject(user=admin, period=march)

        assert {(b.subject_role, b.person_id, b.unit_id): [b.points, b.amount] for b in balances} == dict(
            expected
        )
        assert all(
            b.points.as_tuple().exponent == -4 and b.amount.as_tuple().exponent == -2 for b in balances
        )
        transaction.set_rollback(True)
