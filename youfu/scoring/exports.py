"""Excel export of a ranking: the columns of the ranking page (rank, unit or person, the ranked value,
points, money), one row per line the user sees — the rows come from the subtree-restricted selector,
so a file never holds more than the page would show."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from youfu.scoring.models import ScoreLine, ScoreRun

MONEY_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"


def ranking_export(*, run: ScoreRun, subject_name: str, ranked_by: str, lines: QuerySet[ScoreLine]) -> bytes:
    """``lines``: ranking(...) for the user (annotated with scope_rank), in the page's order."""
    columns = [
        (_("Rank"), 8),
        (_("Unit code"), 14),
        (_("Unit"), 24),
        (_("Employee no."), 14),
        (pgettext("ranking column", "Person"), 14),
        (ranked_by or _("Ranked by"), 16),
        (_("Points"), 12),
        (_("Amount (yuan)"), 16),
    ]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(subject_name[:31] or "ranking")
    sheet.freeze_panes = "A3"
    for position, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    bold = Font(bold=True)
    title = WriteOnlyCell(
        sheet,
        value=f"{run.policy_version.name} v{run.policy_version.version} · {run.period.name} · {subject_name}",
    )
    title.font = bold
    sheet.append([title])
    header = []
    for text, _width in columns:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for line in lines.iterator(chunk_size=2000):
        person = line.person
        row: list[Any] = [
            getattr(line, "scope_rank", line.rank),
            line.unit.code,
            line.unit.name,
            person.employee_no if person else None,
            person.name if person else None,
            line.rank_value.normalize() if line.rank_value is not None else None,
            line.total_points.normalize(),
            line.total_amount,
        ]
        cells = []
        for index, value in enumerate(row):
            cell = WriteOnlyCell(sheet, value=value)  # openpyxl writes Decimal as a number
            if index == 7:
                cell.number_format = MONEY_FORMAT
            elif isinstance(value, str):
                cell.number_format = TEXT_FORMAT
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
