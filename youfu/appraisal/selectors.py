"""Reads of the staff appraisal, always scoped.

A person sees their own forms, review and results. Seeing other people's (supervisors, the service
office, the panel, auditors: ``appraisal.view_quarterresult``) is limited to the user's subtree
(youfu.accounts.access); a cycle's finance and administration raters see the cycle's forms to rate.
Anything outside answers 404. Peer scores are read only as a count and a mean, once the cycle is
closed and with enough ballots; the ballot tokens only as a count.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from youfu.accounts.access import subtree_q
from youfu.appraisal.choices import AppealStatus, CycleStatus
from youfu.appraisal.models import Appeal, Cycle, MonthlyForm, PeerBallot, QuarterResult, Rating, Review
from youfu.appraisal.services import MIN_PEER_BALLOTS, peer_means, rater_kinds
from youfu.core.money import round_points
from youfu.org.models import Person

OVERSEE = "appraisal.view_quarterresult"


def oversees(user: Any) -> bool:
    return bool(user.has_perm(OVERSEE))


def _own_q(user: Any, field: str = "person_id") -> Q:
    person_id = getattr(user, "person_id", None)
    return Q(**{field: person_id}) if person_id else Q(pk__in=[])


def _reach(user: Any, *more: Q, person_field: str = "person_id", unit_field: str = "unit") -> Q:
    """Own rows, plus the subtree's for those who oversee, plus ``more``. Careful with the whole bank:
    its subtree Q is empty, and an empty Q vanishes when OR-ed, so it is returned alone."""
    q = _own_q(user, person_field)
    if oversees(user):
        subtree = subtree_q(user, unit_field)
        if not subtree:
            return Q()
        q |= subtree
    for extra in more:
        q |= extra
    return q


def cycle_list(*, user: Any) -> QuerySet[Cycle]:
    """Cycles the user oversees (their subtree's) or is appraised or rates in."""
    rows = Cycle.objects.select_related("unit", "period", "policy_version")
    # A cycle of a unit above the user (a branch-wide cycle seen from a sub-branch) counts too: the
    # user sees its people of their subtree only.
    q = _reach(
        user,
        Q(finance_rater=user.pk),
        Q(admin_rater=user.pk),
        subtree_q(user, "reviews__unit") if oversees(user) else Q(pk__in=[]),
        person_field="reviews__person_id",
    )
    return rows.filter(q).distinct()


def cycle_get(*, user: Any, pk: int | str) -> Cycle:
    try:
        return cycle_list(user=user).get(pk=pk)
    except (Cycle.DoesNotExist, ValueError):
        raise Http404 from None


def form_list(*, user: Any, cycle: Cycle | None = None) -> QuerySet[MonthlyForm]:
    rows = MonthlyForm.objects.select_related("person", "unit", "month", "cycle")
    rows = rows.filter(_reach(user, Q(cycle__finance_rater=user.pk), Q(cycle__admin_rater=user.pk)))
    return rows.filter(cycle=cycle) if cycle is not None else rows


def form_get(*, user: Any, pk: int | str) -> MonthlyForm:
    try:
        return form_list(user=user).get(pk=pk)
    except (MonthlyForm.DoesNotExist, ValueError):
        raise Http404 from None


def my_forms(*, user: Any) -> QuerySet[MonthlyForm]:
    return form_list(user=user).filter(_own_q(user)).order_by("-month__start")


def form_ratings(*, form: MonthlyForm) -> dict[str, Rating]:
    return {r.kind: r for r in form.ratings.select_related("rater")}


def inbox(*, user: Any) -> list[tuple[MonthlyForm, list[str]]]:
    """Submitted forms of open cycles this user still has to rate, with the ratings they owe."""
    rows = (
        form_list(user=user)
        .filter(cycle__status=CycleStatus.OPEN, status="submitted")
        .exclude(person_id=getattr(user, "person_id", None) or 0)
        .prefetch_related("ratings")
        .order_by("month__start", "unit__path", "person__employee_no")
    )
    out = []
    for form in rows:
        given = {r.kind for r in form.ratings.all()}
        owed = [k for k in rater_kinds(user, form) if k not in given]
        if owed:
            out.append((form, owed))
    return out


def review_list(*, user: Any, cycle: Cycle) -> QuerySet[Review]:
    return (
        Review.objects.filter(cycle=cycle)
        .filter(_reach(user))
        .select_related("person", "unit", "panel_rater")
    )


def review_get(*, user: Any, pk: int | str) -> Review:
    try:
        return Review.objects.filter(_reach(user)).select_related("cycle", "person", "unit").get(pk=pk)
    except (Review.DoesNotExist, ValueError):
        raise Http404 from None


def my_review(*, user: Any, cycle: Cycle) -> Review | None:
    return Review.objects.filter(cycle=cycle).filter(_own_q(user)).first()


def has_voted(*, user: Any, cycle: Cycle) -> bool:
    person_id = getattr(user, "person_id", None)
    return bool(person_id) and PeerBallot.objects.filter(cycle=cycle, rater_id=person_id).exists()


def ballot_count(*, cycle: Cycle) -> int:
    return PeerBallot.objects.filter(cycle=cycle).count()


def result_list(*, user: Any, cycle: Cycle | None = None, current: bool = True) -> QuerySet[QuarterResult]:
    rows = QuarterResult.objects.filter(_reach(user)).select_related("person", "unit", "cycle__period")
    if current:
        rows = rows.filter(is_current=True)
    return rows.filter(cycle=cycle) if cycle is not None else rows


def result_get(*, user: Any, pk: int | str) -> QuarterResult:
    try:
        return result_list(user=user, current=False).select_related("cycle__policy_version").get(pk=pk)
    except (QuarterResult.DoesNotExist, ValueError):
        raise Http404 from None


def result_versions(*, user: Any, result: QuarterResult) -> QuerySet[QuarterResult]:
    return (
        result_list(user=user, current=False)
        .filter(cycle=result.cycle, person=result.person)
        .order_by("version")
    )


def distribution(*, user: Any, cycle: Cycle, labels: tuple[str, ...]) -> list[tuple[str, int]]:
    """How many current results of each grade, in the policy's order."""
    counts = Counter(result_list(user=user, cycle=cycle).values_list("grade", flat=True))
    return [(label, counts.get(label, 0)) for label in labels]


def person_history(*, user: Any, person: Person) -> QuerySet[QuarterResult]:
    return result_list(user=user).filter(person=person).order_by("cycle__period__start")


def person_get(*, user: Any, pk: int | str) -> Person:
    """A person whose appraisal the user may see: themselves, or someone of their subtree if they oversee."""
    rows = Person.objects.filter(_reach(user, person_field="pk"))
    try:
        return rows.select_related("unit").get(pk=pk)
    except (Person.DoesNotExist, ValueError):
        raise Http404 from None


def appeal_list(*, user: Any, status: str = "") -> QuerySet[Appeal]:
    rows = Appeal.objects.filter(_reach(user)).select_related(
        "person", "unit", "result__cycle__period", "new_result"
    )
    if status in AppealStatus.values:
        rows = rows.filter(status=status)
    return rows


def appeal_get(*, user: Any, pk: int | str) -> Appeal:
    try:
        return appeal_list(user=user).get(pk=pk)
    except (Appeal.DoesNotExist, ValueError):
        raise Http404 from None


def peer_summary(*, cycle: Cycle, person: Person) -> tuple[int, str]:
    """(ballots, mean shown) for a person: the mean only once the box is closed and with enough of them."""
    if cycle.status != CycleStatus.CLOSED:
        return 0, ""
    count, mean = peer_means(cycle).get(person.pk, (0, None))
    if count < MIN_PEER_BALLOTS or mean is None:
        return count, ""
    return count, str(round_points(mean, 2))
