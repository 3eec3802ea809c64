"""The SLA clock: business hours on Chinese working days (chinesecalendar), make-up Saturdays, the
National Day week, and a visible warning outside the calendar's years."""

from __future__ import annotations

import datetime as dt

from youfu.complaints import sla
from youfu.complaints.tests.conftest import at


def test_two_hours_from_friday_afternoon_end_on_the_make_up_saturday() -> None:
    clock = sla.Clock()
    # 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are 调休 working days before/after National Day.
    assert clock.add(at(2025, 9, 26, 16, 0), 2 * sla.HOUR) == at(2025, 9, 28, 10, 0)
    assert clock.unknown == set()


def test_a_plain_saturday_is_skipped() -> None:
    clock = sla.Clock()
    assert clock.add(at(2025, 7, 4, 16, 0), 2 * sla.HOUR) == at(2025, 7, 7, 10, 0)  # Fri → Mon


def test_the_national_day_week_stops_the_clock() -> None:
    clock = sla.Clock()
    # 1–8 October 2025 are holidays: one hour on 30 September, the next on 9 October.
    assert clock.add(at(2025, 9, 30, 16, 0), 2 * sla.HOUR) == at(2025, 10, 9, 10, 0)
    assert clock.between(at(2025, 9, 30, 16, 0), at(2025, 10, 9, 10, 0)) == 2 * sla.HOUR
    assert clock.between(at(2025, 10, 1, 9, 0), at(2025, 10, 8, 17, 0)) == 0


def test_between_counts_only_business_hours_and_is_signed() -> None:
    clock = sla.Clock()
    assert clock.between(at(2025, 7, 7, 8, 0), at(2025, 7, 7, 18, 0)) == 8 * sla.HOUR
    assert clock.between(at(2025, 7, 7, 12, 0), at(2025, 7, 8, 10, 0)) == 6 * sla.HOUR
    assert clock.between(at(2025, 7, 8, 10, 0), at(2025, 7, 7, 12, 0)) == -6 * sla.HOUR


def test_zero_seconds_is_the_start_and_a_deadline_can_end_at_closing() -> None:
    clock = sla.Clock()
    start = at(2025, 7, 7, 20, 0)
    assert clock.add(start, 0) == start
    assert clock.add(at(2025, 7, 7, 9, 0), 8 * sla.HOUR) == at(2025, 7, 7, 17, 0)


def test_outside_the_calendar_years_weekdays_are_counted_and_the_year_is_reported() -> None:
    clock = sla.Clock()
    last = max(sla.CALENDAR_YEARS)
    start = dt.datetime(last, 12, 31, 16, 0, tzinfo=sla.SHANGHAI)
    end = clock.add(start, 2 * sla.HOUR)
    assert end.year == last + 1
    assert clock.unknown == {last + 1}
    assert sla.is_working_day(dt.date(2025, 10, 1)) == (False, True)
    assert sla.is_working_day(dt.date(last + 1, 1, 4))[1] is False


def test_sla_table_and_ladder() -> None:
    assert sla.sla_for("hotline_95580", "low") == sla.Sla(4, 40)
    assert sla.sla_for("hotline_96086", "high") == sla.Sla(2, 16)
    assert sla.sla_for("on_site", "medium") == sla.Sla(1, 24)
    assert sla.sla_for("media", "low") == sla.Sla(1, 8)
    assert [sla.level_due(s) for s in (0, 1, 4 * 3600, 4 * 3600 + 1, 8 * 3600 + 1)] == [0, 1, 1, 2, 3]
