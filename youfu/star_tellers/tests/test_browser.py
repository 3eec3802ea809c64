"""The star-teller list and the person page's panel in headless Chromium: the branch office computes
October, sees the levels with their inputs and the open questions; the outlet head sees their teller's
star on the person page. Set YOUFU_SHOTS_DIR to keep screenshots."""

from __future__ import annotations

from youfu.testing.browser import BROWSER_TEST, shot
from youfu.testing.factories import PASSWORD

pytestmark = BROWSER_TEST


def _login(browser, live_server, user):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_compute_list_and_person_panel(browser, live_server, rated, october, branch_office, outlet_head):
    page = _login(browser, live_server, branch_office)
    page.goto(f"{live_server.url}/star-tellers/?period=2025-10")
    assert page.locator("#star-none").is_visible()
    page.select_option("#star-compute select[name=period]", "2025-10")
    page.click("#star-compute button[value=compute]")
    page.wait_for_selector("#star-table")
    assert page.locator("#star-open-questions").is_visible()
    assert page.locator("#star-count").inner_text() == "3"
    assert page.locator("#star-total").inner_text() == "600.00"
    row = page.locator("#star-table tr[data-person='100001']")
    assert row.locator(".star-level").get_attribute("data-level") == "5"
    assert "98" in row.inner_text() and "95" in row.inner_text()
    shot(page, "star-tellers-list")
    row.locator("a.star-explain").click()
    page.wait_for_url("**/scoring/runs/**/lines/**")
    page.context.close()

    head = _login(browser, live_server, outlet_head)
    head.goto(f"{live_server.url}/org/people/{rated.teller_1a.pk}/")
    panel = head.locator("#star-panel")
    assert panel.is_visible() and "2025-10" in panel.inner_text()
    assert head.locator("#star-panel-current .star-level").get_attribute("data-level") == "5"
    shot(head, "star-tellers-person-panel")
    head.goto(f"{live_server.url}/star-tellers/")
    assert head.locator("#star-table tr[data-person='100001']").is_visible()
    assert head.locator("#star-table tr[data-person='100002']").count() == 0  # O1B is not the head's outlet
    head.context.close()
