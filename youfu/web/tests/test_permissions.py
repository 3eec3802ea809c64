"""One generic test over every page of the web app (taken from the URL resolver, so a new page is
covered the day it is added), role by role: anonymous users are sent to the login page; a user of
sub-branch S2's subtree with any role, given S1's ids, lists, searches, audit filters, exports and
imports, gets 403/404 — or a page that names nothing of S1 — and changes nothing; and, so the test
cannot pass by being blind, the user with the same role on S1's side does see and (where the role
allows) change the same things, and the S2 user reads their own subtree."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import Workbook, load_workbook

from youfu.accounts.models import User
from youfu.org import services
from youfu.org.choices import UnitKind
from youfu.org.models import Person, PersonMove, Unit
from youfu.testing.factories import make_unit

# The namespaces that make up the web pages (the API has its own generic test).
PAGE_NAMESPACES = ("web", "org", "audit", "accounts")
# What identifies S1 in an answer: names, employee numbers, the S1 office's login and an S1 phone number…
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
)
# …and unit codes, matched as whole words (see _leaks).
S1_CODES = ("S1", "O1A", "O1B")
# Query strings that point a list, search, tree, audit view or export at S1 (besides the bare page).
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
}
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
# Import files touching S1: a new unit under S1 and a renamed S1 outlet; an S1 person changed and moved
# inside S1, and a new person in an S1 outlet. No dry run: the import would write.
S1_IMPORTS = {
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
}
# Pages of bank-wide data (periods): no subtree, nothing of S1 to show, and the role's right is the
# only limit on writing (the snapshot below leaves periods out).
BANK_WIDE_PAGES = {
    "org:period_list": "org.view_period",
    "org:period_create": "org.add_period",
    "org:period_ensure_year": "org.add_period",
}
# The permission a page needs to be opened at all, beyond signing in.
PAGE_PERMS = {
    **WRITE_PAGES,
    **BANK_WIDE_PAGES,
    "audit:log_list": "auditlog.view_logentry",
    "accounts:user_list": "accounts.view_user",
    "accounts:user_detail": "accounts.view_user",
}
# Pages that take a POST only (a GET is a 405 for everyone).
POST_ONLY_PAGES = {"org:period_ensure_year"}
# Pages that show an empty form, whose plain answer names no data even to those who may see it.
FORM_PAGES = {"org:person_create", "org:unit_import", "org:person_import", "accounts:user_create"}


def _page_patterns() -> Iterator[tuple[str, URLPattern]]:
    def walk(patterns: list, namespace: str | None) -> Iterator[tuple[str, URLPattern]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, entry.namespace or namespace)
            elif namespace in PAGE_NAMESPACES and entry.name:
                yield f"{namespace}:{entry.name}", entry

    yield from walk(get_resolver().url_patterns, None)


# Read from the resolver once per module.
PATTERNS: dict[str, URLPattern] = dict(_page_patterns())
PAGES = sorted(PATTERNS)


def test_the_walk_covers_the_pages():
    # A guard against the walk silently finding nothing (e.g. after renaming a namespace).
    assert {"web:dashboard", "org:unit_detail", "org:person_move", "audit:log_list"} <= set(PAGES)
    assert set(PAGE_PERMS) | set(S1_QUERIES) | set(S1_IMPORTS) <= set(PAGES)


def _targets(name: str, bank, s1_office) -> list[Model | None]:
    """The S1 objects a page is tried on; the first is also visible to an outlet-level user of O1A."""
    if "pk" not in PATTERNS[name].pattern.converters:
        return [None]
    # Pages about a person take a person id, pages of the users namespace a user id (the S1 office's
    # login); every other page with an id is about a unit.
    if name.startswith("org:person"):
        return [bank.teller_1a, bank.teller_1b]
    if name.startswith("accounts:"):
        return [s1_office]
    return [bank.o1a, bank.s1]


def _url(name: str, target: Model | None) -> str:
    return reverse(name) if target is None else reverse(name, kwargs={"pk": target.pk})


def _queries(name: str, bank, s1_office) -> list[dict[str, str]]:
    ids = {"s1": bank.s1.pk, "teller_1a": bank.teller_1a.pk, "s1_office": s1_office.pk}
    return [{}] + [
        {key: value.format(**ids) for key, value in query.items()} for query in S1_QUERIES.get(name, [])
    ]


def _xlsx(rows: list[list[str]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("s1.xlsx", buffer.getvalue())


def _post_data(name: str) -> dict[str, Any]:
    """A fresh copy of what is posted to a page (an uploaded file can be read only once)."""
    if name in S1_IMPORTS:
        return {"file": _xlsx(S1_IMPORTS[name])}
    return dict(S1_POST)


def _sent(name: str, query: dict[str, str] | None = None, *, post: bool = False) -> list[str]:
    """The values a request itself carries: an answer may echo them back without leaking anything."""
    if not post:
        return list((query or {}).values())
    if name in S1_IMPORTS:
        return [cell for row in S1_IMPORTS[name] for cell in row]
    return [v for value in S1_POST.values() for v in ([value] if isinstance(value, str) else value)]


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


# Signing in stamps last_login: not a change anyone made through a page.
USER_FIELDS = [f.attname for f in User._meta.concrete_fields if f.name != "last_login"]


def _snapshot() -> tuple:
    """Every row of the subtree-bound data a page could write (periods are bank-wide: left out)."""
    return (
        list(Unit.objects.order_by("pk").values()),
        list(Person.objects.order_by("pk").values()),
        list(PersonMove.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values(*USER_FIELDS)),
        list(User.groups.through.objects.order_by("pk").values()),
    )


def _s1_activity(bank, s1_office) -> None:
    """A team under O1A (so O1A's tree node has children to show) and something for the audit trail of
    S1: the S1 office changes a teller's phone."""
    make_unit(parent=bank.o1a, code="O1A-T1", name="东城营业部一组", kind=UnitKind.DEPARTMENT)
    services.person_update(actor=s1_office, person=bank.teller_1a, data={"phone": "13900000001"})


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, bank, s1_office, name):
    url = _url(name, _targets(name, bank, s1_office)[0])

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
    _s1_activity(bank, s1_office)
    for name in PAGES:
        with subtests.test(page=name), _rolled_back():
            _check_page(client, bank, s1_office, outsider_any_role, insider_same_role, name)


def _sign_in(client, user: User) -> None:
    # A fresh browser: no cookie (and so no flash message) carried over from the previous user.
    client.cookies.clear()
    client.force_login(user)


def _check_page(client, bank, s1_office, user: User, insider: User, name: str) -> None:
    """The S2 user against one page; then the same role on S1's side, the positive control."""
    perm = PAGE_PERMS.get(name)
    may_open = perm is None or user.has_perm(perm)
    own_names = (insider.username,)
    queries = _queries(name, bank, s1_office)
    targets = _targets(name, bank, s1_office)
    _sign_in(client, user)
    before = _snapshot()

    for target in targets:
        url = _url(name, target)
        for query in queries:
            response = client.get(url, query)
            if target is not None:  # an S1 object: not found (or, first, not for this role at all)
                refused = (404,) if may_open else (403, 404)
                assert response.status_code in refused, (user.username, url, query, response.status_code)
            else:
                assert response.status_code == _get_status(name, may_open), (url, query, response.status_code)
            if response.status_code == 200:
                leaked = _leaks(_text(response), _sent(name, query), own_names)
                assert leaked == [], (user.username, url, query, leaked)
        response = client.post(url, _post_data(name))
        expected: tuple[int, ...]
        if target is not None:
            expected = (404, 405) if may_open else (403, 404, 405)
        else:
            expected = (200, 405) if may_open else (403,)
        assert response.status_code in expected, (user.username, url, response.status_code)
        if response.status_code == 200:
            leaked = _leaks(_text(response), _sent(name, post=True), own_names)
            assert leaked == [], (user.username, url, "POST", leaked)
        assert _snapshot() == before, (user.username, url, "POST wrote something")

    # The positive control: the same role on S1's side opens the same page on the same S1 object…
    _sign_in(client, insider)
    before = _snapshot()
    url = _url(name, targets[0])
    shows_s1 = may_open and name not in FORM_PAGES | BANK_WIDE_PAGES.keys() | POST_ONLY_PAGES
    for query in queries:  # until one answer names S1
        response = client.get(url, query)
        assert response.status_code == _get_status(name, may_open), (url, query, response.status_code)
        if not shows_s1 or _leaks(_text(response), []):
            break
    else:
        raise AssertionError(f"{name}: the S1 side sees nothing of S1 either")
    # …and the same post goes through where the role may write, so the refusal above was the subtree's.
    response = client.post(url, _post_data(name))
    if name in WRITE_PAGES and insider.has_perm(WRITE_PAGES[name]):
        assert response.status_code == 302, (url, _text(response)[-3000:])
        assert _snapshot() != before, f"{name}: the S1 side's post changed nothing"
    else:
        assert response.status_code in ((200, 405) if may_open else (403,)), (url, response.status_code)
        assert _snapshot() == before, f"{name}: a post the role may not make wrote something"


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
