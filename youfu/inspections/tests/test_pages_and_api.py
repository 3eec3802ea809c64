"""Pages and API of the inspections: the flow through both, error shapes, the outlet's view, the CLI."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from youfu.inspections.choices import InspectionStatus
from youfu.inspections.models import Evidence, Inspection, ItemResult
from youfu.inspections.tests.conftest import DAY, PERFECT, checked, photo_bytes


def test_the_checklist_page_saves_results_people_and_a_photo(client, bank, inspector, version, people):
    client.force_login(inspector)
    response = client.post(
        reverse("inspections:create"),
        {"kind": "mystery_shopper", "unit": "O1A", "version": version.pk, "date": DAY.isoformat()},
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspections:fill", args=[inspection.pk]
    )
    page = client.get(reverse("inspections:fill", args=[inspection.pk]))
    assert page.status_code == 200 and 'capture="environment"' in page.content.decode()
    data = {f"r_{code}": value for code, value in PERFECT.items()}
    data.update({"r_C1": "fail", "n_C1": "未唱收唱付", "p_C1": [str(people["teller"].pk)], "then": "save"})
    data["f_C1"] = SimpleUploadedFile("c1.jpg", photo_bytes(taken="2025:05:12 10:00:00"), "image/jpeg")
    response = client.post(reverse("inspections:fill", args=[inspection.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    finding = inspection.findings.get()
    assert (finding.item.code, finding.description) == ("C1", "未唱收唱付")
    assert list(finding.people.values_list("name", flat=True)) == ["张伟"]
    assert Evidence.objects.get().finding == finding
    detail = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert 'data-finding="C1"' in detail and "60" in detail


def test_a_bad_value_on_the_checklist_page_is_shown_and_nothing_saved(client, bank, inspector, version):
    client.force_login(inspector)
    inspection = checked_draft(inspector, bank, version)
    response = client.post(
        reverse("inspections:fill", args=[inspection.pk]), {"r_A1": "7", "r_C2": "1", "then": "save"}
    )
    assert response.status_code == 200
    assert 'id="fill-errors"' in response.content.decode() and "A1" in response.content.decode()
    assert ItemResult.objects.count() == 0


def checked_draft(inspector, bank, version):
    from youfu.inspections import services

    return services.inspection_create(
        actor=inspector,
        kind="on_site",
        unit=bank.o1a,
        date=DAY,
        version_id=version.pk,
        today=dt.date(2026, 1, 1),
    )


def test_the_outlet_sees_released_checks_only_and_can_appeal(
    client, bank, inspector, approver, version, outlet_head, quarters
):
    draft = checked_draft(inspector, bank, version)
    published = checked(
        inspector=inspector, approver=approver, unit=bank.o1a, version=version, values={"A1": 1}
    )
    client.force_login(outlet_head)
    listing = client.get(reverse("inspections:list")).content.decode()
    assert f'data-inspection="{published.pk}"' in listing and f'data-inspection="{draft.pk}"' not in listing
    assert client.get(reverse("inspections:detail", args=[draft.pk])).status_code == 404
    history = client.get(reverse("inspections:outlet", args=[bank.o1a.pk]))
    assert history.status_code == 200 and "outlet-trend-data" in history.content.decode()
    assert client.post(reverse("inspections:approve", args=[published.pk])).status_code == 403


def test_api_flow_create_results_photo_people_submit_approve_publish(
    bank, inspector, approver, version, people
):
    api = APIClient()
    api.force_authenticate(inspector)
    created = api.post(
        "/api/v1/inspections/",
        {"kind": "mystery_shopper", "unit": "O1A", "date": DAY.isoformat(), "version": version.pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    bad = api.post(f"/api/v1/inspections/{pk}/results/", {"values": {"A1": 9}}, format="json")
    assert bad.status_code == 400
    assert (
        bad.json()["errors"][0]["code"] == "out_of_range" and bad.json()["errors"][0]["field"] == "results.A1"
    )
    unknown = api.post(f"/api/v1/inspections/{pk}/results/", {"values": {}, "extra": 1}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["code"] == "unknown_field"
    ok = api.post(
        f"/api/v1/inspections/{pk}/results/", {"values": {**PERFECT, "F1": None, "C2": 2}}, format="json"
    )
    assert ok.status_code == 400  # F1 is not an item of this checklist
    ok = api.post(f"/api/v1/inspections/{pk}/results/", {"values": {**PERFECT, "C2": 2}}, format="json")
    assert ok.status_code == 200 and ok.json()["findings"][0]["points_lost"] == "4.00"
    finding = ok.json()["findings"][0]["id"]
    people_ok = api.post(
        f"/api/v1/inspections/findings/{finding}/people/", {"people": ["100010", "100011"]}, format="json"
    )
    assert people_ok.status_code == 200 and people_ok.json()["people"] == ["100010", "100011"]
    wrong = api.post(
        f"/api/v1/inspections/{pk}/photos/",
        {"file": io.BytesIO(b"GIF89a not allowed"), "finding": finding},
        format="multipart",
    )
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["code"] == "wrong_type"
    upload = SimpleUploadedFile("p.png", photo_bytes("PNG"), "image/png")
    photo = api.post(
        f"/api/v1/inspections/{pk}/photos/", {"file": upload, "finding": finding}, format="multipart"
    )
    assert photo.status_code == 201 and photo.json()["content_type"] == "image/png"
    assert api.post(f"/api/v1/inspections/{pk}/submit/").status_code == 200
    assert api.post(f"/api/v1/inspections/{pk}/approve/").status_code == 403  # four eyes / role
    boss = APIClient()
    boss.force_authenticate(approver)
    approved = boss.post(f"/api/v1/inspections/{pk}/approve/")
    assert approved.status_code == 200 and approved.json()["total"] == "96.00"
    assert boss.post(f"/api/v1/inspections/{pk}/publish/").json()["status"] == InspectionStatus.PUBLISHED
    scores = boss.get("/api/v1/inspections/scores/", {"unit": "O1A", "period": "x"})
    assert scores.status_code == 400


def test_api_appeal_and_decision(bank, inspector, approver, version, outlet_head, quarters):
    inspection = checked(
        inspector=inspector,
        approver=approver,
        unit=bank.o1a,
        version=version,
        values={"A1": 1},
        date=dt.date.today(),
    )
    head = APIClient()
    head.force_authenticate(outlet_head)
    finding = inspection.findings.get()
    raised = head.post(
        f"/api/v1/inspections/{inspection.pk}/appeals/",
        {"finding": finding.pk, "reason": "已整改"},
        format="json",
    )
    assert raised.status_code == 201, raised.content
    office = APIClient()
    office.force_authenticate(approver)
    decided = office.post(
        f"/api/v1/inspections/appeals/{raised.json()['id']}/decide/",
        {"decision": "uphold", "note": "录像为证"},
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "upheld"
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.FINAL


def test_cli_list(bank, inspector, approver, version, admin):
    checked(inspector=inspector, approver=approver, unit=bank.o1a, version=version, values={"A1": 1})
    out = io.StringIO()
    call_command("inspections", "list", "--unit", "S1", stdout=out)
    assert "O1A" in out.getvalue() and "96" in out.getvalue()


def test_a_published_finding_links_to_its_rectification(
    client, bank, inspector, approver, version, outlet_head, quarters
):
    from youfu.rectification.services import rectification_open

    published = checked(
        inspector=inspector, approver=approver, unit=bank.o1a, version=version, values={"A1": 1}
    )
    finding = published.findings.get()
    client.force_login(approver)
    page = client.get(reverse("inspections:detail", args=[published.pk])).content.decode()
    assert f'data-open-rectification="{finding.item.code}"' in page
    assert reverse("rectification:open", args=[finding.pk]) in page

    rect = rectification_open(
        actor=approver,
        finding=finding,
        responsible_unit=bank.o1a,
        deadline=DAY + dt.timedelta(days=14),
        required_evidence="整改后照片",
        today=DAY,
    )
    client.force_login(outlet_head)  # the outlet reads the check and follows the finding to its rectification
    page = client.get(reverse("inspections:detail", args=[published.pk])).content.decode()
    assert f'data-rectification="{finding.item.code}"' in page
    assert reverse("rectification:detail", args=[rect.pk]) in page
    assert "data-open-rectification" not in page
