"""Shared fixtures: a small bank and named personas.

    总行 HO
    └── 分行 BR
        ├── 办公室 BR-OFF (department)
        ├── 东城支行 S1 ── 网点 O1A, O1B
        └── 西城支行 S2 ── 网点 O2A

Personas: `branch_office` (service office, branch), `s1_office` (service office, sub-branch S1),
`outlet_head` (outlet O1A), `colleague` (staff in O1A), `outsider` (service office of S2, must see
nothing of S1), `auditor` (read-only, head office), `admin` (superuser).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.org.choices import Position, UnitKind
from youfu.org.models import Person, Unit
from youfu.testing.factories import PersonFactory, UserFactory, make_unit


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's 1M iterations are right for production logins and wrong for thousands of test users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


@pytest.fixture
def auditor(bank: Bank) -> User:
    return UserFactory.create(username="auditor", unit=bank.head_office, roles=[Role.AUDITOR])


@pytest.fixture
def admin(bank: Bank) -> User:
    return UserFactory.create(username="admin", is_superuser=True, is_staff=True)
