"""Excel import of facts (考核指标数据), all or nothing.

Layout (wide; the export writes the same, so export → import changes nothing):

* the first sheet; row 1 holds the headers, in any order:
  - the subject: 机构号 (a unit code; 机构代码 and "unit code" are accepted too) or 员工号 (an employee
    number; 工号, "employee no"), one of the two;
  - 期间 (a period code such as 2025Q3; optional when the period is chosen on the page or on the
    command line, and then it must agree with it). One file holds one period;
  - one column per fact, headed by the policy's input name (score, complaint_tickets …);
  - 机构名称 / 姓名 columns are for people reading the sheet and are ignored; any other header that is
    not an input name is ignored with a warning;
* row 2 may hold the Chinese labels of the inputs: a row whose subject cell is empty (or 说明) and that
  holds no number is read as labels and skipped;
* one subject per row; an empty cell records nothing (it does not erase a value).

A column's type is the one the policies declare for the name (youfu.facts.catalog); a name no policy
declares is read as numbers if every cell is one, yes/no if every cell is 是/否 or TRUE/FALSE, else
text. Numbers are read exactly (youfu.facts.values). Every problem is reported by row and column and
the file is refused whole; a valid file goes through youfu.facts.services.facts_record, which checks the
role, the subtree and the period lock again and writes in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from youfu.accounts.access import require_perm, restrict, scope_path, visible_units
from youfu.core.errors import ApplicationError, ErrorDetail, PermissionDeniedError
from youfu.facts.catalog import input_spec
from youfu.facts.choices import BatchSource, SubjectKind, ValueType
from youfu.facts.services import FactValue, facts_record
from youfu.facts.values import BadValue, infer_type, is_name, parse_value
from youfu.org.models import Period, Person, Unit

_CHUNK = 900


class Readable(Protocol):
    """An open file, an upload, or anything else with read() giving the file's bytes."""

    def read(self) -> bytes: ...


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()


UNIT_COLUMN = Column("unit", "机构号", ("机构代码", "机构编号", "unit", "unit code", "unit_code"))
PERSON_COLUMN = Column(
    "person", "员工号", ("工号", "employee no", "employee number", "employee_no", "staff no")
)
PERIOD_COLUMN = Column("period", "期间", ("期间代码", "考核期间", "period", "period code", "period_code"))
UNIT_NAME_COLUMN = Column("unit_name", "机构名称", ("unit name", "unit_name", "网点名称"))
PERSON_NAME_COLUMN = Column("person_name", "姓名", ("person name", "person_name", "所属机构", "所属机构名称"))
LABEL_MARKERS = frozenset({"", "说明", "label", "labels"})


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, with dry_run, would do). A file with errors raises instead."""

    period: str
    subject_kind: str
    names: list[str]
    rows: int
    created: int
    changed: int
    unchanged: int
    batch_id: int | None = None
    same_file_batch_id: int | None = None  # nothing changed, and this earlier batch had the same file
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.changed + self.unchanged


def _normalise(text: str) -> str:
    return re.sub(r"[\s\-*＊]+", "", text).casefold()


_FIXED = {
    _normalise(name): column
    for column in (UNIT_COLUMN, PERSON_COLUMN, PERIOD_COLUMN, UNIT_NAME_COLUMN, PERSON_NAME_COLUMN)
    for name in (column.header, column.key, *column.aliases)
}


def _text(value: Any) -> str:
    """A code cell as text: codes typed as numbers (110101, 110101.0) come back without a decimal point."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value).strip()


def _error(code: str, message: str, *, row: int | None = None, column: str | None = None) -> ErrorDetail:
    return ErrorDetail(code=code, message=message, field=column, row=row)


def _refuse(errors: list[ErrorDetail]) -> ApplicationError:
    errors = sorted(errors, key=lambda e: e.row or 0)
    message = ngettext(
        "The file has %(count)d error; nothing was imported. Fix the row listed and import the file again.",
        "The file has %(count)d errors; nothing was imported. Fix the rows listed and import the file again.",
        len(errors),
    ) % {"count": len(errors)}
    return ApplicationError(message=message, code="import_invalid", details=errors)


def _file_error(
    code: str, message: str, *, row: int | None = None, column: str | None = None
) -> ApplicationError:
    return ApplicationError(
        message=message, code="import_invalid", details=[_error(code, message, row=row, column=column)]
    )


def _read_bytes(file: Readable | str | Path) -> tuple[bytes, str]:
    if isinstance(file, str | Path):
        path = Path(file)
        return path.read_bytes(), path.name
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    return data, Path(str(getattr(file, "name", "") or "")).name


@dataclass
class _Sheet:
    title: str
    subject: Column
    subject_position: int
    period_column: int | None
    fact_columns: dict[str, int]  # name → position
    rows: list[tuple[int, list[Any]]]  # (Excel row number, the cells)
    warnings: list[str]


def _read_sheet(data: bytes) -> _Sheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "not a readable .xlsx"
        raise _file_error(
            "not_xlsx",
            _(
                "The file is not an Excel workbook (.xlsx) or cannot be read. Open it in Excel, save it as "
                "“Excel Workbook (*.xlsx)” and import it again."
            ),
        ) from exc
    try:
        if not workbook.worksheets:
            raise _file_error("empty_file", _("The workbook has no sheet. Put the data on the first sheet."))
        sheet = workbook.worksheets[0]
        rows_iter: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        header = next(rows_iter, None)
        if header is None or all(_text(c) == "" for c in header):
            raise _file_error(
                "empty_file",
                _("The first sheet is empty. Put the column headers in row 1 and one subject per row below."),
                row=1,
            )
        errors: list[ErrorDetail] = []
        warnings: list[str] = []
        fixed: dict[str, int] = {}
        facts: dict[str, int] = {}
        for position, cell in enumerate(header):
            text = _text(cell)
            if not text:
                continue
            column = _FIXED.get(_normalise(text))
            if column is not None:
                if column.key in fixed:
                    errors.append(
                        _error(
                            "duplicate_column",
                            _("Two columns hold “%(header)s”; keep only one of them.")
                            % {"header": column.header},
                            row=1,
                            column=text,
                        )
                    )
                fixed[column.key] = position
            elif is_name(text):
                if text in facts:
                    errors.append(
                        _error(
                            "duplicate_column",
                            _("Two columns hold the input “%(name)s”; keep only one of them.")
                            % {"name": text},
                            row=1,
                            column=text,
                        )
                    )
                facts[text] = position
            else:
                warnings.append(
                    _(
                        "Column “%(header)s” is neither a subject, a period nor an input name "
                        "(letters, digits "
                        "and _, as the policy writes it), and was ignored."
                    )
                    % {"header": text}
                )
        if ("unit" in fixed) == ("person" in fixed):
            errors.append(
                _error(
                    "subject_column",
                    _(
                        "Give exactly one subject column: 机构号 (unit codes) or 员工号 (employee numbers). "
                        "A file holds the facts of units or of people, not both."
                    ),
                    row=1,
                )
            )
        if not facts:
            errors.append(
                _error(
                    "no_fact_columns",
                    _(
                        "No column is headed by an input name (e.g. score, complaint_tickets); "
                        "add one per input."
                    ),
                    row=1,
                )
            )
        if errors:
            raise _refuse(errors)
        subject = UNIT_COLUMN if "unit" in fixed else PERSON_COLUMN
        subject_at = fixed[subject.key]
        period_at = fixed.get("period")
        width = len(header)
        rows: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(rows_iter, start=2):
            cells = list(values) + [None] * (width - len(values))
            if all(_text(c) == "" for c in cells):
                continue
            if number == 2 and _is_label_row(cells, subject_at, facts):
                continue
            rows.append((number, cells))
        return _Sheet(sheet.title, subject, subject_at, period_at, facts, rows, warnings)
    finally:
        workbook.close()


def _is_label_row(cells: list[Any], subject_at: int, facts: dict[str, int]) -> bool:
    if _text(cells[subject_at]).casefold() not in LABEL_MARKERS:
        return False
    values = [cells[position] for position in facts.values() if _text(cells[position])]
    if not values:
        return False
    return infer_type(values) == ValueType.TEXT and not any(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    )


def _resolve_period(sheet: _Sheet, chosen: Period | None, errors: list[ErrorDetail]) -> Period | None:
    codes: dict[str, int] = {}
    if sheet.period_column is not None:
        for number, cells in sheet.rows:
            code = _text(cells[sheet.period_column])
            if code:
                codes.setdefault(code, number)
    if chosen is not None:
        for code, number in codes.items():
            if code != chosen.code:
                errors.append(
                    _error(
                        "period_mismatch",
                        _(
                            "Row %(row)d is for period %(code)s, but the import is for %(chosen)s; "
                            "one file holds one period."
                        )
                        % {"row": number, "code": code, "chosen": chosen.code},
                        row=number,
                        column=PERIOD_COLUMN.header,
                    )
                )
        return chosen
    if not codes:
        errors.append(
            _error(
                "no_period",
                _(
                    "Say which period the file is for: "
                    "fill the 期间 column (e.g. 2025Q3) or choose the period."
                ),
                row=1,
            )
        )
        return None
    found = {p.code: p for p in Period.objects.filter(code__in=list(codes))}
    for code, number in codes.items():
        if code not in found:
            errors.append(
                _error(
                    "unknown_period",
                    _(
                        "Period %(code)s does not exist. "
                        "Write a period code as on the periods page, e.g. 2025Q3."
                    )
                    % {"code": code},
                    row=number,
                    column=PERIOD_COLUMN.header,
                )
            )
    if len(codes) > 1:
        _first, *others = list(codes)
        errors.append(
            _error(
                "several_periods",
                _("The file holds several periods (%(codes)s); one file holds one period. Split it.")
                % {"codes": ", ".join(codes)},
                row=codes[others[0]],
                column=PERIOD_COLUMN.header,
            )
        )
        return None
    return found.get(next(iter(codes)))


def _period_from(period: Period | str | None) -> Period | None:
    if period is None or isinstance(period, Period):
        return period
    found = Period.objects.filter(code=period.strip()).first()
    if found is None:
        raise _file_error(
            "unknown_period",
            _("Period %(code)s does not exist. Write a period code as on the periods page, e.g. 2025Q3.")
            % {"code": period},
        )
    return found


def _subjects(actor: Any, kind: Column, codes: list[str]) -> dict[str, Unit | Person]:
    """The subjects named in the file that the actor may see (a system run: all), by code."""
    found: dict[str, Unit | Person] = {}
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start : start + _CHUNK]
        if kind is UNIT_COLUMN:
            units = Unit.objects.all() if actor is None else visible_units(actor)
            found.update({u.code: u for u in units.filter(code__in=chunk)})
        else:
            people = Person.objects.filter(employee_no__in=chunk).select_related("unit")
            if actor is not None:
                people = restrict(people, actor)
            found.update({p.employee_no: p for p in people})
    return found


def facts_import(
    *,
    actor: Any,
    file: Readable | str | Path,
    period: Period | str | None = None,
    dry_run: bool = False,
    file_name: str | None = None,
    note: str = "",
) -> ImportResult:
    """Import a wide sheet of facts for one period; all or nothing. `period` (a Period or its code) may
    be given instead of, or as well as, the 期间 column. `actor` None is a system run (the demo)."""
    if actor is not None:
        require_perm(actor, "facts.import_facts")
        if scope_path(actor) is None:
            raise PermissionDeniedError(_("You are not in charge of any unit, so you cannot import."))
    data, name_in_file = _read_bytes(file)
    sha256 = hashlib.sha256(data).hexdigest()
    chosen = _period_from(period)
    sheet = _read_sheet(data)
    errors: list[ErrorDetail] = []
    target = _resolve_period(sheet, chosen, errors)

    position = sheet.subject_position
    codes = sorted({_text(cells[position]) for _n, cells in sheet.rows} - {""})
    subjects = _subjects(actor, sheet.subject, codes)
    types: dict[str, ValueType] = {}
    measures: dict[str, str] = {}
    for name, at in sheet.fact_columns.items():
        spec = input_spec(name)
        if spec is not None:
            types[name], measures[name] = spec.type, spec.measure
        else:
            cells = [cells[at] for _n, cells in sheet.rows if _text(cells[at])]
            types[name], measures[name] = (infer_type(cells) if cells else ValueType.NUMBER), ""
            sheet.warnings.append(
                _("“%(name)s” is not an input of any policy yet; its values were read as %(type)s.")
                % {"name": name, "type": ValueType(types[name]).label}
            )

    values: list[FactValue] = []
    seen: dict[str, int] = {}
    for number, cells in sheet.rows:
        code = _text(cells[position])
        if not code:
            errors.append(
                _error(
                    "missing_subject",
                    _("The %(header)s cell is empty; give the subject of the row.")
                    % {"header": sheet.subject.header},
                    row=number,
                    column=sheet.subject.header,
                )
            )
            continue
        if code in seen:
            errors.append(
                _error(
                    "duplicate",
                    _("%(code)s appears in rows %(first)d and %(row)d; each subject may appear only once.")
                    % {"code": code, "first": seen[code], "row": number},
                    row=number,
                    column=sheet.subject.header,
                )
            )
            continue
        seen[code] = number
        subject = subjects.get(code)
        if subject is None:
            if sheet.subject is UNIT_COLUMN:
                message = _(
                    "Unit %(code)s does not exist or is outside the "
                    "part of the organisation you are responsible for."
                )
            else:
                message = _(
                    "Employee number %(code)s does not exist or is outside the part of the organisation "
                    "you are "
                    "responsible for."
                )
            errors.append(
                _error("unknown_subject", message % {"code": code}, row=number, column=sheet.subject.header)
            )
            continue
        for name, at in sheet.fact_columns.items():
            raw = cells[at]
            if _text(raw) == "":
                continue
            try:
                value = parse_value(raw, types[name])
            except BadValue as exc:
                errors.append(_error("invalid_value", str(exc), row=number, column=name))
                continue
            values.append(
                FactValue(subject=subject, name=name, value=value, measure=measures[name], row_number=number)
            )
    if errors:
        raise _refuse(errors)
    assert target is not None
    if not values:
        raise _file_error("no_values", _("The file holds no value: every fact cell is empty."))
    try:
        result = facts_record(
            actor=actor,
            period=target,
            values=values,
            source=BatchSource.IMPORT,
            file_name=file_name or name_in_file or "upload.xlsx",
            sha256=sha256,
            sheet=sheet.title,
            row_count=len(sheet.rows),
            note=note,
            dry_run=dry_run,
        )
    except ApplicationError as exc:
        if exc.code == "invalid_values":
            raise _refuse(list(exc.details)) from exc
        raise
    return ImportResult(
        period=target.code,
        subject_kind=SubjectKind.UNIT if sheet.subject is UNIT_COLUMN else SubjectKind.PERSON,
        names=list(sheet.fact_columns),
        rows=len(sheet.rows),
        created=result.created,
        changed=result.changed,
        unchanged=result.unchanged,
        batch_id=result.batch.pk if result.batch is not None else None,
        same_file_batch_id=result.same_file.pk if result.same_file is not None else None,
        warnings=sheet.warnings,
    )


__all__ = ["PERIOD_COLUMN", "PERSON_COLUMN", "UNIT_COLUMN", "ImportResult", "facts_import"]
