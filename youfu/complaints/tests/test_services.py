"""The complaint's life: intake, first responder and handover, the state machine, the paused clock,
escalation on breach, verdict, close, callback, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from youfu.accounts.choices import Role
from youfu.complaints import selectors, services
from youfu.complaints.choices import (
    Category,
    Channel,
    ComplaintKind,
    ComplaintStatus,
    EventAction,
    Level,
    Severity,
)
from youfu.complaints.models import Complaint, ComplaintEvent
from youfu.complaints.tests.conftest import MONDAY, at
from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.notifications.models import Notice

pytestmark = pytest.mark.django_db


def _actions(c: Complaint) -> list[str]:
    return list(c.events.values_list("action", flat=True))


def test_a_hotline_complaint_is_registered_with_its_sla_and_its_first_responder(hotline, s1_handler):
    assert hotline.number == f"TS2025{hotline.pk:06d}"
    assert hotline.owner == s1_handler and hotline.received_by == s1_handler
    assert hotline.status == ComplaintStatus.RECEIVED
    assert hotline.acknowledge_due == at(2025, 7, 7, 13, 0)  # 4 business hours
    assert hotline.resolve_due == at(2025, 7, 11, 17, 0)  # 40 business hours: Friday closing
    assert hotline.level == Level.NONE and hotline.calendar_warning == ""
    assert _actions(hotline) == [EventAction.REGISTERED]


def test_the_whole_way_through_the_state_machine(hotline, s1_handler, quarters):
    c = services.complaint_acknowledge(actor=s1_handler, complaint=hotline, now=at(2025, 7, 7, 10, 0))
    assert c.status == ComplaintStatus.IN_PROGRESS
    c = services.complaint_wait(
        actor=s1_handler, complaint=c, reason="客户出差,约周三回电", now=at(2025, 7, 7, 11, 0)
    )
    assert c.status == ComplaintStatus.WAITING_CUSTOMER
    c = services.complaint_resume(actor=s1_handler, complaint=c, now=at(2025, 7, 9, 11, 0))
    assert c.status == ComplaintStatus.IN_PROGRESS
    c = services.complaint_resolve(
        actor=s1_handler, complaint=c, resolution="致歉并说明", now=at(2025, 7, 9, 15, 0)
    )
    assert c.status == ComplaintStatus.RESOLVED
    c = services.complaint_judge(
        actor=s1_handler, complaint=c, verdict="valid", reason="录像证实态度生硬", evidence="录像 10:02"
    )
    c = services.complaint_close(actor=s1_handler, complaint=c, now=at(2025, 7, 9, 16, 0))
    assert c.status == ComplaintStatus.CLOSED
    assert c.callback_due == at(2025, 7, 11, 16, 0)  # two working days later
    c = services.complaint_callback(
        actor=s1_handler, complaint=c, result="satisfied", now=at(2025, 7, 11, 10, 0)
    )
    assert c.callback_result == "satisfied"
    assert _actions(c) == [
        "registered",
        "acknowledged",
        "waiting",
        "resumed",
        "resolved",
        "judged",
        "facts",
        "closed",
        "callback",
    ]


@pytest.mark.parametrize(
    ("step", "code"),
    [
        (lambda u, c: services.complaint_resume(actor=u, complaint=c), "wrong_status"),
        (
            lambda u, c: services.complaint_judge(actor=u, complaint=c, verdict="valid", reason="x"),
            "wrong_status",
        ),
        (lambda u, c: services.complaint_close(actor=u, complaint=c), "wrong_status"),
        (lambda u, c: services.complaint_callback(actor=u, complaint=c, result="satisfied"), "wrong_status"),
        (lambda u, c: services.complaint_wait(actor=u, complaint=c, reason="x"), "wrong_status"),
    ],
)
def test_steps_out_of_order_are_refused_and_change_nothing(hotline, s1_handler, step, code):
    with pytest.raises(ApplicationError) as exc:
        step(s1_handler, hotline)
    assert exc.value.code == code
    hotline.refresh_from_db()
    assert hotline.status == ComplaintStatus.RECEIVED and _actions(hotline) == ["registered"]


def test_closing_needs_a_verdict_and_a_verdict_needs_reasons(hotline, s1_handler):
    services.complaint_resolve(
        actor=s1_handler, complaint=hotline, resolution="已处理", now=at(2025, 7, 7, 10, 0)
    )
    with pytest.raises(ApplicationError) as exc:
        services.complaint_close(actor=s1_handler, complaint=hotline)
    assert exc.value.code == "no_verdict"
    with pytest.raises(ApplicationError) as exc:
        services.complaint_judge(actor=s1_handler, complaint=hotline, verdict="valid", reason="  ")
    assert exc.value.field == "reason"
    hotline.refresh_from_db()
    assert hotline.verdict == "" and hotline.status == ComplaintStatus.RESOLVED
    assert not hotline.events.filter(action=EventAction.JUDGED).exists()


def test_waiting_on_the_customer_pauses_the_clock(hotline, s1_handler):
    services.complaint_acknowledge(actor=s1_handler, complaint=hotline, now=at(2025, 7, 7, 10, 0))
    # 11:00 Monday: 38 business hours are left until Friday 17:00.
    c = services.complaint_wait(
        actor=s1_handler, complaint=hotline, reason="等客户补充材料", now=at(2025, 7, 7, 11, 0)
    )
    assert c.resolve_left == 38 * 3600
    timer = selectors.timer(c, now=at(2025, 7, 10, 11, 0))
    assert timer.paused and timer.left == 38 * 3600
    # Resumed Thursday 11:00: the 38 hours run from there (6 h Thu, 8 h Fri, Mon–Wed 24 h).
    c = services.complaint_resume(actor=s1_handler, complaint=c, now=at(2025, 7, 10, 11, 0))
    assert c.resolve_due == at(2025, 7, 16, 17, 0)
    assert c.events.get(action=EventAction.RESUMED).params["paused_seconds"] == 24 * 3600


def test_the_pause_across_the_national_day_week(bank, s1_handler):
    c = services.complaint_register(
        actor=s1_handler,
        kind="complaint",
        channel=Channel.HOTLINE_96086,
        unit=bank.o1a,
        category=Category.WAITING,
        severity=Severity.CRITICAL,
        summary="排队太久",
        received_at=at(2025, 9, 30, 13, 0),
        now=at(2025, 9, 30, 13, 0),
    )
    assert c.resolve_due == at(2025, 10, 9, 13, 0)  # 8 hours: 4 on 30 Sep, 4 on 9 Oct
    c = services.complaint_acknowledge(actor=s1_handler, complaint=c, now=at(2025, 9, 30, 14, 0))
    c = services.complaint_wait(
        actor=s1_handler, complaint=c, reason="客户国庆外出", now=at(2025, 9, 30, 15, 0)
    )
    assert c.resolve_left == 6 * 3600
    c = services.complaint_resume(actor=s1_handler, complaint=c, now=at(2025, 10, 11, 9, 0))  # 调休 Saturday
    assert c.resolve_due == at(2025, 10, 11, 15, 0)


def test_escalation_climbs_the_ladder_notifies_each_level_once_and_is_safe_to_rerun(
    bank, hotline, s1_handler, outlet_head, s1_office, branch_handler
):
    # Acknowledge was due Monday 13:00.
    assert services.complaints_escalate_due(now=at(2025, 7, 7, 12, 59)) == []
    done = services.complaints_escalate_due(now=at(2025, 7, 7, 13, 30))
    assert [c.pk for c in done] == [hotline.pk]
    hotline.refresh_from_db()
    assert hotline.level == Level.OUTLET
    assert set(
        Notice.objects.filter(kind="complaint_escalated").values_list("recipient__username", flat=True)
    ) == {
        "outlet_head",
        "s1_handler",
    }
    assert services.complaints_escalate_due(now=at(2025, 7, 7, 13, 30)) == []  # safe to run twice
    # Tuesday 09:30: 4.5 business hours late → sub-branch (its handler and office).
    services.complaints_escalate_due(now=at(2025, 7, 8, 9, 30))
    hotline.refresh_from_db()
    assert hotline.level == Level.SUB_BRANCH
    # Tuesday 13:30: 8.5 hours late → branch.
    services.complaints_escalate_due(now=at(2025, 7, 8, 13, 30))
    hotline.refresh_from_db()
    assert hotline.level == Level.BRANCH
    levels = [e.params["level"] for e in hotline.events.filter(action=EventAction.ESCALATED)]
    assert levels == [1, 2, 3]
    assert Notice.objects.filter(recipient=branch_handler, kind="complaint_escalated").count() == 1
    assert Notice.objects.filter(recipient=s1_office, kind="complaint_escalated").count() == 1


def test_waiting_cases_do_not_escalate_and_the_job_reports(hotline, s1_handler):
    services.complaint_acknowledge(actor=s1_handler, complaint=hotline, now=at(2025, 7, 7, 10, 0))
    services.complaint_wait(actor=s1_handler, complaint=hotline, reason="等客户", now=at(2025, 7, 7, 11, 0))
    assert services.escalation_job(at(2025, 7, 30, 10, 0)) == {"escalated": 0, "complaints": []}


def test_media_and_regulator_cases_go_straight_to_the_branch(bank, s1_handler, branch_handler):
    c = services.complaint_register(
        actor=s1_handler,
        kind=ComplaintKind.COMPLAINT,
        channel=Channel.MEDIA,
        unit=bank.o1b,
        category=Category.ATTITUDE,
        summary="晚报曝光",
        received_at=MONDAY,
        now=MONDAY,
    )
    assert c.level == Level.BRANCH
    assert Notice.objects.filter(recipient=branch_handler, kind="complaint_escalated").count() == 1


def test_handover_is_explicit_and_only_the_responsible_handler_moves_the_case(
    bank, hotline, s1_handler, outlet_head
):
    # The outlet head may handle complaints of the outlet but is not responsible for this one.
    with pytest.raises(PermissionDeniedError):
        services.complaint_acknowledge(actor=outlet_head, complaint=hotline)
    c = services.complaint_handover(actor=s1_handler, complaint=hotline, to=outlet_head, note="网点先行处理")
    assert c.owner == outlet_head
    ev = c.events.get(action=EventAction.HANDED_OVER)
    assert (
        ev.params == {"from": "s1_handler", "to": "outlet_head", "note": "网点先行处理"}
        and ev.actor == s1_handler
    )
    assert Notice.objects.filter(recipient=outlet_head, kind="complaint_handover").exists()
    services.complaint_acknowledge(actor=outlet_head, complaint=c)


def test_handover_to_someone_who_cannot_see_the_unit_is_refused(hotline, s1_handler, outsider):
    with pytest.raises(ApplicationError) as exc:
        services.complaint_handover(actor=s1_handler, complaint=hotline, to=outsider)
    assert exc.value.code == "not_a_handler"
    hotline.refresh_from_db()
    assert hotline.owner == s1_handler


def test_a_deadline_in_the_past_is_refused(bank, hotline, s1_handler):
    with pytest.raises(ApplicationError) as exc:
        services.complaint_register(
            actor=s1_handler,
            kind="complaint",
            channel="letter",
            unit=bank.o1a,
            category="fees",
            summary="x",
            resolve_due=at(2025, 7, 1, 9, 0),
            now=MONDAY,
        )
    assert exc.value.code == "deadline_past"
    with pytest.raises(ApplicationError) as exc:
        services.complaint_extend(
            actor=s1_handler, complaint=hotline, resolve_due=at(2025, 7, 7, 8, 0), reason="x", now=MONDAY
        )
    assert exc.value.code == "deadline_past"
    assert Complaint.objects.count() == 1
    hotline.refresh_from_db()
    assert hotline.resolve_due == at(2025, 7, 11, 17, 0)


def test_a_complaint_on_a_unit_outside_the_subtree_is_refused(bank, s1_handler):
    with pytest.raises(PermissionDeniedError):
        services.complaint_register(
            actor=s1_handler,
            kind="complaint",
            channel="letter",
            unit=bank.o2a,
            category="fees",
            summary="x",
            now=MONDAY,
        )
    assert Complaint.objects.count() == 0 and ComplaintEvent.objects.count() == 0


def test_outsiders_neither_see_nor_change(hotline, outsider):
    assert not selectors.complaint_list(user=outsider).exists()
    with pytest.raises(PermissionDeniedError):
        services.complaint_acknowledge(actor=outsider, complaint=hotline)
    with pytest.raises(PermissionDeniedError):
        services.complaint_contact_reveal(actor=outsider, complaint=hotline, reason="看看")
    hotline.refresh_from_db()
    assert hotline.status == ComplaintStatus.RECEIVED and _actions(hotline) == ["registered"]


def test_revealing_a_contact_needs_the_right_and_a_reason_and_is_logged(
    hotline, s1_handler, outlet_head, auditor
):
    assert hotline.masked_phone == "138****5678" and hotline.masked_name == "赵**"
    with pytest.raises(PermissionDeniedError):
        services.complaint_contact_reveal(actor=outlet_head, complaint=hotline, reason="回访")
    with pytest.raises(PermissionDeniedError):
        services.complaint_contact_reveal(actor=auditor, complaint=hotline, reason="回访")
    with pytest.raises(ApplicationError):
        services.complaint_contact_reveal(actor=s1_handler, complaint=hotline, reason="")
    assert not hotline.events.filter(action=EventAction.CONTACT_REVEALED).exists()
    assert services.complaint_contact_reveal(actor=s1_handler, complaint=hotline, reason="回访客户") == (
        "赵先生",
        "13812345678",
    )
    ev = hotline.events.get(action=EventAction.CONTACT_REVEALED)
    assert ev.actor == s1_handler and ev.params == {"reason": "回访客户"}


def test_a_new_severity_gives_new_deadlines(hotline, s1_handler):
    c = services.complaint_classify(
        actor=s1_handler, complaint=hotline, category="skills", severity="critical"
    )
    assert (c.acknowledge_due, c.resolve_due) == (at(2025, 7, 7, 11, 0), at(2025, 7, 7, 17, 0))
    assert c.events.get(action=EventAction.CLASSIFIED).params["severity"] == ["low", "critical"]


def test_a_deadline_beyond_the_calendar_is_flagged(bank, s1_handler):
    start = dt.datetime(2026, 12, 31, 15, 0, tzinfo=at(2025, 1, 1).tzinfo)
    c = services.complaint_register(
        actor=s1_handler,
        kind="complaint",
        channel="hotline_95580",
        unit=bank.o1a,
        category="fees",
        summary="x",
        received_at=start,
        now=start,
    )
    assert c.calendar_warning == "2027"


def test_staff_cannot_register(bank, colleague):
    with pytest.raises(PermissionDeniedError):
        services.complaint_register(
            actor=colleague, kind="complaint", channel="on_site", unit=bank.o1a, category="fees", summary="x"
        )


def test_every_role_outside_sees_nothing(bank, hotline, any_role, outsider_any_role, insider_same_role):
    assert not selectors.complaint_list(user=outsider_any_role).exists()
    sees = insider_same_role.has_perm("complaints.view_complaint")
    assert selectors.complaint_list(user=insider_same_role).exists() == sees
    assert sees == (any_role not in (Role.STAFF, Role.INSPECTOR))
