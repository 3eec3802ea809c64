"""youfu's scoring engine: policies compiled to columnar (Ibis) expressions, every subject at once.

Plain Python, no Django (a test checks it). DuckDB embedded by default; PostgreSQL and Spark run the
same expressions. README.md explains the data it takes and gives back.
"""

from youfu.engine.backends import connect
from youfu.engine.run import (
    KEY,
    LINK,
    PERIOD_KEY,
    SCOPE,
    EngineResult,
    HistoryFrame,
    PeriodContext,
    PolicyRunError,
    calendar_periods,
    evaluate_policy,
    period_context,
)

__all__ = [
    "KEY",
    "LINK",
    "PERIOD_KEY",
    "SCOPE",
    "EngineResult",
    "HistoryFrame",
    "PeriodContext",
    "PolicyRunError",
    "calendar_periods",
    "connect",
    "evaluate_policy",
    "period_context",
]
