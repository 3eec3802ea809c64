"""Excel import of a standard, in the layout of youfu.standards.exports (which offices already use: a
header/rules area, then one row per section and per item). All or nothing: every problem is collected
with its row and column, and only a file without a single error is saved — through
``services.standard_save``, so the actor's role, subtree and the audit trail apply as on the pages.
Importing the export of a version gives the same version; importing the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from youfu.accounts.access import visible_units
from youfu.core.errors import ApplicationError, ErrorDetail
from youfu.core.money import to_decimal
from youfu.org.models import Unit
from youfu.standards import services, structure
from youfu.standards.exports import (
    HEADER_LABELS,
    ITEM_KIND_ZH,
    KIND_ZH,
    NO,
    RED_LINE_ZH,
    RULE_ZH,
    TABLE_COLUMNS,
    YES,
)
from youfu.standards.structure import ItemData, SectionData, StandardData


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, with dry_run, would do): the standard's code, the version it ends at, and
    the outcome (created, new_version, updated, unchanged). A file with errors raises instead."""

    code: str
    version_number: int
    outcome: str
    published: bool
    warnings: list[str] = field(default_factory=list)


def _key(text: str) -> str:
    return re.sub(r"[\s_\-*＊:：]+", "", text).casefold()


def _reverse(table: dict[str, str], *extra: tuple[str, str]) -> dict[str, str]:
    """Label (Chinese, or the value itself) → value, normalised."""
    out = {_key(label): value for value, label in table.items()}
    out.update({_key(value): value for value in table})
    out.update({_key(label): value for label, value in extra})
    return out


HEADER_KEYS = _reverse(HEADER_LABELS, ("警示说明", "warning"), ("注意", "warning"))
COLUMN_KEYS = _reverse(
    TABLE_COLUMNS, ("分部", "section"), ("项目", "code"), ("内容", "text"), ("分数", "points")
)
KINDS = _reverse(KIND_ZH, ("神秘人", "mystery_shopper"), ("星级", "star"), ("110联动考核", "linkage_110"))
RULES = _reverse(RULE_ZH, ("100减扣分", "deductions"), ("百分制扣分", "deductions"), ("千分制", "share"))
ITEM_KINDS = _reverse(
    ITEM_KIND_ZH, ("扣分项", "deduction"), ("是否项", "pass_fail"), ("评分项", "score_out_of_n")
)
RED_LINES = _reverse(RED_LINE_ZH, ("", "none"), ("否", "none"), ("一票否决", "zero_total"))
BOOLEANS = {
    _key(YES): True,
    _key(NO): False,
    "": False,
    "y": True,
    "yes": True,
    "true": True,
    "1": True,
    "n": False,
    "no": False,
    "false": False,
    "0": False,
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _open(file: BinaryIO | str | Path) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "not a readable .xlsx"
        raise _file_error(
            _(
                "The file is not an Excel workbook (.xlsx) or cannot be read. Open it in Excel, save it as "
                "“Excel Workbook (*.xlsx)” and import it again."
            )
        ) from exc


def _file_error(message: str, row: int | None = None) -> ApplicationError:
    return ApplicationError(
        message, code="import_invalid", details=[ErrorDetail(code="invalid_file", message=message, row=row)]
    )


class _Reader:
    """Reads the sheet into StandardData, collecting every error with its row and column."""

    def __init__(self) -> None:
        self.errors: list[ErrorDetail] = []
        self.warnings: list[str] = []

    def error(self, row: int, column: str | None, message: str) -> None:
        self.errors.append(ErrorDetail(code="invalid", message=message, field=column, row=row))

    def number(self, row: int, column: str, value: Any, *, required: bool = False) -> Decimal | None:
        text = _text(value)
        if not text:
            if required:
                self.error(row, column, _("Give a number."))
            return None
        try:
            return to_decimal(repr(value) if isinstance(value, float) else text)
        except (TypeError, ValueError):
            self.error(row, column, _("%(value)s is not a number.") % {"value": text})
            return None

    def whole(self, row: int, column: str, value: Any) -> int | None:
        number = self.number(row, column, value)
        if number is None:
            return None
        if number != number.to_integral_value() or number < 0:
            self.error(row, column, _("%(value)s is not a whole number.") % {"value": _text(value)})
            return None
        return int(number)

    def choice(self, row: int, column: str, value: Any, table: dict[str, str], default: str) -> str:
        text = _text(value)
        if not text:
            return default
        found = table.get(_key(text))
        if found is None:
            options = "、".join(sorted({k for k in table if k}))
            self.error(
                row,
                column,
                _("Unknown value %(value)s; use one of: %(options)s.") % {"value": text, "options": options},
            )
            return default
        return found


def read_standard(file: BinaryIO | str | Path) -> tuple[StandardData, str, list[str]]:
    """(the standard, the owner unit code written in the file, warnings); raises ApplicationError
    (code import_invalid, one detail per problem with its row and column) on any error."""
    book = _open(file)
    try:
        if not book.worksheets:
            raise _file_error(_("The workbook has no sheet. Put the standard on the first sheet."))
        rows = [
            (number, list(values))
            for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), 1)
        ]
    finally:
        book.close()
    reader = _Reader()
    header: dict[str, Any] = {}
    warnings_text: list[str] = []
    table_at = None
    for number, values in rows:
        first = _key(_text(values[0] if values else None))
        if first in COLUMN_KEYS and COLUMN_KEYS[first] == "section":
            table_at = number
            break
        key = HEADER_KEYS.get(first)
        value = values[1] if len(values) > 1 else None
        if key == "warning":
            if _text(value):
                warnings_text.append(_text(value))
        elif key is not None:
            header[key] = value
    if table_at is None:
        raise _file_error(
            _("No table header row found: the table starts with a row whose first cell is “%(header)s”.")
            % {"header": TABLE_COLUMNS["section"]}
        )
    header_row = dict(rows)[table_at]
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    for position, cell in enumerate(header_row):
        text = _text(cell)
        key = COLUMN_KEYS.get(_key(text)) if text else None
        if text and key is None:
            reader.warnings.append(
                _("Column “%(header)s” is not part of the layout and was ignored.") % {"header": text}
            )
        elif key is not None and key not in positions:
            positions[key] = position
            labels[key] = text
    for required in ("section", "code", "text", "points"):
        if required not in positions:
            reader.error(
                table_at,
                TABLE_COLUMNS[required],
                _("The required column “%(header)s” is missing.") % {"header": TABLE_COLUMNS[required]},
            )
    for key in ("code", "name"):
        if not _text(header.get(key)):
            reader.error(
                1, HEADER_LABELS[key], _("The header area needs “%(label)s”.") % {"label": HEADER_LABELS[key]}
            )
    if reader.errors:
        raise _invalid(reader.errors)

    sections: list[SectionData] = []
    items: list[ItemData] = []
    for number, values in rows[table_at:]:
        cell = {key: (values[pos] if pos < len(values) else None) for key, pos in positions.items()}
        if all(_text(v) == "" for v in cell.values()):
            continue
        col = {key: labels.get(key, TABLE_COLUMNS[key]) for key in TABLE_COLUMNS}
        section_code = _text(cell.get("section"))
        if not section_code:
            reader.error(number, col["section"], _("Give the section code."))
            continue
        if not _text(cell.get("code")):  # a section row
            sections.append(
                SectionData(
                    code=section_code,
                    name=_text(cell.get("text")),
                    points=reader.number(number, col["points"], cell.get("points"), required=True)
                    or Decimal(0),
                    parent=_text(cell.get("parent")) or None,
                    note=_text(cell.get("note")),
                    row=number,
                )
            )
            continue
        aspect, key_item = structure.tags_to_fields(_text(cell.get("tags")).replace("、", ","))
        na = _text(cell.get("na"))
        if _key(na) not in BOOLEANS:
            reader.error(number, col["na"], _("Write 是 or 否, not %(value)s.") % {"value": na})
        items.append(
            ItemData(
                code=_text(cell.get("code")),
                section=section_code,
                text=_text(cell.get("text")),
                kind=reader.choice(number, col["kind"], cell.get("kind"), ITEM_KINDS, "deduction"),
                points=reader.number(number, col["points"], cell.get("points"), required=True) or Decimal(0),
                max_occurrences=reader.whole(number, col["max_occurrences"], cell.get("max_occurrences")),
                n=reader.whole(number, col["n"], cell.get("n")),
                na_allowed=BOOLEANS.get(_key(na), False),
                aspect=aspect,
                key_item=key_item,
                red_line=reader.choice(number, col["red_line"], cell.get("red_line"), RED_LINES, "none"),
                red_line_cap=reader.number(number, col["red_line_cap"], cell.get("red_line_cap")),
                note=_text(cell.get("note")),
                row=number,
            )
        )
    data = StandardData(
        code=_text(header.get("code")),
        name=_text(header.get("name")),
        kind=reader.choice(1, HEADER_LABELS["kind"], header.get("kind"), KINDS, "onsite"),
        rule=reader.choice(1, HEADER_LABELS["rule"], header.get("rule"), RULES, "deductions"),
        max_score=reader.number(1, HEADER_LABELS["max_score"], header.get("max_score")) or Decimal(100),
        description=_text(header.get("description")),
        levels=_levels(reader, header.get("levels")),
        warnings=tuple(warnings_text),
        sections=tuple(sections),
        items=tuple(items),
    )
    # The content's own checks, each mapped back to its row and column header.
    for detail in structure.validate(data):
        column = TABLE_COLUMNS.get(detail.field or "", detail.field) if detail.row else detail.field
        reader.errors.append(
            ErrorDetail(code=detail.code, message=detail.message, field=column, row=detail.row)
        )
    if reader.errors:
        raise _invalid(reader.errors)
    return data, _text(header.get("owner")), reader.warnings


def _levels(reader: _Reader, value: Any) -> tuple[tuple[Decimal, str], ...]:
    """ "五星级>=900；四星级>=800" → ((900, 五星级), (800, 四星级))."""
    out = []
    for part in re.split(r"[;；\n]+", _text(value)):
        if not part.strip():
            continue
        match = re.fullmatch(r"\s*(.+?)\s*(?:>=|≥|：|:)\s*([0-9.]+)\s*", part)
        if match is None:
            reader.error(
                1,
                HEADER_LABELS["levels"],
                _("Write levels as 五星级>=900；四星级>=800, not %(value)s.") % {"value": part},
            )
            continue
        out.append((to_decimal(match.group(2)), match.group(1)))
    return tuple(sorted(out, reverse=True))


def _invalid(errors: list[ErrorDetail]) -> ApplicationError:
    errors = sorted(errors, key=lambda e: e.row or 0)
    return ApplicationError(
        _("The file has %(n)s error(s); nothing was imported. Correct the rows below and import it again.")
        % {"n": len(errors)},
        code="import_invalid",
        details=errors,
    )


def standard_import(
    *, actor: Any, file: BinaryIO | str | Path, dry_run: bool = False, publish: bool = False
) -> ImportResult:
    """Read and save a standard from an Excel file (see the module docstring). With dry_run nothing is
    saved and the result says what would happen."""
    data, owner_code, warnings = read_standard(file)
    owner: Unit | None = None
    if owner_code:
        owner = visible_units(actor).filter(code=owner_code).first()
        if owner is None:
            raise _invalid(
                [
                    ErrorDetail(
                        code="does_not_exist",
                        message=_(
                            "Unit %(value)s does not exist or is outside the part of the organisation you "
                            "are responsible for."
                        )
                        % {"value": owner_code},
                        field=HEADER_LABELS["owner"],
                        row=None,
                    )
                ]
            )
    with transaction.atomic():
        result = services.standard_save(actor=actor, data=data, owner=owner, publish=publish, source="excel")
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(
        code=data.code,
        version_number=result.version.number,
        outcome=result.outcome,
        published=result.published,
        warnings=warnings,
    )
