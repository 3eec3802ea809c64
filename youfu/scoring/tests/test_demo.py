"""The demo's scoring: R1 by quarter and R2, the 100-day competition, over its own period, with the
cascade of a violation, the awards and the last X in the ledger."""

from __future__ import annotations

from collections import Counter

import pytest

from youfu.facts.demo import demo_facts_create, demo_year
from youfu.ledger.choices import EvidenceType, SubjectRole
from youfu.ledger.models import LedgerEntry
from youfu.org.choices import PeriodKind
from youfu.org.demo import demo_bank_create
from youfu.scoring.demo import demo_scoring_create
from youfu.scoring.models import ScoreLine, ScoreRun


@pytest.mark.django_db
def test_the_demo_scores_r1_by_quarter_and_the_100_day_competition() -> None:
    demo_bank_create(seed=2026)
    demo_facts_create(seed=2026)

    summary = demo_scoring_create(seed=2026)

    year = demo_year()
    r2 = ScoreRun.objects.get(policy_version__policy="r2_competition_100_days")
    assert (r2.period.kind, r2.period.start.isoformat(), r2.period.end.isoformat()) == (
        PeriodKind.CUSTOM,
        f"{year}-08-01",
        f"{year}-11-10",
    )
    assert r2.period.days == 102
    assert summary.runs == 4 and summary.competition_entries == r2.entries > 600
    entries = LedgerEntry.objects.filter(evidence_type=EvidenceType.SCORING_RUN, evidence_id=str(r2.pk))
    by_rule = Counter(entries.values_list("rule", "subject_role"))
    assert (
        by_rule[("person_start", SubjectRole.PERSON)]
        == ScoreLine.objects.filter(run=r2, subject="person").count()
    )
    assert by_rule[("outlet_start", SubjectRole.UNIT)] == 40
    # the cascade: a violation costs the person and the outlet head (or the office, for office staff)
    assert by_rule[("video_violation", SubjectRole.PERSON)] > 0
    assert by_rule[("video_violation", SubjectRole.UNIT_HEAD)] > 0
    assert by_rule[("video_violation", SubjectRole.UNIT)] > 0
    # awards and the last X: a few people, not everyone tied
    assert 3 <= by_rule[("service_star", SubjectRole.PERSON)] <= 8
    assert 3 <= by_rule[("bottom_x", SubjectRole.PERSON)] <= 8
    assert by_rule[("advanced_unit", SubjectRole.UNIT)] >= 1
    people = ScoreLine.objects.filter(run=r2, subject="person")
    assert len({line.total_points for line in people}) > 10  # a spread, not a flat 100
    assert ScoreLine.objects.filter(run=r2, subject="outlet").count() == 40
