"""Pages, exports (every tile and chart), API and CLI; access by subtree: S2's office sees nothing of S1
on any of them (404 or only its own outlets), S1's does (the positive control)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from youfu.reports.choices import Kpi
from youfu.reports.models import KpiTarget
from youfu.reports.services import queue_ingest_file
from youfu.reports.tests.conftest import s1_tickets, s2_tickets
from youfu.reports.views import EXPORTS

S1_WORDS = ("东城营业部", "东湖网点", "O1A", "O1B", "张伟", "100001")
S1_NAMES = ("东城营业部", "东湖网点", "张伟", "李娜")  # an error page may echo the code the caller typed
Q = {"period": "2025-10"}


@pytest.fixture
def loaded(bank, branch_office, october):
    queue_ingest_file(actor=branch_office, file=s1_tickets(), file_name="s1.csv")
    queue_ingest_file(actor=branch_office, file=s2_tickets(), file_name="s2.csv")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return " ".join(
        str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None
    )


def test_pages_render_for_the_service_office(loaded, bank, s1_office):
    client = _client(s1_office)
    page = client.get(reverse("reports:dashboard"), Q)
    text = page.content.decode()
    assert page.status_code == 200 and "东城营业部" in text and "西湖网点" not in text
    assert 'id="tile-wait_avg"' in text and "6.06" in text
    assert 'id="no-location"' in text  # no outlet has a location in the shared bank
    assert client.get(reverse("reports:kpi", args=["wait_p90"]), Q).status_code == 200
    outlet = client.get(reverse("reports:outlet", args=[bank.o1a.pk]), Q)
    assert outlet.status_code == 200 and "张伟" in outlet.content.decode()
    assert client.get(reverse("reports:targets")).status_code == 200
    assert client.get(reverse("reports:queue_upload")).status_code == 200
    template = client.get(reverse("reports:diversion_template"))
    assert template.status_code == 200 and "网点号" in _xlsx_text(template.content)


def test_every_export_is_a_workbook_of_the_scope(loaded, bank, s1_office):
    client = _client(s1_office)
    for what in EXPORTS:
        query = {**Q, "unit": "O1A"} if what == "tellers" else Q
        response = client.get(reverse("reports:export", args=[what]), query)
        assert response.status_code == 200, what
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        text = _xlsx_text(response.content)
        assert "西湖网点" not in text and "O2A" not in text, what
    tiles = _xlsx_text(client.get(reverse("reports:export", args=["kpi-wait_avg"]), Q).content)
    assert "O1A 东城营业部 东城支行 6.5 " in tiles and "3900" in tiles


def test_s2_sees_nothing_of_s1(loaded, bank, outsider):
    client = _client(outsider)
    page = client.get(reverse("reports:dashboard"), Q).content.decode()
    assert not [w for w in S1_WORDS if w in page] and "西湖网点" in page
    assert client.get(reverse("reports:dashboard"), {**Q, "unit": "S1"}).status_code == 404
    assert client.get(reverse("reports:outlet", args=[bank.o1a.pk]), Q).status_code == 404
    assert client.get(reverse("reports:kpi", args=["wait_avg"]), {**Q, "unit": "O1A"}).status_code == 404
    assert client.get(reverse("reports:targets"), {"unit": "S1"}).status_code == 404
    assert (
        client.post(
            reverse("reports:targets"), {"unit": "S1", "kpi": "wait_avg", "target": "1", "amber_band": "1"}
        ).status_code
        == 404
    )
    for what in EXPORTS:
        assert client.get(reverse("reports:export", args=[what]), {**Q, "unit": "O1A"}).status_code == 404, (
            what
        )
        own = client.get(
            reverse("reports:export", args=[what]), {**Q, "unit": "O2A" if what == "tellers" else ""}
        )
        assert own.status_code == 200, what
        text = _xlsx_text(own.content)
        assert not [w for w in S1_WORDS if w in text], what
    api = APIClient()
    api.force_authenticate(outsider)
    answer = api.get("/api/v1/reports/kpis/", {**Q, "by": "outlet"})
    assert answer.status_code == 200
    assert [o["code"] for o in answer.json()["outlets"]] == ["O2A"]
    assert api.get("/api/v1/reports/kpis/", {**Q, "unit": "S1"}).status_code == 404
    assert api.get("/api/v1/reports/targets/", {"unit": "S1"}).status_code == 404
    assert (
        api.post(
            "/api/v1/reports/targets/",
            {"unit": "S1", "kpi": "wait_avg", "target": "1", "amber_band": "1"},
            format="json",
        ).status_code
        == 404
    )
    assert not KpiTarget.objects.exists()


def test_roles_without_the_right_see_nothing(loaded, colleague):
    client = _client(colleague)
    assert client.get(reverse("reports:dashboard"), Q).status_code == 403
    assert client.get(reverse("reports:export", args=["tiles"]), Q).status_code == 403
    api = APIClient()
    api.force_authenticate(colleague)
    assert api.get("/api/v1/reports/kpis/", Q).status_code == 403


def test_outlet_head_sees_their_outlet_but_cannot_set_targets(loaded, bank, outlet_head):
    client = _client(outlet_head)
    page = client.get(reverse("reports:dashboard"), Q).content.decode()
    assert "东城营业部" in page and "东湖网点" not in page
    api = APIClient()
    api.force_authenticate(outlet_head)
    assert (
        api.post(
            "/api/v1/reports/targets/",
            {"unit": "O1A", "kpi": "wait_avg", "target": "1", "amber_band": "1"},
            format="json",
        ).status_code
        == 403
    )


def test_api_values_and_targets(loaded, bank, branch_office):
    api = APIClient()
    api.force_authenticate(branch_office)
    data = api.get("/api/v1/reports/kpis/", {**Q, "unit": "O1A"}).json()
    wait = next(k for k in data["kpis"] if k["kpi"] == "wait_p90")
    assert wait["value"] == "9.00" and wait["inputs"]["p90_seconds"] == "540" and wait["rag"] == "green"
    created = api.post(
        "/api/v1/reports/targets/",
        {"unit": "S1", "kpi": "wait_avg", "target": "5", "amber_band": "1"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["set_at"] == "S1"
    targets = {t["kpi"]: t for t in api.get("/api/v1/reports/targets/", {"unit": "O1A"}).json()}
    assert targets["wait_avg"]["target"] == "5.00" and targets["wait_avg"]["set_at"] == "S1"
    data = api.get("/api/v1/reports/kpis/", {**Q, "unit": "O1A"}).json()
    assert next(k for k in data["kpis"] if k["kpi"] == "wait_avg")["rag"] == "red"  # 6.50 > 5 + 1
    assert api.delete("/api/v1/reports/targets/?unit=S1&kpi=wait_avg").status_code == 204
    assert KpiTarget.objects.count() == 0


def test_targets_page_sets_and_clears(bank, branch_office):
    client = _client(branch_office)
    response = client.post(
        reverse("reports:targets"),
        {"unit": "S1", "kpi": Kpi.DIVERSION_RATE, "target": "92", "amber_band": "3"},
    )
    assert response.status_code == 302
    assert KpiTarget.objects.get(unit=bank.s1).target == Decimal("92.00")
    client.post(reverse("reports:targets"), {"unit": "S1", "kpi": Kpi.DIVERSION_RATE, "clear": "1"})
    assert not KpiTarget.objects.exists()


def test_a_refused_upload_shows_its_report(bank, branch_office):
    client = _client(branch_office)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = s1_tickets().replace(b"O1B", b"NOPE")
    page = client.post(reverse("reports:queue_upload"), {"file": SimpleUploadedFile("q.csv", bad)})
    assert page.status_code == 200 and 'id="upload-rejected"' in page.content.decode()
    ok = client.post(reverse("reports:queue_upload"), {"file": SimpleUploadedFile("q.csv", s1_tickets())})
    assert ok.status_code == 302


def test_cli(loaded, bank, admin, tmp_path, capsys):
    out = tmp_path / "kpis.xlsx"
    call_command("reports", "kpis", "--period", "2025-10", "--unit", "O1A", "--out", str(out))
    printed = capsys.readouterr().out
    assert "6.50" in printed and "9.00" in printed
    assert "O1A" in _xlsx_text(out.read_bytes())
    file = tmp_path / "more.csv"
    file.write_bytes(s2_tickets().replace(b"C001", b"C002"))
    call_command("reports", "queue", str(file))
    call_command("reports", "queue", str(file))
    printed = capsys.readouterr().out
    assert "Loaded 1 tickets" in printed or "1" in printed
    call_command("reports", "facts", "--period", "2025-10")


def _s1_urls(bank) -> list[str]:
    pages = [
        reverse("reports:dashboard") + "?period=2025-10&unit=S1",
        reverse("reports:kpi", args=["wait_avg"]) + "?period=2025-10&unit=S1",
        reverse("reports:outlet", args=[bank.o1a.pk]) + "?period=2025-10",
        reverse("reports:targets") + "?unit=S1",
    ]
    pages += [reverse("reports:export", args=[what]) + "?period=2025-10&unit=O1A" for what in EXPORTS]
    return pages


def test_every_role_of_s2_sees_nothing_of_s1(loaded, bank, outsider_any_role):
    client = _client(outsider_any_role)
    for url in _s1_urls(bank):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert not [w for w in S1_NAMES if w in response.content.decode(errors="ignore")], url
    own = client.get(reverse("reports:dashboard"), Q)
    assert own.status_code in (200, 403)
    assert not [w for w in S1_WORDS if w in own.content.decode()]
    for what in EXPORTS:
        response = client.get(reverse("reports:export", args=[what]), Q)
        if response.status_code == 200:
            assert not [w for w in S1_WORDS if w in _xlsx_text(response.content)], what
    api = APIClient()
    api.force_authenticate(outsider_any_role)
    for url in ("/api/v1/reports/kpis/?period=2025-10&unit=S1", "/api/v1/reports/targets/?unit=S1"):
        assert api.get(url).status_code in (403, 404), url
    listed = api.get("/api/v1/reports/kpis/", {**Q, "by": "outlet"})
    assert listed.status_code in (200, 403)
    assert not [w for w in S1_WORDS if w in listed.content.decode()]
    posted = api.post(
        "/api/v1/reports/targets/",
        {"unit": "O1A", "kpi": "wait_avg", "target": "1", "amber_band": "1"},
        format="json",
    )
    assert posted.status_code in (403, 404)
    assert not KpiTarget.objects.exists()


def test_the_same_role_in_s1_sees_s1(loaded, bank, insider_same_role):
    client = _client(insider_same_role)
    if not insider_same_role.has_perm("reports.view_dashboard"):
        assert client.get(reverse("reports:dashboard"), Q).status_code == 403
        return
    response = client.get(reverse("reports:outlet", args=[bank.o1a.pk]), Q)
    assert response.status_code == 200 and "东城营业部" in response.content.decode()
