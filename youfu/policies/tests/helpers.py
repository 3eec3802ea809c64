"""Small policy documents for the checker's tests: a valid header, and where things are in a text."""

from __future__ import annotations

import textwrap
from pathlib import Path

from youfu.policies.checker import check_policy
from youfu.policies.findings import Finding

REFERENCE = Path(__file__).resolve().parents[1] / "reference"

# A complete policy but for what each test adds: 13 lines, so the test's first line is line 14.
HEADER = """\
schema: 1
id: test_policy
name: 测试
version: 1
effective:
  from: 2024-01-01
  to: 2024-12-31
subjects:
  - id: outlet
    kind: unit
    level: outlet
periods:
  unit: quarter
"""
FIRST = HEADER.count("\n") + 1
RULES = """\
rules:
  - id: base
    subject: outlet
    points: 1
"""


def document(body: str = "") -> str:
    """HEADER + ``body`` (dedented); a rule is added at the end when the body has none."""
    text = HEADER + textwrap.dedent(body)
    return text if "\nrules:" in "\n" + textwrap.dedent(body) else text + RULES


def check(tmp_path: Path, body: str = "", *, text: str | None = None) -> list[Finding]:
    path = tmp_path / "policy.yaml"
    path.write_text(document(body) if text is None else text, encoding="utf-8")
    return check_policy(path)


def where(findings: list[Finding]) -> list[tuple[int, int, str, str]]:
    """(line, column, severity, code) of each finding, the part of a finding tests compare exactly."""
    return [(finding.line, finding.column, finding.severity.value, finding.code) for finding in findings]


def position(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """Line and column (from 1) of the ``occurrence``-th ``needle`` in ``text``."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def line_of(text: str, needle: str) -> int:
    """The line of the only occurrence of ``needle`` in ``text``."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    return position(text, needle)[0]


def r5_error() -> tuple[int, int]:
    """Where the checker reports seed 篇14's 15 + 20 + 5 + 5 ≠ 55 in R5: the quantitative part's `parts:`."""
    text = (REFERENCE / "r5_department_weights.yaml").read_text(encoding="utf-8")
    return position(text, "parts:", text.count("parts:", 0, text.index("      - id: quantitative")) + 1)
