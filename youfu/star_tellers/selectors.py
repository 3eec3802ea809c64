"""Reads of the star-tellers domain, always within the user's subtree (youfu.accounts.access): a month's
star levels (one line per teller: the level, the inputs behind it, the money, the explanation link),
the tellers left out of the month (no skills score), and a person's history.

A line is a scorecard line of the star_tellers policy's current official run of the month; it is in
the user's subtree when the teller's unit at the time of the run is (ScoreLine.unit_path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from youfu.accounts.access import WHOLE_BANK, scope_path, unit_in_scope
from youfu.org.choices import PeriodKind
from youfu.org.models import Period, Person, Unit
from youfu.scoring.choices import RunKind, RunStatus
from youfu.scoring.models import ScoreLine, ScoreRun
from youfu.star_tellers.choices import LEVEL_VALUE, MAX_LEVEL, POLICY_ID, SHOWN, SUBJECT
from youfu.star_tellers.services import current_run

VIEW = "star_tellers.view_starlevel"


def may_view(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(VIEW))


def _lines_q(user: Any) -> Q:
    path = scope_path(user)
    if path is None or not may_view(user):
        return Q(pk__in=[])
    if path == WHOLE_BANK:
        return Q()
    return Q(unit_path__startswith=path)


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    value: Decimal | None
    fact_id: int | None


@dataclass(frozen=True)
class StarLine:
    line_id: int
    run_id: int
    period_code: str
    person_id: int
    employee_no: str
    name: str
    unit_id: int
    unit_name: str
    level: int
    amount: Decimal
    inputs: list[Input]
    enough_ratings: bool | None
    disqualified: bool | None
    published: bool
    explain_url: str

    @property
    def stars(self) -> range:
        return range(self.level)

    @property
    def empty_stars(self) -> range:
        return range(MAX_LEVEL - self.level)


def _line(line: ScoreLine, run: ScoreRun) -> StarLine:
    values = line.values or {}
    facts = line.facts or {}
    level = _number(values.get(LEVEL_VALUE)) or Decimal(0)
    person = line.person
    assert person is not None
    return StarLine(
        line_id=line.pk,
        run_id=run.pk,
        period_code=run.period.code,
        person_id=person.pk,
        employee_no=person.employee_no,
        name=person.name,
        unit_id=line.unit_id,
        unit_name=line.unit.name,
        level=int(level),
        amount=line.total_amount,
        inputs=[
            Input(name, str(label), _number(values.get(name)), facts.get(name))
            for name, label in SHOWN.items()
        ],
        enough_ratings=values.get("enough_ratings")
        if isinstance(values.get("enough_ratings"), bool)
        else None,
        disqualified=values.get("disqualified") if isinstance(values.get("disqualified"), bool) else None,
        published=run.status == RunStatus.PUBLISHED,
        explain_url=reverse("scoring:line_detail", args=[run.pk, line.pk]),
    )


def month_periods() -> QuerySet[Period]:
    return Period.objects.filter(kind=PeriodKind.MONTH).order_by("-start")


def default_period() -> Period | None:
    """The latest month with star levels, else the latest month that has ended."""
    latest = (
        ScoreRun.objects.filter(
            policy_version__policy=POLICY_ID,
            kind=RunKind.OFFICIAL,
            status__in=(RunStatus.POSTED, RunStatus.PUBLISHED),
            period__kind=PeriodKind.MONTH,
        )
        .order_by("-period__start")
        .values_list("period_id", flat=True)
        .first()
    )
    if latest is not None:
        return Period.objects.get(pk=latest)
    from django.utils import timezone

    return month_periods().filter(end__lt=timezone.localdate()).first()


@dataclass(frozen=True)
class LeftOut:
    person_id: int
    employee_no: str
    name: str
    unit_name: str


@dataclass
class StarList:
    period: Period
    run: ScoreRun | None
    lines: list[StarLine] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def star_count(self) -> int:
        return sum(1 for line in self.lines if line.level > 0)

    @property
    def total_amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def by_level(self) -> list[tuple[int, int]]:
        """(level, tellers) from MAX_LEVEL down to 0, for the summary."""
        counts = dict.fromkeys(range(MAX_LEVEL, -1, -1), 0)
        for line in self.lines:
            counts[line.level] = counts.get(line.level, 0) + 1
        return list(counts.items())


def star_list(*, user: Any, period: Period, within: Unit | None = None, min_level: int = 0) -> StarList:
    """The month's star levels of the tellers in the user's subtree (and in ``within``'s, when given:
    a unit outside the user's subtree shows nothing), best first; the tellers the run left out (no
    skills score); the policy's checker warnings (the seed's open questions)."""
    run = current_run(period)
    result = StarList(period=period, run=run)
    if run is None or not may_view(user):
        return result
    result.warnings = list(run.policy_version.warnings)
    q = _lines_q(user)
    if within is not None:
        if not unit_in_scope(user, within):
            return result
        q &= Q(unit_path__startswith=within.path)
    lines = (
        ScoreLine.objects.filter(q, run=run, subject=SUBJECT)
        .select_related("person", "unit")
        .order_by("rank", "unit_path", "person__employee_no")
    )
    result.lines = [line for line in (_line(line, run) for line in lines) if line.level >= min_level]
    keys = [int(item["key"]) for item in run.excluded if item.get("subject") == SUBJECT]
    people = Person.objects.filter(pk__in=keys).select_related("unit").order_by("unit__path", "employee_no")
    path = scope_path(user) or ""
    for person in people:
        if person.unit.path.startswith(path) and (within is None or person.unit.path.startswith(within.path)):
            result.left_out.append(LeftOut(person.pk, person.employee_no, person.name, person.unit.name))
    return result


def person_history(*, user: Any, person: Person, limit: int = 12) -> list[StarLine] | None:
    """The person's star levels, newest month first (the current official run of each month), or None
    when the user may not see this person's star levels (no right, or the person outside the subtree)."""
    if not may_view(user) or not unit_in_scope(user, person.unit):
        return None
    lines = (
        ScoreLine.objects.filter(
            _lines_q(user),
            person=person,
            subject=SUBJECT,
            run__policy_version__policy=POLICY_ID,
            run__kind=RunKind.OFFICIAL,
            run__status__in=(RunStatus.POSTED, RunStatus.PUBLISHED),
        )
        .select_related("run__period", "run__policy_version", "person", "unit")
        .order_by("-run__period__start", "-run__created_at")
    )
    seen: set[int] = set()
    history: list[StarLine] = []
    for line in lines:
        if line.run.period_id in seen:
            continue
        seen.add(line.run.period_id)
        history.append(_line(line, line.run))
        if len(history) >= limit:
            break
    return history
