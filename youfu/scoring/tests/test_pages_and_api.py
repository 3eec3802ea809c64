"""Scoring's read side and interfaces: rankings, explanations, what-if, publish and upload, in the pages,
the API and the Excel export — each only within the user's subtree.

The bank and its numbers are those of conftest.py (the tiny policy, worked by hand there)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from youfu.ledger.choices import EvidenceType
from youfu.ledger.models import LedgerEntry, PeriodLock
from youfu.scoring import selectors, services
from youfu.scoring.choices import RunKind, RunStatus
from youfu.scoring.models import PolicyVersion, ScoreLine, ScoreRun
from youfu.scoring.tests.conftest import tiny_text

S1_NAMES = ("东城营业部", "东湖网点", "O1A", "O1B")


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _line(run: ScoreRun, unit: Any) -> ScoreLine:
    return ScoreLine.objects.get(run=run, unit=unit)


def _xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return " ".join(
        str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None
    )


def _xlsx_rows(content: bytes) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(content))
    return list(book.worksheets[0].iter_rows(values_only=True))


# --- the service: ledger entries ------------------------------------------------------------------


def test_score_period_posts_entries_that_add_up_and_a_rescore_reverses_them(bank, run, version, quarter):
    entries = LedgerEntry.objects.filter(evidence_type=EvidenceType.SCORING_RUN, evidence_id=str(run.pk))

    assert run.status == RunStatus.POSTED
    assert run.total_amount == Decimal("-2200.00")
    assert sum(e.amount for e in entries) == run.total_amount
    assert sum(e.points for e in entries) == run.total_points
    assert sorted((str(e.subject), e.rule, e.amount) for e in entries) == [
        (str(bank.o1a), "region_best", Decimal("500.00")),
        (str(bank.o1b), "target_missed", Decimal("-1800.00")),
        (str(bank.o2a), "region_best", Decimal("500.00")),
        (str(bank.o2a), "target_missed", Decimal("-1400.00")),
    ]
    assert all(
        e.evidence_url == reverse("scoring:line_detail", args=[run.pk, _line(run, e.unit).pk])
        for e in entries
    )

    again = services.score_period(author=None, version=version, period=quarter)

    run.refresh_from_db()
    assert run.status == RunStatus.SUPERSEDED
    reversals = LedgerEntry.objects.filter(reverses__in=entries)
    assert reversals.count() == 4
    assert sum(e.amount for e in reversals) == Decimal("2200.00")
    new_entries = LedgerEntry.objects.filter(
        evidence_type=EvidenceType.SCORING_RUN, evidence_id=str(again.pk)
    )
    assert sum(e.amount for e in new_entries) == again.total_amount == Decimal("-2200.00")
    # The ledger nets to the standing run only.
    assert sum(e.amount for e in LedgerEntry.objects.filter(period=quarter)) == Decimal("-2200.00")


# --- rankings: the user's subtree only ---------------------------------------------------------------


def test_ranking_selector_is_subtree_and_scope_aware(bank, run, outsider, s1_office, branch_office):
    def codes(user: Any, **kwargs: Any) -> list[tuple[str, int | None]]:
        lines = selectors.ranking(user=user, run=run, subject="outlet_head", **kwargs)
        return [(line.unit.code, getattr(line, "scope_rank", None)) for line in lines]

    assert codes(branch_office) == [("O1A", 1), ("O2A", 2), ("O1B", 3)]
    assert codes(s1_office) == [("O1A", 1), ("O1B", 3)]
    assert codes(outsider) == [("O2A", 2)]
    assert codes(branch_office, scope="region") == [("O1A", 1), ("O2A", 1), ("O1B", 2)]
    assert codes(branch_office, scope="region", scope_unit=bank.s1.pk) == [("O1A", 1), ("O1B", 2)]
    assert codes(outsider, scope="region", scope_unit=bank.s1.pk) == []
    assert codes(branch_office, order="-amount") == [("O1A", 1), ("O2A", 2), ("O1B", 3)]
    assert codes(branch_office, order="amount") == [("O1B", 3), ("O2A", 2), ("O1A", 1)]
    assert selectors.run_totals(user=outsider, run=run) == selectors.Totals(1, Decimal(0), Decimal("-900.00"))
    assert selectors.run_totals(user=s1_office, run=run).amount == Decimal("-1300.00")
    assert [
        u.code for u in selectors.scope_units(user=outsider, run=run, subject="outlet_head", scope="region")
    ] == ["S2"]


def test_ranking_page_api_and_excel_show_an_s2_user_nothing_of_s1(client, bank, run, outsider, branch_office):
    client.force_login(outsider)
    page = client.get(reverse("scoring:run_detail", args=[run.pk]))
    by_region = client.get(
        reverse("scoring:run_detail", args=[run.pk]), {"scope": "region", "unit": bank.s1.pk}
    )
    runs = client.get(reverse("scoring:run_list"))
    export = client.get(reverse("scoring:run_export", args=[run.pk]))
    api = _api(outsider)
    lines = api.get(reverse("api:scoring-run-lines", args=[run.pk]))
    detail = api.get(reverse("api:scoring-run-detail", args=[run.pk]))

    assert page.status_code == by_region.status_code == runs.status_code == export.status_code == 200
    html = page.content.decode()
    assert "西湖网点" in html and "-900.00" in html
    for name in S1_NAMES:
        assert name not in html
        assert name not in by_region.content.decode()
        assert name not in _xlsx_text(export.content)
        assert name not in lines.content.decode()
    assert "-2200.00" not in runs.content.decode() and "-900.00" in runs.content.decode()
    assert [row["unit"] for row in lines.json()["results"]] == ["O2A"]
    assert detail.json()["mine"] == {"lines": 1, "points": "0.0000", "amount": "-900.00"}
    assert [row[1] for row in _xlsx_rows(export.content)[2:]] == ["O2A"]

    # The positive control: the branch's office sees every outlet, in the same places.
    client.force_login(branch_office)
    full = client.get(reverse("scoring:run_detail", args=[run.pk])).content.decode()
    rows = _xlsx_rows(client.get(reverse("scoring:run_export", args=[run.pk]), {"sort": "-amount"}).content)
    assert all(name in full for name in ("东城营业部", "东湖网点", "西湖网点"))
    assert rows[1] == ("名次", "机构代码", "机构", "工号", "人员", "服务检查得分", "分值", "金额（元）")
    assert [(r[0], r[1], r[5], r[7]) for r in rows[2:]] == [
        (1, "O1A", 93.5, 500),
        (2, "O2A", 90, -900),
        (3, "O1B", 88, -1800),
    ]
    assert [
        row["unit"]
        for row in _api(branch_office).get(reverse("api:scoring-run-lines", args=[run.pk])).json()["results"]
    ] == [
        "O1A",
        "O2A",
        "O1B",
    ]


def test_an_s1_line_is_404_for_an_s2_user_in_page_and_api(client, bank, run, outsider, s1_office):
    line = _line(run, bank.o1b)
    client.force_login(outsider)
    assert client.get(reverse("scoring:line_detail", args=[run.pk, line.pk])).status_code == 404
    assert _api(outsider).get(reverse("api:scoring-line-detail", args=[run.pk, line.pk])).status_code == 404
    client.force_login(s1_office)
    assert client.get(reverse("scoring:line_detail", args=[run.pk, line.pk])).status_code == 200


def test_roles_without_the_right_see_no_ranking(client, bank, run, colleague):
    client.force_login(colleague)  # staff: no scoring rights
    assert client.get(reverse("scoring:run_list")).status_code == 403
    assert client.get(reverse("scoring:run_detail", args=[run.pk])).status_code == 403
    assert _api(colleague).get(reverse("api:scoring-run-list")).status_code == 403


def test_an_outlet_head_sees_only_the_own_outlet(client, bank, run, outlet_head):
    client.force_login(outlet_head)
    html = client.get(reverse("scoring:run_detail", args=[run.pk])).content.decode()
    assert "东城营业部" in html
    assert "东湖网点" not in html and "西湖网点" not in html


# --- explanation --------------------------------------------------------------------------------------


def test_explanation_gives_the_rule_inputs_values_and_evidence(bank, run, s1_office):
    line = _line(run, bank.o1b)

    x = selectors.line_explain(user=s1_office, line=line)

    assert (x.phase, x.phase_values, x.period_number) == ("whole_year", {"target": Decimal(92)}, 1)
    rules = {r.id: r for r in x.rules}
    missed = rules["target_missed"]
    assert missed.fired and missed.amount == Decimal(-1800)
    assert missed.seed == "未完成得分计划的,考核1000元,并且每差1分考核200元"
    assert missed.formulas == [
        ("when", "score < target and not exempt"),
        ("amount", "-(1000 + points_short * per_point)"),
    ]
    used = {u.name: u for u in missed.used}
    assert {name: (u.kind, u.value) for name, u in used.items()} == {
        "score": ("input", "88"),
        "target": ("phase", Decimal(92)),
        "exempt": ("value", False),
        "points_short": ("value", "4"),
        "per_point": ("constant", Decimal(200)),
    }
    evidence = used["score"].evidence
    assert evidence is not None
    assert (evidence.file_name, evidence.sheet, evidence.row_number, evidence.value) == (
        "省行神秘人检查2025Q1.xlsx",
        "得分",
        3,
        Decimal(88),
    )
    assert [(v.entry.amount, v.reversed) for v in missed.entries] == [(Decimal("-1800.00"), False)]
    best = rules["region_best"]
    assert not best.fired and best.amount == Decimal(0) and best.entries == []
    assert [(p.scope, p.rank, p.of) for p in best.scopes] == [("region", 2, 2)]
    assert x.entries_amount == line.total_amount == Decimal("-1800.00")


def test_explanation_page_and_api(client, bank, run, branch_office):
    line = _line(run, bank.o1b)
    client.force_login(branch_office)

    page = client.get(reverse("scoring:line_detail", args=[run.pk, line.pk]))
    api = _api(branch_office).get(reverse("api:scoring-line-detail", args=[run.pk, line.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    for text in (
        "target_missed",
        "未完成得分计划的",
        "-(1000 + points_short * per_point)",
        "省行神秘人检查2025Q1.xlsx",
        "-1800.00",
    ):
        assert text in html
    data = api.json()
    rule = next(r for r in data["rules"] if r["id"] == "target_missed")
    assert (rule["fired"], rule["amount"]) == (True, "-1800.00")
    score = next(u for u in rule["used"] if u["name"] == "score")
    assert (score["value"], score["evidence"]["row_number"], score["evidence"]["sheet"]) == ("88", 3, "得分")
    assert rule["entries"][0]["reversed"] is False


def test_a_rescored_line_shows_its_entries_reversed(bank, run, version, quarter, branch_office):
    services.score_period(author=None, version=version, period=quarter)
    old = selectors.line_explain(user=branch_office, line=_line(run, bank.o1b))
    missed = next(r for r in old.rules if r.id == "target_missed")
    assert [v.reversed for v in missed.entries] == [True]
    assert old.entries_amount == 0


# --- what-if ----------------------------------------------------------------------------------------


def test_what_if_diff_numbers(bank, run, draft, quarter, branch_office, outsider):
    what_if = services.score_period(author=None, version=draft, period=quarter, what_if=True)
    assert what_if.kind == RunKind.WHAT_IF and what_if.entries == 0
    assert not LedgerEntry.objects.filter(evidence_id=str(what_if.pk)).exists()

    diff = selectors.what_if_diff(user=branch_office, run=what_if, baseline=run)

    # per_point 300 instead of 200: O1B −(1000 + 4 × 300), O2A −(1000 + 2 × 300) + 500.
    assert [(r.unit.code, r.base_amount, r.amount, r.amount_delta, r.rank_delta) for r in diff.rows] == [
        ("O1B", Decimal("-1800.00"), Decimal("-2200.00"), Decimal("-400.00"), 0),
        ("O2A", Decimal("-900.00"), Decimal("-1100.00"), Decimal("-200.00"), 0),
        ("O1A", Decimal("500.00"), Decimal("500.00"), Decimal("0.00"), 0),
    ]
    assert (diff.base_amount, diff.amount, diff.amount_delta, diff.changed) == (
        Decimal("-2200.00"),
        Decimal("-2800.00"),
        Decimal("-600.00"),
        2,
    )
    mine = selectors.what_if_diff(user=outsider, run=what_if, baseline=run)
    assert [(r.unit.code, r.amount_delta) for r in mine.rows] == [("O2A", Decimal("-200.00"))]


def test_what_if_page_and_api(client, bank, run, draft, quarter, branch_office):
    client.force_login(branch_office)
    response = client.post(
        reverse("scoring:run_what_if"),
        {"whatif-version": draft.pk, "whatif-period": quarter.code, "whatif-baseline": run.pk},
    )
    what_if = ScoreRun.objects.get(kind=RunKind.WHAT_IF)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('scoring:run_diff', args=[what_if.pk])}?baseline={run.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "-600.00" in page and "-400.00" in page

    api = (
        _api(branch_office)
        .get(reverse("api:scoring-run-diff", args=[what_if.pk]), {"baseline": run.pk})
        .json()
    )
    assert (api["amount_delta"], api["changed"]) == ("-600.00", 2)
    assert [(r["unit"], r["amount_delta"]) for r in api["rows"]] == [
        ("O1B", "-400.00"),
        ("O2A", "-200.00"),
        ("O1A", "0.00"),
    ]


# --- publish --------------------------------------------------------------------------------------


def test_publish_then_a_rescore_is_refused(client, bank, run, version, quarter, branch_office):
    client.force_login(branch_office)
    page = client.get(reverse("scoring:run_detail", args=[run.pk])).content.decode()
    assert 'id="publish-form"' in page and "data-confirm=" in page

    response = client.post(reverse("scoring:run_publish", args=[run.pk]))

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED
    assert PeriodLock.objects.filter(period=quarter, policy="tiny_shopper").exists()
    runs_before = ScoreRun.objects.count()
    entries_before = LedgerEntry.objects.count()
    refused = client.post(
        reverse("scoring:run_score"), {"score-version": version.pk, "score-period": quarter.code}
    )
    api = _api(branch_office).post(
        reverse("api:scoring-run-list"), {"version": version.pk, "period": quarter.code}, format="json"
    )
    assert refused.status_code == 200 and "已发布" in refused.content.decode()
    assert api.status_code == 400 and api.json()["errors"][0]["code"] == "period_published"
    assert (ScoreRun.objects.count(), LedgerEntry.objects.count()) == (runs_before, entries_before)
    assert (
        'id="publish-form"' not in client.get(reverse("scoring:run_detail", args=[run.pk])).content.decode()
    )


def test_a_sub_branch_office_may_not_score_or_publish(client, bank, run, version, quarter, s1_office):
    client.force_login(s1_office)
    assert 'id="score-form"' not in client.get(reverse("scoring:run_list")).content.decode()
    assert client.post(reverse("scoring:run_publish", args=[run.pk])).status_code == 403
    response = _api(s1_office).post(
        reverse("api:scoring-run-list"), {"version": version.pk, "period": quarter.code}, format="json"
    )
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.status == RunStatus.POSTED and ScoreRun.objects.count() == 1


def test_score_a_period_from_the_page(client, bank, scores, version, quarter, branch_office):
    client.force_login(branch_office)
    response = client.post(
        reverse("scoring:run_score"), {"score-version": version.pk, "score-period": quarter.code}
    )
    run = ScoreRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "scoring:run_detail", args=[run.pk]
    )
    assert run.total_amount == Decimal("-2200.00") and run.created_by == branch_office


# --- policy versions ---------------------------------------------------------------------------------


def test_upload_a_policy_with_its_open_questions(client, bank, branch_office):
    client.force_login(branch_office)
    upload = SimpleUploadedFile("tiny.yaml", tiny_text().encode())
    response = client.post(reverse("scoring:policy_upload"), {"file": upload, "status": "active"})
    version = PolicyVersion.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "scoring:policy_detail", args=[version.pk]
    )
    detail = client.get(response["Location"]).content.decode()
    assert (
        'id="policy-warnings"' in detail
        and "does the best of the region need to meet the target too?" in detail
    )
    api = _api(branch_office).get(reverse("api:scoring-policy-detail", args=[version.pk])).json()
    assert api["policy"] == "tiny_shopper" and len(api["warnings"]) == 1


BROKEN = tiny_text().replace("when: score < target and not exempt", "when: scor < target and not exempt")


def test_a_broken_policy_is_refused_with_line_numbers_and_nothing_stored(client, bank, branch_office):
    client.force_login(branch_office)
    response = client.post(
        reverse("scoring:policy_upload"),
        {"file": SimpleUploadedFile("bad.yaml", BROKEN.encode()), "status": "active"},
    )
    api = _api(branch_office).post(
        reverse("api:scoring-policy-list"),
        {"file": SimpleUploadedFile("bad.yaml", BROKEN.encode())},
        format="multipart",
    )
    line = BROKEN.splitlines().index("    when: scor < target and not exempt") + 1
    assert response.status_code == 200
    assert 'id="policy-errors"' in response.content.decode()
    assert f"{line}:11:" in response.content.decode() and "scor" in response.content.decode()
    assert api.status_code == 400 and api.json()["errors"][0]["message"].startswith(f"{line}:")
    assert not PolicyVersion.objects.exists()
