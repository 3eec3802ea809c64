"""The one rounding rule: half up, to the fen, whatever the global decimal context says."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from youfu.core.money import FEN, allocate, round_money, round_points, to_decimal


def test_to_decimal_accepts_int_str_and_decimal_exactly() -> None:
    assert to_decimal(7) == Decimal(7)
    assert str(to_decimal(" 93.50 ")) == "93.50"
    assert to_decimal(Decimal("0.1")) == Decimal("0.1")


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (0.1, TypeError, "float 0.1 refused"),
        (True, TypeError, "got a bool"),
        ([1], TypeError, "got list"),
        ("NaN", ValueError, "not a finite number"),
        ("-Infinity", ValueError, "not a finite number"),
        (Decimal("NaN"), ValueError, "not a finite number"),
        ("12,5", ValueError, "not a number: '12,5'"),
    ],
)
def test_to_decimal_rejects_float_bool_and_non_finite(value: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        to_decimal(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("43.125", "43.13"),
        ("43.124999", "43.12"),
        ("0.005", "0.01"),
        ("0.004999", "0.00"),
        ("2.675", "2.68"),  # the float 2.675 is 2.67499…, the Decimal is exact
        ("-0.005", "-0.01"),  # ties go away from zero on both sides, like Excel's ROUND
        ("-43.125", "-43.13"),
        ("-0.004", "0.00"),  # never "-0.00"
        ("100", "100.00"),
        ("1E+2", "100.00"),
    ],
)
def test_round_money_is_half_up_to_the_fen(value: str, expected: str) -> None:
    assert str(round_money(value)) == expected


def test_round_points_rounds_43_25_to_43_3_like_excel_not_like_python() -> None:
    assert round(43.25, 1) == 43.2  # what the offices do not expect
    assert str(round_points(Decimal("43.25"), 1)) == "43.3"
    assert str(round_points("84.5", 0)) == "85"
    assert str(round_points("84.445")) == "84.45"


@pytest.mark.parametrize("places", [-1, 1.5, True])
def test_round_points_rejects_bad_places(places: object) -> None:
    with pytest.raises(ValueError, match="places must be a whole number"):
        round_points("1", places)  # type: ignore[arg-type]


def test_rounding_ignores_the_global_decimal_context() -> None:
    with localcontext() as context:
        context.prec = 3
        context.rounding = ROUND_HALF_EVEN
        assert str(round_money("12345.125")) == "12345.13"
        assert allocate("1000000.00", [1, 2]) == [Decimal("333333.33"), Decimal("666666.67")]


def test_allocate_breaks_equal_remainders_by_position() -> None:
    assert allocate(Decimal("100.00"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert allocate("0.05", [1, 1, 1]) == [Decimal("0.02"), Decimal("0.02"), Decimal("0.01")]


def test_allocate_gives_largest_remainders_the_leftover_fen() -> None:
    # exact: 14.2857…, 28.5714…, 57.1428… → floors 14.28, 28.57, 57.14 leave 0.01 for the largest remainder
    assert allocate("100", [1, 2, 4]) == [Decimal("14.29"), Decimal("28.57"), Decimal("57.14")]


def test_allocate_splits_a_negative_pool_symmetrically() -> None:
    assert allocate("-100.00", [1, 1, 1]) == [Decimal("-33.34"), Decimal("-33.33"), Decimal("-33.33")]


def test_allocate_gives_zero_weights_nothing() -> None:
    assert [str(share) for share in allocate("10.01", [0, 1, 1, 0])] == ["0.00", "5.01", "5.00", "0.00"]


def test_allocate_r4_stock_share_by_quarter_end_balance() -> None:
    # R4: stock share = Σpay × 10% × own balance / all balances
    pool = round_money(Decimal("123456.78") * Decimal("0.10"))
    shares = allocate(pool, [Decimal("5200000"), Decimal("3100000.50"), Decimal("1700000")])
    assert pool == Decimal("12345.68")
    assert shares == [Decimal("6419.75"), Decimal("3827.16"), Decimal("2098.77")]
    assert sum(shares) == pool


@pytest.mark.parametrize(
    ("total", "weights", "message"),
    [
        ("100", [], "no weights"),
        ("100", [0, 0], "all weights are zero"),
        ("100", [1, -1], "weight 1 is negative"),
        ("100.005", [1], "not a whole number of fen"),
        ("100", [0.5], "float 0.5 refused"),
    ],
)
def test_allocate_rejects_bad_input(total: str, weights: list[object], message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        allocate(total, weights)  # type: ignore[arg-type]


money = st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False, allow_infinity=False)


@given(money)
def test_round_money_matches_integer_half_up(value: Decimal) -> None:
    millionths = int(value * 1_000_000)
    fen, rest = divmod(abs(millionths), 10_000)
    fen += 1 if rest >= 5_000 else 0
    expected = Decimal(fen if millionths >= 0 else -fen) * FEN
    assert round_money(value) == expected
    assert round_money(round_money(value)) == round_money(value)
    assert abs(round_money(value) - value) <= Decimal("0.005")


@given(money)
def test_rounding_is_symmetric_around_zero(value: Decimal) -> None:
    assert round_money(-value) == -round_money(value)


weights = st.lists(
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=30,
).filter(lambda ws: any(w > 0 for w in ws))
totals = st.integers(min_value=-(10**11), max_value=10**11).map(lambda fen: Decimal(fen) * FEN)


@given(totals, weights)
def test_allocate_sums_exactly_and_each_share_is_within_a_fen(total: Decimal, ws: list[Decimal]) -> None:
    shares = allocate(total, ws)
    assert sum(shares) == total
    whole = sum(Fraction(w) for w in ws)
    for share, weight in zip(shares, ws, strict=True):
        exact = Fraction(total) * Fraction(weight) / whole
        assert abs(Fraction(share) - exact) < Fraction(1, 100)
        assert share.as_tuple().exponent == -2
        if weight == 0:
            assert share == 0


@given(totals, weights, st.integers(min_value=1, max_value=1000))
def test_allocate_does_not_depend_on_the_unit_of_the_weights(
    total: Decimal, ws: list[Decimal], factor: int
) -> None:
    assert allocate(total, [w * factor for w in ws]) == allocate(total, ws)
