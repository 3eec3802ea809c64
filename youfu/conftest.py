"""Shared fixtures: a small bank and named personas.

    总行 HO
    └── 分行 BR
        ├── 办公室 BR-OFF (department)
        ├── 东城支行 S1 ── 网点 O1A, O1B
        └── 西城支行 S2 ── 网点 O2A

Personas: `branch_office` (service office, branch), `s1_office` (service office, sub-branch S1),
`outlet_head` (outlet O1A), `colleague` (staff in O1A), `outsider` (service office of S2, must see
nothing of S1), `auditor` (read-only, head office), `admin` (superuser).

Role by role: `outsider_any_role` is a user of S2's subtree with each role in turn (the test runs once
per role), and `insider_same_role` the user with the same role on S1's side, the positive control.
Outlet-level roles (outlet head, staff) sit in an outlet (O2A / O1A) and are linked to a person there;
the others are in charge of the whole sub-branch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.org.choices import Position, UnitKind
from youfu.org.models import Person, Unit
from youfu.testing.browser import launch
from youfu.testing.factories import PersonFactory, UserFactory, make_unit

# Property tests judge results, never speed: a loaded CI machine must not turn a slow example into a
# failure (hypothesis' default 200 ms deadline does exactly that under xdist).
hypothesis_settings.register_profile("youfu", deadline=None)
hypothesis_settings.load_profile("youfu")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's 1M iterations are right for production logins and wrong for thousands of test users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _feedback_data_dir(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Evaluator ratings are Parquet files (youfu.feedback.store), not database rows: a test that builds
    # the demo must not leave them in the real data folder when its transaction is rolled back.
    settings.FEEDBACK_DATA_DIR = tmp_path_factory.mktemp("feedback")
    settings.REPORTS_DATA_DIR = tmp_path_factory.mktemp("reports")  # queue tickets (youfu.reports.store)


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    # LocaleMiddleware activates the request's language (Accept-Language) and leaves it active in the
    # thread after the response: put the default back so later tests see the messages they expect.
    language = translation.get_language()
    yield
    translation.activate(language)


@dataclass
class Bank:
    head_office: Unit
    branch: Unit
    branch_office: Unit
    s1: Unit
    s2: Unit
    o1a: Unit
    o1b: Unit
    o2a: Unit
    teller_1a: Person
    teller_1b: Person
    teller_2a: Person
    head_1a: Person


@pytest.fixture
def bank(db: None) -> Bank:
    ho = make_unit(parent=None, code="HO", name="总行", kind=UnitKind.HEAD_OFFICE)
    br = make_unit(parent=ho, code="BR", name="江州分行", kind=UnitKind.BRANCH, province="江南省")
    off = make_unit(parent=br, code="BR-OFF", name="分行办公室", kind=UnitKind.DEPARTMENT)
    s1 = make_unit(parent=br, code="S1", name="东城支行", kind=UnitKind.SUB_BRANCH, region="东片")
    s2 = make_unit(parent=br, code="S2", name="西城支行", kind=UnitKind.SUB_BRANCH, region="西片")
    o1a = make_unit(parent=s1, code="O1A", name="东城营业部", kind=UnitKind.OUTLET, region="东片")
    o1b = make_unit(parent=s1, code="O1B", name="东湖网点", kind=UnitKind.OUTLET, region="东片")
    o2a = make_unit(parent=s2, code="O2A", name="西湖网点", kind=UnitKind.OUTLET, region="西片")
    return Bank(
        head_office=ho,
        branch=br,
        branch_office=off,
        s1=s1,
        s2=s2,
        o1a=o1a,
        o1b=o1b,
        o2a=o2a,
        teller_1a=PersonFactory.create(unit=o1a, name="张伟", employee_no="100001", teller_grade=3),
        teller_1b=PersonFactory.create(unit=o1b, name="李娜", employee_no="100002"),
        teller_2a=PersonFactory.create(unit=o2a, name="王芳", employee_no="200001"),
        head_1a=PersonFactory.create(
            unit=o1a, name="刘强", employee_no="100009", position=Position.OUTLET_HEAD
        ),
    )


@pytest.fixture
def branch_office(bank: Bank) -> User:
    return UserFactory.create(username="branch_office", unit=bank.branch, roles=[Role.SERVICE_OFFICE])


@pytest.fixture
def s1_office(bank: Bank) -> User:
    return UserFactory.create(username="s1_office", unit=bank.s1, roles=[Role.SERVICE_OFFICE])


@pytest.fixture
def outlet_head(bank: Bank) -> User:
    return UserFactory.create(
        username="outlet_head", unit=bank.o1a, person=bank.head_1a, roles=[Role.OUTLET_HEAD]
    )


@pytest.fixture
def colleague(bank: Bank) -> User:
    return UserFactory.create(username="colleague", unit=bank.o1a, person=bank.teller_1a, roles=[Role.STAFF])


@pytest.fixture
def outsider(bank: Bank) -> User:
    return UserFactory.create(username="outsider", unit=bank.s2, roles=[Role.SERVICE_OFFICE])


# Roles held by people of one outlet (网点); every other role is in charge of a whole sub-branch.
OUTLET_ROLES = frozenset({Role.OUTLET_HEAD, Role.STAFF})


@pytest.fixture(params=list(Role), ids=lambda role: role.value)
def any_role(request: pytest.FixtureRequest) -> Role:
    """Each role in turn: a test using a fixture built on this one runs once per role."""
    role: Role = request.param
    return role


@pytest.fixture
def outsider_any_role(bank: Bank, any_role: Role) -> User:
    """A user of S2's subtree with the role: in O2A for outlet roles (the outlet head with a person of
    their own, staff as 王芳), else in charge of S2. Must see and change nothing of S1."""
    if any_role not in OUTLET_ROLES:
        return UserFactory.create(username=f"s2_{any_role.value}", unit=bank.s2, roles=[any_role])
    if any_role == Role.OUTLET_HEAD:
        person = PersonFactory.create(
            unit=bank.o2a, name="陈静", employee_no="200009", position=Position.OUTLET_HEAD
        )
    else:
        person = bank.teller_2a
    return UserFactory.create(
        username=f"o2a_{any_role.value}", unit=bank.o2a, person=person, roles=[any_role]
    )


@pytest.fixture
def insider_same_role(bank: Bank, any_role: Role) -> User:
    """The positive control of `outsider_any_role`: the same role on S1's side (O1A for outlet roles,
    as 刘强 the outlet head or 张伟 the teller), who does see S1 where the role allows. Not to be used
    with `outlet_head` or `colleague`, which hold the same people's logins."""
    if any_role not in OUTLET_ROLES:
        return UserFactory.create(username=f"s1_{any_role.value}", unit=bank.s1, roles=[any_role])
    person = bank.head_1a if any_role == Role.OUTLET_HEAD else bank.teller_1a
    return UserFactory.create(
        username=f"o1a_{any_role.value}", unit=bank.o1a, person=person, roles=[any_role]
    )


@pytest.fixture
def auditor(bank: Bank) -> User:
    return UserFactory.create(username="auditor", unit=bank.head_office, roles=[Role.AUDITOR])


@pytest.fixture
def admin(bank: Bank) -> User:
    return UserFactory.create(username="admin", is_superuser=True, is_staff=True)


# -- browser tests (youfu.testing.browser: a module marks itself with pytestmark = BROWSER_TEST) --


@pytest.fixture
def browser() -> Iterator[Any]:
    with launch() as chromium:
        yield chromium


@pytest.fixture
def role_groups(transactional_db: None) -> None:
    """The role groups come from a data migration, which a transactional test's flush wipes out.
    (serialized_rollback cannot restore them here: under Playwright's event loop Django hands the
    test's thread fresh connection objects, without the serialized copy made when the database was
    set up.)"""
    for role in Role.values:
        Group.objects.get_or_create(name=role)
