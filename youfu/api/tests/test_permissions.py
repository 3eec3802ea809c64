"""The generic permission test (after NetBox's APIViewTestCases): every endpoint of /api/v1, read from the
URL resolver so a new endpoint is covered the day it is added, is run anonymously and, role by role, as a
user of sub-branch S2's subtree, who must see and change nothing of sub-branch S1. The positive control
runs beside it: the user with the same role on S1's side gets the same addresses and lists with S1 in
them, and the very writes the S2 user was refused go through for them where the role allows."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import transaction
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token

from youfu.accounts.models import User
from youfu.api.permissions import RolePermission
from youfu.api.tests.conftest import assert_error_shape, db_snapshot, xlsx, xlsx_values
from youfu.api.tests.s1_objects import (
    PERIOD,
    POLICY_UPLOAD,
    S1_BATCH_FILE,
    S1_FACT_ROWS,
    S1_STANDARD_WORDS,
    S1Objects,
    build_s1_objects,
    s1_draft_content,
    s1_standard_file,
)
from youfu.facts.models import Fact, FactBatch
from youfu.org import services
from youfu.org.models import Period, Person, Unit
from youfu.scoring.models import PolicyVersion, ScoreLine, ScoreRun
from youfu.standards.models import Standard, StandardVersion

# Served to everyone: the OpenAPI document and its viewer hold no data. Token POST is the way in.
PUBLIC = {"schema", "docs", "not-found"}
ANONYMOUS_ALLOWED = {("token", "post")}
# Bank-wide rows belong to no subtree: the outsider sees periods, policy versions and runs like everyone
# else (a run's lines and totals are another matter: only the viewer's subtree).
BANK_WIDE = {Period, PolicyVersion, ScoreRun}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _url_kwargs(names: tuple[str, ...], target: Model | int | None) -> dict[str, int]:
    """An address's ids from the object it is about: ``pk`` is the object's own, ``<x>_pk`` its ``<x>_id``
    when it has one (a line's run), else its own (``line_pk``). A number (or None: 1) for every id."""
    kwargs = {}
    for name in names:
        if target is None or isinstance(target, int):
            kwargs[name] = target or 1
        elif name != "pk" and name.endswith("_pk") and hasattr(target, f"{name[:-3]}_id"):
            kwargs[name] = getattr(target, f"{name[:-3]}_id")
        else:
            kwargs[name] = target.pk
    return kwargs


@dataclass(frozen=True)
class Endpoint:
    name: str  # within the api namespace: "unit-list", or "<namespace>:<name>" under a nested namespace
    methods: tuple[str, ...]
    model: type[Model] | None
    kwargs: tuple[str, ...]  # the ids the address takes
    permission_classes: tuple[type, ...]
    nested: bool = False  # mounted by an app's own include (/api/v1/<app>/…)

    @property
    def detail(self) -> bool:
        return bool(self.kwargs)

    def url(self, target: Model | int | None = None) -> str:
        return reverse(f"api:{self.name}", kwargs=_url_kwargs(self.kwargs, target) or None)


# Inspections' routes are walked, role by role, by the app's own test
# (youfu/inspections/tests/test_permissions.py) until its S1 objects join this walk: a known gap.
# Feedback (youfu.feedback) likewise: youfu/feedback/tests/test_access.py walks its routes role by role.
# Rectification and notifications likewise: youfu/rectification/tests/test_pages_and_api.py (every role
# outside, the outsider's API calls) and youfu/notifications/tests (a user's own notices only).
# Complaints: youfu/complaints/tests/test_permissions.py walks every complaints route as an S2 user of
# each role; appraisal: youfu/appraisal/tests/test_api_walk.py likewise (and its peer-anonymity tests).
OWN_WALK = (
    "youfu.appraisal",
    "youfu.inspections",
    "youfu.feedback",
    "youfu.rectification",
    "youfu.notifications",
    "youfu.complaints",
    "youfu.performance_pay",  # youfu/performance_pay/tests/test_access.py walks its routes
    "youfu.reports",  # youfu/reports/tests/test_access.py
    "youfu.star_tellers",  # youfu/star_tellers/tests/test_access.py
)


def _api_patterns() -> Iterator[tuple[str, URLPattern, bool]]:
    """Every route under the api namespace, however deeply included (the apps mount their own urlpatterns
    under /api/v1/<app>/), named as reverse() takes it after "api:"."""

    def walk(patterns: list, namespace: str, depth: int) -> Iterator[tuple[str, URLPattern, bool]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, inner, depth + 1)
            else:
                yield f"{namespace}{entry.name or ''}", entry, depth > 0

    api = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "api")
    yield from walk(api.url_patterns, "", 0)


def api_endpoints() -> list[Endpoint]:
    endpoints = []
    for name, pattern, nested in _api_patterns():
        if name in PUBLIC:
            continue
        callback: Any = pattern.callback
        if callback.__module__.startswith(OWN_WALK):
            continue
        view = callback.cls
        if getattr(callback, "actions", None):
            methods = tuple(sorted(callback.actions))
        else:
            methods = tuple(m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m))
        queryset = getattr(view, "queryset", None)
        model = queryset.model if queryset is not None else None
        initkwargs = getattr(callback, "initkwargs", {})
        permissions = tuple(initkwargs.get("permission_classes", view.permission_classes))
        kwargs = tuple(pattern.pattern.regex.groupindex)
        endpoints.append(Endpoint(name, methods, model, kwargs, permissions, nested))
    return endpoints


# Every route of the API, nested includes too: what this module walks.
ALL_ENDPOINTS = api_endpoints()
# The routes mounted directly in youfu.api.urls: what test_roles.py and test_schema.py (which import this
# name) enumerate. They predate the nested includes; moving them to ALL_ENDPOINTS needs a payload per new
# write in test_roles and the {run_pk} id in test_schema's paths.
ENDPOINTS = [endpoint for endpoint in ALL_ENDPOINTS if not endpoint.nested]


def test_every_api_route_is_enumerated():
    names = {e.name for e in ALL_ENDPOINTS}
    # A sanity floor: the routes the API is known to have, nested includes too, are all found.
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
        "fact-list",
        "fact-detail",
        "fact-export",
        "fact-import-file",
        "factbatch-list",
        "factbatch-detail",
        "standard-list",
        "standard-detail",
        "standard-import-file",
        "standardversion-detail",
        "standardversion-publish",
        "standardversion-copy",
        "standardversion-content",
        "standardversion-score",
        "standardversion-export",
        "scoring-policy-list",
        "scoring-policy-detail",
        "scoring-run-list",
        "scoring-run-what-if",
        "scoring-run-detail",
        "scoring-run-publish",
        "scoring-run-lines",
        "scoring-run-diff",
        "scoring-line-detail",
    } <= names
    # The role-by-role test's S1 requests all name real routes.
    assert set(S1_QUERIES) | set(BASE_QUERIES) | set(TARGETS) | set(PERMS) <= names
    assert {name for name, _method in (*S1_WRITES, *READ_POSTS, *BANK_LEVEL_WRITES)} <= names


@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS, ids=lambda e: e.name)
def test_every_api_route_has_what_the_walk_needs(endpoint):
    """A route added tomorrow fails here until the walk knows how to try it: a name to reverse, an S1
    object for its ids, the permission it asks for, and an S1 change for each write method. (The walk
    itself leaves such a route to this test.)"""
    assert _missing(endpoint) == []


def _missing(endpoint: Endpoint) -> list[str]:
    """What the walk lacks to try a route."""
    missing = []
    if not endpoint.name or endpoint.name.endswith(":"):
        missing.append(f"{endpoint.methods}: an API route needs a name")
    if endpoint.detail and endpoint.name not in TARGETS and endpoint.model not in MODEL_TARGETS:
        missing.append(
            f"{endpoint.name}: add the S1 object it is about to TARGETS (or its model to MODEL_TARGETS)"
        )
    if endpoint.permission_classes != (RolePermission,) and endpoint.name not in PERMS:
        missing.append(f"{endpoint.name}: its own permission classes; say in PERMS what each method needs")
    known = S1_WRITES.keys() | READ_POSTS.keys() | BANK_WIDE_WRITES | OWN_ONLY_WRITES
    for method in endpoint.methods:
        if method in WRITE_METHODS and (endpoint.name, method) not in known and endpoint.name != "token":
            missing.append(f"add an S1 write for {endpoint.name} {method} to S1_WRITES")
    return missing


@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS, ids=lambda e: e.name)
def test_anonymous_gets_401_everywhere(api, bank, endpoint):
    before = db_snapshot()
    for method in endpoint.methods:
        if (endpoint.name, method) in ANONYMOUS_ALLOWED:
            continue
        response = getattr(api, method)(endpoint.url(), {})
        errors = assert_error_shape(response, 401)
        assert errors[0]["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == "Token"
    assert db_snapshot() == before


# --- Role by role: a user of S2's subtree and the objects of sub-branch S1 ---------------------------


def _s1_objects(bank, s1_office: User, branch_office: User) -> tuple[dict[str, Any], S1Objects]:
    """One object of S1 per model the API serves (the apps' objects: youfu/api/tests/s1_objects.py), plus
    an audit trail of S1 changes; by key, for TARGETS."""
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
    apps = build_s1_objects(bank, s1_office)
    objects = {
        "unit": bank.o1a,
        "s1": bank.s1,
        "person": bank.teller_1a,
        "audit": entry,
        "user": s1_office,
        "period": period,
        **{field.name: getattr(apps, field.name) for field in fields(apps)},
    }
    return objects, apps


# The S1 object each address with ids is tried on: by its model, or by name where the model's object is
# not the one the route wants. Each is also visible to the same role on S1's side at outlet level (O1A).
MODEL_TARGETS: dict[type[Model], str] = {
    Unit: "unit",
    Person: "person",
    LogEntry: "audit",
    User: "user",
    Period: "period",
    Fact: "fact",
    FactBatch: "batch",
    Standard: "standard",
    StandardVersion: "draft",
    PolicyVersion: "policy",
    ScoreRun: "run",
    ScoreLine: "line",
}
TARGETS: dict[str, str] = {
    # A copy is started from a published version of a standard with no draft open.
    "standardversion-copy": "lone_published",
    "standardversion-score": "published",
    # The diff is of a what-if run against the official one.
    "scoring-run-diff": "what_if",
    # An S1 line (O1A's) of the official run: the run is bank-wide, the line is not.
    "scoring-line-detail": "line",
}


def _s1_values(bank, *s1_users: User) -> set[Any]:
    """Values that identify S1's rows in any answer: codes, names, employee numbers, user names, and the
    S1 batch's file and S1's checklists."""
    s1_units = Unit.objects.filter(path__startswith=bank.s1.path)
    s1_people = Person.objects.filter(unit__path__startswith=bank.s1.path)
    return (
        set(s1_units.values_list("code", flat=True))
        | set(s1_units.values_list("name", flat=True))
        | set(s1_people.values_list("employee_no", flat=True))
        | set(s1_people.values_list("name", flat=True))
        | {user.username for user in s1_users}
        | {"13900000001", S1_BATCH_FILE, *S1_STANDARD_WORDS}
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


# For every write method of every route, a change in S1 that the S1 side's service office may make (or,
# for bank-level writes, the branch office): the S2 user sends exactly this and must be refused. "{x}" is
# an id of youfu/api/tests/s1_objects.py; a "file" is rows of an Excel sheet or the name of a FILES entry.
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
    ("fact-import-file", "post"): {"file": S1_FACT_ROWS, "period": PERIOD},
    ("standard-list", "post"): {"code": "S1-NEW", "name": "越界标准", "kind": "self_check", "owner": "S1"},
    ("standard-import-file", "post"): {"file": "standard"},
    ("standardversion-publish", "post"): {},
    ("standardversion-copy", "post"): {},
    ("standardversion-content", "put"): s1_draft_content(),
    ("scoring-policy-list", "post"): {"file": "policy", "status": "draft"},
    ("scoring-run-list", "post"): {"version": "{policy}", "period": PERIOD},
    ("scoring-run-what-if", "post"): {"version": "{policy_draft}", "period": PERIOD},
    ("scoring-run-publish", "post"): {},
}
# Writes only an office at the head office or a branch may make (roles.BANK_LEVEL_PERMISSIONS): refused to
# both sides of the walk by the role; test_bank_level_writes_go_through_for_the_branch_office shows that
# the same requests are good ones.
BANK_LEVEL_WRITES = {
    ("scoring-policy-list", "post"),
    ("scoring-run-list", "post"),
    ("scoring-run-what-if", "post"),
    ("scoring-run-publish", "post"),
}
# Posts that change nothing (scoring results against a checklist): tried like a read of the object.
READ_POSTS: dict[tuple[str, str], dict[str, Any]] = {
    ("standardversion-score", "post"): {"results": {"A1": 1, "A2": "pass", "B1": 3, "B2": "pass"}},
}


def _file(name: str, objects: S1Objects) -> tuple[io.BytesIO, list[list[Any]]]:
    """An upload and the cells it carries (an error may echo them)."""
    if name == "policy":
        upload = io.BytesIO(POLICY_UPLOAD.encode())
        upload.name = "tiny_v3.yaml"
        return upload, [[POLICY_UPLOAD]]
    assert name == "standard", name
    content = s1_standard_file(objects)
    upload = io.BytesIO(content)
    upload.name = "s1.xlsx"
    return upload, xlsx_values(content)


def _s1_write(endpoint: Endpoint, method: str, objects: S1Objects) -> tuple[dict[str, Any], list[list[Any]]]:
    """The payload of an S1 write and the sheet cells it carries. A fresh file each call (an upload is
    read once)."""
    ids = objects.ids()
    payload = {
        key: value.format(**ids) if isinstance(value, str) else value
        for key, value in S1_WRITES[(endpoint.name, method)].items()
    }
    file = payload.get("file")
    if isinstance(file, list):
        return {**payload, "file": xlsx(file)}, file
    if isinstance(file, str):
        upload, cells = _file(file, objects)
        return {**payload, "file": upload}, cells
    return payload, []


# Filters and searches that point a list or export at S1 (besides the bare list): answered with a list
# that names nothing of S1, or a 400 that names nothing the request did not. "{x}": an id.
S1_QUERIES: dict[str, list[dict[str, str]]] = {
    "unit-list": [{"q": "东"}, {"within": "S1"}, {"region": "东片"}],
    "person-list": [{"unit": "S1"}, {"q": "张"}, {"q": "100001"}],
    "person-export": [{"unit": "S1"}, {"q": "张伟"}],
    "audit-list": [{"object_type": "org.person", "object_id": "{teller_1a}"}, {"actor": "{s1_office}"}],
    "user-list": [{"ordering": "-username"}],
    "fact-list": [{"unit": "S1"}, {"q": "东城"}, {"q": "O1"}, {"period": PERIOD, "name": "score"}],
    "fact-export": [{"unit": "S1"}, {"q": "东城"}, {"subject_kind": "unit"}],
    "standard-list": [{"q": "S1"}, {"q": "东城"}, {"status": "draft"}],
    "scoring-run-list": [{"period": PERIOD}, {"policy": "tiny_shopper", "kind": "official"}],
    "scoring-run-lines": [
        {"scope": "region", "unit": "{s1}"},
        {"scope": "province"},
        {"ordering": "-amount"},
        {"subject": "outlet_head", "ordering": "unit"},
    ],
    "scoring-run-diff": [{"baseline": "{run}"}, {"subject": "outlet_head"}],
}
# What a route is always asked with (an export holds one period): merged into each of its queries.
BASE_QUERIES: dict[str, dict[str, str]] = {"fact-export": {"period": PERIOD}}
# Answers that name nothing of S1 even to the S1 side (the signed-in user; bank-wide rows; a run's
# totals), so the positive control does not look for S1 in them.
NAMES_NO_S1 = {
    "me",
    "period-list",
    "period-detail",
    "scoring-policy-list",
    "scoring-policy-detail",
    "scoring-run-list",
    "scoring-run-detail",
}


# Signing in is open to all: a guess at the S1 office's password gets a 400, whatever the caller's role.
TOKEN_GUESS = {"username": "s1_office", "password": "a-guess"}
# Writes that concern no subtree: a role that may write periods may do it (periods are bank-wide).
BANK_WIDE_WRITES = {("period-ensure-year", "post")}
# Writes that act on the caller's own login only (revoking one's own token).
OWN_ONLY_WRITES = {("token", "delete")}
VERBS = {"get": "view", "post": "add", "put": "change", "patch": "change", "delete": "delete"}
# Routes with permission classes of their own: what each method asks for.
PERMS: dict[str, dict[str, str | None]] = {
    "standardversion-score": {"post": "standards.view_standardversion"},
}


def _perm(endpoint: Endpoint, method: str) -> str | None:
    """The role permission the API asks for (youfu.api.permissions.RolePermission); None: none."""
    if endpoint.name in PERMS:
        return PERMS[endpoint.name][method]
    if endpoint.model is None:
        return None
    meta = endpoint.model._meta
    return f"{meta.app_label}.{VERBS[method]}_{meta.model_name}"


def _send(client: Any, method: str, url: str, payload: dict[str, Any]) -> Any:
    return getattr(client, method)(url, payload, format="multipart" if "file" in payload else "json")


def _sent_values(payload: dict[str, Any], rows: list[list[Any]] | None = None) -> set[Any]:
    """What a request carries itself: an error may echo it back without leaking anything."""
    return _values({k: v for k, v in payload.items() if k != "file"}) | {
        cell for row in rows or [] for cell in row
    }


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
    objects, apps = _s1_objects(bank, s1_office, branch_office)
    s1_values = _s1_values(bank, s1_office, insider_same_role)
    as_user, as_insider = client_for(outsider_any_role), client_for(insider_same_role)
    for endpoint in (e for e in ALL_ENDPOINTS if not _missing(e)):
        with subtests.test(endpoint=endpoint.name), _rolled_back():
            _check_endpoint(
                endpoint,
                user=outsider_any_role,
                insider=insider_same_role,
                s1_office=s1_office,
                as_user=as_user,
                as_insider=as_insider,
                objects=objects,
                apps=apps,
                s1_values=s1_values,
            )


def _queries(endpoint: Endpoint, objects: dict[str, Any], apps: S1Objects) -> list[dict[str, str]]:
    ids = {"teller_1a": objects["person"].pk, "s1_office": objects["user"].pk}
    ids |= {"s1": objects["s1"].pk}
    ids |= apps.ids()
    base = BASE_QUERIES.get(endpoint.name, {})
    return [
        {**base, **{key: value.format(**ids) for key, value in template.items()}}
        for template in S1_QUERIES.get(endpoint.name, [])
    ]


def _check_endpoint(
    endpoint: Endpoint,
    *,
    user: User,
    insider: User,
    s1_office: User,
    as_user: Any,
    as_insider: Any,
    objects: dict[str, Any],
    apps: S1Objects,
    s1_values: set[Any],
) -> None:
    """The S2 user against every method of one endpoint; then the same role on S1's side, the positive
    control."""
    target = None
    if endpoint.detail:
        assert endpoint.model is not None
        target = objects[TARGETS.get(endpoint.name) or MODEL_TARGETS[endpoint.model]]
    url = endpoint.url(target)
    bank_wide = endpoint.model in BANK_WIDE

    for method in endpoint.methods:
        perm = _perm(endpoint, method)
        may = perm is None or user.has_perm(perm)
        if method == "get" or (endpoint.name, method) in READ_POSTS:
            read = READ_POSTS.get((endpoint.name, method), BASE_QUERIES.get(endpoint.name, {}))
            before = db_snapshot()
            response, control = (
                (client.get(url, read) if method == "get" else _send(client, method, url, read))
                for client in (as_user, as_insider)
            )
            assert db_snapshot() == before, f"{endpoint.name} {method} wrote something"
            if not may:  # the role may not read this at all, on either side
                assert_error_shape(response, 403)
                assert_error_shape(control, 403)
            elif endpoint.detail and not bank_wide:
                assert_error_shape(response, 404)
                # …while the same address is a real one for the same role on S1's side.
                assert control.status_code == 200, (user.username, endpoint.name, control.content)
            else:
                assert response.status_code == 200, (endpoint.name, response.content)
                leaked = _answer_values(response) & s1_values
                assert not leaked, f"{endpoint.name} shows {leaked} of S1 to {user.username}"
                assert control.status_code == 200, (endpoint.name, control.content)
                if endpoint.name not in NAMES_NO_S1:
                    # The check is not vacuous: the same role on S1's side sees S1 in the same answer.
                    assert _answer_values(control) & s1_values, (insider.username, endpoint.name)
                for query in _queries(endpoint, objects, apps):
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
        payload, cells = _s1_write(endpoint, method, apps)
        response = _send(as_user, method, url, payload)
        if may:  # the role may make such a change, but not in S1
            assert response.status_code in (400, 403, 404), (endpoint.name, method, response.content)
        assert_error_shape(response, response.status_code if may else 403)
        carried = _sent_values(payload, [*S1_UNIT_ROWS, *S1_PEOPLE_ROWS, *cells])
        leaked = (_answer_values(response) & s1_values) - carried
        assert not leaked, f"{endpoint.name} {method} answers {user.username} with {leaked} of S1"
        assert db_snapshot() == before, f"{endpoint.name} {method} by {user.username} wrote something"

        # The positive control: the very same request from the same role on S1's side.
        control = _send(as_insider, method, url, _s1_write(endpoint, method, apps)[0])
        if may:
            assert control.status_code in (200, 201), (insider.username, endpoint.name, control.content)
            assert db_snapshot() != before, f"{endpoint.name} {method}: the S1 side's write changed nothing"
        else:
            assert_error_shape(control, 403)
            assert db_snapshot() == before


def test_bank_level_writes_go_through_for_the_branch_office(client_for, bank, s1_office, branch_office):
    """The bank-level writes of the walk, refused there to both sides by the role, are good requests: the
    branch's office (a bank-level unit) makes them."""
    _objects, apps = _s1_objects(bank, s1_office, branch_office)
    api = client_for(branch_office)
    endpoints = {e.name: e for e in ALL_ENDPOINTS}
    for name, method in sorted(BANK_LEVEL_WRITES):
        endpoint = endpoints[name]
        target = apps.run if endpoint.detail else None
        with _rolled_back():
            before = db_snapshot()
            response = _send(api, method, endpoint.url(target), _s1_write(endpoint, method, apps)[0])
            assert response.status_code in (200, 201), (name, response.content)
            assert db_snapshot() != before, f"{name}: the branch office's write changed nothing"


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
