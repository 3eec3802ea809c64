"""The rectification part of `youfu demo`: every released check of the demo year gets its first finding
rectified. The first three quarters' are closed — most through submission, re-inspection and closure (a
few rejected once first), some fixed at the feedback meeting — with their dates set back to the year; the
fourth quarter's are in every state: open and in progress with a deadline ahead, submitted, verified,
raised to a meeting with minutes, and overdue (then escalated by the job, as `youfu tick` would). The
outlet head `wangdian` has an open one to take through on the web and an overdue, escalated one.

Deterministic (seeded random); runs after the inspections part.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auditlog.context import disable_auditlog
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.accounts.models import User
from youfu.facts.demo import demo_year
from youfu.inspections.choices import InspectionStatus
from youfu.inspections.models import Finding
from youfu.notifications.models import Notice
from youfu.rectification import services
from youfu.rectification.choices import Handling, RectificationStatus
from youfu.rectification.models import Rectification, RectificationEvent, RectificationEvidence

STEPS = 1
Progress = Callable[[str], None]


@dataclass(frozen=True)
class RectificationDemoSummary:
    rectifications: int
    closed: int
    overdue: int
    escalated: int

    def __str__(self) -> str:
        return (
            _(
                "Rectification: %(rectifications)d rectifications, %(closed)d closed, %(overdue)d overdue "
                "(%(escalated)d escalated)."
            )
            % self.__dict__
        )


class _Upload(io.BytesIO):
    def __init__(self, name: str) -> None:
        data = b"%PDF-1.4\n% youfu demo evidence\n"
        super().__init__(data)
        self.name, self.size, self.content_type = name, len(data), "application/pdf"


def demo_rectification_exists() -> bool:
    return Rectification.objects.exists()


def demo_rectification_delete() -> int:
    Notice.objects.filter(kind__startswith="rectification_").delete()
    for evidence in RectificationEvidence.objects.all():
        if evidence.file.name:
            evidence.file.storage.delete(evidence.file.name)
    RectificationEvent.objects.all().delete()
    count = Rectification.objects.count()
    Rectification.objects.filter(repeat_of__isnull=False).update(repeat_of=None)
    Rectification.objects.all().delete()
    return count


@transaction.atomic
def demo_rectification_create(
    *, seed: int = 2026, progress: Progress | None = None
) -> RectificationDemoSummary:
    with disable_auditlog():
        return _create(seed=seed, progress=progress)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _backdate(rect: Rectification, opened: dt.date, done: dt.date) -> None:
    """Demo history happened in the demo year: put its times there (the services stamp 'now')."""
    fields: dict[str, Any] = {"opened_at": _at(opened)}
    if rect.submitted_at:
        fields["submitted_at"] = _at(done, 9)
    if rect.verified_at:
        fields["verified_at"] = _at(done, 15)
        fields["reinspected_on"] = done
    if rect.closed_at:
        fields["closed_at"] = _at(done, 16)
    Rectification.objects.filter(pk=rect.pk).update(**fields)
    rect.events.filter(action__in=["opened", "facts"]).update(at=_at(opened))
    rect.events.exclude(action__in=["opened", "facts"]).update(at=_at(done, 12))


def _create(*, seed: int, progress: Progress | None) -> RectificationDemoSummary:
    step = progress or (lambda _label: None)
    step(_("Rectification: findings followed up"))
    rng = random.Random(seed * 7 + 3)
    year = demo_year()
    office = User.objects.filter(username="fuwuban").first()
    inspector = User.objects.filter(username="jiancha").first()
    outlet_head = User.objects.filter(username="wangdian").first()
    if office is None or inspector is None:
        return RectificationDemoSummary(0, 0, 0, 0)
    today = timezone.localdate()
    findings = list(
        Finding.objects.filter(
            inspection__date__year=year,
            inspection__status__in=[InspectionStatus.PUBLISHED, InspectionStatus.FINAL],
            duplicate_of__isnull=True,
        )
        .select_related("inspection__unit", "item")
        .order_by("inspection__date", "inspection_id", "item__order", "id")
    )
    q4 = dt.date(year, 10, 1)
    heads_outlet = outlet_head.unit_id if outlet_head is not None else None
    # The first finding of each check; every fourth-quarter finding of the outlet head's outlet.
    first_of: dict[int, Finding] = {}
    chosen = []
    for finding in findings:
        own_q4 = finding.inspection.unit_id == heads_outlet and finding.inspection.date >= q4
        if own_q4 or finding.inspection_id not in first_of:
            first_of.setdefault(finding.inspection_id, finding)
            chosen.append(finding)
    own_cycle = 0
    for number, finding in enumerate(chosen):
        day = finding.inspection.date
        outlet = finding.inspection.unit
        own = heads_outlet is not None and outlet.pk == heads_outlet
        worker = outlet_head if own and outlet_head is not None else office
        meeting = rng.random() < 0.15
        if day < q4:
            rect = services.rectification_open(
                actor=office,
                finding=finding,
                responsible_unit=outlet,
                deadline=day + dt.timedelta(days=14),
                required_evidence=_("Photo of the fixed item and the staff briefing record."),
                handling=Handling.MEETING if meeting else Handling.FEEDBACK_MEETING,
                today=day,
                notify_people=False,
            )
            done = day + dt.timedelta(days=rng.randint(3, 13))
            if not meeting and rng.random() < 0.3:
                services.rectification_resolve_at_meeting(
                    actor=office,
                    rectification=rect,
                    measures=_("Fixed in front of the inspector at the feedback meeting."),
                    note=_("Checked on the spot: fixed."),
                    upload=_Upload(f"feedback-{number}.pdf"),
                    today=today,
                )
                _backdate(rect, day, day)
                continue
            _work(rect, worker, meeting=meeting, number=number, meeting_day=day + dt.timedelta(days=2))
            if rng.random() < 0.1:
                services.rectification_reject(
                    actor=inspector, rectification=rect, reason=_("The photo does not show the item.")
                )
                services.rectification_submit(
                    actor=worker, rectification=rect, measures=_("Fixed; a clearer photo is attached.")
                )
            services.rectification_verify(
                actor=inspector,
                rectification=rect,
                reinspected_on=today,
                note=_("Re-checked on site: fixed."),
            )
            services.rectification_close(actor=office, rectification=rect)
            rect.refresh_from_db()
            _backdate(rect, day, done)
            continue
        # The fourth quarter: every state. The outlet head's outlet gets an open one and an overdue one.
        if own:
            state = ("open", "overdue", "in_progress", "submitted")[own_cycle % 4]
            own_cycle += 1
        else:
            state = ("overdue", "open", "in_progress", "submitted", "verified", "overdue", "closed")[
                number % 7
            ]
        if state == "overdue":
            deadline = today - dt.timedelta(days=rng.choice((2, 5, 10, 16, 24)))
        elif state in ("open", "in_progress"):
            deadline = today + dt.timedelta(days=rng.choice((2, 6, 12, 20)))
        else:
            deadline = today + dt.timedelta(days=7)
        rect = services.rectification_open(
            actor=office,
            finding=finding,
            responsible_unit=outlet,
            responsible_person=next(iter(finding.people.all()), None),
            deadline=deadline,
            required_evidence=_("Photo of the fixed item and the staff briefing record."),
            handling=Handling.MEETING if meeting else Handling.FEEDBACK_MEETING,
            today=day,
            notify_people=state in ("open", "overdue"),
        )
        if state == "open":
            continue
        if state == "overdue":
            if rng.random() < 0.5:
                services.rectification_start(actor=worker, rectification=rect)
            continue
        if state == "in_progress":
            services.rectification_start(
                actor=worker,
                rectification=rect,
                measures=_("Ordered a new sign; staff briefed at the morning meeting."),
            )
            continue
        _work(rect, worker, meeting=meeting, number=number, meeting_day=day + dt.timedelta(days=2))
        if state in ("verified", "closed"):
            services.rectification_verify(
                actor=inspector,
                rectification=rect,
                reinspected_on=today,
                note=_("Re-checked on site: fixed."),
            )
        if state == "closed":
            services.rectification_close(actor=office, rectification=rect)
    step_now = timezone.now()
    services.rectifications_remind(now=step_now)
    escalated = services.rectifications_escalate(now=step_now).escalated
    # Notices of what was dealt with long ago have been read.
    closed_urls = [
        reverse("rectification:detail", args=[pk])
        for pk in Rectification.objects.filter(status=RectificationStatus.CLOSED).values_list("pk", flat=True)
    ]
    Notice.objects.filter(url__in=closed_urls, read_at__isnull=True).update(read_at=step_now)
    rows = Rectification.objects.all()
    return RectificationDemoSummary(
        rectifications=rows.count(),
        closed=rows.filter(status=RectificationStatus.CLOSED).count(),
        overdue=rows.filter(status__in=["open", "in_progress"], deadline__lt=today).count(),
        escalated=escalated,
    )


def _work(rect: Rectification, worker: Any, *, meeting: bool, number: int, meeting_day: dt.date) -> None:
    services.rectification_start(actor=worker, rectification=rect)
    if meeting:
        services.rectification_record_meeting(
            actor=worker,
            rectification=rect,
            meeting_date=meeting_day,
            minutes=_(
                "Service quality working group: the sign is replaced by the sub-branch; staff retrained."
            ),
            upload=_Upload(f"minutes-{number}.pdf"),
        )
    services.rectification_add_evidence(
        actor=worker, rectification=rect, upload=_Upload(f"evidence-{number}.pdf")
    )
    services.rectification_submit(
        actor=worker, rectification=rect, measures=_("Fixed and staff briefed; photos attached.")
    )
