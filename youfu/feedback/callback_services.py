"""Writes of the callbacks (电话回访, seed 001 篇1 四.2): import the customer contact lists, draw each
outlet's monthly sample, record the calls, set the rule of a unit, and record a period's results as
indicator data for the scoring engine.

* Import (Excel .xlsx or CSV): every row checked first; any bad row refuses the whole file
  (ApplicationError `import_invalid` with the row, column and reason of each); the same file again loads
  nothing (its SHA-256 is unique), a customer already listed (outlet, phone, day, teller) is left as is.
* Draw: random but reproducible — the seed is derived from the outlet's code and the month and stored with
  the sample, together with the whole shuffled pool. Customers called (or still to be called) in the
  last `exclude_months` months are left out. Drawing a month already drawn changes nothing.
* A call not reached is tried again; after `max_attempts` tries the customer is replaced by the next of
  the pool.
* Points: satisfied +2, neutral 0, unsatisfied −2 per call (seed 001). The seed does not say whether they
  go to the outlet or to the teller concerned (both start at 100 points): youfu records them for both
  and says so on the pages (SEED_QUESTIONS).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from youfu.accounts.access import WHOLE_BANK, require_perm, require_unit_in_scope, scope_path
from youfu.core.errors import ApplicationError, ErrorDetail, PermissionDeniedError
from youfu.facts.choices import BatchSource as FactSource
from youfu.facts.services import FactValue, RecordResult, facts_record
from youfu.feedback.choices import CallResult, CallStatus
from youfu.feedback.models import (
    DEFAULT_EXCLUDE_MONTHS,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_SAMPLE_SIZE,
    CallbackCall,
    CallbackContact,
    CallbackDraw,
    CallbackImport,
    CallbackRule,
)
from youfu.org.choices import UnitKind
from youfu.org.models import Period, Person, Unit

# seed 001 篇1 四.2: "客户评价一般的,不加分,不减分。满意的加2分,不满意的扣2分。"
CALL_POINTS: dict[str, Decimal] = {
    CallResult.SATISFIED: Decimal("2"),
    CallResult.NEUTRAL: Decimal("0"),
    CallResult.UNSATISFIED: Decimal("-2"),
}

# What the seed leaves open, shown on the callback pages and in the README (never guessed silently).
SEED_QUESTIONS = (
    gettext_lazy(
        "Seed 001 (篇1 四.2) says “每月通过电话等方式对10个客户征求意见” without saying whether the 10 "
        "are per "
        "outlet or for the whole institution: youfu draws per outlet, 10 by default, configurable per unit."
    ),
    gettext_lazy(
        "Seed 001 does not say who gets the +2 / 0 / −2 of a callback, the outlet or the teller concerned "
        "(both start at 100 points): youfu records the points for both (callback_points on the outlet and "
        "on the teller); the policy decides which it uses."
    ),
)


# --- Rules ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    sample_size: int
    exclude_months: int
    max_attempts: int
    unit: Unit | None  # where it is set; None = the defaults


def rule_for(unit: Unit) -> Rule:
    """The rule in force for an outlet: the nearest one set on it or above it, else the defaults."""
    paths = [unit.path[:n] for n in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    rule = (
        CallbackRule.objects.filter(unit__path__in=paths)
        .select_related("unit")
        .order_by("-unit__depth")
        .first()
    )
    if rule is None:
        return Rule(DEFAULT_SAMPLE_SIZE, DEFAULT_EXCLUDE_MONTHS, DEFAULT_MAX_ATTEMPTS, None)
    return Rule(rule.sample_size, rule.exclude_months, rule.max_attempts, rule.unit)


@transaction.atomic
def callback_rule_set(
    *, actor: Any, unit: Unit, sample_size: int, exclude_months: int, max_attempts: int
) -> CallbackRule:
    require_perm(actor, "feedback.make_callback")
    require_unit_in_scope(actor, unit, field="unit")
    errors = []
    if not 1 <= sample_size <= 200:
        errors.append(ErrorDetail("invalid", _("Between 1 and 200 customers a month."), "sample_size"))
    if not 0 <= exclude_months <= 24:
        errors.append(ErrorDetail("invalid", _("Between 0 and 24 months."), "exclude_months"))
    if not 1 <= max_attempts <= 10:
        errors.append(ErrorDetail("invalid", _("Between 1 and 10 tries."), "max_attempts"))
    if errors:
        raise ApplicationError(_("The rule is not valid; nothing was saved."), details=errors)
    rule, _created = CallbackRule.objects.update_or_create(
        unit=unit,
        defaults={"sample_size": sample_size, "exclude_months": exclude_months, "max_attempts": max_attempts},
    )
    return rule


# --- Import of the customer contact lists --------------------------------------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("客户姓名", "姓名", "客户", "name", "customer"),
    "phone": ("手机号", "电话", "联系电话", "手机号码", "phone"),
    "transaction_date": ("交易日期", "办理日期", "日期", "transaction_date", "date"),
    "employee_no": ("柜员号", "员工号", "经办柜员", "employee_no", "teller"),
    "unit": ("网点号", "网点代码", "机构号", "unit", "outlet"),
}
HEADERS = {key: names[0] for key, names in COLUMNS.items()}
PHONE = re.compile(r"^\+?[0-9*][0-9* -]{5,19}$")


@dataclass(frozen=True)
class ImportResult:
    batch: CallbackImport
    created: bool  # False: this very file was imported before; nothing was added


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, file_name: str = "") -> list[list[str]]:
    """The rows of the first sheet of an .xlsx file or of a CSV file (UTF-8 or GB18030), as text."""
    if data[:2] == b"PK" or file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            raise ApplicationError(
                _("The file is not an Excel workbook (.xlsx) nor a CSV file."), code="malformed", field="file"
            ) from exc
        return [[_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ApplicationError(
            _("The file is neither UTF-8 nor GB18030 text."), code="malformed", field="file"
        )
    if "\x00" in text:
        raise ApplicationError(_("The file is not a CSV file."), code="malformed", field="file")
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]


def _columns(header: Sequence[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    found: dict[str, int] = {}
    missing = []
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if alias.lower() in names:
                found[key] = names.index(alias.lower())
                break
        else:
            missing.append(key)
    if missing:
        raise ApplicationError(
            _("The file's columns are not the expected ones; nothing was saved."),
            code="import_invalid",
            details=[
                ErrorDetail(
                    "missing_column",
                    _("Column %(name)s is missing (expected: %(all)s).")
                    % {"name": HEADERS[key], "all": ", ".join(HEADERS.values())},
                    HEADERS[key],
                    row=1,
                )
                for key in missing
            ],
        )
    return found


@transaction.atomic
def callback_contacts_import(
    *, actor: Any, data: bytes, file_name: str = "", today: dt.date | None = None
) -> ImportResult:
    """Import a customer contact list: all rows or none; the same file again adds nothing."""
    require_perm(actor, "feedback.make_callback")
    path = WHOLE_BANK if actor is None else scope_path(actor)
    if path is None:
        raise PermissionDeniedError(_("You are not in charge of any unit."))
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = CallbackImport.objects.filter(sha256=sha256).first()
    if earlier is not None:
        if not earlier.scope_path.startswith(path):
            raise ApplicationError(
                _("This file was imported by another part of the bank."), code="conflict", field="file"
            )
        return ImportResult(earlier, False)
    rows = read_table(data, file_name)
    if not rows or not any(rows[0]):
        raise ApplicationError(_("The file is empty."), code="empty", field="file")
    columns = _columns(rows[0])
    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(row)]
    if not body:
        raise ApplicationError(_("The file has no customer."), code="empty", field="file")
    today = today or timezone.localdate()
    raw = [
        (number, {key: row[index] if index < len(row) else "" for key, index in columns.items()})
        for number, row in body
    ]
    units = {
        u.code: u for u in Unit.objects.filter(code__in={r["unit"] for _n, r in raw}, kind=UnitKind.OUTLET)
    }
    tellers = {
        p.employee_no: p for p in Person.objects.filter(employee_no__in={r["employee_no"] for _n, r in raw})
    }
    errors: list[ErrorDetail] = []
    good: list[tuple[Unit, str, str, dt.date, Person]] = []

    def bad(number: int, key: str, code: str, message: str) -> None:
        errors.append(ErrorDetail(code, message, HEADERS[key], row=number))

    for number, row in raw:
        empty = [key for key in COLUMNS if not row[key]]
        if empty:
            for key in empty:
                bad(number, key, "required", _("This field is required."))
            continue
        try:
            day = dt.date.fromisoformat(row["transaction_date"].replace("/", "-")[:10])
        except ValueError:
            bad(
                number,
                "transaction_date",
                "bad_date",
                _("“%(v)s” is not a date (YYYY-MM-DD).") % {"v": row["transaction_date"]},
            )
            continue
        if day > today:
            bad(
                number,
                "transaction_date",
                "future_date",
                _("%(v)s is in the future.") % {"v": day.isoformat()},
            )
            continue
        if not PHONE.match(row["phone"]) or sum(c.isdigit() for c in row["phone"]) < 4:
            bad(number, "phone", "bad_phone", _("“%(v)s” is not a phone number.") % {"v": row["phone"]})
            continue
        unit = units.get(row["unit"])
        if unit is None:
            bad(number, "unit", "unknown_unit", _("No outlet has the code “%(v)s”.") % {"v": row["unit"]})
            continue
        if not unit.path.startswith(path):
            bad(
                number,
                "unit",
                "outside_scope",
                _("Outlet %(v)s is outside your part of the organisation.") % {"v": row["unit"]},
            )
            continue
        teller = tellers.get(row["employee_no"])
        if teller is None:
            bad(
                number,
                "employee_no",
                "unknown_teller",
                _("No member of staff has the number “%(v)s”.") % {"v": row["employee_no"]},
            )
            continue
        good.append((unit, row["name"][:64], row["phone"][:32], day, teller))
    if errors:
        raise ApplicationError(
            _("%(n)d rows of the file have errors; nothing was saved.") % {"n": len({e.row for e in errors})},
            code="import_invalid",
            details=errors,
        )
    keys = {(u.pk, phone, day, t.pk) for u, _name, phone, day, t in good}
    existing = set(
        CallbackContact.objects.filter(
            unit_id__in={k[0] for k in keys}, transaction_date__in={k[2] for k in keys}
        ).values_list("unit_id", "phone", "transaction_date", "teller_id")
    )
    common = _common_path([u.path for u, *_rest in good])
    batch = CallbackImport.objects.create(
        sha256=sha256,
        file_name=file_name[:255],
        row_count=len(good),
        created_count=0,
        unchanged_count=0,
        scope_path=common,
        created_by=actor,
    )
    new: dict[tuple[int, str, dt.date, int], CallbackContact] = {}
    for outlet, customer, phone_no, day, teller in good:
        found = (outlet.pk, phone_no, day, teller.pk)
        if found in existing or found in new:
            continue
        new[found] = CallbackContact(
            unit=outlet, name=customer, phone=phone_no, transaction_date=day, teller=teller, source=batch
        )
    CallbackContact.objects.bulk_create(new.values(), batch_size=500)
    batch.created_count = len(new)
    batch.unchanged_count = len(good) - len(new)
    batch.save(update_fields=["created_count", "unchanged_count"])
    return ImportResult(batch, True)


def _common_path(paths: Sequence[str]) -> str:
    if not paths:
        return ""
    first, last = min(paths), max(paths)
    n = 0
    while n < len(first) and n < len(last) and first[n] == last[n]:
        n += 1
    return first[: n - n % Unit.steplen]


# --- The monthly draw ---------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def draw_seed(unit_code: str, month: dt.date) -> int:
    """The seed of an outlet's month: the same outlet and month always give the same seed."""
    digest = hashlib.sha256(f"youfu-callbacks:{unit_code}:{month:%Y-%m}".encode()).digest()
    return int.from_bytes(digest[:7], "big")


def _customer(contact: CallbackContact | tuple[str, str]) -> tuple[str, str]:
    if isinstance(contact, tuple):
        return contact
    return (contact.name, contact.phone)


def _recent(month: dt.date, exclude_months: int) -> set[tuple[str, str]]:
    """The customers (name, phone) called or still to be called in the months before `month`."""
    if not exclude_months:
        return set()
    return set(
        CallbackCall.objects.filter(
            draw__month__gte=add_months(month, -exclude_months),
            draw__month__lt=month,
            status__in=[CallStatus.REACHED, CallStatus.PENDING],
        ).values_list("contact__name", "contact__phone")
    )


def _shuffle(rows: Sequence[tuple[int, str, str]], recent: set[tuple[str, str]], seed: int) -> list[int]:
    """One contact per customer (the first of the month), less the recent ones, sorted by id and shuffled
    with the seed: the same list and seed always give the same order."""
    seen: set[tuple[str, str]] = set()
    ids: list[int] = []
    for pk, name, phone in rows:
        key = (name, phone)
        if key in seen or key in recent:
            continue
        seen.add(key)
        ids.append(pk)
    ids.sort()
    random.Random(seed).shuffle(ids)
    return ids


def _month_contacts(outlets: Sequence[Unit], month: dt.date) -> dict[int, list[tuple[int, str, str]]]:
    rows: dict[int, list[tuple[int, str, str]]] = {}
    for unit_id, pk, name, phone in (
        CallbackContact.objects.filter(
            unit__in=outlets, transaction_date__gte=month, transaction_date__lt=add_months(month, 1)
        )
        .order_by("transaction_date", "id")
        .values_list("unit_id", "id", "name", "phone")
    ):
        rows.setdefault(unit_id, []).append((pk, name, phone))
    return rows


def draw_pool(unit: Unit, month: dt.date, seed: int, exclude_months: int) -> list[int]:
    """The candidates of an outlet's month in drawn order (as the draw made them)."""
    rows = _month_contacts([unit], month).get(unit.pk, [])
    return _shuffle(rows, _recent(month, exclude_months), seed)


def _rules(outlets: Sequence[Unit]) -> dict[int, Rule]:
    """rule_for of many outlets in one query."""
    by_path = {r.unit.path: r for r in CallbackRule.objects.select_related("unit")}
    rules: dict[int, Rule] = {}
    for outlet in outlets:
        rules[outlet.pk] = Rule(DEFAULT_SAMPLE_SIZE, DEFAULT_EXCLUDE_MONTHS, DEFAULT_MAX_ATTEMPTS, None)
        for n in range(len(outlet.path), 0, -Unit.steplen):
            rule = by_path.get(outlet.path[:n])
            if rule is not None:
                rules[outlet.pk] = Rule(rule.sample_size, rule.exclude_months, rule.max_attempts, rule.unit)
                break
    return rules


@dataclass
class DrawResult:
    created: list[CallbackDraw] = field(default_factory=list)
    existing: list[CallbackDraw] = field(default_factory=list)
    short: list[tuple[Unit, int, int]] = field(default_factory=list)  # (outlet, drawn, wanted)


@transaction.atomic
def callbacks_draw(*, actor: Any, unit: Unit, month: dt.date, today: dt.date | None = None) -> DrawResult:
    """Draw the month's sample of every active outlet at or under `unit` (in the actor's subtree) that has
    none yet. A month is drawn once it has begun; drawing again changes nothing."""
    if actor is not None:  # None: a system run (the demo)
        require_perm(actor, "feedback.make_callback")
        require_unit_in_scope(actor, unit, field="unit")
    month = month_start(month)
    today = today or timezone.localdate()
    if month > today:
        raise ApplicationError(
            _("%(month)s has not begun: draw a month once its customers are listed.")
            % {"month": f"{month:%Y-%m}"},
            code="future_month",
            field="month",
        )
    outlets = Unit.objects.filter(path__startswith=unit.path, kind=UnitKind.OUTLET, is_active=True).order_by(
        "path"
    )
    done = {d.unit_id: d for d in CallbackDraw.objects.filter(unit__in=outlets, month=month)}
    result = DrawResult()
    todo = []
    for outlet in outlets:
        if outlet.pk in done:
            result.existing.append(done[outlet.pk])
        else:
            todo.append(outlet)
    if not todo:
        return result
    rules = _rules(todo)
    contacts = _month_contacts(todo, month)
    recent: dict[int, set[tuple[str, str]]] = {}
    draws = []
    for outlet in todo:
        rule = rules[outlet.pk]
        if rule.exclude_months not in recent:
            recent[rule.exclude_months] = _recent(month, rule.exclude_months)
        seed = draw_seed(outlet.code, month)
        pool = _shuffle(contacts.get(outlet.pk, []), recent[rule.exclude_months], seed)
        draws.append(
            CallbackDraw(
                unit=outlet,
                month=month,
                seed=seed,
                sample_size=rule.sample_size,
                exclude_months=rule.exclude_months,
                max_attempts=rule.max_attempts,
                pool=pool,
                used=min(len(pool), rule.sample_size),
                drawn_by=actor,
                unit_path=outlet.path,
            )
        )
    CallbackDraw.objects.bulk_create(draws)
    if any(draw.pk is None for draw in draws):  # a database without RETURNING: read the ids back
        ids = dict(CallbackDraw.objects.filter(month=month, unit__in=todo).values_list("unit_id", "id"))
        for draw in draws:
            draw.pk = ids[draw.unit_id]
    chosen = [pk for draw in draws for pk in draw.pool[: draw.used]]
    tellers = dict(CallbackContact.objects.filter(pk__in=chosen).values_list("id", "teller_id"))
    CallbackCall.objects.bulk_create(
        (
            CallbackCall(draw=draw, contact_id=pk, position=n, teller_id=tellers[pk])
            for draw in draws
            for n, pk in enumerate(draw.pool[: draw.used], start=1)
        ),
        batch_size=1000,
    )
    for outlet, draw in zip(todo, draws, strict=True):
        draw.unit = outlet
        result.created.append(draw)
        if draw.used < draw.sample_size:
            result.short.append((outlet, draw.used, draw.sample_size))
    return result


# --- Recording a call ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallOutcome:
    call: CallbackCall
    replacement: CallbackCall | None = None
    pool_exhausted: bool = False


@transaction.atomic
def callback_call_record(
    *,
    actor: Any,
    call: CallbackCall,
    reached: bool,
    result: str = "",
    comments: str = "",
    teller: Person | None = None,
    now: dt.datetime | None = None,
) -> CallOutcome:
    """Record one try of a call. Reached: the result (satisfied / neutral / unsatisfied) and its points
    (a reached call may be corrected). Not reached: one more try; after the rule's tries the customer is
    replaced by the next of the pool."""
    require_perm(actor, "feedback.make_callback")
    call = (
        CallbackCall.objects.select_for_update()
        .select_related("draw", "draw__unit", "contact")
        .get(pk=call.pk)
    )
    draw = call.draw
    require_unit_in_scope(actor, draw.unit)
    if call.status == CallStatus.UNREACHABLE:
        raise ApplicationError(
            _("This customer was not reached %(n)d times and has been replaced.") % {"n": call.attempts},
            code="replaced",
        )
    if teller is not None:
        require_unit_in_scope(actor, teller.unit, field="teller")
        call.teller = teller
    call.comments = comments.strip()
    call.called_by = actor
    call.called_at = now or timezone.now()
    if reached:
        if result not in CALL_POINTS:
            raise ApplicationError(
                _("Choose what the customer said: satisfied, neutral or unsatisfied."),
                code="required",
                field="result",
            )
        if call.status == CallStatus.PENDING:
            call.attempts += 1
        call.status = CallStatus.REACHED
        call.result = result
        call.points = CALL_POINTS[result]
        call.save()
        return CallOutcome(call)
    if call.status == CallStatus.REACHED:
        raise ApplicationError(
            _("This customer was reached already; correct the result instead."),
            code="already_reached",
            field="result",
        )
    call.attempts += 1
    if call.attempts < draw.max_attempts:
        call.save()
        return CallOutcome(call)
    call.status = CallStatus.UNREACHABLE
    call.save()
    return _replace(draw, call)


def _replace(draw: CallbackDraw, call: CallbackCall) -> CallOutcome:
    draw = CallbackDraw.objects.select_for_update().get(pk=draw.pk)
    taken = set(draw.calls.values_list("contact_id", flat=True))
    while draw.used < len(draw.pool):
        pk = draw.pool[draw.used]
        draw.used += 1
        if pk in taken:
            continue
        contact = CallbackContact.objects.filter(pk=pk).first()
        if contact is None:
            continue
        last = draw.calls.order_by("-position").values_list("position", flat=True).first() or 0
        replacement = CallbackCall.objects.create(
            draw=draw, contact=contact, position=last + 1, teller_id=contact.teller_id, replaces=call
        )
        draw.save(update_fields=["used"])
        return CallOutcome(call, replacement)
    draw.save(update_fields=["used"])
    return CallOutcome(call, None, pool_exhausted=True)


# --- Results as indicator data -------------------------------------------------------------------------

FACT_NAMES: dict[str, tuple[str, str]] = {
    "callback_calls": ("次", "电话回访：接通并评价的回访次数"),
    "callback_satisfied": ("次", "电话回访：满意"),
    "callback_neutral": ("次", "电话回访：一般"),
    "callback_unsatisfied": ("次", "电话回访：不满意"),
    "callback_points": ("分", "电话回访：加减分（满意 +2，一般 0，不满意 −2，种子 001 篇1 四.2）"),
}


@transaction.atomic
def callback_facts_record(*, actor: Any, period: Period, dry_run: bool = False) -> RecordResult:
    """Record the period's callback results of every outlet (with a sample in the period) and every
    teller concerned (whose current unit is in the actor's subtree) as facts; safe to run twice."""
    from youfu.feedback.callback_selectors import callback_results_for_path

    if actor is not None:
        require_perm(actor, "feedback.record_callback_facts")
    path = WHOLE_BANK if actor is None else scope_path(actor)
    if path is None:
        raise PermissionDeniedError(_("You are not in charge of any unit, so you cannot record results."))
    note = (_("Callbacks %(period)s (/feedback/callbacks/)") % {"period": period.code})[:255]
    values: list[FactValue] = []
    for grouping in ("outlet", "person"):
        lines = callback_results_for_path(path=path, start=period.start, end=period.end, grouping=grouping)
        ids = [line.subject_id for line in lines]
        subjects: dict[int, Unit | Person] = (
            dict(Unit.objects.in_bulk(ids))
            if grouping == "outlet"
            else dict(Person.objects.select_related("unit").in_bulk(ids))
        )
        for line in lines:
            subject = subjects[line.subject_id]
            if isinstance(subject, Person) and not subject.unit.path.startswith(path):
                continue
            numbers: dict[str, int | Decimal] = {
                "callback_calls": line.reached,
                "callback_satisfied": line.satisfied,
                "callback_neutral": line.neutral,
                "callback_unsatisfied": line.unsatisfied,
                "callback_points": line.points,
            }
            values += [
                FactValue(
                    subject=subject, name=name, value=Decimal(value), measure=FACT_NAMES[name][0], note=note
                )
                for name, value in numbers.items()
            ]
    if not values:
        raise ApplicationError(
            _("There are no callbacks in %(period)s to record.") % {"period": period.code},
            code="no_callbacks",
        )
    return facts_record(
        actor=actor,
        period=period,
        values=values,
        source=FactSource.MANUAL,
        note=(_("Callbacks of %(period)s") % {"period": period.code})[:255],
        dry_run=dry_run,
    )
