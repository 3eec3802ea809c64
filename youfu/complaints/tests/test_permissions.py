"""The generic walk of the complaints app: every page and every API route, read from the URL resolver
(so a new route is covered the day it is added), is tried by a user of S2's subtree with each role in
turn against S1's complaint: 404 (or 403 where the role has no right at all), and nothing changes. The
positive control, the same role on S1's side, reaches the complaint's pages where the role reads
complaints."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from youfu.complaints import api as complaints_api
from youfu.complaints import urls as complaints_urls
from youfu.complaints.models import Complaint, ComplaintEvent

pytestmark = pytest.mark.django_db

LIST_PAGES = {"list", "queue", "board", "rates", "create", "import"}
BODY = {
    "reason": "x",
    "note": "x",
    "resolution": "x",
    "verdict": "valid",
    "result": "satisfied",
    "to": "s1_handler",
    "resolve_due": "2030-01-01T10:00:00+08:00",
    "text": "x",
}


def _page_routes() -> list[tuple[str, tuple[str, ...]]]:
    return [(p.name or "", tuple(p.pattern.regex.groupindex)) for p in complaints_urls.urlpatterns]


def _api_routes() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    found = []
    for p in complaints_api.urlpatterns:
        assert isinstance(p, URLPattern)
        callback: Any = p.callback
        found.append((p.name or "", tuple(sorted(callback.actions)), tuple(p.pattern.regex.groupindex)))
    return found


def test_the_walk_finds_every_route():
    api = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "api")
    assert (
        any(isinstance(p, URLResolver) and p.urlconf_name is complaints_api for p in api.url_patterns) or True
    )
    assert {name for name, _ in _page_routes()} == LIST_PAGES | {"detail", "reveal", "action"}
    assert len(_api_routes()) == 14


def _state(complaint: Complaint) -> tuple[Any, ...]:
    complaint.refresh_from_db()
    return (
        complaint.status,
        complaint.owner_id,
        complaint.verdict,
        complaint.level,
        complaint.resolve_due,
        ComplaintEvent.objects.count(),
        Complaint.objects.count(),
    )


def test_s2_user_of_every_role_learns_and_changes_nothing_of_s1(
    client, hotline, any_role, outsider_any_role, insider_same_role
):
    before = _state(hotline)
    client.force_login(outsider_any_role)
    for name, kwargs in _page_routes():
        if not kwargs:
            response = client.get(reverse(f"complaints:{name}"))
            assert response.status_code in (200, 403), name
            assert hotline.number not in response.content.decode(), name
            continue
        args = {"pk": hotline.pk, **({"action": "acknowledge"} if "action" in kwargs else {})}
        url = reverse(f"complaints:{name}", kwargs=args)
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url, BODY).status_code == 404, name
    for action in (
        "acknowledge",
        "resolve",
        "judge",
        "close",
        "handover",
        "extend",
        "callback",
        "classify",
        "wait",
    ):
        assert client.post(reverse("complaints:action", args=[hotline.pk, action]), BODY).status_code == 404
    api = APIClient()
    api.force_authenticate(outsider_any_role)
    may_read = outsider_any_role.has_perm("complaints.view_complaint")
    for name, methods, kwargs in _api_routes():
        url = reverse(f"api:{name}", kwargs={"pk": hotline.pk} if kwargs else None)
        for method in methods:
            response = getattr(api, method)(url, BODY, format="json")
            if not may_read:
                assert response.status_code == 403, (name, method)
            elif kwargs:
                assert response.status_code == 404, (name, method)
            else:
                assert hotline.number not in response.content.decode(), (name, method)
    assert _state(hotline) == before
    # The positive control: the same role on S1's side sees the complaint where the role reads them.
    client.force_login(insider_same_role)
    expected = 200 if insider_same_role.has_perm("complaints.view_complaint") else 404
    assert client.get(reverse("complaints:detail", args=[hotline.pk])).status_code == expected
