"""The generic permission test (after NetBox's APIViewTestCases): every endpoint of /api/v1, read from the
URL resolver so a new endpoint is covered the day it is added, is run anonymously and as the outsider
(the service office of sub-branch S2), who must see and change nothing of sub-branch S1."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token

from youfu.accounts.models import User
from youfu.api.tests.conftest import assert_error_shape, db_snapshot, xlsx, xlsx_values
from youfu.org import services
from youfu.org.models import Period, Person, Unit

# Served to everyone: the OpenAPI document and its viewer hold no data. Token POST is the way in.
PUBLIC = {"schema", "docs", "not-found"}
ANONYMOUS_ALLOWED = {("token", "post")}
# Bank-wide rows (periods) belong to no subtree: the outsider sees them like everyone else.
BANK_WIDE = {Period}
WRITE_METHODS = {"post", "put", "patch", "delete"}


@dataclass(frozen=True)
class Endpoint:
    name: str
    methods: tuple[str, ...]
    model: type | None
    detail: bool

    def url(self, pk: int | None = None) -> str:
        return reverse(f"api:{self.name}", kwargs={"pk": pk} if self.detail else None)


def _api_patterns() -> list[URLPattern]:
    resolver = next(
        p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "api"
    )
    return [p for p in resolver.url_patterns if isinstance(p, URLPattern)]


def api_endpoints() -> list[Endpoint]:
    endpoints = []
    for pattern in _api_patterns():
        if pattern.name in PUBLIC:
            continue
        callback: Any = pattern.callback
        view = callback.cls
        if getattr(callback, "actions", None):
            methods = tuple(sorted(callback.actions))
        else:
            methods = tuple(m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m))
        queryset = getattr(view, "queryset", None)
        model = queryset.model if queryset is not None else None
        detail = "pk" in pattern.pattern.regex.groupindex
        endpoints.append(Endpoint(str(pattern.name), methods, model, detail))
    return endpoints


ENDPOINTS = api_endpoints()


def test_every_api_route_is_enumerated():
    names = {e.name for e in ENDPOINTS}
    # A sanity floor: the routes the API is known to have are all found by the enumeration.
    assert {
        "token",
        "me",
        "unit-list",
        "unit-detail",
        "unit-children",
        "unit-tree",
        "unit-export",
        "unit-import-file",
        "person-list",
        "person-detail",
        "person-moves",
        "person-export",
        "person-import-file",
        "period-list",
        "period-detail",
        "period-ensure-year",
        "audit-list",
        "audit-detail",
        "user-list",
        "user-detail",
    } <= names
    for endpoint in ENDPOINTS:
        if endpoint.detail:
            assert endpoint.model is not None, f"{endpoint.name}: the view must name its model"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_anonymous_gets_401_everywhere(api, bank, endpoint):
    before = db_snapshot()
    for method in endpoint.methods:
        if (endpoint.name, method) in ANONYMOUS_ALLOWED:
            continue
        response = getattr(api, method)(endpoint.url(1 if endpoint.detail else None), {})
        errors = assert_error_shape(response, 401)
        assert errors[0]["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == "Token"
    assert db_snapshot() == before


# --- The outsider (service office of S2) and the objects of sub-branch S1 ----------------------------


def _s1_objects(bank, s1_office: User, branch_office: User) -> dict[type, Any]:
    """One object of S1 per model the API serves, plus an audit trail of S1 changes."""
    services.person_update(actor=s1_office, person=bank.teller_1a, data={"phone": "13900000001"})
    services.person_move(
        actor=s1_office, person=bank.teller_1b, to_unit=bank.o1a, effective_date=dt.date(2026, 3, 1)
    )
    services.period_ensure_year(actor=branch_office, year=2026)
    entry = LogEntry.objects.get_for_object(Person.objects.get(pk=bank.teller_1a.pk)).latest("timestamp")
    return {
        Unit: bank.o1a,
        Person: bank.teller_1a,
        LogEntry: entry,
        User: s1_office,
        Period: Period.objects.get(code="2026-01"),
    }


def _s1_values(bank, s1_office: User) -> set[Any]:
    """Values that identify S1's rows in any answer: codes, names, employee numbers, user names."""
    s1_units = Unit.objects.filter(path__startswith=bank.s1.path)
    s1_people = Person.objects.filter(unit__path__startswith=bank.s1.path)
    return (
        set(s1_units.values_list("code", flat=True))
        | set(s1_units.values_list("name", flat=True))
        | set(s1_people.values_list("employee_no", flat=True))
        | set(s1_people.values_list("name", flat=True))
        | {s1_office.username, "13900000001"}
        | {str(p) for p in s1_people}
    )


def _values(data: Any) -> set[Any]:
    """Every scalar value anywhere in a JSON answer."""
    if isinstance(data, dict):
        return set().union(*(_values(v) for v in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(_values(v) for v in data)) if data else set()
    return {data}


def _answer_values(response: Any) -> set[Any]:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        return {str(cell) for row in xlsx_values(response.content) for cell in row if cell is not None}
    return _values(json.loads(response.content))


def _outsider_payloads(bank) -> dict[tuple[str, str], dict[str, Any]]:
    """For each write endpoint, the outsider's attempt to write into S1."""
    return {
        ("token", "post"): {"username": "s1_office", "password": "a-guess"},
        ("unit-list", "post"): {"parent": "S1", "code": "O1X", "name": "渗透网点", "kind": "outlet"},
        ("unit-detail", "patch"): {"name": "篡改"},
        ("person-list", "post"): {
            "employee_no": "999999",
            "name": "渗透",
            "unit": "O1A",
            "position": "teller",
        },
        ("person-detail", "patch"): {"name": "篡改"},
        ("person-moves", "post"): {"to_unit": "O2A", "effective_date": "2026-06-01"},
        ("user-list", "post"): {
            "username": "mole",
            "password": "a-long-password-1",
            "unit": "S1",
            "roles": ["service_office"],
        },
        ("unit-import-file", "post"): {
            "file": xlsx(
                [["机构代码", "机构名称", "机构类型", "上级机构代码"], ["O1X", "渗透网点", "outlet", "S1"]]
            )
        },
        ("person-import-file", "post"): {
            "file": xlsx([["工号", "姓名", "所属机构代码", "岗位"], ["100001", "篡改", "O1A", "teller"]])
        },
    }


# Writes that concern no subtree: the outsider's role allows them (periods are bank-wide).
BANK_WIDE_WRITES = {("period-ensure-year", "post")}
# Writes that act on the caller's own login only (revoking one's own token).
OWN_ONLY_WRITES = {("token", "delete")}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_outsider_sees_and_changes_nothing_of_s1(
    client_for, bank, s1_office, outsider, branch_office, endpoint
):
    objects = _s1_objects(bank, s1_office, branch_office)
    s1_values = _s1_values(bank, s1_office)
    as_outsider, as_branch = client_for(outsider), client_for(branch_office)
    payloads = _outsider_payloads(bank)
    target = objects.get(endpoint.model) if endpoint.detail else None
    assert target is not None or not endpoint.detail, (
        f"add an object of S1 for {endpoint.model} in _s1_objects"
    )
    url = endpoint.url(target.pk if target is not None else None)

    for method in endpoint.methods:
        if method == "get":
            response = as_outsider.get(url)
            if endpoint.detail and endpoint.model not in BANK_WIDE:
                assert_error_shape(response, 404)
                # …while the same address is a real one for the branch above both sub-branches.
                assert as_branch.get(url).status_code == 200
            else:
                assert response.status_code == 200, response.content
                leaked = _answer_values(response) & s1_values
                assert not leaked, f"{endpoint.name} shows {leaked} of S1 to the outsider"
                if endpoint.model is not None and endpoint.model not in BANK_WIDE and endpoint.name != "me":
                    # The check is not vacuous: the branch does see S1 in the same list.
                    assert _answer_values(as_branch.get(url)) & s1_values, endpoint.name
        else:
            assert method in WRITE_METHODS
            if (endpoint.name, method) in BANK_WIDE_WRITES:
                continue
            if (endpoint.name, method) in OWN_ONLY_WRITES:
                s1_token = Token.objects.create(user=s1_office)
                assert getattr(as_outsider, method)(url).status_code == 204
                assert Token.objects.filter(pk=s1_token.pk).exists()
                continue
            assert (endpoint.name, method) in payloads, (
                f"add the outsider's S1 attempt for {endpoint.name} {method}"
            )
            payload = payloads[(endpoint.name, method)]
            before = db_snapshot()
            if "file" in payload:
                response = getattr(as_outsider, method)(url, payload, format="multipart")
            else:
                response = getattr(as_outsider, method)(url, payload, format="json")
            assert response.status_code in (400, 403, 404), (endpoint.name, method, response.content)
            assert_error_shape(response, response.status_code)
            assert db_snapshot() == before, f"{endpoint.name} {method} wrote something"


def test_outsider_cannot_move_own_person_into_s1(client_for, bank, outsider):
    before = db_snapshot()
    response = client_for(outsider).post(
        reverse("api:person-moves", kwargs={"pk": bank.teller_2a.pk}),
        {"to_unit": "O1A", "effective_date": "2026-06-01"},
        format="json",
    )
    errors = assert_error_shape(response, 400)
    assert [(e["code"], e["field"]) for e in errors] == [("does_not_exist", "to_unit")]
    assert db_snapshot() == before
