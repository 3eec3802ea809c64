"""One generic test over every page of the web app (taken from the URL resolver, so a new page is
covered the day it is added): anonymous users are sent to the login page, and the outsider (service
office of sub-branch S2) given S1's ids gets 403/404 — or a page that names nothing of S1."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from youfu.org.models import Person, PersonMove, Unit

# The namespaces that make up the web pages (the API has its own generic test).
PAGE_NAMESPACES = ("web", "org", "audit")
S1_NAMES = ("东城支行", "东城营业部", "东湖网点", "张伟", "李娜", "刘强", "100001", "100002", "100009")
# Query strings that point a list or search at S1.
S1_QUERIES = {
    "org:person_list": {"unit": "S1", "q": "张"},
    "org:person_export": {"unit": "S1"},
    "org:unit_tree": {"q": "东", "within": "S1"},
    "org:unit_suggest": {"q": "东"},
    "audit:log_list": {"type": "org.unit", "object": "{s1}"},
}


def _page_patterns() -> Iterator[tuple[str, URLPattern]]:
    def walk(patterns: list, namespace: str | None) -> Iterator[tuple[str, URLPattern]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, entry.namespace or namespace)
            elif namespace in PAGE_NAMESPACES and entry.name:
                yield f"{namespace}:{entry.name}", entry

    yield from walk(get_resolver().url_patterns, None)


PAGES = sorted(name for name, _pattern in _page_patterns())


def test_the_walk_covers_the_pages():
    # A guard against the walk silently finding nothing (e.g. after renaming a namespace).
    assert {"web:dashboard", "org:unit_detail", "org:person_move", "audit:log_list"} <= set(PAGES)


def _url(name: str, bank) -> str:
    pattern = dict(_page_patterns())[name]
    if "pk" not in pattern.pattern.converters:
        return reverse(name)
    # Pages about a person take a person id; every other page with an id is about a unit.
    pk = bank.teller_1a.pk if name.startswith("org:person") else bank.s1.pk
    return reverse(name, kwargs={"pk": pk})


def _text(response) -> str:
    content = b"".join(response) if response.streaming else response.content
    if content[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(content)):  # an Excel download
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    return content.decode()


def _snapshot() -> tuple:
    return (
        list(Unit.objects.order_by("pk").values()),
        list(Person.objects.order_by("pk").values()),
        PersonMove.objects.count(),
    )


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, bank, name):
    url = _url(name, bank)

    for response in (client.get(url), client.post(url, {"name": "x"})):
        assert response.status_code == 302, url
        assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("name", PAGES)
def test_outsider_learns_and_changes_nothing_of_s1(client, bank, outsider, name):
    client.force_login(outsider)
    url = _url(name, bank)
    query = {key: value.format(s1=bank.s1.pk) for key, value in S1_QUERIES.get(name, {}).items()}
    before = _snapshot()

    get = client.get(url, query)
    post = client.post(
        url,
        {
            "name": "outsider was here",
            "code": "X9",
            "kind": "outlet",
            "parent": "S1",
            "unit": "O1A",
            "to_unit": "O2A",
            "employee_no": "999999",
            "position": "teller",
            "effective_date": "2026-01-05",
            "is_active": "on",
        },
    )

    for response in (get, post):
        assert response.status_code in (200, 403, 404, 405), (url, response.status_code)
        if response.status_code == 200:
            leaked = [n for n in S1_NAMES if n in _text(response)]
            assert leaked == [], (url, leaked)
    assert _snapshot() == before
