"""Pages and API of the facts domain, and their generic walk: every facts page and endpoint (read from
the URL resolver) as a user of S2's subtree of every role, who must see and change nothing of S1, with
the same role on S1's side as the positive control. (The project-wide walks in youfu/api/tests and
youfu/web/tests list their own namespaces and top-level routes; this one covers facts.)"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from youfu.facts.imports import facts_import
from youfu.facts.models import Fact, FactBatch
from youfu.facts.services import fact_set
from youfu.facts.tests.conftest import SCORES, xlsx_bytes

S1_TEXT = ("东城营业部", "东湖网点", "张伟", "100001", "O1A", "O1B", "93.35", "s1_office")
S1_IMPORT = [["机构号", "期间", "score"], ["O1B", "2025Q3", 77]]


@pytest.fixture
def recorded(bank, admin, q3, xlsx):
    facts_import(actor=admin, file=xlsx([*SCORES, ["O2A", "西湖网点", "2025Q3", 91, 1]]))
    fact_set(
        actor=admin,
        period=q3,
        subject=bank.teller_1a,
        name="onsite_points_first",
        value=Decimal(2),
        note="现场",
    )


# Long letter-and-digit runs (CSRF tokens, hashes) could hold "O1A" by chance: they are left out.
_TOKENS = re.compile(r"[A-Za-z0-9]{24,}")


def _text(response) -> str:
    content = response.content
    if content[:2] == b"PK":
        book = load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(
            str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r if v is not None
        )
    return _TOKENS.sub(" ", content.decode())


def _snapshot():
    return list(Fact.objects.order_by("pk").values()), list(FactBatch.objects.order_by("pk").values())


def _upload(rows):
    return SimpleUploadedFile("s1.xlsx", xlsx_bytes(rows))


def _page_names() -> list[str]:
    resolver = next(
        p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "facts"
    )
    return sorted(f"facts:{p.name}" for p in resolver.url_patterns if isinstance(p, URLPattern))


def _api_names() -> list[str]:
    api = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "api")
    facts = next(p for p in api.url_patterns if isinstance(p, URLResolver) and str(p.pattern) == "facts/")
    return sorted(str(p.name) for p in facts.url_patterns if isinstance(p, URLPattern))


def test_the_walks_cover_every_route():
    assert _page_names() == [
        "facts:batch_detail",
        "facts:batch_list",
        "facts:fact_detail",
        "facts:fact_export",
        "facts:fact_import",
        "facts:fact_list",
    ]
    assert _api_names() == [
        "fact-detail",
        "fact-export",
        "fact-import-file",
        "fact-list",
        "factbatch-detail",
        "factbatch-list",
    ]


def _page_url(name: str, bank) -> str:
    if name == "facts:fact_detail":
        return reverse(name, kwargs={"pk": Fact.objects.get(unit=bank.o1a, name="score").pk})
    if name == "facts:batch_detail":
        return reverse(name, kwargs={"pk": FactBatch.objects.get(source="manual").pk})
    return reverse(name)


QUERIES = [
    {},
    {"period": "2025Q3"},
    {"period": "2025Q3", "unit": "S1"},
    {"q": "东"},
    {"q": "100001", "subject_kind": "person"},
]


@pytest.mark.parametrize("name", _page_names())
def test_pages_as_an_s2_user_of_every_role(
    client, bank, recorded, outsider_any_role, insider_same_role, name
):
    user = outsider_any_role
    perm = "facts.import_facts" if name == "facts:fact_import" else "facts.view_fact"
    if name.startswith("facts:batch"):
        perm = "facts.view_factbatch"
    may = user.has_perm(perm)
    url = _page_url(name, bank)
    client.force_login(user)
    before = _snapshot()

    for query in QUERIES:
        response = client.get(url, query)
        if name in ("facts:fact_detail", "facts:batch_detail"):
            assert response.status_code == (404 if may else 403)
        elif name == "facts:fact_export" and may:
            assert response.status_code in (200, 302)
        else:
            assert response.status_code == (200 if may else 403), (name, query)
        if response.status_code == 200:
            text = _text(response)
            leaked = [t for t in S1_TEXT if t in text and t not in query.values()]
            assert not leaked, (user.username, name, query, leaked)
    response = client.post(url, {"file": _upload(S1_IMPORT), "period": "2025Q3", "dry_run": ""})
    assert response.status_code in ((200, 404, 405) if may else (403, 405)), (name, response.status_code)
    assert _snapshot() == before

    # The positive control: the same role on S1's side.
    client.force_login(insider_same_role)
    response = client.get(url, {"period": "2025Q3"})
    assert response.status_code == (200 if may else 403) or (
        name == "facts:fact_export" and response.status_code == 200
    )
    if may and name == "facts:batch_list":  # file names only: the S1 side sees both batches, S2 one
        assert response.context["page_obj"].paginator.count == 2
    elif may and name != "facts:fact_import":
        assert any(t in _text(response) for t in S1_TEXT), (name, "the S1 side sees nothing of S1")
    if name == "facts:fact_import" and insider_same_role.has_perm("facts.import_facts"):
        response = client.post(url, {"file": _upload(S1_IMPORT), "period": "2025Q3"})
        assert response.status_code == 302 and _snapshot() != before


@pytest.mark.parametrize("name", _api_names())
def test_api_as_an_s2_user_of_every_role(bank, recorded, outsider_any_role, insider_same_role, name):
    user = outsider_any_role
    api, control = APIClient(), APIClient()
    api.force_authenticate(user)
    control.force_authenticate(insider_same_role)
    perm = {"fact-import-file": "facts.add_fact"}.get(
        name, "facts.view_factbatch" if "batch" in name else "facts.view_fact"
    )
    may = user.has_perm(perm)
    kwargs = {}
    if name == "fact-detail":
        kwargs = {"pk": Fact.objects.get(unit=bank.o1a, name="score").pk}
    elif name == "factbatch-detail":
        kwargs = {"pk": FactBatch.objects.get(source="manual").pk}
    url = reverse(f"api:{name}", kwargs=kwargs or None)
    before = _snapshot()

    if name == "fact-import-file":
        response = api.post(url, {"file": _upload(S1_IMPORT), "period": "2025Q3"}, format="multipart")
        assert response.status_code == (400 if may else 403)
        assert not [t for t in S1_TEXT if t in response.content.decode() and t != "O1B"]
        assert _snapshot() == before
        response = control.post(url, {"file": _upload(S1_IMPORT), "period": "2025Q3"}, format="multipart")
        assert response.status_code == (200 if may else 403)
        return
    for query in QUERIES:
        response = api.get(url, query)
        if not may:
            assert response.status_code == 403
        elif kwargs:
            assert response.status_code == 404
        elif name == "fact-export" and "period" not in query:
            assert response.status_code == 400
        else:  # a filter naming S1 is refused (400) like an unknown unit, or lists nothing of S1
            assert response.status_code in (200, 400), (name, query, response.content)
            leaked = [t for t in S1_TEXT if t in _text(response) and t not in query.values()]
            assert not leaked, (user.username, name, query, leaked)
    response = control.get(url, {"period": "2025Q3"})
    assert response.status_code == (200 if may else 403)
    if may and name == "factbatch-list":  # file names only: the S1 side sees both batches
        assert response.json()["count"] == 2
    elif may and name != "factbatch-detail":  # (the S1 side's 200 above is that one's control)
        assert any(t in _text(response) for t in S1_TEXT)


def test_import_page_dry_run_then_confirm(client, bank, branch_office, q3, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(branch_office)
    url = reverse("facts:fact_import")

    response = client.post(url, {"file": _upload(SCORES), "dry_run": "on"})

    assert response.status_code == 200 and not Fact.objects.exists()
    assert 'id="import-confirm"' in response.content.decode()
    sha = client.session["facts_import_pending"]["sha256"]
    response = client.post(url, {"confirm": sha})
    assert response.status_code == 302
    batch = FactBatch.objects.get()
    assert response["Location"] == reverse("facts:batch_detail", kwargs={"pk": batch.pk})
    assert batch.file_name == "s1.xlsx" and Fact.objects.count() == 4


def test_import_page_shows_the_error_table(client, bank, branch_office, q3):
    client.force_login(branch_office)
    response = client.post(
        reverse("facts:fact_import"), {"file": _upload([["机构号", "期间", "score"], ["O1A", "2025Q3", "x"]])}
    )
    html = response.content.decode()
    assert 'id="import-errors"' in html and "score" in html and not Fact.objects.exists()


def test_fact_page_shows_history_and_evidence(client, bank, branch_office, recorded, q3):
    fact_set(actor=branch_office, period=q3, subject=bank.o1a, name="score", value=Decimal(95), note="复核")
    client.force_login(branch_office)
    current = Fact.objects.get(unit=bank.o1a, name="score", is_current=True)
    html = client.get(reverse("facts:fact_detail", kwargs={"pk": current.pk})).content.decode()
    assert "93.35" in html and "95" in html and "省行神秘人检查2025Q3.xlsx" in html


def test_api_list_gives_exact_decimal_text_and_export(bank, branch_office, recorded):
    api = APIClient()
    api.force_authenticate(branch_office)
    rows = api.get(reverse("api:fact-list"), {"name": "score", "period": "2025Q3"}).json()["results"]
    assert {(r["subject"], r["value"]) for r in rows} == {("O1A", "93.35"), ("O1B", "88.5"), ("O2A", "91")}
    detail = api.get(reverse("api:fact-detail", kwargs={"pk": rows[0]["id"]})).json()
    assert detail["evidence"]["file_name"] == "省行神秘人检查2025Q3.xlsx" and detail["evidence"]["row_number"]
    export = api.get(reverse("api:fact-export"), {"period": "2025Q3"})
    assert export.status_code == 200 and "93.35" in _text(export)
    dry = api.post(
        reverse("api:fact-import-file"),
        {"file": _upload(S1_IMPORT), "dry_run": "true"},
        format="multipart",
    ).json()
    assert (dry["dry_run"], dry["changed"], dry["batch_id"]) == (True, 1, None)
