"""Surveys (满意度调查): the two templates, scoring (Decimal), the public link (no login; reveals only the
questions; one answer per browser; a closed survey refuses), staff answers, results and export, facts,
access by subtree and the CLI."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from youfu.core.errors import ApplicationError
from youfu.facts.models import Fact
from youfu.feedback.choices import QuestionKind, SurveyKind
from youfu.feedback.models import Survey, SurveyResponse
from youfu.feedback.survey_selectors import survey_list, survey_results
from youfu.feedback.survey_services import (
    QuestionSpec,
    current_questions,
    survey_create,
    survey_facts_record,
    survey_questions_set,
    survey_response_record,
)
from youfu.org.choices import PeriodKind
from youfu.org.models import Period


def best_answers(survey: Survey) -> dict[str, str]:
    """The top answer to every scored question (option 0 scores most in the templates; scale 5)."""
    answers = {}
    for q in current_questions(survey):
        if q.kind == QuestionKind.CHOICE:
            answers[str(q.pk)] = "0"
        elif q.kind == QuestionKind.SCALE:
            answers[str(q.pk)] = "5"
    return answers


def form_data(survey: Survey, answers: dict[str, str]) -> dict[str, str]:
    return {f"q{key}": value for key, value in answers.items()}


@pytest.fixture
def survey(bank, branch_office) -> Survey:
    today = timezone.localdate()
    return survey_create(
        actor=branch_office,
        kind=SurveyKind.CUSTOMER,
        unit=bank.branch,
        opens_on=today - dt.timedelta(days=5),
        closes_on=today + dt.timedelta(days=5),
    )


def test_templates_are_written_from_seed_003(bank, survey, branch_office):
    questions = current_questions(survey)
    assert survey.title == "客户满意度调查" and len(questions) == 7
    assert {q.kind for q in questions} == {QuestionKind.CHOICE, QuestionKind.SCALE, QuestionKind.TEXT}
    assert sorted(link.unit.code for link in survey.links.select_related("unit")) == ["O1A", "O1B", "O2A"]
    internal = survey_create(
        actor=branch_office,
        kind=SurveyKind.INTERNAL,
        unit=bank.branch,
        opens_on=survey.opens_on,
        closes_on=survey.closes_on,
    )
    assert internal.title == "内部客户满意度评价"
    assert "O1A" not in {link.unit.code for link in internal.links.select_related("unit")}


def test_scores_are_decimal_percentages(bank, survey, s1_office):
    best = survey_response_record(actor=s1_office, survey=survey, unit=bank.o1a, answers=best_answers(survey))
    assert best.score == Decimal("100.00")
    answers = best_answers(survey)
    scale = [q for q in current_questions(survey) if q.kind == QuestionKind.SCALE]
    answers[str(scale[0].pk)] = "1"  # 1 of 5 instead of 5: 41 of 45 points
    lower = survey_response_record(actor=s1_office, survey=survey, unit=bank.o1a, answers=answers)
    assert lower.score == Decimal("91.11")
    results = survey_results(user=s1_office, survey=survey)
    assert results.responses == 2 and results.mean == Decimal(
        "95.56"
    )  # (100 + 91.11) / 2 = 95.555, rounded half up
    with pytest.raises(ApplicationError):
        survey_response_record(actor=s1_office, survey=survey, unit=bank.o1a, answers={})
    assert SurveyResponse.objects.count() == 2


def test_new_questions_make_a_new_version_and_old_answers_keep_theirs(bank, survey, branch_office):
    survey_response_record(actor=branch_office, survey=survey, unit=bank.o1a, answers=best_answers(survey))
    survey = survey_questions_set(
        actor=branch_office, survey=survey, questions=[QuestionSpec(QuestionKind.SCALE, "总体满意度")]
    )
    assert survey.version == 2 and len(current_questions(survey)) == 1
    [q] = current_questions(survey)
    response = survey_response_record(
        actor=branch_office, survey=survey, unit=bank.o1a, answers={str(q.pk): "4"}
    )
    assert response.version == 2 and response.score == Decimal("80.00")
    assert sorted(SurveyResponse.objects.values_list("version", flat=True)) == [1, 2]


def test_the_public_link_answers_once_per_browser_and_reveals_only_the_questions(bank, survey):
    link = survey.links.get(unit=bank.o1a)
    browser = Client()
    page = browser.get(reverse("feedback:public_survey", args=[link.token]))
    text = page.content.decode()
    assert page.status_code == 200 and survey.title in text
    for secret in ("东城营业部", "O1A", "江州分行", "user-menu"):
        assert secret not in text
    answered = browser.post(
        reverse("feedback:public_survey", args=[link.token]), form_data(survey, best_answers(survey))
    )
    assert answered.status_code == 200 and "survey-thanks" in answered.content.decode()
    response = SurveyResponse.objects.get()
    assert response.unit == bank.o1a and response.channel == "public" and response.score == Decimal("100.00")
    again = browser.post(
        reverse("feedback:public_survey", args=[link.token]), form_data(survey, best_answers(survey))
    )
    assert again.status_code == 409 and SurveyResponse.objects.count() == 1
    other = Client()  # another phone
    assert (
        other.post(
            reverse("feedback:public_survey", args=[link.token]), form_data(survey, best_answers(survey))
        ).status_code
        == 200
    )
    assert SurveyResponse.objects.count() == 2
    assert Client().get(reverse("feedback:public_survey", args=["no-such-token"])).status_code == 404


def test_a_closed_survey_refuses_answers(bank, survey, branch_office):
    link = survey.links.get(unit=bank.o1a)
    survey.closes_on = timezone.localdate() - dt.timedelta(days=1)
    survey.save()
    browser = Client()
    assert (
        "survey-closed" in browser.get(reverse("feedback:public_survey", args=[link.token])).content.decode()
    )
    refused = browser.post(
        reverse("feedback:public_survey", args=[link.token]), form_data(survey, best_answers(survey))
    )
    assert refused.status_code == 403
    with pytest.raises(ApplicationError) as caught:
        survey_response_record(
            actor=branch_office, survey=survey, unit=bank.o1a, answers=best_answers(survey)
        )
    assert caught.value.code == "survey_closed"
    assert SurveyResponse.objects.count() == 0


def test_s2_sees_nothing_of_s1s_answers(bank, survey, s1_office, outsider):
    survey_response_record(actor=s1_office, survey=survey, unit=bank.o1a, answers={**best_answers(survey)})
    mine = survey.links.get(unit=bank.o1a)
    assert list(survey_list(user=outsider)) == [survey]  # a bank-wide survey: visible, its S1 answers not
    results = survey_results(user=outsider, survey=survey)
    assert results.responses == 0 and results.units == []
    web = Client()
    web.force_login(outsider)
    page = web.get(reverse("feedback:survey", args=[survey.pk])).content.decode()
    assert mine.token not in page and "东城营业部" not in page
    book = load_workbook(io.BytesIO(web.get(reverse("feedback:survey_export", args=[survey.pk])).content))
    cells = " ".join(
        str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
    )
    assert "O1A" not in cells and "东城营业部" not in cells
    assert (
        web.post(
            reverse("feedback:survey_record", args=[survey.pk]),
            {"unit": "O1A", **form_data(survey, best_answers(survey))},
        ).status_code
        == 200
    )
    assert SurveyResponse.objects.count() == 1
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/feedback/surveys/{survey.pk}/").json()["responses"] == 0
    refused = api.post(
        f"/api/v1/feedback/surveys/{survey.pk}/responses/",
        {"unit": "O1A", "answers": best_answers(survey)},
        format="json",
    )
    assert refused.status_code == 400 and SurveyResponse.objects.count() == 1
    # a survey of S1 alone is not even listed for S2
    s1_only = survey_create(
        actor=s1_office,
        kind=SurveyKind.CUSTOMER,
        unit=bank.s1,
        opens_on=survey.opens_on,
        closes_on=survey.closes_on,
    )
    assert web.get(reverse("feedback:survey", args=[s1_only.pk])).status_code == 404
    assert api.get(f"/api/v1/feedback/surveys/{s1_only.pk}/").status_code == 404
    # and S1 sees its answer
    assert survey_results(user=s1_office, survey=survey).responses == 1


def test_pages_api_facts_and_cli(bank, survey, branch_office, s1_office):
    web = Client()
    web.force_login(s1_office)
    for name, args in (
        ("feedback:surveys", []),
        ("feedback:survey_create", []),
        ("feedback:survey", [survey.pk]),
        ("feedback:survey_record", [survey.pk]),
    ):
        assert web.get(reverse(name, args=args)).status_code == 200
    recorded = web.post(
        reverse("feedback:survey_record", args=[survey.pk]),
        {"unit": "O1B", **form_data(survey, best_answers(survey))},
    )
    assert recorded.status_code == 302
    created = web.post(
        reverse("feedback:survey_create"),
        {"kind": "internal", "unit": "S1", "opens_on": survey.opens_on, "closes_on": survey.closes_on},
    )
    assert created.status_code == 302
    api = APIClient()
    api.force_authenticate(s1_office)
    body = api.get(f"/api/v1/feedback/surveys/{survey.pk}/").json()
    assert body["responses"] == 1 and body["mean"] == "100.00"
    assert any(q["counts"] for q in body["questions"])
    assert (
        api.post(
            f"/api/v1/feedback/surveys/{survey.pk}/responses/",
            {"unit": "O1A", "answers": best_answers(survey)},
            format="json",
        ).status_code
        == 201
    )
    today = timezone.localdate()
    period = Period.objects.create(
        code="T1",
        name="本月",
        kind=PeriodKind.MONTH,
        start=today.replace(day=1),
        end=today + dt.timedelta(days=1),
    )
    office = Client()
    office.force_login(branch_office)
    posted = office.post(reverse("feedback:survey_facts"), {"period": "T1"}, follow=True)
    assert posted.redirect_chain == [(reverse("feedback:surveys"), 302)]
    assert [str(m) for m in posted.context["messages"]] == ["T1：新增 4 个值，变更 0 个，未变 0 个。"]
    assert survey_facts_record(actor=branch_office, period=period).created == 0  # the web recorded them
    facts = {
        (f.unit.code if f.unit else "", f.name): f.value_number
        for f in Fact.objects.filter(is_current=True).select_related("unit")
    }
    assert facts[("O1B", "survey_score")] == Decimal("100.00") and facts[
        ("O1A", "survey_responses")
    ] == Decimal("1")
    out = io.StringIO()
    call_command("feedback", "survey-results", str(survey.pk), "--as", "s1_office", stdout=out)
    call_command(
        "feedback",
        "survey-create",
        "--kind",
        "customer",
        "--unit",
        "S1",
        "--opens",
        str(today),
        "--closes",
        str(today),
        "--as",
        "s1_office",
        stdout=out,
    )
    call_command("feedback", "survey-facts", "--period", "T1", "--dry-run", "--as", "s1_office", stdout=out)
    text = out.getvalue()
    assert "O1A" in text and "/feedback/s/" in text
