"""The formula syntax tree: frozen dataclasses, one per construct, and a printer back to text.

Every node carries the line and column (from 1) of its operator, keyword or first token, for error
messages. Positions are left out of equality, so ``parse(to_source(tree)) == tree`` holds for any tree
the parser makes. The production engine compiles this same tree to columnar (Ibis) expressions; the
reference evaluator walks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Node:
    line: int = field(default=0, compare=False, kw_only=True)
    column: int = field(default=0, compare=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Num(Node):
    """A number literal, exact as written: ``93.5`` is Decimal('93.5'). Never negative: ``-5`` is Unary."""

    value: Decimal


@dataclass(frozen=True, slots=True)
class Str(Node):
    """A text literal such as ``"优"``."""

    value: str


@dataclass(frozen=True, slots=True)
class Bool(Node):
    value: bool


@dataclass(frozen=True, slots=True)
class Name(Node):
    """An input of the policy (``score``, ``得分``), or a scope/period/order word after ``within=`` etc."""

    id: str


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "-" or "not"
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str  # "+", "-", "*", "/"
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: str  # "=", "!=", "<", "<=", ">", ">="  ("==" is read as "=")
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class In(Node):
    """``value in (a, b, c)``."""

    value: Expr
    options: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    op: str  # "and" or "or"
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class IfThenElse(Node):
    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True, slots=True)
class Keyword(Node):
    """``within=region`` in a call."""

    name: str
    value: Expr


@dataclass(frozen=True, slots=True)
class Call(Node):
    func: str
    args: tuple[Expr, ...] = ()
    keywords: tuple[Keyword, ...] = ()


Expr = Num | Str | Bool | Name | Unary | Binary | Compare | In | BoolOp | IfThenElse | Call


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of ``node``, in source order."""
    match node:
        case Unary():
            return (node.operand,)
        case Binary() | Compare() | BoolOp():
            return (node.left, node.right)
        case In():
            return (node.value, *node.options)
        case IfThenElse():
            return (node.condition, node.then, node.otherwise)
        case Call():
            return (*node.args, *(keyword.value for keyword in node.keywords))
        case _:
            return ()


# Binding strength, weakest first; the grammar in parser.py has the same order.
_IF, _OR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _NEGATE, _ATOM = range(9)
_LEVEL = {"or": _OR, "and": _AND, "+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT}
# A positional argument that starts "name =" would read back as a keyword argument.
_LOOKS_LIKE_KEYWORD = re.compile(r"[^\W\d]\w*\s*=(?!=)")


def _level(node: Expr) -> int:
    match node:
        case IfThenElse():
            return _IF
        case BoolOp() | Binary():
            return _LEVEL[node.op]
        case Unary():
            return _NOT if node.op == "not" else _NEGATE
        case Compare() | In():
            return _COMPARE
        case _:
            return _ATOM


def _wrap(node: Expr, minimum: int) -> str:
    text = to_source(node)
    return f"({text})" if _level(node) < minimum else text


def _argument(node: Expr) -> str:
    text = to_source(node)
    return f"({text})" if _LOOKS_LIKE_KEYWORD.match(text) else text


def to_source(node: Expr) -> str:
    """Print a tree as formula text, with only the parentheses it needs (used in explanations)."""
    match node:
        case Num(value=value):
            return format(value, "f")
        case Str(value=value):
            if '"' not in value:
                return f'"{value}"'
            if "'" not in value:
                return f"'{value}'"
            raise ValueError(f"text {value!r} has both quote characters and cannot be written")
        case Bool(value=value):
            return "true" if value else "false"
        case Name(id=name):
            return name
        case Unary(op="not"):
            return f"not {_wrap(node.operand, _NOT)}"
        case Unary():
            return f"-{_wrap(node.operand, _NEGATE)}"
        case Binary() | BoolOp():
            level = _LEVEL[node.op]  # left-associative: the right side binds one level tighter
            return f"{_wrap(node.left, level)} {node.op} {_wrap(node.right, level + 1)}"
        case Compare():  # comparisons do not chain: both sides are sums
            return f"{_wrap(node.left, _SUM)} {node.op} {_wrap(node.right, _SUM)}"
        case In():
            return f"{_wrap(node.value, _SUM)} in ({', '.join(to_source(o) for o in node.options)})"
        case IfThenElse():
            return (
                f"if {to_source(node.condition)} then {to_source(node.then)} else {to_source(node.otherwise)}"
            )
        case Call():
            args = [_argument(arg) for arg in node.args]
            args += [f"{keyword.name}={to_source(keyword.value)}" for keyword in node.keywords]
            return f"{node.func}({', '.join(args)})"
    raise TypeError(f"not a formula node: {node!r}")
