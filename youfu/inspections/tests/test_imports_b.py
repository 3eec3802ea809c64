"""Mystery-shopping results import, layout (b): one sheet per visit; and the import through the web page,
the API (both layouts) and the CLI."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook
from rest_framework.test import APIClient

from youfu.core.errors import ApplicationError
from youfu.inspections.choices import InspectionKind, InspectionStatus
from youfu.inspections.imports import inspections_import
from youfu.inspections.models import Inspection
from youfu.inspections.tests.test_imports import visit as layout_a_rows
from youfu.inspections.tests.test_imports import xlsx as layout_a

RESULTS = {"A1": "1次", "A2": "不适用", "B1": 0, "B2": 3, "C1": "合格", "C2": "2分"}


def sheet_rows(ref: str, outlet: str = "O1A", date: Any = "2025-05-12", **changes: Any) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["神秘人检查结果"],
        ["访问编号", ref],
        ["网点代码", outlet],
        ["检查日期", date],
        ["时间", "09:30-09:55"],
        [],
        ["检查项编号", "检查内容", "结果", "备注"],
    ]
    rows += [[code, "", value, ""] for code, value in {**RESULTS, **changes}.items()]
    return rows


def book(*sheets: tuple[str, list[list[Any]]], cover: bool = True) -> io.BytesIO:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    if cover:
        first.title = "说明"
        first.append(["本文件每个工作表为一次访问。"])
    else:
        workbook.remove(first)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def run(actor: Any, data: io.BytesIO, **kw: Any) -> Any:
    kw.setdefault("today", dt.date(2025, 6, 30))
    return inspections_import(actor=actor, file=data, standard="CHK", firm="明镜调研", **kw)


def test_layout_b_creates_one_check_per_sheet(version: Any, s1_office: Any) -> None:
    data = book(("V-101", sheet_rows("V-101")), ("V-102", sheet_rows("V-102", outlet="O1B", C1="不合格")))
    result = run(s1_office, data)
    assert result.layout == "b" and (result.created, result.unchanged) == (2, 0)
    first = Inspection.objects.get(external_ref="V-101")
    assert (first.kind, first.status, first.unit.code) == (
        InspectionKind.MYSTERY_SHOPPER,
        InspectionStatus.SUBMITTED,
        "O1A",
    )
    assert (first.visit_start, first.visit_end) == (dt.time(9, 30), dt.time(9, 55))
    assert {f.item.code: f.points_lost for f in first.findings.all()} == {"A1": 4, "B2": 2.5, "C2": 2}
    assert "C1" in {f.item.code for f in Inspection.objects.get(external_ref="V-102").findings.all()}
    assert [v.sheet for v in result.visits] == ["V-101", "V-102"]


def test_layout_b_reimport_creates_nothing_twice(version: Any, s1_office: Any) -> None:
    run(s1_office, book(("V-101", sheet_rows("V-101"))))
    again = run(s1_office, book(("V-101", sheet_rows("V-101")), ("V-103", sheet_rows("V-103", outlet="O1B"))))
    assert (again.created, again.unchanged) == (1, 1)
    third = run(s1_office, book(("V-101", sheet_rows("V-101")), ("V-103", sheet_rows("V-103", outlet="O1B"))))
    assert (third.created, third.unchanged) == (0, 2)
    assert Inspection.objects.count() == 2


def test_layout_b_bad_rows_save_nothing_and_name_sheet_and_row(version: Any, s1_office: Any) -> None:
    data = book(
        ("V-101", sheet_rows("V-101")),  # good, but the file fails as a whole
        ("V-102", sheet_rows("V-102", outlet="O2A")),  # outlet outside S1: once, at its row (3)
        ("V-103", sheet_rows("V-103", date="2025-02-30", A1=9)),  # bad date (row 4), A1 above its maximum
        ("V-104", sheet_rows("V-104", ZZ="合格")),  # unknown item
        ("V-105", [["访问编号", "V-105"], ["检查项编号", "结果"], ["A1", 0]]),  # no outlet nor date above
    )
    with pytest.raises(ApplicationError) as caught:
        run(s1_office, data)
    found = {(d.field, d.row, d.code) for d in caught.value.details}
    assert ("网点代码 (V-102)", 3, "unknown_outlet") in found
    assert sum(1 for d in caught.value.details if d.code == "unknown_outlet") == 1
    assert ("检查日期 (V-103)", 4, "invalid_date") in found
    assert any(f == "结果 (V-103)" and r == 8 for f, r, _c in found)  # A1 is the first item row
    assert ("检查项编号 (V-104)", 14, "unknown_item") in found
    assert any(f == "V-105" and c == "missing_columns" for f, _r, c in found)
    assert not Inspection.objects.exists()


def test_layout_forced_wrongly_reports_missing_columns(version: Any, s1_office: Any) -> None:
    with pytest.raises(ApplicationError) as caught:
        run(s1_office, book(("V-101", sheet_rows("V-101")), cover=False), layout="a")
    assert caught.value.details[0].code == "missing_columns"
    assert not Inspection.objects.exists()


def test_api_imports_both_layouts(version: Any, s1_office: Any, outsider: Any, inspector: Any) -> None:
    api = APIClient()
    api.force_authenticate(s1_office)

    def post(data: io.BytesIO, **fields: Any) -> Any:
        upload = SimpleUploadedFile("results.xlsx", data.getvalue())
        return api.post(
            "/api/v1/inspections/import/", {"file": upload, "standard": "CHK", **fields}, format="multipart"
        )

    dry = post(book(("V-201", sheet_rows("V-201"))), dry_run="true")
    assert dry.status_code == 200, dry.json()
    assert dry.json()["layout"] == "b" and dry.json()["created"] == 1 and not Inspection.objects.exists()
    done = post(book(("V-201", sheet_rows("V-201"))), firm="明镜调研")
    assert done.status_code == 201 and done.json()["visits"][0]["inspection"] is not None
    again = post(book(("V-201", sheet_rows("V-201"))))
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 1)
    rows = layout_a(layout_a_rows("V-202", outlet="O1B"))
    assert post(rows, layout="a").json()["created"] == 1
    assert Inspection.objects.count() == 2
    bad = post(book(("V-203", sheet_rows("V-203", outlet="O9Z"))))
    assert bad.status_code == 400
    assert [(e["code"], e["row"], e["field"]) for e in bad.json()["errors"]] == [
        ("unknown_outlet", 3, "网点代码 (V-203)")
    ]
    api.force_authenticate(outsider)  # S2's office: S1's outlets are unknown to it
    assert post(book(("V-204", sheet_rows("V-204")))).status_code == 400
    api.force_authenticate(inspector)  # no right to import
    assert post(book(("V-205", sheet_rows("V-205")))).status_code == 403
    assert Inspection.objects.count() == 2


def test_import_page_dry_run_then_confirm(client: Any, version: Any, s1_office: Any, settings: Any) -> None:
    client.force_login(s1_office)
    assert client.get(reverse("inspections:import")).status_code == 200
    data = book(("V-301", sheet_rows("V-301")), ("V-302", sheet_rows("V-302", outlet="O1B")))
    response = client.post(
        reverse("inspections:import"),
        {
            "file": SimpleUploadedFile("r.xlsx", data.getvalue()),
            "standard": "CHK",
            "layout": "auto",
            "dry_run": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="import-visits"' in page and 'data-ref="V-302"' in page
    assert not Inspection.objects.exists()
    digest = client.session["inspections_import"]["sha256"]
    response = client.post(reverse("inspections:import"), {"confirm": digest})
    assert response.status_code == 302 and Inspection.objects.count() == 2


def test_import_page_shows_the_error_table(
    client: Any, version: Any, s1_office: Any, outlet_head: Any
) -> None:
    client.force_login(s1_office)
    data = book(("V-401", sheet_rows("V-401", A1=9)))
    response = client.post(
        reverse("inspections:import"),
        {
            "file": SimpleUploadedFile("r.xlsx", data.getvalue()),
            "standard": "CHK",
            "layout": "b",
            "dry_run": "on",
        },
    )
    page = response.content.decode()
    assert 'id="import-errors"' in page and "结果 (V-401)" in page
    assert not Inspection.objects.exists()
    client.force_login(outlet_head)
    assert client.get(reverse("inspections:import")).status_code == 403


def test_cli_layout_b(version: Any, s1_office: Any, tmp_path: Path) -> None:
    path = tmp_path / "visits.xlsx"
    path.write_bytes(book(("V-501", sheet_rows("V-501", date="2025-05-12"))).getvalue())
    out = io.StringIO()
    call_command(
        "inspections",
        "import",
        str(path),
        "--standard",
        "CHK",
        "--layout",
        "b",
        "--as",
        "s1_office",
        stdout=out,
    )
    assert "1 created, 0 unchanged" in out.getvalue() and "\tV-501" in out.getvalue()
    out = io.StringIO()
    call_command("inspections", "import", str(path), "--standard", "CHK", "--as", "s1_office", stdout=out)
    assert "0 created, 1 unchanged" in out.getvalue()
    assert Inspection.objects.count() == 1
