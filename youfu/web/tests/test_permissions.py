"""One generic test over every page of the web app (taken from the URL resolver, every namespace and
include however deep, so a new page is covered the day it is added), role by role: anonymous users are
sent to the login page; a user of sub-branch S2's subtree with any role, given S1's ids, lists, searches,
audit filters, exports and imports, gets 403/404 — or a page that names nothing of S1 — and changes
nothing; and, so the test cannot pass by being blind, the user with the same role on S1's side does see
and (where the role allows) change the same things, and the S2 user reads their own subtree.

The apps' objects of S1 (indicator data, checklists, scoring runs and their lines) are built in
youfu/api/tests/s1_objects.py, shared with the API's walk. Policy versions and runs are bank-wide: their
pages open for the S2 user too, and must name nothing of S1 (the lines are the S2 subtree's only)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import Workbook, load_workbook

from youfu.accounts.models import User
from youfu.api.tests.s1_objects import (
    PERIOD,
    POLICY_UPLOAD,
    S1_FACT_ROWS,
    S1_STANDARD_WORDS,
    S1Objects,
    build_s1_objects,
    s1_standard_file,
)
from youfu.org import services
from youfu.org.choices import UnitKind
from youfu.testing.factories import make_unit

# Namespaces that are not pages of the app: the API (its own generic test) and Django's admin (staff only,
# its own permissions). Pages outside any namespace are the shell's public ones, listed below.
# Inspections (added this session) is walked, role by role, by its own test
# (youfu/inspections/tests/test_permissions.py) until its S1 objects join this walk: a known gap.
# Feedback (youfu.feedback) likewise: youfu/feedback/tests/test_access.py walks its pages role by role.
# Rectification (youfu/rectification/tests/test_pages_and_api.py, every role outside) and notifications
# (each user's own notices, youfu/notifications/tests) likewise walk their own pages.
# Complaints (youfu/complaints/tests/test_permissions.py) and appraisal (youfu/appraisal/tests) likewise.
NOT_PAGES = {
    "api",
    "admin",
    "inspections",
    "feedback",
    "rectification",
    "notifications",
    "complaints",
    "appraisal",
    "performance_pay",  # youfu/performance_pay/tests/test_access.py walks its pages role by role
    "reports",  # youfu/reports/tests/test_access.py walks its pages and exports
    "star_tellers",  # youfu/star_tellers/tests/test_access.py walks its pages, API and person panel
}
PUBLIC_PAGES = {"login", "logout", "set_language"}
# What identifies S1 in an answer: names, employee numbers, the S1 office's login and an S1 phone number,
# the words of S1's checklists (its batch's file name holds 东城支行)…
S1_NAMES = (
    "东城支行",
    "东城营业部",
    "东湖网点",
    "张伟",
    "李娜",
    "刘强",
    "100001",
    "100002",
    "100009",
    "s1_office",
    "13900000001",
    *S1_STANDARD_WORDS,
)
# …and unit codes, matched as whole words (see _leaks).
S1_CODES = ("S1", "O1A", "O1B")
# Query strings that point a list, search, tree, audit view, ranking or export at S1 (besides the bare
# page). "{x}" is an id (_ids).
S1_QUERIES: dict[str, list[dict[str, str]]] = {
    "org:person_list": [{"unit": "S1", "q": "张"}, {"q": "100001"}, {"unit": "O1A", "position": "teller"}],
    "org:person_export": [{"unit": "S1"}, {"q": "张伟"}],
    "org:unit_tree": [{"q": "东", "within": "S1"}, {"q": "O1"}],
    "org:unit_suggest": [{"q": "东"}, {"q": "O1"}],
    "accounts:user_list": [{"unit": "S1"}, {"q": "s1_office"}, {"q": "张伟"}],
    "audit:log_list": [
        {"type": "org.unit", "object": "{s1}"},
        {"type": "org.person", "object": "{teller_1a}"},
        {"actor": "{s1_office}"},
        {"who": "s1_office"},
    ],
    "facts:fact_list": [{"unit": "S1"}, {"q": "东城"}, {"q": "O1"}, {"period": PERIOD, "name": "score"}],
    "facts:fact_export": [{"unit": "S1"}, {"q": "东城"}, {"subject_kind": "unit"}],
    "standards:list": [{"q": "S1"}, {"q": "东城"}, {"status": "draft"}],
    "scoring:run_list": [{"period": PERIOD}, {"policy": "tiny_shopper", "kind": "official"}],
    "scoring:run_detail": [
        {"scope": "region", "unit": "{s1}"},
        {"scope": "province"},
        {"trend": "{line_o1b}"},
        {"sort": "-amount"},
        {"subject": "outlet_head", "sort": "unit"},
    ],
    "scoring:run_export": [{"scope": "region", "unit": "{s1}"}, {"sort": "-amount"}],
    "scoring:run_diff": [{"baseline": "{run}"}],
}
# What a page is always asked with (an export holds one period): merged into each of its queries.
BASE_QUERIES: dict[str, dict[str, str]] = {"facts:fact_export": {"period": PERIOD}}
# One form post for every page: each write page takes the fields it knows. It is a valid change *in S1*
# (the S1 side's service office makes it), so a refusal on the S2 side is the subtree, not bad data.
S1_POST = {
    "name": "越界改名",
    "code": "X9",
    "kind": "outlet",
    "parent": "S1",
    "unit": "O1A",
    "to_unit": "O1B",
    "employee_no": "999999",
    "position": "teller",
    "effective_date": "2026-01-05",
    "is_active": "on",
    "username": "x9_user",
    "password1": "a-long-password-1",
    "password2": "a-long-password-1",
    "roles": ["staff"],
}
# Where a page's fields mean something else, what it is posted instead (on top of S1_POST). "{x}": an id.
S1_POST_FOR: dict[str, dict[str, Any]] = {
    "facts:fact_import": {"period": PERIOD},
    "standards:create": {"kind": "self_check", "owner": "S1", "score_rule": "deductions", "max_score": "100"},
    "standards:edit": {"kind": "self_check"},
    "standards:editor": {"score_rule": "deductions", "max_score": "100", "levels": "", "warnings": ""},
    "standards:section_add": {"points": "10", "parent": ""},
    "standards:section_edit": {"points": "10", "parent": ""},
    "standards:section_move": {"direction": "down"},
    "standards:item_add": {"section": "{section}", "text": "越界条目", "kind": "pass_fail", "points": "5"},
    "standards:item_edit": {"section": "{section}", "text": "越界条目", "kind": "pass_fail", "points": "5"},
    "standards:item_move": {"direction": "down"},
    "scoring:policy_upload": {"status": "draft"},
    "scoring:run_score": {"score-version": "{policy}", "score-period": PERIOD},
    "scoring:run_what_if": {
        "whatif-version": "{policy_draft}",
        "whatif-period": PERIOD,
        "whatif-baseline": "{run}",
    },
}
for _page in ("standards:item_add", "standards:item_edit"):
    S1_POST_FOR[_page] |= {"red_line": "none", "aspect": "", "code": "A9"}
# Import files touching S1: a new unit under S1 and a renamed S1 outlet; an S1 person changed and moved
# inside S1, and a new person in an S1 outlet; S1's indicator data; S1-PUB renamed; a policy file (bank
# level). No dry run: the import would write.
S1_IMPORTS: dict[str, list[list[Any]] | str] = {
    "org:unit_import": [
        ["机构代码", "机构名称", "机构类型", "上级机构代码"],
        ["O1X", "越界网点", "outlet", "S1"],
        ["O1B", "越界改名", "outlet", "S1"],
    ],
    "org:person_import": [
        ["工号", "姓名", "所属机构代码", "岗位"],
        ["100001", "越界改名", "O1B", "teller"],
        ["999998", "越界新人", "O1A", "teller"],
    ],
    "facts:fact_import": S1_FACT_ROWS,
    "standards:import": "standard",
    "scoring:policy_upload": "policy",
}
# Pages that write on POST, with the permission each needs (also to open them).
WRITE_PAGES = {
    "org:unit_edit": "org.change_unit",
    "org:unit_add_child": "org.add_unit",
    "org:person_create": "org.add_person",
    "org:person_edit": "org.change_person",
    "org:person_move": "org.add_personmove",
    "org:unit_import": "org.import_org",
    "org:person_import": "org.import_org",
    "accounts:user_create": "accounts.add_user",
    "accounts:user_edit": "accounts.change_user",
    "accounts:user_password": "accounts.change_user",
    "facts:fact_import": "facts.import_facts",
    "standards:create": "standards.add_standard",
    "standards:import": "standards.add_standard",
    "standards:edit": "standards.change_standard",
    "standards:editor": "standards.change_standard",
    "standards:publish": "standards.change_standardversion",
    "standards:copy": "standards.add_standardversion",
    "standards:section_add": "standards.add_section",
    "standards:section_edit": "standards.change_section",
    "standards:section_delete": "standards.delete_section",
    "standards:section_move": "standards.change_section",
    "standards:item_add": "standards.add_item",
    "standards:item_edit": "standards.change_item",
    "standards:item_delete": "standards.delete_item",
    "standards:item_move": "standards.change_item",
}
# Pages of bank-wide data (periods, policy versions, scoring runs): the S2 user opens them like anyone
# with the right, and they must name nothing of S1; writing them is bank-level (roles.py
# BANK_LEVEL_PERMISSIONS), which no user of this walk holds: refused to both sides by the role, and
# test_bank_level_pages_take_the_walks_posts shows the posts are good ones.
BANK_WIDE_PAGES = {
    "org:period_list": "org.view_period",
    "org:period_create": "org.add_period",
    "org:period_ensure_year": "org.add_period",
    "scoring:run_list": "scoring.view_scorerun",
    "scoring:run_detail": "scoring.view_scorerun",
    "scoring:run_export": "scoring.view_scorerun",
    "scoring:run_diff": "scoring.view_scorerun",
    "scoring:policy_list": "scoring.view_policyversion",
    "scoring:policy_detail": "scoring.view_policyversion",
    "scoring:run_score": "scoring.add_scorerun",
    "scoring:run_what_if": "scoring.add_scorerun",
    "scoring:run_publish": "scoring.publish_scorerun",
    "scoring:policy_upload": "scoring.add_policyversion",
}
BANK_LEVEL_POSTS = {
    "scoring:run_score",
    "scoring:run_what_if",
    "scoring:run_publish",
    "scoring:policy_upload",
}
# The permission every page needs to be opened at all, beyond signing in (None: signing in is enough). A
# page missing here fails test_every_page_is_known_to_the_walk.
PAGE_PERMS: dict[str, str | None] = {
    **WRITE_PAGES,
    **BANK_WIDE_PAGES,
    "web:dashboard": None,
    "org:unit_tree": None,
    "org:unit_suggest": None,
    "org:unit_export": None,
    "org:unit_detail": None,
    "org:unit_children": None,
    "org:person_list": None,
    "org:person_export": None,
    "org:person_detail": None,
    "audit:log_list": "auditlog.view_logentry",
    "accounts:user_list": "accounts.view_user",
    "accounts:user_detail": "accounts.view_user",
    "facts:fact_list": "facts.view_fact",
    "facts:fact_export": "facts.view_fact",
    "facts:fact_detail": "facts.view_fact",
    "facts:batch_list": "facts.view_factbatch",
    "facts:batch_detail": "facts.view_factbatch",
    "standards:list": "standards.view_standard",
    "standards:detail": "standards.view_standard",
    "standards:export": "standards.view_standardversion",
    "scoring:line_detail": "scoring.view_scoreline",
}
# The S1 objects a page with ids is tried on (keys of _objects); the first is also visible to an
# outlet-level user of O1A. A page with ids missing here fails test_every_page_is_known_to_the_walk.
TARGETS: dict[str, tuple[str, ...]] = {
    "org:unit_detail": ("o1a", "s1"),
    "org:unit_children": ("o1a", "s1"),
    "org:unit_edit": ("o1a", "s1"),
    "org:unit_add_child": ("o1a", "s1"),
    "org:person_detail": ("teller_1a", "teller_1b"),
    "org:person_edit": ("teller_1a", "teller_1b"),
    "org:person_move": ("teller_1a", "teller_1b"),
    "accounts:user_detail": ("s1_office",),
    "accounts:user_edit": ("s1_office",),
    "accounts:user_password": ("s1_office",),
    "facts:fact_detail": ("fact",),
    "facts:batch_detail": ("batch",),
    "standards:detail": ("standard",),
    "standards:edit": ("standard",),
    "standards:editor": ("draft",),
    "standards:publish": ("draft",),
    "standards:copy": ("lone_published",),
    "standards:export": ("published", "draft"),
    "standards:section_add": ("draft",),
    "standards:item_add": ("draft",),
    "standards:section_edit": ("section",),
    "standards:section_delete": ("section",),
    "standards:section_move": ("section",),
    "standards:item_edit": ("item",),
    "standards:item_delete": ("item",),
    "standards:item_move": ("item",),
    # Bank-wide: the run and the policy version themselves open for the S2 user (BANK_WIDE_PAGES)…
    "scoring:run_detail": ("run",),
    "scoring:run_export": ("run",),
    "scoring:run_publish": ("run",),
    "scoring:run_diff": ("what_if",),
    "scoring:policy_detail": ("policy", "policy_draft"),
    # …an S1 line of the run does not: O1A's (visible to O1A's users), then O1B's.
    "scoring:line_detail": ("line", "line_o1b"),
}
# Pages that take a POST only (a GET is a 405 for everyone).
POST_ONLY_PAGES = {
    "org:period_ensure_year",
    "standards:publish",
    "standards:copy",
    "standards:section_delete",
    "standards:section_move",
    "standards:item_delete",
    "standards:item_move",
    "scoring:run_score",
    "scoring:run_what_if",
    "scoring:run_publish",
}
# Pages whose plain answer names nothing of S1 even to those who may see it: empty forms, bank-wide lists
# and documents, a run's totals.
NAMES_NO_S1 = {
    "org:person_create",
    "org:unit_import",
    "org:person_import",
    "accounts:user_create",
    "facts:fact_import",
    "standards:create",
    "standards:import",
    "scoring:run_list",
    "scoring:policy_list",
    "scoring:policy_detail",
}


def _page_patterns() -> Iterator[tuple[str, URLPattern]]:
    def walk(patterns: list, namespace: str) -> Iterator[tuple[str, URLPattern]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in NOT_PAGES:
                    continue
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, inner)
            elif f"{namespace}{entry.name}" not in PUBLIC_PAGES:
                yield f"{namespace}{entry.name or ''}", entry

    yield from walk(get_resolver().url_patterns, "")


# Read from the resolver once per module.
PATTERNS: dict[str, URLPattern] = dict(_page_patterns())
PAGES = sorted(PATTERNS)


def _kwargs(name: str) -> tuple[str, ...]:
    return tuple(PATTERNS[name].pattern.regex.groupindex)


def test_the_walk_covers_the_pages():
    # A guard against the walk silently finding nothing (e.g. after renaming a namespace).
    assert {
        "web:dashboard",
        "org:unit_detail",
        "org:person_move",
        "audit:log_list",
        "facts:fact_detail",
        "facts:fact_import",
        "standards:item_move",
        "standards:export",
        "scoring:line_detail",
        "scoring:run_export",
        "scoring:policy_upload",
    } <= set(PAGES)
    known = set(PAGE_PERMS) | set(S1_QUERIES) | set(S1_IMPORTS) | set(S1_POST_FOR) | set(TARGETS)
    assert known | POST_ONLY_PAGES | NAMES_NO_S1 <= set(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_known_to_the_walk(name):
    """A page added tomorrow fails here until the walk knows how to try it: a name, the permission it
    needs (or None), and the S1 objects its ids are tried on."""
    assert not name.endswith(":"), f"{PATTERNS[name].pattern}: a page needs a name"
    assert name in PAGE_PERMS, f"{name}: say in PAGE_PERMS which permission it needs (None: none)"
    if _kwargs(name):
        assert name in TARGETS, f"{name}: say in TARGETS which S1 objects it is tried on"


def _objects(bank, s1_office: User, apps: S1Objects | None) -> dict[str, Model]:
    objects: dict[str, Model] = {
        "o1a": bank.o1a,
        "s1": bank.s1,
        "teller_1a": bank.teller_1a,
        "teller_1b": bank.teller_1b,
        "s1_office": s1_office,
    }
    if apps is not None:
        objects |= {key: getattr(apps, key) for key in apps.__dataclass_fields__}
    return objects


def _targets(name: str, objects: dict[str, Model]) -> list[Model | None]:
    """The S1 objects a page is tried on; the first is also visible to an outlet-level user of O1A."""
    if not _kwargs(name):
        return [None]
    return [objects[key] for key in dict.fromkeys(TARGETS[name])]


def _url(name: str, target: Model | None) -> str:
    """A page's address about an object: ``pk`` (or ``<x>_pk`` for the object's own kind) is its id,
    ``<x>_pk`` its ``<x>_id`` when it has one (a line's run)."""
    kwargs = {}
    for key in _kwargs(name):
        assert target is not None
        attr = f"{key[:-3]}_id"
        kwargs[key] = getattr(target, attr) if key != "pk" and hasattr(target, attr) else target.pk
    return reverse(name, kwargs=kwargs or None)


def _ids(objects: dict[str, Model], apps: S1Objects | None) -> dict[str, int]:
    ids = {"s1": objects["s1"].pk, "teller_1a": objects["teller_1a"].pk, "s1_office": objects["s1_office"].pk}
    return ids | (apps.ids() if apps is not None else {})


def _queries(name: str, ids: dict[str, int]) -> list[dict[str, str]]:
    base = BASE_QUERIES.get(name, {})
    return [
        {**base, **{key: value.format(**ids) for key, value in query.items()}}
        for query in [{}, *S1_QUERIES.get(name, [])]
    ]


def _xlsx(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("s1.xlsx", buffer.getvalue())


def _upload(name: str, apps: S1Objects | None) -> tuple[SimpleUploadedFile, list[Any]]:
    """A fresh upload for an import page (a file can be read only once) and the cells it carries."""
    source = S1_IMPORTS[name]
    if isinstance(source, list):
        return _xlsx(source), [cell for row in source for cell in row]
    if source == "policy":
        return SimpleUploadedFile("tiny_v3.yaml", POLICY_UPLOAD.encode()), [POLICY_UPLOAD]
    assert source == "standard" and apps is not None
    content = s1_standard_file(apps)
    book = load_workbook(io.BytesIO(content), read_only=True)
    cells = [v for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row]
    return SimpleUploadedFile("s1.xlsx", content), [c for c in cells if c is not None]


def _post_data(name: str, ids: dict[str, int], apps: S1Objects | None) -> dict[str, Any]:
    """A fresh copy of what is posted to a page."""
    extra = {k: v.format(**ids) if isinstance(v, str) else v for k, v in S1_POST_FOR.get(name, {}).items()}
    data: dict[str, Any] = {**S1_POST, **extra}
    if name in S1_IMPORTS:
        data["file"] = _upload(name, apps)[0]
    return data


def _sent(
    name: str, query: dict[str, str] | None = None, *, post: bool = False, apps: S1Objects | None = None
) -> list[str]:
    """The values a request itself carries: an answer may echo them back without leaking anything."""
    if not post:
        return list((query or {}).values())
    values = {**S1_POST, **S1_POST_FOR.get(name, {})}.values()
    sent = [v for value in values for v in ([value] if isinstance(value, str) else value)]
    if name in S1_IMPORTS:
        sent += [str(cell) for cell in _upload(name, apps)[1]]
    return sent


def _text(response) -> str:
    content = b"".join(response) if response.streaming else response.content
    if content[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(content)):  # an Excel download: every cell
        book = load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(
            str(v)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
            if v is not None
        )
    return content.decode()


# Long letter-and-digit runs (CSRF tokens, hashes) could hold "O1A" by chance: they are left out.
_TOKENS = re.compile(r"[A-Za-z0-9]{24,}")


def _leaks(text: str, sent: list[str], extra: tuple[str, ...] = ()) -> list[str]:
    """The S1 names and codes in an answer that the request did not carry itself."""
    text = _TOKENS.sub(" ", text)
    found = [n for n in (*S1_NAMES, *extra) if n in text]
    found += [c for c in S1_CODES if re.search(rf"(?<![A-Za-z0-9_-]){c}(?![A-Za-z0-9_-])", text)]
    return [n for n in found if not any(n in value for value in sent)]


# Signing in stamps last_login: not a change anyone made through a page. Sessions are no one's data.
USER_FIELDS = [f.attname for f in User._meta.concrete_fields if f.name != "last_login"]


def _snapshot() -> dict[str, list[Any]]:
    """Every row a page could write: every table of every youfu app (an app added tomorrow is watched
    too), the logins' roles, the audit trail."""
    snapshot: dict[str, list[Any]] = {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in django_apps.get_models()
        if model._meta.app_config.name.startswith("youfu.") and model is not User
    }
    snapshot["users"] = list(User.objects.order_by("pk").values(*USER_FIELDS))
    snapshot["roles"] = list(User.groups.through.objects.order_by("pk").values())
    snapshot["audit"] = list(LogEntry.objects.order_by("pk").values_list("pk", flat=True))
    return snapshot


def _s1_activity(bank, s1_office) -> S1Objects:
    """A team under O1A (so O1A's tree node has children to show), something for the audit trail of S1
    (the S1 office changes a teller's phone), and the apps' objects of S1."""
    make_unit(parent=bank.o1a, code="O1A-T1", name="东城营业部一组", kind=UnitKind.DEPARTMENT)
    services.person_update(actor=s1_office, person=bank.teller_1a, data={"phone": "13900000001"})
    return build_s1_objects(bank, s1_office)


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, db, name):
    # Made-up ids: the login comes before any lookup, so an address of a real object is no different.
    url = reverse(name, kwargs=dict.fromkeys(_kwargs(name), 999999) or None)

    for response in (client.get(url), client.post(url, {"name": "x"})):
        assert response.status_code == 302, url
        assert response["Location"] == f"/login/?next={url}"


def _get_status(name: str, may_open: bool) -> int:
    if name in POST_ONLY_PAGES:
        return 405
    return 200 if may_open else 403


@contextmanager
def _rolled_back() -> Iterator[None]:
    """Pages are tried one after the other on the same bank (built once per role, not once per page):
    whatever one page's requests write, and the sessions they sign in with, are undone before the next."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def test_s2_user_of_every_role_learns_and_changes_nothing_of_s1(
    client, subtests, bank, s1_office, outsider_any_role, insider_same_role
):
    apps = _s1_activity(bank, s1_office)
    # A page the walk does not know yet fails test_every_page_is_known_to_the_walk, once, not here.
    for name in (page for page in PAGES if page in PAGE_PERMS):
        with subtests.test(page=name), _rolled_back():
            _check_page(client, bank, s1_office, apps, outsider_any_role, insider_same_role, name)


def _sign_in(client, user: User) -> None:
    # A fresh browser: no cookie (and so no flash message) carried over from the previous user.
    client.cookies.clear()
    client.force_login(user)


def _check_page(client, bank, s1_office, apps: S1Objects, user: User, insider: User, name: str) -> None:
    """The S2 user against one page; then the same role on S1's side, the positive control."""
    perm = PAGE_PERMS[name]
    may_open = perm is None or user.has_perm(perm)
    own_names = (insider.username,)
    objects = _objects(bank, s1_office, apps)
    ids = _ids(objects, apps)
    queries = _queries(name, ids)
    targets = _targets(name, objects)
    bank_wide = name in BANK_WIDE_PAGES
    _sign_in(client, user)
    before = _snapshot()

    for target in targets:
        url = _url(name, target)
        for query in queries:
            response = client.get(url, query)
            if target is not None and not bank_wide:  # an S1 object: not found (or not for this role)
                refused = (404, 405) if may_open else (403, 404, 405)
                assert response.status_code in refused, (user.username, url, query, response.status_code)
            elif query != queries[0] and may_open:  # pointed at S1: refused as a bad filter, or nothing
                assert response.status_code in (200, 302, 400), (url, query, response.status_code)
                assert _leaks(response.get("Location", ""), _sent(name, query)) == [], (url, query)
            else:
                assert response.status_code == _get_status(name, may_open), (url, query, response.status_code)
            if response.status_code == 200:
                leaked = _leaks(_text(response), _sent(name, query), own_names)
                assert leaked == [], (user.username, url, query, leaked)
        response = client.post(url, _post_data(name, ids, apps))
        expected: tuple[int, ...]
        if target is not None and not bank_wide:
            expected = (404, 405) if may_open else (403, 404, 405)
        else:
            expected = (200, 405) if may_open else (403, 405)
        assert response.status_code in expected, (user.username, url, response.status_code)
        if response.status_code == 200:
            leaked = _leaks(_text(response), _sent(name, post=True, apps=apps), own_names)
            assert leaked == [], (user.username, url, "POST", leaked)
        assert _snapshot() == before, (user.username, url, "POST wrote something")

    # The positive control: the same role on S1's side opens the same page on the same S1 object…
    _sign_in(client, insider)
    before = _snapshot()
    url = _url(name, targets[0])
    shows_s1 = may_open and name not in NAMES_NO_S1 | POST_ONLY_PAGES and not name.startswith("org:period")
    for query in queries:  # until one answer names S1
        response = client.get(url, query)
        assert response.status_code == _get_status(name, may_open), (url, query, response.status_code)
        if not shows_s1 or _leaks(_text(response), []):
            break
    else:
        raise AssertionError(f"{name}: the S1 side sees nothing of S1 either")
    # …and the same post goes through where the role may write, so the refusal above was the subtree's.
    response = client.post(url, _post_data(name, ids, apps))
    if name in WRITE_PAGES and insider.has_perm(WRITE_PAGES[name]):
        assert response.status_code == 302, (url, _text(response)[-3000:])
        assert _snapshot() != before, f"{name}: the S1 side's post changed nothing"
    else:
        assert response.status_code in ((200, 405) if may_open else (403, 405)), (url, response.status_code)
        assert _snapshot() == before, f"{name}: a post the role may not make wrote something"


def test_bank_level_pages_take_the_walks_posts(client, bank, s1_office, branch_office):
    """The bank-level posts of the walk, refused there to both sides by the role, are good ones: the
    branch's office (a bank-level unit) makes them."""
    apps = _s1_activity(bank, s1_office)
    objects = _objects(bank, s1_office, apps)
    ids = _ids(objects, apps)
    client.force_login(branch_office)
    for name in sorted(BANK_LEVEL_POSTS):
        with _rolled_back():
            before = _snapshot()
            response = client.post(_url(name, _targets(name, objects)[0]), _post_data(name, ids, apps))
            assert response.status_code == 302, (name, _text(response)[-2000:])
            assert response["Location"].startswith("/scoring/"), (name, response["Location"])
            assert _snapshot() != before, f"{name}: the branch office's post changed nothing"


def test_s2_user_of_every_role_reads_own_subtree(client, bank, outsider_any_role):
    user = outsider_any_role
    client.force_login(user)

    unit = client.get(reverse("org:unit_detail", kwargs={"pk": bank.o2a.pk}))
    person = client.get(reverse("org:person_detail", kwargs={"pk": bank.teller_2a.pk}))
    people = client.get(reverse("org:person_list"), {"q": "王"})
    export = client.get(reverse("org:person_export"))
    tree = client.get(reverse("org:unit_tree"), {"q": "西湖"})
    audit = client.get(reverse("audit:log_list"))
    users = client.get(reverse("accounts:user_list"))

    for response in (unit, person, people, export, tree):
        assert response.status_code == 200
    assert "西湖网点" in _text(unit) and "王芳" in _text(unit)
    assert "王芳" in _text(person) and "200001" in _text(person)
    assert "王芳" in _text(people)
    assert "王芳" in _text(export) and "200001" in _text(export)
    assert "西湖网点" in _text(tree)
    if user.has_perm("auditlog.view_logentry"):
        assert audit.status_code == 200 and "西湖网点" in _text(audit)  # O2A's creation
    else:
        assert audit.status_code == 403
    if user.has_perm("accounts.view_user"):
        assert users.status_code == 200 and user.username in _text(users)
    else:
        assert users.status_code == 403


def test_s2_user_of_every_role_cannot_pull_s1_into_own_subtree(client, bank, outsider_any_role):
    """Writes that start from the user's own subtree but point into S1: refused on the form (or by the
    role), nothing written, and the answer names nothing of S1 the request did not."""
    user = outsider_any_role
    pull_person = [["工号", "姓名", "所属机构代码", "岗位"], ["100001", "张伟", "O2A", "teller"]]
    pull_unit = [["机构代码", "机构名称", "机构类型", "上级机构代码"], ["O1A", "东城营业部", "outlet", "S2"]]
    attempts: list[tuple[str, str, dict[str, Any]]] = [
        (
            reverse("org:person_move", kwargs={"pk": bank.teller_2a.pk}),
            "org.add_personmove",
            {"to_unit": "O1A", "effective_date": "2026-01-05"},
        ),
        (
            reverse("org:unit_add_child", kwargs={"pk": bank.o2a.pk}),
            "org.add_unit",
            {"parent": "S1", "code": "X8", "name": "越界网点", "kind": "outlet"},
        ),
        (reverse("org:person_create"), "org.add_person", {**S1_POST, "unit": "O1B"}),
        (reverse("org:person_import"), "org.import_org", {"file": _xlsx(pull_person)}),
        (reverse("org:unit_import"), "org.import_org", {"file": _xlsx(pull_unit)}),
        (
            reverse("accounts:user_create"),
            "accounts.add_user",
            {**S1_POST, "unit": "O2A", "person": "100001"},  # an O2A login for S1's 张伟
        ),
    ]
    # What the requests carry themselves, which their answers may echo.
    carried = [*_sent("org:person_create", post=True), *(c for r in (*pull_person, *pull_unit) for c in r)]
    client.force_login(user)
    before = _snapshot()

    for url, perm, data in attempts:
        response = client.post(url, data)

        assert response.status_code == (200 if user.has_perm(perm) else 403), (url, response.status_code)
        assert _snapshot() == before, (user.username, url, "wrote something")
        if response.status_code == 200:
            assert _leaks(_text(response), carried) == [], (user.username, url)
