from __future__ import annotations

import time

import pytest
from django.utils import timezone

from youfu.facts.models import Fact
from youfu.feedback.choices import BatchSource, Grouping
from youfu.feedback.demo import demo_feedback_create, demo_feedback_delete, demo_feedback_exists, demo_window
from youfu.feedback.models import RatingBatch
from youfu.feedback.selectors import rates_for_scope
from youfu.org.demo import demo_bank_create


@pytest.mark.django_db
def test_demo_loads_two_months_or_more_of_ratings_for_every_teller(_data_dir):
    demo_bank_create(seed=2026)
    started = time.perf_counter()
    summary = demo_feedback_create(seed=2026)
    elapsed = time.perf_counter() - started
    start, end = demo_window(timezone.localdate())
    assert (end - start).days >= 31 and summary.tellers > 100
    assert RatingBatch.objects.filter(source=BatchSource.DEMO).count() == summary.batches >= 2
    tellers = rates_for_scope(path="", start=start, end=end, grouping=Grouping.PERSON)
    assert len(tellers) == summary.tellers
    assert sum(line.transactions for line in tellers) == summary.rows
    evaluation = [line.evaluation_rate for line in tellers]
    satisfaction = [line.satisfaction_rate for line in tellers]
    assert all(e is not None and 60 <= e <= 100 for e in evaluation)
    assert all(s is not None and 70 <= s <= 100 for s in satisfaction)
    rated = [s for s in satisfaction if s is not None]
    assert max(rated) - min(rated) > 5  # a spread, not one number
    assert (
        Fact.objects.filter(name="rating_satisfaction_rate").count() == summary.facts // 6
        or summary.facts > 0
    )
    assert elapsed < 60  # a few seconds on a quiet machine; the bound only catches a runaway
    assert demo_feedback_delete() == summary.batches and not demo_feedback_exists()
