"""The phone checklist in headless Chromium (390×844): an inspector does a mystery-shopper check of an
outlet, attaches a photo, attributes two findings to people and submits; a second user approves.
Set YOUFU_SHOTS_DIR to keep screenshots."""

from __future__ import annotations

from youfu.inspections.choices import InspectionStatus
from youfu.inspections.models import Evidence, Inspection
from youfu.inspections.tests.conftest import photo_bytes
from youfu.testing.browser import BROWSER_TEST, shot
from youfu.testing.factories import PASSWORD

pytestmark = BROWSER_TEST


def _phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _login(page, url, username):
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{url}/")


def _shot(page, name):
    shot(page, name, full_page=name.endswith("full"))


def test_mystery_shopper_check_on_a_phone_then_a_second_user_approves(
    browser, live_server, bank, version, inspector, approver, people, tmp_path
):
    context, page = _phone(browser)
    _login(page, live_server.url, "inspector")
    page.goto(f"{live_server.url}/inspections/new/")
    page.select_option("#id_kind", "mystery_shopper")
    page.fill("#id_unit", "O1A")
    page.select_option("#id_version", str(version.pk))
    page.fill("#id_date", "2025-05-12")
    _shot(page, "1-new")
    page.click("#inspection-create")
    page.wait_for_selector("#fill-form")

    for code in ("A2", "C1"):
        page.click(f"label[for=r_{code}_pass]")
    page.fill("#r_B2", "4")
    # Two findings: 唱收唱付 failed (the teller), and one missed reminder to count (the lobby manager).
    page.click("label[for=r_C1_fail]")
    page.locator("[data-item=C2] [data-step='1']").click()
    for code, person in (("C1", "teller"), ("C2", "lobby")):
        page.locator(f"[data-item={code}] details summary").click()
        page.select_option(f"#p_{code}", [str(people[person].pk)])
    page.fill("#n_C1", "未唱收唱付")
    photo = tmp_path / "c1.jpg"
    photo.write_bytes(photo_bytes(taken="2025:05:12 10:05:00", size=(320, 240)))
    page.set_input_files("#f_C1", str(photo))
    _shot(page, "2-fill")
    page.click("#fill-submit")
    page.wait_for_selector("#inspection-status [data-status=submitted]")
    _shot(page, "3-submitted-full")
    assert page.locator("#findings [data-finding]").count() == 2
    assert "张伟" in page.locator("[data-people=C1]").inner_text()
    assert "赵敏" in page.locator("[data-people=C2]").inner_text()
    assert page.locator("#evidence img").count() == 1
    assert page.locator("#inspection-approve").count() == 0  # the inspector cannot approve
    context.close()

    inspection = Inspection.objects.get()
    assert inspection.status == InspectionStatus.SUBMITTED
    assert Evidence.objects.get().taken_at is not None

    context, page = _phone(browser)
    _login(page, live_server.url, approver.username)
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/")
    page.click("#inspection-approve")
    page.wait_for_selector("#inspection-status [data-status=approved]")
    _shot(page, "4-approved-full")
    assert (
        page.locator("#score-total").inner_text().startswith("60")
    )  # 100 − 10 − 2 = 88, the red line caps it at 60
    context.close()
    inspection.refresh_from_db()
    assert (inspection.status, inspection.approved_by, inspection.total) == ("approved", approver, 60)


def test_office_plans_a_quarter_and_reads_its_coverage_chart(
    browser, live_server, bank, branch_office, quarters
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    _login(page, live_server.url, "branch_office")
    page.goto(f"{live_server.url}/inspections/plans/new/")
    page.fill("#id_name", "二季度网点检查")
    page.select_option("#id_period", str(quarters[1].pk))
    page.fill("#id_scope", "BR")
    page.fill("#id_mystery_share", "60")
    page.fill("#id_seed", "7")
    page.click("#plan-save")
    page.wait_for_selector("#plan-coverage")
    page.wait_for_selector("#plan-chart[data-ready=yes]")
    _shot(page, "5-plan-full")
    assert page.locator("#plan-coverage tbody tr").count() == 2  # S1 and S2
    assert page.locator("#visit-table tr[data-status=missed]").count() == 3  # 2025Q2 has long passed
    assert page.locator("#plan-chart svg").count() >= 1
    context.close()
