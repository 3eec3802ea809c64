"""The audit browser: entries of the viewer's subtree, filterable, before → after per field."""

from __future__ import annotations

import datetime as dt

from auditlog.models import LogEntry
from django.utils import timezone

from youfu.org.services import person_move, person_update, unit_update


def _html(response) -> str:
    return response.content.decode()


def test_audit_needs_the_audit_permission(client, colleague):
    client.force_login(colleague)

    assert client.get("/audit/").status_code == 403


def test_person_history_shows_who_and_before_after(client, branch_office, auditor, bank):
    person_update(actor=branch_office, person=bank.teller_1a, data={"name": "张伟伟", "teller_grade": 4})
    client.force_login(auditor)

    response = client.get("/audit/", {"type": "org.person", "object": bank.teller_1a.pk})

    rows = response.context["rows"]
    assert [(r.action, r.actor_name) for r in rows] == [("修改", "branch_office"), ("新建", "系统")]
    changes = {(c.field, c.old, c.new) for c in rows[0].changes}
    assert changes == {("姓名", "张伟", "张伟伟"), ("柜员等级", "3", "4")}
    assert response.context["object_label"] == "员工 张伟伟 (100001)"
    html = _html(response)
    assert f'href="/org/people/{bank.teller_1a.pk}/"' in html
    assert '<span class="old">张伟</span> → <span class="new">张伟伟</span>' in html


def test_choices_and_units_are_shown_by_label_and_name(client, branch_office, bank):
    person_move(
        actor=branch_office,
        person=bank.teller_1a,
        to_unit=bank.o1b,
        to_position="lobby_manager",
        effective_date=dt.date(2026, 1, 5),
    )
    client.force_login(branch_office)

    response = client.get("/audit/", {"type": "org.person", "object": bank.teller_1a.pk, "action": 1})

    [row] = response.context["rows"]
    assert {(c.field, c.old, c.new) for c in row.changes} == {
        ("机构", "东城营业部", "东湖网点"),
        ("岗位", "柜员", "大堂经理"),
    }


def test_changes_of_one_user(client, branch_office, s1_office, auditor, bank):
    unit_update(actor=s1_office, unit=bank.o1a, data={"address": "东城路1号"})
    unit_update(actor=branch_office, unit=bank.o2a, data={"address": "西湖路2号"})
    client.force_login(auditor)

    response = client.get("/audit/", {"actor": s1_office.pk})

    assert [(r.entry.object_repr, r.actor_name) for r in response.context["rows"]] == [
        ("东城营业部", "s1_office")
    ]
    assert response.context["actor_name"] == "s1_office"


def test_search_by_who(client, branch_office, s1_office, auditor, bank):
    unit_update(actor=s1_office, unit=bank.o1a, data={"address": "东城路1号"})
    client.force_login(auditor)

    response = client.get("/audit/", {"who": "s1_off"})

    assert [r.entry.object_repr for r in response.context["rows"]] == ["东城营业部"]


def test_times_are_shown_in_beijing_time_and_date_range_uses_beijing_days(
    client, branch_office, auditor, bank
):
    unit_update(actor=branch_office, unit=bank.o1a, data={"address": "东城路1号"})
    entry = LogEntry.objects.get(action=LogEntry.Action.UPDATE, object_pk=str(bank.o1a.pk))
    # 2026-03-01 23:30 UTC is 2026-03-02 07:30 in Beijing.
    LogEntry.objects.filter(pk=entry.pk).update(timestamp=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))
    client.force_login(auditor)

    on_the_2nd = client.get("/audit/", {"date_from": "2026-03-02", "date_to": "2026-03-02"})
    on_the_1st = client.get("/audit/", {"date_from": "2026-03-01", "date_to": "2026-03-01"})

    assert [r.entry.pk for r in on_the_2nd.context["rows"]] == [entry.pk]
    assert "2026-03-02 07:30:00" in _html(on_the_2nd)
    assert list(on_the_1st.context["rows"]) == []


def test_reversed_date_range_is_an_error(client, auditor):
    client.force_login(auditor)

    response = client.get("/audit/", {"date_from": "2026-03-02", "date_to": "2026-03-01"})

    assert response.context["form"].errors == {"date_to": ["截止日期早于起始日期。"]}
    assert list(response.context["rows"]) == []


def test_outsider_sees_no_s1_entries(client, branch_office, outsider, bank):
    unit_update(actor=branch_office, unit=bank.o1a, data={"address": "东城路1号"})
    person_update(actor=branch_office, person=bank.teller_1a, data={"phone": "123"})
    client.force_login(outsider)

    everything = client.get("/audit/")
    s1_unit = client.get("/audit/", {"type": "org.unit", "object": bank.o1a.pk})

    for response in (everything, s1_unit):
        html = _html(response)
        assert [
            name for name in ("东城支行", "东城营业部", "东湖网点", "张伟", "李娜", "刘强") if name in html
        ] == []
    assert list(s1_unit.context["rows"]) == []
    assert {r.entry.object_repr for r in everything.context["rows"]} >= {"西湖网点", "西城支行"}


def test_a_move_into_the_outsiders_subtree_does_not_name_the_unit_it_came_from(
    client, branch_office, outsider, bank
):
    person_move(
        actor=branch_office, person=bank.teller_1a, to_unit=bank.o2a, effective_date=dt.date(2026, 1, 5)
    )
    client.force_login(outsider)

    response = client.get("/audit/", {"type": "org.person", "object": bank.teller_1a.pk, "action": 1})

    [row] = response.context["rows"]
    assert [(c.field, c.old, c.new) for c in row.changes] == [("机构", f"#{bank.o1a.pk}", "西湖网点")]
    assert "东城营业部" not in _html(response)


def test_actor_filter_does_not_reveal_a_name_outside_the_subtree(client, s1_office, outsider, bank):
    unit_update(actor=s1_office, unit=bank.o1a, data={"address": "东城路1号"})
    client.force_login(outsider)

    response = client.get("/audit/", {"actor": s1_office.pk})

    assert list(response.context["rows"]) == []
    assert response.context["actor_name"] == f"#{s1_office.pk}"


def test_entries_are_paginated(client, branch_office, bank):
    for number in range(60):
        unit_update(actor=branch_office, unit=bank.o2a, data={"address": f"西湖路{number}号"})
    client.force_login(branch_office)

    response = client.get("/audit/", {"type": "org.unit", "object": bank.o2a.pk})

    assert len(response.context["rows"]) == 50
    assert response.context["page_obj"].paginator.count == 61
    assert timezone.is_aware(response.context["rows"][0].entry.timestamp)


def test_a_move_shows_its_fields_in_chinese(client, branch_office, bank):
    person_move(
        actor=branch_office, person=bank.teller_1a, to_unit=bank.o1b, effective_date=dt.date(2026, 1, 5)
    )
    client.force_login(branch_office)

    response = client.get("/audit/", {"type": "org.personmove"})

    [row] = response.context["rows"]
    fields = {c.field: c.new for c in row.changes}
    assert fields["记录人"] == "branch_office"
    assert fields["调出机构"] == "东城营业部"
    assert fields["调入机构"] == "东湖网点"
    assert fields["生效日期"] == "2026-01-05"
