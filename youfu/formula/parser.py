"""Formula text → syntax tree, with a LALR grammar (lark). Nothing here ever evaluates user text.

Binding strength, weakest first (see README.md): ``if … then … else …`` < ``or`` < ``and`` < ``not``
< comparisons (``=`` ``==`` ``!=`` ``<`` ``<=`` ``>`` ``>=`` ``in``, not chained) < ``+ -`` < ``* /``
< unary minus < literals, names, calls and parentheses.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any, cast

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

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
    Num,
    Str,
    Unary,
    children,
)
from youfu.formula.errors import FormulaError

MAX_LENGTH = 10_000  # characters; a policy formula is a line or two
MAX_DEPTH = 100  # nesting of the tree; keeps the checker and evaluator far from Python's recursion limit
KEYWORDS = frozenset({"if", "then", "else", "and", "or", "not", "in", "true", "false"})

GRAMMAR = r"""
?start: expr

?expr: IF expr _THEN expr _ELSE expr            -> if_then_else
     | or_expr
?or_expr: and_expr | or_expr OR and_expr        -> bool_op
?and_expr: not_expr | and_expr AND not_expr     -> bool_op
?not_expr: NOT not_expr                         -> unary
         | comparison
?comparison: sum
           | sum compare_op sum                 -> compare
           | sum IN "(" expr ("," expr)* ")"    -> in_
!compare_op: "=" | "==" | "!=" | "<" | "<=" | ">" | ">="
?sum: product | sum (PLUS | MINUS) product      -> binary
?product: negation | product (STAR | SLASH) negation -> binary
?negation: MINUS negation                       -> unary
         | atom
?atom: NUMBER                                   -> number
     | STRING                                   -> text
     | TRUE                                     -> true
     | FALSE                                    -> false
     | NAME                                     -> name
     | NAME "(" [arguments] ")"                 -> call
     | "(" expr ")"
arguments: argument ("," argument)*
?argument: expr
         | KEYWORD_NAME "=" expr                -> keyword

IF: "if"
_THEN: "then"
_ELSE: "else"
OR: "or"
AND: "and"
NOT: "not"
IN: "in"
TRUE: "true"
FALSE: "false"
PLUS: "+"
MINUS: "-"
STAR: "*"
SLASH: "/"
NUMBER: /[0-9]+(\.[0-9]+)?/
STRING: /"[^"\n]*"/ | /'[^'\n]*'/
NAME: /[^\W\d]\w*/
// "within=" starts a keyword argument; "score == 1" and "score = 1" in parentheses stay comparisons.
KEYWORD_NAME.2: /[^\W\d]\w*(?=\s*=(?!=))/

%ignore /\s+/
"""

_DESCRIBE = {
    "NAME": "a name",
    "KEYWORD_NAME": "a keyword argument",
    "NUMBER": "a number",
    "STRING": "a text in quotes",
    "$END": "the end of the formula",
}
# What an input method for Chinese types instead of the ASCII character the formula needs.
_FULL_WIDTH = {
    "（": "(", "）": ")", "，": ",", "＝": "=", "＜": "<", "＞": ">", "＋": "+", "－": "-",
    "×": "*", "＊": "*", "÷": "/", "／": "/", "“": '"', "”": '"', "‘": "'", "’": "'", "．": ".",
}  # fmt: skip


class _Builder(Transformer[Token, Expr]):
    """Builds the tree while lark parses (no intermediate parse tree)."""

    @v_args(inline=True)
    def if_then_else(self, keyword: Token, condition: Expr, then: Expr, otherwise: Expr) -> Expr:
        return IfThenElse(condition, then, otherwise, line=keyword.line or 0, column=keyword.column or 0)

    @v_args(inline=True)
    def bool_op(self, left: Expr, op: Token, right: Expr) -> Expr:
        return BoolOp(str(op), left, right, line=op.line or 0, column=op.column or 0)

    @v_args(inline=True)
    def unary(self, op: Token, operand: Expr) -> Expr:
        return Unary(str(op), operand, line=op.line or 0, column=op.column or 0)

    @v_args(inline=True)
    def compare(self, left: Expr, op: Token, right: Expr) -> Expr:
        symbol = "=" if op == "==" else str(op)
        return Compare(symbol, left, right, line=op.line or 0, column=op.column or 0)

    @v_args(inline=True)
    def compare_op(self, op: Token) -> Token:
        return op

    @v_args(inline=True)
    def in_(self, value: Expr, keyword: Token, *options: Expr) -> Expr:
        return In(value, options, line=keyword.line or 0, column=keyword.column or 0)

    @v_args(inline=True)
    def binary(self, left: Expr, op: Token, right: Expr) -> Expr:
        return Binary(str(op), left, right, line=op.line or 0, column=op.column or 0)

    @v_args(inline=True)
    def number(self, token: Token) -> Expr:
        return Num(Decimal(str(token)), line=token.line or 0, column=token.column or 0)

    @v_args(inline=True)
    def text(self, token: Token) -> Expr:
        return Str(str(token)[1:-1], line=token.line or 0, column=token.column or 0)

    @v_args(inline=True)
    def true(self, token: Token) -> Expr:
        return Bool(True, line=token.line or 0, column=token.column or 0)

    @v_args(inline=True)
    def false(self, token: Token) -> Expr:
        return Bool(False, line=token.line or 0, column=token.column or 0)

    @v_args(inline=True)
    def name(self, token: Token) -> Expr:
        return Name(str(token), line=token.line or 0, column=token.column or 0)

    @v_args(inline=True)
    def call(self, token: Token, arguments: list[Expr | Keyword] | None) -> Expr:
        items = arguments or []
        args = tuple(item for item in items if not isinstance(item, Keyword))
        keywords = tuple(item for item in items if isinstance(item, Keyword))
        seen_keyword = False
        for item in items:
            if isinstance(item, Keyword):
                seen_keyword = True
            elif seen_keyword:
                raise _Misplaced(item)
        return Call(str(token), args, keywords, line=token.line or 0, column=token.column or 0)

    def arguments(self, items: list[Expr | Keyword]) -> list[Expr | Keyword]:
        return items

    @v_args(inline=True)
    def keyword(self, token: Token, value: Expr) -> Keyword:
        return Keyword(str(token), value, line=token.line or 0, column=token.column or 0)


class _Misplaced(Exception):
    def __init__(self, node: Expr) -> None:
        self.node = node


@cache
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", lexer="contextual", transformer=_Builder(), maybe_placeholders=True)


def parse(source: str) -> Expr:
    """Parse formula text into a tree; raise FormulaError with line and column if it is not valid."""
    if not isinstance(source, str):
        raise TypeError(f"a formula is text, got {type(source).__name__}")
    if len(source) > MAX_LENGTH:
        raise FormulaError(
            f"formula is too long ({len(source)} characters)",
            1,
            1,
            hint=f"the limit is {MAX_LENGTH}; split it into several rules",
            source=source,
            code="too_long",
        )
    try:
        tree = cast(Expr, _parser().parse(source))
    except UnexpectedInput as error:
        raise _syntax_error(error, source) from None
    except _Misplaced as misplaced:
        node = misplaced.node
        raise FormulaError(
            "positional argument after a keyword argument",
            node.line,
            node.column,
            hint="put keyword arguments such as within=region last",
            source=source,
            code="syntax",
        ) from None
    _check_depth(tree, source)
    return tree


def _check_depth(tree: Expr, source: str) -> None:
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise FormulaError(
                "formula is nested too deeply",
                node.line,
                node.column,
                hint=f"at most {MAX_DEPTH} levels; split it into several rules",
                source=source,
                code="too_deep",
            )
        stack.extend((child, depth + 1) for child in children(node))


def _describe(terminal: str) -> str:
    if terminal in _DESCRIBE:
        return _DESCRIBE[terminal]
    pattern = _parser().get_terminal(terminal).pattern
    return f"'{pattern.value}'" if isinstance(pattern, PatternStr) else terminal.lower()


def _end_position(source: str) -> tuple[int, int]:
    lines = source.split("\n")
    return len(lines), len(lines[-1]) + 1


def _syntax_error(error: UnexpectedInput, source: str) -> FormulaError:
    line, column = error.line, error.column
    if isinstance(error, UnexpectedCharacters):
        char = source[error.pos_in_stream] if error.pos_in_stream is not None else "?"
        if char in _FULL_WIDTH:
            hint = f"use the ASCII '{_FULL_WIDTH[char]}' instead of the full-width '{char}'"
        elif char in "\"'":
            hint = "close the text with the same quote on the same line"
        else:
            hint = "formulas use names, numbers, quoted text, operators and function calls only"
        return FormulaError(
            f"unexpected character '{char}'", line, column, hint=hint, source=source, code="syntax"
        )
    token: Any = getattr(error, "token", None)
    # ``accepts`` asks the parse table (keywords included); ``expected`` would only list lexer terminals.
    accepted = error.accepts if isinstance(error, UnexpectedToken) else getattr(error, "expected", None)
    expected = sorted({_describe(name) for name in accepted or ()})
    hint = f"expected {', '.join(expected)}" if expected else ""
    if isinstance(error, UnexpectedToken) and token is not None and token.type != "$END":
        found = f"'{token}'"
        if str(token) in {"=", "==", "!=", "<", "<=", ">", ">="}:
            hint = "comparisons do not chain: write 'a < b and b < c'"
        elif str(token).lower() in KEYWORDS and token.type in {"NAME", "KEYWORD_NAME"}:
            hint = f"keywords are lower case: write '{str(token).lower()}'"
        elif token.type in {"NAME", "NUMBER", "STRING"} and "a number" not in expected:
            hint = f"an operator (such as + or and) is missing before {found}"
        return FormulaError(f"unexpected {found}", line, column, hint=hint, source=source, code="syntax")
    line, column = _end_position(source)
    return FormulaError("unexpected end of formula", line, column, hint=hint, source=source, code="syntax")
