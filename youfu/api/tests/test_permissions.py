"""The generic permission test (after NetBox's APIViewTestCases): every endpoint of /api/v1, read from the
URL resolver so a new endpoint is covered the day it is added, is run anonymously and, role by role, as a
user of sub-branch S2's subtree, who must see and change nothing of sub-branch S1. The positive control
runs beside it: the user with the same role on S1's side gets the same addresses and lists with S1 in
them, and the very writes the S2 user was refused go through for them where the role allows."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import transaction
from django.db.models import Model
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
    model: type[Model] | None
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
    # The role-by-role test's S1 requests all name real routes.
    assert set(S1_QUERIES) | {name for name, _method in S1_WRITES} <= names


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


# --- Role by role: a user of S2's subtree and the objects of sub-branch S1 ---------------------------


def _s1_objects(bank, s1_office: User, branch_office: User) -> dict[type, Any]:
    """One object of S1 per model the API serves, plus an audit trail of S1 changes."""
    services.person_update(actor=s1_office, person=bank.teller_1a, data={"phone": "13900000001"})
    services.person_move(
        actor=s1_office, person=bank.teller_1b, to_unit=bank.o1a, effective_date=dt.date(2026, 3, 1)
    )
    # One period stands for the bank-wide ones (the whole year would be 19 rows nothing here needs).
    period = services.period_create(
        actor=branch_office,
        code="2026-01",
        name="2026年1月",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 1, 31),
    )
    entry = LogEntry.objects.get_for_object(Person.objects.get(pk=bank.teller_1a.pk)).latest("timestamp")
    return {
        Unit: bank.o1a,
        Person: bank.teller_1a,
        LogEntry: entry,
        User: s1_office,
        Period: period,
    }


def _s1_values(bank, *s1_users: User) -> set[Any]:
    """Values that identify S1's rows in any answer: codes, names, employee numbers, user names."""
    s1_units = Unit.objects.filter(path__startswith=bank.s1.path)
    s1_people = Person.objects.filter(unit__path__startswith=bank.s1.path)
    return (
        set(s1_units.values_list("code", flat=True))
        | set(s1_units.values_list("name", flat=True))
        | set(s1_people.values_list("employee_no", flat=True))
        | set(s1_people.values_list("name", flat=True))
        | {user.username for user in s1_users}
        | {"13900000001"}
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


# Import files touching S1: a new unit under S1 and a renamed S1 outlet; an S1 person renamed and moved
# inside S1, and a new person in an S1 outlet.
S1_UNIT_ROWS = [
    ["机构代码", "机构名称", "机构类型", "上级机构代码"],
    ["O1X", "越界网点", "outlet", "S1"],
    ["O1B", "越界改名", "outlet", "S1"],
]
S1_PEOPLE_ROWS = [
    ["工号", "姓名", "所属机构代码", "岗位"],
    ["100001", "越界改名", "O1B", "teller"],
    ["999998", "越界新人", "O1A", "teller"],
]


S1_WRITES: dict[tuple[str, str], dict[str, Any]] = {
    ("unit-list", "post"): {"parent": "S1", "code": "O1X", "name": "越界网点", "kind": "outlet"},
    ("unit-detail", "patch"): {"name": "越界改名"},
    ("person-list", "post"): {
        "employee_no": "999999",
        "name": "越界新人",
        "unit": "O1A",
        "position": "teller",
    },
    ("person-detail", "patch"): {"name": "越界改名"},
    ("person-moves", "post"): {"to_unit": "O1B", "effective_date": "2026-06-01"},
    ("user-list", "post"): {
        "username": "mole",
        "password": "a-long-password-1",
        "unit": "S1",
        "roles": ["service_office"],
    },
    ("unit-import-file", "post"): {"file": S1_UNIT_ROWS},
    ("person-import-file", "post"): {"file": S1_PEOPLE_ROWS},
}


def _s1_write(endpoint: Endpoint, method: str) -> dict[str, Any]:
    """For a write endpoint, a change in S1 that the service office of S1 may make: the S2 user sends
    exactly this and must be refused. A fresh file each call (an upload is read once)."""
    assert (endpoint.name, method) in S1_WRITES, f"add an S1 write for {endpoint.name} {method}"
    payload = S1_WRITES[(endpoint.name, method)]
    return {"file": xlsx(payload["file"])} if "file" in payload else payload


# Filters and searches that point a list or export at S1 (besides the bare list): answered with a list
# that names nothing of S1, or a 400 that names nothing the request did not.
S1_QUERIES: dict[str, list[dict[str, str]]] = {
    "unit-list": [{"q": "东"}, {"within": "S1"}, {"region": "东片"}],
    "person-list": [{"unit": "S1"}, {"q": "张"}, {"q": "100001"}],
    "person-export": [{"unit": "S1"}, {"q": "张伟"}],
    "audit-list": [{"object_type": "org.person", "object_id": "{teller_1a}"}, {"actor": "{s1_office}"}],
    "user-list": [{"ordering": "-username"}],
}


# Signing in is open to all: a guess at the S1 office's password gets a 400, whatever the caller's role.
TOKEN_GUESS = {"username": "s1_office", "password": "a-guess"}
# Writes that concern no subtree: a role that may write periods may do it (periods are bank-wide).
BANK_WIDE_WRITES = {("period-ensure-year", "post")}
# Writes that act on the caller's own login only (revoking one's own token).
OWN_ONLY_WRITES = {("token", "delete")}
VERBS = {"get": "view", "post": "add", "put": "change", "patch": "change", "delete": "delete"}


def _perm(endpoint: Endpoint, method: str) -> str | None:
    """The role permission the API asks for (youfu.api.permissions.RolePermission); None: none."""
    if endpoint.model is None:
        return None
    meta = endpoint.model._meta
    return f"{meta.app_label}.{VERBS[method]}_{meta.model_name}"


def _send(client: Any, method: str, url: str, payload: dict[str, Any]) -> Any:
    return getattr(client, method)(url, payload, format="multipart" if "file" in payload else "json")


def _sent_values(payload: dict[str, Any], rows: list[list[str]] | None = None) -> set[Any]:
    """What a request carries itself: an error may echo it back without leaking anything."""
    return _values(payload) | {cell for row in rows or [] for cell in row}


@contextmanager
def _rolled_back() -> Iterator[None]:
    """Endpoints are tried one after the other on the same bank (built once per role, not once per
    endpoint): whatever one endpoint's requests write is undone before the next."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def test_s2_user_of_every_role_sees_and_changes_nothing_of_s1(
    client_for, subtests, bank, s1_office, branch_office, outsider_any_role, insider_same_role
):
    objects = _s1_objects(bank, s1_office, branch_office)
    s1_values = _s1_values(bank, s1_office, insider_same_role)
    as_user, as_insider = client_for(outsider_any_role), client_for(insider_same_role)
    for endpoint in ENDPOINTS:
        with subtests.test(endpoint=endpoint.name), _rolled_back():
            _check_endpoint(
                endpoint,
                user=outsider_any_role,
                insider=insider_same_role,
                s1_office=s1_office,
                as_user=as_user,
                as_insider=as_insider,
                objects=objects,
                s1_values=s1_values,
            )


def _check_endpoint(
    endpoint: Endpoint,
    *,
    user: User,
    insider: User,
    s1_office: User,
    as_user: Any,
    as_insider: Any,
    objects: dict[type, Any],
    s1_values: set[Any],
) -> None:
    """The S2 user against every method of one endpoint; then the same role on S1's side, the positive
    control."""
    target = objects.get(endpoint.model) if endpoint.detail and endpoint.model is not None else None
    assert target is not None or not endpoint.detail, (
        f"add an object of S1 for {endpoint.model} in _s1_objects"
    )
    url = endpoint.url(target.pk if target is not None else None)

    for method in endpoint.methods:
        perm = _perm(endpoint, method)
        may = perm is None or user.has_perm(perm)
        if method == "get":
            response, control = as_user.get(url), as_insider.get(url)
            if not may:  # the role may not read this at all, on either side
                assert_error_shape(response, 403)
                assert_error_shape(control, 403)
            elif endpoint.detail and endpoint.model not in BANK_WIDE:
                assert_error_shape(response, 404)
                # …while the same address is a real one for the same role on S1's side.
                assert control.status_code == 200, (user.username, endpoint.name, control.content)
            else:
                assert response.status_code == 200, response.content
                leaked = _answer_values(response) & s1_values
                assert not leaked, f"{endpoint.name} shows {leaked} of S1 to {user.username}"
                assert control.status_code == 200, control.content
                if endpoint.model is not None and endpoint.model not in BANK_WIDE and endpoint.name != "me":
                    # The check is not vacuous: the same role on S1's side sees S1 in the same list.
                    assert _answer_values(control) & s1_values, (insider.username, endpoint.name)
                ids = {"teller_1a": objects[Person].pk, "s1_office": s1_office.pk}
                for template in S1_QUERIES.get(endpoint.name, []):
                    query = {key: value.format(**ids) for key, value in template.items()}
                    response = as_user.get(url, query)
                    assert response.status_code in (200, 400), (endpoint.name, query, response.content)
                    leaked = (_answer_values(response) & s1_values) - set(query.values())
                    assert not leaked, f"{endpoint.name} {query} shows {leaked} of S1 to {user.username}"
            continue

        assert method in WRITE_METHODS
        if (endpoint.name, method) in OWN_ONLY_WRITES:
            s1_tokens = [Token.objects.create(user=s1_office), Token.objects.create(user=insider)]
            assert getattr(as_user, method)(url).status_code == 204
            assert Token.objects.filter(pk__in=[t.pk for t in s1_tokens]).count() == 2
            continue
        before = db_snapshot()
        if endpoint.name == "token":
            assert_error_shape(_send(as_user, method, url, TOKEN_GUESS), 400)
            assert db_snapshot() == before
            continue
        if (endpoint.name, method) in BANK_WIDE_WRITES:
            response = _send(as_user, method, url, {"year": 2027})
            if may:
                assert response.status_code == 200, response.content
            else:
                assert_error_shape(response, 403)
                assert db_snapshot() == before
            continue
        payload = _s1_write(endpoint, method)
        response = _send(as_user, method, url, payload)
        if may:  # the role may make such a change, but not in S1
            assert response.status_code in (400, 403, 404), (endpoint.name, method, response.content)
        assert_error_shape(response, response.status_code if may else 403)
        leaked = (_answer_values(response) & s1_values) - _sent_values(payload, S1_UNIT_ROWS + S1_PEOPLE_ROWS)
        assert not leaked, f"{endpoint.name} {method} answers {user.username} with {leaked} of S1"
        assert db_snapshot() == before, f"{endpoint.name} {method} by {user.username} wrote something"

        # The positive control: the very same request from the same role on S1's side.
        control = _send(as_insider, method, url, _s1_write(endpoint, method))
        if may:
            assert control.status_code in (200, 201), (insider.username, endpoint.name, control.content)
            assert db_snapshot() != before, f"{endpoint.name} {method}: the S1 side's write changed nothing"
        else:
            assert_error_shape(control, 403)
            assert db_snapshot() == before


def test_s2_user_of_every_role_reads_own_subtree(client_for, bank, outsider_any_role):
    api = client_for(outsider_any_role)

    unit = api.get(reverse("api:unit-detail", kwargs={"pk": bank.o2a.pk}))
    person = api.get(reverse("api:person-detail", kwargs={"pk": bank.teller_2a.pk}))
    people = api.get(reverse("api:person-list"))
    tree = api.get(reverse("api:unit-tree"))
    export = api.get(reverse("api:person-export"))
    audit = api.get(reverse("api:audit-list"))
    users = api.get(reverse("api:user-list"))

    assert (unit.status_code, unit.json()["code"]) == (200, "O2A")
    assert (person.status_code, person.json()["name"]) == (200, "王芳")
    assert "200001" in _answer_values(people)
    assert "O2A" in _answer_values(tree)
    assert {"王芳", "200001"} <= _answer_values(export)
    if outsider_any_role.has_perm("auditlog.view_logentry"):
        assert "西湖网点" in _answer_values(audit)  # O2A's creation
    else:
        assert_error_shape(audit, 403)
    if outsider_any_role.has_perm("accounts.view_user"):
        assert outsider_any_role.username in _answer_values(users)
    else:
        assert_error_shape(users, 403)


def test_s2_user_of_every_role_cannot_pull_s1_into_own_subtree(client_for, bank, outsider_any_role):
    """Writes that start from the user's own subtree but point into S1."""
    api = client_for(outsider_any_role)
    may_manage = outsider_any_role.has_perm("org.change_unit")
    pull_person = [["工号", "姓名", "所属机构代码", "岗位"], ["100001", "张伟", "O2A", "teller"]]
    pull_unit = [["机构代码", "机构名称", "机构类型", "上级机构代码"], ["O1A", "东城营业部", "outlet", "S2"]]
    attempts: list[tuple[str, dict[str, Any], list[list[str]]]] = [
        (
            reverse("api:person-moves", kwargs={"pk": bank.teller_2a.pk}),
            {"to_unit": "O1A", "effective_date": "2026-06-01"},
            [],
        ),
        (reverse("api:person-import-file"), {"file": xlsx(pull_person)}, pull_person),
        (reverse("api:unit-import-file"), {"file": xlsx(pull_unit)}, pull_unit),
        (
            reverse("api:user-list"),
            # An O2A login linked to S1's 张伟.
            {
                "username": "mole",
                "password": "a-long-password-1",
                "unit": "O2A",
                "roles": ["staff"],
                "person": "100001",
            },
            [],
        ),
    ]
    s1_values = _s1_values(bank)
    before = db_snapshot()

    for url, payload, rows in attempts:
        response = _send(api, "post", url, payload)

        assert_error_shape(response, 400 if may_manage else 403)
        leaked = (_answer_values(response) & s1_values) - _sent_values(payload, rows)
        assert not leaked, (url, leaked)
        assert db_snapshot() == before, (outsider_any_role.username, url, "wrote something")
