"""Browser test of the users pages: a service office creates a login with two roles, who then signs in.

The browser, the page and the sign-in are those of test_browser.py. Set
YOUFU_SHOTS_DIR=/tmp/yf-shots to keep screenshots (admin-*.png).
"""

from __future__ import annotations

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.accounts.services import user_roles
from youfu.testing.browser import BROWSER_TEST, shot
from youfu.web.tests.test_browser import (  # noqa: F401  (fixtures, found by pytest through this module)
    browser,
    page,
    sign_in,
)

pytestmark = BROWSER_TEST

NEW_PASSWORD = "spring-blossom-77"


def test_service_office_creates_a_user_with_two_roles_who_then_signs_in(page, live_server, s1_office, bank):  # noqa: F811
    sign_in(page, live_server, "s1_office")
    page.click("#main-nav [data-nav=users]")
    page.wait_for_url(f"{live_server.url}/users/")
    assert page.locator("h1").inner_text().startswith("用户与角色")
    assert page.locator("#user-table tbody tr").count() == 1

    page.click("#user-new")
    page.wait_for_url(f"{live_server.url}/users/new/")
    page.fill("#id_username", "lina")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.fill("#id_unit", "O1")
    page.locator("datalist#unit-suggestions option[value=O1B]").wait_for(state="attached")
    page.fill("#id_unit", "O1B")
    page.get_by_label("网点负责人").check()
    page.get_by_label("检查人员").check()
    page.fill("#id_person", "100002")
    shot(page, "admin-user-create")
    page.click("#user-submit")

    user = User.objects.get(username="lina")
    page.wait_for_url(f"{live_server.url}/users/{user.pk}/")
    assert page.locator(".alert-success").inner_text() == "用户 lina 已创建。"
    assert page.locator("#user-roles .badge").all_inner_texts() == ["检查人员", "网点负责人"]
    assert page.locator("#user-unit a").inner_text() == "东湖网点"
    assert page.locator("#user-person a").inner_text() == "李娜"
    shot(page, "admin-user-detail")
    assert (user.unit_id, user.person_id, user_roles(user)) == (
        bank.o1b.pk,
        bank.teller_1b.pk,
        [Role.INSPECTOR, Role.OUTLET_HEAD],
    )

    page.click("#user-menu")
    page.click("#logout-button")
    page.wait_for_url(f"{live_server.url}/login/")
    page.fill("#id_username", "lina")
    page.fill("#id_password", NEW_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")
    page.click("#user-menu")
    menu = page.locator(".user-menu")
    assert menu.locator(".fw-semibold").inner_text() == "李娜"
    assert menu.locator(".badge").all_inner_texts() == ["检查人员", "网点负责人"]
    assert page.locator("#main-nav [data-nav=users]").count() == 0  # neither role manages users
    shot(page, "admin-new-user-signed-in")
