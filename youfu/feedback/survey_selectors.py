"""Reads of the surveys (满意度调查), through the user's subtree: a survey is visible to the users whose
subtree holds its unit or lies under it; its answers are counted only for the units of the user's
subtree (an S2 office looking at a bank-wide survey sees S2's answers only). A public link reveals its
survey's title, introduction and questions, nothing else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from youfu.accounts.access import scope_path
from youfu.feedback.choices import QuestionKind
from youfu.feedback.models import Survey, SurveyAnswer, SurveyLink, SurveyQuestion, SurveyResponse
from youfu.feedback.survey_services import current_questions, mean_score
from youfu.org.models import Unit


def survey_list(*, user: Any) -> QuerySet[Survey]:
    path = scope_path(user)
    if path is None:
        return Survey.objects.none()
    surveys = Survey.objects.select_related("unit")
    if path:
        # its unit in the user's subtree, or the user's unit under its unit (any prefix of the path)
        prefixes = [path[:n] for n in range(Unit.steplen, len(path) + 1, Unit.steplen)]
        surveys = surveys.filter(Q(unit_path__startswith=path) | Q(unit_path__in=prefixes))
    return surveys.order_by("-opens_on", "-id")


def survey_get(*, user: Any, pk: int | str) -> Survey:
    survey = survey_list(user=user).filter(pk=pk).first() if str(pk).isdigit() else None
    if survey is None:
        raise Http404
    return survey


def responses_in_view(*, user: Any, survey: Survey) -> QuerySet[SurveyResponse]:
    path = scope_path(user)
    if path is None:
        return SurveyResponse.objects.none()
    return survey.responses.filter(unit_path__startswith=path)


def links_in_view(*, user: Any, survey: Survey) -> QuerySet[SurveyLink]:
    path = scope_path(user) or ""
    if scope_path(user) is None:
        return SurveyLink.objects.none()
    return survey.links.filter(unit__path__startswith=path).select_related("unit").order_by("unit__path")


def link_by_token(token: str) -> SurveyLink:
    link = SurveyLink.objects.select_related("survey", "unit").filter(token=token).first() if token else None
    if link is None:
        raise Http404
    return link


@dataclass(frozen=True)
class UnitResult:
    unit_id: int
    code: str
    name: str
    responses: int
    mean: Decimal | None


@dataclass
class QuestionResult:
    question: SurveyQuestion
    labels: list[str]
    counts: list[int]
    mean: Decimal | None = None
    texts: list[str] = field(default_factory=list)


@dataclass
class SurveyResults:
    responses: int
    mean: Decimal | None
    units: list[UnitResult]
    questions: list[QuestionResult]


def survey_results(
    *,
    user: Any,
    survey: Survey,
    within: Unit | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> SurveyResults:
    """Responses and mean score per unit, and the distribution of every question of the current version
    (answers to earlier versions count in the means, not in the distributions)."""
    responses = responses_in_view(user=user, survey=survey)
    if within is not None:
        responses = responses.filter(unit_path__startswith=within.path)
    if start is not None:
        responses = responses.filter(created_at__date__gte=start)
    if end is not None:
        responses = responses.filter(created_at__date__lte=end)
    per_unit: dict[int, list[Decimal | None]] = {}
    for unit_id, score in responses.values_list("unit", "score"):
        per_unit.setdefault(unit_id, []).append(score)
    units = Unit.objects.in_bulk(list(per_unit))
    lines = sorted(
        (
            UnitResult(pk, units[pk].code, units[pk].name, len(scores), mean_score(scores))
            for pk, scores in per_unit.items()
        ),
        key=lambda line: line.code,
    )
    all_scores = [score for scores in per_unit.values() for score in scores]
    questions: list[QuestionResult] = []
    answers = SurveyAnswer.objects.filter(response__in=responses)
    for question in current_questions(survey):
        mine = answers.filter(question=question)
        if question.kind == QuestionKind.TEXT:
            texts = list(
                mine.exclude(text="").order_by("-response__created_at").values_list("text", flat=True)[:20]
            )
            questions.append(QuestionResult(question, [], [], None, texts))
            continue
        if question.kind == QuestionKind.SCALE:
            labels = ["1", "2", "3", "4", "5"]
            values = list(mine.values_list("value", flat=True))
            counts = [sum(1 for v in values if v == n) for n in range(1, 6)]
        else:
            labels = [option["label"] for option in question.options]
            values = list(mine.values_list("choice", flat=True))
            counts = [sum(1 for v in values if v == n) for n in range(len(labels))]
        scores = list(mine.values_list("score", flat=True))
        questions.append(QuestionResult(question, labels, counts, mean_score(scores)))
    return SurveyResults(len(all_scores), mean_score(all_scores), lines, questions)
