"""The rules of inspection plans (检查计划), as plain functions: no database, so each is tested alone.

* **Windows**: a period holding n visits per outlet is cut into n consecutive windows of (nearly) equal
  length, both ends included; the first windows take the spare days. One visit a quarter: the quarter.
* **Mystery-shopper count**: of the plan's N visits (outlets × visits per outlet), N × share / 100
  rounded half up (youfu.core.money's one rule): 5 × 60 % = 3, 7 × 60 % = 4.2 → 4, 3 × 50 % = 1.5 → 2.
* **Which visits**: random — `random.Random(seed).sample` over the visits in (outlet code, visit number)
  order, so the stored seed draws the same visits again; fixed — spread evenly over that order (visit i
  is drawn when ⌊(i+1)·k/N⌋ > ⌊i·k/N⌋), the same every time.
* **Matching** (per outlet and kind, checks in date order, each check used once): first every planned
  visit takes the earliest check dated inside its window — **done**; then every visit still open whose
  window has ended takes the earliest remaining check dated after its window, at most `grace_days`
  after — **late**. A visit without a check is **missed** once its window has passed (today is later
  than its last day), else **pending**; a late check arriving later turns it into late (computed, never
  stored, so never stale).
* **Distance**: great-circle (haversine) on a 6 371 km sphere, in metres. Geometry, not money: floats.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from youfu.core.money import round_points

EARTH_RADIUS_M = 6_371_000


def windows(start: dt.date, end: dt.date, n: int) -> list[tuple[dt.date, dt.date]]:
    """The period [start, end] cut into n consecutive windows, the first ones a day longer if needed."""
    days = (end - start).days + 1
    if n < 1 or n > days:
        raise ValueError(f"cannot cut {days} days into {n} windows")
    base, extra = divmod(days, n)
    out = []
    first = start
    for index in range(n):
        length = base + (1 if index < extra else 0)
        out.append((first, first + dt.timedelta(days=length - 1)))
        first += dt.timedelta(days=length)
    return out


def mystery_count(total: int, share: int) -> int:
    """How many of `total` visits the mystery shopper makes: total × share % rounded half up."""
    return int(round_points(Decimal(total) * share / 100, 0))


def draw(total: int, count: int, *, random_draw: bool, seed: int) -> set[int]:
    """The indices (0 … total−1, in outlet code and visit order) of the visits drawn."""
    count = max(0, min(count, total))
    if random_draw:
        return set(random.Random(seed).sample(range(total), count))
    return {i for i in range(total) if (i + 1) * count // total > i * count // total}


@dataclass(frozen=True)
class Due:
    """A planned visit as the matching sees it."""

    key: int
    outlet: int
    kind: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Check:
    """A recorded check as the matching sees it."""

    key: int
    outlet: int
    kind: str
    date: dt.date


@dataclass(frozen=True)
class Match:
    status: str  # youfu.inspections.choices.VisitStatus values
    check: int | None = None


def classify(
    visits: Sequence[Due], checks: Iterable[Check], *, today: dt.date, grace_days: int
) -> dict[int, Match]:
    """Each planned visit's status and the check that made it (see the module's rules)."""
    pool: dict[tuple[int, str], list[Check]] = defaultdict(list)
    for check in sorted(checks, key=lambda c: (c.date, c.key)):
        pool[(check.outlet, check.kind)].append(check)
    grace = dt.timedelta(days=grace_days)
    out: dict[int, Match] = {}
    used: set[int] = set()
    ordered = sorted(visits, key=lambda v: (v.start, v.key))
    for visit in ordered:
        for check in pool[(visit.outlet, visit.kind)]:
            if check.key not in used and visit.start <= check.date <= visit.end:
                used.add(check.key)
                out[visit.key] = Match("done", check.key)
                break
    for visit in ordered:
        if visit.key in out:
            continue
        for check in pool[(visit.outlet, visit.kind)]:
            if check.key not in used and visit.end < check.date <= visit.end + grace:
                used.add(check.key)
                out[visit.key] = Match("late", check.key)
                break
    for visit in ordered:
        if visit.key not in out:
            out[visit.key] = Match("missed" if today > visit.end else "pending")
    return out


def distance_m(lat1: Decimal, lon1: Decimal, lat2: Decimal, lon2: Decimal) -> int:
    """Great-circle distance in whole metres."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a))))


def percent(part: int, whole: int) -> Decimal:
    """part / whole as a percentage with one decimal, rounded half up; 0 of nothing is 0."""
    if not whole:
        return Decimal(0)
    return round_points(Decimal(part) * 100 / whole, 1)
