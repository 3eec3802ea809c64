"""The complaint clock: business hours on Chinese working days, and the SLA table.

Working days come from chinesecalendar (国务院办公厅 holiday notices): public holidays are off, and the
make-up working days (调休, e.g. Saturday 2025-09-28 before the National Day week) are on. The package
covers the years in `CALENDAR_YEARS` only. For a day outside them there is no data: the clock then
counts Monday to Friday as working days and every result says which years were guessed (`unknown`),
so the pages show a warning instead of a silent guess.

Business hours are 09:00–17:00 Asia/Shanghai (8 hours a working day). Deadlines are counted in
business seconds from the moment of intake; a complaint waiting on the customer keeps its remaining
business time and gets new deadlines when it resumes (the clock pauses).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

import chinese_calendar
from chinese_calendar import constants as calendar_data

from youfu.complaints.choices import TOP_CHANNELS, Channel, Severity

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY_START = dt.time(9, 0)
DAY_END = dt.time(17, 0)
DAY_SECONDS = 8 * 3600
HOUR = 3600

_known = sorted({d.year for d in calendar_data.holidays} | {d.year for d in calendar_data.workdays})
CALENDAR_YEARS = range(_known[0], _known[-1] + 1)


def calendar_covers(year: int) -> bool:
    return year in CALENDAR_YEARS


def is_working_day(day: dt.date) -> tuple[bool, bool]:
    """(working day?, known from the calendar?). Outside the covered years: Monday–Friday, unknown."""
    if not calendar_covers(day.year):
        return day.weekday() < 5, False
    return bool(chinese_calendar.is_workday(day)), True


@dataclass
class Clock:
    """The result of a calculation and the years it had to guess (outside the holiday calendar)."""

    unknown: set[int] = field(default_factory=set)

    def working(self, day: dt.date) -> bool:
        working, known = is_working_day(day)
        if not known:
            self.unknown.add(day.year)
        return working

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        return (
            dt.datetime.combine(day, DAY_START, tzinfo=SHANGHAI),
            dt.datetime.combine(day, DAY_END, tzinfo=SHANGHAI),
        )

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """The moment `seconds` business seconds after `start` (aware datetime)."""
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        if seconds == 0:
            return start
        moment = start.astimezone(SHANGHAI)
        day = moment.date()
        left = seconds
        for _ in range(3660):  # ten years of days: a deadline is never further away
            if self.working(day):
                open_, close = self._window(day)
                begin = max(moment, open_)
                if begin < close:
                    available = int((close - begin).total_seconds())
                    if left <= available:
                        return begin + dt.timedelta(seconds=left)
                    left -= available
            day += dt.timedelta(days=1)
            moment = dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)
        raise ValueError("deadline too far away")

    def between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Business seconds from start to end; negative when end is before start."""
        if end < start:
            return -self.between(end, start)
        a, b = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
        total = 0
        day = a.date()
        while day <= b.date():
            if self.working(day):
                open_, close = self._window(day)
                lo, hi = max(a, open_), min(b, close)
                if hi > lo:
                    total += int((hi - lo).total_seconds())
            day += dt.timedelta(days=1)
        return total


# --- The SLA table ----------------------------------------------------------------------------------
# Business hours to acknowledge (受理回复) and to resolve (办结), by channel group and severity.
# Hotlines, letters and online: 4 h to acknowledge (2 h when serious); on site: 1 h, the outlet is
# there; media and regulator: 1 h and one working day, whatever the severity.
_RESOLVE = {Severity.LOW: 40, Severity.MEDIUM: 24, Severity.HIGH: 16, Severity.CRITICAL: 8}


@dataclass(frozen=True)
class Sla:
    acknowledge_hours: int
    resolve_hours: int


def sla_for(channel: str, severity: str) -> Sla:
    if channel in TOP_CHANNELS:
        return Sla(acknowledge_hours=1, resolve_hours=8)
    resolve = _RESOLVE[Severity(severity)]
    if channel == Channel.ON_SITE:
        return Sla(acknowledge_hours=1, resolve_hours=resolve)
    serious = severity in (Severity.HIGH, Severity.CRITICAL)
    return Sla(acknowledge_hours=2 if serious else 4, resolve_hours=resolve)


# The ladder: business hours past a deadline before the case climbs to each level.
LADDER_HOURS = {1: 0, 2: 4, 3: 8}


def level_due(overdue_seconds: int) -> int:
    """The level a case should have reached when it is `overdue_seconds` past its deadline."""
    if overdue_seconds <= 0:
        return 0
    return max(level for level, hours in LADDER_HOURS.items() if overdue_seconds > hours * HOUR)


def format_duration(seconds: int) -> str:
    """Business time as "3h 20m" (no days: a working day is 8 hours, not 24)."""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, HOUR)
    return f"{hours}h {rest // 60:02d}m"
