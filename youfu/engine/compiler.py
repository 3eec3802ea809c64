"""A formula tree → one Ibis expression over a table: every subject of the period at once.

Each compiled formula is a ``Col``: its ``value`` and its ``fault``, a condition that holds on the rows
where the value could not be computed (division by zero, clip() with low > high, a bad n in top() …),
or ``None`` when nothing in the formula can fail. Faults are lazy, as in the reference evaluator
(youfu.formula.evaluator): the untaken branch of ``if`` and the undecided side of ``and``/``or`` do not
fault the row. The runner (run.py) raises only for faults that reach a result.

Names resolve to the table's columns (inputs, values, rule outputs), to literals (constants, the
period's phase values, ``phase``, ``period_number``) or, inside ``over=``, to per-period expressions
(see ``Names``). Aggregates over a span (sum/mean/count) are computed by the runner and joined in as
columns before the formula is compiled; ``aggregates`` maps each such call to its column.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

from youfu.engine.numbers import NUMBER, divide, multiply_checked, number, round_to, whole_literal
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
    children,
)

Literal = Decimal | bool | str
_COLUMNS = itertools.count(1)  # names of the columns operands become


@dataclass(frozen=True)
class Fault:
    """Where a row can fail: the node (for its position), the problem, and the condition."""

    node: Node
    problem: str
    condition: ir.BooleanValue
    hint: str = ""


@dataclass
class Col:
    value: ir.Value
    fault: ir.BooleanValue | None = None


def _either(*faults: ir.BooleanValue | None) -> ir.BooleanValue | None:
    present = [fault for fault in faults if fault is not None]
    if not present:
        return None
    result = present[0]
    for fault in present[1:]:
        result = result | fault
    return result


def literal(value: Literal) -> ir.Value:
    if isinstance(value, bool):
        return ibis.literal(value)
    if isinstance(value, str):
        return ibis.literal(value, type="string")
    return number(value)


@dataclass
class Names:
    """What a name stands for: a column of the table (with its fault column, if any) or a literal."""

    columns: dict[str, str] = field(default_factory=dict)  # name → column
    faults: dict[str, str] = field(default_factory=dict)  # name → fault column
    literals: dict[str, Literal] = field(default_factory=dict)
    expressions: dict[str, ir.Value] = field(default_factory=dict)  # per-period phase values (CASE)


class Compiler:
    """Compiles formulas against one table. ``scopes`` maps a scope id to its group column;
    ``partition`` adds columns every ranking is partitioned by (the period, inside a history)."""

    def __init__(
        self,
        table: ir.Table,
        names: Names,
        *,
        scopes: Mapping[str, str],
        aggregates: Mapping[Call, tuple[str, str | None]] | None = None,
        partition: tuple[str, ...] = (),
        eager: list[Fault] | None = None,
        ranks: Mapping[Call, str] | None = None,
    ) -> None:
        self.table = table
        # rank/top/bottom calls whose ranks the caller has joined in as columns already (computed
        # on a narrow table of key, group and value: a window over every column costs far more)
        self.ranks = ranks or {}
        self.names = names
        self.scopes = scopes
        self.aggregates = aggregates or {}
        self.partition = partition
        self.sources: list[Fault] = []  # every place a row can fail, for the error message
        self.eager: list[Fault] = eager if eager is not None else []  # checked whether used or not

    def column(self, value: ir.NumericValue) -> ir.NumericValue:
        """``value`` as a column of the table (added to it unless it is a column or literal already)."""
        op = value.op()
        while isinstance(op, ops.Cast):
            op = op.arg
        if isinstance(op, ops.Field | ops.Literal):
            return value
        name = f"__yf_x{next(_COLUMNS)}"
        self.table = self.table.mutate(**{name: value})
        return self.table[name]

    def fault(self, node: Node, problem: str, condition: ir.BooleanValue, hint: str = "") -> ir.BooleanValue:
        self.sources.append(Fault(node, problem, condition, hint))
        return condition

    def compile(self, node: Expr) -> Col:
        match node:
            case Num():
                return Col(number(node.value))
            case Str():
                return Col(ibis.literal(node.value, type="string"))
            case Bool():
                return Col(ibis.literal(node.value))
            case Name():
                return self.name(node)
            case Unary(op="-", operand=Num(value=Decimal() as given)):
                return Col(number(-given if given else given))  # -3 is a literal, not an expression
            case Unary(op="-"):
                operand = self.compile(node.operand)
                return Col((-number(operand.value)).cast(NUMBER), operand.fault)
            case Unary():
                operand = self.compile(node.operand)
                return Col(~operand.value, operand.fault)
            case Binary():
                return self.binary(node)
            case Compare():
                left, right = self.compile(node.left), self.compile(node.right)
                return Col(_COMPARE[node.op](left.value, right.value), _either(left.fault, right.fault))
            case In():
                value = self.compile(node.value)
                options = [self.compile(option) for option in node.options]
                test = value.value == options[0].value
                for option in options[1:]:
                    test = test | (value.value == option.value)
                return Col(test, _either(value.fault, *(option.fault for option in options)))
            case BoolOp():
                left, right = self.compile(node.left), self.compile(node.right)
                # The right side is used only where the left side does not decide.
                undecided = left.value if node.op == "and" else ~left.value
                value = left.value & right.value if node.op == "and" else left.value | right.value
                right_fault = undecided & right.fault if right.fault is not None else None
                return Col(value, _either(left.fault, right_fault))
            case IfThenElse():
                condition = self.compile(node.condition)
                then, otherwise = self.compile(node.then), self.compile(node.otherwise)
                then_value, else_value = then.value, otherwise.value
                # BooleanValue is a NumericValue in Ibis: only real numbers become DECIMAL(38, 10).
                if any(v.type().is_numeric() and not v.type().is_boolean() for v in (then_value, else_value)):
                    then_value, else_value = number(then_value), number(else_value)
                cond = condition.value
                return Col(
                    ibis.ifelse(cond, then_value, else_value),
                    _either(
                        condition.fault,
                        cond & then.fault if then.fault is not None else None,
                        ~cond & otherwise.fault if otherwise.fault is not None else None,
                    ),
                )
            case Call():
                return self.call(node)
        raise TypeError(f"not a formula node: {node!r}")

    def name(self, node: Name) -> Col:
        names = self.names
        if node.id in names.columns:
            column = self.table[names.columns[node.id]]
            fault_column = names.faults.get(node.id)
            return Col(column, self.table[fault_column] if fault_column else None)
        if node.id in names.expressions:
            return Col(names.expressions[node.id])
        if node.id in names.literals:
            return Col(literal(names.literals[node.id]))
        raise KeyError(f"'{node.id}' has no values here (line {node.line}, column {node.column})")

    def binary(self, node: Binary) -> Col:
        left, right = self.compile(node.left), self.compile(node.right)
        a, b = number(left.value), number(right.value)
        fault = _either(left.fault, right.fault)
        if node.op == "+":
            return Col((a + b).cast(NUMBER), fault)
        if node.op == "-":
            return Col((a - b).cast(NUMBER), fault)
        if node.op in ("*", "/"):
            # × and ÷ repeat their operands many times over in SQL: a nested operand would grow the
            # query exponentially, so each one becomes a column of the table first. Times a whole
            # number (200 × points short) the other operand appears twice only: inline when it has
            # no × ÷ or call inside, so that it cannot nest (a column costs a selection of the table).
            whole = node.op == "*" and (whole_literal(a) is not None or whole_literal(b) is not None)
            if not (whole and _flat(node.left)):
                a = self.column(a)
            if not (whole and _flat(node.right)):
                b = self.column(b)
        if node.op == "*":
            value, too_big = multiply_checked(a, b)
            big = self.fault(node, "the product is 10^18 or more, beyond what formulas compute", too_big)
            return Col(value, _either(fault, big))
        zero = self.fault(
            node,
            "division by zero",
            b == number(0),
            "use safe_div(a, b, default) or if b = 0 then ... else a / b",
        )
        return Col(divide(a, b), _either(fault, zero))

    def call(self, node: Call) -> Col:
        words = {kw.name: kw.value.id for kw in node.keywords if isinstance(kw.value, Name)}
        if "over" in words:
            column, fault_column = self.aggregates[node]
            return Col(self.table[column], self.table[fault_column] if fault_column else None)
        args = [self.compile(arg) for arg in node.args]
        fault = _either(*(arg.fault for arg in args))
        values = [arg.value for arg in args]
        match node.func:
            case "abs":
                return Col(number(values[0]).abs(), fault)
            case "min":
                return Col(ibis.least(*(number(v) for v in values)).cast(NUMBER), fault)
            case "max":
                return Col(ibis.greatest(*(number(v) for v in values)).cast(NUMBER), fault)
            case "clip":
                x, low, high = (number(v) for v in values)
                bad = self.fault(node, "clip() low is above high", low > high)
                return Col(ibis.least(ibis.greatest(x, low), high).cast(NUMBER), _either(fault, bad))
            case "round":
                # The checker allows only a whole number 0–10 written out as places.
                places = node.args[1] if len(node.args) > 1 else None
                whole = (
                    int(places.value) if isinstance(places, Num) and isinstance(places.value, Decimal) else 0
                )
                return Col(round_to(number(values[0]), whole), fault)
            case "safe_div":
                a, b, default = (self.column(number(v)) for v in values)
                return Col(ibis.ifelse(b == number(0), default, divide(a, b)).cast(NUMBER), fault)
            case "rank":
                descending = words.get("order", "desc") == "desc"
                return Col(self.rank(node, args[0], words.get("within"), descending=descending), fault)
            case "top" | "bottom":
                rank = self.rank(node, args[0], words.get("within"), descending=node.func == "top")
                n = number(values[1])
                bad = self.fault(
                    node,
                    f"{node.func}() needs a whole number n of 0 or more",
                    (n < number(0)) | (n != round_to(n, 0)),
                )
                return Col(rank <= n, _either(args[1].fault, bad))
        raise TypeError(f"no compiled form for {node.func}()")

    def rank(self, node: Call, ranked: Col, within: str | None, *, descending: bool) -> ir.NumericValue:
        """Competition ranking (1, 2, 2, 4) of every row of the table in its group."""
        x = number(ranked.value)
        if ranked.fault is not None:  # one bad value would move everyone's rank: always an error
            self.eager.append(Fault(node, f"{node.func}() ranks a value that fails", ranked.fault))
        if isinstance(x, ir.Scalar):  # a constant: every row ties for first (SQL has no row to order)
            return number(1)
        if node in self.ranks:
            return self.table[self.ranks[node]]
        group = [*self.partition, *([self.scopes[within]] if within else [])]
        x = self.column(x)  # a column first: a rank of a rank would be a window inside a window
        window = ibis.window(group_by=group or None, order_by=[ibis.desc(x) if descending else x])
        return (ibis.rank().over(window) + 1).cast(NUMBER)


_COMPARE: Mapping[str, Callable[[Any, Any], Any]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _flat(node: Expr) -> bool:
    """No product, quotient or function call anywhere in ``node``: its SQL does not repeat parts."""
    if isinstance(node, Call) or (isinstance(node, Binary) and node.op in ("*", "/")):
        return False
    return all(_flat(child) for child in children(node))
