"""youfu's formula language: the small, safe expressions a service office writes in its policies.

Plain Python, no Django. ``parse`` turns text into a tree (never ``eval``), ``check`` finds unknown
names and type errors with their line and column, ``evaluate`` runs a tree over columns of data (the
reference semantics), ``to_source`` prints a tree back. See README.md in this folder.
"""

from youfu.formula.ast import Expr, to_source
from youfu.formula.checker import FUNCTIONS, Type, check
from youfu.formula.errors import EvaluationError, FormulaError
from youfu.formula.evaluator import Column, Frame, Value, evaluate
from youfu.formula.parser import parse

__all__ = [
    "FUNCTIONS",
    "Column",
    "EvaluationError",
    "Expr",
    "FormulaError",
    "Frame",
    "Type",
    "Value",
    "check",
    "evaluate",
    "parse",
    "to_source",
]
