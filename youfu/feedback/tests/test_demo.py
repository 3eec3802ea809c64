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


@pytest.mark.django_db
def test_demo_callbacks_and_survey(_data_dir):
    from youfu.feedback.demo import (
        demo_satisfaction_create,
        demo_satisfaction_delete,
        demo_satisfaction_exists,
    )
    from youfu.feedback.models import CallbackCall, CallbackDraw, SurveyResponse

    demo_bank_create(seed=2026)
    started = time.perf_counter()
    summary = demo_satisfaction_create(seed=2026)
    elapsed = time.perf_counter() - started
    assert summary.draws == CallbackDraw.objects.count() == 13 * 40  # 12 full months and this one, 40 outlets
    assert CallbackCall.objects.filter(status="reached").count() == summary.calls == 12 * 40 * 10
    assert CallbackCall.objects.filter(status="pending").count() == 40 * 10
    assert summary.responses == SurveyResponse.objects.count() > 100
    assert Fact.objects.filter(name="callback_points").exists() or summary.facts == 0
    print(f"satisfaction demo: {elapsed:.1f} s")
    assert elapsed < 60
    assert demo_satisfaction_delete() == summary.draws and not demo_satisfaction_exists()
