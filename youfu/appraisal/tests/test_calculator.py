"""R3 (seed 000 篇6) worked by hand, to the fen, through the calculator (the policy's own formulas run
by the reference evaluator). No database."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from youfu.appraisal.calculator import AppraisalPolicy, AppraisalPolicyError
from youfu.policies.checker import load_policy
from youfu.policies.document import read_policy

D = Decimal
R3 = Path(__file__).resolve().parents[2] / "policies" / "reference" / "r3_staff_appraisal.yaml"


@pytest.fixture(scope="module")
def r3() -> AppraisalPolicy:
    return AppraisalPolicy.of(load_policy(R3))


def month(self_score: Any, dept: Any, supervisor: Any, **extra: Any) -> dict[str, Decimal]:
    values = {
        "self_score": D(str(self_score)),
        "dept_score": D(str(dept)),
        "supervisor_score": D(str(supervisor)),
        "other_items": D(0),
        "adopted_suggestions": D(0),
        "leave_days": D(0),
        "trainings_attended": D(0),
        "trainings_missed": D(0),
        "plan_days_late": D(0),
    }
    values.update({k: D(str(v)) for k, v in extra.items()})
    return values


def comp(self_score: Any, peers: Any, panel: Any) -> dict[str, Decimal]:
    return {"comp_self": D(str(self_score)), "comp_peers": D(str(peers)), "comp_panel": D(str(panel))}


def step(outcome: Any, name: str) -> Any:
    return next(s.value for s in outcome.steps if s.name == name)


def test_a_self_score_above_90_is_void_and_the_supervisors_minus_10_counts(r3: AppraisalPolicy) -> None:
    # self 92 > 90: void, counted as supervisor 85 − 10 = 75; (75·30 + 80·30 + 85·40) / 100 = 80.50.
    void = r3.month("2024-01", month(92, 80, 85))
    assert step(void, "self_counted") == D("75")
    assert void.monthly_score == D("80.50")
    # Exactly 90 is not "above 90" (突破90分): it counts. (90·30 + 80·30 + 85·40) / 100 = 85.00.
    assert r3.month("2024-01", month(90, 80, 85)).monthly_score == D("85.00")
    # 90.01 is above: void again.
    assert r3.month("2024-01", month("90.01", 80, 85)).monthly_score == D("80.50")


def test_extras_and_deductions_go_onto_the_weighted_monthly_score(r3: AppraisalPolicy) -> None:
    # (88·30 + 85·30 + 90·40) / 100 = 87.90; one other task +8, one adopted suggestion +10, 1.5 days of
    # leave −3, two trainings +2, one missed −2, three days late −3: 87.90 + 12 = 99.90.
    got = r3.month(
        "2024-01",
        month(
            88,
            85,
            90,
            other_items=1,
            adopted_suggestions=1,
            leave_days="1.5",
            trainings_attended=2,
            trainings_missed=1,
            plan_days_late=3,
        ),
    )
    assert got.monthly_score == D("99.90")


def test_quarter_is_60_percent_monthly_mean_plus_40_percent_comprehensive(r3: AppraisalPolicy) -> None:
    # Months 80.50 (self void), 85.00, 84.00: mean 249.50 / 3 = 83.1666666667 (10 places, half up).
    # Comprehensive (80·30 + 74·30 + 78·40) / 100 = 77.40. Quarter (83.1666666667·60 + 77.40·40) / 100
    # = (4990.000000002 + 3096) / 100 = 80.8600000000 → 良, on whose bonus the seed is silent.
    outcome = r3.appraise(
        [("2024-01", month(92, 80, 85)), ("2024-02", month(90, 80, 85)), ("2024-03", month(84, 84, 84))],
        comp(80, 74, 78),
    )
    assert outcome.monthly_mean == D("83.1666666667")
    assert outcome.comprehensive == D("77.4")
    assert outcome.score == D("80.8600000000")
    assert outcome.score_shown == D("80.86")
    assert outcome.grade == "良"
    assert outcome.bonus_items is None  # silent: no bonus items, never a guess


def test_the_engines_worked_example_gives_the_same_91_74(r3: AppraisalPolicy) -> None:
    # youfu/engine/tests/test_policies.py: self 88, dept 95, supervisor 95 each month, comprehensive 90.
    m = month(88, 95, 95)
    outcome = r3.appraise([("1", m), ("2", m), ("3", m)], comp(90, 90, 90))
    assert (outcome.score, outcome.grade, outcome.bonus_items) == (D("91.74"), "优", ("a", "b", "c"))


@pytest.mark.parametrize(
    ("score", "grade", "items"),
    [
        ("85", "优", ("a", "b", "c")),
        ("84.99", "良", None),
        ("80", "良", None),
        ("79.99", "合格", ("a", "b")),
        ("75", "合格", ("a", "b")),
        ("74.99", "一般", None),
        ("65", "一般", None),
        ("64.99", "不合格", ()),
        ("64.5", "不合格", ()),
        ("64", "不合格", ()),
    ],
)
def test_grade_boundaries_85_80_75_65_64(r3: AppraisalPolicy, score: str, grade: str, items: Any) -> None:
    # Every rater and every month at the same score gives exactly that quarter score.
    m = month(score, score, score)
    outcome = r3.appraise([("1", m), ("2", m), ("3", m)], comp(score, score, score))
    assert outcome.score == D(score)
    assert outcome.grade == grade
    assert outcome.bonus_items == items


def test_the_grade_is_read_from_the_exact_score(r3: AppraisalPolicy) -> None:
    # 0.6·85 + 0.4·84.99 = 84.996: shown 85.00 but below 85, so 良 (the policy grades the exact score).
    m = month(85, 85, 85)
    outcome = r3.appraise([("1", m), ("2", m), ("3", m)], comp("84.99", "84.99", "84.99"))
    assert outcome.score == D("84.996")
    assert (outcome.score_shown, outcome.grade) == (D("85.00"), "良")


def test_leave_and_training_pay_rules_are_reported_when_they_apply(r3: AppraisalPolicy) -> None:
    a = month(80, 80, 80, leave_days=2, trainings_missed=1)
    b = month(80, 80, 80, leave_days=1, trainings_missed=1)
    outcome = r3.appraise([("1", a), ("2", b)], comp(80, 80, 80))
    assert [rule for rule, _seed in outcome.rules] == ["leave_deduction", "training_deduction"]
    # (80 − 4 − 2) and (80 − 2 − 2): mean 75; quarter 0.6·75 + 0.4·80 = 77.
    assert (outcome.monthly_mean, outcome.score, outcome.grade) == (D(75), D(77), "合格")


def test_silent_cases_and_bands_come_from_the_policy(r3: AppraisalPolicy) -> None:
    assert r3.silent_cases == ("良", "一般")
    assert r3.band_text()[0] == ("优", "≥ 85")
    assert r3.weights["w_self"] == D(30) and r3.weights["w_monthly"] == D(60)


def test_weights_that_do_not_add_up_are_refused() -> None:
    text = R3.read_text(encoding="utf-8").replace(
        "      - id: w_supervisor\n        weight: 40", "      - id: w_supervisor\n        weight: 30"
    )
    policy, _findings = read_policy("bad.yaml", text=text, name="bad.yaml")
    assert policy is not None
    with pytest.raises(AppraisalPolicyError, match="30 \\+ 30 \\+ 30 = 90, not 100"):
        AppraisalPolicy.of(policy)
