"""Evaluator ratings of the demo bank (安澜银行): every teller of every outlet, each working day (Monday
to Saturday) from the first day of the month before last until yesterday — two to three months, some
800,000 transactions — loaded as one batch per month through the same service as an office's file
(youfu.feedback.services), then the last full month's rates recorded as indicator data.

Realistic spreads, seeded: 35–75 transactions a day per teller; each teller presses the customer for a
rating at their own rate (70–98%); most customers are (very) satisfied, a few tellers noticeably less so.
Generated with numpy in well under a second; loading takes a second or two.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.core.errors import ApplicationError
from youfu.feedback import store
from youfu.feedback.choices import BatchSource
from youfu.feedback.models import RatingBatch
from youfu.feedback.services import rating_facts_record, ratings_ingest
from youfu.org.choices import PeriodKind, Position, UnitKind
from youfu.org.models import Period, Person, Unit

STEPS = 2
HEAD_OFFICE_CODE = "100000"  # youfu.org.demo's head office
SPELLINGS = np.array(["", "unsatisfied", "neutral", "satisfied", "very_satisfied"], dtype=object)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Teller:
    employee_no: str
    unit_code: str


def ratings_table(tellers: Sequence[Teller], start: dt.date, end: dt.date, *, seed: int) -> pa.Table:
    """A batch in the file layout (four text columns), one row per transaction: every teller, every
    working day from start to end (both included), times in Asia/Shanghai without offset."""
    rng = np.random.default_rng(seed)
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    days = [day for day in days if day.weekday() < 6]
    n_tellers = len(tellers)
    if not days or not n_tellers:
        return pa.table(
            {name: pa.array([], pa.string()) for name in ("occurred_at", "unit", "employee_no", "rating")}
        )
    # Each teller's habits: how busy, how often they ask for a rating, how well they serve.
    busy = rng.integers(35, 76, n_tellers)
    asks = rng.uniform(0.70, 0.98, n_tellers)
    weak = rng.random(n_tellers) < 0.1  # one teller in ten is noticeably less liked
    per_day = rng.poisson(np.repeat(busy, len(days)))  # teller-major: teller t, day d at t * days + d
    teller = np.repeat(np.repeat(np.arange(n_tellers), len(days)), per_day)
    day = np.repeat(np.tile(np.arange(len(days)), n_tellers), per_day)
    rows = len(teller)
    base = np.array([np.datetime64(d.isoformat(), "s") for d in days])
    seconds = rng.integers(9 * 3600, 17 * 3600, rows).astype("timedelta64[s]")
    times = base[day] + seconds
    rated = rng.random(rows) < asks[teller]
    draw = rng.random(rows)
    # P(very satisfied, satisfied, neutral, unsatisfied): good tellers .62/.34/.03/.01, weak .40/.42/.12/.06
    very = np.where(weak[teller], 0.40, 0.62)
    sat = very + np.where(weak[teller], 0.42, 0.34)
    neutral = sat + np.where(weak[teller], 0.12, 0.03)
    code = np.select([draw < very, draw < sat, draw < neutral], [4, 3, 2], default=1)
    code = np.where(rated, code, 0)
    numbers = np.array([t.employee_no for t in tellers], dtype=object)
    units = np.array([t.unit_code for t in tellers], dtype=object)
    return pa.table(
        {
            "occurred_at": pa.array(times, pa.timestamp("s")).cast(pa.string()),  # 2025-10-08 09:30:00
            "unit": pa.array(units[teller], pa.string()),
            "employee_no": pa.array(numbers[teller], pa.string()),
            "rating": pa.array(SPELLINGS[code], pa.string()),
        }
    )


def _same(table: pa.Table) -> pa.Table:
    return table


def demo_tellers(head: Unit) -> list[Teller]:
    people = Person.objects.filter(
        unit__path__startswith=head.path, unit__kind=UnitKind.OUTLET, position=Position.TELLER, is_active=True
    ).order_by("employee_no")
    return [Teller(no, code) for no, code in people.values_list("employee_no", "unit__code")]


def demo_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """From the first day of the month before last to yesterday."""
    first = today.replace(day=1)
    before_last = (first - dt.timedelta(days=1)).replace(day=1)
    before_last = (before_last - dt.timedelta(days=1)).replace(day=1)
    return before_last, today - dt.timedelta(days=1)


@dataclass(frozen=True)
class FeedbackDemoSummary:
    start: dt.date
    end: dt.date
    batches: int
    rows: int
    tellers: int
    facts: int

    def __str__(self) -> str:
        return _(
            "Evaluator ratings %(start)s – %(end)s: %(rows)s transactions of %(tellers)d tellers in "
            "%(batches)d batches; %(facts)d values recorded as indicator data."
        ) % {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "rows": f"{self.rows:,}",
            "tellers": self.tellers,
            "batches": self.batches,
            "facts": self.facts,
        }


def demo_feedback_exists() -> bool:
    return RatingBatch.objects.filter(source=BatchSource.DEMO).exists()


@transaction.atomic
def demo_feedback_create(*, seed: int = 2026, progress: Progress | None = None) -> FeedbackDemoSummary:
    step = progress or (lambda _label: None)
    step(_("Evaluator ratings"))
    start, end = demo_window(timezone.localdate())
    head = Unit.objects.filter(code=HEAD_OFFICE_CODE).first()
    tellers = demo_tellers(head) if head is not None else []
    table = ratings_table(tellers, start, end, seed=seed)
    batches = rows = 0
    if table.num_rows:
        months = pc.utf8_slice_codeunits(table["occurred_at"], 0, 7)
        for month in sorted(set(months.to_pylist())):
            part = table.filter(pc.equal(months, month))
            ratings_ingest(
                actor=None,
                read=functools.partial(_same, part),
                source=BatchSource.DEMO,
                sha256=f"demo-{seed}-{month}",
                idempotency_key=f"demo:{seed}:{month}",
                note=_("Demo ratings, %(month)s") % {"month": month},
            )
            batches += 1
            rows += part.num_rows
    step(_("Satisfaction rates as indicator data"))
    facts = 0
    last_month_end = end.replace(day=1) - dt.timedelta(days=1)
    period = Period.objects.filter(
        kind=PeriodKind.MONTH, start=last_month_end.replace(day=1), end=last_month_end
    ).first()
    if period is not None and batches:
        try:
            result = rating_facts_record(actor=None, period=period)
            facts = result.created + result.changed
        except ApplicationError:  # the period is published in the ledger: its facts are final
            pass
    return FeedbackDemoSummary(start, end, batches, rows, len(tellers), facts)


@transaction.atomic
def demo_feedback_delete() -> int:
    """Remove the demo's rating batches and their files (the facts go with the facts demo)."""
    batches = list(RatingBatch.objects.filter(source=BatchSource.DEMO))
    for batch in batches:
        files = [store.absolute(entry["path"]) for entry in batch.files]
        if batch.quarantine_file:
            files.append(store.absolute(batch.quarantine_file))
        transaction.on_commit(functools.partial(store.remove, files))
    RatingBatch.objects.filter(pk__in=[b.pk for b in batches]).delete()
    return len(batches)
