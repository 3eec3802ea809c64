"""Inspection plans: generation, the reproducible draw, status at the window edges, coverage, evidence
flags, access by subtree, pages, API and CLI."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.inspections import planning, selectors, services
from youfu.inspections.choices import InspectionKind
from youfu.inspections.models import InspectionPlan, PlannedVisit
from youfu.inspections.tests.conftest import PERFECT, Upload, checked, photo_bytes
from youfu.org.choices import UnitKind
from youfu.testing.factories import make_unit

Q2_END = dt.date(2025, 6, 30)


# --- The rules alone ------------------------------------------------------------------------------


def test_windows_cut_the_period_in_order_first_ones_longer() -> None:
    cut = planning.windows(dt.date(2025, 10, 1), dt.date(2025, 12, 31), 3)  # 92 days: 31, 31, 30
    assert cut == [
        (dt.date(2025, 10, 1), dt.date(2025, 10, 31)),
        (dt.date(2025, 11, 1), dt.date(2025, 12, 1)),
        (dt.date(2025, 12, 2), dt.date(2025, 12, 31)),
    ]
    assert planning.windows(dt.date(2025, 10, 1), dt.date(2025, 12, 31), 1) == [
        (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    ]


@pytest.mark.parametrize(
    ("total", "share", "count"), [(5, 60, 3), (7, 60, 4), (3, 50, 2), (10, 60, 6), (4, 0, 0)]
)
def test_mystery_count_rounds_half_up(total: int, share: int, count: int) -> None:
    assert planning.mystery_count(total, share) == count


def test_fixed_draw_spreads_evenly_and_random_draw_repeats_with_its_seed() -> None:
    assert planning.draw(5, 3, random_draw=False, seed=0) == {1, 3, 4}
    first = planning.draw(40, 24, random_draw=True, seed=20251001)
    assert len(first) == 24
    assert planning.draw(40, 24, random_draw=True, seed=20251001) == first
    assert planning.draw(40, 24, random_draw=True, seed=7) != first


def _classify(check: dt.date | None, today: dt.date, grace: int = 10) -> str:
    due = planning.Due(1, 1, "on_site", dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    checks = [planning.Check(9, 1, "on_site", check)] if check else []
    return planning.classify([due], checks, today=today, grace_days=grace)[1].status


def test_status_at_the_window_edges() -> None:
    late_day = dt.date(2025, 12, 31)
    assert _classify(dt.date(2025, 3, 31), late_day) == "missed"  # before the window: not this visit
    assert _classify(dt.date(2025, 4, 1), late_day) == "done"  # first day
    assert _classify(dt.date(2025, 6, 30), late_day) == "done"  # last day
    assert _classify(dt.date(2025, 7, 1), late_day) == "late"  # the day after
    assert _classify(dt.date(2025, 7, 10), late_day) == "late"  # the last day allowed
    assert _classify(dt.date(2025, 7, 11), late_day) == "missed"  # one day too late
    assert _classify(None, dt.date(2025, 6, 30)) == "pending"  # window still open
    assert _classify(None, dt.date(2025, 7, 1)) == "missed"  # window passed without one


def test_one_check_makes_one_visit_and_an_in_window_check_wins() -> None:
    first = planning.Due(1, 1, "on_site", dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    second = planning.Due(2, 1, "on_site", dt.date(2025, 5, 1), dt.date(2025, 5, 31))
    checks = [planning.Check(9, 1, "on_site", dt.date(2025, 5, 3))]
    out = planning.classify([first, second], checks, today=dt.date(2025, 7, 1), grace_days=30)
    assert (out[1].status, out[2].status, out[2].check) == ("missed", "done", 9)
    other_kind = [planning.Check(9, 1, "video", dt.date(2025, 4, 3))]
    assert (
        planning.classify([first], other_kind, today=dt.date(2025, 7, 1), grace_days=0)[1].status == "missed"
    )


def test_distance_in_metres() -> None:
    # 0.01° of latitude is about 1.11 km.
    assert (
        1100
        < planning.distance_m(Decimal("31.23"), Decimal("121.47"), Decimal("31.24"), Decimal("121.47"))
        < 1125
    )


# --- Plans in the database ------------------------------------------------------------------------


@pytest.fixture
def five_outlets(bank: Any) -> list[Any]:
    """S1 gets three more outlets: O1A … O1E (and an inactive one that no plan includes)."""
    for code in ("O1C", "O1D", "O1E"):
        make_unit(parent=bank.s1, code=code, name=f"网点{code}", kind=UnitKind.OUTLET)
    make_unit(parent=bank.s1, code="O1Z", name="已撤并网点", kind=UnitKind.OUTLET, is_active=False)
    return [bank.o1a, bank.o1b]


def plan(actor: Any, scope: Any, period: Any, **kw: Any) -> InspectionPlan:
    kw.setdefault("kind", InspectionKind.ON_SITE)
    return services.plan_create(actor=actor, name="二季度检查", period=period, scope=scope, **kw)


def test_plan_generates_every_active_outlets_visits_with_the_exact_share(
    bank: Any, s1_office: Any, quarters: Any, five_outlets: Any
) -> None:
    made = plan(s1_office, bank.s1, quarters[1], visits_per_outlet=2, mystery_share=60, seed=42)
    visits = list(made.visits.order_by("outlet__code", "sequence"))
    assert len(visits) == 10 and {v.outlet.code for v in visits} == {"O1A", "O1B", "O1C", "O1D", "O1E"}
    assert sum(v.kind == InspectionKind.MYSTERY_SHOPPER for v in visits) == 6  # 10 × 60 %
    assert sum(v.kind == InspectionKind.ON_SITE for v in visits) == 4
    first, second = visits[0], visits[1]
    assert (first.window_start, first.window_end) == (dt.date(2025, 4, 1), dt.date(2025, 5, 16))
    assert (second.window_start, second.window_end) == (dt.date(2025, 5, 17), Q2_END)
    one = plan(s1_office, bank.s1, quarters[1], mystery_share=60, sampling="fixed")
    assert one.visits.filter(kind=InspectionKind.MYSTERY_SHOPPER).count() == 3  # 5 × 60 %
    assert set(one.visits.filter(kind="mystery_shopper").values_list("outlet__code", flat=True)) == {
        "O1B",
        "O1D",
        "O1E",
    }


def test_the_same_seed_draws_the_same_outlets(
    bank: Any, s1_office: Any, quarters: Any, five_outlets: Any
) -> None:
    def drawn(p: InspectionPlan) -> set[str]:
        return set(p.visits.filter(kind="mystery_shopper").values_list("outlet__code", flat=True))

    first = plan(s1_office, bank.s1, quarters[1], mystery_share=60, seed=12345)
    again = plan(s1_office, bank.s1, quarters[1], mystery_share=60, seed=first.seed)
    assert drawn(first) == drawn(again) and len(drawn(first)) == 3
    unseeded = plan(s1_office, bank.s1, quarters[1], mystery_share=60)
    assert unseeded.seed is not None and drawn(
        plan(s1_office, bank.s1, quarters[1], mystery_share=60, seed=unseeded.seed)
    ) == drawn(unseeded)


def test_bad_plans_are_refused_and_nothing_saved(bank: Any, s1_office: Any, quarters: Any) -> None:
    for bad in ({"mystery_share": 101}, {"visits_per_outlet": 0}, {"grace_days": 91}, {"max_distance_m": 1}):
        with pytest.raises(ApplicationError):
            plan(s1_office, bank.s1, quarters[1], **bad)
    assert not InspectionPlan.objects.exists() and not PlannedVisit.objects.exists()


def test_only_the_office_plans_and_only_in_its_subtree(
    bank: Any, s1_office: Any, outsider: Any, inspector: Any, quarters: Any
) -> None:
    with pytest.raises(PermissionDeniedError):
        plan(outsider, bank.s1, quarters[1])
    with pytest.raises(PermissionDeniedError):
        plan(s1_office, bank.branch, quarters[1])  # above its own unit
    with pytest.raises(PermissionDeniedError):
        plan(inspector, bank.s1, quarters[1])
    assert not InspectionPlan.objects.exists()


@pytest.fixture
def branch_plan(bank: Any, branch_office: Any, quarters: Any) -> InspectionPlan:
    """Q2 2025 on-site, one visit per outlet of the branch (O1A, O1B, O2A), 15 days' grace."""
    return plan(branch_office, bank.branch, quarters[1], grace_days=15)


@pytest.fixture
def q2_checks(bank: Any, inspector: Any, approver: Any, version: Any, branch_plan: Any) -> None:
    checked(
        inspector=inspector,
        approver=approver,
        unit=bank.o1a,
        version=version,
        values={},
        kind="on_site",
        date=dt.date(2025, 5, 12),
    )
    checked(
        inspector=inspector,
        approver=approver,
        unit=bank.o1b,
        version=version,
        values={},
        kind="on_site",
        date=dt.date(2025, 7, 10),
    )
    # A mystery shopper's visit of O2A does not make its planned on-site visit; a draft makes nothing.
    checked(
        inspector=inspector,
        approver=approver,
        unit=bank.o1a,
        version=version,
        values={},
        date=dt.date(2025, 5, 20),
    )
    services.inspection_create(
        actor=inspector,
        kind="on_site",
        unit=bank.o1b,
        date=dt.date(2025, 6, 1),
        version_id=version.pk,
        today=dt.date(2025, 6, 1),
    )


def test_coverage_counts_done_late_missed_per_sub_branch(
    bank: Any,
    branch_office: Any,
    branch_plan: Any,
    q2_checks: Any,
    outsider: Any,
    approver: Any,
    inspector: Any,
    version: Any,
) -> None:
    # O2A's check (outsider is S2's office) comes after the grace days: still missed.
    checked(
        inspector=outsider,
        approver=branch_office,
        unit=bank.o2a,
        version=version,
        values={},
        kind="on_site",
        date=dt.date(2025, 7, 16),
    )
    rows = selectors.plan_rows(user=branch_office, plan=branch_plan, today=dt.date(2025, 8, 1))
    status = {r.visit.outlet.code: r.status for r in rows}
    assert status == {"O1A": "done", "O1B": "late", "O2A": "missed"}
    total, groups = selectors.plan_coverage(rows)
    assert (total.total, total.done, total.late, total.missed, total.pending) == (3, 1, 1, 1, 0)
    assert (total.done_pct, total.covered_pct, total.missed_pct) == (
        Decimal("33.3"),
        Decimal("66.7"),
        Decimal("33.3"),
    )
    by_unit = {g.unit.code if g.unit else None: (g.total, g.done, g.late, g.missed) for g in groups}
    assert by_unit == {"S1": (2, 1, 1, 0), "S2": (1, 0, 0, 1)}
    early = selectors.plan_rows(user=branch_office, plan=branch_plan, today=dt.date(2025, 6, 1))
    assert {r.visit.outlet.code: r.status for r in early} == {
        "O1A": "done",
        "O1B": "pending",
        "O2A": "pending",
    }


def test_evidence_taken_elsewhere_or_another_day_is_flagged(
    bank: Any, s1_office: Any, inspector: Any, version: Any, quarters: Any
) -> None:
    mystery = plan(s1_office, bank.s1, quarters[1], kind=InspectionKind.MYSTERY_SHOPPER, max_distance_m=500)
    # The photo's GPS is 31°14'30"N 121°28'12"E; O1A is 6 km north of it, O1B right there.
    services.outlet_location_set(
        actor=s1_office, unit=bank.o1a, latitude=Decimal("31.30"), longitude=Decimal("121.47")
    )
    services.outlet_location_set(
        actor=s1_office, unit=bank.o1b, latitude=Decimal("31.2417"), longitude=Decimal("121.47")
    )
    for unit, taken in ((bank.o1a, "2025:05:12 10:00:00"), (bank.o1b, "2025:05:11 10:00:00")):
        check = services.inspection_create(
            actor=inspector,
            kind="mystery_shopper",
            unit=unit,
            date=dt.date(2025, 5, 12),
            version_id=version.pk,
            today=dt.date(2025, 5, 12),
        )
        services.inspection_record_results(actor=inspector, inspection=check, values=PERFECT)
        services.evidence_attach_photo(
            actor=inspector, inspection=check, file=Upload(photo_bytes(taken=taken, gps=True), "shop.jpg")
        )
        services.inspection_submit(actor=inspector, inspection=check)
    rows = {
        r.visit.outlet.code: r
        for r in selectors.plan_rows(user=s1_office, plan=mystery, today=dt.date(2025, 7, 1))
    }
    assert rows["O1A"].status == rows["O1B"].status == "done"
    assert len(rows["O1A"].flags) == 1 and "m from the outlet" in rows["O1A"].flags[0]
    assert len(rows["O1B"].flags) == 1 and "2025-05-11" in rows["O1B"].flags[0]
    total, _groups = selectors.plan_coverage(list(rows.values()))
    assert total.flagged == 2


def test_locations_only_for_outlets_in_scope(bank: Any, s1_office: Any, outsider: Any) -> None:
    with pytest.raises(PermissionDeniedError):
        services.outlet_location_set(
            actor=outsider, unit=bank.o1a, latitude=Decimal(31), longitude=Decimal(121)
        )
    with pytest.raises(ApplicationError):
        services.outlet_location_set(
            actor=s1_office, unit=bank.s1, latitude=Decimal(31), longitude=Decimal(121)
        )
    with pytest.raises(ApplicationError):
        services.outlet_location_set(
            actor=s1_office, unit=bank.o1a, latitude=Decimal(91), longitude=Decimal(121)
        )


# --- Access ---------------------------------------------------------------------------------------


def test_outsiders_do_not_see_s1s_plan_visits(
    client: Any,
    bank: Any,
    s1_office: Any,
    branch_office: Any,
    outsider: Any,
    outlet_head: Any,
    quarters: Any,
    branch_plan: Any,
) -> None:
    s1_plan = plan(s1_office, bank.s1, quarters[1])
    client.force_login(outsider)
    assert client.get(reverse("inspections:plan_detail", args=[s1_plan.pk])).status_code == 404
    assert s1_plan not in selectors.plan_list(user=outsider)
    page = client.get(reverse("inspections:plan_detail", args=[branch_plan.pk])).content.decode()
    assert "O2A" in page and "O1A" not in page and "O1B" not in page
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/inspections/plans/{s1_plan.pk}/").status_code == 404
    assert api.get(f"/api/v1/inspections/plans/{s1_plan.pk}/visits/").status_code == 404
    visits = api.get(f"/api/v1/inspections/plans/{branch_plan.pk}/visits/").json()["results"]
    assert [v["outlet"] for v in visits] == ["O2A"]
    assert (
        api.post(
            "/api/v1/inspections/plans/",
            {"name": "x", "period": "2025Q2", "scope": "S1", "kind": "on_site"},
            format="json",
        ).status_code
        == 400
    )
    # the outlet head sees their own outlet's planned visits, no other
    client.force_login(outlet_head)
    page = client.get(reverse("inspections:plan_detail", args=[s1_plan.pk])).content.decode()
    assert "O1A" in page and "O1B" not in page
    api.force_authenticate(outlet_head)
    assert [
        v["outlet"] for v in api.get(f"/api/v1/inspections/plans/{branch_plan.pk}/visits/").json()["results"]
    ] == ["O1A"]
    assert api.get(f"/api/v1/inspections/plans/{branch_plan.pk}/").json()["coverage"]["total"] == 1
    assert client.get(reverse("inspections:plan_create")).status_code == 403


# --- Pages, API, CLI ------------------------------------------------------------------------------


def test_plan_pages_create_and_show_coverage(client: Any, bank: Any, s1_office: Any, quarters: Any) -> None:
    client.force_login(s1_office)
    assert client.get(reverse("inspections:plan_create")).status_code == 200
    response = client.post(
        reverse("inspections:plan_create"),
        {
            "name": "二季度",
            "period": quarters[1].pk,
            "scope": "S1",
            "kind": "on_site",
            "visits_per_outlet": 1,
            "mystery_share": 50,
            "sampling": "fixed",
            "grace_days": 15,
            "max_distance_m": 500,
        },
    )
    made = InspectionPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspections:plan_detail", args=[made.pk]
    )
    assert made.visits.filter(kind="mystery_shopper").count() == 1
    page = client.get(reverse("inspections:plan_detail", args=[made.pk])).content.decode()
    assert 'id="plan-coverage"' in page and 'id="plan-chart"' in page and "echarts.min.js" in page
    assert page.count('data-status="missed"') == 2  # 2025Q2 is long past, nothing was checked
    assert (
        client.get(reverse("inspections:plan_detail", args=[made.pk]) + "?status=done")
        .content.decode()
        .count("data-visit=")
        == 0
    )
    assert "二季度" in client.get(reverse("inspections:plan_list")).content.decode()


def test_plan_api_create_and_coverage(bank: Any, branch_office: Any, quarters: Any, q2_checks: Any) -> None:
    api = APIClient()
    api.force_authenticate(branch_office)
    response = api.post(
        "/api/v1/inspections/plans/",
        {"name": "Q2 API", "period": "2025Q2", "scope": "BR", "kind": "on_site", "grace_days": 15, "seed": 9},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["seed"] == 9 and body["coverage"]["total"] == 3
    detail = api.get(f"/api/v1/inspections/plans/{body['id']}/?today=2025-08-01").json()
    assert {k: detail["coverage"][k] for k in ("done", "late", "missed")} == {
        "done": 1,
        "late": 1,
        "missed": 1,
    }
    assert detail["coverage"]["covered_pct"] == "66.7"
    assert {u["unit"]: u["missed"] for u in detail["by_unit"]} == {"S1": 0, "S2": 1}
    missed = api.get(f"/api/v1/inspections/plans/{body['id']}/visits/?status=missed&today=2025-08-01").json()
    assert [v["outlet"] for v in missed["results"]] == ["O2A"]
    bad = api.post(
        "/api/v1/inspections/plans/",
        {"name": "x", "period": "2025Q2", "scope": "BR", "kind": "on_site", "mystery_share": 120},
        format="json",
    )
    assert bad.status_code == 400


def test_cli_plan_create_and_coverage(bank: Any, branch_office: Any, quarters: Any, q2_checks: Any) -> None:
    out = io.StringIO()
    call_command(
        "inspections",
        "plan",
        "create",
        "--name",
        "Q2",
        "--period",
        "2025Q2",
        "--scope",
        "BR",
        "--kind",
        "on_site",
        "--mystery-share",
        "0",
        "--seed",
        "1",
        "--as",
        "branch_office",
        stdout=out,
    )
    assert "seed 1" in out.getvalue() and "on_site 3" in out.getvalue()
    made = InspectionPlan.objects.get(name="Q2")
    out = io.StringIO()
    call_command(
        "inspections",
        "plan",
        "coverage",
        str(made.pk),
        "--today",
        "2025-08-01",
        "--visits",
        "--as",
        "branch_office",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert "ALL\t3\t1\t1\t1\t0\t66.7\t0" in lines
    assert any(line.startswith("O2A\ton_site") and "\tmissed\t" in line for line in lines)
