"""The demo part: a year of queue tickets and diversion figures for every outlet of the demo bank,
targets at the branch with one override, some outlets red and some amber; quick; removable."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from youfu.org.demo import demo_bank_create
from youfu.reports import selectors
from youfu.reports.choices import BatchSource, Kpi
from youfu.reports.demo import demo_reports_create, demo_reports_delete, demo_reports_exists, demo_window
from youfu.reports.forms import last_month
from youfu.reports.models import KpiTarget, QueueBatch


@pytest.mark.django_db
def test_demo_builds_a_year_with_spreads(_data_dir):
    demo_bank_create(seed=2026)
    started = time.perf_counter()
    summary = demo_reports_create(seed=2026)
    elapsed = time.perf_counter() - started
    start, end = demo_window(timezone.localdate())
    assert (end - start).days >= 360 and summary.outlets >= 30
    assert QueueBatch.objects.filter(source=BatchSource.DEMO).count() == summary.batches >= 12
    assert summary.tickets > 500_000
    assert KpiTarget.objects.filter(unit__kind="branch").count() >= 3
    assert KpiTarget.objects.filter(unit__kind="sub_branch").count() == 1
    first, last = last_month(timezone.localdate())
    board = selectors.board(user=None, unit=None, start=first, end=last)
    colours = {r.values[Kpi.WAIT_AVG].rag for r in board.outlets} | {
        r.values[Kpi.DIVERSION_RATE].rag for r in board.outlets
    }
    assert {"green", "amber", "red"} <= colours
    assert elapsed < 60  # well under 20 s on a quiet machine; the bound only catches a runaway
    assert demo_reports_delete() == summary.batches and not demo_reports_exists()
    assert not KpiTarget.objects.exists()
