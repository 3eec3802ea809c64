"""The KPI formulas, plain Python (no Django): the dashboard, the API, the CLI and the facts all compute
through these, so a value can be traced to its inputs.

* diversion rate (超柜分流率, seed 000 篇8) = smart ÷ (smart + counter) × 100, over the transaction types
  that can be diverted;
* average wait = Σ (call − ticket) ÷ called tickets, in minutes;
* p90 wait = the nearest-rank 90th percentile: the waits sorted ascending, the one at rank ⌈0.9 × n⌉
  (1-based) — the smallest wait that at least 90% of the called tickets did not exceed; in minutes;
* complaint change = (complaints − base year's) ÷ base year's × 100 (youfu.complaints);
* satisfaction and evaluation rates: youfu.feedback (satisfied ÷ rated, rated ÷ transactions).

Every value is a Decimal, half up to 2 places (youfu.core.money.round_points); None without a
denominator. Red/amber/green: a KPI where higher is better is green at or above its target, amber down
to target − band, red below; where lower is better, green at or below the target, amber up to target +
band, red above. Both boundaries belong to the better colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from youfu.core.money import fixed_divide, round_points

GREEN, AMBER, RED = "green", "amber", "red"

# kpi → higher is better
HIGHER_IS_BETTER: dict[str, bool] = {
    "diversion_rate": True,
    "wait_avg": False,
    "wait_p90": False,
    "complaint_change": False,
    "satisfaction_rate": True,
    "evaluation_rate": True,
}


@dataclass(frozen=True)
class Default:
    target: Decimal
    band: Decimal
    seed: str  # where the target comes from; "" = no seed gives it (youfu's default, flagged)


DEFAULTS: dict[str, Default] = {
    "diversion_rate": Default(Decimal("90"), Decimal("5"), "000 篇8"),
    "wait_avg": Default(Decimal("15"), Decimal("5"), ""),
    "wait_p90": Default(Decimal("30"), Decimal("10"), ""),
    "complaint_change": Default(Decimal("-40"), Decimal("20"), "000 篇3"),
    "satisfaction_rate": Default(Decimal("95"), Decimal("2"), "issue 6 / 003"),
    "evaluation_rate": Default(Decimal("90"), Decimal("5"), ""),
}


def percent(part: int, whole: int) -> Decimal | None:
    """part ÷ whole × 100, half up to 2 places; None when whole is 0."""
    if whole == 0:
        return None
    return round_points(fixed_divide(Decimal(part) * 100, Decimal(whole)))


def diversion_rate(smart: int, counter: int) -> Decimal | None:
    return percent(smart, smart + counter)


def minutes(seconds: int | Decimal, count: int = 1) -> Decimal | None:
    """seconds ÷ count, in minutes, half up to 2 places."""
    if count == 0:
        return None
    return round_points(fixed_divide(Decimal(seconds), Decimal(count) * 60))


def p90_rank(n: int) -> int:
    """The 1-based rank of the nearest-rank 90th percentile among n values: ⌈0.9 × n⌉."""
    return (9 * n + 9) // 10


def wait_stats(waits: Sequence[int]) -> tuple[Decimal | None, Decimal | None]:
    """(average, p90) in minutes of waits given in seconds."""
    if not waits:
        return None, None
    ordered = sorted(waits)
    return minutes(sum(ordered), len(ordered)), minutes(ordered[p90_rank(len(ordered)) - 1])


def rag(kpi: str, value: Decimal | None, target: Decimal, band: Decimal) -> str | None:
    if value is None:
        return None
    if HIGHER_IS_BETTER[kpi]:
        if value >= target:
            return GREEN
        return AMBER if value >= target - band else RED
    if value <= target:
        return GREEN
    return AMBER if value <= target + band else RED


RAG_POINTS = {GREEN: 100, AMBER: 50, RED: 0}


def score(colours: Sequence[str | None]) -> Decimal | None:
    """An outlet's score for the ranking and the map: the mean of 100 per green, 50 per amber, 0 per red
    over the KPIs it has a value for; None when it has none."""
    known = [RAG_POINTS[c] for c in colours if c is not None]
    if not known:
        return None
    return round_points(fixed_divide(Decimal(sum(known)), Decimal(len(known))))
