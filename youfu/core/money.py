"""The one rounding rule for money and points: Decimal only, round half up.

Offices check our numbers against Excel, and Excel rounds half away from zero: ROUND(43.25, 1) is
43.3 where Python's ``round`` gives 43.2. So every rounding in youfu goes through this module:

* ``round_money`` rounds to the fen (0.01 yuan), ``round_points`` to a number of places (2 by default);
* a tie (…5 exactly) goes away from zero, on both sides of zero: 0.005 → 0.01 and −0.005 → −0.01
  (``ROUND_HALF_UP`` in the decimal module, which is symmetric; Excel's ROUND does the same);
* a result that rounds to zero is plain zero, never "−0.00";
* arithmetic runs in ``CONTEXT`` (28 significant digits, half-up, overflow and invalid operations
  raise), whatever the thread's global decimal context says;
* floats are refused: 0.1 as a float is 0.1000000000000000055…, and a bank pays people with these numbers.

Plain Python, no Django: the formula language and the scoring engine use it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction

FEN = Decimal("0.01")
PRECISION = 28
CONTEXT = Context(
    prec=PRECISION,
    rounding=ROUND_HALF_UP,
    Emin=-999_999,
    Emax=999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

DecimalLike = Decimal | int | str


def to_decimal(value: DecimalLike) -> Decimal:
    """Return ``value`` as an exact, finite Decimal; refuse floats, bools, NaN and infinities."""
    if isinstance(value, bool):  # bool is an int subclass: True would silently become 1
        raise TypeError("expected a number, got a bool")
    if isinstance(value, float):
        raise TypeError(
            f"float {value!r} refused: money and points are Decimal; pass a str such as '{value}' "
            "or a Decimal read from the source text"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    else:
        raise TypeError(f"expected int, str or Decimal, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def _quantize(value: DecimalLike, exponent: Decimal) -> Decimal:
    with localcontext(CONTEXT):
        result = to_decimal(value).quantize(exponent, rounding=ROUND_HALF_UP)
    return result.copy_abs() if result.is_zero() else result  # no "-0.00" in a ledger


def round_money(value: DecimalLike) -> Decimal:
    """Round to the fen, half up: 43.125 → 43.13, −43.125 → −43.13."""
    return _quantize(value, FEN)


def round_points(value: DecimalLike, places: int = 2) -> Decimal:
    """Round to ``places`` decimal places (0 or more), half up: round_points('43.25', 1) → 43.3."""
    if isinstance(places, bool) or not isinstance(places, int) or places < 0:
        raise ValueError(f"places must be a whole number 0 or more, got {places!r}")
    return _quantize(value, Decimal(1).scaleb(-places))


def allocate(total: DecimalLike, weights: Sequence[DecimalLike]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``, to the fen, summing exactly to ``total``.

    Largest-remainder method: every share first gets its exact proportion rounded down to the fen;
    the fen left over go one each to the shares with the largest remainders, and equal remainders
    are broken by position (the earlier weight gets the fen). So each share is within one fen of its
    exact proportion and the shares always add up to the total. A negative total (a penalty pool)
    is split as its absolute value and the shares negated.

    ``total`` must be a whole number of fen. Weights must not be negative; a zero weight gets 0.00;
    at least one weight must be positive. The arithmetic is exact (fractions), not limited to 28 digits.
    """
    amount = to_decimal(total)
    in_fen = Fraction(amount) * 100
    if in_fen.denominator != 1:
        raise ValueError(f"total {amount} is not a whole number of fen; round it with round_money first")
    if not weights:
        raise ValueError("no weights: there is nobody to allocate to")
    parts = [Fraction(to_decimal(weight)) for weight in weights]
    for index, part in enumerate(parts):
        if part < 0:
            raise ValueError(f"weight {index} is negative ({weights[index]}); weights must be 0 or more")
    whole = sum(parts, Fraction(0))
    if whole == 0:
        raise ValueError("all weights are zero: there is nothing to split the total by")
    fen = abs(int(in_fen))
    exact = [fen * part / whole for part in parts]
    shares = [int(share) for share in exact]  # floor: every share is >= 0
    leftover = fen - sum(shares)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in by_remainder[:leftover]:
        shares[index] += 1
    sign = -1 if amount < 0 else 1
    return [Decimal(f"{sign * share}E-2") for share in shares]  # exact, whatever the context


# -- numbers inside formulas -------------------------------------------------------------------------
# The formula language and the scoring engine compute with fixed-point numbers of 10 decimal places,
# the same on every backend (DuckDB, PostgreSQL, Spark: DECIMAL(38, 10)): + and − are exact; the result
# of × and ÷ is rounded half up to 10 places; numbers stay below 10^18 in size. Ledger amounts are then
# rounded to the fen and points to their places by the functions above.
SCALE = 10
ULP = Decimal(1).scaleb(-SCALE)
LIMIT = Decimal(10) ** 18
_WIDE = Context(prec=80, rounding=ROUND_HALF_UP, Emin=-999_999, Emax=999_999, traps=[InvalidOperation])


def fixed(value: DecimalLike) -> Decimal:
    """``value`` rounded half up to the formula scale (10 places); never "−0"."""
    return _quantize(value, ULP)


def _fixed_wide(value: Decimal) -> Decimal:
    with localcontext(_WIDE):
        result = value.quantize(ULP, rounding=ROUND_HALF_UP)
    return result.copy_abs() if result.is_zero() else result


def fixed_multiply(a: Decimal, b: Decimal) -> Decimal:
    """a × b rounded half up to 10 places, from the exact product (no rounding to 28 digits first).
    The caller checks the size: formulas refuse a product of 10^18 or more."""
    with localcontext(_WIDE):
        product = to_decimal(a) * to_decimal(b)
    return _fixed_wide(product)


def fixed_add(a: Decimal, b: Decimal) -> Decimal:
    """a + b, exact (the engine's DECIMAL(38, 10) holds sums up to 10^28 exactly; so does this)."""
    with localcontext(_WIDE):
        total = to_decimal(a) + to_decimal(b)
    return total.copy_abs() if total.is_zero() else total


def fixed_divide(a: Decimal, b: Decimal) -> Decimal:
    """a ÷ b rounded half up to 10 places, from the exact quotient (80 digits hold it exactly enough:
    with both operands below 10^18 at 10 places, no quotient can sit within 10^-50 of a tie without
    being one), so that no double rounding can creep in. ``b`` must not be zero; the caller checks
    the size."""
    with localcontext(_WIDE):
        quotient = to_decimal(a) / to_decimal(b)
    return _fixed_wide(quotient)


def places_of(value: Decimal) -> int:
    """How many decimal places ``value`` is written with (0 for whole numbers)."""
    with localcontext(CONTEXT):
        exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
