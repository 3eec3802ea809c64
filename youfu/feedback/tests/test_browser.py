"""In headless Chromium: the service office records a callback on the web (the number shown in full while
calling, the result saved with its points), and a customer answers the public survey on a phone
(390×844, no login). Set YOUFU_SHOTS_DIR to keep screenshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from youfu.feedback.callback_services import callback_contacts_import, callbacks_draw
from youfu.feedback.choices import CallStatus, QuestionKind, SurveyKind
from youfu.feedback.models import CallbackCall, SurveyResponse
from youfu.feedback.survey_services import current_questions, survey_create
from youfu.feedback.tests.test_callbacks import contact_csv
from youfu.testing.browser import BROWSER_TEST, shot
from youfu.testing.factories import PASSWORD

pytestmark = BROWSER_TEST


def test_the_service_office_records_a_callback(browser, live_server, role_groups, bank, s1_office):
    today = timezone.localdate()
    day = today.replace(day=1)
    callback_contacts_import(actor=s1_office, data=contact_csv("O1A", "100001", 12, day=day.isoformat()))
    draw = callbacks_draw(actor=s1_office, unit=bank.o1a, month=day, today=today).created[0]
    call = draw.calls.select_related("contact").earliest("position")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", s1_office.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/feedback/callbacks/")
    page.click(f"a[href='/feedback/callbacks/{draw.pk}/']")
    page.wait_for_selector("#call-table")
    assert call.contact.phone not in page.content()  # masked in the list
    page.click(f"a[href='/feedback/callbacks/calls/{call.pk}/']")
    assert call.contact.phone in page.inner_text("#call-phone")  # in full while calling
    page.select_option("#id_reached", "yes")
    page.select_option("#id_result", "unsatisfied")
    page.fill("#id_comments", "等候时间太长")
    shot(page, "callback-call")
    page.click("#call-save")
    page.wait_for_selector("#call-table")
    shot(page, "callback-sample")
    call = CallbackCall.objects.get(pk=call.pk)
    assert (call.status, call.points, call.comments) == (CallStatus.REACHED, Decimal("-2"), "等候时间太长")


def test_a_customer_answers_the_public_survey_on_a_phone(
    browser, live_server, role_groups, bank, branch_office
):
    today = timezone.localdate()
    survey = survey_create(
        actor=branch_office,
        kind=SurveyKind.CUSTOMER,
        unit=bank.branch,
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=1),
    )
    link = survey.links.get(unit=bank.o1b)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/feedback/s/{link.token}/")
    assert page.inner_text("#survey-title") == "客户满意度调查"  # Chinese first, no login
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    for question in current_questions(survey):
        if question.kind == QuestionKind.SCALE:
            page.click(f"label[for=id_q{question.pk}_0]")  # 1 … 5: the first option is "1"
            page.click(f"label[for=id_q{question.pk}_4]")
        elif question.kind == QuestionKind.CHOICE:
            page.click(f"label[for=id_q{question.pk}_0]")
        else:
            page.fill(f"#id_q{question.pk}", "服务很好")
    shot(page, "survey-phone")
    page.click("#survey-submit")
    page.wait_for_selector("#survey-thanks")
    shot(page, "survey-thanks")
    response = SurveyResponse.objects.get()
    assert response.unit == bank.o1b and response.score == Decimal("100.00")
    page.goto(f"{live_server.url}/feedback/s/{link.token}/")
    page.wait_for_selector("#survey-answered")  # one answer per phone
