"""Writes of the staff appraisal (员工绩效考核, seed 000 篇6). Every service checks the role's right and
the subtree (youfu.accounts.access), refuses with ApplicationError and writes nothing when it does.

Monthly: the person writes the plan (by the 2nd), fills the form (handed out on the 28th, due by the 2nd
of the next month) and scores it (个人评分); finance, administration and the direct supervisor score it.
Quarterly: the person's self-assessment, the colleagues' anonymous ballots, the panel's score. Closing
a cycle computes every result from the policy (calculator.py); an upheld appeal adds a new version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.accounts.access import require_perm, require_unit_in_scope, unit_in_scope
from youfu.appraisal.calculator import AppraisalPolicy, AppraisalPolicyError, Outcome
from youfu.appraisal.choices import AppealStatus, CycleStatus, FormStatus, ItemKind, ItemStatus, RaterKind
from youfu.appraisal.models import (
    Adjustment,
    AdjustmentBatch,
    Appeal,
    Cycle,
    FormItem,
    MonthlyForm,
    PeerBallot,
    PeerScore,
    QuarterResult,
    Rating,
    Review,
)
from youfu.core.audit import acting_as
from youfu.core.errors import ApplicationError, ErrorDetail, PermissionDeniedError
from youfu.core.money import round_points
from youfu.org.choices import PeriodKind
from youfu.org.models import Period, Person, Unit
from youfu.scoring.models import PolicyVersion
from youfu.scoring.services import load_version

# 工作绩效考核表: 日常工作类 5 items of 8 points, 阶段工作类 5 of 10 (90 in all); the raters score out of 90.
ITEM_LIMITS = {ItemKind.ROUTINE: 5, ItemKind.PHASE: 5}
ITEM_POINTS = {ItemKind.ROUTINE: 8, ItemKind.PHASE: 10, ItemKind.OTHER: 8, ItemKind.SUGGESTION: 10}
FORM_MAX = Decimal(90)
# A self score above 90 is void (the policy's self_counted); above 100 it is a typo and refused.
SELF_MAX = Decimal(100)
REVIEW_MAX = Decimal(100)
# Peer scores count only from this many ballots on, and are seen only once the cycle is closed: with
# fewer, or while the box is open, a mean would give away a ballot.
MIN_PEER_BALLOTS = 3
PLAN_DUE_DAY = 2  # 每月2日前 … 编写当月工作计划
FORM_OUT_DAY = 28  # 工作绩效考核表每月28日由行政部发放 … 于次月2日前交至行政部


def policy_of(cycle: Cycle) -> AppraisalPolicy:
    return AppraisalPolicy.of(load_version(cycle.policy_version))


def plan_due(month: Period) -> dt.date:
    return month.start.replace(day=PLAN_DUE_DAY)


def form_due(month: Period) -> dt.date:
    return (month.end + dt.timedelta(days=1)).replace(day=PLAN_DUE_DAY)


def form_opens(month: Period) -> dt.date:
    return month.start.replace(day=FORM_OUT_DAY)


def _score(value: Any, *, field: str, maximum: Decimal, row: int | None = None) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(
            _("Not a number: %(value)s.") % {"value": value}, code="invalid", field=field
        ) from None
    if not score.is_finite() or score < 0 or score > maximum:
        raise ApplicationError(
            _("A score is between 0 and %(max)s; %(value)s is out of range.")
            % {"max": maximum, "value": value},
            code="out_of_range",
            field=field,
        )
    if score != round_points(score, 2):
        raise ApplicationError(_("A score has at most two decimals."), code="invalid", field=field)
    return score


def _require_open(cycle: Cycle) -> None:
    if cycle.status != CycleStatus.OPEN:
        raise ApplicationError(
            _("The cycle %(cycle)s is closed; nothing can be filled or scored any more.") % {"cycle": cycle},
            code="cycle_closed",
        )


def _require_own(actor: Any, person: Person) -> None:
    if getattr(actor, "person_id", None) != person.pk:
        raise PermissionDeniedError(_("Only %(name)s can fill this in.") % {"name": person.name})


# -- cycles --------------------------------------------------------------------------------------------


@transaction.atomic
def cycle_create(
    *,
    actor: Any,
    unit: Unit,
    period: Period,
    policy_version: PolicyVersion,
    finance_rater: Any = None,
    admin_rater: Any = None,
    appeal_days: int = 10,
) -> Cycle:
    """Open a quarter's appraisal for everyone in service in the unit's subtree: three monthly forms
    and one quarterly review each."""
    require_perm(actor, "appraisal.add_cycle")
    require_unit_in_scope(actor, unit, field="unit")
    if period.kind != PeriodKind.QUARTER:
        raise ApplicationError(_("An appraisal cycle is a quarter."), field="period")
    try:
        appraisal = AppraisalPolicy.of(load_version(policy_version))
    except AppraisalPolicyError as error:
        raise ApplicationError(
            _("Policy %(policy)s v%(version)s cannot run the staff appraisal: %(problem)s")
            % {"policy": policy_version.policy, "version": policy_version.version, "problem": error},
            code="policy_unusable",
            field="policy_version",
        ) from None
    del appraisal
    for rater, field in ((finance_rater, "finance_rater"), (admin_rater, "admin_rater")):
        if rater is not None and not unit_in_scope(rater, unit):
            raise ApplicationError(
                _("%(user)s cannot see the staff of %(unit)s and so cannot rate them.")
                % {"user": rater, "unit": unit.name},
                field=field,
            )
    if not 1 <= appeal_days <= 60:
        raise ApplicationError(_("The appeal window is 1 to 60 days."), field="appeal_days")
    if Cycle.objects.filter(unit=unit, period=period).exists():
        raise ApplicationError(
            _("%(unit)s already has a cycle for %(period)s.") % {"unit": unit.name, "period": period.name},
            code="duplicate",
            field="period",
        )
    months = list(
        Period.objects.filter(kind=PeriodKind.MONTH, start__gte=period.start, end__lte=period.end).order_by(
            "start"
        )
    )
    if len(months) != 3:
        raise ApplicationError(
            _("The months of %(period)s are not defined; create the year's periods first.")
            % {"period": period.name},
            field="period",
        )
    people = list(
        Person.objects.filter(unit__path__startswith=unit.path, is_active=True).select_related("unit")
    )
    with acting_as(actor):
        cycle = Cycle.objects.create(
            unit=unit,
            period=period,
            policy_version=policy_version,
            finance_rater=finance_rater,
            admin_rater=admin_rater,
            appeal_days=appeal_days,
            created_by=actor,
        )
        MonthlyForm.objects.bulk_create(
            MonthlyForm(cycle=cycle, person=p, unit=p.unit, month=m) for p in people for m in months
        )
        Review.objects.bulk_create(Review(cycle=cycle, person=p, unit=p.unit) for p in people)
    return cycle


# -- monthly forms -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    kind: str
    title: str


@transaction.atomic
def form_plan_save(
    *, actor: Any, form: MonthlyForm, lines: Iterable[PlanLine], submit: bool = False
) -> MonthlyForm:
    """Write (replace) the month's plan; with submit, hand it to the supervisor (due by the 2nd)."""
    form = MonthlyForm.objects.select_for_update().select_related("cycle", "person").get(pk=form.pk)
    _require_own(actor, form.person)
    _require_open(form.cycle)
    if form.status != FormStatus.DRAFT:
        raise ApplicationError(_("The plan was submitted; it can no longer be changed."), code="submitted")
    lines = [PlanLine(kind=line.kind, title=line.title.strip()) for line in lines]
    errors = []
    for index, line in enumerate(lines, start=1):
        if line.kind not in ItemKind.values:
            errors.append(
                ErrorDetail("invalid", _("Unknown kind %(kind)s.") % {"kind": line.kind}, "items", index)
            )
        if not line.title:
            errors.append(ErrorDetail("required", _("Every plan item needs a task."), "items", index))
    for kind, limit in ITEM_LIMITS.items():
        count = sum(1 for line in lines if line.kind == kind)
        if count > limit:
            errors.append(
                ErrorDetail(
                    "too_many",
                    _("At most %(limit)d %(kind)s items (%(count)d given).")
                    % {"limit": limit, "kind": ItemKind(kind).label, "count": count},
                    "items",
                )
            )
    if submit and not any(line.kind in ITEM_LIMITS for line in lines):
        errors.append(ErrorDetail("required", _("A plan needs at least one routine or phase item."), "items"))
    if errors:
        raise ApplicationError(errors[0].message, code=errors[0].code, field="items", details=errors)
    with acting_as(actor):
        form.items.all().delete()
        FormItem.objects.bulk_create(FormItem(form=form, kind=line.kind, title=line.title) for line in lines)
        if submit:
            form.status = FormStatus.PLAN_SUBMITTED
            form.plan_submitted_at = timezone.now()
            form.save(update_fields=["status", "plan_submitted_at"])
    return form


@dataclass(frozen=True)
class ItemProgress:
    item_id: int
    status: str
    reason: str = ""


@transaction.atomic
def form_fill(
    *,
    actor: Any,
    form: MonthlyForm,
    progress: Iterable[ItemProgress],
    self_score: Any,
    summary: str = "",
    submit: bool = False,
) -> MonthlyForm:
    """Record each item's completion (a reason for 进行中 / 未进行), the summary and the self score
    (个人评分, 90 at most to count: above it the policy uses the supervisor's score − 10)."""
    form = MonthlyForm.objects.select_for_update().select_related("cycle", "person").get(pk=form.pk)
    _require_own(actor, form.person)
    _require_open(form.cycle)
    if form.status == FormStatus.DRAFT:
        raise ApplicationError(_("Submit the month's plan first."), code="plan_missing")
    if form.status == FormStatus.SUBMITTED:
        raise ApplicationError(_("The form was submitted; it can no longer be changed."), code="submitted")
    score = _score(self_score, field="self_score", maximum=SELF_MAX)
    items = {item.pk: item for item in form.items.all()}
    given = {p.item_id: p for p in progress}
    errors = []
    for index, (pk, item) in enumerate(items.items(), start=1):
        step = given.get(pk)
        status = step.status if step else ""
        reason = step.reason.strip() if step else ""
        if status not in ItemStatus.values:
            if submit:
                errors.append(
                    ErrorDetail(
                        "required",
                        _("“%(item)s”: choose its completion.") % {"item": item.title},
                        "items",
                        index,
                    )
                )
            continue
        if status != ItemStatus.DONE and not reason:
            errors.append(
                ErrorDetail(
                    "reason_required",
                    _("“%(item)s”: say why it is not done.") % {"item": item.title},
                    "items",
                    index,
                )
            )
        item.status, item.reason = status, reason
    unknown = set(given) - set(items)
    if unknown:
        errors.append(ErrorDetail("invalid", _("These items are not on this form."), "items"))
    if errors:
        raise ApplicationError(errors[0].message, code=errors[0].code, field="items", details=errors)
    with acting_as(actor):
        FormItem.objects.bulk_update(items.values(), ["status", "reason"])
        form.summary = summary
        fields = ["summary"]
        if submit:
            form.status, form.submitted_at = FormStatus.SUBMITTED, timezone.now()
            fields += ["status", "submitted_at"]
        form.save(update_fields=fields)
        Rating.objects.update_or_create(
            form=form,
            kind=RaterKind.SELF,
            defaults={"score": score, "rater": actor, "rated_at": timezone.now()},
        )
    return form


def rater_kinds(actor: Any, form: MonthlyForm) -> list[str]:
    """The ratings this user may give on this form (none on their own, but the self score)."""
    kinds: list[str] = []
    cycle = form.cycle
    if getattr(actor, "person_id", None) == form.person_id:
        return kinds
    if not unit_in_scope(actor, form.unit):
        return kinds
    if cycle.finance_rater_id == actor.pk:
        kinds.append(RaterKind.FINANCE)
    if cycle.admin_rater_id == actor.pk:
        kinds.append(RaterKind.ADMIN)
    if actor.has_perm("appraisal.rate_supervisor"):
        kinds.append(RaterKind.SUPERVISOR)
    return kinds


@transaction.atomic
def rating_give(
    *, actor: Any, form: MonthlyForm, kind: str, score: Any, adopted_item_ids: Iterable[int] | None = None
) -> Rating:
    """A rater's score of a submitted monthly form (out of 90). The supervisor also says which of the
    month's suggestions the company adopted (+10 each)."""
    form = MonthlyForm.objects.select_for_update().select_related("cycle", "unit").get(pk=form.pk)
    if not unit_in_scope(actor, form.unit) and getattr(actor, "person_id", None) != form.person_id:
        raise PermissionDeniedError(
            _("This form is outside the part of the organisation you are responsible for.")
        )
    if kind == RaterKind.SELF:
        raise ApplicationError(_("The self score is given on the form itself."), field="kind")
    if kind not in rater_kinds(actor, form):
        raise PermissionDeniedError(
            _("You are not this form's %(kind)s rater.")
            % {"kind": RaterKind(kind).label if kind in RaterKind.values else kind}
        )
    _require_open(form.cycle)
    if form.status != FormStatus.SUBMITTED:
        raise ApplicationError(_("The form has not been submitted yet."), code="not_submitted")
    value = _score(score, field="score", maximum=FORM_MAX)
    with acting_as(actor):
        rating, _created = Rating.objects.update_or_create(
            form=form, kind=kind, defaults={"score": value, "rater": actor, "rated_at": timezone.now()}
        )
        if kind == RaterKind.SUPERVISOR and adopted_item_ids is not None:
            adopted = set(adopted_item_ids)
            for item in form.items.filter(kind=ItemKind.SUGGESTION):
                if item.adopted != (item.pk in adopted):
                    item.adopted = item.pk in adopted
                    item.save(update_fields=["adopted"])
    return rating


# -- the quarterly review ------------------------------------------------------------------------------


@transaction.atomic
def review_self(*, actor: Any, review: Review, score: Any, summary: str = "") -> Review:
    """自我考评 on the 员工考核表."""
    review = Review.objects.select_for_update().select_related("cycle", "person").get(pk=review.pk)
    _require_own(actor, review.person)
    _require_open(review.cycle)
    review.self_score = _score(score, field="score", maximum=REVIEW_MAX)
    review.self_summary = summary
    with acting_as(actor):
        review.save(update_fields=["self_score", "self_summary"])
    return review


@transaction.atomic
def review_panel(*, actor: Any, review: Review, score: Any) -> Review:
    """考评小组考评."""
    review = Review.objects.select_for_update().select_related("cycle", "unit").get(pk=review.pk)
    require_perm(actor, "appraisal.rate_panel")
    require_unit_in_scope(actor, review.unit)
    if getattr(actor, "person_id", None) == review.person_id:
        raise PermissionDeniedError(_("Nobody scores themselves as the panel."))
    _require_open(review.cycle)
    review.panel_score = _score(score, field="score", maximum=REVIEW_MAX)
    review.panel_rater = actor
    with acting_as(actor):
        review.save(update_fields=["panel_score", "panel_rater"])
    return review


def ballot_colleagues(*, cycle: Cycle, person: Person) -> list[Person]:
    """Whom a person rates in the 员工互评表: the colleagues of their unit in the cycle, not themselves."""
    ids = (
        Review.objects.filter(cycle=cycle, unit_id=person.unit_id).exclude(person=person).values("person_id")
    )
    return list(Person.objects.filter(pk__in=ids).order_by("employee_no"))


@transaction.atomic
def peer_ballot_cast(*, actor: Any, cycle: Cycle, scores: Mapping[int, Any]) -> None:
    """Put one anonymous ballot in the box: a score for each colleague. The scores are stored without
    their author; the only trace of the voter is that they voted (one ballot a quarter). Nothing here
    goes through acting_as or the audit log."""
    person = getattr(actor, "person", None)
    if person is None:
        raise PermissionDeniedError(_("Only a member of staff can vote."))
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _require_open(cycle)
    if not Review.objects.filter(cycle=cycle, person=person).exists():
        raise PermissionDeniedError(_("You are not appraised in this cycle."))
    if PeerBallot.objects.filter(cycle=cycle, rater=person).exists():
        raise ApplicationError(_("You have already voted this quarter."), code="already_voted")
    if person.pk in scores:
        raise ApplicationError(_("Nobody rates themselves as a peer."), code="self_rating", field="scores")
    allowed = {p.pk for p in ballot_colleagues(cycle=cycle, person=person)}
    strangers = set(scores) - allowed
    if strangers:
        raise ApplicationError(
            _("You can rate only the colleagues of your unit."), code="not_a_colleague", field="scores"
        )
    if not scores:
        raise ApplicationError(_("The ballot is empty."), code="required", field="scores")
    values = {pk: _score(v, field="scores", maximum=REVIEW_MAX) for pk, v in scores.items()}
    # Random keys, no time: the rows say nothing of who put them in or when.
    PeerScore.objects.bulk_create(PeerScore(cycle=cycle, ratee_id=pk, score=v) for pk, v in values.items())
    PeerBallot.objects.create(cycle=cycle, rater=person)


# -- adjustments (Excel) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdjustmentRow:
    row: int
    employee_no: str
    month: str
    leave_days: Any
    trainings_attended: Any
    trainings_missed: Any
    days_late: Any


@dataclass(frozen=True)
class ImportOutcome:
    rows: int
    changed: int
    batch: AdjustmentBatch | None


def _count(value: Any, *, field: str, row: int, errors: list[ErrorDetail], half: bool = False) -> Decimal:
    text = "" if value is None else str(value).strip()
    if text == "":
        return Decimal(0)
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors.append(
            ErrorDetail(
                "invalid",
                _("%(field)s: not a number (%(value)s).") % {"field": field, "value": text},
                field,
                row,
            )
        )
        return Decimal(0)
    step = Decimal("0.5") if half else Decimal(1)
    if not number.is_finite() or number < 0 or number > 31 or number % step != 0:
        errors.append(
            ErrorDetail(
                "out_of_range",
                _("%(field)s: %(value)s is not allowed.") % {"field": field, "value": text},
                field,
                row,
            )
        )
        return Decimal(0)
    return number


@transaction.atomic
def adjustments_import(
    *,
    actor: Any,
    cycle: Cycle,
    rows: list[AdjustmentRow],
    file_name: str,
    content: bytes = b"",
    dry_run: bool = False,
) -> ImportOutcome:
    """Attendance and training adjustments (行政部): all rows or none, every row's error listed;
    importing the same file again changes nothing."""
    require_perm(actor, "appraisal.import_adjustments")
    require_unit_in_scope(actor, cycle.unit)
    _require_open(cycle)
    months = {
        p.code: p
        for p in Period.objects.filter(
            kind=PeriodKind.MONTH, start__gte=cycle.period.start, end__lte=cycle.period.end
        )
    }
    reviewed = {
        r.person.employee_no: r for r in Review.objects.filter(cycle=cycle).select_related("person", "unit")
    }
    errors: list[ErrorDetail] = []
    seen: set[tuple[str, str]] = set()
    wanted = []
    for line in rows:
        no = str(line.employee_no or "").strip()
        month = str(line.month or "").strip()
        review = reviewed.get(no)
        if review is None:
            errors.append(
                ErrorDetail(
                    "unknown_person",
                    _("No one with employee number %(no)s is appraised in this cycle.") % {"no": no or "—"},
                    "employee_no",
                    line.row,
                )
            )
        elif not unit_in_scope(actor, review.unit):
            errors.append(
                ErrorDetail(
                    "permission_denied",
                    _("%(no)s is outside your part of the organisation.") % {"no": no},
                    "employee_no",
                    line.row,
                )
            )
        if month not in months:
            errors.append(
                ErrorDetail(
                    "unknown_month",
                    _("Month %(month)s is not a month of %(period)s.")
                    % {"month": month or "—", "period": cycle.period.name},
                    "month",
                    line.row,
                )
            )
        if (no, month) in seen:
            errors.append(
                ErrorDetail(
                    "duplicate",
                    _("%(no)s %(month)s appears twice.") % {"no": no, "month": month},
                    "employee_no",
                    line.row,
                )
            )
        seen.add((no, month))
        values = {
            "leave_days": _count(line.leave_days, field="leave_days", row=line.row, errors=errors, half=True),
            "trainings_attended": int(
                _count(line.trainings_attended, field="trainings_attended", row=line.row, errors=errors)
            ),
            "trainings_missed": int(
                _count(line.trainings_missed, field="trainings_missed", row=line.row, errors=errors)
            ),
            "days_late": int(_count(line.days_late, field="days_late", row=line.row, errors=errors)),
        }
        if review is not None and month in months:
            wanted.append((review, months[month], values))
    if not rows:
        errors.append(ErrorDetail("empty", _("The file has no rows."), None))
    if errors:
        raise ApplicationError(
            _("%(count)d error(s) in the file; nothing was imported.") % {"count": len(errors)},
            code="import_invalid",
            details=errors,
        )
    existing = {(a.person_id, a.month_id): a for a in Adjustment.objects.filter(cycle=cycle)}
    changes = []
    for review, period, values in wanted:
        current = existing.get((review.person_id, period.pk))
        if current is None and not any(values.values()):
            continue
        if current is not None and all(getattr(current, k) == v for k, v in values.items()):
            continue
        changes.append((review, period, values, current))
    if dry_run or not changes:
        return ImportOutcome(rows=len(rows), changed=len(changes), batch=None)
    with acting_as(actor):
        batch = AdjustmentBatch.objects.create(
            cycle=cycle,
            file_name=file_name,
            sha256=hashlib.sha256(content).hexdigest(),
            rows=len(rows),
            changed=len(changes),
            imported_by=actor,
        )
        for review, period, values, current in changes:
            if current is None:
                Adjustment.objects.create(
                    cycle=cycle, person=review.person, unit=review.unit, month=period, batch=batch, **values
                )
            else:
                for key, value in values.items():
                    setattr(current, key, value)
                current.batch = batch
                current.save()
    return ImportOutcome(rows=len(rows), changed=len(changes), batch=batch)


# -- results -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    person: Person
    what: list[str]


def _gather(
    cycle: Cycle,
    review: Review,
    forms: list[MonthlyForm],
    adjustments: Mapping[tuple[int, int], Adjustment],
    peers: Mapping[int, tuple[int, Decimal | None]],
) -> tuple[list[tuple[str, dict[str, Decimal]]], dict[str, Decimal], dict[str, Any], list[str]]:
    """The policy's inputs for one person, what they came from, and what is missing."""
    missing: list[str] = []
    months = []
    sources: dict[str, Any] = {"months": []}
    needed = [RaterKind.SELF, RaterKind.FINANCE, RaterKind.ADMIN, RaterKind.SUPERVISOR]
    for form in forms:
        ratings = {r.kind: r for r in form.ratings.all()}
        lacking = [k for k in needed if k not in ratings]
        if form.status != FormStatus.SUBMITTED or lacking:
            missing.append(
                _("%(month)s: %(what)s")
                % {
                    "month": form.month.name,
                    "what": _("form not submitted")
                    if form.status != FormStatus.SUBMITTED
                    else ", ".join(str(RaterKind(k).label) for k in lacking),
                }
            )
            continue
        items = list(form.items.all())
        adj = adjustments.get((form.person_id, form.month_id))
        dept = (ratings[RaterKind.FINANCE].score + ratings[RaterKind.ADMIN].score) / 2
        inputs = {
            "self_score": ratings[RaterKind.SELF].score,
            "dept_score": dept,
            "supervisor_score": ratings[RaterKind.SUPERVISOR].score,
            "other_items": Decimal(
                sum(1 for i in items if i.kind == ItemKind.OTHER and i.status == ItemStatus.DONE)
            ),
            "adopted_suggestions": Decimal(
                sum(1 for i in items if i.kind == ItemKind.SUGGESTION and i.adopted)
            ),
            "leave_days": adj.leave_days if adj else Decimal(0),
            "trainings_attended": Decimal(adj.trainings_attended if adj else 0),
            "trainings_missed": Decimal(adj.trainings_missed if adj else 0),
            "plan_days_late": Decimal(adj.days_late if adj else 0),
        }
        months.append((form.month.code, inputs))
        sources["months"].append(
            {
                "month": form.month.code,
                "month_name": form.month.name,
                "form": form.pk,
                "ratings": {
                    k: {
                        "score": str(r.score),
                        "rater": r.rater.get_username(),
                        "rated_at": r.rated_at.isoformat(),
                    }
                    for k, r in ratings.items()
                },
                "items": [
                    {
                        "kind": i.kind,
                        "title": i.title,
                        "status": i.status,
                        "reason": i.reason,
                        "adopted": i.adopted,
                    }
                    for i in items
                ],
                "adjustment": (
                    {
                        "batch": adj.batch_id,
                        "leave_days": str(adj.leave_days),
                        "trainings_attended": adj.trainings_attended,
                        "trainings_missed": adj.trainings_missed,
                        "days_late": adj.days_late,
                    }
                    if adj
                    else None
                ),
            }
        )
    count, mean = peers.get(review.person_id, (0, None))
    if review.self_score is None:
        missing.append(_("self-assessment"))
    if review.panel_score is None:
        missing.append(_("panel score"))
    if count < MIN_PEER_BALLOTS or mean is None:
        missing.append(
            _("peer scores (%(count)d of at least %(min)d)") % {"count": count, "min": MIN_PEER_BALLOTS}
        )
    quarter: dict[str, Decimal] = {}
    if not missing:
        quarter = {"comp_self": review.self_score, "comp_peers": mean, "comp_panel": review.panel_score}  # type: ignore[dict-item]
    sources["review"] = {
        "self_score": str(review.self_score) if review.self_score is not None else None,
        "panel_score": str(review.panel_score) if review.panel_score is not None else None,
        "panel_rater": review.panel_rater.get_username() if review.panel_rater else None,
        "peer_ballots": count,  # how many, never who
    }
    if not months:
        missing.append(_("no month with a complete form"))
    return months, quarter, sources, missing


def _explanation(
    appraisal: AppraisalPolicy, cycle: Cycle, outcome: Outcome, sources: dict[str, Any]
) -> dict[str, Any]:
    def step(s: Any) -> dict[str, Any]:
        return {"name": s.name, "formula": s.formula, "seed": s.seed, "value": str(s.value)}

    month_sources = {m["month"]: m for m in sources["months"]}
    return {
        "policy": {"id": cycle.policy_version.policy, "version": cycle.policy_version.version},
        "weights": {k: str(v) for k, v in appraisal.weights.items()},
        "months": [
            {
                **month_sources[m.key],
                "inputs": {k: str(v) for k, v in m.inputs.items()},
                "steps": [step(s) for s in m.steps],
            }
            for m in outcome.months
        ],
        "review": sources["review"],
        "quarter_inputs": {k: str(v) for k, v in outcome.inputs.items()},
        "steps": [step(s) for s in outcome.steps],
        "monthly_mean": str(outcome.monthly_mean),
        "score": str(outcome.score),
        "grade": outcome.grade,
        "bands": appraisal.band_text(),
        "bonus_items": list(outcome.bonus_items) if outcome.bonus_items is not None else None,
        "bonus_formula": outcome.bonus_formula,
        "bonus_seed": outcome.bonus_seed,
        "rules": [{"id": rid, "seed": seed} for rid, seed in outcome.rules],
    }


def _store(
    *,
    actor: Any,
    appraisal: AppraisalPolicy,
    cycle: Cycle,
    review: Review,
    outcome: Outcome,
    sources: dict[str, Any],
    version: int,
    reason: str,
) -> QuarterResult:
    return QuarterResult.objects.create(
        cycle=cycle,
        person=review.person,
        unit=review.unit,
        version=version,
        monthly_mean=outcome.monthly_mean,
        comprehensive=outcome.comprehensive,
        score=outcome.score,
        grade=outcome.grade,
        bonus_items="+".join(outcome.bonus_items or ()),
        bonus_silent=outcome.bonus_items is None,
        explanation=_explanation(appraisal, cycle, outcome, sources),
        reason=reason,
        computed_by=actor,
    )


def peer_means(cycle: Cycle) -> dict[int, tuple[int, Decimal | None]]:
    """Ballots and mean per ratee (10 places, half up: the policy's number precision)."""
    scores: dict[int, list[Decimal]] = {}
    # Summed in Python: Avg() is a float on SQLite.
    for ratee, score in PeerScore.objects.filter(cycle=cycle).values_list("ratee_id", "score"):
        scores.setdefault(ratee, []).append(score)
    return {ratee: (len(v), round_points(sum(v, Decimal(0)) / len(v), 10)) for ratee, v in scores.items()}


def _inputs_of(cycle: Cycle, people: list[int] | None = None) -> list[tuple[Review, list[MonthlyForm]]]:
    reviews = Review.objects.filter(cycle=cycle).select_related("person", "unit", "panel_rater")
    if people is not None:
        reviews = reviews.filter(person_id__in=people)
    forms = (
        MonthlyForm.objects.filter(cycle=cycle)
        .select_related("month")
        .prefetch_related("items", "ratings__rater")
    )
    if people is not None:
        forms = forms.filter(person_id__in=people)
    by_person: dict[int, list[MonthlyForm]] = {}
    for form in forms.order_by("month__start"):
        by_person.setdefault(form.person_id, []).append(form)
    return [(review, by_person.get(review.person_id, [])) for review in reviews]


@transaction.atomic
def cycle_close(*, actor: Any, cycle: Cycle) -> list[Missing]:
    """Close the cycle (no more forms, ratings or ballots) and compute every person's result from the
    policy. Returns the people left without a result and what they lack."""
    require_perm(actor, "appraisal.close_cycle")
    cycle = (
        Cycle.objects.select_for_update().select_related("unit", "period", "policy_version").get(pk=cycle.pk)
    )
    require_unit_in_scope(actor, cycle.unit)
    _require_open(cycle)
    appraisal = policy_of(cycle)
    adjustments = {(a.person_id, a.month_id): a for a in Adjustment.objects.filter(cycle=cycle)}
    peers = peer_means(cycle)
    missing = []
    with acting_as(actor):
        cycle.status, cycle.closed_at = CycleStatus.CLOSED, timezone.now()
        cycle.save(update_fields=["status", "closed_at"])
        for review, forms in _inputs_of(cycle):
            months, quarter, sources, lacking = _gather(cycle, review, forms, adjustments, peers)
            if lacking:
                missing.append(Missing(person=review.person, what=lacking))
                continue
            outcome = appraisal.appraise(months, quarter)
            _store(
                actor=actor,
                appraisal=appraisal,
                cycle=cycle,
                review=review,
                outcome=outcome,
                sources=sources,
                version=1,
                reason="",
            )
    return missing


# -- appeals -------------------------------------------------------------------------------------------


def appeal_deadline(cycle: Cycle) -> dt.date | None:
    if cycle.closed_at is None:
        return None
    return timezone.localtime(cycle.closed_at).date() + dt.timedelta(days=cycle.appeal_days)


@transaction.atomic
def appeal_raise(*, actor: Any, result: QuarterResult, reason: str) -> Appeal:
    """申诉: the person appeals their current grade within the cycle's window."""
    result = QuarterResult.objects.select_for_update().select_related("cycle", "person").get(pk=result.pk)
    _require_own(actor, result.person)
    if not result.is_current:
        raise ApplicationError(_("This result has been replaced; appeal the current one."), code="superseded")
    deadline = appeal_deadline(result.cycle)
    if deadline is None or timezone.localdate() > deadline:
        raise ApplicationError(_("The appeal window has closed."), code="appeal_closed")
    if not reason.strip():
        raise ApplicationError(_("Say why you appeal."), code="required", field="reason")
    if Appeal.objects.filter(
        result__cycle=result.cycle, person=result.person, status=AppealStatus.PENDING
    ).exists():
        raise ApplicationError(_("You already have an appeal waiting for the panel."), code="pending")
    with acting_as(actor):
        return Appeal.objects.create(
            result=result, person=result.person, unit=result.unit, reason=reason.strip(), raised_by=actor
        )


@transaction.atomic
def appeal_decide(
    *, actor: Any, appeal: Appeal, upheld: bool, decision: str, revised_panel_score: Any = None
) -> Appeal:
    """The panel decides. Upheld: the panel's revised score gives a NEW result version (the old one
    stays, no longer current); the review's panel score itself is not edited."""
    appeal = (
        Appeal.objects.select_for_update()
        .select_related("result__cycle__policy_version", "unit")
        .get(pk=appeal.pk)
    )
    require_perm(actor, "appraisal.decide_appeal")
    require_unit_in_scope(actor, appeal.unit)
    if appeal.status != AppealStatus.PENDING:
        raise ApplicationError(_("This appeal has been decided."), code="decided")
    if getattr(actor, "person_id", None) == appeal.person_id:
        raise PermissionDeniedError(_("Nobody decides their own appeal."))
    if not decision.strip():
        raise ApplicationError(_("Write the decision."), code="required", field="decision")
    old = appeal.result
    with acting_as(actor):
        if upheld:
            if revised_panel_score in (None, ""):
                raise ApplicationError(
                    _("An upheld appeal needs the panel's revised score."),
                    code="required",
                    field="revised_panel_score",
                )
            panel = _score(revised_panel_score, field="revised_panel_score", maximum=REVIEW_MAX)
            cycle = old.cycle
            appraisal = policy_of(cycle)
            adjustments = {
                (a.person_id, a.month_id): a
                for a in Adjustment.objects.filter(cycle=cycle, person=appeal.person)
            }
            ((review, forms),) = _inputs_of(cycle, [appeal.person_id])
            months, quarter, sources, lacking = _gather(cycle, review, forms, adjustments, peer_means(cycle))
            assert not lacking  # it had a result
            quarter = {**quarter, "comp_panel": panel}
            sources["review"] = {
                **sources["review"],
                "panel_score": str(panel),
                "revised_by_appeal": appeal.pk,
            }
            outcome = appraisal.appraise(months, quarter)
            old.is_current = False
            old.save(update_fields=["is_current"])  # audited: before → after
            new = _store(
                actor=actor,
                appraisal=appraisal,
                cycle=cycle,
                review=review,
                outcome=outcome,
                sources=sources,
                version=old.version + 1,
                reason=_("Appeal #%(appeal)d upheld: %(decision)s")
                % {"appeal": appeal.pk, "decision": decision.strip()},
            )
            appeal.revised_panel_score, appeal.new_result = panel, new
        appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
        appeal.decision, appeal.decided_by, appeal.decided_at = decision.strip(), actor, timezone.now()
        appeal.save()
    return appeal


REFERENCE_POLICY = Path(__file__).resolve().parents[1] / "policies" / "reference" / "r3_staff_appraisal.yaml"


def reference_policy_version() -> PolicyVersion:
    """R3 (seed 000 篇6) as a stored policy version: uploaded once, the same version afterwards."""
    from youfu.scoring.services import policy_version_upload

    return policy_version_upload(
        author=None, text=REFERENCE_POLICY.read_text(encoding="utf-8"), file_name=REFERENCE_POLICY.name
    )
