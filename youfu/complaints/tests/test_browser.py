"""Intake → verdict in headless Chromium: a complaint handler registers a 95580 complaint, acknowledges,
resolves, judges it valid with reasons, and closes it; the timeline shows every step and the contact stays
masked. Set YOUFU_SHOTS_DIR to keep screenshots."""

from __future__ import annotations

from youfu.accounts.choices import Role
from youfu.complaints.choices import ComplaintStatus
from youfu.complaints.models import Complaint
from youfu.testing.browser import BROWSER_TEST, shot
from youfu.testing.factories import PASSWORD, UserFactory

pytestmark = BROWSER_TEST


def test_intake_to_verdict(browser, live_server, bank):
    UserFactory.create(username="kefu1", unit=bank.s1, roles=[Role.COMPLAINT_HANDLER])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "kefu1")
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/complaints/new/")
    page.select_option("#id_channel", "hotline_95580")
    page.fill("#id_unit", "O1A")
    page.fill("#id_people", "100001")
    page.select_option("#id_category", "attitude")
    page.fill("#id_customer_name", "赵先生")
    page.fill("#id_customer_phone", "13812345678")
    page.fill("#id_summary", "柜员态度生硬")
    shot(page, "complaints-1-intake")
    page.click("#complaint-register")
    page.wait_for_selector("#complaint-status")
    assert "138****5678" in page.locator("#customer").inner_text()
    assert page.locator("#timer .timer").count() == 1

    page.click("#do-acknowledge")
    page.wait_for_selector("#do-resolve")
    page.fill("#id_resolution", "已致歉,客户接受")
    page.click("#do-resolve")
    page.wait_for_selector("#verdict-form")
    page.check("input[name=verdict][value=valid]")
    page.click("#do-judge")  # no reasons: refused, nothing changes
    page.wait_for_selector(".alert")
    assert page.locator("#verdict-form").count() == 1
    page.check("input[name=verdict][value=valid]")
    page.fill("#verdict-form textarea[name=reason]", "调阅录像属实")
    page.click("#do-judge")
    page.wait_for_selector("#complaint-verdict")
    page.click("#do-close")
    page.wait_for_selector("#callback")
    shot(page, "complaints-2-closed")
    assert page.locator("#timeline li").count() == 6  # registered … closed, with the facts recorded
    assert "13812345678" not in page.content()
    context.close()

    complaint = Complaint.objects.get()
    assert (complaint.status, complaint.verdict, complaint.verdict_reason) == (
        ComplaintStatus.CLOSED,
        "valid",
        "调阅录像属实",
    )
    assert list(complaint.events.values_list("action", flat=True)) == [
        "registered",
        "acknowledged",
        "resolved",
        "judged",
        "facts",
        "closed",
    ]
