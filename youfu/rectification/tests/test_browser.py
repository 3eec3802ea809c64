"""The main page flow in headless Chromium: the outlet head opens the rectification of a published
finding, starts it, uploads evidence and submits; the service office sees the notice in the top bar,
verifies by an on-site re-check and closes it. Set YOUFU_SHOTS_DIR to keep screenshots."""

from __future__ import annotations

from youfu.rectification.choices import RectificationStatus
from youfu.rectification.models import Rectification
from youfu.testing.browser import BROWSER_TEST, shot
from youfu.testing.factories import PASSWORD

pytestmark = BROWSER_TEST


def _login(browser, url, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(45_000)
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{url}/")
    return context, page


def test_outlet_head_takes_a_finding_to_verified_closure(
    browser, live_server, role_groups, finding, outlet_head, s1_office, tmp_path
):
    context, page = _login(browser, live_server.url, "outlet_head")
    page.goto(f"{live_server.url}/rectification/")
    page.click(f'tr[data-finding="{finding.pk}"] a.open-rect')
    page.fill("#id_required_evidence", "整改后店招照片")
    page.fill("#id_responsible_person", "100009")
    page.click("#open-submit")
    page.wait_for_selector("#start-form-button")
    rect = Rectification.objects.get(finding=finding)
    page.click("#start-form-button")
    page.wait_for_selector(".rect-status[data-status='in_progress']")
    photo = tmp_path / "fixed.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 demo photo")
    page.set_input_files("#evidence-form input[type=file]", str(photo))
    page.click("#evidence-form-button")
    page.wait_for_selector("#evidence-list a")
    page.fill("#submit-form textarea", "店招已清洗, 晨会已通报")
    page.click("#submit-form-button")
    page.wait_for_selector(".rect-status[data-status='submitted']")
    shot(page, "rectification-submitted")
    context.close()

    context, page = _login(browser, live_server.url, "s1_office")
    assert page.inner_text("#notice-badge") == "1"
    page.goto(f"{live_server.url}/rectification/{rect.pk}/")
    page.fill("#verify-form textarea", "复查合格")
    page.click("#verify-form-button")
    page.wait_for_selector(".rect-status[data-status='verified']")
    page.click("#close-form-button")
    page.wait_for_selector(".rect-status[data-status='closed']")
    shot(page, "rectification-closed")
    context.close()
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.CLOSED
    assert rect.evidence.count() == 1
