"""Units, people, moves, periods, and their Excel import/export through the API."""

from __future__ import annotations

import datetime as dt

from auditlog.models import LogEntry
from django.urls import reverse

from youfu.api.tests.conftest import assert_error_shape, db_snapshot, fields_of, xlsx, xlsx_values
from youfu.org import services
from youfu.org.choices import Position
from youfu.org.models import Period, Person, PersonMove, Unit
from youfu.testing.factories import PersonFactory

# --- units ------------------------------------------------------------------------------------------


def test_unit_detail_has_path_derived_fields(client_for, bank, s1_office):
    response = client_for(s1_office).get(
        reverse("api:unit-detail", kwargs={"pk": bank.o1a.pk}), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json() == {
        "id": bank.o1a.pk,
        "code": "O1A",
        "name": "东城营业部",
        "kind": "outlet",
        "kind_label": "Outlet",
        "parent": "S1",
        "depth": 4,
        "children_count": 0,
        "region": "东片",
        "province": "",
        "address": "",
        "is_active": True,
    }


def test_top_of_own_subtree_names_its_parent(client_for, bank, s1_office):
    response = client_for(s1_office).get(reverse("api:unit-detail", kwargs={"pk": bank.s1.pk}))
    assert response.json()["parent"] == "BR"


def test_unit_list_filters(client_for, bank, branch_office):
    client = client_for(branch_office)

    def codes(**params):
        response = client.get(reverse("api:unit-list"), params)
        assert response.status_code == 200, response.content
        return [row["code"] for row in response.json()["results"]]

    assert codes(kind="outlet") == ["O1A", "O1B", "O2A"]
    assert codes(within="S1") == ["S1", "O1A", "O1B"]
    assert codes(q="东湖") == ["O1B"]
    assert codes(region="西片") == ["S2", "O2A"]
    assert codes(ordering="-code") == ["S2", "S1", "O2A", "O1B", "O1A", "BR-OFF", "BR"]


def test_create_unit(client_for, bank, s1_office):
    response = client_for(s1_office).post(
        reverse("api:unit-list"),
        {"parent": "S1", "code": "O1C", "name": "东湖二网点", "kind": "outlet", "region": "东片"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["parent"], response.json()["depth"]) == ("S1", 4)
    unit = Unit.objects.get(code="O1C")
    assert Unit.objects.get_parent(unit) == bank.s1
    assert LogEntry.objects.get_for_object(unit).get().actor == s1_office


def test_create_unit_of_wrong_kind_names_the_field(client_for, bank, s1_office):
    before = db_snapshot()
    response = client_for(s1_office).post(
        reverse("api:unit-list"),
        {"parent": "O1A", "code": "X", "name": "错", "kind": "sub_branch"},
        format="json",
    )
    assert_error_shape(response, 400)
    assert fields_of(response) == {"kind"}
    assert db_snapshot() == before


def test_create_unit_with_a_used_code(client_for, bank, s1_office):
    response = client_for(s1_office).post(
        reverse("api:unit-list"),
        {"parent": "S1", "code": "O2A", "name": "重复", "kind": "outlet"},
        format="json",
    )
    assert_error_shape(response, 400)
    assert fields_of(response) == {"code"}
    assert Unit.objects.get(code="O2A").name == "西湖网点"


def test_update_unit(client_for, bank, s1_office):
    response = client_for(s1_office).patch(
        reverse("api:unit-detail", kwargs={"pk": bank.o1b.pk}),
        {"name": "东湖支行营业部", "address": "东湖路1号", "is_active": False},
        format="json",
    )
    assert response.status_code == 200, response.content
    unit = Unit.objects.get(pk=bank.o1b.pk)
    assert (unit.name, unit.address, unit.is_active) == ("东湖支行营业部", "东湖路1号", False)
    assert response.json()["name"] == "东湖支行营业部"


def test_unit_code_and_kind_cannot_be_patched(client_for, bank, s1_office):
    response = client_for(s1_office).patch(
        reverse("api:unit-detail", kwargs={"pk": bank.o1b.pk}),
        {"code": "ZZ", "kind": "department"},
        format="json",
    )
    assert_error_shape(response, 400)
    assert fields_of(response) == {"code", "kind"}
    assert Unit.objects.get(pk=bank.o1b.pk).code == "O1B"


def test_tree_is_flat_in_tree_order_with_head_counts(client_for, bank, s1_office):
    response = client_for(s1_office).get(reverse("api:unit-tree"))
    rows = [(r["code"], r["parent"], r["depth"], r["head_count"]) for r in response.json()["results"]]
    assert rows == [("S1", "BR", 3, 0), ("O1A", "S1", 4, 2), ("O1B", "S1", 4, 1)]


def test_children_with_counts(client_for, bank, branch_office):
    response = client_for(branch_office).get(reverse("api:unit-children", kwargs={"pk": bank.s1.pk}))
    rows = [(r["code"], r["head_count"], r["subtree_count"]) for r in response.json()["results"]]
    assert rows == [("O1A", 2, 2), ("O1B", 1, 1)]
    s1 = client_for(branch_office).get(reverse("api:unit-children", kwargs={"pk": bank.branch.pk}))
    assert [(r["code"], r["subtree_count"]) for r in s1.json()["results"]] == [
        ("BR-OFF", 0),
        ("S1", 3),
        ("S2", 1),
    ]


# --- people -----------------------------------------------------------------------------------------


def test_person_detail(client_for, bank, s1_office):
    response = client_for(s1_office).get(
        reverse("api:person-detail", kwargs={"pk": bank.teller_1a.pk}), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json() == {
        "id": bank.teller_1a.pk,
        "employee_no": "100001",
        "name": "张伟",
        "unit": "O1A",
        "unit_id": bank.o1a.pk,
        "unit_name": "东城营业部",
        "position": "teller",
        "position_label": "Teller",
        "gender": "",
        "hire_date": "2015-07-01",
        "birth_date": "1990-05-20",
        "teller_grade": 3,
        "phone": "",
        "is_active": True,
    }


def test_people_filters(client_for, bank, branch_office):
    PersonFactory(
        unit=bank.o2a, name="王小明", employee_no="200002", position=Position.LOBBY_MANAGER, is_active=False
    )
    client = client_for(branch_office)

    def numbers(**params):
        response = client.get(reverse("api:person-list"), params)
        assert response.status_code == 200, response.content
        return [row["employee_no"] for row in response.json()["results"]]

    assert numbers(q="王") == ["200001", "200002"]
    assert numbers(q="10000") == ["100001", "100002", "100009"]
    assert numbers(unit="S1") == ["100001", "100002", "100009"]
    assert numbers(unit="O1A") == ["100001", "100009"]
    assert numbers(unit="S2", position="lobby_manager") == ["200002"]
    assert numbers(position="outlet_head") == ["100009"]
    assert numbers(teller_grade=3) == ["100001"]
    assert numbers(is_active="false") == ["200002"]
    assert numbers(ordering="-employee_no", unit="S1") == ["100009", "100002", "100001"]


def test_unit_filter_outside_subtree_is_refused(client_for, bank, s1_office):
    response = client_for(s1_office).get(reverse("api:person-list"), {"unit": "S2"})
    assert_error_shape(response, 400)
    assert fields_of(response) == {"unit"}


def test_pagination(client_for, bank, s1_office):
    for n in range(7):
        PersonFactory(unit=bank.o1b, employee_no=f"1100{n:02d}")
    client = client_for(s1_office)
    first = client.get(reverse("api:person-list"), {"page_size": 4}).json()
    assert first["count"] == 10
    assert [p["employee_no"] for p in first["results"]] == ["100001", "100002", "100009", "110000"]
    assert first["previous"] is None
    assert first["next"].endswith("/api/v1/people/?page=2&page_size=4")
    last = client.get(reverse("api:person-list"), {"page_size": 4, "page": 3}).json()
    assert [p["employee_no"] for p in last["results"]] == ["110005", "110006"]
    assert last["next"] is None


def test_page_size_is_capped(client_for, bank, s1_office):
    response = client_for(s1_office).get(reverse("api:person-list"), {"page_size": 100000})
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_update_person(client_for, bank, s1_office):
    response = client_for(s1_office).patch(
        reverse("api:person-detail", kwargs={"pk": bank.teller_1a.pk}),
        {"phone": "13800000000", "teller_grade": 4, "hire_date": None},
        format="json",
    )
    assert response.status_code == 200, response.content
    person = Person.objects.get(pk=bank.teller_1a.pk)
    assert (person.phone, person.teller_grade, person.hire_date) == ("13800000000", 4, None)
    entry = LogEntry.objects.get_for_object(person).latest("timestamp")
    assert entry.actor == s1_office


def test_update_person_teller_grade_out_of_range(client_for, bank, s1_office):
    response = client_for(s1_office).patch(
        reverse("api:person-detail", kwargs={"pk": bank.teller_1a.pk}), {"teller_grade": 7}, format="json"
    )
    assert_error_shape(response, 400)
    assert fields_of(response) == {"teller_grade"}
    assert Person.objects.get(pk=bank.teller_1a.pk).teller_grade == 3


def test_move_before_the_previous_one_is_refused(client_for, bank, s1_office):
    services.person_move(
        actor=s1_office, person=bank.teller_1a, to_unit=bank.o1b, effective_date=dt.date(2026, 5, 1)
    )
    before = db_snapshot()
    response = client_for(s1_office).post(
        reverse("api:person-moves", kwargs={"pk": bank.teller_1a.pk}),
        {"to_unit": "O1A", "effective_date": "2026-04-01"},
        format="json",
    )
    assert_error_shape(response, 400)
    assert fields_of(response) == {"effective_date"}
    assert db_snapshot() == before


def test_move_needs_a_date(client_for, bank, s1_office):
    response = client_for(s1_office).post(
        reverse("api:person-moves", kwargs={"pk": bank.teller_1a.pk}), {"to_unit": "O1B"}, format="json"
    )
    assert_error_shape(response, 400)
    assert fields_of(response) == {"effective_date"}
    assert not PersonMove.objects.exists()


# --- periods ----------------------------------------------------------------------------------------


def test_ensure_year_then_filter(client_for, bank, branch_office, colleague):
    response = client_for(branch_office).post(
        reverse("api:period-ensure-year"), {"year": 2026}, format="json"
    )
    assert response.status_code == 200, response.content
    assert len(response.json()) == 19
    again = client_for(branch_office).post(reverse("api:period-ensure-year"), {"year": 2026}, format="json")
    assert [p["id"] for p in again.json()] == [p["id"] for p in response.json()]
    assert Period.objects.count() == 19

    # Periods are bank-wide: staff read them too.
    client = client_for(colleague)
    quarters = client.get(reverse("api:period-list"), {"kind": "quarter", "year": 2026}).json()
    assert [p["code"] for p in quarters["results"]] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert client.get(reverse("api:period-list"), {"year": 2025}).json()["count"] == 0
    q2 = Period.objects.get(code="2026Q2")
    detail = client.get(reverse("api:period-detail", kwargs={"pk": q2.pk})).json()
    assert (detail["start"], detail["end"], detail["kind"]) == ("2026-04-01", "2026-06-30", "quarter")


def test_ensure_year_out_of_range(client_for, bank, branch_office):
    response = client_for(branch_office).post(
        reverse("api:period-ensure-year"), {"year": 1800}, format="json"
    )
    assert_error_shape(response, 400)
    assert fields_of(response) == {"year"}
    assert not Period.objects.exists()


# --- Excel ------------------------------------------------------------------------------------------


def test_people_export_follows_the_filters(client_for, bank, branch_office):
    response = client_for(branch_office).get(reverse("api:person-export"), {"unit": "O1A"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="people.xlsx"' in response["Content-Disposition"]
    rows = xlsx_values(response.content)
    assert [row[0] for row in rows[1:]] == ["100001", "100009"]


def test_units_export_is_the_subtree(client_for, bank, s1_office):
    response = client_for(s1_office).get(reverse("api:unit-export"))
    assert response.status_code == 200
    rows = xlsx_values(response.content)
    assert [row[0] for row in rows[1:]] == ["S1", "O1A", "O1B"]


def test_units_import_dry_run_writes_nothing(client_for, bank, s1_office):
    before = db_snapshot()
    file = xlsx([["机构代码", "机构名称", "机构类型", "上级机构代码"], ["O1C", "东湖二网点", "outlet", "S1"]])
    response = client_for(s1_office).post(
        reverse("api:unit-import-file"), {"file": file, "dry_run": "true"}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "dry_run": True,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "warnings": [],
    }
    assert db_snapshot() == before


def test_units_import(client_for, bank, s1_office):
    file = xlsx([["机构代码", "机构名称", "机构类型", "上级机构代码"], ["O1C", "东湖二网点", "outlet", "S1"]])
    response = client_for(s1_office).post(reverse("api:unit-import-file"), {"file": file}, format="multipart")
    assert response.status_code == 200, response.content
    assert (response.json()["created"], response.json()["dry_run"]) == (1, False)
    assert Unit.objects.get_parent(Unit.objects.get(code="O1C")) == bank.s1


def test_people_import_reports_every_bad_row_and_writes_nothing(client_for, bank, s1_office):
    before = db_snapshot()
    file = xlsx(
        [
            ["工号", "姓名", "所属机构代码", "岗位"],
            ["300001", "新人甲", "O1A", "teller"],
            ["300002", "新人乙", "O2A", "teller"],
            ["300003", "新人丙", "O1B", "astronaut"],
        ]
    )
    response = client_for(s1_office).post(
        reverse("api:person-import-file"), {"file": file}, format="multipart"
    )
    errors = assert_error_shape(response, 400)
    assert [(e["row"], e["field"]) for e in errors] == [(3, "所属机构代码"), (4, "岗位")]
    assert db_snapshot() == before


def test_import_needs_a_file(client_for, bank, s1_office):
    response = client_for(s1_office).post(
        reverse("api:person-import-file"), {"dry_run": "true"}, format="multipart"
    )
    assert_error_shape(response, 400)
    assert fields_of(response) == {"file"}


def test_import_rejects_unknown_form_fields(client_for, bank, s1_office):
    file = xlsx([["工号", "姓名", "所属机构代码", "岗位"], ["300001", "新人", "O1A", "teller"]])
    response = client_for(s1_office).post(
        reverse("api:person-import-file"), {"file": file, "force": "yes"}, format="multipart"
    )
    assert_error_shape(response, 400)
    assert fields_of(response) == {"force"}
    assert not Person.objects.filter(employee_no="300001").exists()


def test_only_an_administrator_creates_a_head_office(client_for, bank, admin, branch_office):
    payload = {"parent": None, "code": "HO2", "name": "另一总行", "kind": "head_office"}
    refused = client_for(branch_office).post(reverse("api:unit-list"), payload, format="json")
    assert_error_shape(refused, 400)
    assert fields_of(refused) == {"parent"}
    assert not Unit.objects.filter(code="HO2").exists()

    created = client_for(admin).post(reverse("api:unit-list"), payload, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["parent"], created.json()["depth"]) == (None, 1)
