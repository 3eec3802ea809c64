"""The attendance and training Excel (行政部): first sheet, headers in row 1, Chinese or English.

工号 employee_no · 月份 month (2026-01) · 事假天数 leave_days · 参加培训次数 trainings_attended ·
培训缺勤次数 trainings_missed · 逾期天数 days_late. Rows go through services.adjustments_import, which
checks each of them and saves all or nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from youfu.appraisal.services import AdjustmentRow
from youfu.core.errors import ApplicationError, ErrorDetail

COLUMNS = {
    "employee_no": ("工号", "employee_no"),
    "month": ("月份", "month"),
    "leave_days": ("事假天数", "leave_days"),
    "trainings_attended": ("参加培训次数", "trainings_attended"),
    "trainings_missed": ("培训缺勤次数", "trainings_missed"),
    "days_late": ("逾期天数", "days_late"),
}


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}-{value.month:02d}"
    if isinstance(value, float):
        # openpyxl reads 1.5 as a float; its shortest repr is the number typed in the sheet.
        return repr(value)
    return value


def read_rows(content: bytes) -> list[AdjustmentRow]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise ApplicationError(_("This is not an Excel (.xlsx) file."), code="file", field="file") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    names = [str(h or "").strip() for h in header]
    index: dict[str, int] = {}
    for key, labels in COLUMNS.items():
        for i, name in enumerate(names):
            if name in labels:
                index[key] = i
    missing = [COLUMNS[k][0] for k in ("employee_no", "month") if k not in index]
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
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue

        def get(key: str, values: tuple[Any, ...] = values) -> Any:
            i = index.get(key)
            return _cell(values[i]) if i is not None and i < len(values) else None

        out.append(
            AdjustmentRow(
                row=number,
                employee_no=str(get("employee_no") or "").strip(),
                month=str(get("month") or "").strip(),
                leave_days=get("leave_days"),
                trainings_attended=get("trainings_attended"),
                trainings_missed=get("trainings_missed"),
                days_late=get("days_late"),
            )
        )
    return out


def template_workbook(rows: list[tuple[Any, ...]] = ()) -> bytes:  # type: ignore[assignment]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([labels[0] for labels in COLUMNS.values()])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
