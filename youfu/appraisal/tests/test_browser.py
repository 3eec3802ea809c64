"""A teller fills a monthly form in headless Chromium (a phone, 390×844): the plan (routine and phase
items), submitted; then the completion of each item (one in progress, with its reason) and the self
score, submitted. Set YOUFU_SHOTS_DIR to keep screenshots."""

from __future__ import annotations

from decimal import Decimal

from youfu.appraisal.choices import FormStatus, ItemStatus, RaterKind
from youfu.appraisal.models import FormItem, MonthlyForm, Rating
from youfu.testing.browser import BROWSER_TEST, shot
from youfu.testing.factories import PASSWORD

pytestmark = BROWSER_TEST


def test_a_teller_fills_a_monthly_form_on_a_phone(browser, live_server, role_groups, cycle, bank, colleague):
    form = MonthlyForm.objects.get(cycle=cycle, person=bank.teller_1a, month__code="2024-01")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", colleague.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/appraisal/")
    page.click(f"a[href='/appraisal/forms/{form.pk}/']")
    page.fill("#id_routine_0", "现金收付与柜面业务")
    page.fill("#id_routine_1", "日终轧账")
    page.fill("#id_phase_0", "手机银行推广")
    page.fill("#id_other_0", "领导交办：营销活动布置")
    shot(page, "appraisal-plan")
    page.click("#plan-submit")
    page.wait_for_selector("#fill-form")
    items = {i.title: i.pk for i in FormItem.objects.filter(form=form)}
    assert len(items) == 4
    for title, pk in items.items():
        status = ItemStatus.IN_PROGRESS if title == "手机银行推广" else ItemStatus.DONE
        page.select_option(f"#id_status_{pk}", status)
    page.fill(f"#id_reason_{items['手机银行推广']}", "推广物料未到")
    page.fill("#id_summary", "本月完成柜面业务，手机银行推广进行中。")
    page.fill("#id_self_score", "86.5")
    shot(page, "appraisal-fill")
    page.click("#fill-submit")
    page.wait_for_selector("#item-table")
    shot(page, "appraisal-submitted")
    form.refresh_from_db()
    assert form.status == FormStatus.SUBMITTED
    assert Rating.objects.get(form=form, kind=RaterKind.SELF).score == Decimal("86.5")
    assert FormItem.objects.get(pk=items["手机银行推广"]).reason == "推广物料未到"
    assert "推广物料未到" in page.inner_text("#item-table")
    context.close()
