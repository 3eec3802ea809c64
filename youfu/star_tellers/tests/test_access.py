"""Access by subtree: a user of S2 (any role) sees none of S1's star levels — not on the list page, not
through the API, not in the panel of the person page — and the same role on S1's side does where the
role allows (the positive control). Computing is the bank-level service office's alone."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from youfu.accounts.choices import Role
from youfu.star_tellers.services import star_levels_compute

S1_WORDS = ("张伟", "李娜", "100001", "100002", "东城营业部", "东湖网点")
VIEWERS = {Role.SERVICE_OFFICE, Role.INSPECTOR, Role.OUTLET_HEAD, Role.APPRAISAL_PANEL, Role.AUDITOR}


@pytest.fixture
def computed(rated, october, branch_office):
    star_levels_compute(actor=branch_office, period=october)
    return rated


def _leaks(text: str) -> list[str]:
    return [word for word in S1_WORDS if word in text]


def _panel(user, person) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load star_tellers %}{% star_teller_panel person %}").render(
        Context({"request": request, "person": person})
    )


@pytest.mark.django_db
def test_s2_of_any_role_sees_nothing_of_s1(computed, outsider_any_role, any_role):
    user = outsider_any_role
    client = Client()
    client.force_login(user)
    page = client.get(reverse("star_tellers:list"), {"period": "2025-10"})
    api = APIClient()
    api.force_authenticate(user)
    answer = api.get("/api/v1/star-tellers/", {"period": "2025-10"})
    if any_role in VIEWERS:
        assert page.status_code == 200 and answer.status_code == 200
        assert not _leaks(page.content.decode()) and not _leaks(answer.content.decode())
        assert [line["employee_no"] for line in answer.json()["lines"]] == ["200001"]
    else:
        assert page.status_code == 403 and answer.status_code == 403
    assert api.get(f"/api/v1/star-tellers/people/{computed.teller_1a.pk}/").status_code in (403, 404)
    assert api.get("/api/v1/star-tellers/", {"period": "2025-10", "unit": "S1"}).status_code in (400, 403)
    assert "star-panel" not in _panel(user, computed.teller_1a)
    person_page = client.get(reverse("org:person_detail", args=[computed.teller_1a.pk]))
    assert person_page.status_code in (403, 404) and not _leaks(person_page.content.decode())


@pytest.mark.django_db
def test_the_same_role_in_s1_sees_s1(computed, insider_same_role, any_role):
    user = insider_same_role
    client = Client()
    client.force_login(user)
    page = client.get(reverse("star_tellers:list"), {"period": "2025-10"})
    panel = _panel(user, computed.teller_1a)
    if any_role not in VIEWERS:
        assert page.status_code == 403 and "star-panel" not in panel
        return
    text = page.content.decode()
    assert page.status_code == 200 and "100001" in text and "200001" not in text
    assert "star-panel" in panel and "2025-10" in panel
    api = APIClient()
    api.force_authenticate(user)
    history = api.get(f"/api/v1/star-tellers/people/{computed.teller_1a.pk}/")
    assert history.status_code == 200 and history.json()[0]["level"] == 5


@pytest.mark.django_db
def test_the_person_page_shows_the_panel_to_the_outlet_head(computed, outlet_head):
    client = Client()
    client.force_login(outlet_head)
    page = client.get(reverse("org:person_detail", args=[computed.teller_1a.pk])).content.decode()
    assert 'id="star-panel"' in page and 'data-level="5"' in page
    head_page = client.get(reverse("org:person_detail", args=[computed.head_1a.pk])).content.decode()
    assert 'id="star-panel"' not in head_page  # not a teller, never rated: no panel


@pytest.mark.django_db
def test_only_the_bank_level_office_computes(rated, october, s1_office, outsider, branch_office, outlet_head):
    api = APIClient()
    for user in (s1_office, outsider, outlet_head):
        api.force_authenticate(user)
        assert api.post("/api/v1/star-tellers/compute/", {"period": "2025-10"}).status_code == 403
        client = Client()
        client.force_login(user)
        assert client.post(reverse("star_tellers:compute"), {"period": "2025-10"}).status_code == 403
    api.force_authenticate(branch_office)
    answer = api.post("/api/v1/star-tellers/compute/", {"period": "2025-10"})
    assert answer.status_code == 200 and answer.json()["entries"] == 3
    assert answer.json()["total_amount"] == "600.00"
    bad = api.post("/api/v1/star-tellers/compute/", {"period": "2099-01"})
    assert bad.status_code == 400
    published = api.post("/api/v1/star-tellers/publish/", {"period": "2025-10"})
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = api.post("/api/v1/star-tellers/compute/", {"period": "2025-10"})
    assert again.status_code == 400 and "published" in again.content.decode()
