"""Fixtures of the appraisal tests: the months and first quarter of 2024, R3 as a stored policy, a
cycle on sub-branch S1, the four people of outlet O1A with their logins (张伟 `colleague`, 刘强
`outlet_head`, 赵敏, 孙丽), the finance and administration raters, a panel member, and helpers that
fill a month or a quarter through the services."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.appraisal import services
from youfu.appraisal.choices import ItemKind, ItemStatus, RaterKind
from youfu.appraisal.models import Cycle, MonthlyForm, QuarterResult, Review
from youfu.org.choices import PeriodKind
from youfu.org.models import Period, Person
from youfu.org.services import _standard_period
from youfu.scoring.models import PolicyVersion
from youfu.testing.factories import PersonFactory, UserFactory

D = Decimal


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def periods(db: None) -> dict[str, Period]:
    out = {}
    for kind, numbers in ((PeriodKind.MONTH, range(1, 13)), (PeriodKind.QUARTER, range(1, 5))):
        for number in numbers:
            code, name, start, end = _standard_period(kind, 2024, number)
            out[code] = Period.objects.create(code=code, name=name, kind=kind, start=start, end=end)
    return out


@pytest.fixture
def r3(db: None) -> PolicyVersion:
    return services.reference_policy_version()


@dataclass
class Team:
    zhao: Person
    sun: Person
    zhao_user: User
    sun_user: User
    finance: User
    admin_dept: User
    panel: User


@pytest.fixture
def team(bank: Any, colleague: User, outlet_head: User) -> Team:
    zhao = PersonFactory.create(unit=bank.o1a, name="赵敏", employee_no="100003")
    sun = PersonFactory.create(unit=bank.o1a, name="孙丽", employee_no="100004")
    return Team(
        zhao=zhao,
        sun=sun,
        zhao_user=UserFactory.create(username="zhao", unit=bank.o1a, person=zhao, roles=[Role.STAFF]),
        sun_user=UserFactory.create(username="sun", unit=bank.o1a, person=sun, roles=[Role.STAFF]),
        finance=UserFactory.create(username="caiwu", unit=bank.s1, roles=[Role.INSPECTOR]),
        admin_dept=UserFactory.create(username="xingzheng", unit=bank.s1, roles=[Role.INSPECTOR]),
        panel=UserFactory.create(username="panel", unit=bank.s1, roles=[Role.APPRAISAL_PANEL]),
    )


@pytest.fixture
def cycle(bank: Any, s1_office: User, periods: dict[str, Period], r3: PolicyVersion, team: Team) -> Cycle:
    return services.cycle_create(
        actor=s1_office,
        unit=bank.s1,
        period=periods["2024Q1"],
        policy_version=r3,
        finance_rater=team.finance,
        admin_rater=team.admin_dept,
    )


def form_of(cycle: Cycle, person: Person, month: int) -> MonthlyForm:
    return MonthlyForm.objects.get(cycle=cycle, person=person, month__code=f"2024-{month:02d}")


def fill_month(
    cycle: Cycle,
    person: Person,
    month: int,
    *,
    self_score: str,
    finance: str,
    admin: str,
    supervisor: str,
    supervisor_user: User,
    team: Team,
    others_done: int = 0,
    adopted: int = 0,
) -> MonthlyForm:
    """Plan (5 routine + 5 phase, plus other tasks and suggestions), all done, then the four ratings."""
    owner = person.user
    form = form_of(cycle, person, month)
    lines = [services.PlanLine(ItemKind.ROUTINE, f"日常{i}") for i in range(5)]
    lines += [services.PlanLine(ItemKind.PHASE, f"阶段{i}") for i in range(5)]
    lines += [services.PlanLine(ItemKind.OTHER, f"交办{i}") for i in range(others_done)]
    lines += [services.PlanLine(ItemKind.SUGGESTION, f"建议{i}") for i in range(adopted)]
    services.form_plan_save(actor=owner, form=form, lines=lines, submit=True)
    progress = [services.ItemProgress(item.pk, ItemStatus.DONE) for item in form.items.all()]
    services.form_fill(actor=owner, form=form, progress=progress, self_score=self_score, submit=True)
    services.rating_give(actor=team.finance, form=form, kind=RaterKind.FINANCE, score=finance)
    services.rating_give(actor=team.admin_dept, form=form, kind=RaterKind.ADMIN, score=admin)
    suggestions = [i.pk for i in form.items.filter(kind=ItemKind.SUGGESTION)]
    services.rating_give(
        actor=supervisor_user,
        form=form,
        kind=RaterKind.SUPERVISOR,
        score=supervisor,
        adopted_item_ids=suggestions,
    )
    return form


def review_of(cycle: Cycle, person: Person) -> Review:
    return Review.objects.get(cycle=cycle, person=person)


@pytest.fixture
def closed(
    cycle: Cycle, bank: Any, team: Team, outlet_head: User, s1_office: User, colleague: User
) -> QuarterResult:
    """张伟's quarter at 86 everywhere, the cycle closed (86.00, 优) and his appeal pending."""
    zhang = bank.teller_1a
    for m in (1, 2, 3):
        fill_month(
            cycle,
            zhang,
            m,
            self_score="86",
            finance="86",
            admin="86",
            supervisor="86",
            supervisor_user=outlet_head,
            team=team,
        )
    services.review_self(actor=colleague, review=review_of(cycle, zhang), score="86")
    services.review_panel(actor=team.panel, review=review_of(cycle, zhang), score="86")
    for voter in (outlet_head, team.zhao_user, team.sun_user):
        services.peer_ballot_cast(actor=voter, cycle=cycle, scores={zhang.pk: "86"})
    services.cycle_close(actor=s1_office, cycle=cycle)
    result = QuarterResult.objects.get(cycle=cycle, person=zhang)
    services.appeal_raise(actor=colleague, result=result, reason="请复核")
    return result
