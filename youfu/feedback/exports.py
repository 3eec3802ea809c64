"""Excel export of a rates table, as shown on the page (only what the user may see: the lines come from
youfu.feedback.selectors.rates)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from youfu.feedback.choices import Grouping
from youfu.feedback.selectors import RateLine, total_line

PERCENT = "0.00"


def rates_export(*, lines: Sequence[RateLine], grouping: str, start: dt.date, end: dt.date) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Satisfaction")[:31])
    bold = Font(bold=True)
    person = grouping == Grouping.PERSON
    title = WriteOnlyCell(sheet, _("Evaluator ratings %(start)s – %(end)s") % {"start": start, "end": end})
    title.font = bold
    sheet.append([title])
    header = [
        _("Employee number") if person else _("Unit code"),
        _("Name"),
        _("Unit") if person else _("Parent unit"),
        _("Transactions"),
        _("Rated"),
        _("Very satisfied"),
        _("Satisfied"),
        _("Neutral"),
        _("Unsatisfied"),
        _("Evaluation rate (%)"),
        _("Satisfaction rate (%)"),
    ]
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for line in [*lines, total_line(lines)]:
        row: list[object] = [
            line.code or _("Total"),
            line.name,
            line.unit_name,
            line.transactions,
            line.rated,
            line.very_satisfied,
            line.satisfied,
            line.neutral,
            line.unsatisfied,
        ]
        for rate in (line.evaluation_rate, line.satisfaction_rate):
            cell = WriteOnlyCell(sheet, rate)  # a Decimal: written as the exact number
            cell.number_format = PERCENT
            row.append(cell)
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
