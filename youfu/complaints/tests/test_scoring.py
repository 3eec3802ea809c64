"""A valid complaint and a praise letter become facts, the reference policy scores them, the ledger
holds the outlet's, the outlet head's and the people's entries, and the explanation leads back to the
complaint numbers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from youfu.complaints import services
from youfu.complaints.choices import Category, Channel, ComplaintKind
from youfu.complaints.tests.conftest import MONDAY, at
from youfu.facts.models import Fact
from youfu.ledger.choices import SubjectRole
from youfu.ledger.models import LedgerEntry
from youfu.policies.checker import check_policy
from youfu.policies.findings import Severity
from youfu.scoring import selectors as scoring_selectors
from youfu.scoring import services as scoring
from youfu.scoring.models import ScoreLine

pytestmark = pytest.mark.django_db

POLICY = Path(__file__).resolve().parent.parent / "reference" / "complaints_praise.yaml"


def _judged(actor, complaint, verdict="valid"):
    services.complaint_resolve(
        actor=actor, complaint=complaint, resolution="已处理", now=at(2025, 7, 7, 15, 0)
    )
    return services.complaint_judge(actor=actor, complaint=complaint, verdict=verdict, reason="经核实")


def test_the_reference_policy_passes_the_checker():
    assert [f for f in check_policy(POLICY) if f.severity is Severity.ERROR] == []


def test_a_valid_complaint_reaches_the_outlet_heads_ledger_and_explains_itself(
    bank, quarters, hotline, s1_handler, branch_office
):
    _judged(s1_handler, hotline)
    praise = services.complaint_register(
        actor=s1_handler,
        kind=ComplaintKind.PRAISE,
        channel=Channel.LETTER,
        unit=bank.o1a,
        category=Category.SKILLS,
        summary="表扬信",
        people=[bank.teller_1a],
        received_at=MONDAY,
        now=MONDAY,
    )
    _judged(s1_handler, praise)
    invalid = services.complaint_register(
        actor=s1_handler,
        kind="complaint",
        channel=Channel.HOTLINE_95580,
        unit=bank.o1a,
        category=Category.ATTITUDE,
        summary="无理投诉",
        received_at=MONDAY,
        now=MONDAY,
    )
    _judged(s1_handler, invalid, verdict="invalid")

    facts = {
        (f.unit_id, f.person_id, f.name): f
        for f in Fact.objects.filter(period__code="2025Q3", is_current=True)
    }
    head_fact = facts[(bank.o1a.pk, None, "complaints_valid_subjective")]
    assert head_fact.value == Decimal(1)
    assert facts[(None, bank.teller_1a.pk, "praise_count")].value == Decimal(1)
    assert hotline.number in head_fact.note and invalid.number not in head_fact.note

    version = scoring.policy_version_upload(author=None, text=POLICY.read_text(), file_name=POLICY.name)
    run = scoring.score_period(author=None, version=version, period=quarters[2])

    entries = {
        (e.subject_role, e.unit_id, e.person_id, e.rule): (e.points, e.amount)
        for e in LedgerEntry.objects.filter(period=quarters[2], policy="complaints_praise")
    }
    assert entries == {
        (SubjectRole.UNIT_HEAD, bank.o1a.pk, None, "head_subjective_complaints"): (
            Decimal(-5),
            Decimal(-300),
        ),
        (SubjectRole.UNIT, bank.o1a.pk, None, "outlet_valid_complaints"): (Decimal(-5), Decimal(0)),
        (SubjectRole.UNIT, bank.o1a.pk, None, "outlet_praise"): (Decimal(2), Decimal(0)),
        (SubjectRole.PERSON, None, bank.teller_1a.pk, "person_subjective_complaints"): (
            Decimal(-5),
            Decimal(-300),
        ),
        (SubjectRole.PERSON, None, bank.teller_1a.pk, "person_praise"): (Decimal(2), Decimal(100)),
    }

    line = ScoreLine.objects.get(run=run, subject="outlet_head", unit=bank.o1a)
    explained = scoring_selectors.line_explain(user=branch_office, line=line)
    rule = next(r for r in explained.rules if r.id == "head_subjective_complaints")
    assert rule.fired and rule.amount == Decimal(-300)
    used = {u.name: u for u in rule.used}
    evidence = used["complaints_valid_subjective"].evidence
    assert evidence is not None and hotline.number in evidence.note and "/complaints/" in evidence.note
