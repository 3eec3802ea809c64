"""Pages and API: the outlet head's flow, the overdue board in red, access rules (outsiders 404/403,
nothing changed), the CLI."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from youfu.rectification.choices import RectificationStatus
from youfu.rectification.models import Rectification
from youfu.rectification.tests.conftest import opened

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: Any) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _overdue(outlet_head: Any, finding: Any, bank: Any) -> Rectification:
    rect = opened(outlet_head, finding, bank.o1a, notify_people=False)
    Rectification.objects.filter(pk=rect.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    rect.refresh_from_db()
    return rect


def test_outlet_head_opens_and_submits_on_the_web(outlet_head: Any, s1_office: Any, finding: Any) -> None:
    web = _client(outlet_head)
    listing = web.get(reverse("rectification:list")).content.decode()
    assert reverse("rectification:open", args=[finding.pk]) in listing
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = web.post(
        reverse("rectification:open", args=[finding.pk]),
        {
            "handling": "feedback_meeting",
            "responsible_unit": "O1A",
            "responsible_person": "100009",
            "deadline": deadline,
            "required_evidence": "整改后照片",
        },
    )
    rect = Rectification.objects.get(finding=finding)
    assert response.status_code == 302
    assert response["Location"] == reverse("rectification:detail", args=[rect.pk])
    web.post(reverse("rectification:start", args=[rect.pk]), {"measures": ""})
    web.post(
        reverse("rectification:evidence", args=[rect.pk]),
        {"file": SimpleUploadedFile("fixed.jpg", b"\xff\xd8\xff photo", "image/jpeg"), "note": "after"},
    )
    web.post(reverse("rectification:submit", args=[rect.pk]), {"measures": "店招已清洗"})
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.SUBMITTED
    office = _client(s1_office)
    office.post(
        reverse("rectification:verify", args=[rect.pk]),
        {"reinspected_on": timezone.localdate().isoformat(), "note": "复查合格"},
    )
    office.post(reverse("rectification:close", args=[rect.pk]))
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.CLOSED
    evidence = rect.evidence.get()
    assert web.get(reverse("rectification:evidence_file", args=[evidence.pk])).status_code == 200


def test_past_deadline_on_the_form_is_an_error_and_nothing_is_saved(outlet_head: Any, finding: Any) -> None:
    response = _client(outlet_head).post(
        reverse("rectification:open", args=[finding.pk]),
        {
            "handling": "feedback_meeting",
            "responsible_unit": "O1A",
            "deadline": "2020-01-01",
            "required_evidence": "x",
        },
    )
    assert response.status_code == 200
    assert "整改期限不能早于今天。" in response.content.decode()  # pages are Chinese first
    assert Rectification.objects.count() == 0


def test_close_without_verification_on_the_web_is_refused(
    outlet_head: Any, s1_office: Any, finding: Any, bank: Any
) -> None:
    rect = opened(outlet_head, finding, bank.o1a, notify_people=False)
    response = _client(s1_office).post(reverse("rectification:close", args=[rect.pk]), follow=True)
    assert "整改须经复查通过后才能销号。" in response.content.decode()
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.OPEN


def test_overdue_is_red_on_the_board_and_list(
    outlet_head: Any, s1_office: Any, finding: Any, bank: Any
) -> None:
    rect = _overdue(outlet_head, finding, bank)
    board = _client(s1_office).get(reverse("rectification:overdue")).content.decode()
    assert f'class="table-danger overdue" data-rect="{rect.pk}"' in board
    mine = _client(outlet_head).get(reverse("rectification:list") + "?status=overdue").content.decode()
    assert f'data-rect="{rect.pk}"' in mine
    detail = _client(outlet_head).get(reverse("rectification:detail", args=[rect.pk])).content.decode()
    assert 'id="overdue-alert"' in detail
    # The outlet head has no overdue board (it is the service office's).
    assert _client(outlet_head).get(reverse("rectification:overdue")).status_code == 403


def test_outsider_sees_nothing_and_changes_nothing(
    outsider: Any, outlet_head: Any, finding: Any, bank: Any
) -> None:
    rect = _overdue(outlet_head, finding, bank)
    web = _client(outsider)
    assert web.get(reverse("rectification:detail", args=[rect.pk])).status_code == 404
    assert web.get(reverse("rectification:outlet", args=[bank.o1a.pk])).status_code == 404
    assert web.get(reverse("rectification:open", args=[finding.pk])).status_code == 404
    assert web.post(reverse("rectification:start", args=[rect.pk])).status_code == 404
    assert f'data-rect="{rect.pk}"' not in web.get(reverse("rectification:overdue")).content.decode()
    assert f'data-rect="{rect.pk}"' not in web.get(reverse("rectification:list")).content.decode()
    api = _api(outsider)
    assert api.get("/api/v1/rectification/").json()["results"] == []
    assert api.get(f"/api/v1/rectification/{rect.pk}/").status_code == 404
    assert api.post(f"/api/v1/rectification/{rect.pk}/start/", {}).status_code == 404
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.OPEN


def test_other_outlet_head_of_the_same_sub_branch_cannot_see(
    outlet_head: Any, finding: Any, bank: Any
) -> None:
    from youfu.accounts.choices import Role
    from youfu.testing.factories import UserFactory

    rect = opened(outlet_head, finding, bank.o1a, notify_people=False)
    neighbour = UserFactory.create(username="o1b_head", unit=bank.o1b, roles=[Role.OUTLET_HEAD])
    assert _client(neighbour).get(reverse("rectification:detail", args=[rect.pk])).status_code == 404
    assert _api(neighbour).post(f"/api/v1/rectification/{rect.pk}/start/", {}).status_code == 404


def test_every_role_outside_sees_nothing(
    outsider_any_role: Any, insider_same_role: Any, s1_office: Any, finding: Any, bank: Any
) -> None:
    rect = opened(s1_office, finding, bank.o1a, notify_people=False)
    outside = _client(outsider_any_role).get(reverse("rectification:detail", args=[rect.pk]))
    assert outside.status_code == 404
    inside = _client(insider_same_role).get(reverse("rectification:detail", args=[rect.pk]))
    expected = 200 if insider_same_role.has_perm("rectification.view_rectification") else 404
    assert inside.status_code == expected


def test_api_flow_and_errors(outlet_head: Any, s1_office: Any, finding: Any) -> None:
    api = _api(outlet_head)
    bad = api.post(
        "/api/v1/rectification/",
        {
            "finding": finding.pk,
            "responsible_unit": "O1A",
            "deadline": "2020-01-01",
            "required_evidence": "x",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["code"] == "deadline_in_past"
    assert Rectification.objects.count() == 0
    deadline = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    created = api.post(
        "/api/v1/rectification/",
        {"finding": finding.pk, "responsible_unit": "O1A", "deadline": deadline, "required_evidence": "照片"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert (
        api.post(f"/api/v1/rectification/{pk}/submit/", {"measures": "done"}, format="json").json()["errors"][
            0
        ]["code"]
        == "no_evidence"
    )
    upload = api.post(
        f"/api/v1/rectification/{pk}/evidence/",
        {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf")},
        format="multipart",
    )
    assert upload.status_code == 201
    assert (
        api.post(f"/api/v1/rectification/{pk}/submit/", {"measures": "done"}, format="json").json()["status"]
        == "submitted"
    )
    office = _api(s1_office)
    verified = office.post(
        f"/api/v1/rectification/{pk}/verify/",
        {"reinspected_on": timezone.localdate().isoformat(), "note": "ok"},
        format="json",
    )
    assert verified.json()["status"] == "verified"
    assert office.post(f"/api/v1/rectification/{pk}/close/").json()["status"] == "closed"


def test_cli_list_open_remind(outlet_head: Any, s1_office: Any, finding: Any, bank: Any) -> None:
    out = io.StringIO()
    deadline = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    call_command(
        "rectification",
        "open",
        "--finding",
        str(finding.pk),
        "--unit",
        "O1A",
        "--deadline",
        deadline,
        "--evidence",
        "照片",
        "--as",
        "s1_office",
        stdout=out,
    )
    assert "opened #" in out.getvalue()
    with pytest.raises(CommandError, match="already has a rectification"):
        call_command(
            "rectification",
            "open",
            "--finding",
            str(finding.pk),
            "--unit",
            "O1A",
            "--deadline",
            deadline,
            "--evidence",
            "照片",
            "--as",
            "s1_office",
        )
    out = io.StringIO()
    call_command("rectification", "list", "--as", "s1_office", stdout=out)
    assert "O1A\tA1" in out.getvalue()
    out = io.StringIO()
    call_command("rectification", "remind", stdout=out)
    assert "reminded before the deadline: 1" in out.getvalue()
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert "rectification_reminders:" in out.getvalue()
    assert "rectification_escalation:" in out.getvalue()
