"""What each persona may read and write through the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from youfu.api.tests.conftest import assert_error_shape, db_snapshot, fields_of, xlsx
from youfu.api.tests.test_permissions import ENDPOINTS
from youfu.org.models import Person, PersonMove


def _codes(response) -> list[str]:
    return [row["code"] for row in response.json()["results"]]


def _numbers(response) -> list[str]:
    return [row["employee_no"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "name", ["unit-list", "unit-tree", "person-list", "period-list", "audit-list", "user-list", "me"]
)
def test_auditor_reads_lists(client_for, bank, auditor, name):
    response = client_for(auditor).get(reverse(f"api:{name}"))
    assert response.status_code == 200


def test_auditor_sees_the_whole_bank(client_for, bank, auditor):
    response = client_for(auditor).get(reverse("api:unit-list"))
    assert _codes(response) == ["HO", "BR", "BR-OFF", "S1", "O1A", "O1B", "S2", "O2A"]


def _valid_writes(bank) -> dict[tuple[str, str], dict]:
    """A write each endpoint would accept from the head office's service office."""
    return {
        ("unit-list", "post"): {"parent": "S1", "code": "O1C", "name": "新网点", "kind": "outlet"},
        ("unit-detail", "patch"): {"name": "改名"},
        ("unit-import-file", "post"): {
            "file": xlsx(
                [["机构代码", "机构名称", "机构类型", "上级机构代码"], ["O1C", "新网点", "outlet", "S1"]]
            )
        },
        ("person-list", "post"): {
            "employee_no": "300001",
            "name": "新人",
            "unit": "O1A",
            "position": "teller",
        },
        ("person-detail", "patch"): {"name": "改名"},
        ("person-moves", "post"): {"to_unit": "O1B", "effective_date": "2026-06-01"},
        ("person-import-file", "post"): {
            "file": xlsx([["工号", "姓名", "所属机构代码", "岗位"], ["300001", "新人", "O1A", "teller"]])
        },
        ("period-ensure-year", "post"): {"year": 2026},
        ("user-list", "post"): {
            "username": "newbie",
            "password": "a-long-password-1",
            "unit": "O1A",
            "roles": ["staff"],
        },
    }


WRITES = [
    (endpoint, method)
    for endpoint in ENDPOINTS
    for method in endpoint.methods
    if method != "get" and endpoint.name != "token"
]


@pytest.mark.parametrize("endpoint,method", WRITES, ids=lambda v: getattr(v, "name", v))
def test_auditor_cannot_write_anything(client_for, bank, auditor, endpoint, method):
    payload = _valid_writes(bank)[(endpoint.name, method)]
    pk = {"unit": bank.o1a.pk, "person": bank.teller_1a.pk}.get(endpoint.name.split("-")[0])
    url = endpoint.url(pk if endpoint.detail else None)
    before = db_snapshot()
    response = getattr(client_for(auditor), method)(
        url, payload, format="multipart" if "file" in payload else "json"
    )
    errors = assert_error_shape(response, 403)
    assert errors[0]["code"] == "permission_denied"
    assert db_snapshot() == before


def test_staff_reads_own_outlet_only(client_for, bank, colleague):
    client = client_for(colleague)
    assert _codes(client.get(reverse("api:unit-list"))) == ["O1A"]
    assert _numbers(client.get(reverse("api:person-list"))) == ["100001", "100009"]
    assert_error_shape(client.get(reverse("api:person-detail", kwargs={"pk": bank.teller_1b.pk})), 404)
    assert_error_shape(client.get(reverse("api:unit-detail", kwargs={"pk": bank.s1.pk})), 404)


def test_staff_cannot_read_audit_or_users(client_for, bank, colleague):
    client = client_for(colleague)
    assert_error_shape(client.get(reverse("api:audit-list")), 403)
    assert_error_shape(client.get(reverse("api:user-list")), 403)


def test_staff_cannot_add_a_person(client_for, bank, colleague):
    before = db_snapshot()
    response = client_for(colleague).post(
        reverse("api:person-list"),
        {"employee_no": "300001", "name": "新人", "unit": "O1A", "position": "teller"},
        format="json",
    )
    assert_error_shape(response, 403)
    assert db_snapshot() == before


def test_s1_office_adds_a_person_and_moves_them_within_s1(client_for, bank, s1_office):
    client = client_for(s1_office)
    created = client.post(
        reverse("api:person-list"),
        {
            "employee_no": "300001",
            "name": "新人",
            "unit": "O1A",
            "position": "teller",
            "hire_date": "2026-02-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    person_id = created.json()["id"]
    assert created.json()["unit"] == "O1A"

    moved = client.post(
        reverse("api:person-moves", kwargs={"pk": person_id}),
        {"to_unit": "O1B", "effective_date": "2026-06-01", "reason": "轮岗", "to_position": "lobby_manager"},
        format="json",
    )
    assert moved.status_code == 201, moved.content
    assert {
        k: moved.json()[k] for k in ("from_unit", "to_unit", "from_position", "to_position", "reason")
    } == {
        "from_unit": "O1A",
        "to_unit": "O1B",
        "from_position": "teller",
        "to_position": "lobby_manager",
        "reason": "轮岗",
    }
    assert moved.json()["created_by"] == "s1_office"
    person = Person.objects.get(pk=person_id)
    assert (person.unit.code, person.position) == ("O1B", "lobby_manager")

    history = client.get(reverse("api:person-moves", kwargs={"pk": person_id})).json()
    assert [(m["from_unit"], m["to_unit"]) for m in history["results"]] == [("O1A", "O1B"), (None, "O1A")]


def test_s1_office_cannot_move_a_person_to_s2(client_for, bank, s1_office):
    before = db_snapshot()
    response = client_for(s1_office).post(
        reverse("api:person-moves", kwargs={"pk": bank.teller_1a.pk}),
        {"to_unit": "O2A", "effective_date": "2026-06-01"},
        format="json",
    )
    errors = assert_error_shape(response, 400)
    assert [(e["code"], e["field"]) for e in errors] == [("does_not_exist", "to_unit")]
    assert "O2A" in errors[0]["message"]
    assert db_snapshot() == before
    assert Person.objects.get(pk=bank.teller_1a.pk).unit == bank.o1a
    assert not PersonMove.objects.exists()


def test_s1_office_cannot_create_a_unit_under_the_branch(client_for, bank, s1_office):
    before = db_snapshot()
    response = client_for(s1_office).post(
        reverse("api:unit-list"),
        {"parent": "BR", "code": "S3", "name": "新支行", "kind": "sub_branch"},
        format="json",
    )
    assert_error_shape(response, 400)
    assert fields_of(response) == {"parent"}
    assert db_snapshot() == before


def test_branch_office_sees_both_sub_branches(client_for, bank, branch_office):
    client = client_for(branch_office)
    assert _codes(client.get(reverse("api:unit-list"))) == ["BR", "BR-OFF", "S1", "O1A", "O1B", "S2", "O2A"]
    assert _numbers(client.get(reverse("api:person-list"))) == ["100001", "100002", "100009", "200001"]
    children = client.get(reverse("api:unit-children", kwargs={"pk": bank.branch.pk}))
    assert _codes(children) == ["BR-OFF", "S1", "S2"]


def test_branch_office_moves_a_person_across_sub_branches(client_for, bank, branch_office):
    response = client_for(branch_office).post(
        reverse("api:person-moves", kwargs={"pk": bank.teller_1a.pk}),
        {"to_unit": "O2A", "effective_date": "2026-06-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Person.objects.get(pk=bank.teller_1a.pk).unit == bank.o2a
