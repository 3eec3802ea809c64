"""Evaluator ratings of the demo bank (安澜银行): every teller of every outlet, each working day (Monday
to Saturday) from the first day of the month twelve months back until yesterday — a year, some
3.7 million transactions — loaded as one batch per month through the same service as an office's file
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
from auditlog.context import disable_auditlog
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
    """A year: from the first day of the month twelve months back to yesterday (the dashboard's trend
    and the star tellers' history have twelve full months)."""
    first = today.replace(day=1)
    start = first.replace(year=first.year - 1)
    return start, today - dt.timedelta(days=1)


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


# --- Callbacks and a survey ------------------------------------------------------------------------------

SATISFACTION_STEPS = 2
CONTACTS_A_MONTH = (18, 30)  # customers listed per outlet and month
DEMO_IMPORT_KEY = "demo-callbacks"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


@dataclass(frozen=True)
class SatisfactionDemoSummary:
    draws: int
    calls: int
    responses: int
    facts: int

    def __str__(self) -> str:
        return _(
            "Callbacks: %(draws)d monthly samples, %(calls)d calls; one customer survey with %(responses)d "
            "answers; %(facts)d values recorded as indicator data."
        ) % {"draws": self.draws, "calls": self.calls, "responses": self.responses, "facts": self.facts}


def demo_satisfaction_exists() -> bool:
    from youfu.feedback.models import CallbackImport

    return CallbackImport.objects.filter(sha256__startswith=DEMO_IMPORT_KEY).exists()


def _months_back(today: dt.date, count: int) -> list[dt.date]:
    from youfu.feedback.callback_services import add_months

    first = today.replace(day=1)
    return [add_months(first, -n) for n in range(count, -1, -1)]  # a year of full months, then this one


@transaction.atomic
def demo_satisfaction_create(
    *, seed: int = 2026, progress: Progress | None = None
) -> SatisfactionDemoSummary:
    """A year of monthly callbacks for every outlet (10 a month, realistic results; this month's still to
    call) and one customer survey with answers; the last full month recorded as facts."""
    from youfu.feedback.callback_services import (
        CALL_POINTS,
        add_months,
        callback_facts_record,
        callbacks_draw,
    )
    from youfu.feedback.choices import CallResult, CallStatus, SurveyKind
    from youfu.feedback.models import CallbackCall, CallbackContact, CallbackImport
    from youfu.feedback.survey_services import (
        current_questions,
        survey_answer_public,
        survey_create,
        survey_facts_record,
    )

    step = progress or (lambda _label: None)
    step(_("Callbacks"))
    today = timezone.localdate()
    head = Unit.objects.filter(code=HEAD_OFFICE_CODE).first()
    if head is None:
        return SatisfactionDemoSummary(0, 0, 0, 0)
    rng = np.random.default_rng(seed)
    outlets = list(
        Unit.objects.filter(path__startswith=head.path, kind=UnitKind.OUTLET, is_active=True).order_by("path")
    )
    tellers: dict[int, list[int]] = {}
    for person_id, unit_id in Person.objects.filter(
        unit__in=outlets, position=Position.TELLER, is_active=True
    ).values_list("id", "unit_id"):
        tellers.setdefault(unit_id, []).append(person_id)
    source = CallbackImport.objects.create(
        sha256=f"{DEMO_IMPORT_KEY}-{seed}", file_name="demo", row_count=0, created_count=0, unchanged_count=0
    )
    months = _months_back(today, 12)
    contacts = []
    for month in months:
        last_day = min(add_months(month, 1) - dt.timedelta(days=1), today)
        days = (last_day - month).days + 1
        for outlet in outlets:
            staff: list[int | None] = [*tellers.get(outlet.pk, [])] or [None]
            for _n in range(int(rng.integers(*CONTACTS_A_MONTH))):
                name = SURNAMES[rng.integers(len(SURNAMES))] + GIVEN[rng.integers(len(GIVEN))]
                if rng.random() < 0.5:
                    name += GIVEN[rng.integers(len(GIVEN))]
                contacts.append(
                    CallbackContact(
                        unit=outlet,
                        name=name,
                        phone=f"1{rng.choice([3, 5, 8])}{rng.integers(0, 10**9):09d}",
                        transaction_date=month + dt.timedelta(days=int(rng.integers(days))),
                        teller_id=staff[int(rng.integers(len(staff)))],
                        source=source,
                    )
                )
    CallbackContact.objects.bulk_create(contacts, batch_size=2000, ignore_conflicts=True)
    source.row_count = source.created_count = len(contacts)
    source.save(update_fields=["row_count", "created_count"])
    draws = 0
    for month in months:
        draws += len(callbacks_draw(actor=None, unit=head, month=month, today=today).created)
    # Results: most customers reached at the first try; of those reached, about 88% satisfied, 9%
    # neutral, 3% unsatisfied; a few outlets (one in eight) noticeably worse. This month's stay to call.
    weak = {outlet.pk for outlet in outlets if rng.random() < 0.125}
    calls = list(
        CallbackCall.objects.filter(draw__unit__in=outlets, draw__month__lt=months[-1]).select_related("draw")
    )
    now = timezone.now()
    groups: dict[tuple[int, str], list[int]] = {}
    complaints: dict[str, list[int]] = {}
    for call in calls:
        attempts = int(rng.choice([1, 1, 1, 1, 2]))
        draw = rng.random()
        satisfied, neutral = (0.72, 0.92) if call.draw.unit_id in weak else (0.88, 0.97)
        result: str = (
            CallResult.SATISFIED
            if draw < satisfied
            else CallResult.NEUTRAL
            if draw < neutral
            else CallResult.UNSATISFIED
        )
        groups.setdefault((attempts, result), []).append(call.pk)
        if result == CallResult.UNSATISFIED:
            comment = str(rng.choice(["排队时间太长", "柜员解释不够耐心", "业务办理出错，需要二次跑腿"]))
            complaints.setdefault(comment, []).append(call.pk)
    for (attempts, result), ids in groups.items():
        CallbackCall.objects.filter(pk__in=ids).update(
            attempts=attempts,
            status=CallStatus.REACHED,
            result=result,
            points=CALL_POINTS[result],
            called_at=now,
        )
    for comment, ids in complaints.items():
        CallbackCall.objects.filter(pk__in=ids).update(comments=comment)
    step(_("A customer survey"))
    last_end = months[-1] - dt.timedelta(days=1)
    last_start = last_end.replace(day=1)
    survey = survey_create(
        actor=None,
        kind=SurveyKind.CUSTOMER,
        unit=head,
        opens_on=last_start,
        closes_on=add_months(months[-1], 1) - dt.timedelta(days=1),
    )
    questions = current_questions(survey)
    links = list(survey.links.select_related("unit"))
    responses = 0
    zone = timezone.get_current_timezone()
    for link in links:
        for n in range(int(rng.integers(4, 9))):
            answers: dict[str, str] = {}
            for q in questions:
                if q.kind == "scale":
                    answers[str(q.pk)] = str(int(rng.choice([5, 5, 5, 4, 4, 3])))
                elif q.kind == "choice":
                    answers[str(q.pk)] = str(
                        int(rng.choice([0, 0, 0, 1, 1, 2, 3][: len(q.options) + 3])) % len(q.options)
                    )
                elif rng.random() < 0.2:
                    answers[str(q.pk)] = str(rng.choice(["服务很热情", "希望增加窗口", "环境整洁，点赞"]))
            when = dt.datetime.combine(
                last_start + dt.timedelta(days=int(rng.integers((last_end - last_start).days + 1))),
                dt.time(10 + n % 7),
                tzinfo=zone,
            )
            survey_answer_public(link=link, answers=answers, respondent_key=f"demo-{link.pk}-{n}", now=when)
            responses += 1
    facts = 0
    period = Period.objects.filter(kind=PeriodKind.MONTH, start=last_start, end=last_end).first()
    if period is not None:
        for record in (callback_facts_record, survey_facts_record):
            try:
                recorded = record(actor=None, period=period)
                facts += recorded.created + recorded.changed
            except ApplicationError:  # a published period: its facts are final
                pass
    return SatisfactionDemoSummary(draws, len(calls), responses, facts)


@transaction.atomic
def demo_satisfaction_delete() -> int:
    """Remove the demo's callbacks and its survey (the facts go with the facts demo)."""
    with disable_auditlog():
        return _satisfaction_delete()


def _satisfaction_delete() -> int:
    from youfu.feedback.models import (
        CallbackCall,
        CallbackContact,
        CallbackDraw,
        CallbackImport,
        Survey,
        SurveyAnswer,
    )

    head = Unit.objects.filter(code=HEAD_OFFICE_CODE).first()
    sources = CallbackImport.objects.filter(sha256__startswith=DEMO_IMPORT_KEY)
    contacts = CallbackContact.objects.filter(source__in=sources)
    draws = list(
        CallbackDraw.objects.filter(calls__contact__in=contacts).distinct().values_list("pk", flat=True)
    )
    CallbackCall.objects.filter(draw__in=draws).delete()
    CallbackDraw.objects.filter(pk__in=draws).delete()
    removed = len(draws)
    contacts.delete()
    sources.delete()
    if head is not None:
        surveys = Survey.objects.filter(unit=head, created_by__isnull=True)
        SurveyAnswer.objects.filter(response__survey__in=surveys).delete()  # answers protect their questions
        surveys.delete()
    return removed
