"""The synthetic bank of the benchmark: its sizes, its event kinds and what each kind feeds in R1 and R2.

One event is one row of five narrow columns (13 bytes):

| column | type | |
| --- | --- | --- |
| `kind` | TINYINT | an `Kind` below |
| `outlet_id` | INTEGER | the outlet the event happened at (every event has one) |
| `person_id` | INTEGER | the person it is about, or -1 for an event about the outlet |
| `value` | SMALLINT | what the kind says (a verdict, tenths of a point, points, yuan) |
| `day` | SMALLINT | day of the quarter, 0-based |

The org tree is implicit in the numbering, so that no event needs a join to find its units:
outlet `o` is in region (sub-branch, 支行) `o // 10`; regions are split into provinces in contiguous
blocks; person `p` works at outlet `p * outlets // staff` in department `outlet * 3 + p % 3`.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import asdict, dataclass
from datetime import date
from enum import IntEnum

OUTLETS_PER_REGION = 10
DEPARTMENTS_PER_OUTLET = 3
YEAR = 2024  # R1's effective year
GENERATOR_VERSION = 1  # raise it when the generated data changes: it is part of the cache key

# Bytes of one event row in memory (Arrow, numpy and DuckDB vectors alike: no nulls, fixed width).
EVENT_COLUMNS = {"kind": 1, "outlet_id": 4, "person_id": 4, "value": 2, "day": 2}
EVENT_ROW_BYTES = sum(EVENT_COLUMNS.values())


class Kind(IntEnum):
    """What an event is. The comment says what `value` holds and which inputs it feeds."""

    RATING = 1  # 评价器: a customer's verdict on a teller, 1 满意 2 一般 3 不满意 → R2 callbacks_* (outlet)
    CALLBACK = 2  # 电话回访: 1 满意 2 一般 3 不满意 → R2 callbacks_satisfied / callbacks_unsatisfied
    MYSTERY_DEDUCTION = 3  # 神秘人 item deduction, tenths of a point → R1 score = 100 − Σ, clipped to 0–100
    REPEATED_FINDING = 4  # a finding repeating an earlier one → R1 repeated_findings (count)
    KEY_ITEM_FINDING = 5  # a finding on a key rectification item → R1 key_item_findings (count)
    HARDWARE_LOST = 6  # hardware points lost from May on, tenths of a point → R1 hardware_points_lost
    # verified complaint, 1–10 points → R1 complaint_tickets (count, whole outlet), R2 complaint_points
    COMPLAINT = 7
    # praise by letter or hotline, 1–10 points → R1 praise_count (count, whole outlet), R2 praise_points
    PRAISE = 8
    MEDIA_PRAISE = 9  # yuan 200–1000 → R1 media_praise_amount
    INNOVATION = 10  # yuan 200–500 → R1 innovation_amount
    CONTEST = 11  # yuan 100–1000 → R1 contest_amount
    LOBBY_FINE = 12  # yuan 100–200 → R1 lobby_fines
    ATTITUDE_COMPLAINT = 13  # yuan 200–500 → R1 attitude_complaint_amount
    MEDIA_EXPOSURE = 14  # yuan 1000–10000 → R1 media_exposure_amount
    ONSITE_FIRST = 15  # points fined on the spot, first offence, 1–3 → R1 onsite_points_first (person)
    ONSITE_REPEAT = 16  # points fined on the spot, repeat offence, 1–3 → R1 onsite_points_repeat (person)
    VIDEO_VIOLATION = 17  # one person, one event → R2 video_violations (person, department, outlet head)


# Verdicts of RATING and CALLBACK.
SATISFIED, NEUTRAL, UNSATISFIED = 1, 2, 3

# Kinds aggregated per person (the events with person_id >= 0 among them).
PERSON_KINDS = (Kind.COMPLAINT, Kind.PRAISE, Kind.ONSITE_FIRST, Kind.ONSITE_REPEAT, Kind.VIDEO_VIOLATION)


@dataclass(frozen=True)
class Stream:
    """A stream of events: its kind, whom it is about, how many per outlet or person a quarter, and
    its value as `low + step * (r % choices)` for a pseudo-random r (MYSTERY_DEDUCTION: see generate)."""

    kind: Kind
    about: str  # "outlet" or "person"
    rate: float  # events per outlet (about="outlet") or per person (about="person") per quarter
    low: int = 1
    step: int = 1
    choices: int = 1


# Every stream but ratings; ratings fill the rest of the events.
STREAMS = (
    Stream(Kind.CALLBACK, "outlet", 30, SATISFIED, 1, 3),  # 10 callbacks a month (seed 001)
    Stream(Kind.MYSTERY_DEDUCTION, "outlet", 40),
    Stream(Kind.REPEATED_FINDING, "outlet", 0.4),
    Stream(Kind.KEY_ITEM_FINDING, "outlet", 0.3),
    Stream(Kind.HARDWARE_LOST, "outlet", 0.5, 1, 1, 20),
    Stream(Kind.COMPLAINT, "outlet", 0.6, 1, 1, 10),
    Stream(Kind.COMPLAINT, "person", 0.05, 1, 1, 10),
    Stream(Kind.PRAISE, "outlet", 0.5, 1, 1, 10),
    Stream(Kind.PRAISE, "person", 0.1, 1, 1, 10),
    Stream(Kind.MEDIA_PRAISE, "outlet", 0.05, 200, 100, 9),
    Stream(Kind.INNOVATION, "outlet", 0.05, 200, 100, 4),
    Stream(Kind.CONTEST, "outlet", 0.1, 100, 100, 10),
    Stream(Kind.LOBBY_FINE, "outlet", 1.0, 100, 50, 3),
    Stream(Kind.ATTITUDE_COMPLAINT, "outlet", 0.2, 200, 100, 4),
    Stream(Kind.MEDIA_EXPOSURE, "outlet", 0.01, 1000, 1000, 10),
    Stream(Kind.ONSITE_FIRST, "person", 0.05, 1, 1, 3),
    Stream(Kind.ONSITE_REPEAT, "person", 0.01, 1, 1, 3),
    Stream(Kind.VIDEO_VIOLATION, "person", 0.3),
)
RATING_STREAM = Stream(Kind.RATING, "person", 0.0, SATISFIED, 1, 3)


def quarter_bounds(quarter: int) -> tuple[date, date]:
    """The first and last day of a quarter of R1's year."""
    last_month = 3 * quarter
    return date(YEAR, last_month - 2, 1), date(YEAR, last_month, calendar.monthrange(YEAR, last_month)[1])


@dataclass(frozen=True)
class Sizes:
    outlets: int
    staff: int
    events: int
    provinces: int
    seed: int = 1
    quarter: int = 4

    @property
    def regions(self) -> int:
        return -(-self.outlets // OUTLETS_PER_REGION)

    @property
    def departments(self) -> int:
        return self.outlets * DEPARTMENTS_PER_OUTLET

    @property
    def events_bytes(self) -> int:
        """The events' in-memory size: rows × bytes of a row (fixed-width columns, no nulls)."""
        return self.events * EVENT_ROW_BYTES

    @property
    def quarter_days(self) -> int:
        start, end = quarter_bounds(self.quarter)
        return (end - start).days + 1

    def validate(self) -> None:
        if not 1 <= self.provinces <= self.regions:
            raise ValueError(f"{self.provinces} provinces need at least as many regions ({self.regions})")
        if self.staff < self.outlets:
            raise ValueError("at least one person per outlet")
        if not 1 <= self.quarter <= 4:
            raise ValueError("quarter is 1 to 4")
        others = sum(self.stream_count(stream) for stream in STREAMS)
        if others > self.events:
            raise ValueError(
                f"{self.events:,} events are too few: the streams other than ratings alone make {others:,}"
            )

    def stream_count(self, stream: Stream) -> float:
        return stream.rate * (self.outlets if stream.about == "outlet" else self.staff)

    def key(self) -> str:
        """The cache key: the sizes, the seed, the quarter and the generator's version."""
        text = repr((GENERATOR_VERSION, sorted(asdict(self).items())))
        digest = hashlib.sha256(text.encode()).hexdigest()[:10]
        return f"o{self.outlets}-s{self.staff}-e{self.events}-p{self.provinces}-q{self.quarter}-{digest}"


PRESETS = {
    "tiny": Sizes(outlets=500, staff=4_000, events=300_000, provinces=2),
    "small": Sizes(outlets=2_500, staff=40_000, events=10_000_000, provinces=5),
    "medium": Sizes(outlets=10_000, staff=160_000, events=40_000_000, provinces=31),
    "national": Sizes(outlets=25_000, staff=400_000, events=100_000_000, provinces=31),
}

# R1's phase targets by quarter (phase_by: most_days: Q1 phase 1, Q2 and Q3 phase 2, Q4 phase 3).
R1_PHASE_BY_QUARTER = {1: 1, 2: 2, 3: 2, 4: 3}
R1_TARGETS = {1: 92, 2: 95, 3: 98}  # by phase
