"""Every error comes out in one shape: {"errors": [{"code", "field", "message"}]}."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from youfu.api.errors import exception_handler
from youfu.api.tests.conftest import assert_error_shape, db_snapshot
from youfu.core.errors import PermissionDeniedError
from youfu.org import services
from youfu.org.models import Person


def _new_person(**extra):
    return {"employee_no": "300001", "name": "新人", "unit": "O1A", "position": "teller", **extra}


def test_unknown_field_is_refused_and_named(client_for, bank, s1_office):
    before = db_snapshot()
    response = client_for(s1_office).post(
        reverse("api:person-list"), _new_person(salary=9999), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    errors = assert_error_shape(response, 400)
    assert errors == [{"code": "unknown_field", "field": "salary", "message": "Unknown field."}]
    assert db_snapshot() == before


def test_read_only_field_counts_as_unknown(client_for, bank, s1_office):
    # The unit changes by a move (which keeps the history), never by editing the person.
    response = client_for(s1_office).patch(
        reverse("api:person-detail", kwargs={"pk": bank.teller_1a.pk}),
        {"unit": "O1B", "id": 5},
        format="json",
    )
    errors = assert_error_shape(response, 400)
    assert [(e["code"], e["field"]) for e in errors] == [("unknown_field", "id"), ("unknown_field", "unit")]
    assert Person.objects.get(pk=bank.teller_1a.pk).unit == bank.o1a


def test_unknown_field_in_a_move(client_for, bank, s1_office):
    response = client_for(s1_office).post(
        reverse("api:person-moves", kwargs={"pk": bank.teller_1a.pk}),
        {"to_unit": "O1B", "effective_date": "2026-06-01", "from_unit": "O2A"},
        format="json",
    )
    assert_error_shape(response, 400)
    assert response.json()["errors"][0]["field"] == "from_unit"


def test_bad_date(client_for, bank, s1_office):
    before = db_snapshot()
    response = client_for(s1_office).post(
        reverse("api:person-list"), _new_person(hire_date="2026-02-30"), format="json"
    )
    errors = assert_error_shape(response, 400)
    assert [(e["code"], e["field"]) for e in errors] == [("invalid", "hire_date")]
    assert db_snapshot() == before


def test_hire_date_before_birth_is_a_business_error_on_the_field(client_for, bank, s1_office):
    response = client_for(s1_office).post(
        reverse("api:person-list"),
        _new_person(hire_date="1990-01-01", birth_date="1995-01-01"),
        format="json",
    )
    errors = assert_error_shape(response, 400)
    assert [(e["code"], e["field"]) for e in errors] == [("invalid", "hire_date")]
    assert not Person.objects.filter(employee_no="300001").exists()


def test_duplicate_employee_number(client_for, bank, s1_office):
    before = db_snapshot()
    response = client_for(s1_office).post(
        reverse("api:person-list"), _new_person(employee_no="100001"), format="json"
    )
    errors = assert_error_shape(response, 400)
    assert [e["field"] for e in errors] == ["employee_no"]
    assert "100001" in errors[0]["message"]
    assert db_snapshot() == before


def test_every_invalid_field_is_listed(client_for, bank, s1_office):
    response = client_for(s1_office).post(
        reverse("api:person-list"),
        {"name": "", "unit": "NOPE", "position": "pilot", "teller_grade": 9},
        format="json",
    )
    errors = assert_error_shape(response, 400)
    assert {(e["field"], e["code"]) for e in errors} == {
        ("employee_no", "required"),
        ("name", "blank"),
        ("unit", "does_not_exist"),
        ("position", "invalid_choice"),
        ("teller_grade", "max_value"),
    }


def test_malformed_json(client_for, bank, s1_office):
    response = client_for(s1_office).generic(
        "POST", reverse("api:person-list"), "{not json", content_type="application/json"
    )
    errors = assert_error_shape(response, 400)
    assert errors[0]["code"] == "parse_error"


def test_not_found(client_for, bank, s1_office):
    errors = assert_error_shape(
        client_for(s1_office).get(reverse("api:person-detail", kwargs={"pk": 999999})), 404
    )
    assert errors[0]["code"] == "not_found"
    assert_error_shape(client_for(s1_office).get("/api/v1/people/abc/"), 404)


def test_unknown_address_under_the_api(client_for, bank, s1_office):
    errors = assert_error_shape(client_for(s1_office).get("/api/v1/nothing-here/"), 404)
    assert errors[0]["code"] == "not_found"
    errors = assert_error_shape(client_for(s1_office).get("/api/v1/people"), 404)
    assert "/api/v1/people/" in errors[0]["message"]


def test_method_not_allowed(client_for, bank, s1_office):
    url = reverse("api:person-detail", kwargs={"pk": bank.teller_1a.pk})
    for method in ("put", "delete"):
        errors = assert_error_shape(getattr(client_for(s1_office), method)(url, {}, format="json"), 405)
        assert errors[0]["code"] == "method_not_allowed"
    assert Person.objects.filter(pk=bank.teller_1a.pk).exists()


def test_bad_filter_value(client_for, bank, s1_office):
    response = client_for(s1_office).get(reverse("api:person-list"), {"position": "pilot", "unit": "O2A"})
    errors = assert_error_shape(response, 400)
    assert {(e["field"], e["code"]) for e in errors} == {
        ("position", "invalid_choice"),
        ("unit", "invalid_choice"),
    }


def test_page_out_of_range(client_for, bank, s1_office):
    errors = assert_error_shape(client_for(s1_office).get(reverse("api:person-list"), {"page": 99}), 404)
    assert errors[0]["code"] == "not_found"


def test_wrong_token_is_401(api, bank):
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    errors = assert_error_shape(api.get(reverse("api:me")), 401)
    assert errors[0]["code"] == "authentication_failed"


def test_service_permission_error_is_403_in_the_same_shape(bank, outlet_head):
    # Services refuse with PermissionDeniedError; the one handler maps it to 403.
    with translation.override("en"), pytest.raises(PermissionDeniedError) as refused:
        services.person_update(actor=outlet_head, person=bank.teller_1a, data={"name": "x"})
    response = exception_handler(refused.value, {})
    assert response is not None
    assert (response.status_code, response.data) == (
        403,
        {
            "errors": [
                {
                    "code": "permission_denied",
                    "field": None,
                    "message": "Your role does not allow this action.",
                }
            ]
        },
    )


def test_unsupported_media_type(client_for, bank, s1_office):
    response = client_for(s1_office).generic(
        "POST", reverse("api:person-list"), "employee_no=1", content_type="text/plain"
    )
    errors = assert_error_shape(response, 415)
    assert errors[0]["code"] == "unsupported_media_type"


def test_session_write_without_csrf_token_is_403(bank, s1_office):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(s1_office)
    before = db_snapshot()
    response = client.post(reverse("api:person-list"), _new_person(), format="json")
    errors = assert_error_shape(response, 403)
    assert errors[0]["code"] == "permission_denied"
    assert db_snapshot() == before


def test_server_error_keeps_the_error_shape(branch_office, monkeypatch):
    from django.test import Client

    from youfu.org.api import PeriodViewSet

    def boom(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(PeriodViewSet, "list", boom)
    client = Client(raise_request_exception=False)
    client.force_login(branch_office)
    response = client.get("/api/v1/periods/")
    assert response.status_code == 500
    [error] = response.json()["errors"]
    assert (error["code"], error["field"]) == ("server_error", None)
    assert error["message"] in ("服务器内部错误。", "Internal server error.")
    assert "database on fire" not in response.content.decode()
