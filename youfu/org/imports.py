"""Excel import of units (机构) and people (员工).

Every row is bound to the same form the web page uses (UnitForm / PersonForm), errors are collected
by row number, and only a file without a single error is written — in one transaction, through the
org services, so the actor's role, subtree and the audit trail apply exactly as on the page
(STYLE.md "Edges"). Re-importing the same file changes nothing and writes no audit entry.

Layout offices use: the first sheet, column headers in row 1 (Chinese; English accepted), one unit or
one person per row. Column order does not matter; unknown columns are ignored with a warning.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django import forms
from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from youfu.accounts.access import require_perm, scope_path, unit_in_scope, visible_units
from youfu.core.audit import acting_as
from youfu.core.errors import ApplicationError, ErrorDetail
from youfu.org import services
from youfu.org.choices import Gender, Position, UnitKind
from youfu.org.forms import PersonForm, UnitCodeField, UnitForm
from youfu.org.models import Person, Unit

# SQLite allows a limited number of bound parameters per query; prefetch in chunks below it.
_CHUNK = 900

# Chinese labels offices write in their sheets. The choices' own labels are English msgids whose
# translations may not exist yet, so the import keeps its own fixed table (also used by the export).
UNIT_KIND_ZH: dict[str, str] = {
    UnitKind.HEAD_OFFICE: "总行",
    UnitKind.BRANCH: "分行",
    UnitKind.SUB_BRANCH: "支行",
    UnitKind.OUTLET: "网点",
    UnitKind.DEPARTMENT: "部门",
}
UNIT_KIND_ZH_ALIASES: dict[str, str] = {
    "部门/团队": UnitKind.DEPARTMENT,
    "团队": UnitKind.DEPARTMENT,
    "营业网点": UnitKind.OUTLET,
    "二级支行": UnitKind.SUB_BRANCH,
    "一级分行": UnitKind.BRANCH,
}
POSITION_ZH: dict[str, str] = {
    Position.TELLER: "柜员",
    Position.LOBBY_MANAGER: "大堂经理",
    Position.WEALTH_MANAGER: "理财经理",
    Position.ACCOUNT_MANAGER: "客户经理",
    Position.OUTLET_HEAD: "网点负责人",
    Position.DEPUTY_OUTLET_HEAD: "网点副主任",
    Position.ACCOUNTING_SUPERVISOR: "会计主管",
    Position.SECURITY_GUARD: "保安",
    Position.SUB_BRANCH_HEAD: "支行行长",
    Position.DEPARTMENT_HEAD: "部门负责人",
    Position.SERVICE_OFFICER: "服务专员",
    Position.CUSTOMER_SERVICE: "客服专员",
    Position.CLERK: "综合员",
}
POSITION_ZH_ALIASES: dict[str, str] = {
    "网点主任": Position.OUTLET_HEAD,
    "营业主管": Position.ACCOUNTING_SUPERVISOR,
    "支行长": Position.SUB_BRANCH_HEAD,
    "客服": Position.CUSTOMER_SERVICE,
}
GENDER_ZH: dict[str, str] = {Gender.MALE: "男", Gender.FEMALE: "女"}
GENDER_ZH_ALIASES: dict[str, str] = {"男性": Gender.MALE, "女性": Gender.FEMALE}


@dataclass(frozen=True)
class Column:
    """One column of an import sheet: the key it fills, its Chinese header and accepted English ones."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 14


UNIT_COLUMNS: tuple[Column, ...] = (
    Column("code", "机构代码", ("code", "unit code"), required=True, width=14),
    Column("name", "机构名称", ("name", "unit name"), required=True, width=26),
    Column("kind", "机构类型", ("kind", "type", "unit kind", "unit type"), required=True, width=10),
    Column(
        "parent", "上级机构代码", ("parent", "parent code", "parent unit", "parent unit code"), required=True
    ),
    Column("region", "片区", ("region",), width=10),
    Column("province", "省份", ("province",), width=10),
    Column("address", "地址", ("address",), width=36),
)

PEOPLE_COLUMNS: tuple[Column, ...] = (
    Column(
        "employee_no", "工号", ("employee no", "employee number", "staff no", "staff number"), required=True
    ),
    Column("name", "姓名", ("name",), required=True, width=10),
    Column("unit", "所属机构代码", ("unit", "unit code"), required=True),
    Column("position", "岗位", ("position", "post", "role"), required=True, width=12),
    Column("gender", "性别", ("gender", "sex"), width=6),
    Column("hire_date", "入职日期", ("hire date", "hired", "date hired"), width=12),
    Column("birth_date", "出生日期", ("birth date", "date of birth", "birthday"), width=12),
    Column("teller_grade", "柜员等级", ("teller grade", "grade"), width=10),
    Column("phone", "电话", ("phone", "telephone", "mobile"), width=15),
)
# Read on import only (an export never writes it): when a person's unit changes, the move takes effect
# on this date instead of today.
MOVE_DATE_COLUMN = Column("move_date", "调动日期", ("move date", "effective date", "transfer date"), width=12)

# Person fields an import may change on an existing person, besides the unit (a move).
_PERSON_DETAIL_FIELDS = ("name", "position", "gender", "hire_date", "birth_date", "teller_grade", "phone")
_UNIT_DETAIL_FIELDS = ("name", "region", "province", "address")


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, with dry_run, would do). A file with errors raises instead, so `errors`
    is empty on a returned result; `warnings` lists what was ignored (unknown columns)."""

    created: int
    updated: int
    unchanged: int
    errors: list[ErrorDetail] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# --- reading the sheet ------------------------------------------------------------------------------


@dataclass
class _Sheet:
    headers: dict[str, str]  # column key -> header text as written in the file
    rows: list[tuple[int, dict[str, Any]]]  # (Excel row number, column key -> cell value)
    warnings: list[str]


def _normalise_header(text: str) -> str:
    return re.sub(r"[\s_\-*＊]+", "", text).casefold()


def _column_index(columns: Iterable[Column]) -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, column.key, *column.aliases):
            index[_normalise_header(name)] = column
    return index


def _open_workbook(file: BinaryIO | str | Path) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors all mean "not a readable .xlsx"
        raise _file_error(
            "not_xlsx",
            _(
                "The file is not an Excel workbook (.xlsx) or cannot be read. Open it in Excel, save it as "
                "“Excel Workbook (*.xlsx)” and import it again."
            ),
        ) from exc


def _file_error(
    code: str, message: str, *, field: str | None = None, row: int | None = None
) -> ApplicationError:
    detail = ErrorDetail(code=code, message=message, field=field, row=row)
    return ApplicationError(message=message, code="import_invalid", details=[detail])


def _read_sheet(
    file: BinaryIO | str | Path, columns: tuple[Column, ...], optional: tuple[Column, ...] = ()
) -> _Sheet:
    workbook = _open_workbook(file)
    try:
        if not workbook.worksheets:
            raise _file_error("empty_file", _("The workbook has no sheet. Put the data on the first sheet."))
        rows_iter: Iterator[tuple[Any, ...]] = workbook.worksheets[0].iter_rows(values_only=True)
        header_row = next(rows_iter, None)
        if header_row is None or all(_text(cell) == "" for cell in header_row):
            raise _file_error(
                "empty_file",
                _("The first sheet is empty. Put the column headers in row 1 and one record per row below."),
                row=1,
            )
        index = _column_index((*columns, *optional))
        positions: dict[str, int] = {}
        headers: dict[str, str] = {}
        warnings: list[str] = []
        errors: list[ErrorDetail] = []
        for position, cell in enumerate(header_row):
            text = _text(cell)
            if not text:
                continue
            column = index.get(_normalise_header(text))
            if column is None:
                warnings.append(
                    _("Column “%(header)s” is not part of the layout and was ignored.") % {"header": text}
                )
                continue
            if column.key in positions:
                errors.append(
                    ErrorDetail(
                        code="duplicate_column",
                        message=_(
                            "Columns %(first)s and %(second)s both hold “%(header)s”; keep only one of them."
                        )
                        % {
                            "first": _column_letter(positions[column.key]),
                            "second": _column_letter(position),
                            "header": column.header,
                        },
                        field=text,
                        row=1,
                    )
                )
                continue
            positions[column.key] = position
            headers[column.key] = text
        for column in columns:
            if column.required and column.key not in positions:
                errors.append(
                    ErrorDetail(
                        code="missing_column",
                        message=_(
                            "The required column “%(header)s” is missing. Add it to row 1 (the English "
                            "header “%(english)s” is accepted too)."
                        )
                        % {
                            "header": column.header,
                            "english": column.aliases[0] if column.aliases else column.key,
                        },
                        field=column.header,
                        row=1,
                    )
                )
        if errors:
            raise _errors_to_exception(errors)
        rows: list[tuple[int, dict[str, Any]]] = []
        for row_number, values in enumerate(rows_iter, start=2):
            record = {key: (values[pos] if pos < len(values) else None) for key, pos in positions.items()}
            if all(_text(value) == "" for value in record.values()):
                continue  # blank lines between blocks are common in hand-kept sheets
            rows.append((row_number, record))
        return _Sheet(headers=headers, rows=rows, warnings=warnings)
    finally:
        workbook.close()


def _column_letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)


# --- cell values -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as text: codes typed as numbers (100001, 100001.0) come back without a decimal point."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def _parse_date(value: Any) -> dt.date | None:
    """A date from an Excel date cell or from text such as 2015-07-01, 2015/7/1, 20150701, 2015年7月1日."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        parsed = value.date()
    elif isinstance(value, dt.date):
        parsed = value
    else:
        text = _text(value).replace(" ", "")
        for fmt in _DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(text)
    if not 1900 <= parsed.year <= 2100:
        raise ValueError(_text(value))
    return parsed


def _normalise_label(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text).casefold()


def _choice_lookup(choices: type[TextChoices], zh: dict[str, str], aliases: dict[str, str]) -> dict[str, str]:
    """Every way an office may write a choice — code, English label, Chinese label, current-language
    label — mapped to the stored value."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        lookup[_normalise_label(value)] = value
        with translation.override("en"):
            lookup[_normalise_label(str(label))] = value
        lookup[_normalise_label(str(label))] = value
    for value, label in zh.items():
        lookup[_normalise_label(label)] = value
    for label, value in aliases.items():
        lookup[_normalise_label(label)] = value
    return lookup


def _choice_help(zh: dict[str, str]) -> str:
    return "、".join(zh.values())


# --- progress ----------------------------------------------------------------------------------------

Progress = Callable[[int, int], None]  # (steps done, steps in all): every row is validated, then written


def _ticker(progress: Progress | None, total: int) -> Callable[[], None]:
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    return tick


# --- errors ------------------------------------------------------------------------------------------


def _errors_to_exception(errors: list[ErrorDetail]) -> ApplicationError:
    errors = sorted(errors, key=lambda e: e.row or 0)  # stable: within a row, in the order found
    message = ngettext(
        "The file has %(count)d error; nothing was imported. Fix the row listed and import the file again.",
        "The file has %(count)d errors; nothing was imported. Fix the rows listed and import the file again.",
        len(errors),
    ) % {"count": len(errors)}
    return ApplicationError(message=message, code="import_invalid", details=errors)


class _RowErrors:
    """Collects the errors of one file, each tied to an Excel row and the column header as written."""

    def __init__(self, headers: dict[str, str], columns: Iterable[Column]) -> None:
        self.headers = headers
        self.defaults = {c.key: c.header for c in columns}
        self.errors: list[ErrorDetail] = []
        self.bad_rows: set[int] = set()

    def column(self, key: str | None) -> str | None:
        if key is None or key == "__all__":
            return None
        return self.headers.get(key) or self.defaults.get(key) or key

    def add(self, row: int, key: str | None, message: str, code: str = "invalid") -> None:
        self.errors.append(ErrorDetail(code=code, message=str(message), field=self.column(key), row=row))
        self.bad_rows.add(row)

    def add_form(
        self,
        row: int,
        form: forms.BaseForm,
        codes: dict[tuple[str, str], str] | None = None,
        skip: frozenset[str] = frozenset(),
    ) -> None:
        """The form's errors; `skip` names columns already reported (a cell that could not be read)."""
        items = form.errors.as_data().items()
        has_field_error = any(key != "__all__" for key, _errs in items) or bool(skip)
        for key, errs in items:
            if key in skip:
                continue
            for error in errs:
                if key == "__all__" and has_field_error and error.code == "constraint_violated":
                    continue  # the same problem is already reported on its column
                message = " ".join(error.messages)
                code = (codes or {}).get((key, error.code or ""), error.code or "invalid")
                self.add(row, key, message, code)

    def add_service_error(
        self, row: int, exc: ApplicationError, fields: dict[str, str] | None = None
    ) -> None:
        for detail in exc.details:
            key = (fields or {}).get(detail.field or "", detail.field)
            self.add(row, key, detail.message, detail.code)


def _duplicate_error(label: str, value: str, first_row: int, row: int) -> str:
    return _("%(label)s %(value)s appears in rows %(first)d and %(row)d; each may appear only once.") % {
        "label": label,
        "value": value,
        "first": first_row,
        "row": row,
    }


# --- lookups without a query per row ----------------------------------------------------------------


class _PrefetchedUnitField(UnitCodeField):
    """UnitForm/PersonForm's unit field, answering from units loaded once instead of a query per row.
    Unknown codes and units outside the actor's subtree get the page's own message."""

    def __init__(self, *, user: Any, units: dict[str, Unit], **kwargs: Any) -> None:
        super().__init__(user=user, **kwargs)
        self.units = units

    def to_python(self, value: Any) -> Unit | None:
        if value in self.empty_values:
            return None
        unit = self.units.get(str(value).strip())
        if unit is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return unit


class _ImportUnitForm(UnitForm):
    """UnitForm as the page binds it, minus the per-row uniqueness query on the code: units are
    prefetched by code, and an existing one is bound as the instance."""

    # Django's own hook, missing from the stubs.
    def _get_validation_exclusions(self) -> set[str]:
        excluded: set[str] = super()._get_validation_exclusions()  # type: ignore[misc]
        return excluded | {"code"}


class _ImportPersonForm(PersonForm):
    """PersonForm exactly as the page binds it, minus the per-row database work whose answer the import
    already holds: the unit's existence (the prefetched unit field), the employee number's uniqueness
    (people are prefetched by number; an existing one is bound as the instance) and the model's check
    constraints, which Django re-evaluates by building a query per constraint per row although
    PersonForm.clean checks the same two rules (grade 1–6, hired after birth) and the database
    enforces them again on write."""

    # Django's own hook, missing from the stubs.
    def _get_validation_exclusions(self) -> set[str]:
        excluded: set[str] = super()._get_validation_exclusions()  # type: ignore[misc]
        return excluded | {"unit", "employee_no"}

    def _post_clean(self) -> None:
        # The instance is a throw-away copy: the import writes through the services, not form.save().
        self.instance.validate_constraints = _no_constraint_check
        super()._post_clean()  # type: ignore[misc]


def _no_constraint_check(exclude: Any = None) -> None:
    return None


def _units_by_code(queryset: Any) -> dict[str, Unit]:
    return {unit.code: unit for unit in queryset}


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _prefetch(
    model: Any, field_name: str, values: list[str], related: tuple[str, ...] = ()
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in _chunks(values):
        queryset = model.objects.filter(**{f"{field_name}__in": chunk})
        if related:
            queryset = queryset.select_related(*related)
        for obj in queryset:
            found[getattr(obj, field_name)] = obj
    return found


def _require_import_rights(actor: Any) -> None:
    require_perm(actor, "org.import_org")
    if scope_path(actor) is None:
        raise ApplicationError(
            _("You are not in charge of any unit, so you cannot import."), code="permission_denied"
        )


# --- units -------------------------------------------------------------------------------------------


@dataclass
class _UnitPlan:
    row: int
    code: str
    parent_code: str
    values: dict[str, str]
    existing: Unit | None = None
    changes: dict[str, str] = field(default_factory=dict)


def _unit_tree_order(
    rows: list[tuple[int, dict[str, Any]]], report: _RowErrors
) -> list[tuple[int, dict[str, Any]]]:
    """Rows sorted so that a unit comes after its parent when both are in the file (a parent may be
    listed anywhere). Duplicate codes and circular parents are reported here."""
    by_code: dict[str, int] = {}
    for row, record in rows:
        code = _text(record.get("code"))
        if not code:
            continue
        if code in by_code:
            report.add(row, "code", _duplicate_error(_("Unit code"), code, by_code[code], row), "duplicate")
            continue
        by_code[code] = row
    parents = {
        code: _text(record.get("parent"))
        for row, record in rows
        if (code := _text(record.get("code"))) and row not in report.bad_rows
    }
    depth: dict[str, int] = {}  # 0 for a unit whose parent is not in the file; -1 inside a circle

    def depth_of(code: str) -> int:
        chain: list[str] = []
        current = code
        while current in parents and current not in depth:
            if current in chain:
                for item in chain:
                    depth[item] = -1
                return -1
            chain.append(current)
            current = parents[current]
        level = depth[current] + 1 if current in depth else 0
        for item in reversed(chain):
            depth[item] = -1 if level < 0 else level
            level = -1 if level < 0 else level + 1
        return depth[code]

    ordered: list[tuple[int, tuple[int, dict[str, Any]]]] = []
    for row, record in rows:
        if row in report.bad_rows:
            continue
        code = _text(record.get("code"))
        level = depth_of(code) if code else 0
        if level < 0:
            report.add(
                row,
                "parent",
                _("The parent codes of unit %(code)s go round in a circle; give it a real parent unit.")
                % {"code": code},
                "circular_parent",
            )
            continue
        ordered.append((level, (row, record)))
    ordered.sort(key=lambda item: (item[0], item[1][0]))
    return [item for _level, item in ordered]


def units_import(
    *, actor: Any, file: BinaryIO | str | Path, dry_run: bool = False, progress: Progress | None = None
) -> ImportResult:
    """Create and update units from an Excel sheet; all or nothing. Units are matched by code."""
    _require_import_rights(actor)
    sheet = _read_sheet(file, UNIT_COLUMNS)
    report = _RowErrors(sheet.headers, UNIT_COLUMNS)
    kinds = _choice_lookup(UnitKind, UNIT_KIND_ZH, UNIT_KIND_ZH_ALIASES)
    ordered = _unit_tree_order(sheet.rows, report)

    codes = [_text(record.get("code")) for _row, record in ordered]
    existing = _prefetch(Unit, "code", [c for c in codes if c])
    visible = _units_by_code(
        visible_units(actor).only("id", "code", "name", "kind", "path", "depth", "numchild")
    )
    parent_paths = {unit.path[: -Unit.steplen] for unit in existing.values() if unit.depth > 1}
    code_by_path = dict(Unit.objects.filter(path__in=parent_paths).values_list("path", "code"))
    # A parent named in the file may be a visible unit, a unit defined in an earlier row, or the unit
    # just above the actor's own (which they may name as the unchanged parent of their own unit).
    parents: dict[str, Unit] = dict(visible)
    for unit in existing.values():
        parent_code = code_by_path.get(unit.path[: -Unit.steplen])
        if parent_code and unit.code in visible and parent_code not in parents:
            parents[parent_code] = Unit.objects.get(code=parent_code)
    file_rows = {_text(record.get("code")): row for row, record in ordered}

    # One field for every row; it sees the units of earlier rows as they are added to `parents`.
    parent_field = _PrefetchedUnitField(user=actor, units=parents, label=_("parent unit"), required=False)
    plans: list[_UnitPlan] = []
    tick = _ticker(progress, 2 * len(ordered))
    for row, record in ordered:
        tick()
        code = _text(record.get("code"))
        values = {key: _text(record.get(key)) for key in sheet.headers}
        kind_text = values.get("kind", "")
        if kind_text:
            kind = kinds.get(_normalise_label(kind_text))
            if kind is None:
                report.add(
                    row,
                    "kind",
                    _("Unknown unit kind “%(value)s”; write one of %(choices)s.")
                    % {"value": kind_text, "choices": _choice_help(UNIT_KIND_ZH)},
                    "invalid_choice",
                )
                continue
            values["kind"] = kind
        parent_code = values.get("parent", "")
        if parent_code in file_rows and file_rows[parent_code] in report.bad_rows:
            report.add(
                row,
                "parent",
                _("The parent unit %(code)s (row %(row)d) has errors; fix that row first.")
                % {"code": parent_code, "row": file_rows[parent_code]},
                "parent_invalid",
            )
            continue
        current = existing.get(code)
        if current is not None and code not in visible:
            report.add(
                row,
                "code",
                _(
                    "Unit code %(code)s belongs to a unit outside the part of the organisation you are "
                    "responsible for; remove the row or ask the office in charge of it."
                )
                % {"code": code},
                "out_of_scope",
            )
            continue
        form = _ImportUnitForm(data=values, user=actor, instance=copy.copy(current) if current else None)
        form.fields["parent"] = parent_field
        if not form.is_valid():
            report.add_form(row, form, {("parent", "invalid_choice"): "unknown_parent"})
            continue
        cleaned = form.cleaned_data
        parent: Unit | None = cleaned.get("parent")
        plan = _UnitPlan(row=row, code=code, parent_code=parent.code if parent else "", values=values)
        if current is None:
            if parent is not None and parent.pk is not None and not unit_in_scope(actor, parent):
                report.add(
                    row,
                    "parent",
                    str(UnitCodeField.default_error_messages["invalid_choice"]) % {"value": parent.code},
                    "unknown_parent",
                )
                continue
            try:
                services.validate_unit_placement(parent=parent, kind=cleaned["kind"])
            except ApplicationError as exc:
                report.add_service_error(row, exc)
                continue
            if parent is None and not getattr(actor, "is_superuser", False):
                report.add(
                    row,
                    "parent",
                    _("Only an administrator can create a top-level unit; give the parent unit code."),
                    "permission_denied",
                )
                continue
            # Later rows may hang under this one before it exists in the database.
            parents[code] = Unit(code=code, name=cleaned["name"], kind=cleaned["kind"])
        else:
            current_parent = code_by_path.get(current.path[: -Unit.steplen], "")
            if cleaned["kind"] != current.kind:
                report.add(
                    row,
                    "kind",
                    _(
                        "Unit %(code)s is a %(current)s; an import cannot change the kind of a unit. Write "
                        "“%(label)s” or change it on the unit's page."
                    )
                    % {
                        "code": code,
                        "current": UNIT_KIND_ZH[current.kind],
                        "label": UNIT_KIND_ZH[current.kind],
                    },
                    "kind_changed",
                )
                continue
            if plan.parent_code != current_parent:
                report.add(
                    row,
                    "parent",
                    _(
                        "Unit %(code)s is under %(current)s; an import cannot move a unit to another parent. "
                        "Write %(current)s as the parent code."
                    )
                    % {"code": code, "current": current_parent or "—"},
                    "parent_changed",
                )
                continue
            plan.existing = current
            plan.changes = {
                key: cleaned[key]
                for key in _UNIT_DETAIL_FIELDS
                if key in sheet.headers and cleaned[key] != getattr(current, key)
            }
        plans.append(plan)

    if report.errors:
        raise _errors_to_exception(report.errors)

    created = updated = unchanged = 0
    # One audit context for the whole file (each service would otherwise set up and tear down its own).
    with transaction.atomic(), acting_as(actor):
        saved: dict[str, Unit] = {}
        for plan in plans:
            tick()
            try:
                if plan.existing is None:
                    parent_unit = saved.get(plan.parent_code) or (
                        parents[plan.parent_code] if plan.parent_code else None
                    )
                    saved[plan.code] = services.unit_create(
                        actor=actor,
                        parent=parent_unit,
                        code=plan.code,
                        name=plan.values.get("name", ""),
                        kind=plan.values["kind"],
                        region=plan.values.get("region", ""),
                        province=plan.values.get("province", ""),
                        address=plan.values.get("address", ""),
                    )
                    created += 1
                elif plan.changes:
                    services.unit_update(actor=actor, unit=plan.existing, data=plan.changes)
                    updated += 1
                else:
                    unchanged += 1
            except ApplicationError as exc:
                report.add_service_error(plan.row, exc)
        if report.errors:
            raise _errors_to_exception(report.errors)
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(created=created, updated=updated, unchanged=unchanged, warnings=sheet.warnings)


# --- people ------------------------------------------------------------------------------------------


@dataclass
class _PersonPlan:
    row: int
    employee_no: str
    cleaned: dict[str, Any]
    existing: Person | None = None
    move_to: Unit | None = None
    move_position: str | None = None
    move_date: dt.date | None = None
    changes: dict[str, Any] = field(default_factory=dict)


_PERSON_SERVICE_FIELDS = {
    "to_unit": "unit",
    "person": "unit",
    "to_position": "position",
    "effective_date": "move_date",
}


def _form_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def people_import(
    *, actor: Any, file: BinaryIO | str | Path, dry_run: bool = False, progress: Progress | None = None
) -> ImportResult:
    """Create and update people from an Excel sheet; all or nothing. People are matched by employee
    number; a changed unit is recorded as a move (effective today, or on the 调动日期 column's date)."""
    _require_import_rights(actor)
    sheet = _read_sheet(file, PEOPLE_COLUMNS, optional=(MOVE_DATE_COLUMN,))
    report = _RowErrors(sheet.headers, (*PEOPLE_COLUMNS, MOVE_DATE_COLUMN))
    positions = _choice_lookup(Position, POSITION_ZH, POSITION_ZH_ALIASES)
    genders = _choice_lookup(Gender, GENDER_ZH, GENDER_ZH_ALIASES)
    today = timezone.localdate()

    numbers = [_text(record.get("employee_no")) for _row, record in sheet.rows]
    existing = _prefetch(Person, "employee_no", [n for n in numbers if n], related=("unit",))
    units = _units_by_code(
        visible_units(actor).only("id", "code", "name", "kind", "path", "depth", "numchild")
    )

    # One field for every row: it holds no per-row state, and building it is the costly part of a form.
    unit_field = _PrefetchedUnitField(user=actor, units=units, label=_("unit"))
    seen: dict[str, int] = {}
    plans: list[_PersonPlan] = []
    tick = _ticker(progress, 2 * len(sheet.rows))
    for row, record in sheet.rows:
        tick()
        employee_no = _text(record.get("employee_no"))
        if employee_no:
            if employee_no in seen:
                report.add(
                    row,
                    "employee_no",
                    _duplicate_error(_("Employee number"), employee_no, seen[employee_no], row),
                    "duplicate",
                )
                continue
            seen[employee_no] = row
        current = existing.get(employee_no)
        if current is not None and not unit_in_scope(actor, current.unit):
            report.add(
                row,
                "employee_no",
                _(
                    "Employee number %(no)s belongs to a person outside the part of the organisation you are "
                    "responsible for; remove the row or ask the office in charge of them."
                )
                % {"no": employee_no},
                "out_of_scope",
            )
            continue
        # Cells that cannot be read are reported here and left out of the form, which still checks the rest
        # of the row: one pass over the file shows every problem.
        values, bad_cells, move_date = _person_row_values(
            row, record, sheet.headers, positions, genders, report
        )
        if current is not None:
            # Columns left out of the file keep the person's current values.
            for key in _PERSON_DETAIL_FIELDS:
                if key not in sheet.headers:
                    values[key] = _form_value(getattr(current, key))
        form = _ImportPersonForm(data=values, user=actor, instance=copy.copy(current) if current else None)
        form.fields["unit"] = unit_field
        if not form.is_valid() or bad_cells:
            report.add_form(row, form, {("unit", "invalid_choice"): "unknown_unit"}, skip=bad_cells)
            continue
        cleaned = form.cleaned_data
        plan = _PersonPlan(row=row, employee_no=employee_no, cleaned=cleaned, existing=current)
        if current is not None:
            changed = {
                key: cleaned[key] for key in _PERSON_DETAIL_FIELDS if cleaned[key] != getattr(current, key)
            }
            if cleaned["unit"].pk != current.unit_id:
                plan.move_to = cleaned["unit"]
                plan.move_position = changed.pop("position", None)
                plan.move_date = move_date or today
            plan.changes = changed
        plans.append(plan)

    if report.errors:
        raise _errors_to_exception(report.errors)

    created = updated = unchanged = 0
    # One audit context for the whole file (each service would otherwise set up and tear down its own).
    with transaction.atomic(), acting_as(actor):
        for plan in plans:
            tick()
            try:
                if plan.existing is None:
                    data = plan.cleaned
                    services.person_create(
                        actor=actor,
                        employee_no=plan.employee_no,
                        name=data["name"],
                        unit=data["unit"],
                        position=data["position"],
                        gender=data.get("gender") or "",
                        hire_date=data.get("hire_date"),
                        birth_date=data.get("birth_date"),
                        teller_grade=data.get("teller_grade"),
                        phone=data.get("phone") or "",
                    )
                    created += 1
                    continue
                if plan.move_to is None and not plan.changes:
                    unchanged += 1
                    continue
                person = plan.existing
                if plan.move_to is not None:
                    assert plan.move_date is not None
                    services.person_move(
                        actor=actor,
                        person=person,
                        to_unit=plan.move_to,
                        effective_date=plan.move_date,
                        reason=_("Excel import"),
                        to_position=plan.move_position,
                    )
                if plan.changes:
                    services.person_update(actor=actor, person=person, data=plan.changes)
                updated += 1
            except ApplicationError as exc:
                report.add_service_error(plan.row, exc, _PERSON_SERVICE_FIELDS)
        if report.errors:
            raise _errors_to_exception(report.errors)
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(created=created, updated=updated, unchanged=unchanged, warnings=sheet.warnings)


def _person_row_values(
    row: int,
    record: dict[str, Any],
    headers: dict[str, str],
    positions: dict[str, str],
    genders: dict[str, str],
    report: _RowErrors,
) -> tuple[dict[str, str], frozenset[str], dt.date | None]:
    """The row as form data (choices mapped from labels to codes, dates as ISO text), the columns whose
    cells could not be read (reported here, left blank in the data) and the move date."""
    bad: set[str] = set()
    values: dict[str, str] = {}
    for key in headers:
        if key not in ("position", "gender", "hire_date", "birth_date", "teller_grade", "move_date"):
            values[key] = _text(record.get(key))
    position_text = _text(record.get("position"))
    if position_text:
        position = positions.get(_normalise_label(position_text))
        if position is None:
            report.add(
                row,
                "position",
                _("Unknown position “%(value)s”; write one of %(choices)s.")
                % {"value": position_text, "choices": _choice_help(POSITION_ZH)},
                "invalid_choice",
            )
            bad.add("position")
        else:
            values["position"] = position
    else:
        values["position"] = ""
    if "gender" in headers:
        gender_text = _text(record.get("gender"))
        gender = genders.get(_normalise_label(gender_text), "") if gender_text else ""
        if gender_text and not gender:
            report.add(
                row,
                "gender",
                _("Unknown gender “%(value)s”; write 男 or 女, or leave the cell empty.")
                % {"value": gender_text},
                "invalid_choice",
            )
            bad.add("gender")
        values["gender"] = gender
    dates: dict[str, dt.date | None] = {}
    for key in ("hire_date", "birth_date", "move_date"):
        if key not in headers:
            continue
        try:
            dates[key] = _parse_date(record.get(key))
        except ValueError:
            report.add(
                row,
                key,
                _(
                    "“%(value)s” is not a date. Write it as YYYY-MM-DD (for example 2015-07-01) or format "
                    "the cell as a date."
                )
                % {"value": _text(record.get(key))},
                "invalid_date",
            )
            bad.add(key)
            continue
        if key != "move_date":
            values[key] = _form_value(dates[key])
    if "teller_grade" in headers:
        grade_text = _text(record.get("teller_grade")).removesuffix("级")
        if grade_text and grade_text not in {"1", "2", "3", "4", "5", "6"}:
            report.add(
                row,
                "teller_grade",
                _(
                    "Teller grade “%(value)s” is not valid; write a whole number from 1 to 6, "
                    "or leave it empty."
                )
                % {"value": _text(record.get("teller_grade"))},
                "invalid_grade",
            )
            bad.add("teller_grade")
            grade_text = ""
        values["teller_grade"] = grade_text
    return values, frozenset(bad), dates.get("move_date")
