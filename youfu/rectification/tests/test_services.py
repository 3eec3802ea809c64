"""The state machine, bad input (nothing changed), escalation, reminders, repeats and facts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.facts.models import Fact
from youfu.notifications.models import Notice
from youfu.rectification import services
from youfu.rectification.choices import EventAction, Handling, RectificationStatus
from youfu.rectification.models import Rectification
from youfu.rectification.tests.conftest import TODAY, Upload, checked, opened

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _submitted(outlet_head: Any, finding: Any, bank: Any) -> Rectification:
    rect = opened(outlet_head, finding, bank.o1a)
    services.rectification_start(actor=outlet_head, rectification=rect)
    services.rectification_add_evidence(actor=outlet_head, rectification=rect, upload=Upload())
    return services.rectification_submit(actor=outlet_head, rectification=rect, measures="店招已清洗")


def test_full_cycle_open_to_closed(outlet_head: Any, s1_office: Any, finding: Any, bank: Any) -> None:
    rect = _submitted(outlet_head, finding, bank)
    assert rect.status == RectificationStatus.SUBMITTED
    rect = services.rectification_verify(
        actor=s1_office,
        rectification=rect,
        reinspected_on=timezone.localdate(),
        note="复查合格",
    )
    assert rect.status == RectificationStatus.VERIFIED
    rect = services.rectification_close(actor=s1_office, rectification=rect)
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.CLOSED
    assert rect.closed_by == s1_office
    assert list(rect.events.values_list("action", flat=True)) == [
        EventAction.OPENED,
        EventAction.FACTS,
        EventAction.STARTED,
        EventAction.EVIDENCE,
        EventAction.SUBMITTED,
        EventAction.VERIFIED,
        EventAction.CLOSED,
    ]
    # The service office was told of the submission.
    assert Notice.objects.filter(recipient=s1_office, kind="rectification_submitted").count() == 1


def test_reject_goes_back_to_in_progress(outlet_head: Any, s1_office: Any, finding: Any, bank: Any) -> None:
    rect = _submitted(outlet_head, finding, bank)
    rect = services.rectification_reject(actor=s1_office, rectification=rect, reason="照片不清晰")
    assert rect.status == RectificationStatus.IN_PROGRESS
    assert rect.submitted_at is None
    assert Notice.objects.filter(recipient=outlet_head, kind="rectification_rejected").count() == 1


def test_deadline_in_the_past_is_refused(outlet_head: Any, finding: Any, bank: Any) -> None:
    with pytest.raises(ApplicationError) as exc:
        opened(outlet_head, finding, bank.o1a, deadline=TODAY - dt.timedelta(days=1))
    assert exc.value.code == "deadline_in_past"
    assert Rectification.objects.count() == 0


def test_submit_without_evidence_is_refused(outlet_head: Any, finding: Any, bank: Any) -> None:
    rect = opened(outlet_head, finding, bank.o1a)
    with pytest.raises(ApplicationError) as exc:
        services.rectification_submit(actor=outlet_head, rectification=rect, measures="done")
    assert exc.value.code == "no_evidence"
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.OPEN


def test_close_without_verification_is_refused(
    outlet_head: Any, s1_office: Any, finding: Any, bank: Any
) -> None:
    rect = _submitted(outlet_head, finding, bank)
    with pytest.raises(ApplicationError) as exc:
        services.rectification_close(actor=s1_office, rectification=rect)
    assert exc.value.code == "not_verified"
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.SUBMITTED
    assert rect.closed_at is None


def test_close_without_evidence_is_refused(outlet_head: Any, s1_office: Any, finding: Any, bank: Any) -> None:
    rect = _submitted(outlet_head, finding, bank)
    services.rectification_verify(
        actor=s1_office, rectification=rect, reinspected_on=timezone.localdate(), note="ok"
    )
    rect.evidence.all().delete()
    with pytest.raises(ApplicationError) as exc:
        services.rectification_close(actor=s1_office, rectification=rect)
    assert exc.value.code == "no_evidence"
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.VERIFIED


def test_verify_needs_a_reinspection_and_never_by_the_submitter(
    outlet_head: Any, s1_office: Any, finding: Any, bank: Any
) -> None:
    rect = _submitted(outlet_head, finding, bank)
    with pytest.raises(ApplicationError) as exc:
        services.rectification_verify(actor=s1_office, rectification=rect)
    assert exc.value.code == "no_reinspection"
    with pytest.raises(PermissionDeniedError):
        services.rectification_verify(
            actor=outlet_head, rectification=rect, reinspected_on=timezone.localdate(), note="x"
        )
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.SUBMITTED


def test_reinspection_check_that_finds_the_same_problem_is_refused(
    outlet_head: Any, s1_office: Any, inspector: Any, finding: Any, bank: Any, version: Any
) -> None:
    rect = _submitted(outlet_head, finding, bank)
    today = timezone.localdate()
    again = checked(
        inspector=inspector, approver=s1_office, unit=bank.o1a, version=version, values={"A1": 1}, date=today
    )
    with pytest.raises(ApplicationError) as exc:
        services.rectification_verify(actor=s1_office, rectification=rect, reinspection=again)
    assert exc.value.code == "reinspection_failed"
    clean = checked(
        inspector=inspector,
        approver=s1_office,
        unit=bank.o1a,
        version=version,
        values={},
        date=today,
        kind="on_site",
    )
    rect = services.rectification_verify(actor=s1_office, rectification=rect, reinspection=clean)
    assert rect.status == RectificationStatus.VERIFIED
    assert rect.reinspection == clean


def test_meeting_handling_needs_minutes_before_submission(outlet_head: Any, finding: Any, bank: Any) -> None:
    rect = opened(outlet_head, finding, bank.o1a, handling=Handling.MEETING)
    services.rectification_add_evidence(actor=outlet_head, rectification=rect, upload=Upload())
    with pytest.raises(ApplicationError) as exc:
        services.rectification_submit(actor=outlet_head, rectification=rect, measures="x")
    assert exc.value.code == "no_minutes"
    services.rectification_record_meeting(
        actor=outlet_head,
        rectification=rect,
        meeting_date=timezone.localdate(),
        minutes="专题会议研究: 更换店招",
        upload=Upload(name="minutes.pdf"),
    )
    rect = services.rectification_submit(actor=outlet_head, rectification=rect, measures="x")
    assert rect.status == RectificationStatus.SUBMITTED
    assert rect.evidence.filter(is_minutes=True).count() == 1


def test_resolved_at_the_feedback_meeting(s1_office: Any, finding: Any, bank: Any) -> None:
    rect = opened(s1_office, finding, bank.o1a, deadline=TODAY)
    rect = services.rectification_resolve_at_meeting(
        actor=s1_office, rectification=rect, measures="当场擦拭", note="复查合格", upload=Upload(name="p.jpg")
    )
    assert rect.status == RectificationStatus.CLOSED
    assert rect.verified_by == s1_office


def test_evidence_file_type_is_checked(outlet_head: Any, finding: Any, bank: Any) -> None:
    rect = opened(outlet_head, finding, bank.o1a)
    with pytest.raises(ApplicationError) as exc:
        services.rectification_add_evidence(
            actor=outlet_head, rectification=rect, upload=Upload(b"MZ", "x.exe")
        )
    assert exc.value.code == "invalid_file_type"
    assert rect.evidence.count() == 0


def test_outsider_cannot_open_or_act(outsider: Any, outlet_head: Any, finding: Any, bank: Any) -> None:
    with pytest.raises(PermissionDeniedError):
        opened(outsider, finding, bank.o2a)
    rect = opened(outlet_head, finding, bank.o1a)
    with pytest.raises(PermissionDeniedError):
        services.rectification_start(actor=outsider, rectification=rect)
    with pytest.raises(PermissionDeniedError):
        services.rectification_close(actor=outsider, rectification=rect)
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.OPEN


def test_responsible_unit_outside_subtree_is_refused(outlet_head: Any, finding: Any, bank: Any) -> None:
    with pytest.raises(PermissionDeniedError):
        opened(outlet_head, finding, bank.o1b)
    assert Rectification.objects.count() == 0


def test_reminders_before_and_after_the_deadline(
    outlet_head: Any, finding: Any, bank: Any, django_capture_on_commit_callbacks: Any
) -> None:
    outlet_head.email = "head@example.com"
    outlet_head.save()
    rect = opened(outlet_head, finding, bank.o1a, deadline=dt.date(2025, 6, 1), notify_people=False)
    assert services.rectifications_remind(now=_at(dt.date(2025, 5, 25))).as_dict() == {
        "reminded_before": 0,
        "reminded_overdue": 0,
        "escalated": 0,
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert services.rectifications_remind(now=_at(dt.date(2025, 5, 29))).reminded_before == 1
    assert services.rectifications_remind(now=_at(dt.date(2025, 5, 30))).reminded_before == 0  # once
    assert [m.to for m in mail.outbox] == [["head@example.com"]]
    result = services.rectifications_remind(now=_at(dt.date(2025, 6, 2)))
    assert result.reminded_overdue == 1
    assert services.rectifications_remind(now=_at(dt.date(2025, 6, 3))).reminded_overdue == 0
    kinds = list(Notice.objects.filter(recipient=outlet_head).values_list("kind", flat=True).order_by("pk"))
    assert kinds == ["rectification_due", "rectification_overdue"]
    rect.refresh_from_db()
    assert rect.was_overdue


def test_overdue_escalates_level_by_level(
    outlet_head: Any, s1_office: Any, branch_office: Any, finding: Any, bank: Any
) -> None:
    rect = opened(outlet_head, finding, bank.o1a, deadline=dt.date(2025, 6, 1), notify_people=False)
    assert services.rectifications_escalate(now=_at(dt.date(2025, 6, 1))).escalated == 0
    assert services.rectifications_escalate(now=_at(dt.date(2025, 6, 2))).escalated == 1
    rect.refresh_from_db()
    assert (rect.escalation_level, rect.escalated_to) == (1, bank.s1)
    assert Notice.objects.filter(recipient=s1_office, kind="rectification_escalated").count() == 1
    assert services.rectifications_escalate(now=_at(dt.date(2025, 6, 5))).escalated == 0  # safe twice
    assert services.rectifications_escalate(now=_at(dt.date(2025, 6, 9))).escalated == 1  # 8 days: level 2
    rect.refresh_from_db()
    assert (rect.escalation_level, rect.escalated_to) == (2, bank.branch)
    assert Notice.objects.filter(recipient=branch_office, kind="rectification_escalated").count() == 1
    services.rectifications_escalate(now=_at(dt.date(2025, 7, 30)))  # far overdue: stops at the top
    rect.refresh_from_db()
    assert (rect.escalation_level, rect.escalated_to) == (3, bank.head_office)


def test_submitted_rectification_does_not_escalate(outlet_head: Any, finding: Any, bank: Any) -> None:
    rect = _submitted(outlet_head, finding, bank)
    services.rectifications_escalate(now=_at(dt.date(2025, 7, 1)))
    rect.refresh_from_db()
    assert rect.escalation_level == 0


def test_overdue_facts_per_outlet_and_quarter(outlet_head: Any, key_finding: Any, bank: Any) -> None:
    opened(outlet_head, key_finding, bank.o1a, deadline=dt.date(2025, 6, 1), notify_people=False)
    services.rectifications_escalate(now=_at(dt.date(2025, 6, 2)))
    facts = dict(
        Fact.objects.filter(
            unit=bank.o1a, period__code="2025Q2", name__startswith="rectification_", is_current=True
        ).values_list("name", "value_number")
    )
    assert facts["rectification_opened"] == 1
    assert facts["rectification_overdue"] == 1
    assert facts["rectification_overdue_key_items"] == 1


def test_repeat_after_closed_rectification_is_flagged(
    outlet_head: Any, s1_office: Any, inspector: Any, finding: Any, bank: Any, version: Any
) -> None:
    rect = opened(s1_office, finding, bank.o1a, deadline=TODAY)
    services.rectification_resolve_at_meeting(
        actor=s1_office, rectification=rect, measures="当场擦拭", note="复查合格", upload=Upload(name="p.jpg")
    )
    # Closed on 20 May 2025; the same item is found again on 16 June (inside the 90-day repeat window).
    Rectification.objects.filter(pk=rect.pk).update(closed_at=_at(dt.date(2025, 5, 20)))
    later = dt.date(2025, 6, 16)
    again = checked(
        inspector=inspector, approver=s1_office, unit=bank.o1a, version=version, values={"A1": 1}, date=later
    )
    repeat = again.findings.get(item__code="A1")
    assert repeat.is_repeat
    second = services.rectification_open(
        actor=outlet_head,
        finding=repeat,
        responsible_unit=bank.o1a,
        deadline=later + dt.timedelta(days=5),
        required_evidence="照片",
        today=later,
    )
    assert second.repeat_of == rect
    facts = dict(
        Fact.objects.filter(unit=bank.o1a, period__code="2025Q2", is_current=True).values_list(
            "name", "value_number"
        )
    )
    assert facts["repeat_after_rectification"] == 1
    assert facts["repeat_after_rectification_key_items"] == 0
