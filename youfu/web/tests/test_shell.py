"""The shell: login, logout, language, navigation, user menu, dashboard."""

from __future__ import annotations

from django.urls import reverse

from youfu.testing.factories import PASSWORD
from youfu.web import navigation
from youfu.web.navigation import NavItem


def test_anonymous_dashboard_redirects_to_login(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_login_with_wrong_password_shows_error_and_stays_signed_out(client, s1_office):
    response = client.post("/login/", {"username": "s1_office", "password": "wrong-password"})

    assert response.status_code == 200
    assert "用户名或密码错误，请重新输入。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_with_right_password_opens_the_dashboard(client, s1_office):
    response = client.post("/login/", {"username": "s1_office", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(s1_office.pk)


def test_logout_is_a_post_and_returns_to_login(client, s1_office):
    client.force_login(s1_office)

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_pages_are_chinese_by_default_even_for_an_english_browser(client, s1_office):
    client.force_login(s1_office)

    response = client.get("/org/people/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "<h1>人员" in html
    assert "New person" not in html


def test_language_switch_to_english_and_back(client, s1_office):
    client.force_login(s1_office)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/org/people/"})
    assert response.status_code == 302
    assert response["Location"] == "/org/people/"
    english = client.get("/org/people/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/org/people/"})
    chinese = client.get("/org/people/").content.decode()

    assert '<html lang="en">' in english
    assert "<h1>People" in english
    assert "Teller" in english
    assert '<html lang="zh-hans">' in chinese
    assert "<h1>人员" in chinese
    assert "柜员" in chinese


def test_navigation_shows_audit_only_with_the_audit_permission(client, colleague, auditor):
    client.force_login(colleague)
    staff_html = client.get("/").content.decode()
    client.force_login(auditor)
    auditor_html = client.get("/").content.decode()

    assert 'data-nav="people"' in staff_html
    assert 'data-nav="api_docs"' in staff_html
    assert 'data-nav="audit"' not in staff_html
    assert 'data-nav="audit"' in auditor_html


def test_navigation_marks_the_entry_with_the_longest_matching_address(client, s1_office):
    """The ratings live at /feedback/, the callbacks at /feedback/callbacks/: on a callbacks page only
    the callbacks entry is current."""
    from django.urls import reverse

    client.force_login(s1_office)
    response = client.get(reverse("feedback:callbacks"))
    assert response.status_code == 200
    links = {link.item.key: link.active for link in response.context["nav_links"]}
    assert [key for key, active in links.items() if active] == ["callbacks"]


def test_navigation_marks_the_current_section(client, s1_office):
    client.force_login(s1_office)

    response = client.get("/org/people/")

    links = {link.item.key: link.active for link in response.context["nav_links"]}
    # Only the current section is marked, among the shell's entries and those the apps add.
    assert [key for key, active in links.items() if active] == ["people"]
    assert {
        "dashboard",
        "org",
        "people",
        "periods",
        "facts",
        "standards",
        "scoring",
        "users",
        "audit",
        "api_docs",
    } <= set(links)


def test_apps_can_add_navigation_entries(client, s1_office):
    client.force_login(s1_office)
    navigation.register(NavItem(key="later", label="Later module", url_name="org:unit_tree", order=15))
    navigation.register(
        NavItem(key="secret", label="Secret", url_name="org:unit_tree", perm="org.delete_unit", order=16)
    )
    try:
        response = client.get("/")
        registered = [item.key for item in navigation.registered()]
    finally:
        navigation.unregister("later")
        navigation.unregister("secret")

    keys = [link.item.key for link in response.context["nav_links"]]
    # The new entry takes its place by order (after the notices at 5 and org at 10, before people at 20);
    # the one needing a permission the user lacks is left out; the rest, the apps' own entries (facts and
    # standards at 40, by key, scoring at 50 …) among them, keep the registry's order.
    assert keys[:5] == ["dashboard", "notifications", "org", "later", "people"]
    assert "secret" not in keys
    assert keys == [key for key in registered if key in keys]
    assert keys.index("facts") < keys.index("standards") < keys.index("scoring") < keys.index("users")
    assert keys[-3:] == ["users", "audit", "api_docs"]


def test_user_menu_shows_name_roles_and_unit_in_charge(client, outlet_head, bank):
    client.force_login(outlet_head)

    html = client.get("/").content.decode()

    assert '<span class="user-name">刘强</span>' in html
    assert '<span class="badge text-bg-light border me-1">网点负责人</span>' in html
    assert f'<a href="/org/units/{bank.o1a.pk}/">东城营业部</a>' in html


def test_dashboard_counts_units_and_people_of_the_subtree_only(client, s1_office, bank):
    client.force_login(s1_office)

    response = client.get("/")

    assert [(kind.value, n) for kind, n in response.context["unit_rows"]] == [
        ("head_office", 0),
        ("branch", 0),
        ("sub_branch", 1),
        ("outlet", 2),
        ("department", 0),
    ]
    assert response.context["unit_total"] == 3
    assert [(p.value, n) for p, n in response.context["position_rows"]] == [("teller", 2), ("outlet_head", 1)]
    assert response.context["people_total"] == 3
    assert [u.code for u in response.context["roots"]] == ["S1"]


def test_dashboard_of_a_user_without_unit_says_so(client, db):
    from youfu.testing.factories import UserFactory

    nobody = UserFactory(username="nobody", roles=["staff"])
    client.force_login(nobody)

    html = client.get(reverse("web:dashboard")).content.decode()

    assert "您的账号尚未负责任何机构" in html


def test_static_assets_are_served_locally(client, db):
    css = client.get("/static/vendor/bootstrap/bootstrap.min.css")
    js = client.get("/static/vendor/bootstrap/bootstrap.bundle.min.js")
    icons = client.get("/static/web/icons.svg")

    assert css.status_code == 200
    assert js.status_code == 200
    assert icons.status_code == 200


def test_not_found_page_is_friendly_and_names_nothing(client, outsider, bank):
    client.force_login(outsider)

    response = client.get(f"/org/units/{bank.s1.pk}/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "该页面不存在，或涉及您负责范围以外的机构。" in html
    assert "东城支行" not in html


def test_forbidden_page_explains_the_role(client, colleague, bank):
    client.force_login(colleague)

    response = client.get(f"/org/units/{bank.o1a.pk}/edit/")

    assert response.status_code == 403
    assert "您的角色无权执行此操作。" in response.content.decode()
