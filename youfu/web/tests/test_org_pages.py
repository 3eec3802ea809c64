"""The org pages: tree, unit, people list, person, edit, move — each restricted to the user's subtree."""

from __future__ import annotations

import datetime as dt

from youfu.org.choices import Position, UnitKind
from youfu.org.models import Person, PersonMove, Unit
from youfu.org.services import person_move
from youfu.testing.factories import PersonFactory

S1_NAMES = ("东城支行", "东城营业部", "东湖网点", "张伟", "李娜", "刘强")


def _html(response) -> str:
    return response.content.decode()


# --- tree --------------------------------------------------------------------------------------------


def test_tree_opens_on_the_users_unit_with_its_children_and_head_counts(client, s1_office, bank):
    client.force_login(s1_office)

    response = client.get("/org/units/")

    roots = response.context["nodes"]
    assert [(u.code, u.subtree_count, u.head_count) for u in roots] == [("S1", 3, 0)]
    children = response.context["open_children"][bank.s1.pk]
    assert [(u.code, u.subtree_count, u.head_count) for u in children] == [("O1A", 2, 2), ("O1B", 1, 1)]
    html = _html(response)
    assert "西城支行" not in html
    assert "3 人" in html


def test_tree_children_load_one_level_at_a_time(client, branch_office, bank):
    client.force_login(branch_office)

    response = client.get(f"/org/units/{bank.s1.pk}/children/")

    assert response.status_code == 200
    assert [u.code for u in response.context["nodes"]] == ["O1A", "O1B"]
    assert "<html" not in _html(response)


def test_tree_counts_only_people_in_service(client, s1_office, bank):
    bank.teller_1b.is_active = False
    bank.teller_1b.save()
    client.force_login(s1_office)

    response = client.get("/org/units/")

    children = response.context["open_children"][bank.s1.pk]
    assert [(u.code, u.subtree_count) for u in children] == [("O1A", 2), ("O1B", 0)]


def test_tree_search_lists_matches_with_their_path_inside_the_subtree(client, s1_office, bank):
    client.force_login(s1_office)

    response = client.get("/org/units/", {"q": "东"})

    assert response.context["searching"] is True
    found = list(response.context["page_obj"])
    assert [u.code for u in found] == ["S1", "O1A", "O1B"]
    paths = response.context["paths"]
    assert [a.code for a in paths[bank.o1a.pk]] == ["S1"]  # BR and HO are above the user's unit
    assert paths[bank.s1.pk] == []


def test_tree_search_by_kind(client, branch_office):
    client.force_login(branch_office)

    response = client.get("/org/units/", {"kind": UnitKind.OUTLET})

    assert [u.code for u in response.context["page_obj"]] == ["O1A", "O1B", "O2A"]


def test_outsider_search_finds_nothing_of_s1(client, outsider):
    client.force_login(outsider)

    response = client.get("/org/units/", {"q": "东"})

    assert list(response.context["page_obj"]) == []
    html = _html(response)
    assert not [name for name in S1_NAMES if name in html]


def test_unit_suggestions_stay_inside_the_subtree(client, outsider):
    client.force_login(outsider)

    response = client.get("/org/units/suggest/", {"q": "O"})

    assert response.json() == {"results": [{"code": "O2A", "name": "西湖网点", "kind": "outlet"}]}


# --- unit page -----------------------------------------------------------------------------------------


def test_unit_page_shows_details_breadcrumbs_children_and_people(client, branch_office, bank):
    client.force_login(branch_office)

    response = client.get(f"/org/units/{bank.s1.pk}/")

    assert response.status_code == 200
    assert [u.code for u in response.context["ancestors"]] == ["BR"]  # HO is outside the branch's scope
    assert [u.code for u in response.context["children"]] == ["O1A", "O1B"]
    assert [p.name for p in response.context["page_obj"]] == ["张伟", "李娜", "刘强"]
    assert (response.context["head_count"], response.context["subtree_count"]) == (0, 3)
    html = _html(response)
    assert "总行" not in html
    assert f'href="/audit/?type=org.unit&amp;object={bank.s1.pk}"' in html
    assert f'href="/org/units/{bank.s1.pk}/edit/"' in html


def test_unit_page_hides_edit_buttons_without_rights(client, outlet_head, bank):
    client.force_login(outlet_head)

    html = _html(client.get(f"/org/units/{bank.o1a.pk}/"))

    assert f"/org/units/{bank.o1a.pk}/edit/" not in html
    assert f"/org/units/{bank.o1a.pk}/add/" not in html
    assert "/audit/" not in html


def test_unit_page_people_are_filterable(client, branch_office, bank):
    client.force_login(branch_office)

    response = client.get(f"/org/units/{bank.s1.pk}/", {"position": Position.OUTLET_HEAD})

    assert [p.name for p in response.context["page_obj"]] == ["刘强"]


def test_unit_page_people_are_paginated(client, branch_office, bank):
    PersonFactory.create_batch(30, unit=bank.o1b)
    client.force_login(branch_office)

    first = client.get(f"/org/units/{bank.s1.pk}/")
    second = client.get(f"/org/units/{bank.s1.pk}/", {"page": 2})

    assert len(first.context["page_obj"]) == 25
    assert len(second.context["page_obj"]) == 8
    assert first.context["page_obj"].paginator.count == 33


def test_unit_edit_saves_through_the_service(client, s1_office, bank):
    client.force_login(s1_office)

    response = client.post(
        f"/org/units/{bank.o1a.pk}/edit/",
        {
            "name": "东城营业部（新）",
            "region": "东片",
            "province": "江南省",
            "address": "东城路1号",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/org/units/{bank.o1a.pk}/"
    unit = Unit.objects.get(pk=bank.o1a.pk)
    assert (unit.name, unit.province, unit.address) == ("东城营业部（新）", "江南省", "东城路1号")


def test_unit_edit_is_forbidden_without_the_right_and_changes_nothing(client, outlet_head, bank):
    client.force_login(outlet_head)

    response = client.post(f"/org/units/{bank.o1a.pk}/edit/", {"name": "改名", "is_active": "on"})

    assert response.status_code == 403
    assert Unit.objects.get(pk=bank.o1a.pk).name == "东城营业部"


def test_add_child_unit(client, s1_office, bank):
    client.force_login(s1_office)

    response = client.post(
        f"/org/units/{bank.s1.pk}/add/",
        {"parent": "S1", "code": "O1C", "name": "东湖北网点", "kind": UnitKind.OUTLET, "region": "东片"},
    )

    child = Unit.objects.get(code="O1C")
    assert response.status_code == 302
    assert response["Location"] == f"/org/units/{child.pk}/"
    assert Unit.objects.get_parent(child).code == "S1"
    assert (child.name, child.kind, child.region) == ("东湖北网点", UnitKind.OUTLET, "东片")


def test_add_child_unit_shows_the_service_error_on_the_field(client, s1_office, bank):
    client.force_login(s1_office)

    response = client.post(
        f"/org/units/{bank.o1a.pk}/add/",
        {"parent": "O1A", "code": "X1", "name": "错误支行", "kind": UnitKind.SUB_BRANCH},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"kind": ["支行不能设在网点“东城营业部”之下。"]}
    assert not Unit.objects.filter(code="X1").exists()


def test_add_child_unit_under_a_parent_outside_the_subtree_is_refused(client, outsider, s1_office, bank):
    client.force_login(s1_office)

    response = client.post(
        f"/org/units/{bank.s1.pk}/add/",
        {"parent": "S2", "code": "X2", "name": "越权网点", "kind": UnitKind.OUTLET},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["parent"]
    assert not Unit.objects.filter(code="X2").exists()


def test_outsider_gets_404_for_s1_unit_pages_and_cannot_edit(client, outsider, bank):
    client.force_login(outsider)

    detail = client.get(f"/org/units/{bank.s1.pk}/")
    edit = client.post(f"/org/units/{bank.s1.pk}/edit/", {"name": "被改名", "is_active": "on"})
    add = client.post(
        f"/org/units/{bank.s1.pk}/add/", {"parent": "S1", "code": "X3", "name": "x", "kind": UnitKind.OUTLET}
    )

    assert (detail.status_code, edit.status_code, add.status_code) == (404, 404, 404)
    assert Unit.objects.get(pk=bank.s1.pk).name == "东城支行"
    assert not Unit.objects.filter(code="X3").exists()


# --- people list ---------------------------------------------------------------------------------------


def test_people_list_shows_the_subtree_only(client, s1_office):
    client.force_login(s1_office)

    response = client.get("/org/people/")

    assert [p.name for p in response.context["page_obj"]] == ["张伟", "李娜", "刘强"]
    assert "王芳" not in _html(response)


def test_people_search_by_name_or_employee_number(client, branch_office):
    client.force_login(branch_office)

    by_name = client.get("/org/people/", {"q": "王"})
    by_number = client.get("/org/people/", {"q": "10000"})

    assert [p.name for p in by_name.context["page_obj"]] == ["王芳"]
    assert [p.name for p in by_number.context["page_obj"]] == ["张伟", "李娜", "刘强"]


def test_people_filters(client, branch_office, bank):
    bank.teller_1b.is_active = False
    bank.teller_1b.save()
    client.force_login(branch_office)

    def names(**params):
        return [p.name for p in client.get("/org/people/", params).context["page_obj"]]

    assert names(unit="S1") == ["张伟", "李娜", "刘强"]
    assert names(unit="O1A") == ["张伟", "刘强"]
    assert names(position=Position.OUTLET_HEAD) == ["刘强"]
    assert names(teller_grade=3) == ["张伟"]
    assert names(is_active="false") == ["李娜"]
    assert names(is_active="true", unit="S1") == ["张伟", "刘强"]


def test_people_filter_on_a_unit_outside_the_subtree_lists_nobody(client, outsider):
    client.force_login(outsider)

    response = client.get("/org/people/", {"unit": "S1"})

    assert list(response.context["page_obj"]) == []
    assert list(response.context["filter"].form.errors) == ["unit"]
    html = _html(response)
    assert not [name for name in S1_NAMES if name in html]


def test_people_list_sorts_by_allowed_columns_only(client, branch_office):
    client.force_login(branch_office)

    by_name_desc = client.get("/org/people/", {"sort": "-name"})
    by_unit = client.get("/org/people/", {"sort": "unit"})
    unknown = client.get("/org/people/", {"sort": "unit__users__password"})

    assert [p.employee_no for p in by_name_desc.context["page_obj"]] == sorted(
        ["100001", "100002", "200001", "100009"],
        key=lambda no: Person.objects.get(employee_no=no).name,
        reverse=True,
    )
    assert [p.employee_no for p in by_unit.context["page_obj"]] == ["100001", "100009", "100002", "200001"]
    assert unknown.context["sorting"].key == "employee_no"
    assert 'data-sort="name" aria-sort="descending"' in _html(by_name_desc)


def test_people_list_is_paginated(client, branch_office, bank):
    PersonFactory.create_batch(60, unit=bank.o2a)
    client.force_login(branch_office)

    first = client.get("/org/people/")
    last = client.get("/org/people/", {"page": 2})

    assert len(first.context["page_obj"]) == 50
    assert len(last.context["page_obj"]) == 14
    assert 'href="?page=2"' in _html(first)


def test_new_person(client, s1_office, bank):
    client.force_login(s1_office)

    response = client.post(
        "/org/people/new/",
        {
            "employee_no": "100100",
            "name": "新员工",
            "unit": "O1B",
            "position": Position.LOBBY_MANAGER,
            "hire_date": "2024-03-01",
            "birth_date": "1998-02-03",
        },
    )

    person = Person.objects.get(employee_no="100100")
    assert response.status_code == 302
    assert response["Location"] == f"/org/people/{person.pk}/"
    assert (person.name, person.unit_id, person.position) == ("新员工", bank.o1b.pk, Position.LOBBY_MANAGER)
    assert list(person.moves.values_list("to_unit__code", "reason")) == [("O1B", "入职")]


def test_new_person_in_a_unit_outside_the_subtree_is_refused_on_the_field(client, outsider):
    client.force_login(outsider)

    response = client.post(
        "/org/people/new/",
        {"employee_no": "300300", "name": "越权", "unit": "O1A", "position": Position.TELLER},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "unit": ["机构 O1A 不存在，或不在您负责的管辖范围内。"],
    }
    assert not Person.objects.filter(employee_no="300300").exists()


def test_new_person_form_needs_the_right(client, colleague):
    client.force_login(colleague)

    assert client.get("/org/people/new/").status_code == 403


# --- person page ---------------------------------------------------------------------------------------


def test_person_page_shows_details_breadcrumb_and_moves(client, branch_office, bank):
    person_move(
        actor=branch_office,
        person=bank.teller_1b,
        to_unit=bank.o1a,
        effective_date=dt.date(2025, 3, 1),
        reason="支援营业部",
    )
    client.force_login(branch_office)

    response = client.get(f"/org/people/{bank.teller_1b.pk}/")

    assert [u.code for u in response.context["ancestors"]] == ["BR", "S1", "O1A"]
    assert [(m.from_unit.code, m.to_unit.code, m.reason) for m in response.context["moves"]] == [
        ("O1B", "O1A", "支援营业部")
    ]
    html = _html(response)
    assert "2025-03-01" in html
    assert f'href="/audit/?type=org.person&amp;object={bank.teller_1b.pk}"' in html


def test_person_edit(client, s1_office, bank):
    client.force_login(s1_office)

    response = client.post(
        f"/org/people/{bank.teller_1a.pk}/edit/",
        {
            "name": "张伟",
            "position": Position.TELLER,
            "gender": "M",
            "hire_date": "2015-07-01",
            "birth_date": "1990-05-20",
            "teller_grade": "4",
            "phone": "13800000000",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    person = Person.objects.get(pk=bank.teller_1a.pk)
    assert (person.teller_grade, person.gender, person.phone) == (4, "M", "13800000000")


def test_person_edit_form_shows_current_dates_as_iso(client, s1_office, bank):
    client.force_login(s1_office)

    html = _html(client.get(f"/org/people/{bank.teller_1a.pk}/edit/"))

    assert 'type="date" name="hire_date" value="2015-07-01"' in html


def test_person_edit_invalid_grade_is_shown_and_nothing_changes(client, s1_office, bank):
    client.force_login(s1_office)

    response = client.post(
        f"/org/people/{bank.teller_1a.pk}/edit/",
        {"name": "张伟", "position": Position.TELLER, "teller_grade": "9", "is_active": "on"},
    )

    assert response.status_code == 200
    assert "teller_grade" in response.context["form"].errors
    assert Person.objects.get(pk=bank.teller_1a.pk).teller_grade == 3


def test_person_move(client, branch_office, bank):
    client.force_login(branch_office)

    response = client.post(
        f"/org/people/{bank.teller_1a.pk}/move/",
        {"to_unit": "O2A", "to_position": "", "effective_date": "2026-01-05", "reason": "轮岗"},
    )

    assert response.status_code == 302
    person = Person.objects.get(pk=bank.teller_1a.pk)
    assert (person.unit_id, person.position) == (bank.o2a.pk, Position.TELLER)
    move = PersonMove.objects.get(person=person)
    assert (move.from_unit_id, move.to_unit_id, move.effective_date, move.reason) == (
        bank.o1a.pk,
        bank.o2a.pk,
        dt.date(2026, 1, 5),
        "轮岗",
    )


def test_person_move_into_a_unit_outside_the_subtree_shows_the_error_and_changes_nothing(
    client, s1_office, bank
):
    client.force_login(s1_office)

    response = client.post(
        f"/org/people/{bank.teller_1a.pk}/move/",
        {"to_unit": "O2A", "effective_date": "2026-01-05"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"to_unit": ["机构 O2A 不存在，或不在您负责的管辖范围内。"]}
    assert Person.objects.get(pk=bank.teller_1a.pk).unit_id == bank.o1a.pk
    assert PersonMove.objects.count() == 0


def test_person_move_service_error_is_shown_on_its_field(client, branch_office, bank):
    person_move(
        actor=branch_office, person=bank.teller_1a, to_unit=bank.o1b, effective_date=dt.date(2026, 2, 1)
    )
    client.force_login(branch_office)

    response = client.post(
        f"/org/people/{bank.teller_1a.pk}/move/",
        {"to_unit": "O2A", "effective_date": "2026-01-05"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "effective_date": ["调动的生效日期不能早于上一次调动（2026-02-01）。"]
    }
    assert Person.objects.get(pk=bank.teller_1a.pk).unit_id == bank.o1b.pk
    assert PersonMove.objects.count() == 1


def test_person_move_needs_the_right(client, outlet_head, bank):
    client.force_login(outlet_head)

    response = client.post(
        f"/org/people/{bank.teller_1a.pk}/move/", {"to_unit": "O1A", "effective_date": "2026-01-05"}
    )

    assert response.status_code == 403
    assert PersonMove.objects.count() == 0


def test_outsider_gets_404_for_s1_person_and_cannot_edit_or_move(client, outsider, bank):
    client.force_login(outsider)
    before = Person.objects.values().get(pk=bank.teller_1a.pk)

    detail = client.get(f"/org/people/{bank.teller_1a.pk}/")
    edit = client.post(
        f"/org/people/{bank.teller_1a.pk}/edit/",
        {"name": "被改名", "position": Position.CLERK, "is_active": "on"},
    )
    move = client.post(
        f"/org/people/{bank.teller_1a.pk}/move/", {"to_unit": "O2A", "effective_date": "2026-01-05"}
    )

    assert (detail.status_code, edit.status_code, move.status_code) == (404, 404, 404)
    assert Person.objects.values().get(pk=bank.teller_1a.pk) == before
    assert PersonMove.objects.count() == 0


def test_filter_bar_says_all_for_an_empty_choice(client, s1_office):
    client.force_login(s1_office)

    html = _html(client.get("/org/people/"))

    assert '<option value="" selected>全部</option>' in html
    assert '<option value="unknown" selected>全部</option>' in html
    assert "---------" not in html


def test_phone_sort_choice_keeps_a_header_sort(client, s1_office):
    client.force_login(s1_office)

    by_header = client.get("/org/people/", {"sort": "-name"})
    by_choice = client.get("/org/people/", {"sort": "-hire_date"})

    assert by_header.context["sort_options"][0] == ("-name", "当前排序")
    assert '<option value="-name" selected>当前排序</option>' in _html(by_header)
    assert '<option value="-hire_date" selected>入职日期（最近的在前）</option>' in _html(by_choice)


def test_sorting_puts_empty_values_last_both_ways(client, branch_office):
    client.force_login(branch_office)

    highest_first = client.get("/org/people/", {"sort": "-teller_grade"})
    lowest_first = client.get("/org/people/", {"sort": "teller_grade"})

    assert [p.teller_grade for p in highest_first.context["page_obj"]] == [3, None, None, None]
    assert [p.teller_grade for p in lowest_first.context["page_obj"]] == [3, None, None, None]
