"""The explanation of a rule that reads earlier periods (R1's ``count(score >= 98, over=…)`` and
``sum(complaint_tickets, over=…)``): which periods, the value in each, the facts behind them with
their evidence, which period did not count and why; and whether the doubling applied to the line —
on the page, in the API and in `youfu explain`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from youfu.conftest import Bank
from youfu.facts.choices import BatchSource
from youfu.facts.services import FactValue, facts_record
from youfu.org.choices import PeriodKind
from youfu.org.models import Period
from youfu.scoring import selectors, services
from youfu.scoring.models import ScoreLine, ScoreRun

EARLY = """\
schema: 1
id: early_bird
name: 提前达标
version: 1
effective:
  from: 2025-01-01
  to: 2025-12-31
subjects:
  - id: outlet_head
    kind: head
    level: outlet
    name: 网点负责人
periods:
  unit: quarter
  spans:
    - id: earlier_quarters
      unit: quarter
      which: earlier_this_year
      name: 本年此前各季度
    - id: year_so_far
      unit: quarter
      which: year_to_date
      name: 本年至今各季度
inputs:
  - name: score
    type: number
    unit: 分
  - name: complaint_tickets
    type: number
    default: 0
  - name: repeated_findings
    type: number
    default: 0
rules:
  - id: q4_early
    description: 四季度得分98分以上，每提前一个季度达标奖励300元
    subject: outlet_head
    when: period_number = 4 and score >= 98
    amount: 300 * count(score >= 98, over=earlier_quarters)
  - id: no_complaint_all_year
    description: 全年没有考核工单的奖500元
    subject: outlet_head
    when: period_number = 4 and sum(complaint_tickets, over=year_so_far) = 0
    amount: 500
  - id: below_target
    description: 未达98分，每差1分考核200元
    subject: outlet_head
    when: score < 98
    amount: -(98 - score) * 200
    multipliers:
      - when: repeated_findings > 0
        factor: 2
        seed: 相同问题重复发生的加倍考核。
"""

# O1A: 98.5 in Q1 (counts), no score in Q2 (not counted: score has no default), 97 in Q3, 99 in Q4.
# O1B: 99, 99, 98, then 96 in Q4 with a repeated finding (the doubling applies).
SCORES = {
    "o1a": {1: "98.5", 3: "97", 4: "99"},
    "o1b": {1: "99", 2: "99", 3: "98", 4: "96"},
}


def _quarter(number: int) -> Period:
    start = dt.date(2025, 3 * number - 2, 1)
    end = dt.date(2025 + (number == 4), (3 * number) % 12 + 1, 1) - dt.timedelta(days=1)
    return Period.objects.create(
        code=f"2025Q{number}", name=f"2025年第{number}季度", kind=PeriodKind.QUARTER, start=start, end=end
    )


@pytest.fixture
def q4_run(bank: Bank) -> ScoreRun:
    quarters = {n: _quarter(n) for n in range(1, 5)}
    for n, quarter in quarters.items():
        values = [
            FactValue(subject=getattr(bank, key), name="score", value=Decimal(by_quarter[n]), row_number=row)
            for row, (key, by_quarter) in enumerate(SCORES.items(), start=2)
            if n in by_quarter
        ]
        if n == 2:
            values.append(
                FactValue(subject=bank.o1b, name="complaint_tickets", value=Decimal(1), row_number=3)
            )
        if n == 4:
            values.append(
                FactValue(subject=bank.o1b, name="repeated_findings", value=Decimal(1), row_number=3)
            )
        facts_record(
            actor=None,
            period=quarter,
            values=values,
            source=BatchSource.IMPORT,
            file_name=f"省行神秘人检查{quarter.code}.xlsx",
            sha256=f"{n}" * 64,
            sheet="得分",
        )
    version = services.policy_version_upload(author=None, text=EARLY, file_name="early.yaml")
    return services.score_period(author=None, version=version, period=quarters[4])


def _rule(explanation: selectors.LineExplanation, rule_id: str) -> selectors.RuleExplanation:
    return next(rule for rule in explanation.rules if rule.id == rule_id)


def test_the_explanation_lists_each_earlier_period_with_its_value_and_evidence(
    bank: Bank, q4_run: ScoreRun, branch_office: Any
) -> None:
    line = ScoreLine.objects.get(run=q4_run, unit=bank.o1a)
    x = selectors.line_explain(user=branch_office, line=line)

    early = _rule(x, "q4_early")
    assert early.fired and early.amount == Decimal("300.00")
    [count] = early.history
    assert (count.func, count.span, count.span_name, count.argument) == (
        "count",
        "earlier_quarters",
        "本年此前各季度",
        "score >= 98",
    )
    assert [(p.code, p.counted, p.value, p.missing) for p in count.periods] == [
        ("2025Q1", True, True, []),
        ("2025Q2", False, None, ["score"]),
        ("2025Q3", True, False, []),
    ]
    assert count.result == 1  # 300 × 1 = the rule's 300
    q1_score = count.periods[0].used[0]
    assert (q1_score.name, q1_score.value) == ("score", Decimal("98.5"))
    assert q1_score.evidence is not None
    assert (q1_score.evidence.file_name, q1_score.evidence.row_number) == ("省行神秘人检查2025Q1.xlsx", 2)

    [total] = _rule(x, "no_complaint_all_year").history
    assert [p.code for p in total.periods] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    # complaint_tickets has a default: Q2 counts (0 tickets, no fact) even without a score
    assert all(p.counted and p.value == 0 for p in total.periods)
    assert total.periods[1].used[0].default_used


def test_the_doubling_says_whether_it_applied_to_the_line(
    bank: Bank, q4_run: ScoreRun, branch_office: Any
) -> None:
    o1b = selectors.line_explain(user=branch_office, line=ScoreLine.objects.get(run=q4_run, unit=bank.o1b))
    below = _rule(o1b, "below_target")
    assert below.amount == Decimal("-800.00")  # (98 − 96) × 200 × 2
    assert [applied for *_rest, applied in below.multipliers] == [True]
    [total] = _rule(o1b, "no_complaint_all_year").history
    assert [p.value for p in total.periods] == [0, 1, 0, 0] and total.result == 1

    o1a = selectors.line_explain(user=branch_office, line=ScoreLine.objects.get(run=q4_run, unit=bank.o1a))
    assert [applied for *_rest, applied in _rule(o1a, "below_target").multipliers] == [None]  # did not fire


def test_the_page_api_and_command_show_the_periods(
    client: Any, bank: Bank, q4_run: ScoreRun, branch_office: Any, admin: Any
) -> None:
    line = ScoreLine.objects.get(run=q4_run, unit=bank.o1a)
    client.force_login(branch_office)
    with translation.override("zh-hans"):
        page = client.get(reverse("scoring:line_detail", args=[q4_run.pk, line.pk])).content.decode()
    assert 'data-span="earlier_quarters"' in page
    assert 'data-period="2025Q1" data-counted="yes"' in page
    assert 'data-period="2025Q2" data-counted="no"' in page
    assert "省行神秘人检查2025Q1.xlsx" in page and "本年此前各季度" in page

    api = APIClient()
    api.force_authenticate(branch_office)
    data = api.get(reverse("api:scoring-line-detail", args=[q4_run.pk, line.pk])).json()
    [history] = next(r for r in data["rules"] if r["id"] == "q4_early")["history"]
    assert [(p["code"], p["counted"], p["value"]) for p in history["periods"]] == [
        ("2025Q1", True, True),
        ("2025Q2", False, None),
        ("2025Q3", True, False),
    ]
    assert history["result"] == "1"
    assert history["periods"][0]["used"][0]["evidence"]["row_number"] == 2

    out = StringIO()
    call_command("explain", "--run", str(q4_run.pk), "--unit", "O1A", stdout=out)
    text = out.getvalue()
    assert "count(score >= 98, over=earlier_quarters) over 本年此前各季度: 1" in text
    assert "2025Q2 2025年第2季度: not counted (no score)" in text
    assert "2025Q1 2025年第1季度: score >= 98 = yes" in text


def test_an_outsider_sees_no_line_of_s1(client: Any, bank: Bank, q4_run: ScoreRun, outsider: Any) -> None:
    line = ScoreLine.objects.get(run=q4_run, unit=bank.o1a)
    client.force_login(outsider)
    assert client.get(reverse("scoring:line_detail", args=[q4_run.pk, line.pk])).status_code == 404
