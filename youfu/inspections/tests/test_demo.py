"""The inspections demo's fourth-quarter plan: done, late and missed visits against the demo's checks."""

from __future__ import annotations

import datetime as dt

import pytest

from youfu.accounts.models import User
from youfu.facts.demo import demo_year
from youfu.inspections import selectors
from youfu.inspections.demo import demo_inspections_create, demo_inspections_delete
from youfu.inspections.models import InspectionPlan, OutletLocation
from youfu.org.demo import demo_bank_create
from youfu.standards.demo import demo_standards_create


@pytest.mark.django_db
def test_demo_plan_shows_done_late_and_missed_visits() -> None:
    demo_bank_create(seed=2026)
    demo_standards_create()
    summary = demo_inspections_create(seed=2026)
    plan = InspectionPlan.objects.get()
    year = demo_year()
    assert plan.period.start == dt.date(year, 10, 1) and plan.mystery_share == 60
    office = User.objects.get(username="fuwuban")
    rows = selectors.plan_rows(user=office, plan=plan, today=dt.date(year + 1, 1, 31))
    total, groups = selectors.plan_coverage(rows)
    assert total.done > 0 and total.late == 2 and total.missed > 0 and total.pending == 0
    assert (summary.plan_done, summary.plan_late, summary.plan_missed) == (
        total.done,
        total.late,
        total.missed,
    )
    assert total.done + total.late + total.missed == total.total == plan.visits.count()
    assert len(groups) > 1 and total.flagged == 1
    # every mystery-shopper visit of the quarter was made: the demo has one per outlet and quarter
    assert all(r.status == "done" for r in rows if r.visit.kind == "mystery_shopper")
    assert OutletLocation.objects.count() == len({r.visit.outlet_id for r in rows})
    demo_inspections_delete()
    assert not InspectionPlan.objects.exists() and not OutletLocation.objects.exists()
