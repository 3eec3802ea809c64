"""The reference policies R1, R2, R3, R5 as the checker sees them: exactly the findings each should have."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from youfu.formula import to_source
from youfu.policies.checker import PolicyError, check_policy, load_policy
from youfu.policies.findings import Finding, Severity
from youfu.policies.tests.helpers import REFERENCE, check, line_of, position, r5_error, where

R1 = REFERENCE / "r1_mystery_shopper.yaml"
R2 = REFERENCE / "r2_competition_100_days.yaml"
R3 = REFERENCE / "r3_staff_appraisal.yaml"
R5 = REFERENCE / "r5_department_weights.yaml"


def _open_questions(path: Path) -> list[tuple[int, int, str, str]]:
    """Every `- about:` entry of open_questions is one warning, at its first key."""
    text = path.read_text(encoding="utf-8")
    start = text.index("\nopen_questions:")
    lines = [text.count("\n", 0, index) + 1 for index in _all(text, "\n  - about:", start)]
    return [(line + 1, 5, "warning", "open_question") for line in lines]


def _all(text: str, needle: str, start: int) -> list[int]:
    found, index = [], text.find(needle, start)
    while index >= 0:
        found.append(index)
        index = text.find(needle, index + 1)
    return found


def test_reference_policies_all_exist_and_none_other() -> None:
    assert sorted(path.name for path in REFERENCE.glob("*.yaml")) == [
        "r1_mystery_shopper.yaml",
        "r2_competition_100_days.yaml",
        "r3_staff_appraisal.yaml",
        "r4_deposit_performance_pay.yaml",
        "r5_department_weights.yaml",
        "star_tellers.yaml",  # youfu/star_tellers (its own test checks the open questions)
    ]


def test_r4_passes_with_only_its_documented_open_questions() -> None:
    r4 = REFERENCE / "r4_deposit_performance_pay.yaml"

    findings = check_policy(r4)

    assert where(findings) == _open_questions(r4)
    assert len(findings) == 6


def test_r1_has_only_its_documented_open_questions() -> None:
    findings = check_policy(R1)

    assert where(findings) == _open_questions(R1)
    assert len(findings) == 7
    assert 'masked as "20xx"' in findings[0].message


def test_r2_has_only_its_documented_open_questions() -> None:
    findings = check_policy(R2)

    assert where(findings) == _open_questions(R2)
    assert len(findings) == 5


def test_r3_warns_that_the_seed_is_silent_on_the_bonus_of_liang_and_yiban() -> None:
    text = R3.read_text(encoding="utf-8")

    findings = check_policy(R3)

    silent = [finding for finding in findings if finding.code == "silent_case"]
    assert [(f.line, f.column, f.severity) for f in silent] == [
        (line_of(text, "      - case: 良"), 9, Severity.WARNING),
        (line_of(text, "      - case: 一般"), 9, Severity.WARNING),
    ]
    assert silent[0].message == (
        "table 'quarter_bonus': the seed is silent on '良'; the policy must say: write its value and "
        "remove silent: true once the office decides"
    )
    assert "'一般'" in silent[1].message
    rest = [finding for finding in findings if finding.code != "silent_case"]
    assert where(rest) == _open_questions(R3)
    assert all(finding.severity is Severity.WARNING for finding in findings)


def test_r5_is_rejected_because_15_20_5_5_is_45_not_55() -> None:
    text = R5.read_text(encoding="utf-8")
    parts_line, parts_column = r5_error()
    weight_line = text.count("\n", 0, text.index("        weight: 55", text.index("- id: quantitative"))) + 1

    findings = check_policy(R5)

    assert findings[0] == Finding(
        str(R5),
        parts_line,
        parts_column,
        Severity.ERROR,
        "weights_sum",
        "weights 'non_business_indicators' › 'quantitative' (定量指标): the parts internal_management 15 + "
        "service_quality 20 + security 5 + other_quantitative 5 add up to 45, not 55 "
        f"(the weight of 'quantitative' at line {weight_line})",
    )
    assert where(findings[1:]) == _open_questions(R5)
    with pytest.raises(PolicyError) as raised:
        load_policy(R5)
    assert [finding.code for finding in raised.value.findings if finding.severity is Severity.ERROR] == [
        "weights_sum"
    ]


def test_r5_with_the_split_made_consistent_passes_but_for_its_open_questions(tmp_path: Path) -> None:
    # One of the readings the office may choose: qualitative 55, quantitative 45.
    text = R5.read_text(encoding="utf-8")
    qualitative, quantitative = "weight: 45\n        seed: 其中定性", "weight: 55\n        seed: 其中定性"
    assert text.count(qualitative) == text.count(quantitative) == 1
    text = text.replace(qualitative, "QUALITATIVE").replace(quantitative, qualitative)
    text = text.replace("QUALITATIVE", quantitative)

    findings = check(tmp_path, text=text)

    assert {finding.code for finding in findings} == {"open_question"}


def test_r3_with_the_seed_bands_taken_literally_leaves_four_gaps(tmp_path: Path) -> None:
    # 评分标准:优85分以上,良84-80分,合格79-75分,一般74-65分,不合格64(含)分以下 — whole points, on a
    # score with decimals: 84.5, 79.5, 74.5 and 64.5 get no grade.
    text = R3.read_text(encoding="utf-8")
    for below, above in (("80", "85"), ("75", "80"), ("65", "75")):
        text = text.replace(
            f"        at_least: {below}\n        less_than: {above}\n",
            f"        at_least: {below}\n        at_most: {int(above) - 1}\n",
        )
    text = text.replace("        less_than: 65\n", "        at_most: 64\n")

    findings = [finding for finding in check(tmp_path, text=text) if finding.code == "grade_gap"]

    assert [(f.line, f.column) for f in findings] == [
        position(text, "at_most: 84"),
        position(text, "at_most: 79"),
        position(text, "at_most: 74"),
        position(text, "at_most: 64"),
    ]
    assert findings[0].message == (
        "grades 'grade': a score above 84 and below 85 (e.g. 84.5) gets no grade: it falls between "
        "良 (80 to 84) and 优 (85 or more); on a decimal scale write 良 as less_than: 85 instead of "
        "at_most: 84, or say scale: integer if the score is always a whole number"
    )
    assert "a score above 64 and below 65 (e.g. 64.5)" in findings[3].message

    # On a score of whole points the same bands are complete.
    integer = text.replace("    scale: decimal", "    scale: integer")
    assert [f for f in check(tmp_path, text=integer) if f.code.startswith("grade_")] == []


def test_r1_loads_as_data() -> None:
    policy = load_policy(R1)

    assert policy.id == "r1_mystery_shopper"
    assert policy.version == 1
    assert [(p.id, str(p.start), str(p.end), p.values[0].value) for p in policy.periods.phases] == [
        ("phase1", "2024-01-01", "2024-04-30", Decimal(92)),
        ("phase2", "2024-05-01", "2024-08-31", Decimal(95)),
        ("phase3", "2024-09-01", "2024-12-31", Decimal(98)),
    ]
    assert policy.periods.phase_by == "most_days"
    rules = {rule.id: rule for rule in policy.rules}
    phase_3 = rules["phase_3_bottom"]
    assert phase_3.subject == "outlet_head"
    assert phase_3.amount is not None and phase_3.amount.tree is not None
    assert to_source(phase_3.amount.tree) == (
        "-((if bottom(score, 100, within=province) then 2000 else 1000) + (98 - score) * per_point)"
    )
    assert [m.factor.text for m in phase_3.multipliers if m.factor] == ["2"]


def test_r2_cascades_one_video_violation_to_three_subjects() -> None:
    policy = load_policy(R2)

    rule = next(rule for rule in policy.rules if rule.id == "video_violation")

    assert rule.subject == "person"
    assert rule.points is not None and rule.points.text == "-3 * video_violations"
    assert [(share.subject, share.points.text if share.points else "") for share in rule.also] == [
        ("department", "-5 * video_violations"),
        ("outlet_head", "-4 * video_violations"),
    ]


def test_r3_bonus_table_is_data_with_its_silent_cases() -> None:
    policy = load_policy(R3)

    table = policy.tables[0]

    assert [(row.case, row.value.text if row.value else None, row.silent) for row in table.rows] == [
        ("优", "bonus_a + bonus_b + bonus_c", False),
        ("良", None, True),
        ("合格", "bonus_a + bonus_b", False),
        ("一般", None, True),
        ("不合格", "0", False),
    ]
    bands = policy.grades[0].bands
    assert [(b.label, b.lower and (b.lower.value, b.lower.inclusive)) for b in bands][:2] == [
        ("优", (Decimal(85), True)),
        ("良", (Decimal(80), True)),
    ]
