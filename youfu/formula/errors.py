"""One error type for everything wrong with a formula: syntax, names, types, and evaluation.

The message says what is wrong, where (line and column, both counted from 1, in characters), and how
to fix it. ``code`` is stable for programs (the API maps it to its error shape); ``problem`` and ``hint``
are the English parts of the message, kept apart so that they can be translated.
"""

from __future__ import annotations

import unicodedata


class FormulaError(Exception):
    """A formula that cannot be parsed, checked or evaluated."""

    def __init__(
        self,
        problem: str,
        line: int,
        column: int,
        *,
        hint: str = "",
        source: str | None = None,
        code: str = "invalid",
    ) -> None:
        self.problem = problem
        self.line = line
        self.column = column
        self.hint = hint
        self.source = source
        self.code = code
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = f"{self.problem} at line {self.line}, column {self.column}"
        return f"{where}; {self.hint}" if self.hint else where

    @property
    def snippet(self) -> str:
        """The offending source line with a caret under the column ('' without the source)."""
        if self.source is None:
            return ""
        lines = self.source.splitlines() or [""]
        if not 1 <= self.line <= len(lines):
            return ""
        text = lines[self.line - 1]
        # Chinese characters take two cells in a terminal: pad the caret by display width.
        pad = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text[: self.column - 1])
        return f"{text}\n{' ' * pad}^"

    def __str__(self) -> str:
        snippet = self.snippet
        return f"{self.message}\n{snippet}" if snippet else self.message


class EvaluationError(FormulaError):
    """A formula that checked but failed on some subjects' data, e.g. a division by zero.

    ``rows`` holds the 0-based positions of the subjects it failed for (empty when it failed for all
    subjects at once, e.g. a missing period).
    """

    def __init__(
        self,
        problem: str,
        line: int,
        column: int,
        *,
        hint: str = "",
        source: str | None = None,
        code: str = "evaluation",
        rows: tuple[int, ...] = (),
    ) -> None:
        self.rows = rows
        super().__init__(problem, line, column, hint=hint, source=source, code=code)
