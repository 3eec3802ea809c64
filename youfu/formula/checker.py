"""Static checks of a formula tree: names, functions, arguments and types, before anything runs.

``check(tree, names, scopes=…, periods=…)`` returns the formula's type or raises FormulaError at the
first problem, with its line and column. A formula that checks cannot fail on a type at run time;
only data can still fail it (a division by zero, see evaluator.py).
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import NoReturn

from youfu.core.money import LIMIT, SCALE, places_of
from youfu.formula.ast import (
    Binary,
    Bool,
    BoolOp,
    Call,
    Compare,
    Expr,
    IfThenElse,
    In,
    Keyword,
    Name,
    Node,
    Num,
    Str,
    Unary,
)
from youfu.formula.errors import FormulaError


class Type(enum.Enum):
    NUMBER = "number"
    BOOL = "bool"  # a condition: true or false
    TEXT = "text"


NUMBER, BOOL, TEXT = Type.NUMBER, Type.BOOL, Type.TEXT
ORDERS = ("asc", "desc")
MAX_PLACES = 10


@dataclass(frozen=True)
class Signature:
    """A built-in function: positional parameter types, what it returns, which keywords it takes."""

    usage: str
    params: tuple[Type, ...]
    returns: Type
    optional: int = 0  # how many trailing params may be left out
    variadic: bool = False  # the last param may repeat
    keywords: tuple[str, ...] = ()  # within= (a scope), order= (asc|desc), over= (a period)
    required: tuple[str, ...] = ()


FUNCTIONS: Mapping[str, Signature] = {
    "abs": Signature("abs(x)", (NUMBER,), NUMBER),
    "min": Signature("min(a, b, ...)", (NUMBER, NUMBER), NUMBER, variadic=True),
    "max": Signature("max(a, b, ...)", (NUMBER, NUMBER), NUMBER, variadic=True),
    "clip": Signature("clip(x, low, high)", (NUMBER, NUMBER, NUMBER), NUMBER),
    "round": Signature("round(x, places)", (NUMBER, NUMBER), NUMBER, optional=1),
    "safe_div": Signature("safe_div(a, b, default)", (NUMBER, NUMBER, NUMBER), NUMBER),
    "rank": Signature(
        "rank(x, within=<scope>, order=desc|asc)", (NUMBER,), NUMBER, keywords=("within", "order")
    ),
    "top": Signature("top(x, n, within=<scope>)", (NUMBER, NUMBER), BOOL, keywords=("within",)),
    "bottom": Signature("bottom(x, n, within=<scope>)", (NUMBER, NUMBER), BOOL, keywords=("within",)),
    "sum": Signature("sum(x, over=<period>)", (NUMBER,), NUMBER, keywords=("over",), required=("over",)),
    "mean": Signature("mean(x, over=<period>)", (NUMBER,), NUMBER, keywords=("over",), required=("over",)),
    "count": Signature(
        "count(condition, over=<period>)", (BOOL,), NUMBER, keywords=("over",), required=("over",)
    ),
}


def check(
    tree: Expr,
    names: Mapping[str, Type],
    *,
    scopes: Collection[str] = (),
    periods: Collection[str] = (),
    period_names: Mapping[str, Type] | None = None,
    source: str | None = None,
) -> Type:
    """Return the type of ``tree`` or raise FormulaError.

    ``names`` are the inputs of the current period with their types; ``scopes`` the grouping keys
    allowed after ``within=`` (region, province …); ``periods`` the spans allowed after ``over=``
    (quarter, year …); ``period_names`` the inputs available inside ``over=`` (default: ``names``).
    ``source`` is only used to show the offending line in errors.
    """
    checker = _Checker(names, frozenset(scopes), frozenset(periods), period_names, source)
    return checker.type_of(tree, in_period=False)


def _a(type_: Type) -> str:
    return {NUMBER: "a number", BOOL: "a condition (true/false)", TEXT: "a text"}[type_]


def _suggest(word: str, candidates: Collection[str]) -> str:
    close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if not candidates:
        return "none are declared"
    listed = sorted(candidates)
    more = f" and {len(listed) - 12} more" if len(listed) > 12 else ""
    return f"known: {', '.join(listed[:12])}{more}"


class _Checker:
    def __init__(
        self,
        names: Mapping[str, Type],
        scopes: frozenset[str],
        periods: frozenset[str],
        period_names: Mapping[str, Type] | None,
        source: str | None,
    ) -> None:
        self.names = names
        self.scopes = scopes
        self.periods = periods
        self.period_names = names if period_names is None else period_names
        self.source = source

    def fail(self, node: Node, problem: str, *, hint: str = "", code: str = "type") -> NoReturn:
        raise FormulaError(problem, node.line, node.column, hint=hint, source=self.source, code=code)

    def type_of(self, node: Expr, *, in_period: bool) -> Type:
        match node:
            case Num():
                if places_of(node.value) > SCALE or node.value >= LIMIT:
                    self.fail(
                        node,
                        f"the number {node.value} is out of range",
                        hint=f"formulas take numbers below 10^18 with at most {SCALE} decimal places",
                        code="number",
                    )
                return NUMBER
            case Str():
                return TEXT
            case Bool():
                return BOOL
            case Name():
                return self.name(node, in_period)
            case Unary(op="-"):
                self.expect(node.operand, NUMBER, in_period, "'-' needs a number")
                return NUMBER
            case Unary():
                self.expect(node.operand, BOOL, in_period, "'not' needs a condition", hint="e.g. not exempt")
                return BOOL
            case Binary():
                left, right = (
                    self.type_of(node.left, in_period=in_period),
                    self.type_of(node.right, in_period=in_period),
                )
                if left is not NUMBER or right is not NUMBER:
                    self.fail(node, f"'{node.op}' needs two numbers, got {left.value} and {right.value}")
                return NUMBER
            case BoolOp():
                for side, operand in (("left", node.left), ("right", node.right)):
                    got = self.type_of(operand, in_period=in_period)
                    if got is not BOOL:
                        self.fail(
                            operand,
                            f"'{node.op}' needs a condition on its {side}, got {_a(got)}",
                            hint="compare it, e.g. score >= 90",
                        )
                return BOOL
            case Compare():
                left, right = (
                    self.type_of(node.left, in_period=in_period),
                    self.type_of(node.right, in_period=in_period),
                )
                self.comparable(node, node.op, left, right)
                return BOOL
            case In():
                value = self.type_of(node.value, in_period=in_period)
                for option in node.options:
                    self.comparable(option, "in", value, self.type_of(option, in_period=in_period))
                return BOOL
            case IfThenElse():
                problem = "the condition after 'if' must be true or false"
                hint = "compare it, e.g. if score < target then ..."
                self.expect(node.condition, BOOL, in_period, problem, hint=hint)
                then = self.type_of(node.then, in_period=in_period)
                otherwise = self.type_of(node.otherwise, in_period=in_period)
                if then is not otherwise:
                    self.fail(
                        node.otherwise,
                        f"'then' gives {_a(then)} but 'else' gives {_a(otherwise)}",
                        hint="both branches must give the same type",
                    )
                return then
            case Call():
                return self.call(node, in_period)
        raise TypeError(f"not a formula node: {node!r}")

    def expect(self, node: Expr, wanted: Type, in_period: bool, problem: str, *, hint: str = "") -> None:
        got = self.type_of(node, in_period=in_period)
        if got is not wanted:
            self.fail(node, f"{problem}, got {_a(got)}", hint=hint)

    def comparable(self, node: Node, op: str, left: Type, right: Type) -> None:
        if op in {"=", "!=", "in"}:
            if left is not right:
                hint = "write numbers without quotes" if {left, right} == {NUMBER, TEXT} else ""
                self.fail(node, f"'{op}' compares {_a(left)} with {_a(right)}", hint=hint)
        elif left is not NUMBER or right is not NUMBER:
            self.fail(node, f"'{op}' compares numbers, got {left.value} and {right.value}")

    def name(self, node: Name, in_period: bool) -> Type:
        known = self.period_names if in_period else self.names
        if node.id in known:
            return known[node.id]
        if node.id in FUNCTIONS:
            hint = f"'{node.id}' is a function: {FUNCTIONS[node.id].usage}"
        elif node.id in self.scopes:
            hint = f"'{node.id}' is a scope, not a value: use it as within={node.id}"
        elif node.id in self.periods:
            hint = f"'{node.id}' is a period, not a value: use it as over={node.id}"
        elif not in_period and node.id in self.period_names:
            hint = f"'{node.id}' has values per period only: use it inside sum/mean/count(..., over=...)"
        else:
            hint = _suggest(node.id, known)
        self.fail(node, f"unknown name '{node.id}'", hint=hint, code="unknown_name")

    def call(self, node: Call, in_period: bool) -> Type:
        signature = FUNCTIONS.get(node.func)
        if signature is None:
            if node.func in self.names:
                self.fail(node, f"'{node.func}' is a value, not a function", code="unknown_function")
            self.fail(
                node,
                f"unknown function '{node.func}'",
                hint=_suggest(node.func, FUNCTIONS),
                code="unknown_function",
            )
        keywords = self.keywords(node, signature, in_period)  # first: "f(a = 1)" may be a misread comparison
        self.arity(node, signature)
        inner = in_period or "over" in keywords
        for index, arg in enumerate(node.args):
            wanted = signature.params[min(index, len(signature.params) - 1)]
            got = self.type_of(arg, in_period=inner)
            if got is not wanted:
                self.fail(
                    arg,
                    f"argument {index + 1} of {node.func}() must be {_a(wanted)}, got {_a(got)}",
                    hint=f"usage: {signature.usage}",
                )
        if node.func == "round" and len(node.args) == 2:
            places = node.args[1]
            if not (isinstance(places, Num) and places.value == places.value.to_integral_value()):
                self.fail(
                    places, "round() places must be a whole number written out", hint="e.g. round(x, 2)"
                )
            if places.value > MAX_PLACES:
                self.fail(places, f"round() to {places.value} places", hint=f"at most {MAX_PLACES} places")
        return signature.returns

    def arity(self, node: Call, signature: Signature) -> None:
        most = len(signature.params)
        least = most - signature.optional
        given = len(node.args)
        if least <= given <= most or (signature.variadic and given >= least):
            return
        if signature.variadic:
            takes = f"at least {least} arguments"
        elif least == most:
            takes = f"{most} argument{'s' if most != 1 else ''}"
        else:
            takes = f"{least} or {most} arguments"
        self.fail(
            node, f"{node.func}() takes {takes}, got {given}", hint=f"usage: {signature.usage}", code="arity"
        )

    def keywords(self, node: Call, signature: Signature, in_period: bool) -> dict[str, Keyword]:
        given: dict[str, Keyword] = {}
        for keyword in node.keywords:
            if keyword.name not in signature.keywords:
                takes = ", ".join(f"{name}=" for name in signature.keywords) or "no keywords"
                self.fail(
                    keyword,
                    f"{node.func}() has no keyword '{keyword.name}'",
                    hint=f"it takes {takes}; to compare, write ({keyword.name} = ...)",
                    code="keyword",
                )
            if keyword.name in given:
                self.fail(keyword, f"keyword '{keyword.name}' is given twice", code="keyword")
            given[keyword.name] = keyword
            self.keyword_value(node, keyword, in_period)
        for name in signature.required:
            if name not in given:
                self.fail(
                    node, f"{node.func}() needs {name}=", hint=f"usage: {signature.usage}", code="keyword"
                )
        return given

    def keyword_value(self, node: Call, keyword: Keyword, in_period: bool) -> None:
        allowed = {"within": self.scopes, "order": frozenset(ORDERS), "over": self.periods}[keyword.name]
        kind = {"within": "scope", "order": "order", "over": "period"}[keyword.name]
        value = keyword.value
        if not isinstance(value, Name):
            self.fail(
                value,
                f"{keyword.name}= takes a {kind} name, not an expression",
                hint=_suggest("", allowed),
                code="keyword",
            )
        if value.id not in allowed:
            self.fail(value, f"unknown {kind} '{value.id}'", hint=_suggest(value.id, allowed), code="keyword")
        if keyword.name == "over" and in_period:
            self.fail(node, f"{node.func}(..., over=) inside another over= is not supported", code="keyword")
