"""Reads of the complaints domain, always within the user's subtree (youfu.accounts.access.restrict);
a complaint outside it answers 404. Contacts are never read here in clear (see services.
complaint_contact_reveal)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from youfu.accounts.access import restrict
from youfu.complaints import sla
from youfu.complaints.choices import OPEN_STATUSES, Channel, ComplaintKind, ComplaintStatus
from youfu.complaints.models import Complaint, ComplaintEvent
from youfu.core.money import round_points
from youfu.org.choices import PeriodKind, UnitKind
from youfu.org.models import Period, Unit

RATE_TARGET = Decimal("-40")  # 95580客户投诉率比基础值至少下降40% (seed 000 篇3)


def complaint_list(*, user: Any) -> QuerySet[Complaint]:
    if not user.has_perm("complaints.view_complaint"):
        return Complaint.objects.none()
    return restrict(Complaint.objects.all(), user).select_related("unit", "owner")


def complaint_get(*, user: Any, pk: int | str) -> Complaint:
    try:
        return complaint_list(user=user).get(pk=pk)
    except (Complaint.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def my_queue(*, user: Any) -> QuerySet[Complaint]:
    """Open cases the user is responsible for, the most urgent first."""
    return (
        complaint_list(user=user)
        .filter(owner=user)
        .exclude(status=ComplaintStatus.CLOSED)
        .order_by("resolve_due", "pk")
    )


def callbacks_due(*, user: Any) -> QuerySet[Complaint]:
    return (
        complaint_list(user=user)
        .filter(status=ComplaintStatus.CLOSED, callback_result="")
        .order_by("callback_due")
    )


def timeline(*, complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return complaint.events.select_related("actor").order_by("at", "pk")


@dataclass(frozen=True)
class Timer:
    """A case's clock for the SLA board: which deadline counts, business time left (negative: late)."""

    complaint: Complaint
    which: str  # acknowledge | resolve
    deadline: dt.datetime
    left: int  # business seconds
    paused: bool

    @property
    def breached(self) -> bool:
        return self.left < 0

    @property
    def left_text(self) -> str:
        return ("−" if self.left < 0 else "") + sla.format_duration(self.left)

    @property
    def late_text(self) -> str:
        """How long past the deadline, as a positive duration (shown after "late")."""
        return sla.format_duration(self.left)


def timer(complaint: Complaint, *, now: dt.datetime | None = None, clock: sla.Clock | None = None) -> Timer:
    clock = clock or sla.Clock()
    moment = now or timezone.now()
    which, deadline = (
        ("acknowledge", complaint.acknowledge_due)
        if complaint.acknowledged_at is None
        else ("resolve", complaint.resolve_due)
    )
    if complaint.status == ComplaintStatus.WAITING_CUSTOMER:
        return Timer(complaint, "resolve", deadline, complaint.resolve_left or 0, True)
    return Timer(complaint, which, deadline, clock.between(moment, deadline), False)


@dataclass(frozen=True)
class Board:
    timers: list[Timer]
    unknown_years: list[int]  # years the clock had to guess (outside the holiday calendar)


def sla_board(*, user: Any, now: dt.datetime | None = None) -> Board:
    """Every open case in the subtree with its timer, late ones first."""
    clock = sla.Clock()
    rows = complaint_list(user=user).filter(status__in=OPEN_STATUSES)
    timers = sorted((timer(c, now=now, clock=clock) for c in rows), key=lambda t: (t.left, t.complaint.pk))
    years = {int(y) for c in rows for y in c.calendar_warning.split(",") if y} | clock.unknown
    return Board(timers=timers, unknown_years=sorted(years))


# --- Complaint rate -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    unit: Unit
    baseline: int
    current: int
    change: Decimal | None  # percent; None without a baseline

    @property
    def on_target(self) -> bool | None:
        if self.change is None:
            return None if self.current else True
        return self.change <= RATE_TARGET


@dataclass(frozen=True)
class Rates:
    period: Period
    current_end: dt.date  # the period's end, or today while the period runs
    baseline_year: int
    baseline_start: dt.date
    baseline_end: dt.date
    channel: str
    rows: list[RateRow]
    baseline_total: int
    current_total: int
    change: Decimal | None


def _shift_year(day: dt.date, year: int) -> dt.date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def _local_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(start, dt.time(0), tzinfo=sla.SHANGHAI),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=sla.SHANGHAI),
    )


def _change(current: int, baseline: int) -> Decimal | None:
    if not baseline:
        return None
    return round_points(Decimal(current - baseline) * 100 / Decimal(baseline))


def complaint_rates(
    *, user: Any, period: Period, baseline_year: int, channel: str = "", today: dt.date | None = None
) -> Rates:
    """Complaints per outlet received in `period` against the same days of `baseline_year` (seed 000 篇3:
    the 95580 complaint rate at least 40% below the base year's). Counts every complaint registered, valid
    or not, of the channel (all channels when ""). Outlets of the user's subtree only. A period still
    running counts up to today, and the baseline the same days: a year to date against the baseline
    year to the same date, never against the whole baseline year."""
    current_end = min(period.end, today or timezone.localdate())
    if current_end < period.start:  # a period not begun: nothing to count yet
        current_end = period.start - dt.timedelta(days=1)
    base_start = _shift_year(period.start, baseline_year)
    base_end = _shift_year(current_end, baseline_year + (current_end.year - period.start.year))
    outlets = list(restrict(Unit.objects.filter(kind=UnitKind.OUTLET), user, unit_field="").order_by("path"))
    rows_q = complaint_list(user=user).filter(kind=ComplaintKind.COMPLAINT)
    if channel:
        rows_q = rows_q.filter(channel=channel)
    now_from, now_to = _local_range(period.start, current_end)
    base_from, base_to = _local_range(base_start, base_end)
    counts = rows_q.values("unit").annotate(
        current=Count("pk", filter=Q(received_at__gte=now_from, received_at__lt=now_to)),
        baseline=Count("pk", filter=Q(received_at__gte=base_from, received_at__lt=base_to)),
    )
    by_unit = {row["unit"]: (row["baseline"], row["current"]) for row in counts}
    rows = [
        RateRow(
            unit=u, baseline=by_unit.get(u.pk, (0, 0))[0], current=by_unit.get(u.pk, (0, 0))[1], change=None
        )
        for u in outlets
    ]
    rows = [RateRow(r.unit, r.baseline, r.current, _change(r.current, r.baseline)) for r in rows]
    baseline_total = sum(r.baseline for r in rows)
    current_total = sum(r.current for r in rows)
    return Rates(
        period=period,
        current_end=current_end,
        baseline_year=baseline_year,
        baseline_start=base_start,
        baseline_end=base_end,
        channel=channel,
        rows=rows,
        baseline_total=baseline_total,
        current_total=current_total,
        change=_change(current_total, baseline_total),
    )


DEFAULT_RATE_CHANNEL = Channel.HOTLINE_95580


def complaint_rate_this_year(*, user: Any, today: dt.date | None = None) -> Rates | None:
    """The 95580 complaint rate of the running year to date against the same days of the year before:
    the overview's tile. None when no year period covers today."""
    today = today or timezone.localdate()
    year = Period.objects.filter(kind=PeriodKind.YEAR, start__lte=today, end__gte=today).first()
    if year is None:
        return None
    return complaint_rates(
        user=user, period=year, baseline_year=year.start.year - 1, channel=DEFAULT_RATE_CHANNEL, today=today
    )
