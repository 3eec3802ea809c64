import pytest

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.accounts.services import user_create, user_roles
from youfu.core.errors import ApplicationError, PermissionDeniedError


def test_service_office_creates_user_in_subtree(bank, s1_office):
    user = user_create(
        actor=s1_office,
        username="o1a_head",
        password="a-long-pass-phrase",
        unit=bank.o1a,
        roles=[Role.OUTLET_HEAD],
        person=bank.head_1a,
    )
    assert user.check_password("a-long-pass-phrase")
    assert user_roles(user) == [Role.OUTLET_HEAD]
    assert user.has_perm("org.view_person")
    assert not user.has_perm("org.change_person")


def test_user_outside_subtree_refused(bank, s1_office):
    with pytest.raises(PermissionDeniedError):
        user_create(
            actor=s1_office, username="x", password="a-long-pass-phrase", unit=bank.o2a, roles=["staff"]
        )
    assert not User.objects.filter(username="x").exists()


def test_outlet_head_cannot_create_users(bank, outlet_head):
    with pytest.raises(PermissionDeniedError):
        user_create(
            actor=outlet_head, username="x", password="a-long-pass-phrase", unit=bank.o1a, roles=["staff"]
        )


def test_unknown_role_and_weak_password(bank, s1_office):
    with pytest.raises(ApplicationError) as err:
        user_create(
            actor=s1_office, username="x", password="a-long-pass-phrase", unit=bank.o1a, roles=["boss"]
        )
    assert err.value.field == "roles"
    with pytest.raises(ApplicationError) as err:
        user_create(actor=s1_office, username="x", password="123", unit=bank.o1a, roles=["staff"])
    assert err.value.field == "password"
    assert not User.objects.filter(username="x").exists()


def test_person_must_be_inside_users_unit(bank, s1_office):
    with pytest.raises(ApplicationError) as err:
        user_create(
            actor=s1_office,
            username="x",
            password="a-long-pass-phrase",
            unit=bank.o1b,
            roles=["staff"],
            person=bank.teller_1a,
        )
    assert err.value.field == "person"


def test_only_admin_creates_admin(bank, branch_office):
    with pytest.raises(ApplicationError):
        user_create(
            actor=branch_office,
            username="x",
            password="a-long-pass-phrase",
            unit=bank.branch,
            roles=[],
            is_superuser=True,
        )


def test_admin_creates_admin_without_unit(bank, admin):
    user = user_create(
        actor=admin, username="root2", password="a-long-pass-phrase", unit=None, roles=[], is_superuser=True
    )
    assert user.is_superuser and user.unit is None
