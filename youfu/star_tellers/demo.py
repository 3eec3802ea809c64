"""Star tellers of the demo bank (安澜银行) for the last full month: the skills test scores (技能考核) of its
tellers imported as a facts file through youfu.facts (a couple of new tellers have not sat the test yet
and are listed as not rated), then the month's star levels computed through the star_tellers policy —
the evaluator rates come from the feedback part, the findings per teller from the published checks —
and each star teller's 200 yuan posted to the ledger (posted, not published: the office checks the
month before it freezes it, and a published month would also freeze that month's facts for the other
parts).
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from youfu.facts.imports import facts_import
from youfu.feedback.demo import HEAD_OFFICE_CODE, demo_tellers
from youfu.org.choices import PeriodKind
from youfu.org.models import Period, Unit
from youfu.scoring.models import PolicyVersion, ScoreLine, ScoreRun
from youfu.star_tellers.choices import FACT_SKILL, POLICY_ID
from youfu.star_tellers.services import star_levels_compute

STEPS = 2
SKILLS_FILE = "业务技能考核_{period}.xlsx"
NOT_TESTED = 2  # tellers without a score this month: new, they have not sat the test yet

Progress = Callable[[str], None]


@dataclass(frozen=True)
class StarTellersDemoSummary:
    period: str
    tellers: int
    stars: int
    entries: int

    def __str__(self) -> str:
        return _(
            "Star tellers %(period)s: %(stars)d star tellers of %(tellers)d tellers rated, %(entries)d "
            "ledger entries of 200 yuan."
        ) % {"period": self.period, "stars": self.stars, "tellers": self.tellers, "entries": self.entries}


def last_full_month(today: dt.date) -> Period | None:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return Period.objects.filter(kind=PeriodKind.MONTH, start=end.replace(day=1), end=end).first()


def skills_workbook(rows: list[tuple[str, float]], period: Period) -> bytes:
    """The office's skills sheet: 员工号, 期间, teller_skill_score (row 2: the Chinese labels)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "技能考核"
    sheet.append(["员工号", "期间", FACT_SKILL])
    sheet.append(["说明", "", "业务技能考核得分（百分制）"])
    for employee_no, score in rows:
        sheet.append([employee_no, period.code, score])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def demo_star_tellers_exists() -> bool:
    return PolicyVersion.objects.filter(policy=POLICY_ID).exists()


@transaction.atomic
def demo_star_tellers_create(*, seed: int = 2026, progress: Progress | None = None) -> StarTellersDemoSummary:
    step = progress or (lambda _label: None)
    rng = random.Random(seed * 11 + 4)
    period = last_full_month(timezone.localdate())
    head = Unit.objects.filter(code=HEAD_OFFICE_CODE).first()
    step(_("Skills test scores"))
    if period is None or head is None:
        step(_("Star levels"))
        return StarTellersDemoSummary("—", 0, 0, 0)
    tellers = demo_tellers(head)
    tested = tellers[:-NOT_TESTED] if len(tellers) > NOT_TESTED else tellers
    rows = [(teller.employee_no, round(min(100.0, max(50.0, rng.gauss(74, 12))), 1)) for teller in tested]
    if rows:
        data = skills_workbook(rows, period)
        upload = io.BytesIO(data)
        upload.name = SKILLS_FILE.format(period=period.code)
        facts_import(actor=None, file=upload, period=period, note=_("Demo skills test scores"))
    step(_("Star levels"))
    run = star_levels_compute(actor=None, period=period)
    stars = sum(
        1
        for values in ScoreLine.objects.filter(run=run).values_list("values", flat=True)
        if str(values.get("star_level", "0")) not in ("0", "None")
    )
    return StarTellersDemoSummary(period.code, run.subjects, stars, run.entries)


@transaction.atomic
def demo_star_tellers_delete() -> None:
    """Remove the star_tellers policy's runs and versions (the ledger and the facts go with the scoring
    and facts parts, which come before this one and are reset after it)."""
    runs = ScoreRun.objects.filter(policy_version__policy=POLICY_ID)
    ScoreLine.objects.filter(run__in=runs).delete()
    runs.delete()
    PolicyVersion.objects.filter(policy=POLICY_ID).delete()
