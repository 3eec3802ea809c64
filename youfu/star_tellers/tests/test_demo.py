"""The star-tellers part of the demo: skills scores imported, the last full month rated through the
policy, star pay in the ledger, and a teller of the outlet of the demo login `wangdian` shown with a star
level on the person page."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from youfu.accounts.models import User
from youfu.facts.models import FactBatch
from youfu.feedback.demo import demo_feedback_create
from youfu.ledger.models import LedgerEntry
from youfu.org.choices import Position
from youfu.org.demo import demo_bank_create
from youfu.org.models import Person
from youfu.star_tellers.demo import (
    demo_star_tellers_create,
    demo_star_tellers_delete,
    demo_star_tellers_exists,
    last_full_month,
)
from youfu.star_tellers.selectors import star_list


@pytest.mark.django_db
def test_demo_rates_the_last_full_month(settings, tmp_path):
    settings.FEEDBACK_DATA_DIR = tmp_path / "feedback"
    demo_bank_create(seed=2026)
    demo_feedback_create(seed=2026)
    started = time.perf_counter()
    summary = demo_star_tellers_create(seed=2026)
    elapsed = time.perf_counter() - started
    period = last_full_month(timezone.localdate())
    assert period is not None and summary.period == period.code
    assert FactBatch.objects.filter(file_name=f"业务技能考核_{period.code}.xlsx").exists()
    assert summary.tellers > 100 and 0 < summary.stars < summary.tellers
    entries = LedgerEntry.objects.filter(policy="star_tellers", period=period)
    assert entries.count() == summary.entries == summary.stars
    assert {entry.amount for entry in entries} == {200}
    wangdian = User.objects.get(username="wangdian")
    result = star_list(user=wangdian, period=period)
    assert result.lines and all(line.unit_id == wangdian.unit_id for line in result.lines)
    assert any(line.level > 0 for line in result.lines)
    teller = (
        Person.objects.filter(unit=wangdian.unit, position=Position.TELLER).order_by("employee_no").first()
    )
    assert teller is not None
    client = Client()
    client.force_login(wangdian)
    page = client.get(reverse("org:person_detail", args=[teller.pk])).content.decode()
    assert 'id="star-panel"' in page and period.code in page
    assert len(star_list(user=User.objects.get(username="fuwuban"), period=period).left_out) == 2
    assert elapsed < 15
    demo_star_tellers_delete()
    assert not demo_star_tellers_exists()
