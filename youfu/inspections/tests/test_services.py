"""The inspections services: bad input changes nothing, scores (caps, red lines, N/A), four eyes,
corrections, repeats and channel de-duplication, evidence, appeals, and the facts written for the engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.facts.models import Fact
from youfu.inspections import selectors, services
from youfu.inspections.choices import AppealStatus, InspectionStatus
from youfu.inspections.models import Evidence, Finding, Inspection, InspectionEvent, ItemResult
from youfu.inspections.tests.conftest import DAY, PERFECT, Upload, checked, photo_bytes
from youfu.standards import services as standard_services

TODAY = dt.date(2026, 1, 1)


def _draft(inspector, unit, version, **extra):
    return services.inspection_create(
        actor=inspector,
        kind="mystery_shopper",
        unit=unit,
        date=DAY,
        version_id=version.pk,
        today=TODAY,
        **extra,
    )


def _counts():
    return (
        Inspection.objects.count(),
        ItemResult.objects.count(),
        Finding.objects.count(),
        Evidence.objects.count(),
    )


# --- Bad input: a clear error, nothing saved ------------------------------------------------------


def test_unit_outside_the_inspectors_subtree_is_refused(bank, inspector, version):
    with pytest.raises(PermissionDeniedError) as exc:
        _draft(inspector, bank.o2a, version)
    assert exc.value.field == "unit"
    assert Inspection.objects.count() == 0


def test_a_standard_version_that_does_not_exist_is_refused(bank, inspector, version):
    with pytest.raises(ApplicationError) as exc:
        services.inspection_create(
            actor=inspector, kind="on_site", unit=bank.o1a, date=DAY, version_id=999999, today=TODAY
        )
    assert (exc.value.code, exc.value.field) == ("does_not_exist", "version")
    assert Inspection.objects.count() == 0


def test_a_draft_version_and_a_non_outlet_are_refused(bank, inspector, version, admin):
    draft = standard_services.standard_version_copy(actor=admin, version=version)
    with pytest.raises(ApplicationError) as exc:
        _draft(inspector, bank.o1a, draft)
    assert exc.value.code == "version_draft"
    with pytest.raises(ApplicationError) as exc:
        _draft(inspector, bank.s1, version)
    assert exc.value.field == "unit"
    assert Inspection.objects.count() == 0


def test_a_standard_of_another_subtree_is_not_usable(bank, inspector, admin, s1_office):
    from youfu.inspections.tests.conftest import checklist_data

    other = standard_services.standard_save(
        actor=admin, data=checklist_data("S2-ONLY"), owner=bank.s2
    ).version
    other = standard_services.standard_version_publish(actor=admin, version=other)
    with pytest.raises(ApplicationError) as exc:
        _draft(admin, bank.o1a, other)
    assert exc.value.code == "standard_not_usable"


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"A1": 4}, "out_of_range", "results.A1"),  # a deduction above its maximum (3 times)
        ({"B2": 5}, "out_of_range", "results.B2"),  # a score above N
        ({"C1": "na"}, "not_applicable_refused", "results.C1"),
        ({"Z9": 1}, "unknown_item", "results.Z9"),
        ({"A2": "maybe"}, "invalid_result", "results.A2"),
    ],
)
def test_bad_results_are_refused_and_nothing_is_saved(bank, inspector, version, values, code, field):
    inspection = _draft(inspector, bank.o1a, version)
    services.inspection_record_results(actor=inspector, inspection=inspection, values={"A1": 1})
    before = list(ItemResult.objects.values_list("item__code", "value", "points_lost"))
    with pytest.raises(ApplicationError) as exc:
        services.inspection_record_results(actor=inspector, inspection=inspection, values={"C2": 1, **values})
    assert (exc.value.code, exc.value.field) == (code, field)
    assert list(ItemResult.objects.values_list("item__code", "value", "points_lost")) == before
    assert list(Finding.objects.values_list("item__code", flat=True)) == ["A1"]


def test_submit_needs_every_pass_fail_and_score_item_judged(bank, inspector, version):
    inspection = _draft(inspector, bank.o1a, version)
    services.inspection_record_results(actor=inspector, inspection=inspection, values={"A1": 1})
    with pytest.raises(ApplicationError) as exc:
        services.inspection_submit(actor=inspector, inspection=inspection)
    assert exc.value.code == "missing_result"
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT


def test_evidence_of_a_wrong_type_or_too_large_is_refused(bank, inspector, version, settings):
    inspection = _draft(inspector, bank.o1a, version)
    with pytest.raises(ApplicationError) as exc:
        services.evidence_attach_photo(
            actor=inspector, inspection=inspection, file=Upload(b"%PDF-1.7 not a photo", "photo.jpg")
        )
    assert exc.value.code == "wrong_type"
    with pytest.raises(ApplicationError) as exc:  # a JPEG header on garbage
        services.evidence_attach_photo(
            actor=inspector, inspection=inspection, file=Upload(b"\xff\xd8\xff\xe0" + b"x" * 100, "a.jpg")
        )
    assert exc.value.code == "wrong_type"
    settings.INSPECTIONS_MAX_PHOTO_BYTES = 1000
    with pytest.raises(ApplicationError) as exc:
        services.evidence_attach_photo(
            actor=inspector, inspection=inspection, file=Upload(photo_bytes(size=(400, 400)), "big.jpg")
        )
    assert exc.value.code == "too_large"
    assert Evidence.objects.count() == 0


def test_a_photo_keeps_its_exif_time_and_place(bank, inspector, version):
    inspection = _draft(inspector, bank.o1a, version)
    data = photo_bytes(taken="2025:05:12 10:15:30", gps=True)
    evidence = services.evidence_attach_photo(
        actor=inspector, inspection=inspection, file=Upload(data, "IMG_1.jpg")
    )
    assert evidence.content_type == "image/jpeg"
    assert evidence.taken_at == dt.datetime(2025, 5, 12, 2, 15, 30, tzinfo=dt.UTC)  # 10:15 in Asia/Shanghai
    assert (evidence.latitude, evidence.longitude) == (Decimal("31.241667"), Decimal("121.470000"))
    png = services.evidence_attach_photo(
        actor=inspector, inspection=inspection, file=Upload(photo_bytes("PNG"), "shot.png")
    )
    assert (png.content_type, png.taken_at) == ("image/png", None)
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    assert (
        services.evidence_attach_photo(
            actor=inspector, inspection=inspection, file=Upload(heic, "IMG.HEIC")
        ).content_type
        == "image/heic"
    )
    late = services.evidence_attach_photo(
        actor=inspector, inspection=inspection, file=Upload(photo_bytes(taken="2025:05:20 09:00:00"), "x.jpg")
    )
    assert [e.pk for e in selectors.evidence_mismatches(inspection=inspection)] == [late.pk]


# --- Scores ---------------------------------------------------------------------------------------


def test_score_with_a_section_cap_na_and_a_score_item(bank, inspector, approver, version):
    inspection = checked(
        inspector=inspector,
        approver=approver,
        unit=bank.o1a,
        version=version,
        values={"A1": 3, "A2": "na", "B2": 3},
        publish=False,
    )
    # A loses 12 capped at 10; B2 loses 10 × 1/4 = 2.5; A2 is not applicable (deducts nothing).
    assert inspection.total == Decimal("87.50")
    assert (inspection.max_score, inspection.denominator) == (Decimal(100), Decimal(100))
    assert inspection.details["caps_hit"] == ["A"]
    assert inspection.details["not_applicable"] == ["A2"]
    assert inspection.status == InspectionStatus.APPROVED


def test_a_red_line_caps_the_total(bank, inspector, approver, version):
    inspection = checked(
        inspector=inspector,
        approver=approver,
        unit=bank.o1a,
        version=version,
        values={"C1": "fail"},
        publish=False,
    )
    assert inspection.total == Decimal(60)
    assert [r["item"] for r in inspection.details["red_lines"]] == ["C1"]
    assert "capped_by_red_line" in inspection.details["notes"]


def test_findings_follow_the_results_and_take_people_of_the_outlet_only(bank, inspector, version, people):
    inspection = _draft(inspector, bank.o1a, version)
    services.inspection_record_results(
        actor=inspector, inspection=inspection, values={"A1": 2, "C1": "fail"}, notes={"A1": "店招缺字"}
    )
    findings = {f.item.code: f for f in inspection.findings.all()}
    assert {c: f.points_lost for c, f in findings.items()} == {"A1": Decimal(8), "C1": Decimal(10)}
    assert findings["A1"].description == "店招缺字"
    services.finding_attribute(
        actor=inspector, finding=findings["C1"], people=[people["teller"], people["lobby"]]
    )
    assert set(findings["C1"].people.values_list("name", flat=True)) == {"张伟", "赵敏"}
    with pytest.raises(ApplicationError) as exc:
        services.finding_attribute(actor=inspector, finding=findings["A1"], people=[bank.teller_2a])
    assert exc.value.code == "person_not_in_outlet"
    assert findings["A1"].people.count() == 0
    services.inspection_record_results(actor=inspector, inspection=inspection, values={"A1": 0})
    assert list(inspection.findings.values_list("item__code", flat=True)) == ["C1"]


# --- Four eyes and the workflow -------------------------------------------------------------------


def test_four_eyes_the_submitter_or_an_inspector_never_approves(bank, version, approver, s1_office):
    inspection = _draft(s1_office, bank.o1a, version)
    services.inspection_record_results(actor=s1_office, inspection=inspection, values=PERFECT)
    services.inspection_submit(actor=s1_office, inspection=inspection)
    with pytest.raises(PermissionDeniedError):
        services.inspection_approve(actor=s1_office, inspection=inspection)
    inspection.refresh_from_db()
    assert (inspection.status, inspection.approved_by, inspection.total) == (
        InspectionStatus.SUBMITTED,
        None,
        None,
    )


def test_an_inspector_cannot_approve_or_publish(bank, inspector, version):
    inspection = _draft(inspector, bank.o1a, version)
    services.inspection_record_results(actor=inspector, inspection=inspection, values=PERFECT)
    services.inspection_submit(actor=inspector, inspection=inspection)
    with pytest.raises(PermissionDeniedError):
        services.inspection_approve(actor=inspector, inspection=inspection)
    assert Inspection.objects.get().status == InspectionStatus.SUBMITTED


def test_the_approver_may_return_a_check_and_results_freeze_after_submit(bank, inspector, approver, version):
    inspection = _draft(inspector, bank.o1a, version)
    services.inspection_record_results(actor=inspector, inspection=inspection, values=PERFECT)
    services.inspection_submit(actor=inspector, inspection=inspection)
    with pytest.raises(ApplicationError) as exc:
        services.inspection_record_results(actor=inspector, inspection=inspection, values={"A1": 1})
    assert exc.value.code == "wrong_status"
    services.inspection_return(actor=approver, inspection=inspection, reason="照片不清")
    services.inspection_record_results(actor=inspector, inspection=inspection, values={"A1": 1})
    assert Inspection.objects.get().status == InspectionStatus.DRAFT
    assert list(InspectionEvent.objects.values_list("action", flat=True)) == [
        "created",
        "results",
        "submitted",
        "returned",
        "results",
    ]


def test_a_correction_never_edits_the_published_check_in_place(
    bank, inspector, approver, version, branch_office
):
    original = checked(
        inspector=inspector, approver=approver, unit=bank.o1a, version=version, values={"A1": 2}
    )
    snapshot = list(ItemResult.objects.filter(inspection=original).values())
    with pytest.raises(ApplicationError):
        services.inspection_record_results(actor=inspector, inspection=original, values={"A1": 0})
    correction = services.inspection_correct(actor=approver, inspection=original, notes="复核更正")
    assert (correction.corrects, correction.status) == (original, InspectionStatus.DRAFT)
    services.inspection_record_results(actor=approver, inspection=correction, values={"A1": 1})
    services.inspection_submit(actor=approver, inspection=correction)
    with pytest.raises(PermissionDeniedError):  # the corrector is its submitter
        services.inspection_approve(actor=approver, inspection=correction)
    services.inspection_approve(actor=branch_office, inspection=correction)
    services.inspection_publish(actor=branch_office, inspection=correction, today=DAY)
    original.refresh_from_db()
    correction.refresh_from_db()
    assert original.status == InspectionStatus.SUPERSEDED
    assert original.total == Decimal(92) and correction.total == Decimal(96)
    assert list(ItemResult.objects.filter(inspection=original).values()) == snapshot


# --- Repeats and channel de-duplication -----------------------------------------------------------


def test_the_same_item_again_within_the_window_is_a_repeat(bank, inspector, approver, version):
    first = checked(inspector=inspector, approver=approver, unit=bank.o1a, version=version, values={"C2": 1})
    again = checked(
        inspector=inspector,
        approver=approver,
        unit=bank.o1a,
        version=version,
        values={"C2": 1, "A1": 1},
        date=DAY + dt.timedelta(days=60),
    )
    late = checked(
        inspector=inspector,
        approver=approver,
        unit=bank.o1a,
        version=version,
        values={"A1": 1},
        date=DAY + dt.timedelta(days=60 + 91),
    )
    repeat = again.findings.get(item__code="C2")
    assert (repeat.is_repeat, repeat.repeat_of) == (True, first.findings.get())
    assert again.findings.get(item__code="A1").is_repeat is False
    assert late.findings.get().is_repeat is False  # 91 days after: outside the default 90-day window
    other_outlet = checked(
        inspector=inspector, approver=approver, unit=bank.o1b, version=version, values={"C2": 1}, date=DAY
    )
    assert other_outlet.findings.get().is_repeat is False


def test_the_repeat_window_is_a_bank_setting(bank, inspector, approver, version, branch_office):
    services.settings_update(
        actor=branch_office, bank=bank.head_office, repeat_window_days=30, appeal_window_days=5
    )
    checked(inspector=inspector, approver=approver, unit=bank.o1a, version=version, values={"C2": 1})
    again = checked(
        inspector=inspector,
        approver=approver,
        unit=bank.o1a,
        version=version,
        values={"C2": 1},
        date=DAY + dt.timedelta(days=40),
    )
    assert again.findings.get().is_repeat is False
    assert again.appeal_deadline == again.date + dt.timedelta(days=5)
    with pytest.raises(PermissionDeniedError):
        services.settings_update(
            actor=approver, bank=bank.head_office, repeat_window_days=1, appeal_window_days=1
        )


def test_a_fault_seen_by_mystery_shopper_and_on_video_is_one_finding(
    bank, inspector, approver, version, quarters
):
    shopper = checked(
        inspector=inspector,
        approver=approver,
        unit=bank.o1a,
        version=version,
        values={"B1": 1},
        visit_start=dt.time(10, 0),
        visit_end=dt.time(10, 40),
    )
    video = services.inspection_create(
        actor=inspector, kind="video", unit=bank.o1a, date=DAY, version_id=version.pk, today=TODAY
    )
    services.inspection_record_results(
        actor=inspector, inspection=video, values={**PERFECT, "B1": 1, "C2": 1}
    )
    services.evidence_add_video(
        actor=inspector,
        inspection=video,
        camera="大厅2号",
        recorded_from=dt.datetime(2025, 5, 12, 2, 20, tzinfo=dt.UTC),  # 10:20–10:50 in Shanghai
        recorded_to=dt.datetime(2025, 5, 12, 2, 50, tzinfo=dt.UTC),
    )
    services.inspection_submit(actor=inspector, inspection=video)
    services.inspection_approve(actor=approver, inspection=video)
    duplicate = video.findings.get(item__code="B1")
    assert duplicate.duplicate_of == shopper.findings.get(item__code="B1")
    assert video.findings.get(item__code="C2").duplicate_of is None
    services.inspection_publish(actor=approver, inspection=video, today=DAY)
    services.inspections_finalize_due(today=DAY + dt.timedelta(days=8))
    score = selectors.period_score(unit=bank.o1a, start=quarters[1].start, end=quarters[1].end)
    # Three findings on the two checks, but the B1 fault counts once: 2 findings, 3 hardware points.
    assert (score.findings, score.key_items, score.hardware_points_lost) == (2, 1, Decimal(3))


def test_no_duplicate_when_the_times_do_not_overlap(bank, inspector, approver, version):
    checked(
        inspector=inspector,
        approver=approver,
        unit=bank.o1a,
        version=version,
        values={"B1": 1},
        visit_start=dt.time(9, 0),
        visit_end=dt.time(9, 30),
    )
    onsite = checked(
        inspector=inspector,
        approver=approver,
        unit=bank.o1a,
        version=version,
        values={"B1": 1},
        kind="on_site",
        visit_start=dt.time(15, 0),
        visit_end=dt.time(16, 0),
    )
    assert onsite.findings.get().duplicate_of is None


# --- Appeals, final, facts ------------------------------------------------------------------------


def test_appeal_reversed_corrects_the_score_and_the_check_becomes_final(
    bank, inspector, approver, version, outlet_head, branch_office, quarters
):
    original = checked(
        inspector=inspector, approver=approver, unit=bank.o1a, version=version, values={"A1": 1, "C2": 1}
    )
    a1 = original.findings.get(item__code="A1")
    c2 = original.findings.get(item__code="C2")
    with pytest.raises(ApplicationError) as exc:
        services.appeal_raise(
            actor=outlet_head, finding=a1, reason="已更换", today=DAY + dt.timedelta(days=8)
        )
    assert exc.value.code == "appeal_window_closed"
    appeal = services.appeal_raise(
        actor=outlet_head,
        finding=a1,
        reason="店招当日已清洁，有照片为证",
        files=[Upload(photo_bytes(taken="2025:05:12 08:00:00"), "clean.jpg")],
        today=DAY + dt.timedelta(days=2),
    )
    upheld = services.appeal_raise(
        actor=outlet_head, finding=c2, reason="已提醒", today=DAY + dt.timedelta(days=2)
    )
    assert appeal.evidence.count() == 1
    with pytest.raises(PermissionDeniedError):  # the inspector never reviews
        services.appeal_decide(actor=inspector, appeal=appeal, reverse=True, note="x")
    with pytest.raises(PermissionDeniedError):  # the outlet head cannot decide
        services.appeal_decide(actor=outlet_head, appeal=appeal, reverse=True, note="x")
    appeal = services.appeal_decide(
        actor=approver, appeal=appeal, reverse=True, note="照片属实", today=DAY + dt.timedelta(days=3)
    )
    services.appeal_decide(
        actor=approver, appeal=upheld, reverse=False, note="录像可见未提醒", today=DAY + dt.timedelta(days=3)
    )
    correction = appeal.correction
    assert correction is not None
    assert (correction.status, correction.corrects) == (InspectionStatus.SUBMITTED, original)
    original.refresh_from_db()
    assert original.status == InspectionStatus.PUBLISHED  # not final while its correction is pending
    with pytest.raises(PermissionDeniedError):  # the reviewer made the correction: another approves it
        services.inspection_approve(actor=approver, inspection=correction)
    services.inspection_approve(actor=branch_office, inspection=correction)
    services.inspection_publish(actor=branch_office, inspection=correction, today=DAY + dt.timedelta(days=4))
    original.refresh_from_db()
    correction.refresh_from_db()
    assert (original.status, original.total) == (InspectionStatus.SUPERSEDED, Decimal(94))
    assert (correction.status, correction.total) == (InspectionStatus.FINAL, Decimal(98))
    assert correction.appeal_deadline == original.appeal_deadline
    assert list(correction.findings.values_list("item__code", flat=True)) == ["C2"]
    assert appeal.status == AppealStatus.REVERSED
    facts = dict(
        Fact.objects.filter(unit=bank.o1a, period=quarters[1], is_current=True).values_list(
            "name", "value_number"
        )
    )
    assert facts["inspection_score_mystery_shopper"] == Decimal(98)
    assert facts["inspection_count_mystery_shopper"] == 1
    assert facts["inspection_findings"] == 1
    fact = Fact.objects.get(unit=bank.o1a, name="inspection_score_mystery_shopper", is_current=True)
    assert f"#{correction.pk}" in fact.note and fact.batch.created_by is None


def test_a_check_becomes_final_after_the_window_and_its_facts_are_recorded(
    bank, inspector, approver, version, quarters
):
    first = checked(inspector=inspector, approver=approver, unit=bank.o1a, version=version, values={"B1": 2})
    second = checked(
        inspector=inspector,
        approver=approver,
        unit=bank.o1a,
        version=version,
        values={"B1": 1},
        date=DAY + dt.timedelta(days=10),
    )
    assert services.inspections_finalize_due(today=DAY + dt.timedelta(days=7)) == []
    assert services.inspections_finalize_due(today=DAY + dt.timedelta(days=8)) == [first]
    facts = dict(Fact.objects.filter(unit=bank.o1a, is_current=True).values_list("name", "value_number"))
    assert facts["inspection_score_mystery_shopper"] == Decimal(94)
    services.inspections_finalize_due(today=DAY + dt.timedelta(days=30))
    second.refresh_from_db()
    assert second.status == InspectionStatus.FINAL
    current = dict(Fact.objects.filter(unit=bank.o1a, is_current=True).values_list("name", "value_number"))
    assert current["inspection_score_mystery_shopper"] == Decimal("95.5")  # mean of 94 and 97
    assert current["inspection_count_mystery_shopper"] == 2
    assert current["inspection_repeated_findings"] == 1
    assert current["inspection_key_item_findings"] == 2
    assert current["inspection_hardware_points_lost"] == Decimal(9)
    assert (
        Fact.objects.filter(unit=bank.o1a, name="inspection_score_mystery_shopper").count() == 2
    )  # history kept
    assert services.inspections_finalize_due(today=DAY + dt.timedelta(days=30)) == []  # safe to run twice
