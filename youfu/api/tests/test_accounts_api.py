"""API tokens, the signed-in user, and users."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.authtoken.models import Token

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.accounts.roles import ROLE_PERMISSIONS
from youfu.api.tests.conftest import assert_error_shape, db_snapshot, fields_of
from youfu.testing.factories import PASSWORD


def test_token_sign_in_use_and_revoke(api, bank, s1_office):
    response = api.post(reverse("api:token"), {"username": "s1_office", "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert Token.objects.get(user=s1_office).key == token
    # Signing in again returns the same token.
    again = api.post(reverse("api:token"), {"username": "s1_office", "password": PASSWORD}, format="json")
    assert again.json()["token"] == token

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get(reverse("api:me"))
    assert me.status_code == 200
    assert me.json()["username"] == "s1_office"
    people = api.get(reverse("api:person-list"))
    assert [p["employee_no"] for p in people.json()["results"]] == ["100001", "100002", "100009"]

    assert api.delete(reverse("api:token")).status_code == 204
    assert not Token.objects.filter(user=s1_office).exists()
    assert_error_shape(api.get(reverse("api:me")), 401)


def test_token_wrong_password(api, bank, s1_office):
    response = api.post(reverse("api:token"), {"username": "s1_office", "password": "nope"}, format="json")
    errors = assert_error_shape(response, 400)
    assert [(e["code"], e["field"]) for e in errors] == [("authorization", None)]
    assert not Token.objects.exists()


def test_token_inactive_user(api, bank, s1_office):
    s1_office.is_active = False
    s1_office.save()
    response = api.post(reverse("api:token"), {"username": "s1_office", "password": PASSWORD}, format="json")
    assert_error_shape(response, 400)
    assert not Token.objects.exists()


def test_token_request_is_strict(api, bank, s1_office):
    response = api.post(
        reverse("api:token"), {"username": "s1_office", "password": PASSWORD, "otp": "1"}, format="json"
    )
    assert_error_shape(response, 400)
    assert fields_of(response) == {"otp"}


def test_me(client_for, bank, outlet_head):
    response = client_for(outlet_head).get(reverse("api:me"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {
        "id": outlet_head.pk,
        "username": "outlet_head",
        "name": "刘强",
        "email": "",
        "is_superuser": False,
        "roles": [{"code": "outlet_head", "label": "Outlet head"}],
        "unit": {
            "id": bank.o1a.pk,
            "code": "O1A",
            "name": "东城营业部",
            "kind": "outlet",
            "kind_label": "Outlet",
            "depth": 4,
        },
        "person": {"id": bank.head_1a.pk, "employee_no": "100009", "name": "刘强"},
        # What roles.py grants an outlet head, whatever apps add to it (none of it bank-level)…
        "permissions": sorted(ROLE_PERMISSIONS[Role.OUTLET_HEAD]),
    }
    # …which still holds reading the org and the apps built on it.
    permissions = response.json()["permissions"]
    assert {"org.view_unit", "facts.view_fact", "standards.view_standard", "scoring.view_scoreline"} <= set(
        permissions
    )


def test_users_list_is_the_subtree(client_for, bank, branch_office, s1_office, outsider, colleague, admin):
    def names(user):
        return [u["username"] for u in client_for(user).get(reverse("api:user-list")).json()["results"]]

    assert names(s1_office) == ["colleague", "s1_office"]
    assert names(outsider) == ["outsider"]
    assert names(branch_office) == ["branch_office", "colleague", "outsider", "s1_office"]
    assert names(admin) == ["admin", "branch_office", "colleague", "outsider", "s1_office"]


def test_user_detail(client_for, bank, s1_office, colleague, outsider):
    url = reverse("api:user-detail", kwargs={"pk": colleague.pk})
    response = client_for(s1_office).get(url)
    assert {k: response.json()[k] for k in ("username", "unit", "person", "roles")} == {
        "username": "colleague",
        "unit": "O1A",
        "person": "100001",
        "roles": ["staff"],
    }
    assert_error_shape(client_for(outsider).get(url), 404)


def test_create_user(client_for, bank, s1_office):
    response = client_for(s1_office).post(
        reverse("api:user-list"),
        {
            "username": "teller1b",
            "password": "a-long-password-1",
            "unit": "O1B",
            "roles": ["staff"],
            "person": "100002",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert "password" not in response.json()
    user = User.objects.get(username="teller1b")
    assert (user.unit, user.person, user.check_password("a-long-password-1")) == (
        bank.o1b,
        bank.teller_1b,
        True,
    )
    assert list(user.groups.values_list("name", flat=True)) == ["staff"]


def test_create_user_with_weak_password_or_unknown_role(client_for, bank, s1_office):
    before = db_snapshot()
    client = client_for(s1_office)
    weak = client.post(
        reverse("api:user-list"),
        {"username": "x", "password": "123", "unit": "O1B", "roles": []},
        format="json",
    )
    assert_error_shape(weak, 400)
    assert fields_of(weak) == {"password"}
    role = client.post(
        reverse("api:user-list"),
        {"username": "x", "password": "a-long-password-1", "unit": "O1B", "roles": ["king"]},
        format="json",
    )
    assert_error_shape(role, 400)
    assert [(e["code"], e["field"]) for e in role.json()["errors"]] == [("invalid_choice", "roles[0]")]
    assert db_snapshot() == before


def test_only_an_administrator_creates_an_administrator(client_for, bank, branch_office):
    before = db_snapshot()
    response = client_for(branch_office).post(
        reverse("api:user-list"),
        {
            "username": "root2",
            "password": "a-long-password-1",
            "unit": "BR",
            "roles": [],
            "is_superuser": True,
        },
        format="json",
    )
    assert_error_shape(response, 400)
    assert fields_of(response) == {"is_superuser"}
    assert db_snapshot() == before


def test_staff_cannot_create_users(client_for, bank, outlet_head):
    before = db_snapshot()
    response = client_for(outlet_head).post(
        reverse("api:user-list"),
        {"username": "x", "password": "a-long-password-1", "unit": "O1A", "roles": ["staff"]},
        format="json",
    )
    assert_error_shape(response, 403)
    assert db_snapshot() == before
