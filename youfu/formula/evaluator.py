"""The reference evaluator: a plain tree walk over columns, one value per subject.

It defines what a formula means; the production engine compiles the same tree to columnar SQL and is
tested against it. Semantics (README.md has the full table):

* numbers are Decimal with at most 10 decimal places (``youfu.core.money.SCALE``), below 10^18 in size:
  + − are exact, the result of × and ÷ is rounded half up to 10 places (the engine's DECIMAL(38, 10)
  does the same on every backend); a product of 10^18 or more is an error; no result is ever "−0";
* a failure in one subject's row (division by zero, clip() with low > high, a bad n in top()) marks
  that row; the row's error is raised at the end unless the formula discarded that value for that row
  (the untaken branch of if, the right side of and/or once the left side decides). So
  ``if b = 0 then 0 else a / b`` is safe, and so is ``safe_div(a, b, 0)``;
* rank() uses competition ranking (1, 2, 2, 4); top(x, n) is rank(x, order=desc) <= n, so ties at the
  boundary are all in: top 2 of 90, 80, 80 is all three.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, localcontext
from typing import NamedTuple

from youfu.core.money import (
    CONTEXT,
    LIMIT,
    SCALE,
    fixed_add,
    fixed_divide,
    fixed_multiply,
    places_of,
    round_points,
    to_decimal,
)
from youfu.formula.ast import (
    Binary,
    Bool,
    BoolOp,
    Call,
    Compare,
    Expr,
    IfThenElse,
    In,
    Name,
    Node,
    Num,
    Str,
    Unary,
)
from youfu.formula.checker import Type, check
from youfu.formula.errors import EvaluationError
from youfu.formula.parser import parse

Value = Decimal | bool | str
Column = tuple[Value, ...]


class _Fault(NamedTuple):
    """Stands in a row whose value could not be computed; raised only if the result uses it."""

    node: Node
    problem: str
    hint: str = ""


Cell = Value | _Fault
Columns = Mapping[str, tuple[Value, ...]]


def _normalise(name: str, values: Sequence[object]) -> tuple[tuple[Value, ...], Type | None]:
    kinds: set[Type] = set()
    out: list[Value] = []
    for index, value in enumerate(values):
        if isinstance(value, bool):
            kinds.add(Type.BOOL)
            out.append(value)
        elif isinstance(value, str):
            kinds.add(Type.TEXT)
            out.append(value)
        elif isinstance(value, float):
            raise TypeError(
                f"column '{name}', row {index}: float {value!r} refused; give Decimal, int or str"
            )
        elif isinstance(value, Decimal | int):
            try:
                number = to_decimal(value)
            except (TypeError, ValueError) as error:
                raise type(error)(f"column '{name}', row {index}: {error}") from None
            if places_of(number) > SCALE or abs(number) >= LIMIT:
                raise ValueError(
                    f"column '{name}', row {index}: {number} is out of range: formulas take numbers below "
                    f"10^18 with at most {SCALE} decimal places"
                )
            out.append(number)
            kinds.add(Type.NUMBER)
        else:
            raise TypeError(f"column '{name}', row {index}: {value!r} is not a number, bool or str")
    if len(kinds) > 1:
        raise TypeError(f"column '{name}' mixes {', '.join(sorted(k.value for k in kinds))}")
    return tuple(out), next(iter(kinds), None)


class Frame:
    """The data a formula runs on: one column per name, all of the same length (one row per subject).

    ``scopes`` gives each subject's group key per scope (``{"region": ["east", "west", …]}``), for
    ``within=``. ``history`` gives, per span, the periods in it in order, each a mapping of name to
    column aligned with the same subjects (``{"year": [q1_columns, q2_columns, q3_columns]}``), for
    ``over=``. Numbers may be given as int or Decimal (never float); there are no missing values: the
    policy's inputs decide what an absent fact counts as. ``types`` is needed only for empty columns.
    """

    def __init__(
        self,
        columns: Mapping[str, Sequence[object]],
        *,
        scopes: Mapping[str, Sequence[str]] | None = None,
        history: Mapping[str, Sequence[Mapping[str, Sequence[object]]]] | None = None,
        types: Mapping[str, Type] | None = None,
        size: int | None = None,
    ) -> None:
        self.columns: dict[str, tuple[Value, ...]] = {}
        self.types: dict[str, Type] = dict(types or {})
        self.period_types: dict[str, Type] = dict(types or {})
        for name, values in columns.items():
            self.columns[name] = self._take(name, values, self.types)
        self.scopes: dict[str, tuple[str, ...]] = {}
        for scope, keys in (scopes or {}).items():
            if not all(isinstance(key, str) for key in keys):
                raise TypeError(f"scope '{scope}': group keys must be str")
            self.scopes[scope] = tuple(keys)
        self.history: dict[str, tuple[dict[str, tuple[Value, ...]], ...]] = {}
        for span, periods in (history or {}).items():
            self.history[span] = tuple(
                {name: self._take(name, values, self.period_types) for name, values in period.items()}
                for period in periods
            )
        # Declared types only matter for the columns actually given.
        self.types = {name: self.types[name] for name in self.columns}
        given = {name for periods in self.history.values() for period in periods for name in period}
        self.period_types = {name: self.period_types[name] for name in given}
        lengths = {len(values) for values in self.columns.values()}
        lengths |= {len(keys) for keys in self.scopes.values()}
        lengths |= {
            len(v) for periods in self.history.values() for period in periods for v in period.values()
        }
        if size is not None:
            lengths.add(size)
        if len(lengths) > 1:
            raise ValueError(f"columns have different lengths: {sorted(lengths)}")
        self.size = lengths.pop() if lengths else 0

    @staticmethod
    def _take(name: str, values: Sequence[object], types: dict[str, Type]) -> tuple[Value, ...]:
        column, kind = _normalise(name, values)
        if kind is not None:
            if types.setdefault(name, kind) is not kind:
                raise TypeError(
                    f"column '{name}' holds {kind.value} values but is declared {types[name].value}"
                )
        elif name not in types:
            raise TypeError(f"column '{name}' is empty: give its type in types=")
        return column


def evaluate(expr: Expr | str, frame: Frame, *, source: str | None = None) -> Column:
    """Check ``expr`` against ``frame`` and compute it for every subject: one value per row.

    Raises FormulaError if the formula does not check, EvaluationError if it fails on some rows.
    """
    if isinstance(expr, str):
        source, expr = expr, parse(expr)
    check(
        expr,
        frame.types,
        scopes=frame.scopes,
        periods=frame.history,
        period_names=frame.period_types,
        source=source,
    )
    with localcontext(CONTEXT):
        cells = _Evaluator(frame, source).run(expr, frame.columns)
    failed = tuple(i for i, cell in enumerate(cells) if isinstance(cell, _Fault))
    if failed:
        first = cells[failed[0]]
        assert isinstance(first, _Fault)
        raise _error(first, source, failed, frame.size)
    return tuple(cell for cell in cells if not isinstance(cell, _Fault))


def _error(fault: _Fault, source: str | None, rows: tuple[int, ...], size: int) -> EvaluationError:
    shown = ", ".join(str(row) for row in rows[:5]) + (", …" if len(rows) > 5 else "")
    hint = f"{fault.hint}; " if fault.hint else ""
    return EvaluationError(
        fault.problem,
        fault.node.line,
        fault.node.column,
        hint=f"{hint}fails for {len(rows)} of {size} rows (0-based: {shown})",
        source=source,
        rows=rows,
    )


def _plain(value: Decimal) -> str:
    """1000000000000.0000000000 → '1000000000000': how a person would write the number."""
    with localcontext(CONTEXT):
        return format(value.normalize(), "f")


def _zero_unsigned(value: Decimal) -> Decimal:
    return value.copy_abs() if value.is_zero() else value


def _map(fn: Callable[..., Cell], *columns: Sequence[Cell]) -> list[Cell]:
    """Apply ``fn`` row by row; a row with a fault in any argument keeps the (first) fault."""
    out: list[Cell] = []
    for row in zip(*columns, strict=True):
        fault = next((cell for cell in row if isinstance(cell, _Fault)), None)
        out.append(fault if fault is not None else fn(*row))
    return out


_COMPARE: Mapping[str, Callable[[Value, Value], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,  # type: ignore[operator]  # the checker allows only numbers here
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
}


class _Evaluator:
    def __init__(self, frame: Frame, source: str | None) -> None:
        self.frame = frame
        self.source = source
        self.n = frame.size

    def run(self, node: Expr, columns: Columns) -> list[Cell]:
        match node:
            case Num() | Str() | Bool():
                return [node.value] * self.n
            case Name():
                if node.id not in columns:
                    raise EvaluationError(
                        f"'{node.id}' has no values in one of the periods",
                        node.line,
                        node.column,
                        hint="give every period in the history the same inputs",
                        source=self.source,
                    )
                return list(columns[node.id])
            case Unary(op="-"):
                return _map(lambda a: _zero_unsigned(-a), self.run(node.operand, columns))
            case Unary():
                return _map(lambda a: not a, self.run(node.operand, columns))
            case Binary():
                return _map(
                    self.arithmetic(node), self.run(node.left, columns), self.run(node.right, columns)
                )
            case Compare():
                return _map(_COMPARE[node.op], self.run(node.left, columns), self.run(node.right, columns))
            case In():
                options = [self.run(option, columns) for option in node.options]
                return _map(lambda value, *choices: value in choices, self.run(node.value, columns), *options)
            case BoolOp():
                # Row by row, left to right: the right side is not used once the left side decides.
                decides = node.op == "or"
                left, right = self.run(node.left, columns), self.run(node.right, columns)
                return [
                    a if isinstance(a, _Fault) or a is decides else b
                    for a, b in zip(left, right, strict=True)
                ]
            case IfThenElse():
                condition = self.run(node.condition, columns)
                then, otherwise = self.run(node.then, columns), self.run(node.otherwise, columns)
                return [
                    c if isinstance(c, _Fault) else (t if c else o)
                    for c, t, o in zip(condition, then, otherwise, strict=True)
                ]
            case Call():
                return self.call(node, columns)
        raise TypeError(f"not a formula node: {node!r}")

    @staticmethod
    def arithmetic(node: Binary) -> Callable[[Decimal, Decimal], Cell]:
        if node.op == "+":
            return fixed_add
        if node.op == "-":
            return lambda a, b: fixed_add(a, -b)
        if node.op == "*":

            def multiply(a: Decimal, b: Decimal) -> Cell:
                product = fixed_multiply(a, b)
                if abs(product) >= LIMIT:
                    return _Fault(
                        node, f"{_plain(a)} × {_plain(b)} is 10^18 or more, beyond what formulas compute"
                    )
                return product

            return multiply

        def divide(a: Decimal, b: Decimal) -> Cell:
            if b == 0:
                return _Fault(
                    node, "division by zero", "use safe_div(a, b, default) or if b = 0 then ... else a / b"
                )
            quotient = fixed_divide(a, b)
            if abs(quotient) >= LIMIT:
                return _Fault(
                    node, f"{_plain(a)} ÷ {_plain(b)} is 10^18 or more, beyond what formulas compute"
                )
            return quotient

        return divide

    def call(self, node: Call, columns: Columns) -> list[Cell]:
        # The checker made every keyword value a bare name: within=region, order=asc, over=year.
        words = {kw.name: kw.value.id for kw in node.keywords if isinstance(kw.value, Name)}
        if "over" in words:
            return self.over(node, words["over"])
        args = [self.run(arg, columns) for arg in node.args]
        match node.func:
            case "abs":
                return _map(abs, *args)
            case "min":
                return _map(lambda *values: min(values), *args)
            case "max":
                return _map(lambda *values: max(values), *args)
            case "clip":
                return _map(lambda x, low, high: self.clip(node, x, low, high), *args)
            case "round":
                places = args[1] if len(args) > 1 else [Decimal(0)] * self.n
                return _map(lambda x, p: self.rounded(node, x, int(p)), args[0], places)
            case "safe_div":
                return _map(lambda a, b, default: default if b == 0 else fixed_divide(a, b), *args)
            case "rank":
                descending = words.get("order", "desc") == "desc"
                return list(self.rank(args[0], words.get("within"), descending=descending))
            case "top" | "bottom":
                ranks = self.rank(args[0], words.get("within"), descending=node.func == "top")
                return _map(lambda rank, n: self.within_n(node, rank, n), ranks, args[1])
        raise TypeError(f"no implementation for {node.func}()")

    @staticmethod
    def clip(node: Call, x: Decimal, low: Decimal, high: Decimal) -> Cell:
        if low > high:
            return _Fault(node, f"clip() low {low:f} is above high {high:f}")
        return min(max(x, low), high)

    @staticmethod
    def rounded(node: Call, x: Decimal, places: int) -> Cell:
        try:
            return round_points(x, places)
        except ArithmeticError:
            return _Fault(node, f"round() of {x:f} to {places} places needs more than 28 digits")

    @staticmethod
    def within_n(node: Call, rank: Decimal, n: Decimal) -> Cell:
        if n < 0 or n != n.to_integral_value():
            return _Fault(node, f"{node.func}() needs a whole number n of 0 or more, got {n:f}")
        return rank <= n

    def rank(self, values: list[Cell], within: str | None, *, descending: bool) -> list[Decimal]:
        """Competition ranking within each group: 1 + how many in the group are strictly better."""
        for cell in values:
            if isinstance(cell, _Fault):  # one bad value would move everyone's rank: stop here
                rows = tuple(i for i, c in enumerate(values) if isinstance(c, _Fault))
                raise _error(cell, self.source, rows, self.n)
        numbers = [cell for cell in values if isinstance(cell, Decimal)]
        groups: Sequence[str] = self.frame.scopes[within] if within else [""] * self.n
        ordered: dict[str, list[Decimal]] = {}
        for key, value in zip(groups, numbers, strict=True):
            ordered.setdefault(key, []).append(value)
        for group in ordered.values():
            group.sort()
        return [
            Decimal(len(ordered[key]) - bisect_right(ordered[key], value) + 1)
            if descending
            else Decimal(bisect_left(ordered[key], value) + 1)
            for key, value in zip(groups, numbers, strict=True)
        ]

    def over(self, node: Call, span: str) -> list[Cell]:
        """sum/mean/count of the argument computed in each period of ``span``, per subject."""
        periods = self.frame.history[span]
        if not periods:
            if node.func == "mean":
                return [_Fault(node, f"mean() over '{span}', which has no periods")] * self.n
            return [Decimal(0)] * self.n
        per_period = [self.run(node.args[0], period) for period in periods]
        if node.func == "count":
            return _map(lambda *flags: Decimal(sum(1 for flag in flags if flag)), *per_period)
        totals = _map(lambda *values: _zero_unsigned(sum(values, Decimal(0))), *per_period)
        if node.func == "sum":
            return totals
        return _map(lambda total: fixed_divide(total, Decimal(len(periods))), totals)
