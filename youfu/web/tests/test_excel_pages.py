"""Excel import and export pages: scoped downloads, dry runs, row-by-row rejections."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from youfu.org.models import Person, Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _xlsx(rows: list[list[Any]]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("people.xlsx", buffer.getvalue(), content_type=XLSX)


PEOPLE_HEADER = ["工号", "姓名", "所属机构代码", "岗位"]


def test_people_export_is_the_users_subtree(client, outsider):
    client.force_login(outsider)

    response = client.get("/org/people/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert unquote(response["Content-Disposition"]).startswith("attachment; filename*=utf-8''人员-")
    assert [row[:3] for row in _rows(response)[1:]] == [("200001", "王芳", "O2A")]


def test_people_export_follows_the_lists_filters(client, branch_office):
    client.force_login(branch_office)

    response = client.get("/org/people/export/", {"position": "outlet_head", "sort": "-name", "page": "2"})

    assert [row[:2] for row in _rows(response)[1:]] == [("100009", "刘强")]


def test_people_export_with_a_unit_filter_outside_the_subtree_is_empty(client, outsider):
    client.force_login(outsider)

    response = client.get("/org/people/export/", {"unit": "S1"})

    assert _rows(response)[1:] == []


def test_units_export_is_the_users_subtree(client, s1_office):
    client.force_login(s1_office)

    response = client.get("/org/units/export/")

    assert [row[:4] for row in _rows(response)[1:]] == [
        ("S1", "东城支行", "支行", "BR"),
        ("O1A", "东城营业部", "网点", "S1"),
        ("O1B", "东湖网点", "网点", "S1"),
    ]


def test_people_list_links_export_with_its_filters(client, branch_office):
    client.force_login(branch_office)

    html = client.get("/org/people/", {"q": "王", "page": "1"}).content.decode()

    assert 'href="/org/people/export/?q=%E7%8E%8B"' in html


def test_import_page_needs_the_import_right(client, auditor):
    client.force_login(auditor)

    assert client.get("/org/people/import/").status_code == 403
    assert client.get("/org/units/import/").status_code == 403


def test_people_import_dry_run_reports_and_saves_nothing(client, s1_office):
    client.force_login(s1_office)
    upload = _xlsx([PEOPLE_HEADER, ["100200", "赵新", "O1B", "柜员"]])

    response = client.post("/org/people/import/", {"file": upload, "dry_run": "on"})

    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    assert "试导入：文件校验通过，未保存任何数据。" in response.content.decode()
    assert not Person.objects.filter(employee_no="100200").exists()


def test_people_import_saves_and_returns_to_the_list(client, s1_office, bank):
    client.force_login(s1_office)
    upload = _xlsx([PEOPLE_HEADER, ["100200", "赵新", "O1B", "柜员"]])

    response = client.post("/org/people/import/", {"file": upload}, follow=True)

    assert response.redirect_chain == [("/org/people/", 302)]
    assert "导入完成：新增 1 条，更新 0 条，0 条不变。" in response.content.decode()
    person = Person.objects.get(employee_no="100200")
    assert (person.name, person.unit_id) == ("赵新", bank.o1b.pk)


def test_rejected_import_shows_errors_by_row_and_saves_nothing(client, outsider):
    client.force_login(outsider)
    upload = _xlsx(
        [
            PEOPLE_HEADER,
            ["200100", "新人甲", "O2A", "柜员"],
            ["200101", "新人乙", "O1A", "柜员"],
            ["200102", "新人丙", "O2A", "飞行员"],
        ]
    )

    response = client.post("/org/people/import/", {"file": upload})

    assert response.status_code == 200
    rejected = response.context["rejected"]
    assert rejected.code == "import_invalid"
    assert [(d.row, d.field) for d in rejected.details] == [(3, "所属机构代码"), (4, "岗位")]
    html = response.content.decode()
    assert "第 3 行" in html
    assert "第 4 行" in html
    assert not Person.objects.filter(employee_no__in=["200100", "200101", "200102"]).exists()


def test_units_import_dry_run(client, s1_office):
    client.force_login(s1_office)
    upload = _xlsx(
        [["机构代码", "机构名称", "机构类型", "上级机构代码"], ["O1C", "东湖北网点", "网点", "S1"]]
    )

    response = client.post("/org/units/import/", {"file": upload, "dry_run": "on"})

    assert response.status_code == 200
    assert response.context["result"].created == 1
    assert not Unit.objects.filter(code="O1C").exists()


def test_a_file_that_is_not_excel_is_rejected_with_a_clear_message(client, s1_office):
    client.force_login(s1_office)
    upload = SimpleUploadedFile("people.xlsx", b"not a workbook", content_type=XLSX)

    response = client.post("/org/people/import/", {"file": upload})

    assert response.status_code == 200
    assert [(d.code, d.row) for d in response.context["rejected"].details] == [("not_xlsx", None)]
    assert "该文件不是 Excel 工作簿（.xlsx）或无法读取。" in response.content.decode()
    assert Person.objects.count() == 4
