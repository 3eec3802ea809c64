"""Pages of the surveys (满意度调查): the list, a new survey from a template, a survey's results (per unit,
per question with ECharts, the public links of the units in view, Excel export), an answer recorded by
staff, closing, recording the results as facts — and the PUBLIC answer page (no login), which shows the
survey's title, introduction and questions and nothing else; one answer per browser (a cookie) and a
cap on answers per address and hour."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from youfu.accounts.access import visible_units
from youfu.core.errors import ApplicationError
from youfu.feedback import survey_selectors as selectors
from youfu.feedback.exports import survey_export
from youfu.feedback.forms import SurveyAnswerForm, SurveyCreateForm
from youfu.feedback.models import SurveyLink
from youfu.feedback.survey_services import (
    current_questions,
    survey_answer_public,
    survey_close,
    survey_create,
    survey_facts_record,
    survey_response_record,
)
from youfu.feedback.views import XLSX, record_period_facts, require_perm
from youfu.org.models import Period
from youfu.web.pages import add_application_error, paginate, style_form

COOKIE = "youfu_respondent"
COOKIE_AGE = 365 * 24 * 3600
PUBLIC_LIMIT = 30  # answers per address, link and hour


@login_required
@require_GET
def survey_list_page(request: HttpRequest) -> HttpResponse:
    require_perm(request, "feedback.view_survey")
    return render(
        request,
        "feedback/surveys.html",
        {
            "page_obj": paginate(request, selectors.survey_list(user=request.user)),
            "today": timezone.localdate(),
            "periods": Period.objects.filter(start__lte=timezone.localdate()).order_by("-start")[:24],
        },
    )


@login_required
def survey_create_page(request: HttpRequest) -> HttpResponse:
    require_perm(request, "feedback.add_survey")
    today = timezone.localdate()
    initial = {
        "opens_on": today,
        "closes_on": today + dt.timedelta(days=30),
        "unit": getattr(getattr(request.user, "unit", None), "code", ""),
    }
    form = style_form(SurveyCreateForm(request.POST or None, initial=initial, user=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = survey_create(
                actor=request.user,
                kind=data["kind"],
                unit=data["unit"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                title=data["title"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Survey created with a public link per unit."))
            return redirect("feedback:survey", pk=survey.pk)
    return render(request, "feedback/survey_form.html", {"form": form})


@login_required
@require_GET
def survey_page(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "feedback.view_survey")
    survey = selectors.survey_get(user=request.user, pk=pk)
    results = selectors.survey_results(user=request.user, survey=survey)
    charts = [
        {"id": item.question.pk, "labels": item.labels, "counts": item.counts}
        for item in results.questions
        if item.labels
    ]
    links = selectors.links_in_view(user=request.user, survey=survey)
    return render(
        request,
        "feedback/survey.html",
        {
            "survey": survey,
            "results": results,
            "charts": charts,
            "links": links,
            "is_open": survey.is_open(timezone.localdate()),
            "questions": current_questions(survey),
        },
    )


@login_required
@require_GET
def survey_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "feedback.view_survey")
    survey = selectors.survey_get(user=request.user, pk=pk)
    results = selectors.survey_results(user=request.user, survey=survey)
    responses = (
        selectors.responses_in_view(user=request.user, survey=survey)
        .select_related("unit")
        .prefetch_related("answers")
        .order_by("created_at", "id")
    )
    content = survey_export(survey=survey, results=results, responses=list(responses))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"survey-{survey.pk}.xlsx"
    )
    return response


@login_required
def survey_record_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An answer recorded by staff on a customer's behalf, for a unit of the user's subtree."""
    require_perm(request, "feedback.add_surveyresponse")
    survey = selectors.survey_get(user=request.user, pk=pk)
    units = visible_units(request.user).filter(path__startswith=survey.unit_path, is_active=True)
    unit_code = request.POST.get("unit") or request.GET.get("unit") or ""
    unit = units.filter(code=unit_code).first()
    questions = current_questions(survey)
    form = SurveyAnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and unit is None:
        form.add_error(None, _("Choose a unit of yours that this survey covers."))
    elif request.method == "POST" and form.is_valid() and unit is not None:
        try:
            survey_response_record(actor=request.user, survey=survey, unit=unit, answers=form.answers())
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Answer recorded for %(unit)s.") % {"unit": unit.name})
            return redirect("feedback:survey", pk=survey.pk)
    return render(
        request,
        "feedback/survey_record.html",
        {
            "survey": survey,
            "form": form,
            "unit": unit,
            "units": units.order_by("path")[:200],
            "unit_code": unit_code,
        },
    )


@login_required
@require_POST
def survey_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "feedback.change_survey")
    survey = selectors.survey_get(user=request.user, pk=pk)
    try:
        survey_close(actor=request.user, survey=survey)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The survey is closed."))
    return redirect("feedback:survey", pk=survey.pk)


@login_required
@require_POST
def survey_facts_view(request: HttpRequest) -> HttpResponse:
    require_perm(request, "feedback.record_survey_facts")
    return record_period_facts(request, survey_facts_record, "feedback:surveys")


# --- The public page -----------------------------------------------------------------------------------


def _respondent_key(link: SurveyLink, cookie: str) -> str:
    return hashlib.sha256(f"{link.survey_id}:{cookie}".encode()).hexdigest()


def _over_limit(request: HttpRequest, link: SurveyLink) -> bool:
    address = request.META.get("REMOTE_ADDR", "")
    hashed = hashlib.sha256(address.encode()).hexdigest()[:16]
    key = f"youfu-survey-{link.pk}-{hashed}-{timezone.now():%Y%m%d%H}"
    count = cache.get_or_set(key, 0, 3600) or 0
    if count >= PUBLIC_LIMIT:
        return True
    try:
        cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, 3600)
    return False


def public_survey(request: HttpRequest, token: str) -> HttpResponse:
    """The public answer page: no login, mobile first, Chinese first. Reveals only the questions."""
    link = selectors.link_by_token(token)
    survey = link.survey
    cookie = request.COOKIES.get(COOKIE) or ""
    if not cookie or len(cookie) > 64:
        cookie = secrets.token_urlsafe(24)
    key = _respondent_key(link, cookie)
    today = timezone.localdate()
    state = "open"
    if not survey.is_open(today):
        state = "closed"
    elif survey.responses.filter(respondent_key=key).exists():
        state = "answered"
    questions = current_questions(survey)
    form = SurveyAnswerForm(request.POST or None, questions=questions) if state == "open" else None
    status = 200
    if request.method == "POST" and form is not None:
        if _over_limit(request, link):
            state, status = "limited", 429
        elif form.is_valid():
            try:
                survey_answer_public(link=link, answers=form.answers(), respondent_key=key)
            except ApplicationError as exc:
                if exc.code == "survey_closed":
                    state = "closed"
                elif exc.code == "already_answered":
                    state = "answered"
                else:
                    add_application_error(form, exc)
            else:
                state = "thanks"
    elif request.method == "POST":
        status = 409 if state == "answered" else 403
    response = render(
        request,
        "feedback/public_survey.html",
        {"survey": survey, "form": form, "state": state, "questions": questions},
        status=status,
    )
    response.set_cookie(COOKIE, cookie, max_age=COOKIE_AGE, httponly=True, samesite="Lax")
    response["X-Robots-Tag"] = "noindex"
    return response
