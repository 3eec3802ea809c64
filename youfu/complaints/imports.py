"""Excel import of a complaint list (the 95580/96086 hotline's export, or the office's own register), all
or nothing.

First sheet, headers in row 1 (Chinese or English, any order): 渠道 *, 渠道编号 *, 受理时间 *, 网点代码 *,
类别 *, 内容 *, and optionally 类型 (投诉/表扬, default 投诉), 严重程度 (default 一般), 客户姓名, 客户电话,
涉及员工 (employee numbers). Each row is bound to the intake form (ComplaintForm) and registered with the
same service as the intake page; the importing user becomes the responsible handler. A ticket already in
youfu (same channel and 渠道编号) is left as it is, so re-importing a file creates nothing twice. Every
problem is reported with its row and column, and nothing is saved when there is any.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from youfu.accounts.access import require_perm
from youfu.complaints import services
from youfu.complaints.choices import Category, Channel, ComplaintKind, Severity
from youfu.complaints.forms import ComplaintForm
from youfu.complaints.models import Complaint
from youfu.core.errors import ApplicationError, ErrorDetail


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = True


COLUMNS = (
    Column("channel", "渠道", ("受理渠道", "channel")),
    Column("source_ref", "渠道编号", ("工单号", "投诉编号", "reference", "ticket")),
    Column("received_at", "受理时间", ("来电时间", "received at", "received")),
    Column("unit", "网点代码", ("机构代码", "网点编号", "outlet", "unit")),
    Column("category", "类别", ("投诉类别", "category")),
    Column("summary", "内容", ("投诉内容", "summary", "content")),
    Column("kind", "类型", ("kind",), required=False),
    Column("severity", "严重程度", ("severity",), required=False),
    Column("customer_name", "客户姓名", ("customer",), required=False),
    Column("customer_phone", "客户电话", ("phone",), required=False),
    Column("people", "涉及员工", ("员工工号", "people"), required=False),
)

# The bank's own words for each choice (the English values are accepted too).
WORDS: dict[str, dict[str, str]] = {
    "channel": {
        "95580": Channel.HOTLINE_95580,
        "96086": Channel.HOTLINE_96086,
        "信函": Channel.LETTER,
        "来信": Channel.LETTER,
        "现场": Channel.ON_SITE,
        "媒体": Channel.MEDIA,
        "监管": Channel.REGULATOR,
        "监管转办": Channel.REGULATOR,
        "网络": Channel.ONLINE,
        "网上": Channel.ONLINE,
    },
    "category": {
        "服务态度": Category.ATTITUDE,
        "业务技能": Category.SKILLS,
        "等候时间": Category.WAITING,
        "排队": Category.WAITING,
        "收费": Category.FEES,
        "产品": Category.PRODUCT,
        "系统": Category.SYSTEM,
        "设备": Category.SYSTEM,
        "环境": Category.ENVIRONMENT,
        "其他": Category.OTHER,
    },
    "kind": {"投诉": ComplaintKind.COMPLAINT, "表扬": ComplaintKind.PRAISE},
    "severity": {
        "一般": Severity.LOW,
        "较重": Severity.MEDIUM,
        "严重": Severity.HIGH,
        "重大": Severity.CRITICAL,
    },
}
DEFAULTS = {"kind": ComplaintKind.COMPLAINT, "severity": Severity.LOW}


@dataclass(frozen=True)
class ImportResult:
    created: int
    unchanged: int
    rows: int
    dry_run: bool
    numbers: tuple[str, ...] = ()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _headers(row: tuple[Any, ...]) -> tuple[dict[str, int], list[ErrorDetail]]:
    names = [_cell(v).lower() for v in row]
    found: dict[str, int] = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            if name.lower() in names:
                found[column.key] = names.index(name.lower())
                break
    errors = [
        ErrorDetail(
            code="missing_column",
            message=_("Column %(name)s is missing.") % {"name": c.header},
            field=c.header,
            row=1,
        )
        for c in COLUMNS
        if c.required and c.key not in found
    ]
    return found, errors


def _read(file: Any) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    data = file.read() if hasattr(file, "read") else open(file, "rb").read()  # noqa: SIM115
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise ApplicationError(
            _("The file is not an Excel workbook (.xlsx)."), code="bad_file", field="file"
        ) from exc
    sheet = book.worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def complaints_import(*, actor: Any, file: Any, dry_run: bool = False) -> ImportResult:
    """Check every row, then (unless dry_run) register the new ones in one transaction."""
    require_perm(actor, "complaints.import_complaints")
    require_perm(actor, "complaints.add_complaint")
    rows = _read(file)
    if not rows:
        raise ApplicationError(_("The sheet is empty."), code="empty", field="file")
    columns, errors = _headers(rows[0])
    if errors:
        raise ApplicationError(
            _("The file's columns are not the expected ones; nothing was saved."),
            code="import_invalid",
            details=errors,
        )
    headers = {c.key: c.header for c in COLUMNS}
    pending: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[str, str], int] = {}
    unchanged = 0
    for number, row in enumerate(rows[1:], start=2):
        raw = {key: _cell(row[index]) if index < len(row) else "" for key, index in columns.items()}
        if not any(raw.values()):
            continue
        data: dict[str, str] = {}
        for key, value in raw.items():
            words = WORDS.get(key, {})
            data[key] = words.get(value, value) if value else DEFAULTS.get(key, "")
        for key, default in DEFAULTS.items():
            data.setdefault(key, default)
        form = ComplaintForm(data, user=actor)
        if not form.is_valid():
            for field, messages in form.errors.items():
                errors += [
                    ErrorDetail(code="invalid", message=str(m), field=headers.get(field, field), row=number)
                    for m in messages
                ]
            continue
        clean = form.cleaned_data
        if not clean["received_at"]:
            errors.append(
                ErrorDetail(
                    code="required",
                    message=_("This field is required."),
                    field=headers["received_at"],
                    row=number,
                )
            )
            continue
        ticket = (clean["channel"], clean["source_ref"])
        if not clean["source_ref"]:
            errors.append(
                ErrorDetail(
                    code="required",
                    message=_("This field is required."),
                    field=headers["source_ref"],
                    row=number,
                )
            )
            continue
        if ticket in seen:
            errors.append(
                ErrorDetail(
                    code="duplicate",
                    message=_("The same ticket is on row %(row)s too.") % {"row": seen[ticket]},
                    field=headers["source_ref"],
                    row=number,
                )
            )
            continue
        seen[ticket] = number
        if Complaint.objects.filter(channel=ticket[0], source_ref=ticket[1]).exists():
            unchanged += 1
            continue
        pending.append((number, clean))
    if errors:
        raise _rejected(errors)
    if dry_run:
        return ImportResult(
            created=len(pending), unchanged=unchanged, rows=len(pending) + unchanged, dry_run=True
        )
    numbers: list[str] = []
    with transaction.atomic():
        for number, clean in pending:
            try:
                complaint = services.complaint_register(
                    actor=actor,
                    kind=clean["kind"],
                    channel=clean["channel"],
                    unit=clean["unit"],
                    category=clean["category"],
                    severity=clean["severity"],
                    summary=clean["summary"],
                    received_at=clean["received_at"],
                    customer_name=clean["customer_name"],
                    customer_phone=clean["customer_phone"],
                    people=clean["people"],
                    source_ref=clean["source_ref"],
                )
            except ApplicationError as exc:
                errors += [
                    ErrorDetail(code=d.code, message=d.message, field=d.field, row=number)
                    for d in exc.details
                ]
                continue
            numbers.append(complaint.number)
        if errors:
            raise _rejected(errors)  # rolls back every row registered above
    return ImportResult(
        created=len(numbers),
        unchanged=unchanged,
        rows=len(pending) + unchanged,
        dry_run=False,
        numbers=tuple(numbers),
    )


def _rejected(errors: list[ErrorDetail]) -> ApplicationError:
    return ApplicationError(
        _("%(count)d problem(s) in the file; nothing was saved.") % {"count": len(errors)},
        code="import_invalid",
        details=errors,
    )
