"""Excel export of facts in exactly the layout the import reads (youfu.facts.imports): one sheet of
units or of people (the import reads one subject kind per file), subject and period columns, one
column per input name, and a second row of Chinese labels. Numbers are written as exact decimals;
export → import changes nothing. Only what the user may see is written (youfu.facts.selectors.fact_list)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from youfu.facts.catalog import input_spec
from youfu.facts.choices import SubjectKind
from youfu.facts.imports import (
    PERIOD_COLUMN,
    PERSON_COLUMN,
    PERSON_NAME_COLUMN,
    UNIT_COLUMN,
    UNIT_NAME_COLUMN,
)
from youfu.facts.models import Fact
from youfu.facts.selectors import fact_list
from youfu.org.models import Period

TEXT_FORMAT = "@"  # codes stay text in Excel: 000123 must not become 123
LABEL_MARKER = "说明"


def _label(name: str) -> str:
    spec = input_spec(name)
    if spec is None:
        return ""
    text = spec.description or name
    return f"{text}（{spec.measure}）" if spec.measure else text


def facts_export(
    *,
    user: Any,
    period: Period,
    subject_kind: SubjectKind | str = SubjectKind.UNIT,
    names: Iterable[str] | None = None,
    queryset: QuerySet[Fact] | None = None,
) -> bytes:
    """The current facts of units (or of people) in the period that the user may see — optionally only
    `names`, or a filtered queryset narrowed to them — as an .xlsx workbook of one sheet."""
    facts = (
        fact_list(user=user)
        if queryset is None
        else queryset.filter(pk__in=fact_list(user=user).values("pk"))
    )
    facts = facts.filter(period=period, is_current=True, subject_kind=subject_kind)
    if names is not None:
        facts = facts.filter(name__in=list(names))
    rows = facts.order_by().values_list(
        "subject_kind",
        "unit__code",
        "unit__name",
        "person__employee_no",
        "person__name",
        "unit_path",
        "name",
        "value_type",
        "value_number",
        "value_bool",
        "value_text",
    )
    tables: dict[str, dict[str, dict[str, Any]]] = {SubjectKind.UNIT: {}, SubjectKind.PERSON: {}}
    order: dict[str, dict[str, str]] = {SubjectKind.UNIT: {}, SubjectKind.PERSON: {}}
    titles: dict[str, dict[str, str]] = {SubjectKind.UNIT: {}, SubjectKind.PERSON: {}}
    names_by_kind: dict[str, set[str]] = {SubjectKind.UNIT: set(), SubjectKind.PERSON: set()}
    for kind, unit_code, unit_name, employee_no, person_name, path, name, vtype, number, flag, text in rows:
        code = unit_code if kind == SubjectKind.UNIT else employee_no
        fact = Fact(value_type=vtype, value_number=number, value_bool=flag, value_text=text)
        tables[kind].setdefault(code, {})[name] = fact.value
        order[kind][code] = f"{path}/{code}"
        titles[kind][code] = unit_name if kind == SubjectKind.UNIT else person_name
        names_by_kind[kind].add(name)

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for kind in [subject_kind]:
        subject_column = UNIT_COLUMN if kind == SubjectKind.UNIT else PERSON_COLUMN
        title_column = UNIT_NAME_COLUMN if kind == SubjectKind.UNIT else PERSON_NAME_COLUMN
        sheet = workbook.create_sheet("机构" if kind == SubjectKind.UNIT else "员工")
        sheet.freeze_panes = "C3"
        columns = sorted(names_by_kind[kind])
        header = [subject_column.header, title_column.header, PERIOD_COLUMN.header, *columns]
        sheet.append([_cell(sheet, text, font=bold) for text in header])
        sheet.append(
            [
                _cell(sheet, LABEL_MARKER),
                _cell(sheet, ""),
                _cell(sheet, ""),
                *(_cell(sheet, _label(n)) for n in columns),
            ]
        )
        for code in sorted(tables[kind], key=lambda c: order[kind][c]):
            values = tables[kind][code]
            sheet.append(
                [
                    _cell(sheet, code),
                    _cell(sheet, titles[kind][code]),
                    _cell(sheet, period.code),
                    *(_cell(sheet, values.get(name)) for name in columns),
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet: Any, value: Any, *, font: Font | None = None) -> WriteOnlyCell:
    if isinstance(value, Decimal):
        # Written as the exact decimal text; Excel holds 15 significant digits, all a fact may have.
        value = int(value) if value == value.to_integral_value() else value
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.number_format = TEXT_FORMAT
    if font is not None:
        cell.font = font
    return cell
