"""The checker: every kind of mistake is reported with its line, column and a way to fix it."""

from __future__ import annotations

import pytest

from youfu.formula import FormulaError, Type, check, parse

NAMES = {
    "score": Type.NUMBER,
    "target": Type.NUMBER,
    "self_score": Type.NUMBER,
    "supervisor_score": Type.NUMBER,
    "exempt": Type.BOOL,
    "grade": Type.TEXT,
    "得分": Type.NUMBER,
}
SCOPES = ("region", "province", "sub_branch")
PERIODS = ("quarter", "year")


def check_text(text: str) -> Type:
    return check(parse(text), NAMES, scopes=SCOPES, periods=PERIODS, source=text)


@pytest.mark.parametrize(
    ("text", "type_"),
    [
        ("if score < target then 1000 + (target - score) * 200 else 0", Type.NUMBER),
        ("clip(self_score, 0, 100) * 0.3 + supervisor_score * 0.7", Type.NUMBER),
        ("rank(score, within=province, order=desc) <= 200", Type.BOOL),
        ("top(score, 2, within=region) and score >= target", Type.BOOL),
        ("bottom(score, 2)", Type.BOOL),
        ("round(score, 2) + round(score) + min(score, 1) + max(score, 1, 2) + abs(-score)", Type.NUMBER),
        ("safe_div(score, target, 0)", Type.NUMBER),
        ("sum(score, over=year) + mean(score, over=quarter) + count(score >= 95, over=year)", Type.NUMBER),
        ("not exempt", Type.BOOL),
        ('if score >= 85 then "优" else "良"', Type.TEXT),
        ('grade in ("优", "良")', Type.BOOL),
        ("exempt = false", Type.BOOL),
        ("得分 * 2", Type.NUMBER),
    ],
)
def test_check_returns_the_type_of_a_valid_formula(text: str, type_: Type) -> None:
    assert check_text(text) is type_


@pytest.mark.parametrize(
    ("text", "code", "line", "column", "message"),
    [
        (
            "scroe + 1",
            "unknown_name",
            1,
            1,
            "unknown name 'scroe' at line 1, column 1; did you mean 'score'?",
        ),
        (
            "if score < 90 then 1 else scroe",
            "unknown_name",
            1,
            27,
            "unknown name 'scroe' at line 1, column 27; did you mean 'score'?",
        ),
        (
            "zzz",
            "unknown_name",
            1,
            1,
            "unknown name 'zzz' at line 1, column 1; "
            "known: exempt, grade, score, self_score, supervisor_score, target, 得分",
        ),
        (
            "score + region",
            "unknown_name",
            1,
            9,
            "unknown name 'region' at line 1, column 9; "
            "'region' is a scope, not a value: use it as within=region",
        ),
        (
            "rank + 1",
            "unknown_name",
            1,
            1,
            "unknown name 'rank' at line 1, column 1; "
            "'rank' is a function: rank(x, within=<scope>, order=desc|asc)",
        ),
        (
            "rnak(score)",
            "unknown_function",
            1,
            1,
            "unknown function 'rnak' at line 1, column 1; did you mean 'rank'?",
        ),
        ("score(1)", "unknown_function", 1, 1, "'score' is a value, not a function at line 1, column 1"),
        (
            "round(score, 2, 3)",
            "arity",
            1,
            1,
            "round() takes 1 or 2 arguments, got 3 at line 1, column 1; usage: round(x, places)",
        ),
        ("abs()", "arity", 1, 1, "abs() takes 1 argument, got 0 at line 1, column 1; usage: abs(x)"),
        (
            "1 + max(score)",
            "arity",
            1,
            5,
            "max() takes at least 2 arguments, got 1 at line 1, column 5; usage: max(a, b, ...)",
        ),
        (
            "rank(score, over=year)",
            "keyword",
            1,
            13,
            "rank() has no keyword 'over' at line 1, column 13; "
            "it takes within=, order=; to compare, write (over = ...)",
        ),
        (
            "abs(score = 1)",
            "keyword",
            1,
            5,
            "abs() has no keyword 'score' at line 1, column 5; it takes no keywords; "
            "to compare, write (score = ...)",
        ),
        (
            "rank(score, within=region, within=province)",
            "keyword",
            1,
            28,
            "keyword 'within' is given twice at line 1, column 28",
        ),
        (
            "rank(score, within=regoin)",
            "keyword",
            1,
            20,
            "unknown scope 'regoin' at line 1, column 20; did you mean 'region'?",
        ),
        (
            "rank(score, within=1 + 1)",
            "keyword",
            1,
            22,
            "within= takes a scope name, not an expression at line 1, column 22; "
            "known: province, region, sub_branch",
        ),
        (
            "rank(score, order=up)",
            "keyword",
            1,
            19,
            "unknown order 'up' at line 1, column 19; known: asc, desc",
        ),
        (
            "sum(score)",
            "keyword",
            1,
            1,
            "sum() needs over= at line 1, column 1; usage: sum(x, over=<period>)",
        ),
        (
            "sum(score, over=yaer)",
            "keyword",
            1,
            17,
            "unknown period 'yaer' at line 1, column 17; did you mean 'year'?",
        ),
        (
            "sum(mean(score, over=quarter), over=year)",
            "keyword",
            1,
            5,
            "mean(..., over=) inside another over= is not supported at line 1, column 5",
        ),
        ("score + exempt", "type", 1, 7, "'+' needs two numbers, got number and bool at line 1, column 7"),
        ("-grade", "type", 1, 2, "'-' needs a number, got a text at line 1, column 2"),
        (
            "not score",
            "type",
            1,
            5,
            "'not' needs a condition, got a number at line 1, column 5; e.g. not exempt",
        ),
        (
            "exempt and score",
            "type",
            1,
            12,
            "'and' needs a condition on its right, got a number at line 1, column 12; "
            "compare it, e.g. score >= 90",
        ),
        (
            "if score then 1 else 0",
            "type",
            1,
            4,
            "the condition after 'if' must be true or false, got a number at line 1, column 4; "
            "compare it, e.g. if score < target then ...",
        ),
        (
            'if exempt then 0 else "none"',
            "type",
            1,
            23,
            "'then' gives a number but 'else' gives a text at line 1, column 23; "
            "both branches must give the same type",
        ),
        (
            'score = "90"',
            "type",
            1,
            7,
            "'=' compares a number with a text at line 1, column 7; write numbers without quotes",
        ),
        ('grade < "优"', "type", 1, 7, "'<' compares numbers, got text and text at line 1, column 7"),
        (
            "score in (1, exempt)",
            "type",
            1,
            14,
            "'in' compares a number with a condition (true/false) at line 1, column 14",
        ),
        (
            "clip(score, exempt, 100)",
            "type",
            1,
            13,
            "argument 2 of clip() must be a number, got a condition (true/false) at line 1, column 13; "
            "usage: clip(x, low, high)",
        ),
        (
            "count(score, over=year)",
            "type",
            1,
            7,
            "argument 1 of count() must be a condition (true/false), got a number at line 1, column 7; "
            "usage: count(condition, over=<period>)",
        ),
        (
            "round(score, target)",
            "type",
            1,
            14,
            "round() places must be a whole number written out at line 1, column 14; e.g. round(x, 2)",
        ),
        (
            "round(score, 2.5)",
            "type",
            1,
            14,
            "round() places must be a whole number written out at line 1, column 14; e.g. round(x, 2)",
        ),
        ("round(score, 11)", "type", 1, 14, "round() to 11 places at line 1, column 14; at most 10 places"),
        (
            "score +\n  (target -\n   exempt)",
            "type",
            2,
            11,
            "'-' needs two numbers, got number and bool at line 2, column 11",
        ),
    ],
)
def test_check_reports_each_mistake_with_its_position(
    text: str, code: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(FormulaError) as caught:
        check_text(text)
    error = caught.value
    assert error.message == message
    assert (error.code, error.line, error.column) == (code, line, column)


def test_check_error_carries_the_source_snippet() -> None:
    with pytest.raises(FormulaError) as caught:
        check_text("score + scroe")
    assert caught.value.snippet == "score + scroe\n        ^"


def test_names_inside_over_come_from_the_period_inputs() -> None:
    tree = parse("sum(complaints, over=year) + score")
    periods = {"complaints": Type.NUMBER}
    assert check(tree, {"score": Type.NUMBER}, periods=["year"], period_names=periods) is Type.NUMBER
    with pytest.raises(FormulaError) as caught:
        check(parse("complaints"), {"score": Type.NUMBER}, periods=["year"], period_names=periods)
    assert caught.value.hint == (
        "'complaints' has values per period only: use it inside sum/mean/count(..., over=...)"
    )


def test_no_scopes_declared_is_said_plainly() -> None:
    with pytest.raises(FormulaError) as caught:
        check(parse("rank(score, within=region)"), {"score": Type.NUMBER})
    assert caught.value.message == "unknown scope 'region' at line 1, column 20; none are declared"
