"""Parsing: precedence, positions, syntax errors, safety, and printing back to text."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from youfu.formula import FormulaError, Type, check, parse, to_source
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
)
from youfu.formula.parser import KEYWORDS, MAX_DEPTH


def n(value: str) -> Num:
    return Num(Decimal(value))


a, b, c = Name("a"), Name("b"), Name("c")


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("1 + 2 * 3", Binary("+", n("1"), Binary("*", n("2"), n("3")))),
        ("(1 + 2) * 3", Binary("*", Binary("+", n("1"), n("2")), n("3"))),
        ("a - b - c", Binary("-", Binary("-", a, b), c)),
        ("a / b * c", Binary("*", Binary("/", a, b), c)),
        ("-a * b", Binary("*", Unary("-", a), b)),
        ("a * -b", Binary("*", a, Unary("-", b))),
        ("--a", Unary("-", Unary("-", a))),
        ("a + b < c * 2", Compare("<", Binary("+", a, b), Binary("*", c, n("2")))),
        ("not a = b", Unary("not", Compare("=", a, b))),
        ("a == b", Compare("=", a, b)),
        ("not a and b", BoolOp("and", Unary("not", a), b)),
        ("a or b and c", BoolOp("or", a, BoolOp("and", b, c))),
        ("a and b or c", BoolOp("or", BoolOp("and", a, b), c)),
        (
            "a >= 85 and a < 100 or b",
            BoolOp("or", BoolOp("and", Compare(">=", a, n("85")), Compare("<", a, n("100"))), b),
        ),
        ("a in (1, 2, 3)", In(a, (n("1"), n("2"), n("3")))),
        ("a + 1 in (2)", In(Binary("+", a, n("1")), (n("2"),))),
        ("if a then 1 else 2 + 3", IfThenElse(a, n("1"), Binary("+", n("2"), n("3")))),
        (
            "if a then 1 else if b then 2 else 3",
            IfThenElse(a, n("1"), IfThenElse(b, n("2"), n("3"))),
        ),
        ("1 + (if a then 1 else 2)", Binary("+", n("1"), IfThenElse(a, n("1"), n("2")))),
        ('grade = "优"', Compare("=", Name("grade"), Str("优"))),
        ("g != '良'", Compare("!=", Name("g"), Str("良"))),
        ("得分 * 0.3", Binary("*", Name("得分"), n("0.3"))),
        ("true or false", BoolOp("or", Bool(True), Bool(False))),
        ("iffy + notice", Binary("+", Name("iffy"), Name("notice"))),
        ("max(a, b, c)", Call("max", (a, b, c))),
        ("count()", Call("count")),
        (
            "rank(score, within=province, order=desc) <= 200",
            Compare(
                "<=",
                Call(
                    "rank",
                    (Name("score"),),
                    (Keyword("within", Name("province")), Keyword("order", Name("desc"))),
                ),
                n("200"),
            ),
        ),
        ("f(a = b)", Call("f", (), (Keyword("a", b),))),  # name= in a call is a keyword argument
        ("f((a = b))", Call("f", (Compare("=", a, b),))),  # in parentheses it is a comparison
        ("f(a == b)", Call("f", (Compare("=", a, b),))),
        ("f(a <= b)", Call("f", (Compare("<=", a, b),))),
    ],
)
def test_parse_builds_the_tree_by_precedence(text: str, tree: Expr) -> None:
    assert parse(text) == tree


def test_numbers_are_exact_decimals_as_written() -> None:
    assert parse("93.50") == Num(Decimal("93.50"))
    tree = parse("0.1")
    assert isinstance(tree, Num)
    assert str(tree.value) == "0.1"


def test_nodes_carry_the_line_and_column_of_their_operator_or_first_token() -> None:
    tree = parse("if score < target\n  then 1000 + (target - score) * 200\n  else 0")
    assert isinstance(tree, IfThenElse)
    assert (tree.line, tree.column) == (1, 1)
    assert isinstance(tree.condition, Compare)
    assert (tree.condition.line, tree.condition.column) == (1, 10)
    assert (tree.condition.left.line, tree.condition.left.column) == (1, 4)
    then = tree.then
    assert isinstance(then, Binary)
    assert (then.line, then.column) == (2, 13)  # the "+"
    assert isinstance(then.right, Binary)
    assert (then.right.line, then.right.column) == (2, 32)  # the "*"
    assert (tree.otherwise.line, tree.otherwise.column) == (3, 8)


def test_columns_count_characters_not_bytes() -> None:
    tree = parse("得分 + 扣分")
    assert isinstance(tree, Binary)
    assert (tree.column, tree.right.column) == (4, 6)


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        (
            "1 +",
            1,
            4,
            "unexpected end of formula at line 1, column 4; "
            "expected '(', '-', 'false', 'true', a name, a number, a text in quotes",
        ),
        ("(1 + 2", 1, 7, "unexpected end of formula at line 1, column 7; expected ')'"),
        ("if a then b", 1, 12, "unexpected end of formula at line 1, column 12; expected 'else'"),
        (
            "a < b < c",
            1,
            7,
            "unexpected '<' at line 1, column 7; comparisons do not chain: write 'a < b and b < c'",
        ),
        (
            "score 90",
            1,
            7,
            "unexpected '90' at line 1, column 7; an operator (such as + or and) is missing before '90'",
        ),
        ("a AND b", 1, 3, "unexpected 'AND' at line 1, column 3; keywords are lower case: write 'and'"),
        (
            "1 + （2）",
            1,
            5,
            "unexpected character '（' at line 1, column 5; use the ASCII '(' instead of the full-width '（'",
        ),
        (
            "grade = “优”",
            1,
            9,
            "unexpected character '“' at line 1, column 9; use the ASCII '\"' instead of the full-width '“'",
        ),
        (
            "x = 'abc",
            1,
            5,
            "unexpected character ''' at line 1, column 5; "
            "close the text with the same quote on the same line",
        ),
        (
            "a ** 2",
            1,
            4,
            "unexpected '*' at line 1, column 4; "
            "expected '(', '-', 'false', 'true', a name, a number, a text in quotes",
        ),
        (
            "rank(score, within=region, 2)",
            1,
            28,
            "positional argument after a keyword argument at line 1, column 28; "
            "put keyword arguments such as within=region last",
        ),
        (
            "a +\n  * b",
            2,
            3,
            "unexpected '*' at line 2, column 3; "
            "expected '(', '-', 'false', 'true', a name, a number, a text in quotes",
        ),
        (
            "",
            1,
            1,
            "unexpected end of formula at line 1, column 1; "
            "expected '(', '-', 'false', 'if', 'not', 'true', a name, a number, a text in quotes",
        ),
        (
            "1.",
            1,
            2,
            "unexpected character '.' at line 1, column 2; " + "formulas use names, numbers, "
            "quoted text, operators and function calls only",
        ),
    ],
)
def test_syntax_errors_say_what_and_where(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse(text)
    error = caught.value
    assert (error.line, error.column, error.code) == (line, column, "syntax")
    assert error.message == message


def test_error_shows_the_line_with_a_caret_under_the_column() -> None:
    with pytest.raises(FormulaError) as caught:
        parse("if 得分 < 90\nthen 1 else )")
    assert caught.value.snippet == "then 1 else )\n            ^"
    assert str(caught.value).endswith("\nthen 1 else )\n            ^")
    with pytest.raises(FormulaError) as caught:
        parse("得分 得分")
    assert caught.value.snippet == "得分 得分\n     ^"  # wide characters take two cells


def test_too_long_and_too_deep_formulas_are_refused() -> None:
    with pytest.raises(FormulaError, match=r"formula is too long \(10001 characters\)"):
        parse("1" * 10_001)
    deep = "(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH
    assert parse(deep) == n("1")  # parentheses make no nodes
    with pytest.raises(FormulaError, match="nested too deeply") as caught:
        parse("-" * (MAX_DEPTH + 1) + "1")
    assert caught.value.code == "too_deep"


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('x')",
        "__import__('os')",
        "().__class__",
        "open('f')",
        "eval('1')",
        "exec('x = 1')",
        "getattr(a, '__class__')",
        "lambda: 1",
        "a.__class__.__bases__",
        "[x for x in a]",
        "{'a': 1}",
        "a[0]",
        "a; b",
        "`a`",
        "__builtins__",
        "globals()",
    ],
)
def test_python_is_not_a_formula(text: str) -> None:
    with pytest.raises(FormulaError):
        check(parse(text), {"a": Type.NUMBER})


def test_nothing_in_the_formula_package_evaluates_text() -> None:
    package = Path(__file__).resolve().parents[1]
    code = "\n".join(path.read_text() for path in package.glob("*.py"))  # re.compile( is fine
    assert not re.search(r"(?<![.\w])(eval|exec|compile|literal_eval|__import__)\(", code)


# Printing back to text: parse(to_source(tree)) == tree for any tree the parser can make.

names = st.sampled_from(["score", "target", "得分", "self_score", "a1", "区域"]) | st.from_regex(
    r"[a-z_][a-z0-9_]{0,6}", fullmatch=True
).filter(lambda name: name not in KEYWORDS)
numbers = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False).filter(
    lambda d: not d.is_signed()
)
texts = st.text(st.characters(exclude_characters="\"'\n\r", exclude_categories=["Cs"]), max_size=5)
leaves = st.one_of(
    numbers.map(Num), names.map(Name), texts.map(Str), st.booleans().map(Bool)
)  # fmt: skip


def _grow(inner: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    keywords = st.builds(Keyword, st.sampled_from(["within", "order", "over"]), names.map(Name))
    return st.one_of(
        st.builds(Unary, st.sampled_from(["-", "not"]), inner),
        st.builds(Binary, st.sampled_from(["+", "-", "*", "/"]), inner, inner),
        st.builds(Compare, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), inner, inner),
        st.builds(BoolOp, st.sampled_from(["and", "or"]), inner, inner),
        st.builds(In, inner, st.lists(inner, min_size=1, max_size=3).map(tuple)),
        st.builds(IfThenElse, inner, inner, inner),
        st.builds(
            Call,
            st.sampled_from(["round", "max", "rank", "f"]),
            st.lists(inner, max_size=3).map(tuple),
            st.lists(keywords, max_size=2).map(tuple),
        ),
    )


trees = st.recursive(leaves, _grow, max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(trees)
def test_printing_a_tree_and_parsing_it_again_gives_the_same_tree(tree: Expr) -> None:
    text = to_source(tree)
    assert parse(text) == tree
    assert to_source(parse(text)) == text


def test_to_source_writes_only_the_parentheses_it_needs() -> None:
    text = "if score < target then 1000 + (target - score) * 200 else 0"
    assert to_source(parse(text)) == text
    assert to_source(parse("((a + b)) * (c)")) == "(a + b) * c"
    assert to_source(parse("a - (b - c)")) == "a - (b - c)"
    assert to_source(parse("a == b")) == "a = b"
    assert to_source(parse("not (a and b)")) == "not (a and b)"
    assert to_source(parse("-(a + b)")) == "-(a + b)"
    assert to_source(parse("f((a = b), x=1)")) == "f((a = b), x=1)"
    assert to_source(parse("f((a = b and c))")) == "f((a = b and c))"
    assert to_source(parse("f(b and a = c)")) == "f(b and a = c)"
