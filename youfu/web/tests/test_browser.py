"""Browser tests: headless Debian Chromium driven by Playwright against a live server.

Run them alone with `pytest -m browser`. Set YOUFU_SHOTS_DIR=/tmp/yf-shots to keep screenshots.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from youfu.org.choices import Position
from youfu.org.models import Person, PersonMove
from youfu.testing.browser import BROWSER_TEST, launch, shot
from youfu.testing.factories import PASSWORD, PersonFactory

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

pytestmark = BROWSER_TEST


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One browser for the module's many tests (a fresh context each)."""
    with launch() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def staff(bank):
    """A few more people, so the lists look like lists."""
    names = ["陈静", "杨洋", "赵磊", "黄敏", "周杰", "吴婷"]
    positions = [Position.TELLER, Position.LOBBY_MANAGER, Position.WEALTH_MANAGER, Position.SECURITY_GUARD]
    units = [bank.o1a, bank.o1b, bank.o2a]
    return [
        PersonFactory(name=name, unit=units[i % 3], position=positions[i % 4]) for i, name in enumerate(names)
    ]


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")


def test_login_with_a_wrong_then_the_right_password(page, live_server, s1_office):
    page.goto(f"{live_server.url}/org/people/")
    assert page.url == f"{live_server.url}/login/?next=/org/people/"
    assert page.locator("h1").inner_text() == "登录"

    page.fill("#id_username", "s1_office")
    page.fill("#id_password", "not-the-password")
    page.click("#login-submit")
    assert page.locator("#login-error").inner_text() == "用户名或密码错误，请重新输入。"
    shot(page, "browser-login-error")

    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/org/people/")
    assert page.locator("h1").inner_text().startswith("人员")


def test_dashboard_navigation(page, live_server, branch_office, staff):
    sign_in(page, live_server, "branch_office")
    assert page.locator("#main-nav .nav-link.active").inner_text() == "首页"
    assert page.locator("#people-by-position [data-position=teller]").inner_text() == "5"
    shot(page, "browser-dashboard")

    page.click("#main-nav [data-nav=org]")
    page.wait_for_url(f"{live_server.url}/org/units/")
    assert page.locator("#main-nav .nav-link.active").inner_text() == "机构"

    page.click("#main-nav [data-nav=people]")
    page.wait_for_url(f"{live_server.url}/org/people/")
    assert page.locator("#main-nav .nav-link.active").inner_text() == "人员"

    page.click("#main-nav [data-nav=audit]")
    page.wait_for_url(f"{live_server.url}/audit/")
    assert page.locator("h1").inner_text() == "审计日志"

    page.click("#user-menu")
    assert page.locator(".user-menu").get_by_text("服务办").is_visible()
    page.click("#logout-button")
    page.wait_for_url(f"{live_server.url}/login/")


def test_org_tree_expands_on_demand(page, live_server, branch_office, staff):
    sign_in(page, live_server, "branch_office")
    page.goto(f"{live_server.url}/org/units/")
    tree = page.locator("#org-tree")
    assert tree.locator("li[data-unit=S1]").is_visible()
    assert tree.locator("li[data-unit=O1A]").count() == 0  # not loaded until S1 is opened

    tree.locator("li[data-unit=S1] > details > summary").click()
    outlet = tree.locator("li[data-unit=O1A]")
    outlet.wait_for()
    assert outlet.locator(".count").inner_text() == "4 人"
    shot(page, "browser-tree")

    tree.locator("li[data-unit=S1] > details > summary").click()
    assert not outlet.is_visible()


def test_people_search_and_filter(page, live_server, branch_office, staff):
    sign_in(page, live_server, "branch_office")
    page.goto(f"{live_server.url}/org/people/")
    assert page.locator("#people-table tbody tr").count() == 10

    page.fill("#id_q", "李")
    page.click("#people-search-submit")
    page.wait_for_url(re.compile(r".*q=%E6%9D%8E.*"))
    assert page.locator("#people-table tbody td.primary").all_inner_texts() == ["李娜"]

    page.fill("#id_q", "")
    page.select_option("#id_position", "teller")
    page.fill("#id_unit", "S1")
    page.click("#people-search-submit")
    page.wait_for_url(re.compile(r".*position=teller.*"))
    names = page.locator("#people-table tbody td.primary").all_inner_texts()
    assert names == ["张伟", "李娜", "陈静", "周杰"]
    shot(page, "browser-people-filtered")

    page.click("#people-table thead [data-sort=name]")
    page.wait_for_url(re.compile(r".*sort=name.*"))
    ascending = page.locator("#people-table tbody td.primary").all_inner_texts()
    page.click("#people-table thead [data-sort=name]")
    page.wait_for_url(re.compile(r".*sort=-name.*"))
    descending = page.locator("#people-table tbody td.primary").all_inner_texts()
    assert sorted(ascending) == sorted(names)
    assert descending == ascending[::-1]


def test_person_page_and_a_move(page, live_server, branch_office, bank):
    sign_in(page, live_server, "branch_office")
    page.goto(f"{live_server.url}/org/people/{bank.teller_1a.pk}/")
    assert page.locator("#person-unit").inner_text() == "东城营业部"
    assert page.locator(".breadcrumb li").all_inner_texts() == ["江州分行", "东城支行", "东城营业部", "张伟"]

    page.click("#person-move")
    page.fill("#id_to_unit", "O1")
    page.locator("datalist#to_unit-suggestions option[value=O1B]").wait_for(state="attached")
    page.fill("#id_to_unit", "O1B")
    page.fill("#id_effective_date", "2026-01-05")
    page.fill("#id_reason", "轮岗")
    shot(page, "browser-move-form")
    page.click("#move-form button[type=submit]")

    page.wait_for_url(f"{live_server.url}/org/people/{bank.teller_1a.pk}/")
    assert page.locator(".alert-success").inner_text().startswith("张伟 已调动至 东湖网点")
    assert page.locator("#person-unit").inner_text() == "东湖网点"
    assert page.locator("#moves-table tbody tr").first.inner_text().split() == [
        "2026-01-05",
        "东城营业部",
        "东湖网点",
        "柜员",
        "轮岗",
    ]
    shot(page, "browser-person-moved")
    assert Person.objects.get(pk=bank.teller_1a.pk).unit_id == bank.o1b.pk


def test_a_move_outside_the_subtree_is_refused_on_the_field(page, live_server, s1_office, bank):
    sign_in(page, live_server, "s1_office")
    page.goto(f"{live_server.url}/org/people/{bank.teller_1a.pk}/move/")
    page.fill("#id_to_unit", "O2A")
    page.fill("#id_effective_date", "2026-01-05")
    page.click("#move-form button[type=submit]")

    error = page.locator("#id_to_unit ~ .invalid-feedback")
    assert error.inner_text() == "机构 O2A 不存在，或不在您负责的管辖范围内。"
    assert Person.objects.get(pk=bank.teller_1a.pk).unit_id == bank.o1a.pk
    assert PersonMove.objects.count() == 0


def test_language_switch_to_english_and_back(page, live_server, s1_office):
    sign_in(page, live_server, "s1_office")
    page.goto(f"{live_server.url}/org/people/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.click("#language-switch [data-language=en]")
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/org/people/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("People")
    assert page.locator("#main-nav [data-nav=org]").inner_text() == "Organisation"
    shot(page, "browser-people-english")

    page.click("#language-switch [data-language=zh-hans]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text().startswith("人员")


def test_phone_menu_collapses_and_people_list_is_usable(phone, live_server, branch_office, staff):
    sign_in(phone, live_server, "branch_office")
    nav = phone.locator("#main-nav [data-nav=people]")
    assert not nav.is_visible()
    assert phone.locator("#menu-toggle").is_visible()
    shot(phone, "browser-phone-dashboard")

    phone.click("#menu-toggle")
    nav.wait_for(state="visible")
    shot(phone, "browser-phone-menu")
    nav.click()
    phone.wait_for_url(f"{live_server.url}/org/people/")

    # Filters beyond the search box fold away; each person is a card that fits the screen.
    assert not phone.locator("#id_position").is_visible()
    assert not phone.locator("#people-table thead").is_visible()
    card = phone.locator("#people-table tbody tr").first
    box = card.bounding_box()
    assert box is not None
    assert box["width"] <= PHONE["width"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    phone.fill("#id_q", "王")
    phone.click("#people-search-submit")
    phone.wait_for_url(re.compile(r".*q=.*"))
    assert phone.locator("#people-table tbody td.primary").all_inner_texts() == ["王芳"]

    phone.click("#more-filters")
    assert phone.locator("#id_position").is_visible()
    shot(phone, "browser-phone-people")
