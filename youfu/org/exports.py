"""Excel export of units and people, in exactly the layout the import reads (Chinese headers, Chinese
labels), so export → edit → import changes only what was edited. Only what the user may see is written:
every row comes from the subtree-restricted selectors."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from youfu.accounts.access import restrict
from youfu.org.imports import GENDER_ZH, PEOPLE_COLUMNS, POSITION_ZH, UNIT_COLUMNS, UNIT_KIND_ZH, Column
from youfu.org.models import Person, Unit
from youfu.org.selectors import person_list, unit_list

DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"  # codes stay text in Excel: 000123 must not become 123


def _workbook(title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    # Write-only mode streams rows to the file, so 400,000 people do not sit in memory as cells.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for position, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, str):
                cell.number_format = TEXT_FORMAT
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def units_export(*, user: Any) -> bytes:
    """The units the user may see, in tree order (a parent always comes before its children)."""
    units = list(
        unit_list(user=user).values_list("path", "code", "name", "kind", "region", "province", "address")
    )
    code_by_path = {path: code for path, code, *_rest in units}
    # The unit above the user's own is named as its parent (it is where their unit hangs), not shown.
    missing = {path[: -Unit.steplen] for path, *_rest in units if len(path) > Unit.steplen} - set(
        code_by_path
    )
    code_by_path.update(Unit.objects.filter(path__in=missing).values_list("path", "code"))

    def rows() -> Iterable[list[Any]]:
        for path, code, name, kind, region, province, address in units:
            parent = code_by_path.get(path[: -Unit.steplen], "") if len(path) > Unit.steplen else ""
            yield [code, name, UNIT_KIND_ZH.get(kind, kind), parent, region, province, address]

    return _workbook("机构", UNIT_COLUMNS, rows())


def people_export(*, user: Any, queryset: QuerySet[Person] | None = None) -> bytes:
    """The people the user may see (or the given queryset, e.g. a filtered list, narrowed to them)."""
    people = person_list(user=user) if queryset is None else restrict(queryset, user)
    values = people.order_by("employee_no").values_list(
        "employee_no",
        "name",
        "unit__code",
        "position",
        "gender",
        "hire_date",
        "birth_date",
        "teller_grade",
        "phone",
    )

    def rows() -> Iterable[list[Any]]:
        for employee_no, name, unit_code, position, gender, hire, birth, grade, phone in values.iterator(
            chunk_size=2000
        ):
            yield [
                employee_no,
                name,
                unit_code,
                POSITION_ZH.get(position, position),
                GENDER_ZH.get(gender, gender),
                hire,
                birth,
                grade,
                phone,
            ]

    return _workbook("员工", PEOPLE_COLUMNS, rows())
