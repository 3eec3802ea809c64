"""The generic walk over every standards page and API route (read from the URL resolver, so a new route
is covered the day it is added), role by role: a user of sub-branch S2's subtree, given the ids of S1's
standard, its versions, sections and items, gets 403/404 — or an answer naming nothing of S1 — and
changes nothing; the user with the same role on S1's side, the positive control, does see S1's standard.

The shared walks (youfu/api/tests, youfu/web/tests) enumerate only their own namespaces and the API's
top-level routes, so this app walks its own routes the same way."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from youfu.standards import exports, services
from youfu.standards.models import Item, Section, Standard, StandardVersion

S1_WORDS = ("东城支行自查标准", "S1-CHECK", "东城支行", "东城营业部", "唱收唱付", "店招清洁")


def _snapshot() -> tuple:
    return tuple(
        list(model.objects.order_by("pk").values()) for model in (Standard, StandardVersion, Section, Item)
    )


def _walk(patterns: list, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append((prefix + str(entry.pattern), entry))
    return found


def _page_routes() -> list[str]:
    return sorted(
        f"standards:{p.name}"
        for route, p in _walk(get_resolver().url_patterns)
        if route.startswith("standards/") and p.name
    )


def _api_routes() -> list[str]:
    return sorted(
        f"api:{p.name}"
        for route, p in _walk(get_resolver().url_patterns)
        if route.startswith("api/v1/standards/")
    )


PAGES = _page_routes()
API = _api_routes()


def test_the_walk_finds_the_routes():
    assert {"standards:list", "standards:detail", "standards:editor", "standards:item_edit"} <= set(PAGES)
    assert {"api:standard-list", "api:standardversion-score", "api:standardversion-content"} <= set(API)


@pytest.fixture
def s1_objects(s1_published, s1_office) -> dict[str, Any]:
    draft = services.standard_version_copy(actor=s1_office, version=s1_published)
    return {
        "standard": s1_published.standard,
        "version": draft,
        "published": s1_published,
        "section": draft.sections.get(code="A"),
        "item": draft.items.get(code="A1"),
    }


def _target(name: str, objects: dict[str, Any]) -> Any:
    """The S1 object a route with an id is about, by its name."""
    short = name.split(":")[1]
    for prefix, key in (("section", "section"), ("item", "item"), ("standardversion", "version")):
        if short.startswith(prefix):
            return objects[key]
    if short in ("editor", "publish", "copy", "export"):
        return objects["version"]
    return objects["standard"]


def _has_pk(name: str) -> bool:
    try:
        reverse(name)
    except Exception:
        return True
    return False


def _leaks(text: str) -> list[str]:
    return [word for word in S1_WORDS if word in text]


def _text(response: Any) -> str:
    content = response.content
    if content[:2] == b"PK":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(
            str(v) for s in book.worksheets for row in s.iter_rows(values_only=True) for v in row if v
        )
    return content.decode()


def test_s2_user_of_every_role_learns_and_changes_nothing_of_s1_pages(
    client, bank, s1_objects, outsider_any_role, insider_same_role
):
    user = outsider_any_role
    client.force_login(user)
    before = _snapshot()
    upload = exports.standard_export(version=s1_objects["published"])
    for name in PAGES:
        with transaction.atomic():
            if _has_pk(name):
                url = reverse(name, kwargs={"pk": _target(name, s1_objects).pk})
                assert client.get(url).status_code in (403, 404, 405), (user.username, name)
                post = client.post(url, {"name": "越界", "code": "X", "points": "1", "direction": "up"})
                assert post.status_code in (403, 404, 405), (user.username, name, post.status_code)
            else:
                url = reverse(name)
                response = client.get(url, {"q": "东城"})
                assert response.status_code in (200, 403), (user.username, name)
                if response.status_code == 200:
                    assert _leaks(_text(response)) == [], (user.username, name)
                file = io.BytesIO(upload)
                file.name = "s1.xlsx"
                data: dict[str, Any] = {
                    "file": file,
                    "code": "S1-X",
                    "name": "越界",
                    "kind": "onsite",
                    "owner": "S1",
                }
                post = client.post(url, data)
                assert post.status_code in (200, 403, 405), (user.username, name, post.status_code)
                if post.status_code == 200:
                    assert _leaks(_text(post).replace("S1-X", "")) == [], (user.username, name)
            assert _snapshot() == before, (user.username, name, "wrote something")
            transaction.set_rollback(True)

    # The positive control: the same role on S1's side sees the standard on its page and in the list.
    client.force_login(insider_same_role)
    detail = client.get(reverse("standards:detail", kwargs={"pk": s1_objects["standard"].pk}))
    listing = client.get(reverse("standards:list"))
    assert detail.status_code == 200 and "东城支行自查标准" in detail.content.decode()
    assert "东城支行自查标准" in listing.content.decode()
    editor = client.get(reverse("standards:editor", kwargs={"pk": s1_objects["version"].pk}))
    assert editor.status_code == (200 if insider_same_role.has_perm("standards.change_standard") else 403)


def test_s2_user_of_every_role_learns_and_changes_nothing_of_s1_api(
    bank, s1_objects, outsider_any_role, insider_same_role
):
    api = APIClient()
    api.force_authenticate(outsider_any_role)
    before = _snapshot()
    upload = exports.standard_export(version=s1_objects["published"])
    for name in API:
        with transaction.atomic():
            pattern_methods = _methods(name)
            if _has_pk(name):
                url = reverse(name, kwargs={"pk": _target(name, s1_objects).pk})
                for method in pattern_methods:
                    body: dict[str, Any] = (
                        {"results": {"A1": 1}} if name.endswith("score") else {"sections": []}
                    )
                    response = getattr(api, method)(url, body, format="json")
                    assert response.status_code in (403, 404), (name, method, response.status_code)
                    assert _leaks(response.content.decode(errors="replace")) == [], (name, method)
            else:
                url = reverse(name)
                for method in pattern_methods:
                    if method == "get":
                        response = api.get(url, {"q": "东城"})
                        assert response.status_code in (200, 403), (name, response.status_code)
                    else:
                        file = io.BytesIO(upload)
                        file.name = "s1.xlsx"
                        payload: dict[str, Any] = (
                            {"file": file}
                            if "import" in name
                            else {"code": "S1-X", "name": "越界", "kind": "onsite", "owner": "S1"}
                        )
                        response = api.post(url, payload, format="multipart" if "import" in name else "json")
                        assert response.status_code in (400, 403), (
                            name,
                            response.status_code,
                            response.content,
                        )
                    assert _leaks(response.content.decode(errors="replace").replace("S1-X", "")) == [], (
                        name,
                        method,
                    )
            assert _snapshot() == before, (name, "wrote something")
            transaction.set_rollback(True)

    control = APIClient()
    control.force_authenticate(insider_same_role)
    detail = control.get(reverse("api:standard-detail", kwargs={"pk": s1_objects["standard"].pk}))
    assert detail.status_code == 200 and detail.json()["code"] == "S1-CHECK"
    version = control.get(reverse("api:standardversion-detail", kwargs={"pk": s1_objects["version"].pk}))
    assert version.status_code == 200 and version.json()["number"] == 2


def _methods(name: str) -> list[str]:
    pattern = next(p for route, p in _walk(get_resolver().url_patterns) if f"api:{p.name}" == name)
    actions = getattr(pattern.callback, "actions", {})
    return sorted(actions)
