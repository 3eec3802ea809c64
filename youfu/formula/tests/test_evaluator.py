"""The reference evaluator: R1 and R3 worked by hand, ranking with ties, history, errors, properties."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from youfu.core.money import CONTEXT, LIMIT, fixed, fixed_divide
from youfu.formula import Column, EvaluationError, FormulaError, Frame, Type, evaluate, parse


def D(value: str) -> Decimal:
    return Decimal(value)


def decimals(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values)


def numbers(column: Column) -> list[Decimal]:
    assert all(isinstance(value, Decimal) for value in column)
    return [value for value in column if isinstance(value, Decimal)]


# R1 (seed 000 篇3): the mystery-shopper plan, money to the outlet head.

R1_PHASES_1_2 = "if score < target then 1000 + (target - score) * 200 else 0"


def test_r1_phase_penalty_is_1000_plus_200_per_point_below_target() -> None:
    frame = Frame({"score": decimals("93.5", "95", "96", "80", "91.25"), "target": [95, 95, 95, 95, 92]})
    result = evaluate(R1_PHASES_1_2, frame)
    assert result == (D("1300.0"), D("0"), D("0"), D("4000"), D("1150.00"))


R1_PHASE_3 = """
if rank(score, within=province) <= 200 or score >= 98 then 0
else if bottom(score, 100, within=province) then 2000 + (98 - score) * 200
else if bottom(score, 200, within=province) then 1000 + (98 - score) * 200
else 0
"""


def test_r1_phase_3_bottom_100_and_101_to_200_of_the_province_with_top_200_exempt() -> None:
    # P1 has 450 outlets scoring 100, 99.95, … 77.55 (row i scores 100 − 0.05 i, so its rank is i + 1
    # from the top and 450 − i from the bottom); P2 has three outlets, all in its own top 200.
    scores = [Decimal(100) - Decimal(i) * Decimal("0.05") for i in range(450)] + [D("80"), D("85"), D("90")]
    provinces = ["P1"] * 450 + ["P2"] * 3
    result = evaluate(R1_PHASE_3, Frame({"score": scores}, scopes={"province": provinces}))
    assert result[0] == 0  # 100: top of the province
    assert result[199] == 0  # 90.05: rank 200, exempt although below 98
    assert result[200] == 0  # 90.00: rank 201, but 250th from the bottom: neither band
    assert result[249] == 0  # 87.55: 201st from the bottom
    assert result[250] == D("3100.00")  # 87.50: 200th from the bottom: 1000 + 10.5 × 200
    assert result[349] == D("4090.00")  # 82.55: 101st from the bottom: 1000 + 15.45 × 200
    assert result[350] == D("5100.00")  # 82.50: 100th from the bottom: 2000 + 15.5 × 200
    assert result[449] == D("6090.00")  # 77.55: last: 2000 + 20.45 × 200
    assert result[450:] == (0, 0, 0)  # P2 is ranked on its own
    assert sum(1 for amount in numbers(result) if amount > 0) == 200


R1_REGION_BOTTOM_TWO = """
if rank(score, within=region, order=asc) = 1 then 500 + max(target - score, 0) * 200
else if rank(score, within=region, order=asc) = 2 then 300 + max(target - score, 0) * 200
else 0
"""


def test_r1_region_bottom_two_pay_500_and_300_plus_200_per_point_and_ties_share_a_place() -> None:
    frame = Frame(
        {"score": decimals("90", "93", "96", "97", "88", "88", "94"), "target": [95] * 7},
        scopes={"region": ["east"] * 4 + ["west"] * 3},
    )
    # east: 90 is last (500 + 5 × 200), 93 second to last (300 + 2 × 200).
    # west: the two 88s share the last place (1900 each); 94 is third from the bottom, not second.
    assert evaluate(R1_REGION_BOTTOM_TWO, frame) == decimals("1500", "700", "0", "0", "1900", "1900", "0")


def test_r1_top_two_of_the_region_meeting_the_target_get_500() -> None:
    frame = Frame(
        {"score": decimals("96", "94", "95", "99", "97", "97", "97")},
        scopes={"region": ["east", "east", "east", "west", "west", "west", "west"]},
    )
    rule = "if top(score, 2, within=region) and score >= 95 then 500 else 0"
    # east: 96 and 95 are the top two; 94 is not. west: 99 first, the three 97s share second: all in.
    assert evaluate(rule, frame) == decimals("500", "0", "500", "500", "500", "500", "500")


def test_r1_early_quarters_and_a_year_without_complaints() -> None:
    quarters = [
        {"score": decimals("98.5", "97", "99"), "complaints": [0, 1, 0]},
        {"score": decimals("97", "99", "98"), "complaints": [0, 0, 0]},
        {"score": decimals("99", "96", "98.1"), "complaints": [0, 0, 0]},
    ]
    frame = Frame({"score": decimals("98.2", "97", "99")}, history={"year": quarters})
    early = "if score >= 98 then count(score >= 98, over=year) * 300 else 0"
    assert evaluate(early, frame) == decimals("600", "0", "900")
    assert evaluate("if sum(complaints, over=year) = 0 then 500 else 0", frame) == decimals("500", "0", "500")


def test_r1_a_repeated_finding_doubles_the_penalty() -> None:
    frame = Frame({"penalty": [300, 300, 0], "repeated": [False, True, True]})
    assert evaluate("penalty * (if repeated then 2 else 1)", frame) == decimals("300", "600", "0")


# R3 (seed 000 篇6): staff appraisal.

R3_MONTHLY = (
    "(if self_score > 90 then supervisor_score - 10 else self_score) * 0.3"
    " + dept_score * 0.3 + supervisor_score * 0.4"
)
R3_GRADE = """
if q >= 85 then "优" else if q >= 80 then "良" else if q >= 75 then "合格"
else if q >= 65 then "一般" else "不合格"
"""


def test_r3_monthly_score_is_self_30_dept_30_supervisor_40_with_self_above_90_void() -> None:
    frame = Frame(
        {
            "self_score": decimals("88", "95", "90"),
            "dept_score": decimals("85", "80", "70"),
            "supervisor_score": decimals("90", "92", "75"),
        }
    )
    # 88×.3 + 85×.3 + 90×.4 = 87.9; 95 is void → (92 − 10)×.3 + 80×.3 + 92×.4 = 85.4; 90 is kept → 78.0
    assert evaluate(R3_MONTHLY, frame) == decimals("87.9", "85.4", "78.0")


def test_r3_weighted_score_with_clip() -> None:
    rule = "clip(self_score, 0, 100) * 0.3 + dept_score * 0.3 + supervisor_score * 0.4"
    frame = Frame({"self_score": [120, -5], "dept_score": [80, 80], "supervisor_score": [90, 90]})
    assert evaluate(rule, frame) == decimals("90.0", "60.0")


def test_r3_quarter_is_60_percent_monthly_mean_plus_40_percent_comprehensive_then_graded() -> None:
    months = [
        {"monthly": decimals("87.9", "80")},
        {"monthly": decimals("85.4", "70")},
        {"monthly": decimals("90", "75")},
    ]
    frame = Frame({"comprehensive": decimals("84", "72.5")}, history={"quarter": months})
    quarter = evaluate("round(mean(monthly, over=quarter) * 0.6 + comprehensive * 0.4, 2)", frame)
    # mean(87.9, 85.4, 90) = 87.766…; × 0.6 = 52.66; + 84 × 0.4 = 86.26
    # mean(80, 70, 75) = 75; × 0.6 = 45; + 72.5 × 0.4 = 74.00
    assert [str(q) for q in quarter] == ["86.26", "74.00"]
    graded = evaluate(R3_GRADE, Frame({"q": [*quarter, D("84.99"), D("75"), D("64.5")]}))
    assert graded == ("优", "一般", "良", "合格", "不合格")


# Ranking.


def test_rank_is_competition_ranking_within_each_group() -> None:
    frame = Frame(
        {"score": decimals("90", "80", "80", "70", "85", "85", "85")},
        scopes={"region": ["a", "a", "a", "a", "b", "b", "b"]},
    )
    assert evaluate("rank(score, within=region)", frame) == decimals("1", "2", "2", "4", "1", "1", "1")
    assert evaluate("rank(score, within=region, order=asc)", frame) == decimals(
        "4", "2", "2", "1", "1", "1", "1"
    )
    assert evaluate("rank(score)", frame) == decimals("1", "5", "5", "7", "2", "2", "2")
    assert evaluate("top(score, 2, within=region)", frame) == (True, True, True, False, True, True, True)
    assert evaluate("bottom(score, 1, within=region)", frame) == (False, False, False, True, True, True, True)
    assert evaluate("top(score, 0)", frame) == (False,) * 7


def test_ranking_uses_all_subjects_even_inside_an_untaken_branch() -> None:
    frame = Frame({"score": [90, 80, 70], "exempt": [True, False, False]})
    assert evaluate("if exempt then 0 else rank(score)", frame) == decimals("0", "2", "3")


# Numbers and errors.


def test_products_and_quotients_are_rounded_half_up_to_ten_places() -> None:
    frame = Frame({}, size=1)
    assert evaluate("1 / 3", frame) == (D("0.3333333333"),)
    assert evaluate("2 / 3", frame) == (D("0.6666666667"),)
    assert evaluate("-2 / 3", frame) == (D("-0.6666666667"),)
    # A tie goes away from zero, on both sides, for ÷ and × alike.
    assert evaluate("0.0000000001 / 2", frame) == (D("0.0000000001"),)
    assert evaluate("-0.0000000001 / 2", frame) == (D("-0.0000000001"),)
    assert evaluate("0.0000000001 * 0.5", frame) == (D("0.0000000001"),)
    assert evaluate("0.0000000001 * 0.4999999999", frame) == (D("0"),)
    assert evaluate(
        "safe_div(10, 4, 0) + mean(x, over=year)",
        Frame({"x": [0]}, history={"year": [{"x": [1]}, {"x": [0]}, {"x": [0]}]}),
    ) == (D("2.8333333333"),)
    assert evaluate("round(2 / 3, 2) + round(43.25, 1) + round(-0.5)", frame) == (D("42.97"),)


def test_no_result_is_negative_zero() -> None:
    frame = Frame({"x": decimals("0", "0.00")})
    for text in ("-x", "x * -1", "-x / 3", "round(x - 0.001, 2)"):
        values = evaluate(text, frame)
        assert values == (0, 0)
        assert not any(isinstance(v, Decimal) and v.is_signed() for v in values), text


def test_division_by_zero_names_the_operator_and_the_rows() -> None:
    text = "score / (score - 90)"
    with pytest.raises(EvaluationError) as caught:
        evaluate(text, Frame({"score": [95, 90, 80, 90]}))
    error = caught.value
    assert error.rows == (1, 3)
    assert (error.line, error.column, error.code) == (1, 7, "evaluation")
    assert error.message == (
        "division by zero at line 1, column 7; use safe_div(a, b, default) or if b = 0 then ... else a / b; "
        "fails for 2 of 4 rows (0-based: 1, 3)"
    )


def test_guarded_division_and_safe_div_do_not_fail() -> None:
    frame = Frame({"a": [10, 10], "b": [4, 0]})
    assert evaluate("if b = 0 then 0 else a / b", frame) == decimals("2.5", "0")
    assert evaluate("safe_div(a, b, -1)", frame) == decimals("2.5", "-1")
    assert evaluate("b != 0 and a / b > 2", frame) == (True, False)
    assert evaluate("b = 0 or a / b > 2", frame) == (True, True)
    with pytest.raises(EvaluationError, match="division by zero"):
        evaluate("a / b > 2 or b = 0", frame)  # left to right: the left side already failed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "clip(x, 5, 3)",
            "clip() low 5 is above high 3 at line 1, column 1; fails for 1 of 1 rows (0-based: 0)",
        ),
        (
            "top(x, 1.5)",
            "top() needs a whole number n of 0 or more, got 1.5 at line 1, column 1; "
            "fails for 1 of 1 rows (0-based: 0)",
        ),
        (
            "bottom(x, -1)",
            "bottom() needs a whole number n of 0 or more, got -1 at line 1, column 1; "
            "fails for 1 of 1 rows (0-based: 0)",
        ),
        (
            "rank(1 / (x - 1))",
            "division by zero at line 1, column 8; "
            "use safe_div(a, b, default) or if b = 0 then ... else a / b; fails for 1 of 1 rows (0-based: 0)",
        ),
        (
            "mean(x, over=never)",
            "mean() over 'never', which has no periods at line 1, column 1; "
            "fails for 1 of 1 rows (0-based: 0)",
        ),
        (
            "x * 1000000000000 * 1000000",
            "1000000000000 × 1000000 is 10^18 or more, beyond what formulas compute "
            "at line 1, column 19; fails for 1 of 1 rows (0-based: 0)",
        ),
    ],
)
def test_data_errors_are_reported_with_position(text: str, message: str) -> None:
    with pytest.raises(EvaluationError) as caught:
        evaluate(text, Frame({"x": [1]}, history={"never": [], "year": [{"x": [1]}]}))
    assert caught.value.message == message


def test_sum_and_count_over_an_empty_span_are_zero() -> None:
    frame = Frame({"x": [1]}, history={"never": [], "year": [{"x": [1]}]})
    assert evaluate("sum(x, over=never) + count(x > 0, over=never)", frame) == (D("0"),)


def test_a_period_missing_an_input_is_an_error() -> None:
    frame = Frame({"x": [1]}, history={"year": [{"x": [1]}, {"y": [2]}]})
    with pytest.raises(EvaluationError, match="'x' has no values in one of the periods at line 1, column 5"):
        evaluate("sum(x, over=year)", frame)


def test_evaluate_checks_first() -> None:
    with pytest.raises(FormulaError) as caught:
        evaluate("score + exempt", Frame({"score": [1], "exempt": [True]}))
    assert not isinstance(caught.value, EvaluationError)
    assert caught.value.code == "type"


def test_evaluate_accepts_a_parsed_tree() -> None:
    assert evaluate(parse("x + 1"), Frame({"x": [1, 2]})) == decimals("2", "3")


def test_constants_fill_every_row() -> None:
    assert evaluate('"优"', Frame({}, size=3)) == ("优", "优", "优")
    assert evaluate("1 + 1", Frame({})) == ()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"columns": {"x": [1.5]}}, TypeError, r"column 'x', row 0: float 1.5 refused"),
        ({"columns": {"x": [1, "a"]}}, TypeError, "column 'x' mixes number, text"),
        ({"columns": {"x": [None]}}, TypeError, r"column 'x', row 0: None is not a number, bool or str"),
        ({"columns": {"x": [D("NaN")]}}, ValueError, "column 'x', row 0: not a finite number"),
        ({"columns": {"x": [1], "y": [1, 2]}}, ValueError, r"columns have different lengths: \[1, 2\]"),
        ({"columns": {"x": []}}, TypeError, r"column 'x' is empty: give its type in types="),
        (
            {"columns": {"x": [1]}, "types": {"x": Type.BOOL}},
            TypeError,
            "holds number values but is declared bool",
        ),
        ({"columns": {"x": [1]}, "scopes": {"region": [1]}}, TypeError, "group keys must be str"),
        ({"columns": {"x": [1]}, "size": 2}, ValueError, "different lengths"),
    ],
)
def test_frame_rejects_bad_data(kwargs: dict[str, object], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Frame(**kwargs)  # type: ignore[arg-type]


def test_empty_frame_with_declared_types() -> None:
    frame = Frame({"x": [], "ok": []}, types={"x": Type.NUMBER, "ok": Type.BOOL})
    assert evaluate("if ok then x else rank(x)", frame) == ()


# Properties.


@st.composite
def arithmetic(draw: st.DrawFn, depth: int = 0) -> tuple[str, Decimal]:
    """A random arithmetic formula and its value computed with Python's Decimal, built together."""
    if depth >= 4 or draw(st.booleans()):
        value = draw(
            st.integers(min_value=0, max_value=10**6).map(Decimal)
            | st.decimals(min_value=0, max_value=10**4, places=2, allow_nan=False, allow_infinity=False)
        )
        return format(value, "f"), value
    op = draw(st.sampled_from(["+", "-", "*", "/", "neg"]))
    left_text, left = draw(arithmetic(depth + 1))
    if op == "neg":
        return f"-({left_text})", -left
    right_text, right = draw(arithmetic(depth + 1))
    if op == "/" and right == 0:
        op = "+"
    if op == "*" and abs(left * right) >= LIMIT:
        op = "+"  # a product of 10^18 or more is an error (tested elsewhere)
    with localcontext(CONTEXT):
        value = {"+": left + right, "-": left - right}[op] if op in "+-" else Decimal(0)
    if op == "*":
        value = fixed(left * right)
    elif op == "/":
        value = fixed_divide(left, right)
    return f"({left_text}) {op} ({right_text})", value


@settings(max_examples=300, deadline=None)
@given(arithmetic())
def test_arithmetic_agrees_with_python_decimal(case: tuple[str, Decimal]) -> None:
    text, expected = case
    assert evaluate(text, Frame({}, size=1)) == (expected,)


amounts = st.decimals(min_value=-(10**8), max_value=10**8, places=4, allow_nan=False, allow_infinity=False)


@given(st.lists(amounts, min_size=1, max_size=20))
def test_round_is_half_up_and_idempotent(xs: list[Decimal]) -> None:
    frame = Frame({"x": xs})
    once = evaluate("round(x, 2)", frame)
    assert evaluate("round(round(x, 2), 2)", frame) == once
    for x, rounded in zip(xs, once, strict=True):
        hundredths, rest = divmod(abs(x) * 100, 1)
        expected = (hundredths + (1 if rest >= Decimal("0.5") else 0)) / 100
        assert rounded == (expected if x >= 0 else -expected)


@given(st.lists(st.tuples(amounts, amounts), min_size=1, max_size=20))
def test_adding_then_subtracting_gives_back_the_same_decimal(pairs: list[tuple[Decimal, Decimal]]) -> None:
    frame = Frame({"a": [a for a, _ in pairs], "b": [b for _, b in pairs]})
    assert evaluate("(a + b) - b", frame) == tuple(a for a, _ in pairs)


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=5).map(Decimal), st.sampled_from(["a", "b", "c"])),
        min_size=1,
        max_size=30,
    ),
    st.integers(min_value=0, max_value=5),
)
def test_rank_counts_the_strictly_better_in_the_same_group(rows: list[tuple[Decimal, str]], n: int) -> None:
    frame = Frame({"x": [x for x, _ in rows]}, scopes={"g": [g for _, g in rows]})
    ranks = numbers(evaluate("rank(x, within=g)", frame))
    low_ranks = numbers(evaluate("rank(x, within=g, order=asc)", frame))
    for (x, g), rank, low in zip(rows, ranks, low_ranks, strict=True):
        assert rank == 1 + sum(1 for y, h in rows if h == g and y > x)
        assert low == 1 + sum(1 for y, h in rows if h == g and y < x)
    assert evaluate(f"top(x, {n}, within=g)", frame) == tuple(rank <= n for rank in ranks)
    assert evaluate(f"bottom(x, {n}, within=g)", frame) == tuple(low <= n for low in low_ranks)


@given(st.lists(st.tuples(amounts, amounts), min_size=1, max_size=10))
def test_row_wise_formulas_give_each_row_what_it_gets_alone(pairs: list[tuple[Decimal, Decimal]]) -> None:
    columns = {"score": [s for s, _ in pairs], "target": [t for _, t in pairs]}
    together = evaluate(R1_PHASES_1_2, Frame(columns))
    alone = [evaluate(R1_PHASES_1_2, Frame({"score": [s], "target": [t]}))[0] for s, t in pairs]
    assert list(together) == alone
