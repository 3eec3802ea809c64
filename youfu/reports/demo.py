"""Queue tickets, diversion figures and KPI targets of the demo bank (安澜银行): a year of queue tickets
for every outlet (working days Monday–Saturday, from the first day of the month a year back to
yesterday; 80–200 tickets a day per outlet), loaded one batch per month through the same service as an
office's file (youfu.reports.services.queue_ingest); monthly diversion figures; targets set at the branch
with one sub-branch's override; the last full month's KPIs recorded as facts.

Seeded spreads: most outlets wait 5–11 minutes on average, a few 13–19 (amber or red); most divert
89–97% of divertible transactions to smart counters, a few 78–86% (red). Generated with numpy.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.core.errors import ApplicationError
from youfu.org.choices import PeriodKind, Position, UnitKind
from youfu.org.models import Period, Person, Unit
from youfu.reports import store
from youfu.reports.choices import BatchSource, Kpi
from youfu.reports.models import DiversionBatch, KpiTarget, QueueBatch
from youfu.reports.services import DiversionRow, diversion_import, kpi_facts_record, queue_ingest, target_set

STEPS = 3
HEAD_OFFICE_CODE = "100000"
BUSINESS = np.array(["个人存取款", "对公业务", "开户销户", "理财咨询", "挂失补卡"], dtype=object)
Progress = Callable[[str], None]


def demo_window(today: dt.date) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1)
    start = first.replace(year=first.year - 1)
    return start, today - dt.timedelta(days=1)


def queue_table(
    outlets: list[tuple[str, list[str]]], start: dt.date, end: dt.date, *, seed: int
) -> tuple[pa.Table, dict[str, float]]:
    """Tickets in the file layout (text columns) for outlets given as (code, tellers' employee numbers);
    also each outlet's mean wait in minutes (for the summary)."""
    rng = np.random.default_rng(seed)
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    days = [d for d in days if d.weekday() < 6]
    n_out = len(outlets)
    if not days or not n_out:
        return pa.table(
            {
                c: pa.array([], pa.string())
                for c in (
                    "ticket_no",
                    "unit",
                    "business_type",
                    "ticket_at",
                    "called_at",
                    "finished_at",
                    "employee_no",
                    "counter",
                )
            }
        ), {}
    slow = rng.random(n_out) < 0.2
    mean_wait = np.where(slow, rng.uniform(13, 19, n_out), rng.uniform(5, 11, n_out))
    busy = rng.integers(80, 201, n_out)
    per_day = rng.poisson(np.repeat(busy, len(days)))  # outlet-major
    group = np.repeat(np.arange(n_out * len(days)), per_day)
    outlet = group // len(days)
    day = group % len(days)
    rows = len(group)
    starts = np.concatenate([[0], np.cumsum(per_day)[:-1]])
    number = np.arange(rows) - np.repeat(starts, per_day) + 1
    base = np.array([np.datetime64(d.isoformat(), "s") for d in days])
    ticket = base[day] + rng.integers(9 * 3600, int(16.5 * 3600), rows).astype("timedelta64[s]")
    wait = rng.gamma(2.0, mean_wait[outlet] * 30.0).astype(np.int64)  # seconds; mean = mean_wait minutes
    called = ticket + wait.astype("timedelta64[s]")
    finished = called + rng.integers(120, 900, rows).astype("timedelta64[s]")
    walked = rng.random(rows) < 0.03  # left before being called
    teller_index = rng.integers(0, 1 << 30, rows)
    tellers = [np.array(t, dtype=object) for _c, t in outlets]
    employee = np.empty(rows, dtype=object)
    for i, numbers in enumerate(tellers):
        mask = outlet == i
        employee[mask] = numbers[teller_index[mask] % len(numbers)]
    codes = np.array([c for c, _t in outlets], dtype=object)

    def text(times: np.ndarray) -> pa.Array:
        return pa.array(times, pa.timestamp("s")).cast(pa.string())

    nulls = pa.array(walked)
    table = pa.table(
        {
            "ticket_no": pa.array(
                np.char.add("A", np.char.zfill(number.astype(str), 4)).astype(object), pa.string()
            ),
            "unit": pa.array(codes[outlet], pa.string()),
            "business_type": pa.array(BUSINESS[rng.integers(0, len(BUSINESS), rows)], pa.string()),
            "ticket_at": text(ticket),
            "called_at": pc.if_else(nulls, pa.scalar(None, pa.string()), text(called)),
            "finished_at": pc.if_else(nulls, pa.scalar(None, pa.string()), text(finished)),
            "employee_no": pc.if_else(nulls, pa.scalar(None, pa.string()), pa.array(employee, pa.string())),
            "counter": pa.array((teller_index % 6 + 1).astype(str).astype(object), pa.string()),
        }
    )
    return table, {c: float(m) for c, m in zip(codes, mean_wait, strict=True)}


def diversion_rows(codes: list[str], start: dt.date, end: dt.date, *, seed: int) -> list[DiversionRow]:
    rng = np.random.default_rng(seed + 1)
    weak = rng.random(len(codes)) < 0.2
    rate = np.where(weak, rng.uniform(0.78, 0.86, len(codes)), rng.uniform(0.89, 0.97, len(codes)))
    rows = []
    month = start.replace(day=1)
    n = 2
    while month <= end:
        for i, code in enumerate(codes):
            total = int(rng.integers(3000, 9000))
            smart = round(total * min(0.99, rate[i] + rng.normal(0, 0.01)))
            rows.append(DiversionRow(n, code, month.strftime("%Y-%m"), smart, total - smart))
            n += 1
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return rows


@dataclass(frozen=True)
class ReportsDemoSummary:
    tickets: int
    outlets: int
    batches: int
    diversion_rows: int
    facts: int

    def __str__(self) -> str:
        return _(
            "Queue tickets: %(tickets)s of %(outlets)d outlets in %(batches)d monthly batches; %(rows)d "
            "diversion figures; KPI targets at the branch with one override; %(facts)d KPI values recorded."
        ) % {
            "tickets": f"{self.tickets:,}",
            "outlets": self.outlets,
            "batches": self.batches,
            "rows": self.diversion_rows,
            "facts": self.facts,
        }


def demo_reports_exists() -> bool:
    return QueueBatch.objects.filter(source=BatchSource.DEMO).exists()


def _same(table: pa.Table) -> pa.Table:
    return table


@transaction.atomic
def demo_reports_create(*, seed: int = 2026, progress: Progress | None = None) -> ReportsDemoSummary:
    step = progress or (lambda _label: None)
    step(_("Queue tickets"))
    head = Unit.objects.filter(code=HEAD_OFFICE_CODE).first()
    start, end = demo_window(timezone.localdate())
    outlets: list[tuple[str, list[str]]] = []
    if head is not None:
        for unit in Unit.objects.filter(path__startswith=head.path, kind=UnitKind.OUTLET).order_by("path"):
            people = list(
                Person.objects.filter(unit=unit, is_active=True)
                .order_by("-position", "employee_no")
                .filter(position=Position.TELLER)
                .values_list("employee_no", flat=True)
            ) or list(Person.objects.filter(unit=unit).values_list("employee_no", flat=True)[:3])
            if people:
                outlets.append((unit.code, people))
    table, _means = queue_table(outlets, start, end, seed=seed)
    batches = 0
    if table.num_rows:
        months = pc.utf8_slice_codeunits(table["ticket_at"], 0, 7)
        for month in sorted(set(months.to_pylist())):
            part = table.filter(pc.equal(months, month))
            queue_ingest(
                actor=None,
                read=functools.partial(_same, part),
                source=BatchSource.DEMO,
                sha256=f"demo-{seed}-{month}",
                idempotency_key=f"demo:{seed}:queue:{month}",
                note=_("Demo queue tickets, %(month)s") % {"month": month},
            )
            batches += 1
    step(_("Smart-counter diversion"))
    rows = diversion_rows([c for c, _t in outlets], start, end, seed=seed)
    if rows:
        diversion_import(
            actor=None, rows=rows, idempotency_key=f"demo:{seed}:diversion", file_name="demo.xlsx", demo=True
        )
    step(_("KPI targets and facts"))
    branch = (
        Unit.objects.filter(path__startswith=head.path, kind=UnitKind.BRANCH).order_by("path").first()
        if head
        else None
    )
    if branch is not None:
        for kpi, target, band in (
            (Kpi.DIVERSION_RATE, "90", "5"),
            (Kpi.WAIT_AVG, "10", "4"),
            (Kpi.WAIT_P90, "22", "8"),
            (Kpi.SATISFACTION_RATE, "95", "2"),
        ):
            target_set(
                actor=None,
                unit=branch,
                kpi=kpi,
                target=Decimal(target),
                amber_band=Decimal(band),
                note="demo",
            )
        sub = (
            Unit.objects.filter(path__startswith=branch.path, kind=UnitKind.SUB_BRANCH)
            .order_by("path")
            .first()
        )
        if sub is not None:
            target_set(
                actor=None,
                unit=sub,
                kpi=Kpi.WAIT_AVG,
                target=Decimal("12"),
                amber_band=Decimal("4"),
                note=_("demo: a busy district's own target"),
            )
    facts = 0
    last_end = end.replace(day=1) - dt.timedelta(days=1)
    period = Period.objects.filter(kind=PeriodKind.MONTH, start=last_end.replace(day=1), end=last_end).first()
    if period is not None and batches:
        try:
            result = kpi_facts_record(actor=None, period=period)
            facts = result.created + result.changed
        except ApplicationError:  # a published period: its facts are final
            pass
    return ReportsDemoSummary(table.num_rows, len(outlets), batches, len(rows), facts)


@transaction.atomic
def demo_reports_delete() -> int:
    batches = list(QueueBatch.objects.filter(source=BatchSource.DEMO))
    for batch in batches:
        files = [store.absolute(entry["path"]) for entry in batch.files]
        transaction.on_commit(functools.partial(store.remove, files))
    QueueBatch.objects.filter(pk__in=[b.pk for b in batches]).delete()
    DiversionBatch.objects.filter(demo=True).delete()
    head = Unit.objects.filter(code=HEAD_OFFICE_CODE).first()
    if head is not None:
        KpiTarget.objects.filter(unit__path__startswith=head.path).delete()
    return len(batches)
