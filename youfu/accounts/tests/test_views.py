"""The users pages (用户与角色): list, user page, create, change roles/unit/active, reset a password —
per persona: service office (manages its subtree), auditor (reads), staff (no access), outsider (404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.models import Group

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.accounts.services import user_roles, user_set_password
from youfu.org.services import person_move
from youfu.testing.factories import PASSWORD, UserFactory

S1_USERS = ("s1_office", "outlet_head", "colleague")
NEW_PASSWORD = "spring-blossom-77"


def _html(response) -> str:
    return response.content.decode()


def _usernames(response) -> list[str]:
    return [row["account"].username for row in response.context["rows"]]


def _snapshot() -> list[tuple]:
    return [
        (
            u.username,
            u.unit_id,
            u.person_id,
            u.is_active,
            u.password,
            tuple(sorted(g.name for g in u.groups.all())),
        )
        for u in User.objects.order_by("pk").prefetch_related("groups")
    ]


def _new_user(**overrides) -> dict:
    data = {
        "username": "o1b_head",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "unit": "O1B",
        "roles": [Role.OUTLET_HEAD, Role.INSPECTOR],
        "person": "100002",
        "email": "",
    }
    data.update(overrides)
    return data


# --- list ------------------------------------------------------------------------------------------


def test_service_office_lists_the_users_of_its_subtree(
    client, s1_office, outlet_head, colleague, outsider, branch_office, auditor, admin
):
    client.force_login(s1_office)

    response = client.get("/users/")

    assert response.status_code == 200
    assert _usernames(response) == ["colleague", "outlet_head", "s1_office"]
    html = _html(response)
    for other in ("outsider", "branch_office", "auditor", "admin"):
        assert f'data-user="{other}"' not in html
    assert "共 3 个用户" in html


def test_the_list_shows_roles_unit_person_last_login_and_status(
    client, s1_office, outlet_head, colleague, bank
):
    colleague.is_active = False
    colleague.save()
    client.force_login(outlet_head)  # sets outlet_head's last login
    client.force_login(s1_office)

    response = client.get("/users/")

    rows = {row["account"].username: row for row in response.context["rows"]}
    assert rows["outlet_head"]["roles"] == [Role.OUTLET_HEAD]
    assert rows["outlet_head"]["name"] == "刘强"
    assert rows["outlet_head"]["account"].last_login is not None
    html = _html(response)
    assert '<span class="badge text-bg-light border me-1" data-role="outlet_head">网点负责人</span>' in html
    assert '<span class="badge text-bg-light border me-1" data-role="service_office">服务办</span>' in html
    assert f'href="/org/units/{bank.o1a.pk}/">东城营业部</a>' in html
    assert f'href="/org/people/{bank.head_1a.pk}/">100009</a>' in html
    assert ">停用</span>" in html
    assert 'href="/users/new/"' in html


def test_filter_by_role(client, branch_office, s1_office, outlet_head, colleague):
    client.force_login(branch_office)

    response = client.get("/users/", {"role": Role.SERVICE_OFFICE})

    assert _usernames(response) == ["branch_office", "s1_office"]


def test_filter_by_unit_code_takes_the_unit_and_below(
    client, branch_office, s1_office, outlet_head, outsider
):
    client.force_login(branch_office)

    s1 = client.get("/users/", {"unit": "S1"})
    o1a = client.get("/users/", {"unit": "O1A"})

    assert _usernames(s1) == ["outlet_head", "s1_office"]
    assert _usernames(o1a) == ["outlet_head"]


def test_search_by_user_name_person_name_or_employee_number(client, branch_office, outlet_head, colleague):
    client.force_login(branch_office)

    assert _usernames(client.get("/users/", {"q": "outlet"})) == ["outlet_head"]
    assert _usernames(client.get("/users/", {"q": "张伟"})) == ["colleague"]
    assert _usernames(client.get("/users/", {"q": "100009"})) == ["outlet_head"]


def test_a_unit_outside_the_subtree_is_an_error_and_lists_nobody(client, s1_office, outsider):
    client.force_login(s1_office)

    response = client.get("/users/", {"unit": "S2"})

    assert _usernames(response) == []
    assert response.context["filter"].errors == {"unit": ["机构 S2 不存在，或不在您负责的管辖范围内。"]}


def test_sorting_by_unit(client, branch_office, s1_office, outlet_head, outsider):
    client.force_login(branch_office)

    response = client.get("/users/", {"sort": "unit"})

    assert _usernames(response) == ["branch_office", "s1_office", "outlet_head", "outsider"]


def test_a_person_moved_out_of_the_subtree_is_not_named(client, s1_office, outlet_head, branch_office, bank):
    person_move(
        actor=branch_office, person=bank.head_1a, to_unit=bank.o2a, effective_date=dt.date(2026, 1, 5)
    )
    client.force_login(s1_office)

    listing = client.get("/users/", {"q": "刘强"})
    detail = client.get(f"/users/{outlet_head.pk}/")

    assert _usernames(listing) == []
    assert "刘强" not in _html(detail)
    assert "100009" not in _html(detail)
    assert detail.context["person_visible"] is False


def test_an_administrator_sees_every_user_including_administrators(client, admin, s1_office, outsider):
    client.force_login(admin)

    response = client.get("/users/")

    assert _usernames(response) == ["admin", "outsider", "s1_office"]
    assert "全行" in _html(response)


def test_navigation_entry_only_with_the_right_to_view_users(
    client, s1_office, auditor, colleague, outlet_head
):
    for user, shown in ((s1_office, True), (auditor, True), (colleague, False), (outlet_head, False)):
        client.force_login(user)

        html = _html(client.get("/"))

        assert ('data-nav="users"' in html) is shown, user.username


# --- user page ---------------------------------------------------------------------------------------


def test_user_page_shows_roles_unit_and_person(client, s1_office, outlet_head, bank):
    client.force_login(s1_office)

    response = client.get(f"/users/{outlet_head.pk}/")

    assert response.status_code == 200
    assert response.context["roles"] == [Role.OUTLET_HEAD]
    assert response.context["can_manage"] is True
    html = _html(response)
    assert "刘强" in html
    assert f'href="/users/{outlet_head.pk}/edit/"' in html
    assert f'href="/users/{outlet_head.pk}/password/"' in html
    assert f'href="/audit/?type=accounts.user&amp;object={outlet_head.pk}"' in html


# --- auditor: reads, changes nothing -------------------------------------------------------------------


def test_auditor_reads_users_but_has_no_buttons_and_no_forms(client, auditor, s1_office, colleague):
    before = _snapshot()
    client.force_login(auditor)

    listing = client.get("/users/")
    detail = client.get(f"/users/{colleague.pk}/")
    create = client.post("/users/new/", _new_user())
    edit = client.post(f"/users/{colleague.pk}/edit/", {"unit": "S1", "roles": [Role.AUDITOR]})
    password = client.post(
        f"/users/{colleague.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert _usernames(listing) == ["auditor", "colleague", "s1_office"]
    assert detail.status_code == 200
    assert detail.context["can_manage"] is False
    assert "/users/new/" not in _html(listing)
    assert f"/users/{colleague.pk}/edit/" not in _html(detail)
    assert (create.status_code, edit.status_code, password.status_code) == (403, 403, 403)
    assert _snapshot() == before


# --- staff: no access ------------------------------------------------------------------------------------


def test_staff_may_not_see_or_change_users(client, colleague, outlet_head):
    before = _snapshot()
    client.force_login(colleague)

    responses = [
        client.get("/users/"),
        client.get(f"/users/{outlet_head.pk}/"),
        client.get("/users/new/"),
        client.post("/users/new/", _new_user()),
        client.post(f"/users/{outlet_head.pk}/edit/", {"unit": "O1A", "roles": [Role.SERVICE_OFFICE]}),
        client.post(f"/users/{colleague.pk}/edit/", {"unit": "O1A", "roles": [Role.SERVICE_OFFICE]}),
        client.post(
            f"/users/{outlet_head.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        ),
    ]

    assert [r.status_code for r in responses] == [403] * 7
    assert _snapshot() == before


def test_anonymous_is_sent_to_login(client, colleague):
    for url in ("/users/", "/users/new/", f"/users/{colleague.pk}/", f"/users/{colleague.pk}/edit/"):
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"


# --- outsider: 404, nothing changes ------------------------------------------------------------------------


def test_outsider_gets_404_for_s1_users_and_changes_nothing(
    client, outsider, s1_office, outlet_head, colleague
):
    before = _snapshot()
    client.force_login(outsider)

    for user in (s1_office, outlet_head, colleague):
        detail = client.get(f"/users/{user.pk}/")
        edit_get = client.get(f"/users/{user.pk}/edit/")
        edit = client.post(f"/users/{user.pk}/edit/", {"unit": "S2", "roles": [Role.STAFF], "is_active": ""})
        password = client.post(
            f"/users/{user.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )

        assert (detail.status_code, edit_get.status_code, edit.status_code, password.status_code) == (
            404,
            404,
            404,
            404,
        )
    assert _snapshot() == before


def test_outsider_lists_and_finds_nothing_of_s1(client, outsider, s1_office, outlet_head, colleague):
    client.force_login(outsider)

    listing = client.get("/users/")
    search = client.get("/users/", {"q": "o"})

    assert _usernames(listing) == ["outsider"]
    assert _usernames(search) == ["outsider"]
    html = _html(listing) + _html(search)
    shown = [f'data-user="{name}"' for name in S1_USERS] + [
        f'href="/users/{u.pk}/"' for u in (s1_office, outlet_head, colleague)
    ]
    assert not [text for text in (*shown, "东城", "刘强", "张伟") if text in html]


def test_outsider_cannot_create_a_user_in_s1(client, outsider):
    before = _snapshot()
    client.force_login(outsider)

    response = client.post("/users/new/", _new_user(person=""))

    assert response.status_code == 200
    assert response.context["form"].errors == {"unit": ["机构 O1B 不存在，或不在您负责的管辖范围内。"]}
    assert _snapshot() == before


# --- create --------------------------------------------------------------------------------------------


def test_service_office_creates_a_user_with_two_roles_and_a_person(client, s1_office, bank):
    client.force_login(s1_office)

    response = client.post("/users/new/", _new_user())

    user = User.objects.get(username="o1b_head")
    assert response.status_code == 302
    assert response["Location"] == f"/users/{user.pk}/"
    assert (user.unit, user.person, user.first_name, user.is_active) == (
        bank.o1b,
        bank.teller_1b,
        "李娜",
        True,
    )
    assert user_roles(user) == [Role.INSPECTOR, Role.OUTLET_HEAD]
    assert user.check_password(NEW_PASSWORD)
    assert LogEntry.objects.get_for_object(user).filter(actor=s1_office).count() == 2  # the row, the groups
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["用户 o1b_head 已创建。"]
    assert client.login(username="o1b_head", password=NEW_PASSWORD)


def test_the_create_form_offers_the_roles_as_checkboxes(client, s1_office):
    client.force_login(s1_office)

    html = _html(client.get("/users/new/", {"unit": "O1A"}))

    for role in Role:
        assert f'type="checkbox" name="roles" value="{role.value}"' in html
    assert ">客服/投诉处理</label>" in html
    assert ">审计（只读）</label>" in html
    assert 'name="unit" value="O1A"' in html


def test_create_errors_are_shown_on_their_fields_and_nothing_is_created(client, s1_office, outlet_head, bank):
    client.force_login(s1_office)
    cases: list[tuple[dict[str, Any], dict[str, list[str]]]] = [
        ({"password2": "something-else-1"}, {"password2": ["两次输入的密码不一致。"]}),
        ({"roles": []}, {"roles": ["请至少选择一个角色。"]}),
        ({"unit": "O2A"}, {"unit": ["机构 O2A 不存在，或不在您负责的管辖范围内。"]}),
        ({"person": "200001"}, {"person": ["您负责的管辖范围内没有工号为 200001 的员工。"]}),
        ({"person": "100001", "unit": "O1B"}, {"person": ["该员工必须属于用户负责的机构或其下级机构。"]}),
        ({"person": "100009", "unit": "O1A"}, {"person": ["刘强 已有登录账号。"]}),
        ({"username": "outlet_head", "person": ""}, {"username": ["用户名 outlet_head 已被占用。"]}),
        (
            {"username": "bad name!"},
            {"username": ["请输入合法的用户名。只能包含英文字母、数字、特殊字符“@”、“.”、“-”和“_”。"]},
        ),
    ]
    for overrides, errors in cases:
        before = _snapshot()

        response = client.post("/users/new/", _new_user(**overrides))

        assert response.status_code == 200, overrides
        assert response.context["form"].errors == errors, overrides
        assert _snapshot() == before


def test_a_weak_password_is_refused_on_the_password_field(client, s1_office):
    client.force_login(s1_office)

    response = client.post("/users/new/", _new_user(password1="12345678", password2="12345678"))

    assert list(response.context["form"].errors) == ["password1"]
    assert not User.objects.filter(username="o1b_head").exists()


# --- change roles, unit, active flag ----------------------------------------------------------------------


def test_service_office_changes_roles_unit_and_active_flag(client, s1_office, colleague, bank):
    client.force_login(s1_office)

    response = client.post(
        f"/users/{colleague.pk}/edit/", {"unit": "S1", "roles": [Role.STAFF, Role.COMPLAINT_HANDLER]}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/users/{colleague.pk}/"
    user = User.objects.get(pk=colleague.pk)
    assert (user.unit, user_roles(user), user.is_active) == (
        bank.s1,
        [Role.STAFF, Role.COMPLAINT_HANDLER],
        False,
    )
    assert [str(m) for m in client.get(response["Location"]).context["messages"]] == [
        "用户 colleague 已保存。"
    ]


def test_the_edit_form_starts_from_the_current_values(client, s1_office, outlet_head):
    client.force_login(s1_office)

    form = client.get(f"/users/{outlet_head.pk}/edit/").context["form"]

    assert (form["unit"].value(), form["roles"].value(), form["is_active"].value()) == (
        "O1A",
        [Role.OUTLET_HEAD],
        True,
    )


def test_moving_a_user_outside_the_subtree_is_refused_on_the_unit_field(client, s1_office, colleague):
    before = _snapshot()
    client.force_login(s1_office)

    response = client.post(
        f"/users/{colleague.pk}/edit/", {"unit": "S2", "roles": [Role.STAFF], "is_active": "on"}
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["unit"]
    assert _snapshot() == before


def test_own_roles_and_active_flag_are_shown_but_not_editable(client, s1_office):
    before = _snapshot()
    client.force_login(s1_office)

    page = client.get(f"/users/{s1_office.pk}/edit/")
    response = client.post(
        f"/users/{s1_office.pk}/edit/", {"unit": "S1", "roles": [Role.SERVICE_OFFICE, Role.AUDITOR]}
    )

    form = page.context["form"]
    assert (form.fields["roles"].disabled, form.fields["is_active"].disabled) == (True, True)
    assert "不能修改自己账号的此项设置。" in _html(page)
    assert response.status_code == 302
    assert _snapshot() == before  # the posted roles and the missing active flag were ignored


def test_service_office_may_not_touch_an_administrator(client, s1_office, bank):
    root = UserFactory.create(username="root_s1", unit=bank.s1, is_superuser=True)
    before = _snapshot()
    client.force_login(s1_office)

    detail = client.get(f"/users/{root.pk}/")
    edit = client.post(f"/users/{root.pk}/edit/", {"unit": "S1", "roles": [Role.STAFF]})
    password = client.post(
        f"/users/{root.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert detail.status_code == 200
    assert detail.context["can_manage"] is False
    assert f"/users/{root.pk}/edit/" not in _html(detail)
    assert (edit.status_code, password.status_code) == (403, 403)
    assert _snapshot() == before


def test_an_administrator_edits_an_administrator_without_unit_or_roles(client, admin):
    other = UserFactory.create(username="root2", is_superuser=True)
    client.force_login(admin)

    response = client.post(f"/users/{other.pk}/edit/", {"unit": "", "roles": []})

    assert response.status_code == 302
    other = User.objects.get(pk=other.pk)
    assert (other.unit, user_roles(other), other.is_active) == (None, [], False)


# --- reset a password ---------------------------------------------------------------------------------------


def test_service_office_resets_a_password(client, s1_office, colleague):
    client.force_login(s1_office)

    response = client.post(
        f"/users/{colleague.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/users/{colleague.pk}/"
    assert User.objects.get(pk=colleague.pk).check_password(NEW_PASSWORD)
    assert [str(m) for m in client.get(response["Location"]).context["messages"]] == [
        "colleague 的密码已重置。"
    ]


def test_password_errors_are_shown_on_the_fields(client, s1_office, colleague):
    client.force_login(s1_office)

    differ = client.post(f"/users/{colleague.pk}/password/", {"password1": NEW_PASSWORD, "password2": "x"})
    weak = client.post(
        f"/users/{colleague.pk}/password/", {"password1": "colleague", "password2": "colleague"}
    )

    assert differ.context["form"].errors == {"password2": ["两次输入的密码不一致。"]}
    assert list(weak.context["form"].errors) == ["password1"]
    assert User.objects.get(pk=colleague.pk).check_password(PASSWORD)


def test_resetting_ones_own_password_keeps_one_signed_in(client, s1_office):
    client.force_login(s1_office)

    response = client.post(
        f"/users/{s1_office.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/users/").status_code == 200


def test_the_audit_trail_links_to_the_user_and_shows_a_reset_without_the_hash(
    client, s1_office, colleague, auditor
):
    user_set_password(actor=s1_office, user=colleague, password=NEW_PASSWORD)
    client.force_login(auditor)

    response = client.get("/audit/", {"type": "accounts.user", "object": colleague.pk, "action": 1})

    [row] = [r for r in response.context["rows"] if r.entry.actor == s1_office]
    assert [(c.field, c.old, c.new) for c in row.changes] == [("密码", None, "已重置")]
    assert row.object_url == f"/users/{colleague.pk}/"


def test_role_groups_exist_for_every_role(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
