"""Excel import of a complaint list: row errors, all or nothing, idempotent re-import."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from youfu.complaints.imports import complaints_import
from youfu.complaints.models import Complaint
from youfu.core.errors import ApplicationError, PermissionDeniedError

pytestmark = pytest.mark.django_db

HEADER = [
    "渠道",
    "渠道编号",
    "受理时间",
    "网点代码",
    "类别",
    "内容",
    "类型",
    "严重程度",
    "客户电话",
    "涉及员工",
]
GOOD = [
    [
        "95580",
        "T-1",
        "2025-07-07 10:00",
        "O1A",
        "服务态度",
        "态度差",
        "投诉",
        "一般",
        "13800001111",
        "100001",
    ],
    ["信函", "L-1", "2025-07-08 11:00", "O1B", "业务技能", "表扬信", "表扬", "", "", ""],
]


def _xlsx(rows: list[list[str]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADER, *rows]:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def test_an_import_registers_each_row_and_a_second_import_changes_nothing(bank, s1_handler):
    result = complaints_import(actor=s1_handler, file=_xlsx(GOOD))
    assert (result.created, result.unchanged) == (2, 0)
    first = Complaint.objects.get(source_ref="T-1")
    assert first.owner == s1_handler and first.kind == "complaint" and first.category == "attitude"
    assert [p.employee_no for p in first.people.all()] == ["100001"]
    assert Complaint.objects.get(source_ref="L-1").kind == "praise"
    again = complaints_import(actor=s1_handler, file=_xlsx(GOOD))
    assert (again.created, again.unchanged) == (0, 2)
    assert Complaint.objects.count() == 2


def test_a_dry_run_saves_nothing(bank, s1_handler):
    result = complaints_import(actor=s1_handler, file=_xlsx(GOOD), dry_run=True)
    assert result.created == 2 and Complaint.objects.count() == 0


def test_any_bad_row_rejects_the_file_with_row_errors(bank, s1_handler):
    rows = [
        *GOOD,
        ["95580", "T-2", "2025-07-07 10:00", "O2A", "服务态度", "别的支行", "", "", "", ""],  # outside S1
        ["传真", "T-3", "2025-07-07 10:00", "O1A", "服务态度", "x", "", "", "", ""],  # unknown channel
        [
            "95580",
            "T-1",
            "2025-07-07 10:00",
            "O1A",
            "服务态度",
            "dup",
            "",
            "",
            "",
            "",
        ],  # same ticket as row 2
        ["95580", "T-4", "", "O1A", "服务态度", "x", "", "", "", "999999"],  # no time, unknown person
    ]
    with pytest.raises(ApplicationError) as exc:
        complaints_import(actor=s1_handler, file=_xlsx(rows))
    assert exc.value.code == "import_invalid"
    by_row = {(d.row, d.field) for d in exc.value.details}
    assert (4, "网点代码") in by_row and (5, "渠道") in by_row and (6, "渠道编号") in by_row
    assert (7, "涉及员工") in by_row
    assert Complaint.objects.count() == 0


def test_missing_columns_are_named(bank, s1_handler):
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["渠道", "内容"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    with pytest.raises(ApplicationError) as exc:
        complaints_import(actor=s1_handler, file=data)
    assert {d.field for d in exc.value.details} == {"渠道编号", "受理时间", "网点代码", "类别"}


def test_roles_without_the_right_cannot_import(bank, outlet_head):
    with pytest.raises(PermissionDeniedError):
        complaints_import(actor=outlet_head, file=_xlsx(GOOD))
    assert Complaint.objects.count() == 0
