"""Writes of the rectification domain (整改), seed 003 §9 and seed 000 篇3:

open (a published finding: responsible unit and person, deadline, required evidence; handled at the
feedback meeting or raised to a meeting with minutes) → start → evidence → submit → verify by a
re-inspection (or reject back to in progress) → close. The jobs remind before and after the deadline and
escalate overdue ones up the org tree. Facts for the scoring engine are recorded per outlet and quarter.

Every service checks the role's right and the subtree, raises ApplicationError and changes nothing on bad
input, writes one event per step (`_event`) and sends mail only after commit (notifications.notify).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.accounts.access import require_perm, require_unit_in_scope
from youfu.accounts.models import User
from youfu.core.audit import acting_as
from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.facts.choices import BatchSource
from youfu.facts.services import FactValue, RecordResult, facts_record
from youfu.inspections.choices import COUNTING_STATUSES, InspectionStatus
from youfu.inspections.models import Finding, Inspection
from youfu.notifications.services import notify
from youfu.org.choices import PeriodKind
from youfu.org.models import Period, Person, Unit
from youfu.rectification import selectors
from youfu.rectification.choices import (
    ACTIVE_STATUSES,
    EventAction,
    Handling,
    RectificationStatus,
)
from youfu.rectification.models import Rectification, RectificationEvent, RectificationEvidence

# Evidence files: photos, scans and office documents of the fix, at most this size.
EVIDENCE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".heic", ".pdf", ".doc", ".docx", ".xls", ".xlsx"})
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

# Fact names for the scoring engine (per outlet, per quarter of the finding's check).
FACT_OPENED = "rectification_opened"
FACT_OVERDUE = "rectification_overdue"
FACT_OVERDUE_KEY = "rectification_overdue_key_items"
FACT_REPEAT = "repeat_after_rectification"
FACT_REPEAT_KEY = "repeat_after_rectification_key_items"


def remind_days_before() -> int:
    return int(getattr(settings, "RECTIFICATION_REMIND_DAYS", 3))


def escalation_step_days() -> int:
    return int(getattr(settings, "RECTIFICATION_ESCALATION_STEP_DAYS", 7))


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _event(rectification: Rectification, action: str, actor: Any, **params: Any) -> RectificationEvent:
    """The one place a step is recorded."""
    return RectificationEvent.objects.create(
        rectification=rectification,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        params={k: str(v) if isinstance(v, dt.date | Decimal) else v for k, v in params.items()},
    )


def _error(message: str, code: str, field: str | None = None) -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def _require_status(rectification: Rectification, *allowed: str) -> None:
    if rectification.status not in allowed:
        raise _error(
            _("This rectification is %(status)s: that step is not possible now.")
            % {"status": rectification.get_status_display()},
            code="invalid_status",
            field="status",
        )


def _lock(rectification: Rectification) -> Rectification:
    """Re-read the row FOR UPDATE: two people acting at once do not both move it."""
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related(
            "unit", "finding__item", "finding__inspection", "responsible_unit", "responsible_person"
        )
        .get(pk=rectification.pk)
    )


def _require_may_work(actor: Any, rectification: Rectification) -> None:
    """The outlet's side of the work: the role's right, and the outlet in the actor's subtree — or the
    actor is the responsible person."""
    require_perm(actor, "rectification.change_rectification")
    if rectification.responsible_person_id and getattr(actor, "person_id", None) == (
        rectification.responsible_person_id
    ):
        return
    require_unit_in_scope(actor, rectification.unit)


def _require_may_verify(actor: Any, rectification: Rectification, perm: str) -> None:
    require_perm(actor, perm)
    require_unit_in_scope(actor, rectification.unit)


def _url(rectification: Rectification) -> str:
    return reverse("rectification:detail", args=[rectification.pk])


def _title(rectification: Rectification, text: str) -> str:
    finding = rectification.finding
    return f"{text}: {rectification.unit.name} {finding.item.code} {finding.item.text}"[:200]


# --- Recipients -----------------------------------------------------------------------------------


def _users_with(unit: Unit, perm: str) -> list[Any]:
    return [u for u in User.objects.filter(unit=unit, is_active=True).order_by("pk") if u.has_perm(perm)]


def responsible_users(rectification: Rectification) -> list[Any]:
    """Who is reminded: the responsible person's logins and the outlet's heads (those who may work on it)."""
    users: list[Any] = []
    if rectification.responsible_person_id:
        users += list(User.objects.filter(person_id=rectification.responsible_person_id, is_active=True))
    users += _users_with(rectification.unit, "rectification.change_rectification")
    if rectification.responsible_unit_id != rectification.unit_id:
        users += _users_with(rectification.responsible_unit, "rectification.change_rectification")
    return users


def verifier_users(unit: Unit) -> list[Any]:
    """The service office of a unit (who verifies and is told of escalations)."""
    return _users_with(unit, "rectification.verify_rectification")


def _parent(unit: Unit) -> Unit | None:
    """The unit one level up (None at the top of the tree)."""
    if unit.depth <= 1:
        return None
    return Unit.objects.filter(path=unit.path[: -Unit.steplen]).first()


def _offices_above(unit: Unit) -> list[Any]:
    """The nearest service office at or above the outlet (whoever verifies its rectifications)."""
    node: Unit | None = unit
    while node is not None:
        users = verifier_users(node)
        if users:
            return users
        node = _parent(node)
    return []


# --- Open -----------------------------------------------------------------------------------------


@transaction.atomic
def rectification_open(
    *,
    actor: Any,
    finding: Finding,
    responsible_unit: Unit,
    deadline: dt.date,
    required_evidence: str,
    handling: str = Handling.FEEDBACK_MEETING,
    responsible_person: Person | None = None,
    today: dt.date | None = None,
    notify_people: bool = True,
) -> Rectification:
    """Open the rectification of a published finding."""
    require_perm(actor, "rectification.add_rectification")
    finding = Finding.objects.select_related("inspection__unit", "item", "repeat_of").get(pk=finding.pk)
    outlet = finding.inspection.unit
    require_unit_in_scope(actor, outlet, field="finding")
    require_unit_in_scope(actor, responsible_unit, field="responsible_unit")
    if finding.inspection.status not in (InspectionStatus.PUBLISHED, InspectionStatus.FINAL):
        raise _error(
            _("Only a finding of a published check can be rectified."), code="not_published", field="finding"
        )
    if finding.duplicate_of_id:
        raise _error(
            _("This finding is the same fault as finding #%(pk)s (another channel): rectify that one.")
            % {"pk": finding.duplicate_of_id},
            code="duplicate_finding",
            field="finding",
        )
    if Rectification.objects.filter(finding=finding).exists():
        raise _error(_("This finding already has a rectification."), code="exists", field="finding")
    errors = []
    if handling not in Handling.values:
        errors.append(_error(_("Choose how the problem is handled."), code="invalid", field="handling"))
    if deadline < _today(today):
        errors.append(
            _error(_("The deadline cannot be in the past."), code="deadline_in_past", field="deadline")
        )
    if not required_evidence.strip():
        errors.append(
            _error(_("Say what evidence proves the fix."), code="required", field="required_evidence")
        )
    if responsible_person is not None and (
        not responsible_person.is_active or not responsible_person.unit.path.startswith(responsible_unit.path)
    ):
        errors.append(
            _error(
                _("%(person)s does not work in %(unit)s.")
                % {"person": responsible_person.name, "unit": responsible_unit.name},
                code="person_not_in_unit",
                field="responsible_person",
            )
        )
    if errors:
        raise ApplicationError(
            errors[0].message,
            code=errors[0].code,
            field=errors[0].field,
            details=[e.details[0] for e in errors],
        )
    repeated = selectors.closed_rectification_repeated(finding)
    with acting_as(actor):
        rect = Rectification.objects.create(
            finding=finding,
            unit=outlet,
            responsible_unit=responsible_unit,
            responsible_person=responsible_person,
            deadline=deadline,
            required_evidence=required_evidence.strip(),
            handling=handling,
            repeat_of=repeated,
            opened_by=actor,
        )
    _event(
        rect,
        EventAction.OPENED,
        actor,
        deadline=deadline,
        handling=handling,
        responsible_unit=responsible_unit.code,
        responsible_person=responsible_person.employee_no if responsible_person else None,
        repeat_of=repeated.pk if repeated else None,
    )
    if notify_people:
        notify(
            recipients=responsible_users(rect),
            kind="rectification_opened",
            title=_title(rect, _("Rectification required")),
            body=_("Deadline %(deadline)s. Evidence required: %(evidence)s")
            % {"deadline": deadline.isoformat(), "evidence": rect.required_evidence},
            url=_url(rect),
        )
    record_facts(rect)
    return rect


# --- The outlet's work ----------------------------------------------------------------------------


@transaction.atomic
def rectification_start(*, actor: Any, rectification: Rectification, measures: str = "") -> Rectification:
    """The responsible unit starts work (open → in progress), optionally saying what it will do."""
    _require_may_work(actor, rectification)
    rect = _lock(rectification)
    _require_status(rect, RectificationStatus.OPEN)
    rect.status = RectificationStatus.IN_PROGRESS
    if measures.strip():
        rect.measures = measures.strip()
    with acting_as(actor):
        rect.save(update_fields=["status", "measures"])
    _event(rect, EventAction.STARTED, actor)
    return rect


def _store_file(
    rect: Rectification, *, actor: Any, upload: Any, note: str, is_minutes: bool
) -> RectificationEvidence:
    name = Path(getattr(upload, "name", "") or "").name
    ext = Path(name).suffix.lower()
    if ext not in EVIDENCE_EXTENSIONS:
        raise _error(
            _("Evidence is a photo, a PDF or an office document (%(types)s).")
            % {"types": ", ".join(sorted(EVIDENCE_EXTENSIONS))},
            code="invalid_file_type",
            field="file",
        )
    data = upload.read()
    if not data:
        raise _error(_("The file is empty."), code="empty_file", field="file")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise _error(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_EVIDENCE_BYTES // (1024 * 1024)},
            code="file_too_large",
            field="file",
        )
    evidence = RectificationEvidence(
        rectification=rect,
        original_name=name[:255],
        content_type=(getattr(upload, "content_type", "") or "")[:100],
        size=len(data),
        is_minutes=is_minutes,
        note=note.strip()[:255],
        uploaded_by=actor,
    )
    # The stored name never comes from the user.
    evidence.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(data), save=False)
    with acting_as(actor):
        evidence.save()
    return evidence


@transaction.atomic
def rectification_add_evidence(
    *, actor: Any, rectification: Rectification, upload: Any, note: str = ""
) -> RectificationEvidence:
    """Attach a file proving the fix, while the work is open or in progress."""
    _require_may_work(actor, rectification)
    rect = _lock(rectification)
    _require_status(rect, RectificationStatus.OPEN, RectificationStatus.IN_PROGRESS)
    evidence = _store_file(rect, actor=actor, upload=upload, note=note, is_minutes=False)
    _event(rect, EventAction.EVIDENCE, actor, file=evidence.original_name)
    return evidence


@transaction.atomic
def rectification_record_meeting(
    *,
    actor: Any,
    rectification: Rectification,
    meeting_date: dt.date,
    minutes: str,
    upload: Any = None,
    today: dt.date | None = None,
) -> Rectification:
    """A problem that cannot be solved at once is raised to a meeting (领导小组会议, 办公会议, 专题会议):
    record its date and minutes (and the scanned minutes)."""
    _require_may_work(actor, rectification)
    rect = _lock(rectification)
    _require_status(rect, RectificationStatus.OPEN, RectificationStatus.IN_PROGRESS)
    if rect.handling != Handling.MEETING:
        raise _error(
            _("This rectification is handled at the feedback meeting; it has no meeting minutes."),
            code="not_meeting",
            field="handling",
        )
    if meeting_date > _today(today):
        raise _error(
            _("The meeting date cannot be in the future."), code="date_in_future", field="meeting_date"
        )
    if not minutes.strip():
        raise _error(_("Write the meeting's minutes."), code="required", field="minutes")
    rect.meeting_date = meeting_date
    rect.meeting_minutes = minutes.strip()
    with acting_as(actor):
        rect.save(update_fields=["meeting_date", "meeting_minutes"])
    if upload is not None:
        _store_file(rect, actor=actor, upload=upload, note=_("Meeting minutes"), is_minutes=True)
    _event(rect, EventAction.MEETING, actor, meeting_date=meeting_date)
    return rect


@transaction.atomic
def rectification_submit(*, actor: Any, rectification: Rectification, measures: str) -> Rectification:
    """The responsible unit says it is fixed: what was done, with evidence (and minutes if it went to a
    meeting); the service office is asked to re-inspect."""
    _require_may_work(actor, rectification)
    rect = _lock(rectification)
    _require_status(rect, RectificationStatus.OPEN, RectificationStatus.IN_PROGRESS)
    if not measures.strip():
        raise _error(_("Say what was done."), code="required", field="measures")
    if not rect.evidence.exists():
        raise _error(
            _("Attach the evidence first (%(required)s).") % {"required": rect.required_evidence},
            code="no_evidence",
            field="file",
        )
    if rect.handling == Handling.MEETING and not rect.meeting_minutes:
        raise _error(
            _("This problem was raised to a meeting: record its minutes first."),
            code="no_minutes",
            field="minutes",
        )
    rect.measures = measures.strip()
    rect.status = RectificationStatus.SUBMITTED
    rect.submitted_at = timezone.now()
    with acting_as(actor):
        rect.save(update_fields=["measures", "status", "submitted_at"])
    _event(rect, EventAction.SUBMITTED, actor)
    notify(
        recipients=_offices_above(rect.unit),
        kind="rectification_submitted",
        title=_title(rect, _("Rectification submitted for re-inspection")),
        body=rect.measures,
        url=_url(rect),
    )
    return rect


# --- The service office's side ----------------------------------------------------------------------


def _check_reinspection(rect: Rectification, inspection: Inspection, submitted_on: dt.date) -> None:
    item = rect.finding.item
    if inspection.unit_id != rect.unit_id:
        raise _error(
            _("The re-inspection must be a check of %(unit)s.") % {"unit": rect.unit.name},
            code="reinspection_other_unit",
            field="reinspection",
        )
    if inspection.status not in COUNTING_STATUSES:
        raise _error(
            _("The re-inspection must be an approved check."),
            code="reinspection_not_approved",
            field="reinspection",
        )
    if inspection.date < submitted_on:
        raise _error(
            _("The re-inspection must be dated on or after the submission (%(date)s).")
            % {"date": submitted_on.isoformat()},
            code="reinspection_too_early",
            field="reinspection",
        )
    if inspection.findings.filter(
        item__version__standard_id=item.version.standard_id, item__code=item.code
    ).exists():
        raise _error(
            _("The re-inspection found the same problem again: reject the rectification instead."),
            code="reinspection_failed",
            field="reinspection",
        )


@transaction.atomic
def rectification_verify(
    *,
    actor: Any,
    rectification: Rectification,
    note: str = "",
    reinspection: Inspection | None = None,
    reinspected_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Rectification:
    """The service office re-inspects (再检查): either a later check of the outlet that no longer finds the
    problem, or an on-site re-check on a date with a note. Never by the person who submitted it."""
    _require_may_verify(actor, rectification, "rectification.verify_rectification")
    rect = _lock(rectification)
    _require_status(rect, RectificationStatus.SUBMITTED)
    submitter = rect.events.filter(action=EventAction.SUBMITTED).order_by("-at", "-id").first()
    if submitter is not None and submitter.actor_id == actor.pk:
        raise PermissionDeniedError(_("Whoever submitted the rectification cannot verify it."))
    assert rect.submitted_at is not None
    submitted_on = timezone.localtime(rect.submitted_at).date()
    if reinspection is not None:
        _check_reinspection(rect, reinspection, submitted_on)
        reinspected_on = reinspection.date
    else:
        if reinspected_on is None:
            raise _error(
                _("Give the re-inspection: a later check, or the date of the on-site re-check."),
                code="no_reinspection",
                field="reinspected_on",
            )
        if reinspected_on > _today(today) or reinspected_on < submitted_on:
            raise _error(
                _("The re-check date is between the submission (%(date)s) and today.")
                % {"date": submitted_on.isoformat()},
                code="invalid_date",
                field="reinspected_on",
            )
        if not note.strip():
            raise _error(_("Say what the re-check found."), code="required", field="note")
    rect.status = RectificationStatus.VERIFIED
    rect.verified_by = actor
    rect.verified_at = timezone.now()
    rect.reinspection = reinspection
    rect.reinspected_on = reinspected_on
    rect.verification_note = note.strip()
    with acting_as(actor):
        rect.save(
            update_fields=[
                "status",
                "verified_by",
                "verified_at",
                "reinspection",
                "reinspected_on",
                "verification_note",
            ]
        )
    _event(
        rect,
        EventAction.VERIFIED,
        actor,
        reinspection=reinspection.pk if reinspection else None,
        reinspected_on=reinspected_on,
    )
    return rect


@transaction.atomic
def rectification_reject(*, actor: Any, rectification: Rectification, reason: str) -> Rectification:
    """The re-inspection is not satisfied: back to in progress, with the reason (the deadline stands)."""
    _require_may_verify(actor, rectification, "rectification.verify_rectification")
    rect = _lock(rectification)
    _require_status(rect, RectificationStatus.SUBMITTED)
    if not reason.strip():
        raise _error(_("Say why the rectification is rejected."), code="required", field="reason")
    rect.status = RectificationStatus.IN_PROGRESS
    rect.submitted_at = None
    with acting_as(actor):
        rect.save(update_fields=["status", "submitted_at"])
    _event(rect, EventAction.REJECTED, actor, reason=reason.strip())
    notify(
        recipients=responsible_users(rect),
        kind="rectification_rejected",
        title=_title(rect, _("Rectification rejected")),
        body=reason.strip(),
        url=_url(rect),
    )
    return rect


@transaction.atomic
def rectification_close(*, actor: Any, rectification: Rectification) -> Rectification:
    """Close a rectification: only once a re-inspection verified it, and only with evidence."""
    _require_may_verify(actor, rectification, "rectification.close_rectification")
    rect = _lock(rectification)
    if rect.status != RectificationStatus.VERIFIED:
        raise _error(
            _("A rectification is closed only after a re-inspection has verified it."),
            code="not_verified",
            field="status",
        )
    if not rect.evidence.exists():
        raise _error(_("A rectification is never closed without evidence."), code="no_evidence", field="file")
    rect.status = RectificationStatus.CLOSED
    rect.closed_by = actor
    rect.closed_at = timezone.now()
    with acting_as(actor):
        rect.save(update_fields=["status", "closed_by", "closed_at"])
    _event(rect, EventAction.CLOSED, actor)
    notify(
        recipients=responsible_users(rect),
        kind="rectification_closed",
        title=_title(rect, _("Rectification closed")),
        url=_url(rect),
        email=False,
    )
    return rect


@transaction.atomic
def rectification_resolve_at_meeting(
    *,
    actor: Any,
    rectification: Rectification,
    measures: str,
    note: str,
    upload: Any = None,
    today: dt.date | None = None,
) -> Rectification:
    """反馈会当场整改: a general problem fixed at the inspection's feedback meeting — what was done, the
    evidence (a photo), and the inspector's on-the-spot re-check — is submitted, verified and closed at once
    by the service office."""
    require_perm(actor, "rectification.verify_rectification")
    require_perm(actor, "rectification.close_rectification")
    require_unit_in_scope(actor, rectification.unit)
    rect = _lock(rectification)
    _require_status(rect, *ACTIVE_STATUSES)
    if rect.handling != Handling.FEEDBACK_MEETING:
        raise _error(
            _("This problem was raised to a meeting: it goes through submission and re-inspection."),
            code="not_feedback_meeting",
            field="handling",
        )
    if not measures.strip():
        raise _error(_("Say what was done."), code="required", field="measures")
    if not note.strip():
        raise _error(_("Say what the re-check found."), code="required", field="note")
    if upload is not None:
        _store_file(rect, actor=actor, upload=upload, note=_("At the feedback meeting"), is_minutes=False)
    if not rect.evidence.exists():
        raise _error(_("A rectification is never closed without evidence."), code="no_evidence", field="file")
    now = timezone.now()
    rect.measures = measures.strip()
    rect.status = RectificationStatus.CLOSED
    rect.submitted_at = rect.verified_at = rect.closed_at = now
    rect.verified_by = rect.closed_by = actor
    rect.reinspected_on = _today(today)
    rect.verification_note = note.strip()
    with acting_as(actor):
        rect.save()
    _event(rect, EventAction.SUBMITTED, actor, at_feedback_meeting=True)
    _event(rect, EventAction.VERIFIED, actor, reinspected_on=rect.reinspected_on, at_feedback_meeting=True)
    _event(rect, EventAction.CLOSED, actor, at_feedback_meeting=True)
    return rect


# --- Jobs: reminders and escalation ----------------------------------------------------------------


@dataclass(frozen=True)
class JobResult:
    reminded_before: int = 0
    reminded_overdue: int = 0
    escalated: int = 0

    def as_dict(self) -> dict[str, int]:
        return self.__dict__.copy()


def _active() -> Iterable[Rectification]:
    return (
        Rectification.objects.filter(status__in=ACTIVE_STATUSES)
        .select_related("unit", "finding__item", "finding__inspection", "responsible_unit", "escalated_to")
        .order_by("deadline", "pk")
    )


@transaction.atomic
def rectifications_remind(*, now: dt.datetime | None = None) -> JobResult:
    """Remind the responsible person and the outlet's heads (in-app and e-mail) once when the deadline is
    `RECTIFICATION_REMIND_DAYS` (3) days away or nearer, and once when it has passed. Safe to run twice."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    before = overdue = 0
    window = dt.timedelta(days=remind_days_before())
    for rect in _active():
        if today > rect.deadline:
            if rect.reminded_overdue_at is not None:
                continue
            Rectification.objects.filter(pk=rect.pk).update(reminded_overdue_at=now, was_overdue=True)
            notify(
                recipients=responsible_users(rect),
                kind="rectification_overdue",
                title=_title(rect, _("Rectification overdue")),
                body=_("The deadline was %(deadline)s.") % {"deadline": rect.deadline.isoformat()},
                url=_url(rect),
            )
            _event(rect, EventAction.REMINDED, None, overdue=True)
            if not rect.was_overdue:
                rect.was_overdue = True
                _event(rect, EventAction.OVERDUE, None, deadline=rect.deadline)
                record_facts(rect)
            overdue += 1
        elif rect.deadline - window <= today and rect.reminded_before_at is None:
            Rectification.objects.filter(pk=rect.pk).update(reminded_before_at=now)
            notify(
                recipients=responsible_users(rect),
                kind="rectification_due",
                title=_title(rect, _("Rectification due soon")),
                body=_("The deadline is %(deadline)s (%(days)d days).")
                % {"deadline": rect.deadline.isoformat(), "days": (rect.deadline - today).days},
                url=_url(rect),
            )
            _event(rect, EventAction.REMINDED, None, overdue=False)
            before += 1
    return JobResult(reminded_before=before, reminded_overdue=overdue)


def due_escalation_level(days_overdue: int) -> int:
    """Level 1 the first day past the deadline, one more each further `RECTIFICATION_ESCALATION_STEP_DAYS`
    (7) days overdue."""
    if days_overdue <= 0:
        return 0
    return 1 + (days_overdue - 1) // escalation_step_days()


def _ancestor(unit: Unit, levels: int) -> Unit | None:
    node: Unit | None = unit
    for _step in range(levels):
        if node is None:
            return None
        node = _parent(node)
    return node


@transaction.atomic
def rectifications_escalate(*, now: dt.datetime | None = None) -> JobResult:
    """Escalate each overdue rectification to the next unit up (逐级上报): level 1 the outlet's parent
    (the sub-branch), level 2 its parent (the branch) …, up to the top of the tree; the service office of
    the unit it reaches is notified. Safe to run twice (a level is reached once)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    escalated = 0
    for rect in _active():
        days = (today - rect.deadline).days
        level = due_escalation_level(days)
        if level <= rect.escalation_level:
            continue
        target = _ancestor(rect.unit, level)
        while target is None and level > rect.escalation_level + 1:
            level -= 1  # the top of the tree: stop there
            target = _ancestor(rect.unit, level)
        if target is None or level <= rect.escalation_level:
            continue
        first_time = not rect.was_overdue
        Rectification.objects.filter(pk=rect.pk).update(
            escalation_level=level, escalated_to=target, escalated_at=now, was_overdue=True
        )
        rect.escalation_level, rect.escalated_to, rect.was_overdue = level, target, True
        _event(rect, EventAction.ESCALATED, None, level=level, to=target.code, days_overdue=days)
        notify(
            recipients=verifier_users(target),
            kind="rectification_escalated",
            title=_title(rect, _("Overdue rectification escalated to %(unit)s") % {"unit": target.name}),
            body=_("%(days)d days past the deadline %(deadline)s; escalation level %(level)d.")
            % {"days": days, "deadline": rect.deadline.isoformat(), "level": level},
            url=_url(rect),
        )
        if first_time:
            _event(rect, EventAction.OVERDUE, None, deadline=rect.deadline)
            record_facts(rect)
        escalated += 1
    return JobResult(escalated=escalated)


def reminders_job(now: dt.datetime) -> dict[str, Any]:
    return rectifications_remind(now=now).as_dict()


def escalation_job(now: dt.datetime) -> dict[str, Any]:
    return rectifications_escalate(now=now).as_dict()


# --- Facts for the scoring engine ------------------------------------------------------------------


def quarter_of(date: dt.date) -> Period | None:
    return Period.objects.filter(kind=PeriodKind.QUARTER, start__lte=date, end__gte=date).first()


def record_facts(rect: Rectification) -> RecordResult | None:
    """Record (or update) the outlet's rectification facts for the quarter of the finding's check."""
    inspection = rect.finding.inspection
    period = quarter_of(inspection.date)
    if period is None:
        return None
    counts = selectors.outlet_quarter_counts(unit=rect.unit, start=period.start, end=period.end)
    note = (
        _("Rectifications of %(unit)s (/rectification/outlets/%(pk)s/)")
        % {"unit": rect.unit.code, "pk": rect.unit.pk}
    )[:255]
    values = [
        FactValue(subject=rect.unit, name=name, value=Decimal(counts[name]), note=note)
        for name in (FACT_OPENED, FACT_OVERDUE, FACT_OVERDUE_KEY, FACT_REPEAT, FACT_REPEAT_KEY)
    ]
    try:
        result = facts_record(
            actor=None,
            period=period,
            values=values,
            source=BatchSource.MANUAL,
            note=(
                _("Rectifications of %(unit)s, %(period)s") % {"unit": rect.unit.name, "period": period.code}
            )[:255],
        )
    except ApplicationError as exc:  # the period is published in the ledger: its facts are final
        _event(rect, EventAction.FACTS, None, skipped=exc.code, period=period.code)
        return None
    if result.created or result.changed:
        _event(
            rect, EventAction.FACTS, None, period=period.code, created=result.created, changed=result.changed
        )
    return result
