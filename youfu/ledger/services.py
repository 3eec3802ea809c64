"""Writes of the ledger (台账): post an event's entries, reverse an entry, publish a period.

Every service is keyword-only and atomic, and raises ApplicationError with nothing written on bad
input. The database checks the same things again (youfu.ledger.guard, the model's constraints): the
services give the clear message, the database makes sure no code path gets around them.

A scoring run posts its whole ledger at once with ``ledger_post_events`` (and a rescore reverses the
earlier run with ``ledger_reverse_evidence``): the same checks, in batches of LEDGER_BATCH entries, a
few queries and one multi-row INSERT per batch, inside the caller's one transaction.

``author`` is the user who acted; ``None`` is a system run (the scoring engine, an import job), which
has no subtree to stay inside and is recorded as having no author.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.accounts.access import WHOLE_BANK, require_unit_in_scope, scope_path
from youfu.accounts.roles import BANK_LEVEL_UNIT_KINDS
from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.core.money import DecimalLike, round_money, round_points
from youfu.ledger.choices import EvidenceType, SubjectRole
from youfu.ledger.models import LedgerEntry, PeriodLock
from youfu.org.models import Period, Person, Unit

POINTS_PLACES = 4  # LedgerEntry.points: decimal_places
POINTS_LIMIT = Decimal(10) ** (14 - POINTS_PLACES)  # max_digits 14: |points| < 10^10
AMOUNT_LIMIT = Decimal(10) ** (14 - 2)  # |amount| < 10^12 yuan
_SLUG = re.compile(r"[A-Za-z0-9_-]{1,64}")
LEDGER_BATCH = 2000  # entries per INSERT of a bulk post or reversal (one executemany each)


@dataclass(frozen=True)
class Evidence:
    """What an entry rests on: a finding, a complaint, a batch of ratings … (type and id), with an
    optional link to it. A manual entry may have no id: its reason is its evidence."""

    type: EvidenceType | str
    id: str = ""
    url: str = ""


@dataclass(frozen=True)
class EntrySpec:
    """One entry of an event: its subject (a Person for role "person", a Unit for "unit" and
    "unit_head"), points and/or amount (Decimal, int or str; never float), the inputs the rule used,
    and the reason people read."""

    subject: Person | Unit | int  # an id (of a person for role "person", else of a unit): bulk posts only
    role: SubjectRole | str
    points: DecimalLike = 0
    amount: DecimalLike = 0
    inputs: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""


def _require_slug(value: Any, *, name: str) -> str:
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        raise ApplicationError(
            _("%(name)s must be 1 to 64 letters, digits, '_' or '-', not %(value)r.")
            % {"name": name, "value": value},
            field=name,
        )
    return value


def _require_version(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ApplicationError(
            _("The policy version must be a whole number from 1, not %(value)r.") % {"value": value},
            field="policy_version",
        )
    return value


def _require_reason(value: Any, *, field_name: str) -> str:
    reason = value.strip() if isinstance(value, str) else ""
    if not reason:
        raise ApplicationError(_("Give a reason: people read it next to the number."), field=field_name)
    return reason


def _number(value: Any, *, places: int | None, limit: Decimal, field_name: str) -> Decimal:
    """The one rounding rule (youfu.core.money): points to 4 places, money to the fen, half up."""
    try:
        number = round_money(value) if places is None else round_points(value, places)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(
            _("%(field)s: %(error)s") % {"field": field_name, "error": exc},
            code="invalid_number",
            field=field_name,
        ) from exc
    if abs(number) >= limit:
        raise ApplicationError(
            _("%(field)s: %(value)s is too large for the ledger.") % {"field": field_name, "value": number},
            code="invalid_number",
            field=field_name,
        )
    return number


def _json_inputs(value: Any, *, field_name: str) -> Any:
    """Inputs as JSON, decimals as strings so that no float ever stands in for them."""
    if isinstance(value, float):
        raise ApplicationError(
            _("%(field)s: float %(value)r refused; pass a Decimal or a str.")
            % {"field": field_name, "value": value},
            code="invalid_number",
            field=field_name,
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ApplicationError(
                _("%(field)s: %(value)s is not a number.") % {"field": field_name, "value": value},
                code="invalid_number",
                field=field_name,
            )
        return str(value)
    if isinstance(value, dt.date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _json_inputs(item, field_name=f"{field_name}.{key}") for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_inputs(item, field_name=f"{field_name}[{i}]") for i, item in enumerate(value)]
    if value is None or isinstance(value, bool | int | str):
        return value
    raise ApplicationError(
        _("%(field)s: a value of type %(type)s cannot be stored as an input.")
        % {"field": field_name, "type": type(value).__name__},
        field=field_name,
    )


def _evidence_fields(evidence: Evidence) -> dict[str, str]:
    if evidence.type not in EvidenceType.values:
        raise ApplicationError(
            _("Unknown evidence type %(type)r.") % {"type": evidence.type}, field="evidence"
        )
    if evidence.type != EvidenceType.MANUAL and not evidence.id:
        raise ApplicationError(
            _("Say which %(type)s the entries rest on (its id).")
            % {"type": EvidenceType(evidence.type).label},
            field="evidence",
        )
    if len(evidence.id) > 64 or len(evidence.url) > 500:
        raise ApplicationError(_("The evidence id or link is too long."), field="evidence")
    return {"evidence_type": str(evidence.type), "evidence_id": evidence.id, "evidence_url": evidence.url}


def _author_or_none(author: Any) -> Any:
    return author if author is not None and getattr(author, "pk", None) is not None else None


def _hold_period(period: Period) -> None:
    """Make posting and publishing of one period wait for each other, so no entry slips into a period
    while it is being published. Posting takes FOR KEY SHARE (posts do not block one another: the
    foreign keys of their entries take the same lock anyway); publishing takes FOR UPDATE. SQLite
    lets one writer at a time, which serialises them already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {Period._meta.db_table} WHERE id = %s FOR KEY SHARE",  # noqa: S608
                [period.pk],
            )


def _refuse_if_published(*, period: Period, policy: str) -> None:
    if PeriodLock.objects.filter(period=period, policy=policy).exists():
        raise ApplicationError(
            _(
                "%(period)s is published for policy %(policy)s: its entries can no longer change. "
                "Post a correction to a period that is still open."
            )
            % {"period": period, "policy": policy},
            code="period_published",
            field="period",
        )


def _load_subjects(entries: Sequence[EntrySpec]) -> tuple[dict[Any, Person], dict[Any, Unit]]:
    """The entries' people (with their units) and units, read fresh from the database in two queries
    (a stale object must not decide whose subtree an entry is in)."""
    person_ids = {spec.subject.pk for spec in entries if isinstance(spec.subject, Person)}
    unit_ids = {spec.subject.pk for spec in entries if isinstance(spec.subject, Unit)}
    people = Person.objects.select_related("unit").in_bulk(person_ids) if person_ids else {}
    units = Unit.objects.in_bulk(unit_ids) if unit_ids else {}
    return people, units


def _subject(
    spec: EntrySpec, *, index: int, people: dict[Any, Person], units: dict[Any, Unit]
) -> tuple[SubjectRole, Person | None, Unit]:
    """The role, the person (if any) and the unit the entry belongs to."""
    where = f"entries[{index}]"
    if spec.role not in SubjectRole.values:
        raise ApplicationError(
            _("Unknown subject role %(role)r.") % {"role": spec.role}, field=f"{where}.role"
        )
    role = SubjectRole(spec.role)
    if role == SubjectRole.PERSON:
        person = people.get(spec.subject.pk) if isinstance(spec.subject, Person) else None
        if person is None:
            raise ApplicationError(
                _("An entry for a person needs a person as its subject."), field=f"{where}.subject"
            )
        return role, person, person.unit
    unit = units.get(spec.subject.pk) if isinstance(spec.subject, Unit) else None
    if unit is None:
        raise ApplicationError(
            _("An entry for a unit or its head needs a unit as its subject."), field=f"{where}.subject"
        )
    return role, None, unit


@transaction.atomic
def ledger_post(
    *,
    author: Any,
    period: Period,
    policy: str,
    policy_version: int,
    rule: str,
    entries: Sequence[EntrySpec],
    evidence: Evidence,
    event_id: uuid.UUID | None = None,
) -> list[LedgerEntry]:
    """Post the entries one event makes (seed 001: one video violation costs the person 3 points,
    their department 5 and the outlet head 4), all or none, under one event id.

    An event is posted once: posting again with an event id already in the ledger is refused, so a
    caller that derives the id from its evidence (uuid5) can safely run twice."""
    _require_slug(policy, name="policy")
    _require_slug(rule, name="rule")
    _require_version(policy_version)
    evidence_fields = _evidence_fields(evidence)
    if not entries:
        raise ApplicationError(_("An event needs at least one entry."), field="entries")
    if event_id is None:
        event_id = uuid.uuid4()
    elif not isinstance(event_id, uuid.UUID):
        raise ApplicationError(_("The event id must be a UUID."), field="event_id")
    elif LedgerEntry.objects.filter(event_id=event_id).exists():
        raise ApplicationError(
            _("Event %(event)s is already in the ledger.") % {"event": event_id},
            code="duplicate_event",
            field="event_id",
        )
    _hold_period(period)
    _refuse_if_published(period=period, policy=policy)

    people, units = _load_subjects(entries)
    rows = []
    for index, spec in enumerate(entries):
        where = f"entries[{index}]"
        role, person, unit = _subject(spec, index=index, people=people, units=units)
        if not isinstance(spec.inputs, Mapping):
            raise ApplicationError(
                _("The inputs must be a mapping of names to values."), field=f"{where}.inputs"
            )
        if author is not None:
            require_unit_in_scope(author, unit, field=f"{where}.subject")
        points = _number(spec.points, places=POINTS_PLACES, limit=POINTS_LIMIT, field_name=f"{where}.points")
        amount = _number(spec.amount, places=None, limit=AMOUNT_LIMIT, field_name=f"{where}.amount")
        if not points and not amount:
            raise ApplicationError(
                _("An entry moves points or money: both are zero."), field=f"{where}.points"
            )
        rows.append(
            LedgerEntry(
                event_id=event_id,
                subject_role=role,
                person=person,
                unit=unit if person is None else None,
                unit_path=unit.path,
                period=period,
                policy=policy,
                policy_version=policy_version,
                rule=rule,
                inputs=_json_inputs(spec.inputs, field_name=f"{where}.inputs"),
                points=points,
                amount=amount,
                reason=_require_reason(spec.reason, field_name=f"{where}.reason"),
                author=_author_or_none(author),
                **evidence_fields,
            )
        )
    return LedgerEntry.objects.bulk_create(rows, batch_size=1000)


# -- bulk: a whole scoring run ------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSpec:
    """One event of a bulk post: its id (derived from its evidence, uuid5, so a rerun cannot post it
    twice), the rule, the entries and what they rest on."""

    event_id: uuid.UUID
    rule: str
    entries: Sequence[EntrySpec]
    evidence: Evidence


def _insert_rows(rows: Sequence[LedgerEntry]) -> None:
    """One INSERT for many rows (executemany: a single statement prepared once, whatever the number of
    rows; bulk_create on SQLite would split it into statements of ~45 rows). The values are prepared by
    the model's own fields, as save() and bulk_create prepare them; the database's constraints and the
    guard's triggers check every row as for any other insert."""
    if not rows:
        return
    fields = [f for f in LedgerEntry._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (the model's own names)
        quote(LedgerEntry._meta.db_table),
        ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    params = [[f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _scope_of(author: Any) -> str | None:
    """The author's subtree path; None for a system run. An author without a subtree is refused."""
    if author is None:
        return None
    path = scope_path(author)
    if path is None:
        raise PermissionDeniedError(_("You are not responsible for any part of the organisation."))
    return path


def _require_path_in_scope(path: str, scope: str | None, *, field_name: str) -> None:
    if scope is not None and not path.startswith(scope):
        raise PermissionDeniedError(
            _("Unit %(unit)s is outside the part of the organisation you are responsible for.")
            % {"unit": path},
            field=field_name,
        )


def _subject_paths(
    batch: Sequence[tuple[int, EventSpec]],
) -> tuple[dict[int, tuple[int, str]], dict[int, str]]:
    """person id → (unit id, unit path) and unit id → path for the subjects of a batch: two queries."""
    person_ids: set[int] = set()
    unit_ids: set[int] = set()
    for _index, event in batch:
        for spec in event.entries:
            pk = spec.subject if isinstance(spec.subject, int) else spec.subject.pk
            if spec.role == SubjectRole.PERSON:
                person_ids.add(pk)
            else:
                unit_ids.add(pk)
    people = {
        pk: (unit_id, path)
        for pk, unit_id, path in Person.objects.filter(pk__in=person_ids).values_list(
            "pk", "unit_id", "unit__path"
        )
    }
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "path"))
    return people, units


def _event_rows(
    index: int,
    event: EventSpec,
    *,
    common: dict[str, Any],
    people: dict[int, tuple[int, str]],
    units: dict[int, str],
    scope: str | None,
) -> Iterator[LedgerEntry]:
    where = f"events[{index}]"
    evidence_fields = _evidence_fields(event.evidence)
    for number, spec in enumerate(event.entries):
        at = f"{where}.entries[{number}]"
        if spec.role not in SubjectRole.values:
            raise ApplicationError(
                _("Unknown subject role %(role)r.") % {"role": spec.role}, field=f"{at}.role"
            )
        role = SubjectRole(spec.role)
        subject = spec.subject
        person_id: int | None = None
        if role == SubjectRole.PERSON:
            if isinstance(subject, Unit):
                subject = -1  # never a person's id: refused below
            found = people.get(subject if isinstance(subject, int) else subject.pk)
            if found is None:
                raise ApplicationError(
                    _("An entry for a person needs a person as its subject."), field=f"{at}.subject"
                )
            person_id = subject if isinstance(subject, int) else subject.pk
            unit_id, path = found
        else:
            if isinstance(subject, Person):
                subject = -1
            unit_id = subject if isinstance(subject, int) else subject.pk
            if unit_id not in units:
                raise ApplicationError(
                    _("An entry for a unit or its head needs a unit as its subject."), field=f"{at}.subject"
                )
            path = units[unit_id]
        _require_path_in_scope(path, scope, field_name=f"{at}.subject")
        if not isinstance(spec.inputs, Mapping):
            raise ApplicationError(
                _("The inputs must be a mapping of names to values."), field=f"{at}.inputs"
            )
        points = _number(spec.points, places=POINTS_PLACES, limit=POINTS_LIMIT, field_name=f"{at}.points")
        amount = _number(spec.amount, places=None, limit=AMOUNT_LIMIT, field_name=f"{at}.amount")
        if not points and not amount:
            raise ApplicationError(_("An entry moves points or money: both are zero."), field=f"{at}.points")
        yield LedgerEntry(
            event_id=event.event_id,
            subject_role=role,
            person_id=person_id,
            unit_id=unit_id if person_id is None else None,
            unit_path=path,
            rule=event.rule,
            inputs=_json_inputs(spec.inputs, field_name=f"{at}.inputs"),
            points=points,
            amount=amount,
            reason=_require_reason(spec.reason, field_name=f"{at}.reason"),
            **common,
            **evidence_fields,
        )


def _post_batch(batch: Sequence[tuple[int, EventSpec]], *, common: dict[str, Any], scope: str | None) -> int:
    """Check and insert one batch of events: four queries, whatever its size."""
    taken = (
        LedgerEntry.objects.filter(event_id__in=[event.event_id for _index, event in batch])
        .values_list("event_id", flat=True)
        .first()
    )
    if taken is not None:
        raise ApplicationError(
            _("Event %(event)s is already in the ledger.") % {"event": taken},
            code="duplicate_event",
            field="event_id",
        )
    people, units = _subject_paths(batch)
    rows = [
        row
        for index, event in batch
        for row in _event_rows(index, event, common=common, people=people, units=units, scope=scope)
    ]
    _insert_rows(rows)
    return len(rows)


@transaction.atomic
def ledger_post_events(
    *,
    author: Any,
    period: Period,
    policy: str,
    policy_version: int,
    events: Iterable[EventSpec],
    batch_size: int | None = None,
) -> int:
    """Post many events at once (a scoring run: one event per rule and subject row, hundreds of
    thousands of entries for a national bank) with the checks of ``ledger_post``, in batches of about
    ``batch_size`` entries (default LEDGER_BATCH): each batch takes four queries (its event ids, its
    people, its units, one INSERT), however many rows it has. All or nothing: one bad entry, or any
    failure of the database, and nothing of the post is left. Returns how many entries were posted."""
    _require_slug(policy, name="policy")
    _require_version(policy_version)
    batch_size = batch_size or LEDGER_BATCH
    scope = _scope_of(author)
    _hold_period(period)
    _refuse_if_published(period=period, policy=policy)
    common = {
        "period_id": period.pk,
        "policy": policy,
        "policy_version": policy_version,
        "author": _author_or_none(author),
        "created_at": timezone.now(),
    }
    seen: set[uuid.UUID] = set()
    batch: list[tuple[int, EventSpec]] = []
    size = count = 0
    for index, event in enumerate(events):
        if not isinstance(event.event_id, uuid.UUID):
            raise ApplicationError(_("The event id must be a UUID."), field=f"events[{index}].event_id")
        if event.event_id in seen:
            raise ApplicationError(
                _("Event %(event)s is already in the ledger.") % {"event": event.event_id},
                code="duplicate_event",
                field=f"events[{index}].event_id",
            )
        seen.add(event.event_id)
        _require_slug(event.rule, name="rule")
        if not event.entries:
            raise ApplicationError(_("An event needs at least one entry."), field=f"events[{index}].entries")
        batch.append((index, event))
        size += len(event.entries)
        if size >= batch_size:
            count += _post_batch(batch, common=common, scope=scope)
            batch, size = [], 0
    if batch:
        count += _post_batch(batch, common=common, scope=scope)
    return count


_REVERSED_FIELDS = (
    "id",
    "event_id",
    "subject_role",
    "person_id",
    "unit_id",
    "unit_path",
    "policy_version",
    "rule",
    "inputs",
    "points",
    "amount",
    "evidence_url",
)


@transaction.atomic
def ledger_reverse_evidence(
    *,
    author: Any,
    period: Period,
    policy: str,
    evidence: Evidence,
    reason: str,
    batch_size: int | None = None,
) -> int:
    """Reverse every entry of ``policy`` in ``period`` that rests on ``evidence`` and is not reversed
    yet (a rescored run: the earlier run's entries all go), in batches of ``batch_size``: two queries
    a batch. Each original event is reversed by one new event, as ``ledger_reverse_event`` does.
    Returns how many entries were reversed."""
    _require_slug(policy, name="policy")
    reason = _require_reason(reason, field_name="reason")
    evidence_fields = _evidence_fields(evidence)
    batch_size = batch_size or LEDGER_BATCH
    scope = _scope_of(author)
    _hold_period(period)
    _refuse_if_published(period=period, policy=policy)
    originals = LedgerEntry.objects.filter(
        period=period,
        policy=policy,
        evidence_type=evidence_fields["evidence_type"],
        evidence_id=evidence_fields["evidence_id"],
        reverses__isnull=True,
        reversal__isnull=True,
    ).order_by("id")
    new_events: dict[uuid.UUID, uuid.UUID] = {}
    now = timezone.now()
    last = 0
    count = 0
    while True:
        rows = list(originals.filter(id__gt=last).values(*_REVERSED_FIELDS)[:batch_size])
        if not rows:
            return count
        reversals = []
        for row in rows:
            _require_path_in_scope(row["unit_path"], scope, field_name="evidence")
            reversals.append(
                LedgerEntry(
                    event_id=new_events.setdefault(row["event_id"], uuid.uuid4()),
                    subject_role=row["subject_role"],
                    person_id=row["person_id"],
                    unit_id=row["unit_id"],
                    unit_path=row["unit_path"],  # nets to zero in the subtree that saw the original
                    period_id=period.pk,
                    policy=policy,
                    policy_version=row["policy_version"],
                    rule=row["rule"],
                    inputs=row["inputs"],
                    points=round_points(-row["points"], POINTS_PLACES),
                    amount=round_money(-row["amount"]),
                    reason=reason,
                    evidence_type=evidence_fields["evidence_type"],
                    evidence_id=evidence_fields["evidence_id"],
                    evidence_url=row["evidence_url"],
                    reverses_id=row["id"],
                    author=_author_or_none(author),
                    created_at=now,
                )
            )
        _insert_rows(reversals)
        count += len(reversals)
        last = rows[-1]["id"]


def _reverse(*, author: Any, original: LedgerEntry, reason: str, event_id: uuid.UUID) -> LedgerEntry:
    if original.reverses_id is not None:
        raise ApplicationError(
            _("Entry %(id)s is itself a reversal and cannot be reversed; post a new entry instead.")
            % {"id": original.pk},
            code="reversal_of_reversal",
            field="entry",
        )
    if LedgerEntry.objects.filter(reverses=original).exists():
        raise ApplicationError(
            _("Entry %(id)s has already been reversed.") % {"id": original.pk},
            code="already_reversed",
            field="entry",
        )
    _refuse_if_published(period=original.period, policy=original.policy)
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                event_id=event_id,
                subject_role=original.subject_role,
                person_id=original.person_id,
                unit_id=original.unit_id,
                unit_path=original.unit_path,  # nets to zero in the subtree that saw the original
                period_id=original.period_id,
                policy=original.policy,
                policy_version=original.policy_version,
                rule=original.rule,
                inputs=original.inputs,
                points=round_points(-original.points, POINTS_PLACES),
                amount=round_money(-original.amount),
                reason=reason,
                evidence_type=original.evidence_type,
                evidence_id=original.evidence_id,
                evidence_url=original.evidence_url,
                reverses=original,
                author=_author_or_none(author),
            )
    except IntegrityError as exc:  # a concurrent reversal of the same entry won the unique constraint
        raise ApplicationError(
            _("Entry %(id)s has already been reversed.") % {"id": original.pk},
            code="already_reversed",
            field="entry",
        ) from exc


def _require_entry_in_scope(author: Any, entry: LedgerEntry) -> None:
    if author is None:
        return
    path = scope_path(author)
    if path is None or not entry.unit_path.startswith(path):
        raise PermissionDeniedError(
            _("This entry belongs to a part of the organisation you are not responsible for."),
            field="entry",
        )


@transaction.atomic
def ledger_reverse(*, author: Any, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Cancel one entry with the entry that negates it (same subject, period, policy, version, rule and
    evidence; points and amount negated), as a new event. The original stays as it was."""
    reason = _require_reason(reason, field_name="reason")
    # of=self: lock the entry (two reversals of it wait for each other), not its period's row.
    original = LedgerEntry.objects.select_for_update(of=("self",)).select_related("period").get(pk=entry.pk)
    _require_entry_in_scope(author, original)
    _hold_period(original.period)
    return _reverse(author=author, original=original, reason=reason, event_id=uuid.uuid4())


@transaction.atomic
def ledger_reverse_event(*, author: Any, event_id: uuid.UUID, reason: str) -> list[LedgerEntry]:
    """Cancel every entry of an event that is not reversed yet (the finding was wrong: the person, the
    department and the outlet head all get their points back), as one new event."""
    reason = _require_reason(reason, field_name="reason")
    entries = list(
        LedgerEntry.objects.select_for_update(of=("self",))
        .select_related("period")
        .filter(event_id=event_id, reverses__isnull=True)
        .order_by("id")
    )
    reversed_ids = set(LedgerEntry.objects.filter(reverses__in=entries).values_list("reverses_id", flat=True))
    originals = [entry for entry in entries if entry.pk not in reversed_ids]
    if not originals:
        raise ApplicationError(
            _("Event %(event)s has no entry left to reverse.") % {"event": event_id},
            code="nothing_to_reverse",
            field="event_id",
        )
    for original in originals:
        _require_entry_in_scope(author, original)
    _hold_period(originals[0].period)
    new_event = uuid.uuid4()
    return [
        _reverse(author=author, original=original, reason=reason, event_id=new_event)
        for original in originals
    ]


@transaction.atomic
def ledger_period_publish(*, author: Any, period: Period, policy: str) -> PeriodLock:
    """Publish (freeze) a period for a policy: from now on no entry of that policy is posted to the
    period or reversed in it. A policy is bank-wide, so only the head office or a branch publishes."""
    _require_slug(policy, name="policy")
    if author is not None and not _is_bank_level(author):
        raise PermissionDeniedError(_("Only the head office or a branch can publish a period."))
    period = Period.objects.select_for_update().get(pk=period.pk)
    _refuse_if_published(period=period, policy=policy)
    return PeriodLock.objects.create(period=period, policy=policy, locked_by=_author_or_none(author))


def _is_bank_level(author: Any) -> bool:
    path = scope_path(author)
    if path is None or path == WHOLE_BANK:
        return path == WHOLE_BANK
    kind = Unit.objects.filter(pk=author.unit_id).values_list("kind", flat=True).first()
    return kind in BANK_LEVEL_UNIT_KINDS
