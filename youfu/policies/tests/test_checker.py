"""One test per kind of finding, each on a small policy written to a temporary file."""

from __future__ import annotations

from pathlib import Path

from youfu.policies.checker import check_policy
from youfu.policies.findings import Finding, Severity
from youfu.policies.tests.helpers import FIRST, HEADER, check, document, position, where


def _at(
    text: str, needle: str, severity: str, code: str, occurrence: int = 1, *, skip: int = 0
) -> tuple[int, int, str, str]:
    """The expected finding at the ``occurrence``-th ``needle`` (``skip`` characters into it)."""
    line, column = position(text, needle, occurrence)
    return line, column + skip, severity, code


def test_a_valid_policy_has_no_findings(tmp_path: Path) -> None:
    assert check(tmp_path) == []


def test_finding_prints_as_file_line_column_severity_message_code() -> None:
    finding = Finding("p.yaml", 3, 7, Severity.ERROR, "unknown_key", "unknown key 'x'")

    assert str(finding) == "p.yaml:3:7: error: unknown key 'x' [unknown_key]"


# -- the file and its shape --------------------------------------------------------------------------


def test_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    findings = check_policy(tmp_path / "missing.yaml")

    assert where(findings) == [(1, 1, "error", "file")]
    assert findings[0].message.startswith("cannot read the policy: ")


def test_not_yaml_gives_the_position_and_a_hint(tmp_path: Path) -> None:
    text = document("description: 财务部: 成本意识\n")

    findings = check(tmp_path, text=text)

    assert where(findings) == [_at(text, ": 成本意识", "error", "yaml")]
    assert findings[0].message == (
        "not valid YAML: mapping values are not allowed here; a value containing ': ' (colon and space) "
        "must be in quotes, or a block after |"
    )


def test_tabs_get_a_hint(tmp_path: Path) -> None:
    findings = check(tmp_path, text=HEADER + "rules:\n\t- id: x\n")

    assert [(f.line, f.code) for f in findings] == [(FIRST + 1, "yaml")]
    assert findings[0].message.endswith("; indent with spaces, not tabs")


def test_an_empty_file(tmp_path: Path) -> None:
    findings = check(tmp_path, text="")

    assert [(f.line, f.column, f.code, f.message) for f in findings] == [
        (1, 1, "missing_key", "the policy file is empty")
    ]


def test_unknown_keys_are_errors_with_a_did_you_mean(tmp_path: Path) -> None:
    text = document(
        """\
        inputs:
          - name: score
            tpye: number
        """
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        (FIRST + 1, 5, "error", "missing_key"),
        _at(text, "tpye", "error", "unknown_key"),
    ]
    assert findings[0].message == "input 'score' has no 'type'"
    assert findings[1].message == "unknown key 'tpye' in input 'score'; did you mean 'type'?"


def test_missing_required_keys_are_reported_where_the_mapping_starts(tmp_path: Path) -> None:
    text = "schema: 1\nid: x\nname: x\nversion: 1\n"

    findings = check(tmp_path, text=text)

    assert [(f.line, f.column, f.code, f.message) for f in findings] == [
        (1, 1, "missing_key", "policy 'x' has no 'effective'"),
        (1, 1, "missing_key", "policy 'x' has no 'periods'"),
        (1, 1, "missing_key", "policy 'x' has no 'rules'"),
        (1, 1, "missing_key", "policy 'x' has no 'subjects'"),
    ]


def test_a_key_given_twice(tmp_path: Path) -> None:
    text = document("name: again\n")

    findings = check(tmp_path, text=text)

    assert where(findings) == [_at(text, "name: again", "error", "duplicate_key")]
    assert findings[0].message == "key 'name' is given twice in policy 'test_policy' (first at line 3)"


def test_values_of_the_wrong_kind(tmp_path: Path) -> None:
    text = document(
        """\
        weights:
          - id: split
            total: 100%
            parts:
              - id: a
                weight: "60"
              - id: b
                weight: 40
        """
    ).replace("  unit: quarter", "  unit: quartre")

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        _at(text, "quartre", "error", "bad_value"),
        _at(text, "100%", "error", "bad_value"),
        _at(text, '"60"', "error", "bad_value"),
    ]
    assert [finding.message for finding in findings] == [
        "periods unit 'quartre' is not one of month, quarter, half, year, custom; did you mean 'quarter'?",
        "weights 'split' total must be a number, got '100%'; write 100 without %, and put % in unit",
        "weight of 'a' must be a number, got '60'; write 60 without quotes",
    ]


def test_names_must_be_names_and_not_words_of_the_formula_language(tmp_path: Path) -> None:
    text = document(
        """\
        inputs:
          - name: 2nd_score
            type: number
          - name: round
            type: number
        """
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        _at(text, "2nd_score", "error", "bad_name"),
        _at(text, "name: round", "error", "bad_name"),
    ]
    assert findings[1].message == "'round' is a function of the formula language; choose another name"


# -- names and types in formulas ---------------------------------------------------------------------


def test_formula_syntax_errors_point_into_the_file(tmp_path: Path) -> None:
    text = document(
        """\
        inputs:
          - name: score
            type: number
        rules:
          - id: r
            subject: outlet
            when: score >= 90 and
            points: 1
        """
    )

    findings = check(tmp_path, text=text)

    line, column = position(text, "and\n")
    assert where(findings) == [(line, column + 3, "error", "syntax")]
    assert findings[0].message.startswith("rule 'r' when: unexpected end of formula; expected ")


def test_unknown_names_with_a_did_you_mean(tmp_path: Path) -> None:
    text = document(
        """\
        inputs:
          - name: score
            type: number
        rules:
          - id: r
            subject: outlet
            when: scroe >= 90
            points: rnak(score)
        """
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        _at(text, "scroe", "error", "unknown_name"),
        _at(text, "rnak", "error", "unknown_function"),
    ]
    assert findings[0].message == "rule 'r' when: unknown name 'scroe'; did you mean 'score'?"
    assert findings[1].message == "rule 'r' points: unknown function 'rnak'; did you mean 'rank'?"


def test_a_name_declared_later_or_for_another_subject_cannot_be_used(tmp_path: Path) -> None:
    text = document(
        """\
        subjects:
          - id: outlet
            kind: unit
            level: outlet
          - id: person
            kind: person
        values:
          - name: early
            formula: late + 1
          - name: late
            formula: 1
        rules:
          - id: a
            subject: outlet
            points: b_points
          - id: b
            subject: outlet
            points: 1
          - id: c
            subject: person
            points: a_points
        """
    ).replace("subjects:\n  - id: outlet\n    kind: unit\n    level: outlet\n", "", 1)

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        _at(text, "late + 1", "error", "unknown_name"),
        _at(text, "b_points", "error", "unknown_name"),
        _at(text, "a_points", "error", "unknown_name"),
    ]
    assert findings[0].message == (
        f"value 'early': 'late' is the value (line {position(text, 'name: late')[0]}), which cannot be "
        "used here: each part of a policy sees only the parts before it (constants, phases, inputs, "
        "weights, values, grades, tables, rules) and the values above it"
    )
    assert findings[1].message == (
        "rule 'a' points: 'b_points' is the points of rule 'b', which is not above this one: "
        "a rule can use only the outputs of rules above it"
    )
    assert findings[2].message == (
        "rule 'c' points: 'a_points' is the points of rule 'a', which goes to 'outlet': a rule can use "
        "only the outputs of rules above it with the same subject"
    )


def test_values_made_of_inputs_can_be_used_over_periods_and_others_cannot(tmp_path: Path) -> None:
    text = document(
        """\
        periods:
          unit: quarter
          spans:
            - id: months
              unit: month
              which: this_period
        inputs:
          - name: score
            type: number
        values:
          - name: doubled
            formula: score * 2
          - name: ranked
            formula: mean(score, over=months)
          - name: total
            formula: sum(doubled, over=months) + sum(ranked, over=months)
        """
    ).replace("periods:\n  unit: quarter\n", "", 1)

    findings = check(tmp_path, text=text)

    assert where(findings) == [_at(text, "ranked, over", "error", "unknown_name")]
    assert findings[0].message.startswith(
        "value 'total': 'ranked' cannot be used inside sum/mean/count(..., over=...)"
    )


def test_type_errors(tmp_path: Path) -> None:
    text = document(
        """\
        inputs:
          - name: score
            type: number
            default: "none"
        rules:
          - id: r
            subject: outlet
            when: score + 1
            amount: score > 90
            multipliers:
              - when: true
                factor: score = 1
        """
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        _at(text, '"none"', "error", "type"),
        _at(text, "score + 1", "error", "type"),
        _at(text, "score > 90", "error", "type"),
        _at(text, "score = 1", "error", "type"),
    ]
    assert [finding.message for finding in findings] == [
        "input 'score' is number but its default is text",
        "rule 'r' when must give a condition (true/false), got a number; compare it, e.g. score < target",
        "rule 'r' amount must give a number, got a condition (true/false); "
        "turn it into a number, e.g. if passed then 100 else 0",
        "rule 'r' multiplier factor must give a number, got a condition (true/false); "
        "turn it into a number, e.g. if passed then 100 else 0",
    ]


def test_texts_compared_with_a_phase_grade_or_choice_must_exist(tmp_path: Path) -> None:
    text = document(
        """\
        inputs:
          - name: kind
            type: text
            choices: [business, non_business]
        rules:
          - id: r
            subject: outlet
            when: kind = "busines"
            points: 1
        """
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [_at(text, '"busines"', "error", "unknown_text")]
    assert findings[0].message == (
        "rule 'r' when: input 'kind' has no 'busines' (it is one of business, non_business); "
        "did you mean 'business'?"
    )


def test_duplicate_rule_ids_and_names(tmp_path: Path) -> None:
    text = document(
        """\
        constants:
          score: 1
        inputs:
          - name: score
            type: number
        rules:
          - id: r
            subject: outlet
            points: 1
          - id: r
            subject: outlet
            points: 2
        """
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        _at(text, "name: score", "error", "duplicate_name"),
        _at(text, "id: r", "error", "duplicate_id", 2),
    ]
    assert findings[0].message == (
        f"the name 'score' is already used (the constant at line {FIRST + 1}); every name in a policy "
        "must be different"
    )
    assert findings[1].message == f"rule id 'r' is used twice (first at line {FIRST + 6})"


def test_unknown_subjects(tmp_path: Path) -> None:
    text = document(
        """\
        rules:
          - id: r
            subject: outlet
            points: -3
            also:
              - subject: outlet_haed
                points: -4
        """
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [_at(text, "outlet_haed", "error", "unknown_reference")]
    assert findings[0].message == "rule 'r': unknown subject 'outlet_haed'; did you mean 'outlet'?"


# -- weights -----------------------------------------------------------------------------------------


def test_weights_that_do_not_add_up_to_the_total_or_to_their_part(tmp_path: Path) -> None:
    text = document(
        """\
        weights:
          - id: split
            total: 100
            parts:
              - id: qualitative
                weight: 45
              - id: quantitative
                weight: 55
                parts:
                  - id: a
                    weight: 15
                  - id: b
                    weight: 20
          - id: ratio
            total: 10
            parts:
              - id: results
                weight: 7
              - id: duties
                weight: -4
        """
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        _at(text, "parts:", "error", "weights_sum", 2),
        _at(text, "parts:", "error", "weights_sum", 3),
        _at(text, "-4", "error", "bad_value"),
    ]
    assert [finding.message for finding in findings] == [
        f"weights 'split' › 'quantitative': the parts a 15 + b 20 add up to 35, not 55 "
        f"(the weight of 'quantitative' at line {FIRST + 7})",
        f"weights 'ratio': the parts results 7 + duties -4 add up to 3, not 10 "
        f"(the group's total at line {FIRST + 14})",
        "weights 'ratio': weight of 'duties' is negative (-4)",
    ]


# -- grade bands -------------------------------------------------------------------------------------


def _grades(bands: str, scale: str = "decimal", extra: str = "") -> str:
    return document(
        "inputs:\n  - name: score\n    type: number\n"
        f"grades:\n  - id: grade\n    score: score\n    scale: {scale}\n{extra}    bands:\n{bands}"
    )


def test_grade_bands_that_leave_a_gap_on_a_decimal_scale(tmp_path: Path) -> None:
    text = _grades(
        "      - {label: 优, at_least: 85}\n"
        "      - {label: 良, at_least: 80, at_most: 84}\n"
        "      - {label: 合格, less_than: 80}\n"
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [_at(text, "at_most: 84", "error", "grade_gap")]
    assert "a score above 84 and below 85 (e.g. 84.5) gets no grade" in findings[0].message


def test_the_same_bands_on_an_integer_scale_have_no_gap(tmp_path: Path) -> None:
    text = _grades(
        "      - {label: 优, at_least: 85}\n"
        "      - {label: 良, at_least: 80, at_most: 84}\n"
        "      - {label: 合格, at_most: 79}\n",
        scale="integer",
    )

    assert check(tmp_path, text=text) == []


def test_an_integer_scale_still_has_gaps_of_whole_points(tmp_path: Path) -> None:
    text = _grades(
        "      - {label: 优, at_least: 85}\n      - {label: 良, at_most: 82}\n",
        scale="integer",
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [_at(text, "at_most: 82", "error", "grade_gap")]
    assert findings[0].message.startswith(
        "grades 'grade': a score from 83 to 84 gets no grade: it falls between 良 (82 or less) "
        "and 优 (85 or more)"
    )


def test_grade_bands_that_overlap(tmp_path: Path) -> None:
    text = _grades(
        "      - {label: 优, at_least: 85}\n"
        "      - {label: 良, at_least: 80, at_most: 85}\n"
        "      - {label: 合格, less_than: 80}\n"
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [_at(text, "at_least: 85", "error", "grade_overlap")]
    assert (
        findings[0].message
        == "grades 'grade': 良 (80 to 85) and 优 (85 or more) overlap: a score of 85 falls in both"
    )


def test_grade_bands_must_reach_the_scores_range_and_not_be_empty(tmp_path: Path) -> None:
    text = _grades(
        "      - {label: 优, at_least: 85, at_most: 90}\n"
        "      - {label: 空, more_than: 70, less_than: 70}\n"
        "      - {label: 合格, at_least: 10, less_than: 85}\n",
        extra="    min: {at_least: 0}\n    max: {at_most: 100}\n",
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        _at(text, "at_most: 90", "error", "grade_gap"),
        _at(text, "{label: 空", "error", "empty_band"),
        _at(text, "at_least: 10", "error", "grade_gap"),
    ]
    assert [finding.message for finding in findings] == [
        "grades 'grade': a score above 90 and at most 100 gets no grade: it is above every band "
        "(the highest is 优 (85 to 90)); add a band for it, or give the score's max if it cannot be "
        "that high",
        "grades 'grade': band 空 (above 70, below 70) contains no score",
        "grades 'grade': a score at least 0 and below 10 gets no grade: it is below every band "
        "(the lowest is 合格 (10 or more, below 85)); add a band for it, or give the score's min if it "
        "cannot be that low",
    ]


# -- cases tables ------------------------------------------------------------------------------------


def _table(rows: str) -> str:
    return _grades(
        "      - {label: 优, at_least: 85}\n      - {label: 良, at_least: 80, less_than: 85}\n"
        "      - {label: 不合格, less_than: 80}\n"
    ) + ("tables:\n  - id: bonus\n    by: grade\n    rows:\n" + rows)


def test_a_silent_case_is_a_warning_and_a_missing_case_an_error(tmp_path: Path) -> None:
    text = _table("      - case: 优\n        value: 300\n      - case: 良\n        silent: true\n")

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        _at(text, "rows:", "error", "missing_case"),
        _at(text, "case: 良", "warning", "silent_case"),
    ]
    assert findings[0].message == (
        "table 'bonus' gives nothing for '不合格' of grade 'grade': add a row 'case: 不合格' with its value, "
        "or with 'silent: true' and the seed's words if the seed says nothing"
    )
    assert findings[1].message == (
        "table 'bonus': the seed is silent on '良'; the policy must say: write its value and remove "
        "silent: true once the office decides"
    )


def test_cases_that_are_not_grades_repeat_or_have_no_value(tmp_path: Path) -> None:
    text = _table(
        "      - {case: 优, value: 300}\n"
        "      - {case: 良, value: 200}\n"
        "      - {case: 良, value: 100}\n"
        "      - {case: 不及格, value: 0}\n"
        "      - {case: 不合格}\n"
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        _at(text, "{case: 良, value: 100", "error", "duplicate_case"),
        _at(text, "{case: 不及格", "error", "unknown_case"),
        _at(text, "{case: 不合格}", "error", "missing_key"),
    ]
    assert findings[1].message == (
        "table 'bonus': '不及格' is not a case of grade 'grade' (it has 优, 良, 不合格); "
        "did you mean '不合格'?"
    )
    assert findings[2].message == (
        "table 'bonus' case '不合格' needs a value, or silent: true where the seed says nothing"
    )


def test_a_silent_case_must_not_also_have_a_value_and_rows_must_have_the_tables_type(tmp_path: Path) -> None:
    text = _table(
        "      - {case: 优, value: 300}\n"
        "      - {case: 良, silent: true, value: 1}\n"
        "      - {case: 不合格, value: '\"无\"'}\n"
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        _at(text, "{case: 良", "warning", "silent_case"),
        _at(text, "value: 1}", "error", "bad_value"),
        _at(text, '"无"\'}', "error", "type"),
    ]
    assert findings[1].message == (
        "table 'bonus' case '良' is silent and has a value: once the office decides, write the value and "
        "remove silent: true"
    )
    assert (
        findings[2].message
        == "table 'bonus' case '不合格' must give a number, got a text; write numbers without quotes"
    )


def test_a_table_by_something_that_is_not_a_grade(tmp_path: Path) -> None:
    text = document(
        """\
        inputs:
          - name: kind
            type: text
        tables:
          - id: t
            by: kind
            rows:
              - {case: a, value: 1}
          - id: u
            by: grades
            rows:
              - {case: a, value: 1}
        """
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        _at(text, "by: kind", "error", "unknown_reference", skip=4),
        _at(text, "by: grades", "error", "unknown_reference", skip=4),
    ]
    assert findings[0].message.startswith("table 't' is chosen by input 'kind', which has no choices")


# -- phases ------------------------------------------------------------------------------------------


def test_phases_that_overlap_or_leave_days_uncovered(tmp_path: Path) -> None:
    text = document().replace(
        "periods:\n  unit: quarter\n",
        "periods:\n  unit: year\n  phase_by: start\n  phases:\n"
        "    - {id: p1, from: 2024-01-05, to: 2024-04-30}\n"
        "    - {id: p2, from: 2024-04-20, to: 2024-08-31}\n"
        "    - {id: p3, from: 2024-09-03, to: 2024-12-30}\n",
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        _at(text, "2024-01-05", "error", "phase_gap"),
        _at(text, "2024-04-20", "error", "phase_overlap"),
        _at(text, "2024-09-03", "error", "phase_gap"),
        _at(text, "2024-12-30", "error", "phase_gap"),
    ]
    assert [finding.message for finding in findings] == [
        "no phase covers 2024-01-01 to 2024-01-04 (4 days): the policy is effective from 2024-01-01 "
        "but the first phase, 'p1', starts 2024-01-05",
        "phases 'p1' (2024-01-05 to 2024-04-30) and 'p2' (2024-04-20 to 2024-08-31) overlap on "
        "2024-04-20 to 2024-04-30 (11 days)",
        "no phase covers 2024-09-01 to 2024-09-02 (2 days): phase 'p2' ends 2024-08-31 and phase 'p3' "
        "starts 2024-09-03",
        "no phase covers 2024-12-31 to 2024-12-31 (1 day): the last phase, 'p3', ends 2024-12-30 but "
        "the policy is effective to 2024-12-31",
    ]


def test_phases_in_a_policy_without_an_end_date_leave_the_days_after_uncovered(tmp_path: Path) -> None:
    text = (
        document()
        .replace("  to: 2024-12-31\n", "", 1)
        .replace(
            "  unit: quarter\n", "  unit: year\n  phases:\n    - {id: p1, from: 2024-01-01, to: 2024-12-31}\n"
        )
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [_at(text, "2024-12-31", "error", "phase_gap")]
    assert findings[0].message == (
        "no phase covers the days after 2024-12-31: the last phase, 'p1', ends then but the policy has "
        "no end date; give effective to"
    )


def test_a_quarter_in_two_phases_needs_phase_by(tmp_path: Path) -> None:
    phases = (
        "    - {id: p1, from: 2024-01-01, to: 2024-04-30, values: {target: 92}}\n"
        "    - {id: p2, from: 2024-05-01, to: 2024-12-31, values: {target: 95}}\n"
    )
    text = HEADER + "  phases:\n" + phases + "rules:\n  - {id: r, subject: outlet, points: target}\n"

    findings = check(tmp_path, text=text)

    assert where(findings) == [_at(text, "phases:", "error", "phase_by")]
    assert findings[0].message == (
        "the quarter 2024-04-01 to 2024-06-30 (91 days) falls in phases 'p1' and 'p2': say whose values "
        "apply with periods phase_by: start, end or most_days"
    )
    decided = text.replace("  phases:\n", "  phase_by: most_days\n  phases:\n")
    assert check(tmp_path, text=decided) == []


def test_every_phase_gives_the_same_values_within_the_effective_dates(tmp_path: Path) -> None:
    text = HEADER.replace("unit: quarter", "unit: custom") + (
        "  phase_by: start\n  phases:\n"
        "    - {id: p1, from: 2024-01-01, to: 2024-06-30, values: {target: 92}}\n"
        "    - {id: p2, from: 2024-07-01, to: 2025-01-31, values: {goal: 95}}\n"
        "rules:\n  - {id: r, subject: outlet, points: 1}\n"
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [
        _at(text, "2024-07-01", "error", "phase_outside"),
        _at(text, "values: {goal", "error", "phase_values"),
        _at(text, "goal", "error", "phase_values"),
    ]
    assert [finding.message for finding in findings] == [
        "phase 'p2' (2024-07-01 to 2025-01-31) is not within the policy's effective dates "
        "(2024-01-01 to 2024-12-31)",
        "phase 'p2' has no value 'target' (phase 'p1' has one)",
        "phase 'p2' has a value 'goal' that phase 'p1' does not have",
    ]


# -- spans, open questions ---------------------------------------------------------------------------


def test_a_span_of_this_period_must_be_shorter_than_the_period(tmp_path: Path) -> None:
    text = document().replace(
        "  unit: quarter\n", "  unit: quarter\n  spans:\n    - {id: s, unit: year, which: this_period}\n"
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [_at(text, "{id: s", "error", "bad_value")]
    assert findings[0].message == (
        "span 's': the years of this period need a unit shorter than the policy's period (quarter)"
    )


def test_open_questions_are_warnings_until_the_office_decides(tmp_path: Path) -> None:
    text = document(
        """\
        open_questions:
          - about: rule base
            seed: 每差1分考核200元
            question: short of what?
            reading: the phase target
        """
    )

    findings = check(tmp_path, text=text)

    assert where(findings) == [_at(text, "about: rule base", "warning", "open_question")]
    assert findings[0].message == (
        "open question (rule base): short of what? meanwhile this file reads it as: the phase target; "
        "the office must decide"
    )
