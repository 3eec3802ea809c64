"""Formula errors are moved from the formula's own line and column to the file's, whatever the YAML style."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from youfu.policies.scalars import Lines, Mark, locate
from youfu.policies.tests.helpers import check, document, position, where

INPUTS = """\
inputs:
  - name: score
    type: number
  - name: grade
    type: text
"""


def _rule(amount: str) -> str:
    """A policy whose one rule's amount is ``amount``, written as it stands after 'amount:'."""
    return document(INPUTS + "rules:\n  - id: r\n    subject: outlet\n    amount:" + amount)


def _finding(tmp_path: Path, text: str) -> tuple[int, int, str]:
    findings = check(tmp_path, text=text)
    assert len(findings) == 1, findings
    return findings[0].line, findings[0].column, findings[0].code


def test_plain_one_line(tmp_path: Path) -> None:
    text = _rule(" 1000 + (95 - scroe) * 200\n")

    assert _finding(tmp_path, text) == (*position(text, "scroe"), "unknown_name")


def test_plain_folded_over_lines(tmp_path: Path) -> None:
    # YAML joins the lines with a space: the formula is "1000 + (95 - scroe) * 200", one line.
    text = _rule(" 1000 +\n      (95 - scroe)\n      * 200\n")

    assert _finding(tmp_path, text) == (*position(text, "scroe"), "unknown_name")


def test_chinese_text_counts_one_column_per_character(tmp_path: Path) -> None:
    text = _rule(' if grade = "优秀员工" then scroe else 0\n')

    assert _finding(tmp_path, text) == (*position(text, "scroe"), "unknown_name")


def test_single_quoted_with_doubled_quotes_before_the_error(tmp_path: Path) -> None:
    # '' is one quote in the value: each one shifts the columns after it by one.
    text = _rule(" 'if grade = ''优'' or grade = ''良'' then scroe else 0'\n")

    assert _finding(tmp_path, text) == (*position(text, "scroe"), "unknown_name")


def test_double_quoted_with_escapes_before_the_error(tmp_path: Path) -> None:
    text = _rule(' "if grade = \\"\\u4f18\\" then scroe else 0"\n')

    assert _finding(tmp_path, text) == (*position(text, "scroe"), "unknown_name")


def test_double_quoted_over_lines_with_an_escaped_line_break(tmp_path: Path) -> None:
    text = _rule(' "1000 + \\\n      (95 - score) *\n      scroe"\n')

    assert _finding(tmp_path, text) == (*position(text, "scroe"), "unknown_name")


def test_literal_block_keeps_lines(tmp_path: Path) -> None:
    text = _rule(" |\n      if score < 95\n      then 1000 + (95 - score) * 200\n      else scroe\n")

    assert _finding(tmp_path, text) == (*position(text, "scroe"), "unknown_name")


def test_folded_block_with_an_empty_line(tmp_path: Path) -> None:
    text = _rule(" >-\n      if score < 95\n      then 1000\n\n      else scroe\n")

    assert _finding(tmp_path, text) == (*position(text, "scroe"), "unknown_name")


def test_syntax_error_at_the_end_of_a_block_points_after_its_last_character(tmp_path: Path) -> None:
    text = _rule(" |\n      1000 +\n        (95 - score) *\n")

    line, column = position(text, "score) *")
    assert _finding(tmp_path, text) == (line, column + len("score) *"), "syntax")


def test_syntax_error_inside_a_quoted_formula(tmp_path: Path) -> None:
    text = _rule(" '1000 + * 2'\n")

    assert _finding(tmp_path, text) == (*position(text, "* 2"), "syntax")


def test_type_errors_point_at_the_formulas_first_character(tmp_path: Path) -> None:
    text = _rule(" |\n      score >\n        90\n")

    assert _finding(tmp_path, text) == (*position(text, "score >"), "type")


def test_a_block_with_an_indentation_indicator_falls_back_to_the_scalars_start(tmp_path: Path) -> None:
    # "|2" with a more indented first line: the value starts with spaces; this module does not rebuild
    # it, so the error points at the block's indicator, on the right line.
    text = _rule(" |2\n        scroe\n")

    assert where(check(tmp_path, text=text)) == [(*position(text, "|2"), "error", "unknown_name")]


def test_lines_turn_an_index_into_line_and_column() -> None:
    lines = Lines("ab\n优c\n\nd")

    assert [lines.mark(index) for index in (0, 1, 2, 3, 4, 6, 7)] == [
        Mark(1, 1),
        Mark(1, 2),
        Mark(1, 3),
        Mark(2, 1),
        Mark(2, 2),
        Mark(3, 1),
        Mark(4, 1),
    ]


_ALPHABET = st.sampled_from(list("ab 得分()'\"\\+-*/<>=,#:\n\t0"))


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(_ALPHABET, max_size=40),
    style=st.sampled_from([None, "'", '"', "|", ">"]),
    width=st.integers(10, 60),
)
def test_every_character_maps_back_to_where_yaml_read_it(text: str, style: str | None, width: int) -> None:
    # Whatever PyYAML writes (it picks the style it can, folds long lines at `width`), the rebuilt
    # value is exact for flow scalars, and for blocks unless the value starts with a space or line
    # break (an indentation indicator); each character maps to itself, to an escape, or to the
    # whitespace that YAML folded into it.
    source = yaml.dump({"k": {"f": text}}, default_style=style, allow_unicode=True, width=width)
    root = yaml.compose(source, Loader=yaml.SafeLoader)
    assert root is not None
    node = root.value[0][1].value[0][1]

    offsets = locate(source, node.start_mark.index, node.end_mark.index, node.style, node.value)

    if offsets is None:
        assert node.style in ("|", ">") and node.value[:1].isspace()
        return
    assert len(offsets) == len(node.value) or node.style in ("|", ">")
    for index, offset in enumerate(offsets):
        char, found = node.value[index], source[offset]
        if char.isspace():
            assert found.isspace() or found == "\\"
        else:
            assert found == char or found in "\\'"
