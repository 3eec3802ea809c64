import datetime as dt

import pytest
from auditlog.models import LogEntry

from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.org import services
from youfu.org.choices import Position, UnitKind
from youfu.org.models import Period, Person, PersonMove, Unit


def test_person_move_records_history_and_audit(bank, s1_office):
    move = services.person_move(
        actor=s1_office,
        person=bank.teller_1a,
        to_unit=bank.o1b,
        effective_date=dt.date(2026, 3, 1),
        reason="轮岗",
    )
    person = Person.objects.get(pk=bank.teller_1a.pk)
    assert person.unit == bank.o1b
    assert (move.from_unit, move.to_unit) == (bank.o1a, bank.o1b)
    entry = LogEntry.objects.get_for_object(person).latest("timestamp")
    assert entry.actor == s1_office
    assert entry.changes_dict["unit"] == [str(bank.o1a.pk), str(bank.o1b.pk)] or "unit" in entry.changes_dict
    assert entry.additional_data == {"unit_path": bank.o1b.path}


def test_move_into_unit_outside_subtree_is_refused_and_writes_nothing(bank, s1_office):
    with pytest.raises(PermissionDeniedError) as err:
        services.person_move(
            actor=s1_office, person=bank.teller_1a, to_unit=bank.o2a, effective_date=dt.date(2026, 3, 1)
        )
    assert err.value.field == "to_unit"
    assert Person.objects.get(pk=bank.teller_1a.pk).unit == bank.o1a
    assert not PersonMove.objects.exists()


def test_outsider_cannot_change_person_of_other_sub_branch(bank, outsider):
    with pytest.raises(PermissionDeniedError):
        services.person_update(actor=outsider, person=bank.teller_1a, data={"name": "篡改"})
    assert Person.objects.get(pk=bank.teller_1a.pk).name == "张伟"


def test_auditor_cannot_change_anything(bank, auditor):
    with pytest.raises(PermissionDeniedError):
        services.person_update(actor=auditor, person=bank.teller_1a, data={"name": "篡改"})


def test_unit_kind_must_rank_below_parent(bank, branch_office):
    with pytest.raises(ApplicationError) as err:
        services.unit_create(
            actor=branch_office, parent=bank.o1a, code="X", name="错", kind=UnitKind.SUB_BRANCH
        )
    assert err.value.field == "kind"
    assert not Unit.objects.filter(code="X").exists()


def test_unit_create_under_own_subtree(bank, s1_office):
    unit = services.unit_create(
        actor=s1_office, parent=bank.s1, code="O1C", name="东湖二网点", kind=UnitKind.OUTLET
    )
    assert Unit.objects.get_parent(unit) == bank.s1
    assert Unit.objects.get(pk=bank.s1.pk).numchild == 3


def test_duplicate_employee_number_refused(bank, s1_office):
    with pytest.raises(ApplicationError) as err:
        services.person_create(
            actor=s1_office, employee_no="100001", name="重复", unit=bank.o1a, position=Position.TELLER
        )
    assert err.value.field == "employee_no"
    assert Person.objects.filter(employee_no="100001").count() == 1


def test_teller_grade_out_of_range(bank, s1_office):
    with pytest.raises(ApplicationError) as err:
        services.person_update(actor=s1_office, person=bank.teller_1a, data={"teller_grade": 7})
    assert err.value.field == "teller_grade"


def test_period_ensure_year_is_idempotent(bank, branch_office):
    first = services.period_ensure_year(actor=branch_office, year=2026)
    again = services.period_ensure_year(actor=branch_office, year=2026)
    assert [p.pk for p in first] == [p.pk for p in again]
    assert Period.objects.count() == 19
    q1 = Period.objects.get(code="2026Q1")
    assert (q1.start, q1.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    feb = Period.objects.get(code="2026-02")
    assert feb.end == dt.date(2026, 2, 28)


def test_custom_period_with_the_same_window_is_refused(bank, branch_office):
    services.period_create(
        actor=branch_office, code="C100", name="百日竞赛", start=dt.date(2026, 3, 1), end=dt.date(2026, 6, 8)
    )
    with pytest.raises(ApplicationError) as err:
        services.period_create(
            actor=branch_office,
            code="C100B",
            name="另一竞赛",
            start=dt.date(2026, 3, 1),
            end=dt.date(2026, 6, 8),
        )
    assert err.value.field == "start"
    assert "C100" in err.value.message
    assert not Period.objects.filter(code="C100B").exists()


def test_only_head_office_or_branch_offices_manage_periods(bank, s1_office, branch_office):
    # periods are bank-wide: a sub-branch office may read them but not define them
    assert branch_office.has_perm("org.add_period")
    assert s1_office.has_perm("org.view_period")
    assert not s1_office.has_perm("org.add_period")
    with pytest.raises(PermissionDeniedError):
        services.period_create(
            actor=s1_office, code="S1C", name="支行竞赛", start=dt.date(2026, 3, 1), end=dt.date(2026, 6, 8)
        )
    with pytest.raises(PermissionDeniedError):
        services.period_ensure_year(actor=s1_office, year=2027)
    assert not Period.objects.exists()
