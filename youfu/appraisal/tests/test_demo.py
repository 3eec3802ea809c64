"""The appraisal's part of the demo, on top of the demo bank: a closed quarter with results worked out
by the policy, an appeal waiting, the next quarter open with `yuangong`'s plan ready to fill."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from youfu.appraisal import demo
from youfu.appraisal.choices import AppealStatus, CycleStatus, FormStatus
from youfu.appraisal.models import Appeal, Cycle, MonthlyForm, QuarterResult
from youfu.org import demo as org_demo
from youfu.org.demo import DEMO_PASSWORD


def test_the_demo_quarter(db: None) -> None:
    org_demo.demo_bank_create(seed=2026)
    labels: list[str] = []
    summary = demo.demo_appraisal_create(seed=2026, progress=labels.append)
    assert len(labels) == demo.STEPS
    closed, open_ = Cycle.objects.order_by("period__start")
    assert (closed.status, open_.status) == (CycleStatus.CLOSED, CycleStatus.OPEN)
    results = QuarterResult.objects.filter(cycle=closed)
    assert summary.results == results.count() == summary.people > 5
    assert len(set(results.values_list("grade", flat=True))) >= 3  # a distribution worth a chart
    assert Appeal.objects.get().status == AppealStatus.PENDING
    april = MonthlyForm.objects.get(
        cycle=open_, person__user__username="yuangong", month__code__endswith="-04"
    )
    assert april.status == FormStatus.PLAN_SUBMITTED
    assert demo.demo_appraisal_exists()
    # The demo's logins find their pages: the panel its board and the appeal, the teller her April form.
    client = Client()
    client.login(username="kaoping", password=DEMO_PASSWORD)
    board = client.get(reverse("appraisal:cycle", args=[closed.pk])).content.decode()
    assert 'id="silent-warning"' in board and 'id="grade-chart"' in board
    appeal = Appeal.objects.get()
    assert 'id="decide-form"' in client.get(reverse("appraisal:appeal", args=[appeal.pk])).content.decode()
    result = results.first()
    assert result is not None
    assert client.get(reverse("appraisal:result", args=[result.pk])).status_code == 200
    assert client.get(reverse("appraisal:person", args=[result.person_id])).status_code == 200
    client.login(username="yuangong", password=DEMO_PASSWORD)
    page = client.get(reverse("appraisal:form", args=[april.pk])).content.decode()
    assert 'id="fill-form"' in page
    demo.demo_appraisal_delete()
    assert not demo.demo_appraisal_exists() and not QuarterResult.objects.exists()
