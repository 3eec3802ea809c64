"""Indicator data of the demo bank (安澜银行): for every outlet and each quarter of the demo year (the
last full year, whose periods the org demo creates) the province's mystery-shopper results — the inputs
of youfu/policies/reference/r1_mystery_shopper.yaml — and a few people's on-the-spot points; and the
100-day competition of seed 001 in the demo year (its custom period, created when missing) with the
inputs of r2_competition_100_days for the outlets and their people.

Each quarter is imported as a real Excel file through youfu.facts.imports (a system run), so every value
has its batch, file name and row number like an office's own import. Deterministic: seeded random, and
every score is made of whole hundredths (no float ever touches a value).
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from youfu.accounts.models import User
from youfu.facts.imports import facts_import
from youfu.facts.models import Fact, FactBatch
from youfu.org.choices import PeriodKind, Position, UnitKind
from youfu.org.models import Period, Person, Unit
from youfu.org.services import period_create

STEPS = 2
HEAD_OFFICE_CODE = "100000"  # youfu.org.demo's head office
MYSTERY_FILE = "省行神秘人检查得分_{code}.xlsx"
ONSITE_FILE = "省行神秘人检查现场处罚_{code}.xlsx"
COMPETITION_FILE = "百日竞赛考核数据_{code}.xlsx"  # per person
COMPETITION_OUTLET_FILE = "百日竞赛考核数据_网点_{code}.xlsx"  # per outlet
DEMO_FILES = (
    Q(file_name__startswith="省行神秘人检查得分_")
    | Q(file_name__startswith="省行神秘人检查现场处罚_")
    | Q(file_name__startswith="百日竞赛考核数据_")
)
MYSTERY_NAMES = (
    "score",
    "complaint_tickets",
    "repeated_findings",
    "key_item_findings",
    "hardware_points_lost",
    "praise_count",
)
ONSITE_NAMES = ("onsite_points_first", "onsite_points_repeat")
COMPETITION_OUTLET_NAMES = (
    "complaint_points",
    "praise_points",
    "callbacks_satisfied",
    "callbacks_unsatisfied",
)
COMPETITION_PERSON_NAMES = ("complaint_points", "praise_points", "video_violations")
COMPETITION_NAMES = (*COMPETITION_OUTLET_NAMES, "video_violations")
WEAK_OUTLETS = 4  # outlets that stay at the bottom all year

Progress = Callable[[str], None]


@dataclass(frozen=True)
class FactsDemoSummary:
    year: int
    periods: list[str]
    batches: int
    facts: int
    outlets: int

    def __str__(self) -> str:
        return _(
            "Indicator data %(year)s (%(periods)s): %(batches)d files, "
            "%(facts)d values for %(outlets)d outlets."
        ) % {
            "year": self.year,
            "periods": ", ".join(self.periods) or "—",
            "batches": self.batches,
            "facts": self.facts,
            "outlets": self.outlets,
        }


class _Named:
    def __init__(self, data: bytes, name: str) -> None:
        self.data, self.name = data, name

    def read(self) -> bytes:
        return self.data


def _xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _hundredths(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def demo_year() -> int:
    """The last full year: the org demo creates the periods of this year and the last."""
    return timezone.localdate().year - 1


def demo_facts_exists() -> bool:
    return FactBatch.objects.filter(DEMO_FILES).exists()


@transaction.atomic
def demo_facts_create(*, seed: int = 2026, progress: Progress | None = None) -> FactsDemoSummary:
    rng = random.Random(seed * 7 + 3)
    step = progress or (lambda _label: None)
    year = demo_year()
    head = Unit.objects.filter(code=HEAD_OFFICE_CODE).first()
    outlets = list(
        Unit.objects.filter(path__startswith=head.path, kind=UnitKind.OUTLET).order_by("code") if head else []
    )
    quarters = list(Period.objects.filter(kind=PeriodKind.QUARTER, start__year=year).order_by("start"))
    step(_("Indicator data: mystery-shopper results"))
    weak = set(rng.sample(range(len(outlets)), min(WEAK_OUTLETS, len(outlets))))
    # Each outlet: a starting score (hundredths of a point) and a gain per quarter; weak ones gain little.
    base = [rng.randint(8500, 8700) if i in weak else rng.randint(8800, 9550) for i in range(len(outlets))]
    gain = [rng.randint(0, 40) if i in weak else rng.randint(60, 160) for i in range(len(outlets))]
    batches = facts = 0
    periods: list[str] = []
    for q, quarter in enumerate(quarters):
        rows = []
        for i, outlet in enumerate(outlets):
            score = max(8500, min(10000, base[i] + q * gain[i] + rng.randint(-80, 80)))
            is_weak = i in weak
            rows.append(
                [
                    outlet.code,
                    outlet.name,
                    quarter.code,
                    _hundredths(score),
                    0 if rng.random() < 0.75 else rng.randint(1, 3),
                    (1 if rng.random() < 0.4 else 0) if is_weak else (1 if rng.random() < 0.05 else 0),
                    (1 if rng.random() < 0.3 else 0) if is_weak else 0,
                    0 if rng.random() < 0.7 and not is_weak else Decimal(rng.randint(1, 6)) / 2,
                    rng.choice((0, 0, 0, 1, 1, 2, 3)),
                ]
            )
        header = ["机构号", "机构名称", "期间", *MYSTERY_NAMES]
        result = facts_import(
            actor=None,
            file=_Named(_xlsx(header, rows), MYSTERY_FILE.format(code=quarter.code)),
            note="省行“神秘人”服务检查季度通报",
        )
        batches += result.batch_id is not None
        facts += result.created + result.changed
        periods.append(quarter.code)
        # A few people lost points on the spot (phase 2's on-the-spot fines): first offences and repeats.
        people = list(
            Person.objects.filter(
                unit__in=outlets,
                position__in=[Position.TELLER, Position.LOBBY_MANAGER, Position.SECURITY_GUARD],
                is_active=True,
            ).order_by("employee_no")
        )
        if people:
            fined = rng.sample(people, min(len(people), rng.randint(6, 10)))
            person_rows = [
                [p.employee_no, p.name, quarter.code, rng.randint(1, 3), rng.choice((0, 0, 0, 1, 2))]
                for p in sorted(fined, key=lambda p: p.employee_no)
            ]
            result = facts_import(
                actor=None,
                file=_Named(
                    _xlsx(["员工号", "姓名", "期间", *ONSITE_NAMES], person_rows),
                    ONSITE_FILE.format(code=quarter.code),
                ),
                note="现场检查处罚记录",
            )
            batches += result.batch_id is not None
            facts += result.created + result.changed

    step(_("Indicator data: 100-day competition"))
    competition = _competition_period(year)
    if competition is not None and outlets:
        created, values = _competition_facts(rng, competition, head, outlets)
        batches += created
        facts += values
        periods.append(competition.code)
    return FactsDemoSummary(year=year, periods=periods, batches=batches, facts=facts, outlets=len(outlets))


COMPETITION_START = (8, 1)  # seed 001: 活動時間 8月1日——11月10日 (the 101 days before and after National Day)
COMPETITION_END = (11, 10)


def competition_window(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, *COMPETITION_START), dt.date(year, *COMPETITION_END)


def _competition_period(year: int) -> Period | None:
    """The 100-day competition's custom period of the demo year (8月1日 to 11月10日, as seed 001 dates
    it): the one there is, else created through the org service by the bank's administrator. None
    without an administrator to create it."""
    start, end = competition_window(year)
    period = Period.objects.filter(kind=PeriodKind.CUSTOM, start=start, end=end).first()
    if period is not None:
        return period
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is None:
        return None
    return period_create(
        actor=admin,
        code=f"C{year}-100D",
        name=f"{year}年迎国庆文明优质服务百日竞赛",  # data, in the bank's words (seed 001)
        start=start,
        end=end,
    )


def _events(rng: random.Random, weights: tuple[int, ...]) -> int:
    """Points of a few events (complaints or praise), 1 to 10 each as seed 001 sets them; ``weights``
    are the odds of 0, 1, 2 … events."""
    count = rng.choices(range(len(weights)), weights)[0]
    return sum(rng.randint(1, 10) for _event in range(count))


def _competition_facts(
    rng: random.Random, competition: Period, head: Unit | None, outlets: list[Unit]
) -> tuple[int, int]:
    """R2's inputs for the competition: per outlet, complaints, praise and the monthly callbacks (10
    customers a month, 2 points each way); per person at the outlets and the sub-branches' offices,
    complaints, praise and the violations seen on video. Most people have a clean record, a few stand
    out either way, so the ranking has a top (the service stars) and a bottom (the last X)."""
    months = max(1, round(competition.days / 30))
    outlet_rows = []
    for outlet in outlets:
        asked = 10 * months
        unsatisfied = 0 if rng.random() < 0.6 else rng.randint(1, 4)
        neutral = rng.randint(0, 8)
        outlet_rows.append(
            [
                outlet.code,
                outlet.name,
                competition.code,
                _events(rng, (70, 22, 8)),  # complaint_points
                _events(rng, (50, 30, 15, 5)),  # praise_points
                asked - unsatisfied - neutral,  # callbacks_satisfied
                unsatisfied,  # callbacks_unsatisfied
            ]
        )
    offices = Unit.objects.filter(kind=UnitKind.DEPARTMENT, path__startswith=head.path) if head else []
    office_ids = [u.pk for u in offices if u.depth > 2]  # the branch's and sub-branches' offices
    people = list(
        Person.objects.filter(Q(unit__in=outlets) | Q(unit_id__in=office_ids), is_active=True).order_by(
            "employee_no"
        )
    )
    person_rows = [
        [
            p.employee_no,
            p.name,
            competition.code,
            _events(rng, (88, 10, 2)),  # complaint_points: 1–10 per verified complaint
            _events(rng, (70, 20, 7, 3)),  # praise_points: 1–10 per praise
            0 if rng.random() < 0.9 else rng.choice((1, 1, 1, 2, 3)),  # video_violations
        ]
        for p in people
    ]
    batches = values = 0
    for header, rows, file_name in (
        (["机构号", "机构名称", "期间", *COMPETITION_OUTLET_NAMES], outlet_rows, COMPETITION_OUTLET_FILE),
        (["员工号", "姓名", "期间", *COMPETITION_PERSON_NAMES], person_rows, COMPETITION_FILE),
    ):
        if not rows:
            continue
        result = facts_import(
            actor=None,
            file=_Named(_xlsx(header, rows), file_name.format(code=competition.code)),
            note="文明优质服务百日竞赛",
        )
        batches += result.batch_id is not None
        values += result.created + result.changed
    return batches, values


@transaction.atomic
def demo_facts_delete() -> int:
    """Remove the demo's indicator data (and any other value recorded for the demo bank, whose units
    and people are about to go): returns how many values were removed."""
    head = Unit.objects.filter(code=HEAD_OFFICE_CODE).first()
    in_demo = Q(batch__in=FactBatch.objects.filter(DEMO_FILES))
    if head is not None:
        in_demo |= Q(unit_path__startswith=head.path)
    facts = Fact.objects.filter(in_demo)
    facts.update(supersedes=None)  # the history chain points inside the set being removed
    batch_ids = set(facts.values_list("batch_id", flat=True))
    count, _rows = facts.delete()
    FactBatch.objects.filter(pk__in=batch_ids).filter(facts__isnull=True).delete()
    FactBatch.objects.filter(DEMO_FILES, facts__isnull=True).delete()
    return count
