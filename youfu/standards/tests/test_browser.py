"""The standard editor in headless Chromium on a phone-sized screen: open a draft, add a section and two
items, reorder them, publish, and see the published version (Playwright against a live server)."""

from __future__ import annotations

import pytest

from youfu.standards.choices import VersionStatus
from youfu.testing.browser import BROWSER_TEST
from youfu.testing.factories import PASSWORD

pytestmark = BROWSER_TEST


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_edit_and_publish_a_draft_on_a_phone(phone, live_server, s1_standard, s1_office):
    page = phone
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "s1_office")
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/standards/{s1_standard.pk}/")
    assert "示例警示" in page.locator("#standard-warnings").inner_text()
    page.click("#standard-edit-draft")
    page.wait_for_selector("#editor-version")

    page.click("#add-section")
    page.fill("#id_code", "C")
    page.fill("#id_name", "安保人员")
    page.fill("#id_points", "10")
    page.click("#standards-form button[type=submit]")
    page.wait_for_selector("[data-section=C]")

    for code, text in (("C1", "保安坐姿端正"), ("C2", "保安走动巡视")):
        page.locator("[data-section=C] [data-action=add-item]").click()
        page.fill("#id_code", code)
        page.fill("#id_text", text)
        page.select_option("#id_kind", "pass_fail")
        page.fill("#id_points", "5")
        page.click("#standards-form button[type=submit]")
        page.wait_for_selector(f"[data-item={code}]")

    page.locator("[data-item=C2] [data-action=item-up]").click()
    page.wait_for_load_state()
    codes = page.locator("[data-section=C] [data-item]").evaluate_all("rows => rows.map(r => r.dataset.item)")
    assert codes == ["C2", "C1"]

    # The sections now add up to 110 of 100: a warning, not a refusal (deductions are capped per section).
    page.click("#publish")
    page.wait_for_selector("#version-status")
    assert "已发布" in page.locator("#version-status").inner_text()
    assert page.locator("[data-item=C1]").count() == 1
    assert "standard-edit-draft" not in page.content()
    version = s1_standard.versions.get()
    assert version.status == VersionStatus.PUBLISHED
    assert list(version.items.filter(section__code="C").order_by("order").values_list("code", flat=True)) == [
        "C2",
        "C1",
    ]
