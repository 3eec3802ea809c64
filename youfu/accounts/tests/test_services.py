import pytest
from auditlog.models import LogEntry
from rest_framework.authtoken.models import Token

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.accounts.services import (
    token_issue,
    user_create,
    user_roles,
    user_set_password,
    user_update,
)
from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.testing.factories import PASSWORD, UserFactory


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


# --- user_update, user_set_password ----------------------------------------------------------------


def _state(user: User) -> tuple:
    user = User.objects.get(pk=user.pk)
    return (user.unit_id, sorted(user.groups.values_list("name", flat=True)), user.is_active, user.password)


def test_person_with_a_login_cannot_get_a_second_one(bank, s1_office, colleague):
    with pytest.raises(ApplicationError) as err:
        user_create(
            actor=s1_office,
            username="zhangwei2",
            password="a-long-pass-phrase",
            unit=bank.o1a,
            roles=[Role.STAFF],
            person=bank.teller_1a,
        )
    assert (err.value.field, err.value.message) == ("person", "张伟 已有登录账号。")
    assert not User.objects.filter(username="zhangwei2").exists()


def test_update_roles_unit_and_active_flag_is_audited(bank, s1_office, colleague):
    user_update(
        actor=s1_office,
        user=colleague,
        unit=bank.s1,
        roles=[Role.STAFF, Role.INSPECTOR],
        is_active=False,
    )

    user = User.objects.get(pk=colleague.pk)
    assert (user.unit, user_roles(user), user.is_active) == (bank.s1, [Role.INSPECTOR, Role.STAFF], False)
    entries = LogEntry.objects.get_for_object(user).filter(actor=s1_office).order_by("pk")
    assert [e.action for e in entries] == [LogEntry.Action.UPDATE] * 2
    fields, groups = entries[0].changes_dict, entries[1].changes_dict
    assert fields == {"unit": [str(bank.o1a.pk), str(bank.s1.pk)], "is_active": ["True", "False"]}
    assert groups["groups"]["operation"] == "add"
    assert groups["groups"]["objects"] == ["inspector"]


def test_none_leaves_a_value_as_it_is(bank, s1_office, colleague):
    before = _state(colleague)

    user_update(actor=s1_office, user=colleague)

    assert _state(colleague) == before
    assert not LogEntry.objects.get_for_object(colleague).filter(actor=s1_office).exists()


def test_update_of_a_user_outside_the_subtree_is_refused(bank, outsider, colleague):
    before = _state(colleague)

    with pytest.raises(PermissionDeniedError):
        user_update(actor=outsider, user=colleague, roles=[Role.SERVICE_OFFICE])

    assert _state(colleague) == before


def test_moving_a_user_to_a_unit_outside_the_subtree_is_refused(bank, s1_office, outlet_head):
    before = _state(outlet_head)

    with pytest.raises(PermissionDeniedError) as err:
        user_update(actor=s1_office, user=outlet_head, unit=bank.branch)

    assert err.value.field == "unit"
    assert _state(outlet_head) == before


def test_the_linked_person_must_stay_inside_the_new_unit(bank, s1_office, outlet_head):
    before = _state(outlet_head)

    with pytest.raises(ApplicationError) as err:
        user_update(actor=s1_office, user=outlet_head, unit=bank.o1b)

    assert err.value.field == "unit"
    assert err.value.message.startswith("该账号关联的员工 刘强 不在 东湖网点 及其下级机构中")
    assert _state(outlet_head) == before


def test_nobody_changes_their_own_roles_or_deactivates_themselves(bank, s1_office):
    before = _state(s1_office)

    with pytest.raises(ApplicationError) as roles:
        user_update(actor=s1_office, user=s1_office, roles=[Role.SERVICE_OFFICE, Role.AUDITOR])
    with pytest.raises(ApplicationError) as active:
        user_update(actor=s1_office, user=s1_office, is_active=False)

    assert (roles.value.field, roles.value.message) == ("roles", "不能修改自己的角色。")
    assert (active.value.field, active.value.message) == ("is_active", "不能停用自己的账号。")
    assert _state(s1_office) == before


def test_own_unchanged_roles_may_be_passed_back(bank, s1_office):
    user_update(actor=s1_office, user=s1_office, roles=[Role.SERVICE_OFFICE], is_active=True, unit=bank.o1a)

    assert User.objects.get(pk=s1_office.pk).unit == bank.o1a


def test_only_an_administrator_touches_an_administrator(bank, s1_office, admin):
    root = UserFactory.create(username="root_s1", unit=bank.s1, is_superuser=True)
    before = _state(root)

    with pytest.raises(PermissionDeniedError) as update:
        user_update(actor=s1_office, user=root, is_active=False)
    with pytest.raises(PermissionDeniedError):
        user_set_password(actor=s1_office, user=root, password="another-long-phrase")

    assert update.value.message == "只有系统管理员才能修改系统管理员。"
    assert _state(root) == before
    user_update(actor=admin, user=root, is_active=False)
    assert User.objects.get(pk=root.pk).is_active is False


def test_an_administrator_manages_an_administrator_without_a_unit(bank, admin):
    other = UserFactory.create(username="root2", is_superuser=True)

    user_update(actor=admin, user=other, roles=[Role.AUDITOR])
    user_set_password(actor=admin, user=other, password="another-long-phrase")

    other = User.objects.get(pk=other.pk)
    assert (user_roles(other), other.check_password("another-long-phrase")) == ([Role.AUDITOR], True)


def test_auditor_may_not_change_users(bank, auditor, colleague):
    before = _state(colleague)

    with pytest.raises(PermissionDeniedError):
        user_update(actor=auditor, user=colleague, is_active=False)
    with pytest.raises(PermissionDeniedError):
        user_set_password(actor=auditor, user=colleague, password="another-long-phrase")

    assert _state(colleague) == before


def test_update_refuses_an_unknown_role(bank, s1_office, colleague):
    before = _state(colleague)

    with pytest.raises(ApplicationError) as err:
        user_update(actor=s1_office, user=colleague, roles=["boss"])

    assert err.value.field == "roles"
    assert _state(colleague) == before


def test_set_password_revokes_the_token_and_logs_no_hash(bank, s1_office, colleague):
    token_issue(user=colleague)

    user_set_password(actor=s1_office, user=colleague, password="another-long-phrase")

    user = User.objects.get(pk=colleague.pk)
    assert user.check_password("another-long-phrase")
    assert not Token.objects.filter(user=user).exists()
    entry = LogEntry.objects.get_for_object(user).get(actor=s1_office)
    assert entry.changes_dict == {"password": ["***", "***"]}
    assert user.password not in entry.changes_text + str(entry.changes) + str(entry.serialized_data)


def test_a_weak_password_is_refused_and_the_old_one_stays(bank, s1_office, colleague):
    with pytest.raises(ApplicationError) as err:
        user_set_password(actor=s1_office, user=colleague, password="12345678")

    assert err.value.field == "password"
    assert User.objects.get(pk=colleague.pk).check_password(PASSWORD)


def test_set_password_outside_the_subtree_is_refused(bank, outsider, colleague):
    with pytest.raises(PermissionDeniedError):
        user_set_password(actor=outsider, user=colleague, password="another-long-phrase")

    assert User.objects.get(pk=colleague.pk).check_password(PASSWORD)
