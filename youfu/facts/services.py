"""Writes of the facts domain: record a set of values for one period as one batch (an Excel file or a
manual entry). Keyword-only, atomic, all or nothing; ApplicationError with nothing written on bad input.

History: a value that differs from the current one is a new row that `supersedes` it; the old row stays
with is_current = False (a partial unique index keeps one current row per period, subject and name).
A value equal to the current one writes nothing, so re-importing a file changes nothing and creates no
batch: imports are idempotent.

Refused: a subject outside the actor's subtree, a role without the right, and any change to a period
the ledger has published (youfu.ledger PeriodLock, for any policy): the scores made from its facts are
final. (Re-importing values a published period already holds changes nothing and is not an error.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from youfu.accounts.access import require_perm, scope_path, unit_in_scope
from youfu.core.errors import ApplicationError, ErrorDetail, PermissionDeniedError
from youfu.facts.catalog import input_spec
from youfu.facts.choices import BatchSource, SubjectKind, ValueType
from youfu.facts.models import Fact, FactBatch, plain_decimal
from youfu.facts.values import BadValue, check_number, is_name, parse_text, type_of
from youfu.ledger.models import PeriodLock
from youfu.org.models import Period, Person, Unit

_CHUNK = 500  # rows per bulk statement (SQLite's bound-parameter limit)


@dataclass(frozen=True)
class FactValue:
    """One value to record: its subject (a Unit or a Person), the input name, the typed value (Decimal,
    bool or str; never float), its unit of measure, and where it came from (row number, note)."""

    subject: Unit | Person
    name: str
    value: Decimal | bool | str
    measure: str = ""
    row_number: int | None = None
    note: str = ""

    @property
    def key(self) -> tuple[str, int, str]:
        return (_kind(self.subject), self.subject.pk, self.name)


@dataclass(frozen=True)
class RecordResult:
    """What recording did (or, with dry_run, would do): counts of new, changed and unchanged values, the
    batch written (None when nothing changed, or on a dry run) and, when nothing changed, an earlier
    batch of the same file (same SHA-256) if there is one."""

    created: int
    changed: int
    unchanged: int
    batch: FactBatch | None = None
    same_file: FactBatch | None = None
    changes: list[tuple[FactValue, Fact | None]] = field(default_factory=list)  # (new value, the old fact)


def _kind(subject: Unit | Person) -> str:
    return SubjectKind.PERSON if isinstance(subject, Person) else SubjectKind.UNIT


def _subject_unit(subject: Unit | Person) -> Unit:
    return subject.unit if isinstance(subject, Person) else subject


def require_period_open(period: Period) -> None:
    """Refuse changes to a period the ledger has published (for any policy)."""
    lock = PeriodLock.objects.filter(period=period).order_by("locked_at").first()
    if lock is not None:
        raise ApplicationError(
            _(
                "%(period)s was published on %(date)s (policy %(policy)s): its scores are final, so its "
                "indicator data can no longer change. Record the correction in a period that is still open, "
                "or ask the service office to handle it as a ledger correction."
            )
            % {"period": period.name, "date": lock.locked_at.date().isoformat(), "policy": lock.policy},
            code="period_locked",
            field="period",
        )


def _hold_period(period: Period) -> None:
    """Recording and the ledger's publishing of a period wait for each other (publishing takes the
    period row FOR UPDATE), so no value slips into a period while it is being published. SQLite has
    one writer at a time, which serialises them already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {Period._meta.db_table} WHERE id = %s FOR KEY SHARE",  # noqa: S608
                [period.pk],
            )


def validate_value(item: FactValue) -> FactValue:
    """The rules every value follows, however it arrives: a name policies can use, a finite number of
    at most 15 significant digits and 10 decimal places (stored exactly), a text of at most 500 chars."""
    if not is_name(item.name):
        raise ApplicationError(
            _(
                "“%(name)s” is not an input name: use letters, digits and _ (starting with a letter), at "
                "most 64, as the policy writes it (e.g. score)."
            )
            % {"name": item.name},
            code="invalid_name",
            field="name",
        )
    value = item.value
    try:
        if isinstance(value, float):
            raise BadValue(_("A float is refused; pass the number as text or Decimal."))
        if isinstance(value, Decimal):
            value = check_number(value)
        elif isinstance(value, str):
            value = parse_text(value)
        elif not isinstance(value, bool):
            raise BadValue(_("A value is a number, yes/no or a text."))
    except BadValue as exc:
        raise ApplicationError(str(exc), code="invalid_value", field=item.name) from exc
    if value is item.value:
        return item
    return FactValue(item.subject, item.name, value, item.measure, item.row_number, item.note)


def _same(fact: Fact, value: Decimal | bool | str) -> bool:
    if fact.value_type != type_of(value):
        return False
    if isinstance(value, Decimal):
        return fact.value_number is not None and plain_decimal(fact.value_number) == value
    return fact.value == value


def _require_rights(actor: Any, source: str) -> None:
    if actor is None:
        return  # a system run (the demo, a job): no subtree to stay inside
    require_perm(actor, "facts.import_facts" if source == BatchSource.IMPORT else "facts.add_fact")
    if scope_path(actor) is None:
        raise PermissionDeniedError(
            _("You are not in charge of any unit, so you cannot record indicator data.")
        )


def _current_facts(
    period: Period, items: Sequence[FactValue], *, lock: bool
) -> dict[tuple[str, int, str], Fact]:
    names = sorted({item.name for item in items})
    unit_ids = sorted({item.subject.pk for item in items if _kind(item.subject) == SubjectKind.UNIT})
    person_ids = sorted({item.subject.pk for item in items if _kind(item.subject) == SubjectKind.PERSON})
    found: dict[tuple[str, int, str], Fact] = {}
    base = Fact.objects.filter(period=period, is_current=True, name__in=names)
    if lock:
        base = base.select_for_update()
    for kind, ids, column in (
        (SubjectKind.UNIT, unit_ids, "unit_id"),
        (SubjectKind.PERSON, person_ids, "person_id"),
    ):
        for start in range(0, len(ids), _CHUNK):
            for fact in base.filter(**{f"{column}__in": ids[start : start + _CHUNK]}):
                found[(kind, getattr(fact, column), fact.name)] = fact
    return found


def facts_record(
    *,
    actor: Any,
    period: Period,
    values: Sequence[FactValue],
    source: BatchSource | str = BatchSource.MANUAL,
    file_name: str = "",
    sha256: str = "",
    sheet: str = "",
    row_count: int | None = None,
    note: str = "",
    dry_run: bool = False,
) -> RecordResult:
    """Record values for one period as one batch. `actor` None is a system run (no role or subtree
    check). Every value is checked first; any error refuses the whole set (ApplicationError, whose
    details name the row of each value that has one)."""
    _require_rights(actor, source)
    errors: list[ErrorDetail] = []
    checked: list[FactValue] = []
    seen: dict[tuple[str, int, str], FactValue] = {}
    for item in values:
        try:
            item = validate_value(item)
        except ApplicationError as exc:
            errors.extend(
                ErrorDetail(code=d.code, message=d.message, field=d.field, row=item.row_number)
                for d in exc.details
            )
            continue
        if actor is not None and not unit_in_scope(actor, _subject_unit(item.subject)):
            errors.append(
                ErrorDetail(
                    code="out_of_scope",
                    message=_("%(subject)s is outside the part of the organisation you are responsible for.")
                    % {"subject": item.subject},
                    field="subject",
                    row=item.row_number,
                )
            )
            continue
        if item.key in seen:
            first = seen[item.key]
            errors.append(
                ErrorDetail(
                    code="duplicate",
                    message=_(
                        "%(subject)s has two values for %(name)s (rows %(first)s and %(row)s); keep one."
                    )
                    % {
                        "subject": item.subject,
                        "name": item.name,
                        "first": first.row_number or "—",
                        "row": item.row_number or "—",
                    },
                    field=item.name,
                    row=item.row_number,
                )
            )
            continue
        seen[item.key] = item
        checked.append(item)
    if errors:
        raise ApplicationError(
            errors[0].message
            if len(errors) == 1
            else _("%(count)d values are invalid; nothing was recorded.") % {"count": len(errors)},
            code="invalid_values",
            details=errors,
        )
    if not checked:
        raise ApplicationError(_("There is no value to record."), code="no_values")
    plan = _plan(period, checked, lock=False, sha256=sha256)
    if plan.changes:  # a published period refuses changes; re-reading what it holds changes nothing
        require_period_open(period)
    if dry_run or not plan.changes:
        return plan
    try:
        with transaction.atomic():
            return _write(
                actor=actor,
                period=period,
                items=checked,
                source=str(source),
                file_name=file_name,
                sha256=sha256,
                sheet=sheet,
                row_count=len(checked) if row_count is None else row_count,
                note=note,
            )
    except IntegrityError as exc:  # another import recorded the same values meanwhile
        raise ApplicationError(
            _("Someone else changed these values at the same moment; nothing was recorded. Try again."),
            code="conflict",
        ) from exc


def _plan(period: Period, items: Sequence[FactValue], *, lock: bool, sha256: str) -> RecordResult:
    current = _current_facts(period, items, lock=lock)
    changes: list[tuple[FactValue, Fact | None]] = []
    created = changed = unchanged = 0
    for item in items:
        old = current.get(item.key)
        if old is None:
            created += 1
            changes.append((item, None))
        elif _same(old, item.value):
            unchanged += 1
        else:
            changed += 1
            changes.append((item, old))
    same_file = None
    if not changes and sha256:
        same_file = (
            FactBatch.objects.filter(period=period, sha256=sha256).order_by("-created_at", "-id").first()
        )
    return RecordResult(
        created=created, changed=changed, unchanged=unchanged, same_file=same_file, changes=changes
    )


def _write(
    *,
    actor: Any,
    period: Period,
    items: Sequence[FactValue],
    source: str,
    file_name: str,
    sha256: str,
    sheet: str,
    row_count: int,
    note: str,
) -> RecordResult:
    period = Period.objects.get(pk=period.pk)
    _hold_period(period)
    require_period_open(period)  # again, now that a publish in progress has finished
    plan = _plan(period, items, lock=True, sha256=sha256)
    if not plan.changes:  # another import recorded the same values meanwhile
        return plan
    batch = FactBatch.objects.create(
        source=source,
        period=period,
        file_name=file_name,
        sha256=sha256,
        sheet=sheet,
        row_count=row_count,
        created_count=plan.created,
        changed_count=plan.changed,
        unchanged_count=plan.unchanged,
        note=note,
        scope_path=scope_path(actor) or "" if actor is not None else "",
        created_by=actor if getattr(actor, "pk", None) is not None else None,
    )
    old_ids = [old.pk for _item, old in plan.changes if old is not None]
    for start in range(0, len(old_ids), _CHUNK):
        Fact.objects.filter(pk__in=old_ids[start : start + _CHUNK]).update(is_current=False)
    units = _unit_paths(items)
    rows = []
    for item, old in plan.changes:
        value = item.value
        kind = _kind(item.subject)
        rows.append(
            Fact(
                period=period,
                subject_kind=kind,
                unit=item.subject if isinstance(item.subject, Unit) else None,
                person=item.subject if isinstance(item.subject, Person) else None,
                unit_path=units[_subject_unit_id(item.subject)],
                name=item.name,
                value_type=type_of(value),
                value_number=value if isinstance(value, Decimal) else None,
                value_bool=value if isinstance(value, bool) else None,
                value_text=value if isinstance(value, str) else None,
                measure=item.measure,
                batch=batch,
                row_number=item.row_number,
                note=item.note,
                supersedes=old,
            )
        )
    Fact.objects.bulk_create(rows, batch_size=_CHUNK)
    return RecordResult(
        created=plan.created,
        changed=plan.changed,
        unchanged=plan.unchanged,
        batch=batch,
        changes=plan.changes,
    )


def _subject_unit_id(subject: Unit | Person) -> int:
    return subject.unit_id if isinstance(subject, Person) else subject.pk


def _unit_paths(items: Iterable[FactValue]) -> dict[int, str]:
    """The current path of each subject's unit, read fresh (an object in memory may predate a move)."""
    ids = sorted({_subject_unit_id(item.subject) for item in items})
    paths: dict[int, str] = {}
    for start in range(0, len(ids), _CHUNK):
        paths.update(Unit.objects.filter(pk__in=ids[start : start + _CHUNK]).values_list("pk", "path"))
    return paths


def fact_set(
    *,
    actor: Any,
    period: Period,
    subject: Unit | Person,
    name: str,
    value: Decimal | bool | str,
    measure: str = "",
    note: str = "",
) -> RecordResult:
    """Record one value by hand (a manual batch of one); the note says why (it is the evidence)."""
    if not note.strip():
        raise ApplicationError(_("Say where the value comes from: the note is its evidence."), field="note")
    spec = input_spec(name)
    measure = measure or (spec.measure if spec is not None else "")
    return facts_record(
        actor=actor,
        period=period,
        values=[FactValue(subject=subject, name=name, value=value, measure=measure, note=note.strip())],
        source=BatchSource.MANUAL,
        note=note.strip(),
    )


__all__ = [
    "FactValue",
    "RecordResult",
    "ValueType",
    "fact_set",
    "facts_record",
    "require_period_open",
    "validate_value",
]
