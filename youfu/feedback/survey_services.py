"""Writes of the surveys (满意度调查, seed 003 §8 内部客户评价 / 社会满意度调查): create a survey from one of
the two templates (customer, internal), change its questions (a new version), answer it through a
public link or record an answer on a customer's behalf, and record a period's results as indicator data.

A response's score is its scored answers' points as a percentage of their maximum: a single choice scores
its option's points, a 1–5 scale its value out of 5; free text is not scored. Decimal, 2 places, half up.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.accounts.access import WHOLE_BANK, require_perm, require_unit_in_scope, scope_path
from youfu.core.errors import ApplicationError, ErrorDetail, PermissionDeniedError
from youfu.core.money import round_points
from youfu.facts.choices import BatchSource as FactSource
from youfu.facts.services import FactValue, RecordResult, facts_record
from youfu.feedback.choices import QuestionKind, ResponseChannel, SurveyKind
from youfu.feedback.models import Survey, SurveyAnswer, SurveyLink, SurveyQuestion, SurveyResponse
from youfu.org.choices import UnitKind
from youfu.org.models import Period, Unit

TEXT_MAX = 2000
SATISFACTION = [("非常满意", 10), ("满意", 8), ("一般", 5), ("不满意", 0)]


@dataclass(frozen=True)
class QuestionSpec:
    kind: str
    text: str
    options: tuple[tuple[str, int], ...] = ()
    required: bool = True


# Written from seed 003 §8: the service inspection's points of the banking hall
# (员工服务礼仪、员工业务技能、大堂经理服务、服务设施、营业环境、客户满意率) and the internal-customer
# evaluation "根据部门职责、部门客户关系明确评价内容、评价指标" (efficiency, cooperation and
# first-asked responsibility, attitude, guidance).
TEMPLATES: dict[str, tuple[str, str, tuple[QuestionSpec, ...]]] = {
    SurveyKind.CUSTOMER: (
        "客户满意度调查",
        "感谢您在本网点办理业务。请花一分钟告诉我们您的感受，您的意见将帮助我们改进服务。",
        (
            QuestionSpec(
                QuestionKind.CHOICE,
                "您对柜员的服务礼仪（微笑、问候、文明用语）是否满意？",
                tuple(SATISFACTION),
            ),
            QuestionSpec(QuestionKind.SCALE, "请为柜员的业务技能（办理速度与准确性）打分（1–5 分）"),
            QuestionSpec(QuestionKind.CHOICE, "您对大堂经理的引导与咨询服务是否满意？", tuple(SATISFACTION)),
            QuestionSpec(
                QuestionKind.CHOICE,
                "您本次排队等候了多长时间？",
                (("10 分钟以内", 10), ("10–20 分钟", 6), ("20–30 分钟", 3), ("30 分钟以上", 0)),
            ),
            QuestionSpec(QuestionKind.SCALE, "请为营业环境与服务设施（整洁、便民设施完好）打分（1–5 分）"),
            QuestionSpec(QuestionKind.SCALE, "您对本网点服务的总体满意度（1–5 分）"),
            QuestionSpec(QuestionKind.TEXT, "您对我们的服务还有什么意见或建议？", required=False),
        ),
    ),
    SurveyKind.INTERNAL: (
        "内部客户满意度评价",
        "请对该部门（机构）本期为您提供的内部服务作出评价（总行部门之间、分行对总行，种子 003 §8）。",
        (
            QuestionSpec(QuestionKind.SCALE, "工作效率与办结时限（1–5 分）"),
            QuestionSpec(
                QuestionKind.CHOICE,
                "配合与协作：是否做到首问负责、不推诿？",
                (("始终做到", 10), ("基本做到", 6), ("偶有推诿", 3), ("经常推诿", 0)),
            ),
            QuestionSpec(QuestionKind.SCALE, "服务态度（1–5 分）"),
            QuestionSpec(QuestionKind.SCALE, "业务指导与培训支持（1–5 分）"),
            QuestionSpec(
                QuestionKind.CHOICE,
                "您提出的问题是否得到解决？",
                (("完全解决", 10), ("基本解决", 6), ("未解决", 0)),
            ),
            QuestionSpec(QuestionKind.SCALE, "总体满意度（1–5 分）"),
            QuestionSpec(QuestionKind.TEXT, "意见和建议", required=False),
        ),
    ),
}


def _check_specs(specs: Sequence[QuestionSpec]) -> None:
    errors = []
    for n, spec in enumerate(specs, start=1):
        if spec.kind not in QuestionKind.values or not spec.text.strip():
            errors.append(
                ErrorDetail(
                    "invalid", _("Question %(n)d has no text or no kind.") % {"n": n}, "questions", row=n
                )
            )
        elif spec.kind == QuestionKind.CHOICE and (
            len(spec.options) < 2 or any(not label or score < 0 for label, score in spec.options)
        ):
            errors.append(
                ErrorDetail(
                    "invalid",
                    _("Question %(n)d: a single choice needs two or more options, each with a score ≥ 0.")
                    % {"n": n},
                    "questions",
                    row=n,
                )
            )
    if not specs:
        errors.append(ErrorDetail("required", _("A survey has at least one question."), "questions"))
    if errors:
        raise ApplicationError(_("The questions are not valid; nothing was saved."), details=errors)


def _write_questions(survey: Survey, specs: Sequence[QuestionSpec]) -> None:
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(
            survey=survey,
            version=survey.version,
            position=n,
            kind=spec.kind,
            text=spec.text.strip()[:255],
            options=[{"label": label, "score": score} for label, score in spec.options],
            required=spec.required if spec.kind == QuestionKind.TEXT else True,
        )
        for n, spec in enumerate(specs, start=1)
    )


def link_units(survey: Survey) -> list[Unit]:
    """Who gets a link: a customer survey, every active outlet under its unit; an internal one, its unit
    and every active unit under it that is not an outlet (departments, sub-branches)."""
    units = Unit.objects.filter(path__startswith=survey.unit.path, is_active=True).order_by("path")
    if survey.kind == SurveyKind.CUSTOMER:
        return list(units.filter(kind=UnitKind.OUTLET)) or [survey.unit]
    return list(units.exclude(kind=UnitKind.OUTLET))


@transaction.atomic
def survey_create(
    *,
    actor: Any,
    kind: str,
    unit: Unit,
    opens_on: dt.date,
    closes_on: dt.date,
    title: str = "",
    intro: str | None = None,
    questions: Sequence[QuestionSpec] | None = None,
) -> Survey:
    """A survey of the units under `unit`, with the template's questions unless others are given, and a
    public link per unit surveyed."""
    if actor is not None:
        require_perm(actor, "feedback.add_survey")
        require_unit_in_scope(actor, unit, field="unit")
    if kind not in SurveyKind.values:
        raise ApplicationError(_("Choose a kind of survey."), field="kind")
    if closes_on < opens_on:
        raise ApplicationError(_("The survey closes before it opens."), code="bad_window", field="closes_on")
    default_title, default_intro, default_questions = TEMPLATES[kind]
    specs = list(questions if questions is not None else default_questions)
    _check_specs(specs)
    survey = Survey.objects.create(
        title=(title.strip() or default_title)[:128],
        kind=kind,
        intro=default_intro if intro is None else intro,
        unit=unit,
        unit_path=unit.path,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=actor,
    )
    _write_questions(survey, specs)
    SurveyLink.objects.bulk_create(
        SurveyLink(survey=survey, unit=u, token=secrets.token_urlsafe(24)) for u in link_units(survey)
    )
    return survey


@transaction.atomic
def survey_questions_set(*, actor: Any, survey: Survey, questions: Sequence[QuestionSpec]) -> Survey:
    """Replace the questions by a new version; the answers given so far keep theirs."""
    require_perm(actor, "feedback.change_survey")
    require_unit_in_scope(actor, survey.unit)
    _check_specs(questions)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    survey.version += 1
    survey.save(update_fields=["version"])
    _write_questions(survey, questions)
    return survey


@transaction.atomic
def survey_close(*, actor: Any, survey: Survey, today: dt.date | None = None) -> Survey:
    """Close a survey now (its window ends yesterday, or the day it opened if it opened today)."""
    require_perm(actor, "feedback.change_survey")
    require_unit_in_scope(actor, survey.unit)
    today = today or timezone.localdate()
    survey.closes_on = max(survey.opens_on, today - dt.timedelta(days=1))
    survey.save(update_fields=["closes_on"])
    return survey


def current_questions(survey: Survey) -> list[SurveyQuestion]:
    return list(survey.questions.filter(version=survey.version).order_by("position"))


def _score_answers(
    questions: Sequence[SurveyQuestion], answers: Mapping[str, Any]
) -> tuple[list[SurveyAnswer], Decimal | None]:
    """Check the answers (keyed by question id as text) against the questions; the answers to save and
    the response's score."""
    errors: list[ErrorDetail] = []
    rows: list[SurveyAnswer] = []
    got = Decimal(0)
    best = Decimal(0)
    for question in questions:
        raw = answers.get(str(question.pk))
        raw = "" if raw is None else str(raw).strip()
        field = f"q{question.pk}"
        if not raw:
            if question.required:
                errors.append(ErrorDetail("required", _("Please answer this question."), field))
            continue
        answer = SurveyAnswer(question=question)
        if question.kind == QuestionKind.TEXT:
            answer.text = raw[:TEXT_MAX]
        elif question.kind == QuestionKind.SCALE:
            if raw not in {"1", "2", "3", "4", "5"}:
                errors.append(ErrorDetail("invalid", _("Choose 1 to 5."), field))
                continue
            answer.value = int(raw)
            answer.score = Decimal(raw)
        else:
            if not raw.isdigit() or int(raw) >= len(question.options):
                errors.append(ErrorDetail("invalid", _("Choose one of the options."), field))
                continue
            answer.choice = int(raw)
            answer.score = Decimal(str(question.options[answer.choice]["score"]))
        if answer.score is not None:
            got += answer.score
            best += question.max_score
        rows.append(answer)
    unknown = set(answers) - {str(q.pk) for q in questions}
    if unknown:
        errors.append(
            ErrorDetail(
                "unknown",
                _("These answers are not of this survey: %(k)s") % {"k": ", ".join(sorted(unknown))},
                "answers",
            )
        )
    if errors:
        raise ApplicationError(_("Some answers are missing or not valid; nothing was saved."), details=errors)
    score = round_points(got * 100 / best) if best else None
    return rows, score


def _save(
    survey: Survey,
    unit: Unit,
    answers: Mapping[str, Any],
    *,
    channel: str,
    link: SurveyLink | None = None,
    respondent_key: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> SurveyResponse:
    questions = current_questions(survey)
    rows, score = _score_answers(questions, answers)
    response = SurveyResponse.objects.create(
        survey=survey,
        unit=unit,
        unit_path=unit.path,
        version=survey.version,
        channel=channel,
        respondent_key=respondent_key,
        score=score,
        recorded_by=actor,
        created_at=now or timezone.now(),
    )
    for row in rows:
        row.response = response
    SurveyAnswer.objects.bulk_create(rows)
    return response


def _require_open(survey: Survey, today: dt.date) -> None:
    if not survey.is_open(today):
        raise ApplicationError(
            _("This survey is closed (open from %(a)s to %(b)s).")
            % {"a": survey.opens_on.isoformat(), "b": survey.closes_on.isoformat()},
            code="survey_closed",
        )


@transaction.atomic
def survey_answer_public(
    *,
    link: SurveyLink,
    answers: Mapping[str, Any],
    respondent_key: str,
    now: dt.datetime | None = None,
) -> SurveyResponse:
    """An answer through the public link (no login). One answer per respondent key (the browser's cookie)."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().get(pk=link.survey_id)
    _require_open(survey, timezone.localdate(now))
    if (
        not respondent_key
        or SurveyResponse.objects.filter(survey=survey, respondent_key=respondent_key).exists()
    ):
        raise ApplicationError(
            _("You have answered this survey already. Thank you!"), code="already_answered"
        )
    try:
        with transaction.atomic():
            return _save(
                survey,
                link.unit,
                answers,
                channel=ResponseChannel.PUBLIC,
                link=link,
                respondent_key=respondent_key,
                now=now,
            )
    except IntegrityError as exc:  # pragma: no cover - a double submit racing itself
        raise ApplicationError(
            _("You have answered this survey already. Thank you!"), code="already_answered"
        ) from exc


@transaction.atomic
def survey_response_record(
    *, actor: Any, survey: Survey, unit: Unit, answers: Mapping[str, Any], now: dt.datetime | None = None
) -> SurveyResponse:
    """An answer recorded by staff on a customer's behalf (a paper form, a phone interview)."""
    require_perm(actor, "feedback.add_surveyresponse")
    require_unit_in_scope(actor, unit, field="unit")
    now = now or timezone.now()
    _require_open(survey, timezone.localdate(now))
    if not unit.path.startswith(survey.unit_path):
        raise ApplicationError(
            _("This unit is not surveyed by this survey."), code="not_surveyed", field="unit"
        )
    return _save(survey, unit, answers, channel=ResponseChannel.STAFF, actor=actor, now=now)


# --- Results as indicator data -------------------------------------------------------------------------

FACT_NAMES: dict[str, tuple[str, str]] = {
    "survey_responses": ("份", "客户满意度调查：答卷数"),
    "survey_score": ("分", "客户满意度调查：平均得分（百分制）"),
    "survey_internal_responses": ("份", "内部客户满意度评价：答卷数"),
    "survey_internal_score": ("分", "内部客户满意度评价：平均得分（百分制）"),
}


def mean_score(scores: Sequence[Decimal | None]) -> Decimal | None:
    """The mean of the scored responses, Decimal, 2 places half up (None when none is scored)."""
    scored = [score for score in scores if score is not None]
    return round_points(sum(scored, Decimal(0)) / len(scored)) if scored else None


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


@transaction.atomic
def survey_facts_record(*, actor: Any, period: Period, dry_run: bool = False) -> RecordResult:
    """Record, for every unit of the actor's subtree answered for in the period, the number of responses
    and their mean score (customer surveys as survey_*, internal ones as survey_internal_*)."""
    if actor is not None:
        require_perm(actor, "feedback.record_survey_facts")
    path = WHOLE_BANK if actor is None else scope_path(actor)
    if path is None:
        raise PermissionDeniedError(_("You are not in charge of any unit, so you cannot record results."))
    low, high = _day_bounds(period.start, period.end)
    scores: dict[tuple[int, str], list[Decimal | None]] = {}
    for unit_id, kind, score in SurveyResponse.objects.filter(
        unit_path__startswith=path, created_at__gte=low, created_at__lt=high
    ).values_list("unit", "survey__kind", "score"):
        scores.setdefault((unit_id, kind), []).append(score)
    units = Unit.objects.in_bulk({unit_id for unit_id, _kind in scores})
    note = (_("Surveys %(period)s (/feedback/surveys/)") % {"period": period.code})[:255]
    values: list[FactValue] = []
    for (unit_id, kind), found in sorted(scores.items()):
        prefix = "survey" if kind == SurveyKind.CUSTOMER else "survey_internal"
        unit = units[unit_id]
        values.append(FactValue(unit, f"{prefix}_responses", Decimal(len(found)), "份", note=note))
        mean = mean_score(found)
        if mean is not None:
            values.append(FactValue(unit, f"{prefix}_score", mean, "分", note=note))
    if not values:
        raise ApplicationError(
            _("There are no survey answers in %(period)s to record.") % {"period": period.code},
            code="no_answers",
        )
    return facts_record(
        actor=actor,
        period=period,
        values=values,
        source=FactSource.MANUAL,
        note=(_("Surveys of %(period)s") % {"period": period.code})[:255],
        dry_run=dry_run,
    )
