"""The appraisal's services end to end: a quarter of 张伟 worked by hand to the fen, the bad inputs
(each refused with nothing changed), the Excel import and appeals as new versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from youfu.appraisal import services
from youfu.appraisal.choices import AppealStatus, CycleStatus, FormStatus, ItemKind, ItemStatus, RaterKind
from youfu.appraisal.models import (
    Adjustment,
    Appeal,
    Cycle,
    FormItem,
    MonthlyForm,
    PeerScore,
    QuarterResult,
    Rating,
    Review,
)
from youfu.appraisal.tests.conftest import Team, fill_month, form_of, review_of
from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.scoring.models import PolicyVersion

D = Decimal


def row(
    no: str, month: str, leave: Any = 0, attended: Any = 0, missed: Any = 0, late: Any = 0, n: int = 2
) -> services.AdjustmentRow:
    return services.AdjustmentRow(n, no, month, leave, attended, missed, late)


def quarter_of_zhang(
    cycle: Cycle, bank: Any, team: Team, outlet_head: Any, s1_office: Any, colleague: Any
) -> None:
    zhang = bank.teller_1a
    fill_month(
        cycle,
        zhang,
        1,
        self_score="92",
        finance="80",
        admin="81",
        supervisor="85",
        supervisor_user=outlet_head,
        team=team,
        others_done=1,
        adopted=1,
    )
    fill_month(
        cycle,
        zhang,
        2,
        self_score="88",
        finance="85",
        admin="85",
        supervisor="90",
        supervisor_user=outlet_head,
        team=team,
    )
    fill_month(
        cycle,
        zhang,
        3,
        self_score="90",
        finance="84",
        admin="86",
        supervisor="86",
        supervisor_user=outlet_head,
        team=team,
    )
    services.adjustments_import(
        actor=s1_office, cycle=cycle, rows=[row("100001", "2024-01", "1.5", 2, 1, 1)], file_name="a.xlsx"
    )
    services.review_self(actor=colleague, review=review_of(cycle, zhang), score="85")
    services.review_panel(actor=team.panel, review=review_of(cycle, zhang), score="83")
    for voter, score in ((outlet_head, "80"), (team.zhao_user, "82"), (team.sun_user, "77")):
        services.peer_ballot_cast(actor=voter, cycle=cycle, scores={zhang.pk: score})


def test_a_quarter_worked_by_hand_to_the_fen(cycle, bank, team, outlet_head, s1_office, colleague) -> None:
    quarter_of_zhang(cycle, bank, team, outlet_head, s1_office, colleague)
    missing = services.cycle_close(actor=s1_office, cycle=cycle)
    result = QuarterResult.objects.get(cycle=cycle, person=bank.teller_1a)
    # Jan: self 92 void → 85 − 10 = 75; dept (80 + 81) / 2 = 80.5;
    #      (75·30 + 80.5·30 + 85·40) / 100 = 80.65, + 8 (other task) + 10 (adopted) − 3 (1.5 days leave)
    #      + 2 (trainings) − 2 (missed) − 1 (late) = 94.65
    # Feb: (88·30 + 85·30 + 90·40) / 100 = 87.90
    # Mar: self 90 counts: (90·30 + 85·30 + 86·40) / 100 = 86.90
    # mean (94.65 + 87.90 + 86.90) / 3 = 89.8166666667
    # comprehensive: peers (80 + 82 + 77) / 3 = 79.6666666667;
    #      (85·30 + 79.6666666667·30 + 83·40) / 100 = 82.60
    # quarter (89.8166666667·60 + 82.60·40) / 100 = 86.93 → 优, bonus a + b + c.
    months = result.explanation["months"]
    assert [D(s["value"]) for m in months for s in m["steps"] if s["name"] == "monthly_score"] == [
        D("94.65"),
        D("87.90"),
        D("86.90"),
    ]
    assert D(months[0]["inputs"]["dept_score"]) == D("80.5")
    assert months[0]["ratings"]["supervisor"]["rater"] == "outlet_head"
    assert months[0]["adjustment"]["leave_days"] == "1.5"
    assert result.monthly_mean == D("89.8166666667")
    assert result.explanation["quarter_inputs"]["comp_peers"] == "79.6666666667"
    assert result.comprehensive == D("82.6")
    assert result.score == D("86.93")
    assert (result.grade, result.bonus_items, result.bonus_silent) == ("优", "a+b+c", False)
    assert result.explanation["review"]["peer_ballots"] == 3
    # The others lack forms and ratings: no result for them, and the reasons are given.
    assert {m.person.name for m in missing} == {"刘强", "赵敏", "孙丽", "李娜"}
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.CLOSED


def test_an_upheld_appeal_is_a_new_audited_version(
    cycle, bank, team, outlet_head, s1_office, colleague
) -> None:
    quarter_of_zhang(cycle, bank, team, outlet_head, s1_office, colleague)
    services.cycle_close(actor=s1_office, cycle=cycle)
    first = QuarterResult.objects.get(cycle=cycle, person=bank.teller_1a)
    appeal = services.appeal_raise(actor=colleague, result=first, reason="考评小组未计入我的阶段性工作")
    with pytest.raises(ApplicationError, match="already have an appeal"):
        services.appeal_raise(actor=colleague, result=first, reason="again")
    with pytest.raises(PermissionDeniedError):
        services.appeal_decide(
            actor=s1_office, appeal=appeal, upheld=True, decision="x", revised_panel_score="90"
        )
    services.appeal_decide(
        actor=team.panel, appeal=appeal, upheld=True, decision="核实后调整", revised_panel_score="90"
    )
    first.refresh_from_db()
    second = QuarterResult.objects.get(cycle=cycle, person=bank.teller_1a, is_current=True)
    # comprehensive (85·30 + 79.6666666667·30 + 90·40) / 100 = 85.40;
    # quarter (5389.000000002 + 3416) / 100 = 88.05
    assert (second.version, second.comprehensive, second.score, second.grade) == (
        2,
        D("85.4"),
        D("88.05"),
        "优",
    )
    assert (first.is_current, first.score, first.comprehensive) == (False, D("86.93"), D("82.6"))
    assert review_of(cycle, bank.teller_1a).panel_score == D("83")  # the review itself is not edited
    appeal.refresh_from_db()
    assert (appeal.status, appeal.new_result_id) == (AppealStatus.UPHELD, second.pk)
    entries = LogEntry.objects.get_for_object(first)
    assert any(e.changes_dict.get("is_current") == ["True", "False"] for e in entries)
    assert (
        LogEntry.objects.get_for_object(second)
        .filter(action=LogEntry.Action.CREATE, actor=team.panel)
        .exists()
    )


def test_an_appeal_after_the_window_is_refused(cycle, bank, team, outlet_head, s1_office, colleague) -> None:
    quarter_of_zhang(cycle, bank, team, outlet_head, s1_office, colleague)
    services.cycle_close(actor=s1_office, cycle=cycle)
    Cycle.objects.filter(pk=cycle.pk).update(closed_at=dt.datetime(2024, 4, 1, tzinfo=dt.UTC))
    result = QuarterResult.objects.get(cycle=cycle, person=bank.teller_1a)
    with pytest.raises(ApplicationError, match="window has closed"):
        services.appeal_raise(actor=colleague, result=result, reason="晚了")
    assert not Appeal.objects.exists()


def test_a_good_grade_shows_the_silent_bonus(cycle, bank, team, outlet_head, s1_office, colleague) -> None:
    zhang = bank.teller_1a
    for m in (1, 2, 3):
        fill_month(
            cycle,
            zhang,
            m,
            self_score="82",
            finance="82",
            admin="82",
            supervisor="82",
            supervisor_user=outlet_head,
            team=team,
        )
    services.review_self(actor=colleague, review=review_of(cycle, zhang), score="82")
    services.review_panel(actor=team.panel, review=review_of(cycle, zhang), score="82")
    for voter in (outlet_head, team.zhao_user, team.sun_user):
        services.peer_ballot_cast(actor=voter, cycle=cycle, scores={zhang.pk: "82"})
    services.cycle_close(actor=s1_office, cycle=cycle)
    result = QuarterResult.objects.get(cycle=cycle, person=zhang)
    assert (result.score, result.grade, result.bonus_items, result.bonus_silent) == (D(82), "良", "", True)


# -- bad input: a clear error and nothing changed ------------------------------------------------------


def test_a_policy_whose_weights_do_not_add_up_cannot_open_a_cycle(bank, s1_office, periods, r3) -> None:
    text = r3.text.replace(
        "      - id: w_supervisor\n        weight: 40", "      - id: w_supervisor\n        weight: 30"
    )
    from youfu.scoring.services import policy_version_upload

    # The checker refuses it on upload …
    with pytest.raises(ApplicationError) as refused:
        policy_version_upload(author=None, text=text.replace("version: 1", "version: 2"), file_name="r3.yaml")
    assert refused.value.code == "policy_invalid"
    # … and a version stored by other means is refused by the cycle too.
    bad = PolicyVersion.objects.create(
        policy="r3_staff_appraisal",
        version=9,
        name="bad",
        text=text,
        file_name="r3.yaml",
        sha256="x",
        status="draft",
    )
    with pytest.raises(ApplicationError, match="30 \\+ 30 \\+ 30 = 90, not 100"):
        services.cycle_create(actor=s1_office, unit=bank.s1, period=periods["2024Q1"], policy_version=bad)
    assert not Cycle.objects.exists() and not MonthlyForm.objects.exists()


def test_a_cycle_is_a_quarter_of_a_unit_in_scope(bank, s1_office, outsider, periods, r3) -> None:
    with pytest.raises(ApplicationError, match="is a quarter"):
        services.cycle_create(actor=s1_office, unit=bank.s1, period=periods["2024-01"], policy_version=r3)
    with pytest.raises(PermissionDeniedError):
        services.cycle_create(actor=outsider, unit=bank.s1, period=periods["2024Q1"], policy_version=r3)
    assert not Cycle.objects.exists()


def test_a_rater_cannot_rate_themself_as_a_peer(cycle, bank, colleague, team) -> None:
    with pytest.raises(ApplicationError) as caught:
        services.peer_ballot_cast(
            actor=colleague, cycle=cycle, scores={bank.teller_1a.pk: "99", team.zhao.pk: "80"}
        )
    assert caught.value.code == "self_rating"
    with pytest.raises(ApplicationError) as stranger:
        services.peer_ballot_cast(actor=colleague, cycle=cycle, scores={bank.teller_1b.pk: "80"})  # O1B
    assert stranger.value.code == "not_a_colleague"
    assert not PeerScore.objects.exists()
    services.peer_ballot_cast(actor=colleague, cycle=cycle, scores={team.zhao.pk: "80"})
    with pytest.raises(ApplicationError) as twice:
        services.peer_ballot_cast(actor=colleague, cycle=cycle, scores={team.sun.pk: "80"})
    assert twice.value.code == "already_voted"
    assert PeerScore.objects.count() == 1


@pytest.mark.parametrize("score", ["90.01", "-1", "abc", "85.555"])
def test_a_score_out_of_range_is_refused(cycle, bank, team, outlet_head, score) -> None:
    zhang = bank.teller_1a
    form = fill_month(
        cycle,
        zhang,
        1,
        self_score="80",
        finance="80",
        admin="80",
        supervisor="80",
        supervisor_user=outlet_head,
        team=team,
    )
    before = list(Rating.objects.filter(form=form).values_list("kind", "score"))
    with pytest.raises(ApplicationError):
        services.rating_give(actor=outlet_head, form=form, kind=RaterKind.SUPERVISOR, score=score)
    assert list(Rating.objects.filter(form=form).values_list("kind", "score")) == before


def test_a_self_score_above_100_is_refused_and_91_accepted(cycle, bank, colleague) -> None:
    form = form_of(cycle, bank.teller_1a, 1)
    services.form_plan_save(
        actor=colleague, form=form, lines=[services.PlanLine(ItemKind.ROUTINE, "柜面业务")], submit=True
    )
    progress = [services.ItemProgress(i.pk, ItemStatus.DONE) for i in form.items.all()]
    with pytest.raises(ApplicationError, match="out of range"):
        services.form_fill(actor=colleague, form=form, progress=progress, self_score="100.5", submit=True)
    assert MonthlyForm.objects.get(pk=form.pk).status == FormStatus.PLAN_SUBMITTED
    services.form_fill(actor=colleague, form=form, progress=progress, self_score="91", submit=True)
    assert Rating.objects.get(form=form, kind=RaterKind.SELF).score == D(91)


def test_plan_rules_and_reasons(cycle, bank, colleague, outlet_head) -> None:
    form = form_of(cycle, bank.teller_1a, 1)
    too_many = [services.PlanLine(ItemKind.ROUTINE, f"r{i}") for i in range(6)]
    with pytest.raises(ApplicationError, match="At most 5"):
        services.form_plan_save(actor=colleague, form=form, lines=too_many)
    with pytest.raises(PermissionDeniedError):
        services.form_plan_save(
            actor=outlet_head, form=form, lines=[services.PlanLine(ItemKind.ROUTINE, "x")]
        )
    services.form_plan_save(
        actor=colleague, form=form, lines=[services.PlanLine(ItemKind.PHASE, "网点转型")], submit=True
    )
    item = FormItem.objects.get(form=form)
    with pytest.raises(ApplicationError) as caught:
        services.form_fill(
            actor=colleague,
            form=form,
            progress=[services.ItemProgress(item.pk, ItemStatus.IN_PROGRESS)],
            self_score="80",
            submit=True,
        )
    assert caught.value.details[0].code == "reason_required"
    services.form_fill(
        actor=colleague,
        form=form,
        progress=[services.ItemProgress(item.pk, ItemStatus.IN_PROGRESS, "等待设备")],
        self_score="80",
        submit=True,
    )
    item.refresh_from_db()
    assert (item.status, item.reason) == (ItemStatus.IN_PROGRESS, "等待设备")


def test_nothing_can_be_filled_after_the_cycle_is_closed(
    cycle, bank, colleague, s1_office, team, outlet_head
) -> None:
    form = form_of(cycle, bank.teller_1a, 2)
    services.cycle_close(actor=s1_office, cycle=cycle)
    with pytest.raises(ApplicationError) as caught:
        services.form_plan_save(
            actor=colleague, form=form, lines=[services.PlanLine(ItemKind.ROUTINE, "x")], submit=True
        )
    assert caught.value.code == "cycle_closed"
    with pytest.raises(ApplicationError):
        services.peer_ballot_cast(actor=outlet_head, cycle=cycle, scores={bank.teller_1a.pk: "80"})
    with pytest.raises(ApplicationError):
        services.review_self(actor=colleague, review=review_of(cycle, bank.teller_1a), score="80")
    assert not FormItem.objects.filter(form=form).exists()
    assert Review.objects.get(cycle=cycle, person=bank.teller_1a).self_score is None


# -- the Excel import ----------------------------------------------------------------------------------


def test_an_import_with_unknown_people_saves_nothing_and_lists_every_row(cycle, s1_office, bank) -> None:
    rows = [
        row("100001", "2024-01", 1, n=2),
        row("999999", "2024-01", 1, n=3),  # unknown
        row("200001", "2024-02", 1, n=4),  # 王芳 of S2: not in this cycle
        row("100002", "2024-07", 1, n=5),  # not a month of the quarter
        row("100002", "2024-02", "abc", n=6),
    ]
    with pytest.raises(ApplicationError) as caught:
        services.adjustments_import(actor=s1_office, cycle=cycle, rows=rows, file_name="x.xlsx")
    got = sorted((d.row, d.code) for d in caught.value.details)
    assert got == [(3, "unknown_person"), (4, "unknown_person"), (5, "unknown_month"), (6, "invalid")]
    assert not Adjustment.objects.exists()


def test_the_import_is_idempotent_and_reads_excel(cycle, s1_office) -> None:
    from youfu.appraisal.imports import read_rows, template_workbook

    content = template_workbook([("100001", "2024-01", 1.5, 2, 1, 3), ("100002", "2024-02", 0, 1, 0, 0)])
    first = services.adjustments_import(
        actor=s1_office, cycle=cycle, rows=read_rows(content), file_name="a.xlsx", content=content
    )
    assert (first.rows, first.changed) == (2, 2)
    again = services.adjustments_import(
        actor=s1_office, cycle=cycle, rows=read_rows(content), file_name="a.xlsx", content=content
    )
    assert (again.rows, again.changed, again.batch) == (2, 0, None)
    adj = Adjustment.objects.get(person__employee_no="100001")
    assert (adj.leave_days, adj.trainings_attended, adj.trainings_missed, adj.days_late) == (
        D("1.5"),
        2,
        1,
        3,
    )
    assert Adjustment.objects.count() == 2


def test_only_the_office_imports(cycle, colleague) -> None:
    with pytest.raises(PermissionDeniedError):
        services.adjustments_import(
            actor=colleague, cycle=cycle, rows=[row("100001", "2024-01", 1)], file_name="a"
        )
    assert not Adjustment.objects.exists()


def test_log_entries_of_ratings_name_their_rater(cycle, bank, team, outlet_head) -> None:
    form = fill_month(
        cycle,
        bank.teller_1a,
        1,
        self_score="80",
        finance="80",
        admin="80",
        supervisor="80",
        supervisor_user=outlet_head,
        team=team,
    )
    rating = Rating.objects.get(form=form, kind=RaterKind.SUPERVISOR)
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Rating), object_pk=str(rating.pk)
    )
    assert entry.actor == outlet_head
