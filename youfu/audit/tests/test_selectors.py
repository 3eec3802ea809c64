import datetime as dt

from youfu.audit.selectors import log_entries_by_actor, log_entries_for_object, log_entry_list
from youfu.org import services


def _changes(bank, branch_office):
    services.person_update(actor=branch_office, person=bank.teller_1a, data={"phone": "13800000001"})
    services.person_update(actor=branch_office, person=bank.teller_2a, data={"phone": "13800000002"})
    services.period_ensure_year(actor=branch_office, year=2026)


def test_audit_records_who_and_before_after(bank, branch_office, auditor):
    _changes(bank, branch_office)
    entry = log_entries_for_object(user=auditor, obj=bank.teller_1a).get(action=1)
    assert entry.actor == branch_office
    assert entry.changes_dict == {"phone": ["", "13800000001"]}


def test_audit_is_restricted_to_subtree(bank, branch_office, outsider):
    _changes(bank, branch_office)
    visible = log_entry_list(user=outsider)
    reprs = set(visible.values_list("object_repr", flat=True))
    assert "王芳 (200001)" in reprs
    assert "张伟 (100001)" not in reprs
    # periods are bank-wide and visible everywhere
    assert visible.filter(content_type__model="period").count() == 19
    assert not log_entries_for_object(user=outsider, obj=bank.teller_1a).exists()


def test_staff_without_audit_permission_sees_nothing(bank, branch_office, colleague):
    _changes(bank, branch_office)
    assert not log_entry_list(user=colleague).exists()


def test_entries_by_actor(bank, branch_office, auditor, s1_office):
    _changes(bank, branch_office)
    services.person_move(
        actor=s1_office, person=bank.teller_1a, to_unit=bank.o1b, effective_date=dt.date(2026, 5, 1)
    )
    by_s1 = log_entries_by_actor(user=auditor, actor_id=s1_office.pk)
    assert {e.content_type.model for e in by_s1} == {"person", "personmove"}
    assert all(e.actor_id == s1_office.pk for e in by_s1)
