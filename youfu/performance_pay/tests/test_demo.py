"""The performance-pay part of the demo, on top of the demo bank and the appraisal's closed quarter: a
pool of 城东支行营业部 computed from imported balances, its payroll sheet with the grades' bonus items,
the pages for `zhihang1` and `yuangong`."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from youfu.accounts.models import User
from youfu.appraisal import demo as appraisal_demo
from youfu.org import demo as org_demo
from youfu.org.demo import DEMO_PASSWORD
from youfu.performance_pay import demo, payroll
from youfu.performance_pay.models import Allocation, Pool


def test_the_demo_pool(db: None) -> None:
    org_demo.demo_bank_create(seed=2026)
    appraisal_demo.demo_appraisal_create(seed=2026)
    labels: list[str] = []

    summary = demo.demo_pay_create(seed=2026, progress=labels.append)

    assert len(labels) == demo.STEPS
    pool = Pool.objects.get()
    assert Allocation.objects.get().pool == pool and summary.people > 5
    office = User.objects.get(username="zhihang1")
    sheet = payroll.payroll_build(user=office, pool=pool)
    assert sheet is not None and sheet.pool_column_total == pool.total == demo.POOL_TOTAL
    assert sheet.cycle is not None and not sheet.allocation.warnings  # priced within 10–20%
    grades = {row.grade for row in sheet.rows}
    assert len(grades) >= 3 and all(row.grade for row in sheet.rows)
    assert any(row.bonus["a"] is None for row in sheet.rows if row.grade in ("良", "一般"))
    client = Client()
    client.login(username="zhihang1", password=DEMO_PASSWORD)
    page = client.get(reverse("performance_pay:pool", args=[pool.pk])).content.decode()
    assert 'id="allocation-chart"' in page and 'id="compute"' in page
    assert client.get(reverse("performance_pay:payroll", args=[pool.pk])).status_code == 200
    client.login(username="yuangong", password=DEMO_PASSWORD)
    own = client.get(reverse("api:performance-pay-allocation", args=[pool.pk])).json()
    assert len(own["lines"]) == 1
    demo.demo_pay_delete()
    assert not demo.demo_pay_exists()
