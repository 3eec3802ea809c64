"""The walk of the callback and survey pages and API as every role of S2: S1's samples, calls and survey
answers are never shown (404/403, or a page without them), and nothing is changed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from youfu.feedback.callback_services import callback_call_record, callback_contacts_import, callbacks_draw
from youfu.feedback.choices import CallResult, SurveyKind
from youfu.feedback.models import CallbackCall, SurveyResponse
from youfu.feedback.survey_services import survey_create, survey_response_record
from youfu.feedback.tests.test_callbacks import contact_csv
from youfu.feedback.tests.test_surveys import best_answers

S1_WORDS = ("东城营业部", "东湖网点", "O1A", "13800000", "张伟", "客户0")
OCT = dt.date(2025, 10, 1)


@pytest.fixture
def s1_data(bank, s1_office):
    callback_contacts_import(actor=s1_office, data=contact_csv("O1A", "100001", 12), file_name="o1a.csv")
    draw = callbacks_draw(actor=s1_office, unit=bank.o1a, month=OCT, today=dt.date(2025, 11, 1)).created[0]
    call = draw.calls.earliest("position")
    callback_call_record(
        actor=s1_office, call=call, reached=True, result=CallResult.SATISFIED, comments="很好"
    )
    today = timezone.localdate()
    survey = survey_create(
        actor=s1_office,
        kind=SurveyKind.CUSTOMER,
        unit=bank.s1,
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=1),
    )
    survey_response_record(actor=s1_office, survey=survey, unit=bank.o1a, answers=best_answers(survey))
    return draw, call, survey


def _leaks(text: str) -> list[str]:
    return [word for word in S1_WORDS if word in text]


def test_every_role_of_s2_sees_nothing_of_s1s_callbacks_and_answers(bank, outsider_any_role, s1_data):
    draw, call, survey = s1_data
    client = Client()
    client.force_login(outsider_any_role)
    gets = [
        reverse("feedback:callbacks") + "?month=2025-10",
        reverse("feedback:callback_draw", args=[draw.pk]),
        reverse("feedback:call", args=[call.pk]),
        reverse("feedback:callback_results") + "?start=2025-10-01&end=2025-10-31&by=person",
        reverse("feedback:callbacks_import"),
        reverse("feedback:surveys"),
        reverse("feedback:survey", args=[survey.pk]),
        reverse("feedback:survey_record", args=[survey.pk]),
    ]
    for url in gets:
        page = client.get(url)
        assert page.status_code in (200, 403, 404), url
        assert _leaks(page.content.decode()) == [], url
    for url in (
        reverse("feedback:callback_results_export") + "?start=2025-10-01&end=2025-10-31",
        reverse("feedback:survey_export", args=[survey.pk]),
    ):
        export = client.get(url)
        if export.status_code == 200:
            book = load_workbook(io.BytesIO(export.content))
            text = " ".join(str(c) for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r)
            assert _leaks(text) == [], url
        else:
            assert export.status_code in (302, 403, 404), url
    posts = [
        client.post(reverse("feedback:call", args=[call.pk]), {"reached": "no"}),
        client.post(reverse("feedback:callbacks_draw"), {"month": "2025-10", "unit": "O1A"}),
        client.post(reverse("feedback:survey_close", args=[survey.pk])),
    ]
    assert all(p.status_code in (302, 403, 404) for p in posts)
    api = APIClient()
    api.force_authenticate(outsider_any_role)
    for url in (
        f"/api/v1/feedback/callbacks/draws/{draw.pk}/",
        f"/api/v1/feedback/callbacks/calls/{call.pk}/",
        f"/api/v1/feedback/surveys/{survey.pk}/",
    ):
        assert api.get(url).status_code in (403, 404), url
    listing = api.get("/api/v1/feedback/callbacks/draws/")
    assert listing.status_code == 403 or listing.json()["results"] == []
    results = api.get("/api/v1/feedback/callbacks/results/?start=2025-10-01&end=2025-10-31")
    assert results.status_code == 403 or results.json()["lines"] == []
    assert api.post(
        f"/api/v1/feedback/callbacks/calls/{call.pk}/", {"reached": False}, format="json"
    ).status_code in (403, 404)
    call.refresh_from_db()
    assert (call.attempts, call.result) == (1, CallResult.SATISFIED)
    assert CallbackCall.objects.count() == 10 and SurveyResponse.objects.count() == 1
    survey.refresh_from_db()
    assert survey.closes_on >= timezone.localdate()
