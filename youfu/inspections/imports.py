"""Excel import of a mystery-shopping firm's results (第三方神秘人检查结果), all or nothing, in one of two
layouts (`layout="auto"` tells them apart: see `_detect`).

Layout (a), one row per outlet × item, on the first sheet; the header row is the first row (of the
first ten) that names the outlet column, so a title row above it is fine. Headers, in any order:

* 网点代码 (outlet code) *, 检查日期 (visit date) *, 访问编号 (visit reference) *, 检查项编号 (item code) *,
  结果 (result) *, 备注 (note), 时间 (visit time: 09:30 or 09:30-09:55); 网点名称 and 检查内容 are for
  people and ignored.
* 结果: 合格/不合格 (or pass/fail) for a pass/fail item, occurrences (2, 2次) or points lost (4分, a whole
  number of the item's points per occurrence) for a deduction item, the score for a score item, 不适用
  (N/A) where the item allows it.

Layout (b), one sheet per visit: above the items table, rows whose first cell is 网点代码 *, 检查日期 *,
访问编号 * or 时间, each with its value in the next cell; then a header row 检查项编号 * | 结果 * | 备注
(检查内容 ignored) and one row per item, results written as in (a). Sheets with neither (a cover or
notes sheet) are skipped. A problem with the visit's outlet or date is reported once, at its row.

One visit reference is one inspection (kind mystery_shopper, status submitted: a second person still
approves it — four eyes). The importing user is its creator and inspector of record in the system; the
firm and the visit reference are written in its notes. A visit reference already imported (the
inspection's unique `external_ref`) is reported as unchanged and not touched, so importing the same file
twice creates nothing twice. Every problem is reported with sheet, row and column, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from youfu.accounts.access import require_perm, scope_path, visible_units
from youfu.core.errors import ApplicationError, ErrorDetail, PermissionDeniedError
from youfu.inspections import services
from youfu.inspections.choices import InspectionKind
from youfu.inspections.models import Inspection
from youfu.org.choices import UnitKind
from youfu.standards import scoring
from youfu.standards import selectors as standards
from youfu.standards.choices import VersionStatus
from youfu.standards.models import StandardVersion


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = True


COLUMNS = (
    Column("outlet", "网点代码", ("网点编号", "机构号", "机构代码", "outlet code", "outlet")),
    Column("date", "检查日期", ("访问日期", "日期", "visit date", "date")),
    Column("ref", "访问编号", ("访问单号", "问卷编号", "visit reference", "visit ref", "reference")),
    Column("item", "检查项编号", ("检查项目编号", "项目代码", "题号", "item code", "item")),
    Column("result", "结果", ("检查结果", "result")),
    Column("note", "备注", ("说明", "note", "notes"), required=False),
    Column("time", "时间", ("访问时间", "visit time", "time"), required=False),
)
IGNORED = frozenset({"网点名称", "检查内容", "outletname", "itemtext"})
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})(?:[:：]\d{2})?$")


def _normalise(text: str) -> str:
    return re.sub(r"[\s\-_*＊/]+", "", text).casefold()


_HEADERS = {_normalise(n): c for c in COLUMNS for n in (c.header, c.key, *c.aliases)}
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}


@dataclass(frozen=True)
class Visit:
    """One visit of the file: what it creates (or, already imported, leaves as it is)."""

    ref: str
    outlet: str
    date: dt.date
    row: int
    items: int
    findings: int
    total: Decimal | None
    inspection_id: int | None = None
    unchanged: bool = False
    sheet: str = ""


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, with dry_run, would do). A file with errors raises instead."""

    standard: str
    version: int
    rows: int
    visits: list[Visit]
    warnings: list[str] = field(default_factory=list)
    layout: str = "a"

    @property
    def created(self) -> int:
        return sum(1 for v in self.visits if not v.unchanged)

    @property
    def unchanged(self) -> int:
        return sum(1 for v in self.visits if v.unchanged)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value).strip()


def _error(sheet: str, row: int | None, column: str | None, code: str, message: str) -> ErrorDetail:
    # The field names the sheet and the column, as the error table shows it: 结果 (Sheet1).
    where = f"{column} ({sheet})" if column else sheet
    return ErrorDetail(code=code, message=message, field=where, row=row)


def _refuse(errors: list[ErrorDetail]) -> ApplicationError:
    errors = sorted(errors, key=lambda e: e.row or 0)
    message = ngettext(
        "The file has %(count)d error; nothing was imported. Fix the row listed and import the file again.",
        "The file has %(count)d errors; nothing was imported. Fix the rows listed and import the file again.",
        len(errors),
    ) % {"count": len(errors)}
    return ApplicationError(message=message, code="import_invalid", details=errors)


def _parse_date(value: Any, today: dt.date) -> dt.date | None:
    if isinstance(value, dt.datetime):
        found = value.date()
    elif isinstance(value, dt.date):
        found = value
    else:
        text = _text(value).replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-")
        text = text.replace(".", "-")
        if re.fullmatch(r"\d{8}", text):
            text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
        try:
            year, month, day = (int(p) for p in text.split("-"))
            found = dt.date(year, month, day)
        except ValueError:
            return None
    return found if found <= today else None


def _parse_time(value: Any) -> tuple[dt.time | None, dt.time | None] | None:
    """(start, end) from a time cell: 09:30, 09:30-09:55 (also ～, ~, 至), or an Excel time."""
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0), None
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0), None
    text = _text(value)
    if not text:
        return None, None
    out: list[dt.time] = []
    for part in re.split(r"\s*(?:-|–|—|～|~|至)\s*", text):
        match = _TIME.match(part)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            return None
        out.append(dt.time(int(match[1]), int(match[2])))
    if len(out) > 2 or (len(out) == 2 and out[1] < out[0]):
        return None
    return out[0], out[1] if len(out) == 2 else None


def _result_value(item: scoring.ItemSpec, raw: Any) -> Any:
    """A result cell as services.parse_of reads it; 4分 on a deduction item becomes occurrences."""
    text = _text(raw)
    if item.kind == scoring.DEDUCTION and text.endswith("次"):
        return text[:-1].strip()
    if text.endswith("分"):
        number = text[:-1].strip()
        if item.kind != scoring.DEDUCTION:
            return number
        try:
            points = Decimal(number)
        except InvalidOperation:
            return text
        occurrences = points / item.points if item.points else Decimal(-1)
        if occurrences != occurrences.to_integral_value():
            raise ValueError(
                _(
                    "%(points)s points is not a whole number of deductions of %(each)s points; "
                    "give the number of occurrences instead."
                )
                % {"points": number, "each": f"{item.points.normalize():f}"}
            )
        return str(int(occurrences))
    return raw if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool) else text


def _version(actor: Any, standard: str, number: int | None) -> StandardVersion:
    from django.http import Http404

    try:
        found = standards.standard_get_by_code(user=actor, code=standard)
    except Http404:
        found = None
    versions = (
        standards.standard_versions(user=actor, standard=found).filter(status=VersionStatus.PUBLISHED)
        if found is not None
        else StandardVersion.objects.none()
    )
    version = versions.filter(number=number).first() if number is not None else versions.first()
    if version is None:
        raise ApplicationError(
            _("Standard %(code)s has no published version %(number)s that you can use.")
            % {"code": standard, "number": number if number is not None else ""},
            code="does_not_exist",
            field="standard",
        )
    return version


@dataclass
class _Row:
    number: int
    outlet: str
    date: dt.date
    ref: str
    item: str
    value: Any
    note: str
    times: tuple[dt.time | None, dt.time | None]
    sheet: str = ""
    ref_row: int = 0


@dataclass
class _Raw:
    """One result row of either layout: its cells by column key, and the row each value was read from
    (layout (b): the visit's outlet, date, reference and time come from the block above the items)."""

    sheet: str
    number: int
    values: dict[str, Any]
    rows: dict[str, int]


LAYOUTS = ("auto", "a", "b")
_VISIT_KEYS = ("outlet", "date", "ref", "time")


def _load(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "not a readable .xlsx"
        raise ApplicationError(
            _(
                "The file is not an Excel workbook (.xlsx) or cannot be read. Open it in Excel, save it as "
                "“Excel Workbook (*.xlsx)” and import it again."
            ),
            code="import_invalid",
            field="file",
        ) from exc
    try:
        return [
            (sheet.title, [list(r) for r in sheet.iter_rows(values_only=True)])
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()


def _positions(cells: list[Any]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for at, cell in enumerate(cells):
        column = _HEADERS.get(_normalise(_text(cell)))
        if column is not None:
            positions.setdefault(column.key, at)
    return positions


def _body(title: str, rows: list[list[Any]], header: int, positions: dict[str, int]) -> list[_Raw]:
    """The non-empty rows below the header row (1-based `header`), read by column."""
    out = []
    for offset, cells in enumerate(rows[header:]):
        if not any(_text(c) for c in cells):
            continue
        number = header + 1 + offset
        values = {key: cells[at] if at < len(cells) else None for key, at in positions.items()}
        out.append(_Raw(title, number, values, dict.fromkeys(positions, number)))
    return out


def _table_header(
    rows: list[list[Any]], *keys: str, limit: int | None = None
) -> tuple[int, dict[str, int]] | None:
    """The first row (1-based) naming all of `keys`, with its column positions."""
    for index, cells in enumerate(rows[:limit]):
        positions = _positions(cells)
        if all(k in positions for k in keys):
            return index + 1, positions
    return None


def _detect(sheets: list[tuple[str, list[list[Any]]]]) -> str:
    """(a) when the first sheet has a header row naming the outlet and the item (in its first ten rows);
    (b) when a sheet has an items table (item and result columns) without an outlet column; else (a),
    whose missing columns are then reported."""
    if sheets and _table_header(sheets[0][1], "outlet", "item", limit=10):
        return "a"
    for _title, rows in sheets:
        found = _table_header(rows, "item", "result")
        if found is not None and "outlet" not in found[1]:
            return "b"
    return "a"


def _visit_block(rows: list[list[Any]], end: int) -> dict[str, tuple[Any, int]]:
    """Layout (b)'s visit block above the items table: rows whose first cell names 网点代码, 检查日期,
    访问编号 or 时间, the value in the next filled cell (the first such row of each counts)."""
    block: dict[str, tuple[Any, int]] = {}
    for index, cells in enumerate(rows[: end - 1]):
        filled = [c for c in cells if _text(c)]
        if not filled:
            continue
        column = _HEADERS.get(_normalise(_text(filled[0])))
        if column is not None and column.key in _VISIT_KEYS and column.key not in block:
            block[column.key] = (filled[1] if len(filled) > 1 else None, index + 1)
    return block


def _read(data: bytes, layout: str) -> tuple[str, list[_Raw], list[ErrorDetail]]:
    """The result rows of the file in the layout given (or detected), and the problems of its shape."""
    sheets = _load(data)
    layout = _detect(sheets) if layout == "auto" else layout
    errors: list[ErrorDetail] = []
    if layout == "a":
        title, rows = sheets[0]
        found = _table_header(rows, "outlet", limit=10)
        header, positions = found if found is not None else (1, {})
        missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
        if missing:
            errors.append(
                _error(
                    title,
                    header,
                    None,
                    "missing_columns",
                    _("Columns %(columns)s are missing; add them to the header row (see the layout).")
                    % {"columns": "、".join(missing)},
                )
            )
            return layout, [], errors
        body = _body(title, rows, header, positions)
        if not body:
            errors.append(
                _error(
                    title,
                    header + 1,
                    None,
                    "empty_file",
                    _("The sheet holds no result; one row per outlet and item."),
                )
            )
        return layout, body, errors
    out: list[_Raw] = []
    for title, rows in sheets:
        found = _table_header(rows, "item", "result")
        block = _visit_block(rows, found[0] if found is not None else len(rows) + 1)
        if found is None and not block:
            continue  # a cover or notes sheet: no visit on it
        if found is None:
            errors.append(
                _error(
                    title,
                    None,
                    None,
                    "missing_columns",
                    _(
                        "The sheet has no items table: add a header row 检查项编号 | 结果 | 备注 "
                        "below the visit."
                    ),
                )
            )
            continue
        header, positions = found
        missing = [COLUMNS_BY_KEY[k].header for k in ("outlet", "date", "ref") if k not in block]
        if missing:
            errors.append(
                _error(
                    title,
                    None,
                    None,
                    "missing_columns",
                    _(
                        "%(names)s missing above the items table: add a row for each, "
                        "its value in the next cell."
                    )
                    % {"names": "、".join(missing)},
                )
            )
            continue
        body = _body(title, rows, header, positions)
        if not body:
            errors.append(
                _error(
                    title, header + 1, None, "empty_file", _("The sheet holds no result; one row per item.")
                )
            )
        for raw in body:
            for key, (value, row) in block.items():
                raw.values[key], raw.rows[key] = value, row
        out.extend(body)
    if not out and not errors:
        errors.append(
            _error(
                sheets[0][0] if sheets else "-",
                None,
                None,
                "empty_file",
                _(
                    "The file holds no visit: one sheet per visit, its outlet, date and reference, "
                    "then its items."
                ),
            )
        )
    return layout, out, errors


def inspections_import(
    *,
    actor: Any,
    file: Any,
    standard: str,
    version: int | None = None,
    firm: str = "",
    dry_run: bool = False,
    today: dt.date | None = None,
    layout: str = "auto",
) -> ImportResult:
    """Import a mystery-shopping firm's results (layout (a), (b) or detected) as submitted inspections;
    all or nothing."""
    require_perm(actor, "inspections.import_inspections")
    require_perm(actor, "inspections.add_inspection")
    require_perm(actor, "inspections.submit_inspection")
    if scope_path(actor) is None:
        raise PermissionDeniedError(_("You are not in charge of any unit, so you cannot import."))
    today = today or timezone.localdate()
    chosen = _version(actor, standard.strip(), version)
    spec = services.spec_of(chosen)
    items = {i.code: i for i in spec.items}
    if isinstance(file, str | Path):
        data, name = Path(file).read_bytes(), Path(file).name
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data, name = file.read(), Path(str(getattr(file, "name", "") or "")).name
    if layout not in LAYOUTS:
        raise ApplicationError(_("Unknown layout; give a, b or auto."), field="layout")
    layout, body, errors = _read(data, layout)
    seen_errors: set[tuple[Any, ...]] = {(e.field, e.row, e.code, e.message) for e in errors}

    def add(at: _Raw | tuple[str, int] | None, key: str | None, code: str, message: str) -> None:
        header = next((c.header for c in COLUMNS if c.key == key), None)
        if isinstance(at, _Raw):
            sheet, row = at.sheet, at.rows.get(key or "", at.number)
        else:
            sheet, row = at if at is not None else ("-", 0)
        error = _error(sheet, row or None, header, code, message)
        # Layout (b) reads a visit's outlet and date once for all its items: one error, not one per item.
        mark = (error.field, error.row, error.code, error.message)
        if mark not in seen_errors:
            seen_errors.add(mark)
            errors.append(error)

    if errors and not body:
        raise _refuse(errors)  # nothing to read row by row (a sheet's shape errors are listed with the rest)

    codes = {_text(raw.values.get("outlet")) for raw in body}
    # Units outside the importer's subtree are simply not found: the message is the same as for unknown.
    units = {u.code: u for u in visible_units(actor).filter(code__in=codes)}
    rows: list[_Row] = []
    seen: dict[tuple[str, str], int] = {}
    for raw in body:

        def cell(key: str, raw: _Raw = raw) -> Any:
            return raw.values.get(key)

        ok = True
        outlet, ref, code = _text(cell("outlet")), _text(cell("ref")), _text(cell("item"))
        for key, value in (("outlet", outlet), ("ref", ref), ("item", code), ("date", _text(cell("date")))):
            if not value:
                add(raw, key, "required", _("The cell is empty; fill it in."))
                ok = False
        unit = units.get(outlet)
        if outlet and unit is None:
            add(
                raw,
                "outlet",
                "unknown_outlet",
                _(
                    "Outlet %(code)s does not exist or is outside the part of the organisation you are "
                    "responsible for. Check the code against the bank's outlet codes."
                )
                % {"code": outlet},
            )
            ok = False
        elif unit is not None and unit.kind != UnitKind.OUTLET:
            add(raw, "outlet", "not_outlet", _("%(code)s is not an outlet.") % {"code": outlet})
            ok = False
        elif unit is not None and not standards.standard_usable_by(standard=chosen.standard, unit=unit):
            add(
                raw,
                "outlet",
                "standard_not_usable",
                _("Standard %(standard)s is not used in outlet %(code)s.")
                % {"standard": chosen.standard.code, "code": outlet},
            )
            ok = False
        date = _parse_date(cell("date"), today) if _text(cell("date")) else None
        if _text(cell("date")) and date is None:
            add(
                raw,
                "date",
                "invalid_date",
                _("%(value)s is not a date up to today; write it as 2025-05-12.")
                % {"value": _text(cell("date"))},
            )
            ok = False
        times = _parse_time(cell("time"))
        if times is None:
            add(
                raw,
                "time",
                "invalid_time",
                _("%(value)s is not a visit time; write it as 09:30 or 09:30-09:55.")
                % {"value": _text(cell("time"))},
            )
            ok = False
        item = items.get(code)
        result_value: Any = None
        if code and item is None:
            add(
                raw,
                "item",
                "unknown_item",
                _(
                    "Item %(item)s is not in %(standard)s version %(version)s; "
                    "use the item codes of that version."
                )
                % {"item": code, "standard": chosen.standard.code, "version": chosen.number},
            )
            ok = False
        elif item is not None:
            try:
                result_value = _result_value(item, cell("result"))
                services.parse_of(chosen, {code: result_value})
                # Range and N/A: score the item alone (the others perfect, as a draft is checked).
                services.score_of(chosen, {**_perfect(spec), code: scoring.parse_result(item, result_value)})
            except ValueError as exc:
                add(raw, "result", "invalid_result", str(exc))
                ok = False
            except ApplicationError as exc:
                add(raw, "result", exc.code or "invalid_result", exc.message)
                ok = False
        if ref and code:
            if (ref, code) in seen:
                add(
                    raw,
                    "item",
                    "duplicate",
                    _("Visit %(ref)s has item %(item)s in row %(first)d already; keep one row per item.")
                    % {"ref": ref, "item": code, "first": seen[(ref, code)]},
                )
                ok = False
            else:
                seen[(ref, code)] = raw.number
        if ok and date is not None and times is not None:
            rows.append(
                _Row(
                    raw.number,
                    outlet,
                    date,
                    ref,
                    code,
                    result_value,
                    _text(cell("note")),
                    times,
                    raw.sheet,
                    raw.rows.get("ref", raw.number),
                )
            )
    visits: dict[str, list[_Row]] = {}
    for row in rows:
        visits.setdefault(row.ref, []).append(row)
    existing = {i.external_ref: i for i in Inspection.objects.filter(external_ref__in=list(visits))}
    planned: list[Visit] = []
    for ref, group in visits.items():
        first = group[0]
        for row in group[1:]:
            if (row.outlet, row.date, row.times) != (first.outlet, first.date, first.times):
                add(
                    (row.sheet, row.ref_row),
                    "ref",
                    "visit_mismatch",
                    _(
                        "Visit %(ref)s has another outlet, date or time here than in row %(first)d; "
                        "one visit is one outlet on one day."
                    )
                    % {"ref": ref, "first": first.number},
                )
        found = existing.get(ref)
        if found is not None:
            if found.unit.code != first.outlet or found.date != first.date or found.version_id != chosen.pk:
                add(
                    (first.sheet, first.ref_row),
                    "ref",
                    "ref_taken",
                    _("Visit reference %(ref)s is already used by another check; give each visit its own.")
                    % {"ref": ref},
                )
                continue
            planned.append(
                Visit(
                    ref,
                    first.outlet,
                    first.date,
                    first.number,
                    len(group),
                    0,
                    found.total,
                    inspection_id=found.pk,
                    unchanged=True,
                    sheet=first.sheet,
                )
            )
            continue
        values = {r.item: r.value for r in group}
        try:
            parsed = services.parse_of(chosen, values)
            outcome = services.score_of(chosen, parsed)  # a missing pass/fail or score item: refused
        except ApplicationError as exc:
            add(
                (first.sheet, first.number),
                "item",
                exc.code or "incomplete",
                _("Visit %(ref)s: %(problem)s Add a row for each pass/fail and score item.")
                % {"ref": ref, "problem": exc.message},
            )
            continue
        planned.append(
            Visit(
                ref,
                first.outlet,
                first.date,
                first.number,
                len(group),
                sum(1 for d in outcome.deductions if d.amount > 0),
                outcome.total,
                sheet=first.sheet,
            )
        )
    if errors:
        raise _refuse(errors)
    result = ImportResult(
        standard=chosen.standard.code, version=chosen.number, rows=len(body), visits=planned, layout=layout
    )
    if dry_run:
        return result
    try:
        with transaction.atomic():
            done = [
                _create(actor, chosen, units[v.outlet], visits[v.ref], firm=firm, file_name=name)
                if not v.unchanged
                else v
                for v in planned
            ]
    except IntegrityError as exc:  # another import of the same visits won the race
        raise ApplicationError(
            _("Another import of these visits ran at the same time; import the file again."),
            code="conflict",
        ) from exc
    return ImportResult(
        standard=result.standard, version=result.version, rows=result.rows, visits=done, layout=layout
    )


def _perfect(spec: scoring.StandardSpec) -> dict[str, scoring.ItemResult]:
    out = {}
    for item in spec.items:
        if item.kind == scoring.PASS_FAIL:
            out[item.code] = scoring.ItemResult(passed=True)
        elif item.kind == scoring.SCORE:
            out[item.code] = scoring.ItemResult(score=Decimal(item.n or 0))
    return out


def _create(
    actor: Any, version: StandardVersion, unit: Any, group: list[_Row], *, firm: str, file_name: str
) -> Visit:
    first = group[0]
    notes = _("Mystery shopping by %(firm)s, visit %(ref)s, imported from %(file)s.") % {
        "firm": firm or _("a third-party firm"),
        "ref": first.ref,
        "file": file_name or "upload.xlsx",
    }
    inspection = services.inspection_create(
        actor=actor,
        kind=InspectionKind.MYSTERY_SHOPPER,
        unit=unit,
        date=first.date,
        version_id=version.pk,
        notes=notes,
        visit_start=first.times[0],
        visit_end=first.times[1],
        external_ref=first.ref,
    )
    services.inspection_record_results(
        actor=actor,
        inspection=inspection,
        values={r.item: r.value for r in group},
        notes={r.item: r.note for r in group if r.note},
    )
    inspection = services.inspection_submit(actor=actor, inspection=inspection)
    return Visit(
        first.ref,
        first.outlet,
        first.date,
        first.number,
        len(group),
        inspection.findings.count(),
        None,
        inspection_id=inspection.pk,
        sheet=first.sheet,
    )


__all__ = ["COLUMNS", "ImportResult", "Visit", "inspections_import"]
