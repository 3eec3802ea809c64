"""An official run posts its ledger entries in bulk: the entries are exactly the engine's (same count,
same sums to the fen, each linked to the line it was computed on), a rescore reverses the earlier run
in bulk, a failure midway leaves nothing, and the queries do not grow with the number of subjects."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from youfu.conftest import Bank
from youfu.facts.choices import BatchSource
from youfu.facts.services import FactValue, facts_record
from youfu.ledger import services as ledger_services
from youfu.ledger.choices import EvidenceType, SubjectRole
from youfu.ledger.models import LedgerEntry
from youfu.org.choices import PeriodKind, Position, UnitKind
from youfu.org.models import Period, Person
from youfu.scoring import services
from youfu.scoring.choices import RunStatus
from youfu.scoring.models import PolicyVersion, ScoreLine, ScoreRun
from youfu.testing.factories import PersonFactory, make_unit

CASCADE = """\
schema: 1
id: cascade
name: 一人一事
version: 1
effective:
  from: 2025-01-01
  to: 2025-12-31
subjects:
  - id: person
    kind: person
    name: 员工
  - id: outlet
    kind: unit
    level: outlet
    name: 网点
  - id: outlet_head
    kind: head
    level: outlet
    name: 网点负责人
periods:
  unit: quarter
inputs:
  - name: violations
    type: number
    default: 0
rules:
  - id: video_violation
    description: 一人一事扣减本人3分、并扣所在部门5分、所在机构负责人4分
    subject: person
    when: violations > 0
    points: -3 * violations
    amount: -12.345 * violations
    also:
      - subject: outlet
        points: -5 * violations
      - subject: outlet_head
        points: -4 * violations
        amount: -0.005 * violations
  - id: clean
    description: 无违规
    subject: person
    when: violations = 0
    amount: 10.005
"""


def _quarter(number: int) -> Period:
    start = dt.date(2025, 3 * number - 2, 1)
    end = dt.date(2025 + (number == 4), (3 * number) % 12 + 1, 1) - dt.timedelta(days=1)
    return Period.objects.create(
        code=f"2025Q{number}", name=f"2025年第{number}季度", kind=PeriodKind.QUARTER, start=start, end=end
    )


def _violations(period: Period, people: list[Person]) -> None:
    facts_record(
        actor=None,
        period=period,
        values=[
            FactValue(subject=person, name="violations", value=Decimal(n % 3), row_number=n + 2)
            for n, person in enumerate(people)
        ],
        source=BatchSource.IMPORT,
        file_name=f"视频检查{period.code}.xlsx",
        sha256=uuid.uuid4().hex * 2,
        sheet="违规",
    )


def _grow(bank: Bank, outlets: int) -> list[Person]:
    """More outlets under S2, each with two tellers and a head."""
    people = []
    for n in range(outlets):
        outlet = make_unit(parent=bank.s2, code=f"O2X{n}", name=f"西城第{n}网点", kind=UnitKind.OUTLET)
        people += [PersonFactory.create(unit=outlet) for _ in range(2)]
        people.append(PersonFactory.create(unit=outlet, position=Position.OUTLET_HEAD))
    return people


@pytest.fixture
def cascade(db: None) -> PolicyVersion:
    return services.policy_version_upload(author=None, text=CASCADE, file_name="cascade.yaml")


def _tellers(bank: Bank) -> list[Person]:
    return [bank.teller_1a, bank.teller_1b, bank.teller_2a, bank.head_1a]


def _expected(people: list[Person]) -> tuple[int, Decimal, Decimal]:
    """Entries, amount and points of a run, worked out by hand from the violations (n % 3)."""
    count = amount = points = Decimal(0)
    for n, _person in enumerate(people):
        v = n % 3
        if v:
            count += 3  # the person, the outlet, the outlet head
            amount += (Decimal("-12.345") * v).quantize(Decimal("0.01"), "ROUND_HALF_UP")
            amount += (Decimal("-0.005") * v).quantize(Decimal("0.01"), "ROUND_HALF_UP")
            points += -12 * v
        else:
            count += 1
            amount += Decimal("10.01")
    return int(count), amount, points


def test_a_run_posts_exactly_the_engines_entries_linked_to_their_lines(
    bank: Bank, cascade: PolicyVersion
) -> None:
    q1 = _quarter(1)
    people = _tellers(bank)
    _violations(q1, people)

    run = services.score_period(author=None, version=cascade, period=q1)

    entries = LedgerEntry.objects.filter(evidence_type=EvidenceType.SCORING_RUN, evidence_id=str(run.pk))
    count, amount, points = _expected(people)
    assert run.entries == entries.count() == count == 8
    assert sum(e.amount for e in entries) == amount == Decimal("-17.04")
    assert sum(e.points for e in entries) == points == Decimal(-36)
    # The run's totals are its lines' (the rules of each subject); the shares are entries only.
    shares = entries.exclude(subject_role=SubjectRole.PERSON)
    assert run.total_amount == amount - sum(e.amount for e in shares)
    # One event per rule and source row; its link is the source person's line.
    for entry in entries:
        events = entries.filter(event_id=entry.event_id)
        source = events.get(subject_role=SubjectRole.PERSON)
        line = ScoreLine.objects.get(run=run, person=source.person)
        assert entry.evidence_url == reverse("scoring:line_detail", args=[run.pk, line.pk])
        assert entry.event_id == uuid.uuid5(
            services.NAMESPACE, f"{run.pk}:{entry.rule}:person:{line.person_id}"
        )
        assert entry.inputs == {"violations": line.values["violations"]}
        assert entry.policy == "cascade" and entry.policy_version == 1 and entry.period == q1
    head = entries.get(subject_role=SubjectRole.UNIT_HEAD, unit=bank.o1b)  # 李娜's one violation
    assert (head.points, head.amount, head.unit_path) == (Decimal(-4), Decimal("-0.01"), bank.o1b.path)
    assert head.reason == "一人一事扣减本人3分、并扣所在部门5分、所在机构负责人4分"


def test_a_rescore_reverses_the_earlier_run_and_posts_the_same_entries(
    bank: Bank, cascade: PolicyVersion
) -> None:
    q1 = _quarter(1)
    _violations(q1, _tellers(bank))
    first = services.score_period(author=None, version=cascade, period=q1)

    again = services.score_period(author=None, version=cascade, period=q1)

    def shape(run: ScoreRun) -> list[tuple[Any, ...]]:
        rows = LedgerEntry.objects.filter(evidence_id=str(run.pk), reverses__isnull=True)
        return sorted(
            (e.rule, e.subject_role, e.person_id, e.unit_id, e.points, e.amount, e.inputs, e.reason)
            for e in rows
        )

    first.refresh_from_db()
    assert first.status == RunStatus.SUPERSEDED
    assert shape(first) == shape(again)
    old = LedgerEntry.objects.filter(evidence_id=str(first.pk))
    assert old.count() == 16 and sum(e.amount for e in old) == 0 and sum(e.points for e in old) == 0
    standing = LedgerEntry.objects.filter(evidence_id=str(again.pk))
    assert sum(e.amount for e in LedgerEntry.objects.filter(period=q1)) == sum(e.amount for e in standing)


def test_a_failure_midway_leaves_no_entry_and_the_earlier_run_standing(
    bank: Bank, cascade: PolicyVersion, monkeypatch: Any
) -> None:
    q1 = _quarter(1)
    _violations(q1, _tellers(bank))
    first = services.score_period(author=None, version=cascade, period=q1)
    before = list(LedgerEntry.objects.values_list("pk", flat=True))
    inserted: list[int] = []
    real_insert = ledger_services._insert_rows

    def failing(rows: Any) -> None:
        if len(inserted) == 3:  # the reversal of the first run and two batches of the new one are in
            raise IntegrityError("the database went away")
        real_insert(rows)
        inserted.append(len(rows))

    monkeypatch.setattr(ledger_services, "LEDGER_BATCH", 2)
    monkeypatch.setattr(ledger_services, "_insert_rows", failing)

    with pytest.raises(IntegrityError):
        services.score_period(author=None, version=cascade, period=q1)

    assert len(inserted) == 3
    assert list(LedgerEntry.objects.values_list("pk", flat=True)) == before
    assert ScoreRun.objects.get() == first
    first.refresh_from_db()
    assert first.status == RunStatus.POSTED


def test_the_queries_of_a_run_do_not_grow_with_the_number_of_subjects(
    bank: Bank, cascade: PolicyVersion, django_assert_max_num_queries: Any
) -> None:
    q1, q2 = _quarter(1), _quarter(2)
    _violations(q1, _tellers(bank))
    with CaptureQueriesContext(connection) as small:
        small_run = services.score_period(author=None, version=cascade, period=q1)
    people = _tellers(bank) + _grow(bank, 12)
    _violations(q2, people)

    with django_assert_max_num_queries(len(small.captured_queries)):
        big_run = services.score_period(author=None, version=cascade, period=q2)

    count, amount, _points = _expected(people)
    assert small_run.entries == 8
    assert big_run.entries == count == LedgerEntry.objects.filter(evidence_id=str(big_run.pk)).count()
    assert sum(e.amount for e in LedgerEntry.objects.filter(evidence_id=str(big_run.pk))) == amount
    assert big_run.subjects > 4 * small_run.subjects


def test_the_persons_explanation_shows_what_the_same_event_cost_the_others(
    bank: Bank, cascade: PolicyVersion, branch_office: Any
) -> None:
    from youfu.scoring import selectors

    q1 = _quarter(1)
    _violations(q1, _tellers(bank))
    run = services.score_period(author=None, version=cascade, period=q1)
    line = ScoreLine.objects.get(run=run, person=bank.teller_1b)  # one violation

    rule = next(
        r for r in selectors.line_explain(user=branch_office, line=line).rules if r.id == "video_violation"
    )

    assert [(e.subject_role, e.unit_id, e.points, e.amount) for e in rule.share_entries] == [
        (SubjectRole.UNIT, bank.o1b.pk, Decimal(-5), Decimal(0)),
        (SubjectRole.UNIT_HEAD, bank.o1b.pk, Decimal(-4), Decimal("-0.01")),
    ]
    assert {e.event_id for e in rule.share_entries} == {rule.entries[0].entry.event_id}
