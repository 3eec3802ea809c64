"""The generic walk over every inspections page and API route (read from the URL resolver, so a new route
is covered the day it is added), role by role: a user of sub-branch S2's subtree, given the ids of S1's
inspection, finding, evidence and appeal, gets 403/404 — or an answer naming nothing of S1 — and changes
nothing; the user with the same role on S1's side, the positive control, sees S1's check where the role
lets them read checks at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from youfu.inspections import services
from youfu.inspections.models import (
    Appeal,
    Evidence,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    ItemResult,
    OutletLocation,
    PlannedVisit,
)
from youfu.inspections.tests.conftest import DAY, Upload, checked, photo_bytes

S1_WORDS = ("东城营业部", "东湖网点", "东城支行", "张伟", "店招缺字", "已经整改")
# Routes whose body is a file upload: the walk posts an S1 results file to them.
MULTIPART_API = frozenset({"api:inspection-import"})


def _s1_results_file() -> Any:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["网点代码", "检查日期", "访问编号", "检查项编号", "结果"])
    sheet.append(["O1A", DAY.isoformat(), "V-WALK", "A1", 1])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("walk.xlsx", out.getvalue())


def _walk(patterns: list, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append((prefix + str(entry.pattern), entry))
    return found


PAGES = sorted(
    f"inspections:{p.name}"
    for route, p in _walk(get_resolver().url_patterns)
    if route.startswith("inspections/")
)
API = sorted(
    (f"api:{p.name}", p)
    for route, p in _walk(get_resolver().url_patterns)
    if route.startswith("api/v1/inspections/")
)


def _snapshot() -> tuple:
    return tuple(
        list(model.objects.order_by("pk").values())
        for model in (
            Inspection,
            ItemResult,
            Finding,
            Evidence,
            Appeal,
            InspectionEvent,
            InspectionPlan,
            PlannedVisit,
            OutletLocation,
        )
    )


def test_the_walk_finds_the_routes():
    assert {"inspections:list", "inspections:detail", "inspections:fill", "inspections:appeal_detail"} <= set(
        PAGES
    )
    assert {"api:inspection-list", "api:inspection-approve", "api:appeal-decide"} <= {
        name for name, _p in API
    }


@pytest.fixture
def s1(bank, inspector, approver, version, quarters) -> dict[str, Any]:
    from youfu.accounts.choices import Role
    from youfu.testing.factories import UserFactory

    outlet_head = UserFactory.create(username="o1a_deputy", unit=bank.o1a, roles=[Role.OUTLET_HEAD])
    published = checked(
        inspector=inspector, approver=approver, unit=bank.o1a, version=version, values={"A1": 1}, date=DAY
    )
    finding = published.findings.get()
    published.appeal_deadline = DAY.replace(year=2100)
    published.save(update_fields=["appeal_deadline"])
    appeal = services.appeal_raise(actor=outlet_head, finding=finding, reason="已经整改", today=DAY)
    draft = services.inspection_create(
        actor=inspector, kind="on_site", unit=bank.o1a, date=DAY, version_id=version.pk, today=DAY
    )
    services.inspection_record_results(
        actor=inspector, inspection=draft, values={"A1": 1}, notes={"A1": "店招缺字"}
    )
    evidence = services.evidence_attach_photo(
        actor=inspector, inspection=draft, file=Upload(photo_bytes(), "s1.jpg"), finding=draft.findings.get()
    )
    plan = services.plan_create(
        actor=approver, name="东城支行二季度计划", period=quarters[1], scope=bank.s1, kind="on_site"
    )
    return {
        "plan": plan,
        "inspection": published,
        "draft": draft,
        "finding": draft.findings.get(),
        "evidence": evidence,
        "appeal": appeal,
        "unit": bank.o1a,
    }


def _target(name: str, objects: dict[str, Any]) -> Any:
    short = name.split(":")[1]
    if short.startswith("appeal") and short != "appeal_create":
        return objects["appeal"]
    if short.startswith("finding"):
        return objects["finding"]
    if short == "evidence_file":
        return objects["evidence"]
    if short == "outlet":
        return objects["unit"]
    if short.startswith("plan"):
        return objects["plan"]
    if short in ("fill", "video", "submit"):
        return objects["draft"]
    return objects["inspection"]


def _has_pk(name: str) -> bool:
    try:
        reverse(name)
    except Exception:
        return True
    return False


def _leaks(text: str) -> list[str]:
    return [word for word in S1_WORDS if word in text]


POST = {
    "reason": "越界",
    "note": "越界",
    "decision": "reverse",
    "finding": "0",
    "kind": "mystery_shopper",
    "unit": "O1A",
    "date": DAY.isoformat(),
    "r_A1": "2",
    "then": "submit",
    "camera": "x",
    "recorded_from": "2025-05-12T10:00",
    "recorded_to": "2025-05-12T11:00",
    "repeat_window_days": "1",
    "appeal_window_days": "1",
}


def test_s2_user_of_every_role_learns_and_changes_nothing_of_s1_pages(
    client, bank, s1, outsider_any_role, insider_same_role
):
    user = outsider_any_role
    client.force_login(user)
    before = _snapshot()
    for name in PAGES:
        with transaction.atomic():
            if _has_pk(name):
                url = reverse(name, kwargs={"pk": _target(name, s1).pk})
                get = client.get(url)
                assert get.status_code in (403, 404, 405), (user.username, name, get.status_code)
                post = client.post(url, POST)
                assert post.status_code in (403, 404, 405), (user.username, name, post.status_code)
            else:
                url = reverse(name)
                for query in ({}, {"unit": "O1A"}, {"unit": "S1", "status": "draft"}):
                    response = client.get(url, query)
                    assert response.status_code in (200, 403), (user.username, name)
                    if response.status_code == 200:
                        assert _leaks(response.content.decode()) == [], (user.username, name)
                post = client.post(url, POST)
                assert post.status_code in (200, 302, 403, 405), (user.username, name, post.status_code)
                if post.status_code == 200:
                    assert _leaks(post.content.decode()) == [], (user.username, name)
            if name != "inspections:settings":
                assert _snapshot() == before, (user.username, name, "wrote something")
            transaction.set_rollback(True)

    client.force_login(insider_same_role)
    detail = client.get(reverse("inspections:detail", kwargs={"pk": s1["inspection"].pk}))
    if insider_same_role.has_perm("inspections.view_inspection"):
        assert detail.status_code == 200 and "东城营业部" in detail.content.decode()
        listing = client.get(reverse("inspections:list")).content.decode()
        assert f'data-inspection="{s1["inspection"].pk}"' in listing
    else:
        assert detail.status_code == 404


def test_s2_user_of_every_role_learns_and_changes_nothing_of_s1_api(
    bank, s1, outsider_any_role, insider_same_role
):
    api = APIClient()
    api.force_authenticate(outsider_any_role)
    before = _snapshot()
    for name, pattern in API:
        methods = sorted(m for m in getattr(pattern.callback, "actions", {}) if m in ("get", "post"))
        with transaction.atomic():
            url = reverse(name, kwargs={"pk": _target(name, s1).pk}) if _has_pk(name) else reverse(name)
            for method in methods:
                if method == "get":
                    response = api.get(url, {"unit": "O1A", "period": "2025Q2"})
                    allowed = (403, 404) if _has_pk(name) else (200, 400, 403)
                else:
                    body = {
                        "values": {"A1": 2},
                        "people": ["100001"],
                        "decision": "reverse",
                        "note": "x",
                        "reason": "x",
                        "finding": s1["finding"].pk,
                        "kind": "on_site",
                        "unit": "O1A",
                        "date": DAY.isoformat(),
                        "version": s1["inspection"].version_id,
                    }
                    if name in MULTIPART_API:
                        upload = {"file": _s1_results_file(), "standard": "CHK"}
                        response = api.post(url, upload, format="multipart")
                    else:
                        response = api.post(url, body, format="json")
                    allowed = (400, 403, 404)
                assert response.status_code in allowed, (name, method, response.status_code, response.content)
                assert _leaks(response.content.decode(errors="replace")) == [], (name, method)
            assert _snapshot() == before, (name, "wrote something")
            transaction.set_rollback(True)

    control = APIClient()
    control.force_authenticate(insider_same_role)
    detail = control.get(reverse("api:inspection-detail", kwargs={"pk": s1["inspection"].pk}))
    if insider_same_role.has_perm("inspections.view_inspection"):
        assert detail.status_code == 200 and detail.json()["unit"] == "O1A"
    else:
        assert detail.status_code == 403
