import pytest

from youfu.accounts import access
from youfu.org.models import Person, Unit
from youfu.org.selectors import person_list, unit_list


def test_scope_is_own_subtree(bank, s1_office):
    codes = set(unit_list(user=s1_office).values_list("code", flat=True))
    assert codes == {"S1", "O1A", "O1B"}


def test_outsider_sees_none_of_s1(bank, outsider):
    codes = set(unit_list(user=outsider).values_list("code", flat=True))
    assert codes == {"S2", "O2A"}
    names = set(person_list(user=outsider).values_list("name", flat=True))
    assert names == {"王芳"}


def test_superuser_sees_whole_bank(bank, admin):
    assert unit_list(user=admin).count() == Unit.objects.count()


def test_user_without_unit_sees_nothing(bank, db):
    from youfu.testing.factories import UserFactory

    nobody = UserFactory.create(username="nobody", roles=["staff"])
    assert unit_list(user=nobody).count() == 0
    assert person_list(user=nobody).count() == 0


def test_inactive_user_sees_nothing(bank, s1_office):
    s1_office.is_active = False
    assert access.scope_path(s1_office) is None
    assert access.restrict(Person.objects.all(), s1_office).count() == 0


@pytest.mark.parametrize(
    ("role", "perm", "expected"),
    [
        ("service_office", "org.change_person", True),
        ("auditor", "org.change_person", False),
        ("auditor", "auditlog.view_logentry", True),
        ("staff", "org.view_person", True),
        ("staff", "auditlog.view_logentry", False),
        ("inspector", "org.add_unit", False),
    ],
)
def test_role_permissions(bank, role, perm, expected):
    from youfu.testing.factories import UserFactory

    user = UserFactory.create(unit=bank.s1, roles=[role])
    assert user.has_perm(perm) is expected
