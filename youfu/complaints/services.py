"""Writes of the complaints domain: keyword-only, atomic, ApplicationError with nothing changed.

Rules stated once:
* First responder (首问负责制): the user who registers a complaint owns it until they (or a supervisor
  with the right to judge complaints) hand it over explicitly to another handler who may see its unit;
  the handover is an event on the timeline.
* SLA: acknowledge and resolve deadlines come from youfu.complaints.sla (channel × severity, business
  hours on Chinese working days). Waiting on the customer pauses the clock: the remaining business time
  is kept and the deadlines start again from the resumption.
* Escalation (`complaints_escalate_due`, a periodic job): the missed deadline (acknowledge, else
  resolve) moves a case up the ladder outlet → sub-branch → branch as it gets later, notifying each new
  level's handlers once. Media and regulator cases start at the top (branch) level.
* Verdict: valid or not, always with reasons; only a resolved case is judged, once. A valid verdict
  records the quarter's complaint and praise facts of the unit and its people (`_record_facts`), each
  value's note naming the complaints it counts.
* After closing, a satisfaction callback is due two working days later; its result is recorded once.
* A customer's contact is masked everywhere; revealing it needs the right and a reason, and is logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from youfu.accounts.access import require_perm, require_unit_in_scope, unit_in_scope
from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.complaints import sla
from youfu.complaints.choices import (
    SUBJECTIVE_CATEGORIES,
    TOP_CHANNELS,
    CallbackResult,
    Category,
    Channel,
    ComplaintKind,
    ComplaintStatus,
    EventAction,
    Level,
    Severity,
    Verdict,
)
from youfu.complaints.models import Complaint, ComplaintEvent
from youfu.core.audit import acting_as
from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.facts.choices import BatchSource
from youfu.facts.services import FactValue, RecordResult, facts_record
from youfu.org.choices import PeriodKind, UnitKind
from youfu.org.models import Period, Person, Unit

CALLBACK_AFTER_HOURS = 16  # two working days after closing
FUTURE_TOLERANCE = dt.timedelta(minutes=5)  # clocks of the hotline system and ours differ a little

FACT_VALID = "complaints_valid"
FACT_SUBJECTIVE = "complaints_valid_subjective"
FACT_EXPOSURE = "complaints_valid_exposure"
FACT_PRAISE = "praise_count"
FACT_PRAISE_MEDIA = "praise_media"

# Who hears of a case at each level of the ladder: the handlers of that unit.
LEVEL_ROLES = {
    Level.OUTLET: (Role.OUTLET_HEAD, Role.SERVICE_OFFICE, Role.COMPLAINT_HANDLER),
    Level.SUB_BRANCH: (Role.SERVICE_OFFICE, Role.COMPLAINT_HANDLER),
    Level.BRANCH: (Role.SERVICE_OFFICE, Role.COMPLAINT_HANDLER),
}
LEVEL_KINDS = {
    Level.OUTLET: UnitKind.OUTLET,
    Level.SUB_BRANCH: UnitKind.SUB_BRANCH,
    Level.BRANCH: UnitKind.BRANCH,
}


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def _event(complaint: Complaint, action: str, actor: Any, **params: Any) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        params={k: v for k, v in params.items() if v is not None},
    )


def _notify(recipients: Iterable[Any], *, kind: str, title: str, body: str, complaint: Complaint) -> None:
    """Through youfu.notifications (mail goes out on commit)."""
    from django.urls import reverse

    from youfu.notifications.services import notify

    notify(
        recipients=list(recipients),
        kind=kind,
        title=title,
        body=body,
        url=reverse("complaints:detail", args=[complaint.pk]),
    )


def _require_in_scope(actor: Any, complaint: Complaint, perm: str) -> None:
    require_perm(actor, perm)
    require_unit_in_scope(actor, complaint.unit)


def _require_status(complaint: Complaint, *allowed: str) -> None:
    if complaint.status not in allowed:
        raise ApplicationError(
            _("Complaint %(number)s is %(status)s: this step is not possible now.")
            % {"number": complaint.number, "status": complaint.get_status_display()},
            code="wrong_status",
            field="status",
        )


def _require_owner(actor: Any, complaint: Complaint) -> None:
    """Only the responsible handler moves a case on (首问负责制); a supervisor (right to judge) may too."""
    if complaint.owner_id == actor.pk or actor.is_superuser or actor.has_perm("complaints.judge_complaint"):
        return
    raise PermissionDeniedError(
        _("%(owner)s is responsible for complaint %(number)s; ask them to hand it over.")
        % {"owner": complaint.owner, "number": complaint.number}
    )


def _lock(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().select_related("unit", "owner").get(pk=complaint.pk)


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, code="required", field=field)
    return value


def _warn(clock: sla.Clock) -> str:
    return ",".join(str(year) for year in sorted(clock.unknown))


def _merge_warning(old: str, clock: sla.Clock) -> str:
    years = {y for y in old.split(",") if y} | {str(y) for y in clock.unknown}
    return ",".join(sorted(years))


def unit_at_level(unit: Unit, level: int) -> Unit | None:
    """The unit of the ladder's level above (or at) `unit`: its outlet, sub-branch or branch."""
    kind = LEVEL_KINDS[Level(level)]
    if unit.kind == kind:
        return unit
    return Unit.objects.filter(path__in=ancestor_paths(unit), kind=kind).order_by("-depth").first()


def ancestor_paths(unit: Unit) -> list[str]:
    step = Unit.steplen
    return [unit.path[:end] for end in range(step, len(unit.path), step)]


def level_recipients(complaint: Complaint, level: int) -> list[User]:
    target = unit_at_level(complaint.unit, level)
    if target is None:
        return []
    roles = [str(role) for role in LEVEL_ROLES[Level(level)]]
    return list(
        User.objects.filter(unit=target, is_active=True, groups__name__in=roles).distinct().order_by("pk")
    )


# --- Intake ---------------------------------------------------------------------------------------------


def _people(unit: Unit, people: Sequence[Person]) -> list[Person]:
    for person in people:
        if person.unit_id != unit.pk and not person.unit.path.startswith(unit.path):
            raise ApplicationError(
                _("%(person)s does not work in %(unit)s.") % {"person": person.name, "unit": unit.name},
                code="person_elsewhere",
                field="people",
            )
    return list(people)


@transaction.atomic
def complaint_register(
    *,
    actor: Any,
    kind: str,
    channel: str,
    unit: Unit,
    category: str,
    summary: str,
    severity: str = Severity.LOW,
    received_at: dt.datetime | None = None,
    customer_name: str = "",
    customer_phone: str = "",
    people: Sequence[Person] = (),
    source_ref: str = "",
    resolve_due: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Register a complaint or praise. The actor becomes its responsible handler (首问负责制)."""
    require_perm(actor, "complaints.add_complaint")
    require_unit_in_scope(actor, unit, field="unit")
    moment = _now(now)
    received = received_at or moment
    for value, choices, name in (
        (kind, ComplaintKind, "kind"),
        (channel, Channel, "channel"),
        (category, Category, "category"),
        (severity, Severity, "severity"),
    ):
        if value not in choices.values:
            raise ApplicationError(
                _("Unknown %(field)s: %(value)s") % {"field": name, "value": value}, field=name
            )
    if received > moment + FUTURE_TOLERANCE:
        raise ApplicationError(_("A complaint cannot be received in the future."), field="received_at")
    if resolve_due is not None and resolve_due <= moment:
        raise ApplicationError(_("The deadline is in the past."), code="deadline_past", field="resolve_due")
    summary = _text(summary, "summary", _("Say what the customer said."))
    chosen = _people(unit, people)
    clock = sla.Clock()
    rules = sla.sla_for(channel, severity)
    top = channel in TOP_CHANNELS and kind == ComplaintKind.COMPLAINT
    with acting_as(actor):
        complaint = Complaint.objects.create(
            kind=kind,
            channel=channel,
            source_ref=source_ref.strip(),
            received_at=received,
            unit=unit,
            category=category,
            severity=severity,
            summary=summary,
            customer_name=customer_name.strip(),
            customer_phone=customer_phone.strip(),
            owner=actor,
            received_by=actor,
            acknowledge_due=clock.add(received, rules.acknowledge_hours * sla.HOUR),
            resolve_due=resolve_due or clock.add(received, rules.resolve_hours * sla.HOUR),
            level=Level.BRANCH if top else Level.NONE,
        )
        complaint.calendar_warning = _warn(clock)
        prefix = "TS" if kind == ComplaintKind.COMPLAINT else "BY"
        complaint.number = f"{prefix}{timezone.localtime(received).year}{complaint.pk:06d}"
        complaint.save(update_fields=["number", "calendar_warning"])
        complaint.people.set(chosen)
    _event(
        complaint,
        EventAction.REGISTERED,
        actor,
        channel=channel,
        kind=kind,
        sla_hours=[rules.acknowledge_hours, rules.resolve_hours],
        deadline_set_by_hand=resolve_due is not None or None,
    )
    if top:
        _event(complaint, EventAction.ESCALATED, None, level=int(Level.BRANCH), reason="channel")
        _notify_level(complaint, Level.BRANCH, reason=_("media or regulator case"))
    return complaint


# --- Handling -------------------------------------------------------------------------------------------


@transaction.atomic
def complaint_handover(*, actor: Any, complaint: Complaint, to: User, note: str = "") -> Complaint:
    """Hand the case to another handler, who may see its unit and handle complaints. Recorded."""
    complaint = _lock(complaint)
    _require_in_scope(actor, complaint, "complaints.handle_complaint")
    _require_owner(actor, complaint)
    _require_status(complaint, *[s for s in ComplaintStatus.values if s != ComplaintStatus.CLOSED])
    if to.pk == complaint.owner_id:
        raise ApplicationError(_("They are already responsible for it."), field="to")
    if (
        not to.is_active
        or not to.has_perm("complaints.handle_complaint")
        or not unit_in_scope(to, complaint.unit)
    ):
        raise ApplicationError(
            _("%(user)s cannot handle complaints of %(unit)s.") % {"user": to, "unit": complaint.unit.name},
            code="not_a_handler",
            field="to",
        )
    previous = complaint.owner
    with acting_as(actor):
        complaint.owner = to
        complaint.save(update_fields=["owner"])
    _event(
        complaint,
        EventAction.HANDED_OVER,
        actor,
        **{"from": previous.username, "to": to.username, "note": note},
    )
    _notify(
        [to],
        kind="complaint_handover",
        title=_("Complaint %(number)s is now yours") % {"number": complaint.number},
        body=note,
        complaint=complaint,
    )
    return complaint


@transaction.atomic
def complaint_classify(
    *,
    actor: Any,
    complaint: Complaint,
    category: str,
    severity: str,
    unit: Unit | None = None,
    people: Sequence[Person] | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Correct the category, severity, unit or people while the case is open. A new severity gives new
    deadlines counted from intake (never earlier than now for a deadline not yet missed)."""
    complaint = _lock(complaint)
    _require_in_scope(actor, complaint, "complaints.handle_complaint")
    _require_owner(actor, complaint)
    _require_status(complaint, ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS)
    if category not in Category.values:
        raise ApplicationError(_("Unknown category."), field="category")
    if severity not in Severity.values:
        raise ApplicationError(_("Unknown severity."), field="severity")
    target = unit or complaint.unit
    require_unit_in_scope(actor, target, field="unit")
    chosen = _people(target, people if people is not None else list(complaint.people.all()))
    changed: dict[str, Any] = {}
    with acting_as(actor):
        if severity != complaint.severity:
            clock = sla.Clock()
            rules = sla.sla_for(complaint.channel, severity)
            complaint.acknowledge_due = clock.add(complaint.received_at, rules.acknowledge_hours * sla.HOUR)
            complaint.resolve_due = clock.add(complaint.received_at, rules.resolve_hours * sla.HOUR)
            complaint.calendar_warning = _merge_warning(complaint.calendar_warning, clock)
            changed["severity"] = [complaint.severity, severity]
        if category != complaint.category:
            changed["category"] = [complaint.category, category]
        if target.pk != complaint.unit_id:
            changed["unit"] = [complaint.unit.code, target.code]
        complaint.category, complaint.severity, complaint.unit = category, severity, target
        complaint.save()
        complaint.people.set(chosen)
    _event(complaint, EventAction.CLASSIFIED, actor, people=[p.employee_no for p in chosen], **changed)
    return complaint


@transaction.atomic
def complaint_acknowledge(
    *, actor: Any, complaint: Complaint, note: str = "", now: dt.datetime | None = None
) -> Complaint:
    complaint = _lock(complaint)
    _require_in_scope(actor, complaint, "complaints.handle_complaint")
    _require_owner(actor, complaint)
    _require_status(complaint, ComplaintStatus.RECEIVED)
    moment = _now(now)
    with acting_as(actor):
        complaint.status = ComplaintStatus.IN_PROGRESS
        complaint.acknowledged_at = moment
        complaint.save(update_fields=["status", "acknowledged_at"])
    _event(
        complaint, EventAction.ACKNOWLEDGED, actor, note=note or None, late=moment > complaint.acknowledge_due
    )
    return complaint


@transaction.atomic
def complaint_wait(
    *, actor: Any, complaint: Complaint, reason: str, now: dt.datetime | None = None
) -> Complaint:
    """Waiting on the customer (补充材料, 约定时间): the clock stops; the business time left is kept."""
    complaint = _lock(complaint)
    _require_in_scope(actor, complaint, "complaints.handle_complaint")
    _require_owner(actor, complaint)
    _require_status(complaint, ComplaintStatus.IN_PROGRESS)
    reason = _text(reason, "reason", _("Say what you are waiting for."))
    moment = _now(now)
    clock = sla.Clock()
    with acting_as(actor):
        complaint.status = ComplaintStatus.WAITING_CUSTOMER
        complaint.paused_at = moment
        complaint.resolve_left = clock.between(moment, complaint.resolve_due)
        complaint.save(update_fields=["status", "paused_at", "resolve_left"])
    _event(complaint, EventAction.WAITING, actor, reason=reason, left=complaint.resolve_left)
    return complaint


@transaction.atomic
def complaint_resume(
    *, actor: Any, complaint: Complaint, note: str = "", now: dt.datetime | None = None
) -> Complaint:
    """The customer answered: the clock runs again with the business time that was left."""
    complaint = _lock(complaint)
    _require_in_scope(actor, complaint, "complaints.handle_complaint")
    _require_owner(actor, complaint)
    _require_status(complaint, ComplaintStatus.WAITING_CUSTOMER)
    moment = _now(now)
    clock = sla.Clock()
    left = complaint.resolve_left or 0
    paused = clock.between(complaint.paused_at or moment, moment)
    with acting_as(actor):
        if left > 0:  # a deadline already missed before the pause stays missed
            complaint.resolve_due = clock.add(moment, left)
        complaint.status = ComplaintStatus.IN_PROGRESS
        complaint.paused_at = None
        complaint.resolve_left = None
        complaint.calendar_warning = _merge_warning(complaint.calendar_warning, clock)
        complaint.save(
            update_fields=["status", "paused_at", "resolve_left", "resolve_due", "calendar_warning"]
        )
    _event(
        complaint,
        EventAction.RESUMED,
        actor,
        note=note or None,
        paused_seconds=paused,
        resolve_due=complaint.resolve_due.isoformat(),
    )
    return complaint


@transaction.atomic
def complaint_extend(
    *, actor: Any, complaint: Complaint, resolve_due: dt.datetime, reason: str, now: dt.datetime | None = None
) -> Complaint:
    """A supervisor (right to judge) moves the resolve deadline later, with a reason."""
    complaint = _lock(complaint)
    _require_in_scope(actor, complaint, "complaints.judge_complaint")
    _require_status(complaint, ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS)
    reason = _text(reason, "reason", _("Give the reason for the new deadline."))
    if resolve_due <= _now(now):
        raise ApplicationError(_("The deadline is in the past."), code="deadline_past", field="resolve_due")
    if resolve_due <= complaint.resolve_due:
        raise ApplicationError(
            _("The new deadline must be later than the current one."),
            code="deadline_earlier",
            field="resolve_due",
        )
    previous = complaint.resolve_due
    with acting_as(actor):
        complaint.resolve_due = resolve_due
        complaint.save(update_fields=["resolve_due"])
    _event(
        complaint,
        EventAction.EXTENDED,
        actor,
        reason=reason,
        before=previous.isoformat(),
        after=resolve_due.isoformat(),
    )
    return complaint


@transaction.atomic
def complaint_resolve(
    *, actor: Any, complaint: Complaint, resolution: str, now: dt.datetime | None = None
) -> Complaint:
    complaint = _lock(complaint)
    _require_in_scope(actor, complaint, "complaints.handle_complaint")
    _require_owner(actor, complaint)
    _require_status(complaint, ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS)
    resolution = _text(resolution, "resolution", _("Say how it was resolved."))
    moment = _now(now)
    with acting_as(actor):
        complaint.acknowledged_at = complaint.acknowledged_at or moment
        complaint.status = ComplaintStatus.RESOLVED
        complaint.resolved_at = moment
        complaint.resolution = resolution
        complaint.save(update_fields=["acknowledged_at", "status", "resolved_at", "resolution"])
    _event(complaint, EventAction.RESOLVED, actor, late=moment > complaint.resolve_due)
    return complaint


@transaction.atomic
def complaint_judge(
    *, actor: Any, complaint: Complaint, verdict: str, reason: str, evidence: str = ""
) -> Complaint:
    """有效投诉 or not (for praise: verified or not), with reasons; once. A valid one records facts."""
    complaint = _lock(complaint)
    _require_in_scope(actor, complaint, "complaints.judge_complaint")
    _require_status(complaint, ComplaintStatus.RESOLVED)
    if complaint.verdict:
        raise ApplicationError(_("This case has already been judged."), code="judged", field="verdict")
    if verdict not in Verdict.values:
        raise ApplicationError(_("Choose valid or not valid."), field="verdict")
    reason = _text(reason, "reason", _("A verdict needs its reasons."))
    with acting_as(actor):
        complaint.verdict = verdict
        complaint.verdict_reason = reason
        complaint.verdict_evidence = evidence.strip()
        complaint.judged_by = actor
        complaint.judged_at = timezone.now()
        complaint.save(
            update_fields=["verdict", "verdict_reason", "verdict_evidence", "judged_by", "judged_at"]
        )
    _event(complaint, EventAction.JUDGED, actor, verdict=verdict)
    if verdict == Verdict.VALID:
        record_facts(complaint)
    return complaint


@transaction.atomic
def complaint_close(*, actor: Any, complaint: Complaint, now: dt.datetime | None = None) -> Complaint:
    """Close a resolved, judged case; the satisfaction callback is due two working days later."""
    complaint = _lock(complaint)
    _require_in_scope(actor, complaint, "complaints.handle_complaint")
    _require_owner(actor, complaint)
    _require_status(complaint, ComplaintStatus.RESOLVED)
    if not complaint.verdict:
        raise ApplicationError(_("Give the verdict before closing."), code="no_verdict", field="verdict")
    moment = _now(now)
    clock = sla.Clock()
    with acting_as(actor):
        complaint.status = ComplaintStatus.CLOSED
        complaint.closed_at = moment
        complaint.callback_due = clock.add(moment, CALLBACK_AFTER_HOURS * sla.HOUR)
        complaint.calendar_warning = _merge_warning(complaint.calendar_warning, clock)
        complaint.save(update_fields=["status", "closed_at", "callback_due", "calendar_warning"])
    _event(complaint, EventAction.CLOSED, actor, callback_due=complaint.callback_due.isoformat())
    return complaint


@transaction.atomic
def complaint_callback(
    *, actor: Any, complaint: Complaint, result: str, note: str = "", now: dt.datetime | None = None
) -> Complaint:
    complaint = _lock(complaint)
    _require_in_scope(actor, complaint, "complaints.handle_complaint")
    _require_status(complaint, ComplaintStatus.CLOSED)
    if complaint.callback_result:
        raise ApplicationError(_("The callback is already recorded."), code="called_back", field="result")
    if result not in CallbackResult.values:
        raise ApplicationError(_("Choose the customer's answer."), field="result")
    with acting_as(actor):
        complaint.callback_result = result
        complaint.callback_note = note.strip()
        complaint.callback_at = _now(now)
        complaint.save(update_fields=["callback_result", "callback_note", "callback_at"])
    _event(complaint, EventAction.CALLBACK, actor, result=result)
    return complaint


@transaction.atomic
def complaint_contact_reveal(*, actor: Any, complaint: Complaint, reason: str) -> tuple[str, str]:
    """The customer's name and phone, in clear, for a handler who needs them. Logged on the timeline."""
    _require_in_scope(actor, complaint, "complaints.reveal_contact")
    reason = _text(reason, "reason", _("Say why you need the customer's contact."))
    _event(complaint, EventAction.CONTACT_REVEALED, actor, reason=reason)
    return complaint.customer_name, complaint.customer_phone


# --- Escalation -----------------------------------------------------------------------------------------


def _notify_level(complaint: Complaint, level: int, *, reason: str) -> None:
    recipients = level_recipients(complaint, level)
    recipients += [complaint.owner]
    _notify(
        recipients,
        kind="complaint_escalated",
        title=_("Complaint %(number)s escalated to %(level)s")
        % {"number": complaint.number, "level": Level(level).label},
        body=_("%(unit)s: %(reason)s") % {"unit": complaint.unit.name, "reason": reason},
        complaint=complaint,
    )


DEADLINE_NAMES = {"acknowledge": gettext_lazy("acknowledge"), "resolve": gettext_lazy("resolve")}


def missed_deadline(complaint: Complaint) -> tuple[str, dt.datetime]:
    """The deadline that counts now: acknowledging until done, then resolving."""
    if complaint.acknowledged_at is None:
        return "acknowledge", complaint.acknowledge_due
    return "resolve", complaint.resolve_due


@transaction.atomic
def complaints_escalate_due(*, now: dt.datetime | None = None) -> list[Complaint]:
    """Move every late open case up the ladder to the level its lateness calls for, one level at a time,
    notifying each level once. Waiting cases are paused and skipped. Safe to run twice."""
    moment = _now(now)
    escalated = []
    clock = sla.Clock()
    rows = (
        Complaint.objects.select_for_update()
        .filter(status__in=[ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS], level__lt=Level.BRANCH)
        .filter(Q(acknowledged_at__isnull=True, acknowledge_due__lt=moment) | Q(resolve_due__lt=moment))
        .select_related("unit", "owner")
    )
    for complaint in rows:
        which, deadline = missed_deadline(complaint)
        overdue = clock.between(deadline, moment)
        target = sla.level_due(overdue)
        if target <= complaint.level:
            continue
        for level in range(complaint.level + 1, target + 1):
            _event(complaint, EventAction.ESCALATED, None, level=level, deadline=which, overdue=overdue)
            _notify_level(
                complaint,
                level,
                reason=_("%(which)s deadline missed by %(late)s")
                % {"which": DEADLINE_NAMES[which], "late": sla.format_duration(overdue)},
            )
        Complaint.objects.filter(pk=complaint.pk).update(level=target)
        complaint.level = target
        escalated.append(complaint)
    return escalated


def escalation_job(now: dt.datetime) -> dict[str, Any]:
    """The periodic job (youfu tick)."""
    done = complaints_escalate_due(now=now)
    return {"escalated": len(done), "complaints": [c.number for c in done]}


# --- Facts for the scoring engine ------------------------------------------------------------------------


def quarter_of(date: dt.date) -> Period | None:
    return Period.objects.filter(kind=PeriodKind.QUARTER, start__lte=date, end__gte=date).first()


def _counts(rows: list[Complaint]) -> dict[str, tuple[int, list[str]]]:
    found: dict[str, list[str]] = {
        FACT_VALID: [],
        FACT_SUBJECTIVE: [],
        FACT_EXPOSURE: [],
        FACT_PRAISE: [],
        FACT_PRAISE_MEDIA: [],
    }
    for c in rows:
        if c.kind == ComplaintKind.COMPLAINT:
            found[FACT_VALID].append(c.number)
            if c.category in SUBJECTIVE_CATEGORIES:
                found[FACT_SUBJECTIVE].append(c.number)
            if c.channel in TOP_CHANNELS:
                found[FACT_EXPOSURE].append(c.number)
        elif c.channel == Channel.MEDIA:
            found[FACT_PRAISE_MEDIA].append(c.number)
        else:
            found[FACT_PRAISE].append(c.number)
    return {name: (len(numbers), numbers) for name, numbers in found.items()}


def _note(numbers: list[str], unit: Unit) -> str:
    refs = "、".join(numbers) if numbers else "—"
    return (_("Complaints %(refs)s of %(unit)s (/complaints/)") % {"refs": refs, "unit": unit.code})[:255]


def record_facts(complaint: Complaint) -> RecordResult | None:
    """Record (or update) the quarter's complaint and praise facts of the complaint's unit and of the
    people of its valid cases: counts of valid cases, each value's note naming them."""
    day = timezone.localtime(complaint.received_at).date()
    period = quarter_of(day)
    if period is None:
        _event(complaint, EventAction.FACTS, None, skipped="no_quarter")
        return None
    unit = complaint.unit
    start = dt.datetime.combine(period.start, dt.time(0), tzinfo=sla.SHANGHAI)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(0), tzinfo=sla.SHANGHAI)
    rows = list(
        Complaint.objects.filter(
            unit=unit, verdict=Verdict.VALID, received_at__gte=start, received_at__lt=end
        )
        .prefetch_related("people")
        .order_by("number")
    )
    values = [
        FactValue(subject=unit, name=name, value=Decimal(n), measure="次", note=_note(numbers, unit))
        for name, (n, numbers) in _counts(rows).items()
    ]
    people: dict[int, Person] = {}
    for row in rows:
        for person in row.people.all():
            people[person.pk] = person
    for person in sorted(people.values(), key=lambda p: p.employee_no):
        own = [row for row in rows if any(p.pk == person.pk for p in row.people.all())]
        for name, (n, numbers) in _counts(own).items():
            if name in (FACT_VALID, FACT_EXPOSURE):
                continue
            values.append(
                FactValue(
                    subject=person, name=name, value=Decimal(n), measure="次", note=_note(numbers, unit)
                )
            )
    try:
        result = facts_record(
            actor=None,
            period=period,
            values=values,
            source=BatchSource.MANUAL,
            note=(
                _("Complaints and praise of %(unit)s, %(period)s")
                % {"unit": unit.name, "period": period.code}
            )[:255],
        )
    except ApplicationError as exc:  # the period is published in the ledger: its facts are final
        _event(complaint, EventAction.FACTS, None, skipped=exc.code, period=period.code)
        return None
    _event(
        complaint,
        EventAction.FACTS,
        None,
        period=period.code,
        batch=result.batch.pk if result.batch else None,
        created=result.created,
        changed=result.changed,
    )
    return result
