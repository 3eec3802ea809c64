"""Writes of the reports domain:

* `queue_ingest_file` — a CSV, Excel or Parquet file of queue tickets (叫号机), checked whole and
  vectorised (youfu.reports.ingest), written as Parquet month files with a catalogue row in one go: any
  bad row refuses the file with a report (count per reason, the first 100 rows) and nothing is written;
  the same file (or idempotency key) again loads nothing. Reuses youfu.feedback's approach and helpers.
* `diversion_import` — an Excel file of smart-counter diversion figures per outlet and day or month;
  all or nothing; the same file again changes nothing; a later file's figure for the same outlet and day
  replaces the earlier one.
* `target_set` / `target_clear` — a KPI target (and amber band) at a unit, inherited below it.
* `kpi_facts_record` — a period's KPI values per outlet as facts (youfu.facts) for the policies.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.accounts.access import WHOLE_BANK, require_perm, scope_path, unit_in_scope
from youfu.core.errors import ApplicationError, ErrorDetail, PermissionDeniedError
from youfu.facts.choices import BatchSource as FactSource
from youfu.facts.services import FactValue, RecordResult, facts_record
from youfu.feedback.services import (
    IdempotencyConflict,
    _check_key,
    _lookup,
    _outlets,
    _tellers,
    file_sha256,
    rejection_details,
)
from youfu.org.choices import UnitKind
from youfu.org.models import Period, Unit
from youfu.reports import ingest, store
from youfu.reports.choices import BatchSource, Granularity, Kpi, Reason
from youfu.reports.models import DiversionBatch, DiversionRecord, KpiTarget, QueueBatch

__all__ = ["IdempotencyConflict", "file_sha256"]


def _loader_scope(actor: Any, perm: str) -> str:
    if actor is None:
        return WHOLE_BANK  # a system run (the demo)
    require_perm(actor, perm)
    path = scope_path(actor)
    if path is None:
        raise PermissionDeniedError(_("You are not in charge of any unit, so you cannot load data."))
    return path


# --- Queue tickets --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueResult:
    batch: QueueBatch
    created: bool


def _rejection(checked: ingest.Checked) -> ApplicationError:
    return ApplicationError(
        _(
            "%(bad)s of %(rows)s rows are bad, so the file was refused whole and nothing was loaded. "
            "Correct them and load it again."
        )
        % {"bad": f"{checked.bad:,}", "rows": f"{checked.rows:,}"},
        code="queue_rejected",
        details=rejection_details(checked.counts, checked.first_bad, dict(Reason.choices)),
    )


def _stored_files(months: list[str]) -> list[Path]:
    files: list[Path] = []
    for entries in QueueBatch.objects.order_by("pk").values_list("files", flat=True):
        files += [store.absolute(e["path"]) for e in entries if e["month"] in months]
    return files


@transaction.atomic
def queue_ingest(
    *,
    actor: Any,
    read: Callable[[], pa.Table],
    source: str,
    sha256: str,
    idempotency_key: str,
    row_offset: int = 2,
    file_name: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> QueueResult:
    scope = _loader_scope(actor, "reports.add_queuebatch")
    key = _check_key(idempotency_key)
    existing = QueueBatch.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if not existing.scope_path.startswith(scope) or existing.sha256 != sha256:
            raise IdempotencyConflict(
                _("This idempotency key was already used for another batch; use a new key for new content.")
            )
        return QueueResult(existing, created=False)
    try:
        table = read()
    except ingest.Malformed as exc:
        raise ApplicationError(
            _("The file cannot be read: %(problem)s") % {"problem": exc.message},
            code="malformed",
            field=exc.column,
        ) from exc
    if table.num_rows == 0:
        raise ApplicationError(_("The file holds no tickets."), code="empty")
    con = store.connect()
    tmp = store.new_tmp_dir()
    try:
        unit_codes, numbers = ingest.codes(con, table)
        checked = ingest.check(
            con,
            table,
            units=ingest.keyed(unit_codes, _lookup(unit_codes, _outlets), ["id", "path"]),
            people=ingest.keyed(numbers, _lookup(numbers, _tellers), ["id"]),
            scope=scope,
            now=now or timezone.now(),
            row_offset=row_offset,
            existing_files=_stored_files(ingest.months_of(con, table)),
            time_zone=settings.TIME_ZONE,
        )
        if checked.bad:
            raise _rejection(checked)
        written = ingest.write_good(con, tmp, list(checked.month_rows))
        return _catalogue(actor, key, sha256, source, file_name, note, checked, written, scope)
    finally:
        con.close()
        store.remove_tree(tmp)


def _catalogue(
    actor: Any,
    key: str,
    sha256: str,
    source: str,
    file_name: str,
    note: str,
    checked: ingest.Checked,
    written: dict[str, Path],
    scope: str,
) -> QueueResult:
    assert checked.first_at is not None and checked.last_at is not None
    placed: list[Path] = []
    try:
        with transaction.atomic():
            batch = QueueBatch.objects.create(
                idempotency_key=key,
                sha256=sha256,
                source=source,
                file_name=file_name[:255],
                row_count=checked.good,
                called_count=checked.called,
                first_at=checked.first_at,
                last_at=checked.last_at,
                scope_path=checked.common_path,
                note=note[:255],
                created_by=actor,
            )
            files = []
            for month, path in written.items():
                relative = store.month_file(batch.pk, month)
                target = store.absolute(relative)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
                placed.append(target)
                files.append({"month": month, "path": relative, "rows": checked.month_rows[month]})
            batch.files = files
            batch.save(update_fields=["files"])
    except IntegrityError:
        store.remove(placed)
        existing = QueueBatch.objects.filter(idempotency_key=key, sha256=sha256).first()
        if existing is None:
            raise
        return QueueResult(existing, created=False)
    except BaseException:
        store.remove(placed)
        raise
    return QueueResult(batch, created=True)


def file_kind(name: str, head: bytes) -> str:
    if head[:4] == b"PAR1" or name.lower().endswith(".parquet"):
        return BatchSource.PARQUET
    if head[:2] == b"PK" or name.lower().endswith(".xlsx"):
        return BatchSource.EXCEL
    return BatchSource.CSV


READERS = {
    BatchSource.PARQUET: ingest.read_parquet,
    BatchSource.EXCEL: ingest.read_excel,
    BatchSource.CSV: ingest.read_csv,
}


def queue_ingest_file(
    *, actor: Any, file: Path | bytes, file_name: str = "", idempotency_key: str = "", note: str = ""
) -> QueueResult:
    """Load a CSV, Excel (.xlsx) or Parquet file of tickets; without a key the file's SHA-256 is the key,
    so the same file loaded twice is loaded once."""
    name = file_name or (file.name if isinstance(file, Path) else "")
    head = file[:4] if isinstance(file, bytes) else ingest.head_of(file, 4)
    kind = file_kind(name, head)
    sha256 = file_sha256(file)
    reader = READERS[BatchSource(kind)]
    return queue_ingest(
        actor=actor,
        read=lambda: reader(file),
        source=kind,
        sha256=sha256,
        idempotency_key=idempotency_key or f"sha256:{sha256}",
        row_offset=1 if kind == BatchSource.PARQUET else 2,
        file_name=Path(name).name,
        note=note,
    )


# --- Smart-counter diversion ------------------------------------------------------------------------------

DIVERSION_HEADERS = {
    "网点号": "unit",
    "unit": "unit",
    "日期": "date",
    "date": "date",
    "超柜笔数": "smart",
    "smart": "smart",
    "柜面笔数": "counter",
    "counter": "counter",
}
DIVERSION_TEMPLATE_HEADER = ["网点号", "日期", "超柜笔数", "柜面笔数"]


@dataclass(frozen=True)
class DiversionRow:
    row: int
    unit_code: str
    date: str
    smart: Any
    counter: Any


@dataclass(frozen=True)
class DiversionResult:
    batch: DiversionBatch
    created: bool


def diversion_template() -> bytes:
    """The Excel layout to fill in: a header and two example rows (a day and a month), notes beside."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "超柜分流"
    sheet.append(DIVERSION_TEMPLATE_HEADER)
    sheet.append(["110101", "2026-03-05", 412, 38])
    sheet.append(["110102", "2026-03", 9120, 1045])
    notes = book.create_sheet("说明")
    for line in (
        _("One row per outlet and day (日期 2026-03-05) or month (日期 2026-03)."),
        _("超柜笔数: divertible transactions at smart counters; 柜面笔数: those at the counter."),
        _("Diversion rate = 超柜笔数 ÷ (超柜笔数 + 柜面笔数); seed 000 篇8 sets the target at 90%."),
        _("An outlet has either day rows or month rows for a month, never both."),
        _("The same file again changes nothing; a new figure for the same outlet and day replaces the old."),
    ):
        notes.append([line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_diversion_excel(data: bytes | Path) -> list[DiversionRow]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(
            io.BytesIO(data) if isinstance(data, bytes) else data, read_only=True, data_only=True
        )
    except Exception as exc:  # not a workbook
        raise ApplicationError(
            _("The file cannot be read: %(problem)s") % {"problem": exc}, code="malformed"
        ) from exc
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(v or "").strip() for v in (next(rows, None) or [])]
        names = [DIVERSION_HEADERS.get(h, DIVERSION_HEADERS.get(h.lower())) for h in header]
        missing = [
            h
            for h, n in zip(DIVERSION_TEMPLATE_HEADER, ("unit", "date", "smart", "counter"), strict=False)
            if n not in names
        ]
        if missing:
            raise ApplicationError(
                _("Missing column(s): %(columns)s. Download the template for the layout.")
                % {"columns": ", ".join(missing)},
                code="malformed",
            )
        where = {n: names.index(n) for n in ("unit", "date", "smart", "counter")}
        result = []
        for number, row in enumerate(rows, start=2):
            values = {n: (row[i] if i < len(row) else None) for n, i in where.items()}
            if all(v is None or str(v).strip() == "" for v in values.values()):
                continue
            date = values["date"]
            date_text = (
                date.strftime("%Y-%m-%d") if isinstance(date, dt.datetime | dt.date) else str(date or "")
            )
            result.append(
                DiversionRow(
                    number,
                    str(values["unit"] or "").strip(),
                    date_text.strip(),
                    values["smart"],
                    values["counter"],
                )
            )
    finally:
        book.close()
    return result


def _count(value: Any) -> int | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if number != number.to_integral_value() or number < 0:
        return None
    return int(number)


def _parse_date(text: str) -> tuple[dt.date, str] | None:
    try:
        if len(text) == 7:
            return dt.date.fromisoformat(text + "-01"), Granularity.MONTH
        return dt.date.fromisoformat(text[:10]), Granularity.DAY
    except ValueError:
        return None


@transaction.atomic
def diversion_import(
    *,
    actor: Any,
    rows: list[DiversionRow],
    idempotency_key: str,
    file_name: str = "",
    demo: bool = False,
    today: dt.date | None = None,
) -> DiversionResult:
    """Check every row; any bad row refuses the whole file (details: row, column, what is wrong)."""
    scope = _loader_scope(actor, "reports.add_diversionbatch")
    existing = DiversionBatch.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if not existing.scope_path.startswith(scope):
            raise IdempotencyConflict(_("This file was loaded by another part of the organisation."))
        return DiversionResult(existing, created=False)
    if not rows:
        raise ApplicationError(_("The file holds no rows."), code="empty")
    today = today or timezone.localdate()
    codes = {r.unit_code for r in rows}
    outlets = {u.code: u for u in Unit.objects.filter(kind=UnitKind.OUTLET, code__in=codes)}
    errors: list[ErrorDetail] = []
    parsed: dict[tuple[int, dt.date, str], tuple[Unit, int, int]] = {}
    for r in rows:
        unit = outlets.get(r.unit_code)
        when = _parse_date(r.date)
        smart, counter = _count(r.smart), _count(r.counter)
        problem: tuple[str, str, str] | None = None
        if unit is None:
            problem = ("unknown_unit", "网点号", _("No outlet has the code “%(v)s”.") % {"v": r.unit_code})
        elif actor is not None and not unit_in_scope(actor, unit):
            problem = (
                "outside_scope",
                "网点号",
                _("Outlet %(v)s is outside your part of the organisation.") % {"v": r.unit_code},
            )
        elif when is None:
            problem = (
                "bad_date",
                "日期",
                _("“%(v)s” is not a day (2026-03-05) or a month (2026-03).") % {"v": r.date},
            )
        elif when[0] > today:
            problem = ("future_time", "日期", _("%(v)s is in the future.") % {"v": r.date})
        elif smart is None:
            problem = (
                "bad_count",
                "超柜笔数",
                _("“%(v)s” is not a whole number of transactions.") % {"v": r.smart},
            )
        elif counter is None:
            problem = (
                "bad_count",
                "柜面笔数",
                _("“%(v)s” is not a whole number of transactions.") % {"v": r.counter},
            )
        elif (unit.pk, when[0], when[1]) in parsed:
            problem = (
                "duplicate",
                "日期",
                _("Outlet %(u)s has two rows for %(v)s.") % {"u": r.unit_code, "v": r.date},
            )
        if problem is not None:
            errors.append(ErrorDetail(code=problem[0], message=problem[2], field=problem[1], row=r.row))
            continue
        assert unit is not None and when is not None and smart is not None and counter is not None
        parsed[(unit.pk, when[0], when[1])] = (unit, smart, counter)
    if not errors:
        errors += _granularity_conflicts(parsed)
    if errors:
        raise ApplicationError(
            _("%(bad)d of %(rows)d rows are bad, so the file was refused whole and nothing was loaded.")
            % {"bad": len({e.row for e in errors}), "rows": len(rows)},
            code="diversion_rejected",
            details=errors[:100],
        )
    paths = sorted(unit.path for unit, _s, _c in parsed.values())
    from youfu.feedback.ingest import _common_path

    batch = DiversionBatch.objects.create(
        idempotency_key=idempotency_key,
        file_name=file_name[:255],
        row_count=len(parsed),
        scope_path=_common_path(paths[0], paths[-1]),
        demo=demo,
        created_by=actor,
    )
    before = {
        (r.unit_id, r.day, r.granularity): (r.smart, r.counter)
        for r in DiversionRecord.objects.filter(
            unit_id__in={k[0] for k in parsed}, day__in={k[1] for k in parsed}
        )
    }
    records = [
        DiversionRecord(unit=unit, day=key[1], granularity=key[2], smart=smart, counter=counter, batch=batch)
        for key, (unit, smart, counter) in parsed.items()
        if before.get(key) != (smart, counter)
    ]
    DiversionRecord.objects.bulk_create(
        records,
        update_conflicts=True,
        unique_fields=["unit", "day", "granularity"],
        update_fields=["smart", "counter", "batch"],
        batch_size=2000,
    )
    batch.changed_count = len(records)
    batch.save(update_fields=["changed_count"])
    return DiversionResult(batch, created=True)


def _granularity_conflicts(parsed: dict[tuple[int, dt.date, str], Any]) -> list[ErrorDetail]:
    """An outlet's month must not have both day rows and a month row (in the file or stored)."""
    months: dict[tuple[int, dt.date], set[str]] = {}
    for unit_id, day, granularity in parsed:
        months.setdefault((unit_id, day.replace(day=1)), set()).add(granularity)
    units = {k[0] for k in months}
    firsts = {k[1] for k in months}
    stored = DiversionRecord.objects.filter(unit_id__in=units, day__gte=min(firsts) if firsts else None)
    for unit_id, day, granularity in stored.values_list("unit_id", "day", "granularity"):
        key = (unit_id, day.replace(day=1))
        if key in months:
            months[key].add(granularity)
    errors = []
    codes = dict(Unit.objects.filter(pk__in=units).values_list("pk", "code"))
    for (unit_id, month), kinds in sorted(months.items()):
        if len(kinds) > 1:
            errors.append(
                ErrorDetail(
                    code="mixed_granularity",
                    field="日期",
                    message=_(
                        "Outlet %(u)s would have both day figures and a month figure for %(m)s: the month "
                        "would be counted twice. Give one or the other."
                    )
                    % {"u": codes.get(unit_id, unit_id), "m": month.strftime("%Y-%m")},
                )
            )
    return errors


def diversion_import_file(*, actor: Any, file: bytes | Path, file_name: str = "") -> DiversionResult:
    sha = file_sha256(file)
    key = f"sha256:{sha}"
    if DiversionBatch.objects.filter(idempotency_key=key).exists():
        return diversion_import(actor=actor, rows=[], idempotency_key=key, file_name=file_name)
    return diversion_import(
        actor=actor, rows=read_diversion_excel(file), idempotency_key=key, file_name=file_name
    )


# --- Targets --------------------------------------------------------------------------------------------


def _target_unit(actor: Any, unit: Unit) -> None:
    if actor is None:
        return
    require_perm(actor, "reports.change_kpitarget")
    if not unit_in_scope(actor, unit):
        raise PermissionDeniedError(_("This unit is outside your part of the organisation."), field="unit")


@transaction.atomic
def target_set(
    *, actor: Any, unit: Unit, kpi: str, target: Decimal, amber_band: Decimal, note: str = ""
) -> KpiTarget:
    _target_unit(actor, unit)
    if kpi not in Kpi.values:
        raise ApplicationError(_("Unknown KPI “%(kpi)s”.") % {"kpi": kpi}, code="invalid", field="kpi")
    if amber_band < 0:
        raise ApplicationError(_("The amber band is 0 or more."), code="invalid", field="amber_band")
    if abs(target) >= Decimal("10000000") or amber_band >= Decimal("10000000"):
        raise ApplicationError(_("The target is too large."), code="invalid", field="target")
    row, _created = KpiTarget.objects.update_or_create(
        unit=unit,
        kpi=kpi,
        defaults={
            "target": target.quantize(Decimal("0.01")),
            "amber_band": amber_band.quantize(Decimal("0.01")),
            "note": note[:255],
            "updated_by": actor,
        },
    )
    return row


@transaction.atomic
def target_clear(*, actor: Any, unit: Unit, kpi: str) -> bool:
    _target_unit(actor, unit)
    deleted, _rows = KpiTarget.objects.filter(unit=unit, kpi=kpi).delete()
    return bool(deleted)


# --- Facts ----------------------------------------------------------------------------------------------

FACT_NAMES: dict[str, tuple[str, str]] = {
    "kpi_diversion_rate": ("%", "超柜分流率 = 超柜笔数 ÷ (超柜 + 柜面)"),
    "kpi_wait_avg": ("分钟", "平均等候时间（叫号 − 取号）"),
    "kpi_wait_p90": ("分钟", "90% 等候时间（最近秩）"),
    "kpi_tickets_called": ("笔", "已叫号的排队号数"),
    "kpi_complaint_change": ("%", "投诉量较基期变动"),
}


@transaction.atomic
def kpi_facts_record(*, actor: Any, period: Period, dry_run: bool = False) -> RecordResult:
    """Record the period's diversion rate, waits and complaint change of every outlet in the actor's
    subtree as facts (one batch; unchanged values write nothing; the satisfaction and evaluation rates
    are recorded by youfu.feedback as rating_* facts)."""
    from youfu.reports.selectors import outlet_values

    if actor is not None:
        require_perm(actor, "reports.record_kpi_facts")
    path = WHOLE_BANK if actor is None else scope_path(actor)
    if path is None:
        raise PermissionDeniedError(_("You are not in charge of any unit, so you cannot record KPIs."))
    note = (_("Service KPIs %(period)s (/reports/)") % {"period": period.code})[:255]
    values: list[FactValue] = []
    for row in outlet_values(path=path, user=actor, start=period.start, end=period.end, within=None):
        numbers = {
            "kpi_diversion_rate": row.values[Kpi.DIVERSION_RATE].value,
            "kpi_wait_avg": row.values[Kpi.WAIT_AVG].value,
            "kpi_wait_p90": row.values[Kpi.WAIT_P90].value,
            "kpi_tickets_called": Decimal(row.called) if row.called else None,
            "kpi_complaint_change": row.values[Kpi.COMPLAINT_CHANGE].value,
        }
        values += [
            FactValue(subject=row.unit, name=name, value=value, measure=FACT_NAMES[name][0], note=note)
            for name, value in numbers.items()
            if value is not None
        ]
    if not values:
        raise ApplicationError(
            _("There are no KPI values in %(period)s to record.") % {"period": period.code}, code="no_values"
        )
    return facts_record(
        actor=actor,
        period=period,
        values=values,
        source=FactSource.MANUAL,
        note=(_("Service KPIs of %(period)s") % {"period": period.code})[:255],
        dry_run=dry_run,
    )
