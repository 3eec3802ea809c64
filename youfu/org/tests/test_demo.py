import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.accounts.services import user_roles
from youfu.core.demo import demo_create
from youfu.core.errors import ApplicationError
from youfu.org.choices import Position, UnitKind
from youfu.org.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_bank_create
from youfu.org.models import Period, Person, PersonMove, Unit
from youfu.org.selectors import person_list, unit_list


def test_demo_bank_is_a_realistic_bank_with_a_login_per_role(db):
    summary = demo_bank_create(seed=2026)

    # the tree: one head office, one branch, 8 sub-branches, 40 outlets, with paths treebeard agrees with
    assert (summary.units, summary.outlets, summary.people) == (65, 40, 598)
    assert Unit.objects.filter(kind=UnitKind.OUTLET).count() == 40
    assert Unit.objects.filter(kind=UnitKind.SUB_BRANCH).count() == 8
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    assert set(Unit.objects.exclude(region="").values_list("region", flat=True)) == {
        "东片",
        "西片",
        "南片",
        "北片",
    }
    assert "营业部" in Unit.objects.get(code="110101").name

    # every outlet was staffed as outlets are (when people joined; a few tellers moved since)
    for outlet in Unit.objects.filter(kind=UnitKind.OUTLET):
        joined = PersonMove.objects.filter(from_unit=None, to_unit=outlet)
        positions = list(joined.values_list("to_position", flat=True))
        assert positions.count(Position.OUTLET_HEAD) == 1
        assert positions.count(Position.ACCOUNTING_SUPERVISOR) == 1
        assert positions.count(Position.LOBBY_MANAGER) == 1
        assert positions.count(Position.SECURITY_GUARD) == 1
        assert 4 <= positions.count(Position.TELLER) <= 7
        assert 1 <= positions.count(Position.WEALTH_MANAGER) <= 2
        assert 1 <= positions.count(Position.ACCOUNT_MANAGER) <= 2
    tellers = Person.objects.filter(position=Position.TELLER)
    grades = [g for g in tellers.values_list("teller_grade", flat=True) if g is not None]
    assert len(grades) == tellers.count()
    assert set(grades) == {1, 2, 3, 4, 5, 6}
    assert 0.55 <= sum(g >= 3 for g in grades) / len(grades) <= 0.7
    assert not Person.objects.exclude(position=Position.TELLER).filter(teller_grade__isnull=False).exists()
    for person in Person.objects.all():
        assert person.hire_date and person.birth_date
        age_at_hire = (person.hire_date - person.birth_date).days / 365
        assert 20 <= age_at_hire <= 26
        assert person.hire_date < dt.date(2026, 1, 1)
    assert PersonMove.objects.filter(from_unit=None).count() == 598

    # one login per role, all with the demo password
    assert summary.users == [login.username for login in DEMO_LOGINS]
    roles = {role for user in User.objects.all() for role in user_roles(user)}
    assert roles == set(Role)
    assert all(user.check_password(DEMO_PASSWORD) for user in User.objects.all())
    assert User.objects.get(username="admin").is_superuser
    wangdian = User.objects.get(username="wangdian")
    assert wangdian.person is not None
    assert (wangdian.person.position, wangdian.person.unit) == (Position.OUTLET_HEAD, wangdian.unit)
    yuangong = User.objects.get(username="yuangong").person
    assert yuangong is not None
    assert yuangong.position == Position.TELLER

    # periods for this year and the last, and a few moves made through the service by the branch office
    year = timezone.localdate().year
    assert {f"{year - 1}", f"{year}", f"{year}Q4"} <= set(Period.objects.values_list("code", flat=True))
    moves = PersonMove.objects.exclude(from_unit=None)
    assert moves.count() == summary.moves == moves.exclude(created_by=None).count() == 6
    assert {m.created_by.username for m in moves if m.created_by} == {"fuwuban"}
    assert LogEntry.objects.filter(actor__username="fuwuban").count() >= 6


def test_wangdian_sees_only_their_outlet(db):
    demo_bank_create()
    wangdian = User.objects.get(username="wangdian")
    assert list(unit_list(user=wangdian).values_list("code", flat=True)) == ["110101"]
    people = person_list(user=wangdian)
    assert people.count() == Person.objects.filter(unit__code="110101").count() > 8
    assert set(people.values_list("unit__code", flat=True)) == {"110101"}


def test_zhihang1_sees_its_sub_branch_and_fuwuban_the_branch(db):
    demo_bank_create()
    zhihang1 = User.objects.get(username="zhihang1")
    assert {u.kind for u in unit_list(user=zhihang1)} == {
        UnitKind.SUB_BRANCH,
        UnitKind.OUTLET,
        UnitKind.DEPARTMENT,
    }
    assert unit_list(user=zhihang1).count() == 8  # 城东支行, its 综合部 and 6 outlets
    fuwuban = User.objects.get(username="fuwuban")
    assert unit_list(user=fuwuban).count() == 62  # all but the head office and its two departments


def test_same_seed_same_bank(db):
    first = demo_bank_create(seed=7)
    names = list(
        Person.objects.order_by("employee_no").values_list("employee_no", "name", "birth_date", "unit__code")
    )
    again = demo_create(seed=7, reset=True)[0]
    assert (again.units, again.people) == (first.units, first.people)
    names_again = list(
        Person.objects.order_by("employee_no").values_list("employee_no", "name", "birth_date", "unit__code")
    )
    assert names_again == names


def test_demo_twice_is_refused_without_reset(db):
    demo_bank_create()
    counts = (Unit.objects.count(), Person.objects.count(), User.objects.count())
    with pytest.raises(ApplicationError) as err:
        demo_create()
    assert err.value.code == "demo_exists"
    assert (Unit.objects.count(), Person.objects.count(), User.objects.count()) == counts


def test_reset_rebuilds_without_duplicates(db):
    demo_bank_create()
    demo_create(reset=True)
    assert (Unit.objects.count(), Person.objects.count(), User.objects.count()) == (65, 598, 9)


def test_demo_is_not_built_over_another_bank(bank):
    with pytest.raises(ApplicationError) as err:
        demo_bank_create()
    assert err.value.code == "not_empty"
    assert Unit.objects.count() == 8
    assert not User.objects.exists()
