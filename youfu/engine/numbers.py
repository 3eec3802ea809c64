"""Formula numbers as columnar expressions: DECIMAL(38, 10) on every backend.

The reference semantics (``youfu.core.money``: SCALE, fixed, fixed_divide) are fixed point with 10
decimal places: + and − exact, × and ÷ rounded half up (away from zero) to 10 places. The same here:

* ``multiply``: the backend multiplies two DECIMAL(38, 10) exactly (a DECIMAL(38, 20) below 10^18 on
  DuckDB; numeric on PostgreSQL; Spark with ``allowPrecisionLoss=false``) and the cast back to 10
  places rounds half away from zero on all three.
* ``divide``: no backend divides decimals exactly to a chosen scale the same way (DuckDB gives a
  DOUBLE, Spark cuts the scale to 6), so the quotient is found from a double estimate and corrected
  with exact decimal products until it is the exact quotient rounded half up: two correction steps
  bring any estimate within one unit of the 10th place, the last compares the exact remainder with
  half a unit.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal, localcontext
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir

from youfu.core.money import SCALE, ULP

NUMBER = dt.Decimal(38, SCALE)
WIDE = dt.Decimal(38, 2 * SCALE)  # an exact product of two numbers below 10^18
FLOAT = dt.float64


def number(value: Any) -> ir.NumericValue:
    """A literal or column as DECIMAL(38, 10)."""
    if isinstance(value, ir.Expr):
        return value.cast(NUMBER)
    return ibis.literal(Decimal(value), type=NUMBER)


WHOLE = dt.Decimal(38, 0)
LIMIT = Decimal(10) ** 18


def multiply(a: ir.NumericValue, b: ir.NumericValue) -> ir.NumericValue:
    """a × b rounded half up to 10 places (see ``multiply_checked`` for products of 10^18 or more)."""
    return multiply_checked(a, b)[0]


def multiply_checked(a: ir.NumericValue, b: ir.NumericValue) -> tuple[ir.NumericValue, ir.BooleanValue]:
    """a × b rounded half up to 10 places, and where the rounded product is 10^18 or more (an error).

    Ibis types DECIMAL(38, 10) × DECIMAL(38, 10) as DECIMAL(38, 10), so a plain ``.cast(NUMBER)`` of the
    product is dropped: DuckDB then keeps all 20 places and a third factor asks for 30 (an error at
    bind time). And an exact DECIMAL(38, 20) product overflows at 10^18, an error on DuckDB and
    PostgreSQL, NULL on Spark, even in rows whose value is not used. So the product is built from
    parts that always fit: |a| × int(|b|) exactly at 10 places, |a| × frac(|b|) exactly at 20 places
    cast (rounded) to 10. All parts have one sign, so rounding the last part alone rounds the sum.
    """
    a, b = number(a), number(b)
    # By a whole number written in the formula (3 × x, -5 × x, x × 200): exact, no rounding needed.
    if (whole := whole_literal(b)) is not None:
        return _multiply_by_whole(a, whole)
    if (whole := whole_literal(a)) is not None:
        return _multiply_by_whole(b, whole)
    # Far beyond 10^18 (a double is off by ~1e-16): the exact parts would not fit; keep them at 0.
    huge = (a.cast(FLOAT) * b.cast(FLOAT)).abs() >= 1e27
    x, y = a.abs(), b.abs()
    x_whole, y_whole = x.floor().cast(WHOLE), ibis.ifelse(huge, number(0), y.floor()).cast(WHOLE)
    y_fraction = (y - y.floor()).cast(NUMBER)
    exact = (x * y_whole).cast(NUMBER) + (x_whole * y_fraction).cast(NUMBER)  # 10 places, no rounding
    last = ((x - x_whole).cast(NUMBER) * y_fraction).cast(WIDE).cast(NUMBER)  # below 1: the only rounding
    magnitude = (exact + last).cast(NUMBER)
    # A failing row keeps a value below 10^18, so that nothing computed from it overflows.
    kept = ibis.least(magnitude, number(LIMIT - ULP))
    negative = (a < 0) != (b < 0)
    value = (kept * ibis.ifelse(negative, number(-1), number(1)).cast(WHOLE)).cast(NUMBER)
    return value, huge | (magnitude >= number(LIMIT))


def whole_literal(value: ir.NumericValue) -> int | None:
    """The value of a literal whole number (``3``, ``-(5)``, casts around it), else None."""
    op, sign = value.op(), 1
    while True:
        if isinstance(op, ops.Cast):
            op = op.arg
        elif isinstance(op, ops.Negate):
            op, sign = op.arg, -sign
        else:
            break
    if not isinstance(op, ops.Literal) or isinstance(op.value, bool):
        return None
    if not isinstance(op.value, int | Decimal):
        return None
    given = Decimal(op.value)
    if not given.is_finite() or given != given.to_integral_value():
        return None
    return sign * int(given)


def _multiply_by_whole(a: ir.NumericValue, k: int) -> tuple[ir.NumericValue, ir.BooleanValue]:
    """a × k for a whole literal k: exact at 10 places (no rounding), and 10^18 or more where
    |a| ≥ 10^18 / |k| (a has 10 places, so the bound is rounded up to them). The product is only
    taken where it fits: a failing row's value is 0, never an overflow."""
    if k == 0:
        return number(0), ibis.literal(False)
    with localcontext() as context:
        context.prec = 60
        bound = (LIMIT / abs(k)).quantize(ULP, rounding=ROUND_CEILING)
    too_big = a.abs() >= number(bound)
    safe = ibis.ifelse(too_big, number(0), a)
    return (safe * ibis.literal(Decimal(k), type=WHOLE)).cast(NUMBER), too_big


def exact_product(a: Any, b: Any) -> ir.NumericValue:
    """a × b with all 20 places, exact below 10^18 (numbers of 10 places each)."""
    return (number(a) * number(b)).cast(WIDE)


def divide(a: ir.NumericValue, b: ir.NumericValue) -> ir.NumericValue:
    """a ÷ b rounded half up to 10 places; where b is 0 the result is 0 (the caller marks the row)."""
    a, b = number(a), number(b)
    zero = b == number(0)
    safe_b = ibis.ifelse(zero, number(1), b)
    estimate = (a.cast(FLOAT) / safe_b.cast(FLOAT)).cast(NUMBER)
    # The estimate is off by up to ~1e-16 of the quotient; one exact remainder, divided again as a
    # double, brings it within a unit of the 10th place.
    remainder = (a.cast(WIDE) - exact_product(estimate, safe_b)).cast(WIDE)
    close = (estimate + (remainder.cast(FLOAT) / safe_b.cast(FLOAT)).cast(NUMBER)).cast(NUMBER)
    # Now the exact quotient q* = close + e with |e| < 1.5 units. Compare 2·r·sign(b) with |b|·unit.
    rest = (a.cast(WIDE) - exact_product(close, safe_b)).cast(WIDE)
    twice = ibis.ifelse(safe_b > 0, rest * 2, rest * -2).cast(WIDE)
    b_unit = exact_product(safe_b.abs(), number(ULP)).cast(WIDE)
    positive = ibis.ifelse(safe_b > 0, a > 0, a < 0)  # the sign of the quotient (a = 0: not positive)
    unit = number(ULP)
    result = (
        ibis.cases(
            (twice > b_unit, close + unit),
            (twice < -b_unit, close - unit),
            ((twice == b_unit) & positive, close + unit),
            ((twice == -b_unit) & ~positive & (a != number(0)), close - unit),
            else_=close,
        )
    ).cast(NUMBER)
    return ibis.ifelse(zero, number(0), result).cast(NUMBER)


def round_to(x: ir.NumericValue, places: int) -> ir.NumericValue:
    """Half away from zero to ``places`` (0–10), as a DECIMAL(38, 10): the cast rounds on every backend."""
    return number(x).cast(dt.Decimal(38, places)).cast(NUMBER)
