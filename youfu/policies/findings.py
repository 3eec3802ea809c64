"""What the policy checker reports: one finding per problem, with the file, line and column."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Collection
from dataclasses import dataclass


class Severity(enum.StrEnum):
    ERROR = "error"  # the policy must not run until it is fixed
    WARNING = "warning"  # the policy runs, but someone must look: the seed is silent or ambiguous


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in a policy file. Sorted by file, line and column, the order a reader fixes them."""

    file: str
    line: int
    column: int
    severity: Severity
    code: str  # stable, for programs and tests: unknown_key, weights_sum, grade_gap, silent_case …
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message} [{self.code}]"


def did_you_mean(word: str, candidates: Collection[str]) -> str:
    """' (did you mean 'x'?)', or the known words when nothing is close, for messages."""
    close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    if not candidates:
        return ""
    listed = sorted(candidates)
    more = f" and {len(listed) - 12} more" if len(listed) > 12 else ""
    return f"; known: {', '.join(listed[:12])}{more}"


def close_match(word: str, candidates: Collection[str]) -> str:
    """'; did you mean 'x'?' when a candidate is close, else '' (for messages that list the candidates)."""
    close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
