"""The pay pool's imports, Excel (.xlsx) or CSV (UTF-8, or GBK as Chinese Excel saves it): first sheet,
headers in row 1, Chinese or English. Rows go through services.inputs_import, which checks each of them
and saves all or nothing.

Balances (余额与得分): 工号 · 姓名 (ignored) · 第1月末余额 · 第2月末余额 · 第3月末余额 · 本季日均余额 ·
比较期日均余额 · 信贷客户代发工资 · 计价产品绩效 · 部门类别 (业务部门/职能部门) · 业绩考核得分 ·
职责考核得分 · 民主测评得分. Salaries (薪资): 工号 · 姓名 · 季度岗位工资 · 第13个月月工资 · 年岗位工资 ·
季度绩效工资.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from youfu.core.errors import ApplicationError, ErrorDetail
from youfu.performance_pay.choices import ImportKind

# key → (Chinese header, English header); the first two columns of both kinds are the person.
PERSON_COLUMNS = {"employee_no": ("工号", "employee_no"), "name": ("姓名", "name")}
BALANCE_COLUMNS = {
    "balance_m1": ("第1月末余额", "balance_m1"),
    "balance_m2": ("第2月末余额", "balance_m2"),
    "balance_m3": ("第3月末余额", "balance_m3"),
    "daily_avg": ("本季日均余额", "daily_avg"),
    "daily_avg_base": ("比较期日均余额", "daily_avg_base"),
    "payroll_credit": ("信贷客户代发工资", "payroll_credit"),
    "priced_amount": ("计价产品绩效", "priced_amount"),
    "department_kind": ("部门类别", "department_kind"),
    "results_score": ("业绩考核得分", "results_score"),
    "duties_score": ("职责考核得分", "duties_score"),
    "evaluation_score": ("民主测评得分", "evaluation_score"),
}
SALARY_COLUMNS = {
    "quarter_post_salary": ("季度岗位工资", "quarter_post_salary"),
    "month13_salary": ("第13个月月工资", "month13_salary"),
    "annual_post_salary": ("年岗位工资", "annual_post_salary"),
    "performance_pay": ("季度绩效工资", "performance_pay"),
}
# Required columns per kind (the others may be left out: their policy default counts).
REQUIRED = {
    ImportKind.BALANCES: ("employee_no", "balance_m3", "daily_avg", "daily_avg_base"),
    ImportKind.SALARIES: ("employee_no", *SALARY_COLUMNS),
}
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def columns_of(kind: str) -> dict[str, tuple[str, str]]:
    more = BALANCE_COLUMNS if kind == ImportKind.BALANCES else SALARY_COLUMNS
    return {**PERSON_COLUMNS, **more}


@dataclass(frozen=True)
class Row:
    row: int
    values: dict[str, Any]  # key → the cell as read (text, number or None)


def _table(content: bytes, file_name: str) -> list[tuple[Any, ...]]:
    if content[:2] == b"PK":  # an .xlsx is a zip
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:
            raise ApplicationError(
                _("This is not an Excel (.xlsx) file."), code="file", field="file"
            ) from None
        return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    if file_name.lower().endswith(".xls"):
        raise ApplicationError(
            _("Save the sheet as .xlsx or CSV (the old .xls is not read)."), code="file", field="file"
        )
    for encoding in CSV_ENCODINGS:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [tuple(r) for r in csv.reader(io.StringIO(text))]
    raise ApplicationError(_("This is neither an Excel (.xlsx) nor a CSV file."), code="file", field="file")


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        # openpyxl reads 1.5 as a float; its shortest repr is the number typed in the sheet.
        return repr(value)
    if isinstance(value, str):
        return value.strip()
    return value


def read_rows(content: bytes, kind: str, file_name: str = "") -> list[Row]:
    table = _table(content, file_name)
    header = table[0] if table else ()
    names = [str(h or "").strip() for h in header]
    columns = columns_of(kind)
    index: dict[str, int] = {}
    for key, labels in columns.items():
        for i, name in enumerate(names):
            if name in labels:
                index[key] = i
    missing = [columns[k][0] for k in REQUIRED[ImportKind(kind)] if k not in index]
    if missing:
        raise ApplicationError(
            _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)},
            code="columns",
            field="file",
            details=[
                ErrorDetail("columns", _("Missing column %(c)s.") % {"c": c}, "file", 1) for c in missing
            ],
        )
    out = []
    for number, values in enumerate(table[1:], start=2):
        if all(v in (None, "") for v in values):
            continue
        got = {key: _cell(values[i]) if i < len(values) else None for key, i in index.items()}
        out.append(Row(row=number, values=got))
    return out


def template_workbook(kind: str, rows: list[tuple[Any, ...]] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "导入" if kind == ImportKind.BALANCES else "薪资"
    sheet.append([labels[0] for labels in columns_of(kind).values()])
    for row in rows or []:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
