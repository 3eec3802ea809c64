"""Reads of the rectification domain, always within the user's subtree (the outlet of the finding) — and
a responsible person also sees the rectifications they answer for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from youfu.accounts.access import restrict, subtree_q
from youfu.inspections.choices import COUNTING_STATUSES, RELEASED_STATUSES
from youfu.inspections.models import Finding
from youfu.org.choices import UnitKind
from youfu.org.models import Unit
from youfu.rectification.choices import ACTIVE_STATUSES, RectificationStatus
from youfu.rectification.models import Rectification, RectificationEvent, RectificationEvidence


def _base() -> QuerySet[Rectification]:
    return Rectification.objects.select_related(
        "unit",
        "responsible_unit",
        "responsible_person",
        "escalated_to",
        "finding__item",
        "finding__inspection",
        "repeat_of",
    )


def rectification_list(*, user: Any) -> QuerySet[Rectification]:
    if not user.has_perm("rectification.view_rectification"):
        return Rectification.objects.none()
    q = subtree_q(user)
    if getattr(user, "person_id", None):
        q |= Q(responsible_person_id=user.person_id)
    return _base().filter(q).order_by("deadline", "pk")


def rectification_get(*, user: Any, pk: int | str) -> Rectification:
    try:
        return rectification_list(user=user).get(pk=pk)
    except (Rectification.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def my_rectifications(*, user: Any) -> QuerySet[Rectification]:
    """An outlet-level user's: their outlet's and the ones they answer for; anyone else: their subtree's."""
    rows = rectification_list(user=user)
    if user.unit_id and user.unit.kind == UnitKind.OUTLET:
        q = Q(unit_id=user.unit_id) | Q(responsible_unit_id=user.unit_id)
        if user.person_id:
            q |= Q(responsible_person_id=user.person_id)
        rows = rows.filter(q)
    return rows


def overdue(rows: QuerySet[Rectification], today: dt.date | None = None) -> QuerySet[Rectification]:
    today = today or timezone.localdate()
    return rows.filter(status__in=ACTIVE_STATUSES, deadline__lt=today)


def overdue_board(*, user: Any, today: dt.date | None = None) -> QuerySet[Rectification]:
    """The service office's board: every overdue rectification of the subtree, most escalated first."""
    return overdue(restrict(_base(), user), today).order_by("-escalation_level", "deadline", "pk")


def outlet_history(*, user: Any, unit: Unit) -> QuerySet[Rectification]:
    return rectification_list(user=user).filter(unit=unit).order_by("-opened_at", "-pk")


def rectification_events(*, rectification: Rectification) -> QuerySet[RectificationEvent]:
    return rectification.events.select_related("actor").order_by("at", "id")


def rectification_evidence(*, rectification: Rectification) -> QuerySet[RectificationEvidence]:
    return rectification.evidence.select_related("uploaded_by").order_by("id")


def evidence_get(*, user: Any, pk: int | str) -> RectificationEvidence:
    try:
        return RectificationEvidence.objects.select_related("rectification").get(
            pk=pk, rectification__in=rectification_list(user=user)
        )
    except (RectificationEvidence.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def findings_awaiting(*, user: Any) -> QuerySet[Finding]:
    """Published findings of the subtree without a rectification yet (a channel duplicate is rectified
    through its first sighting)."""
    if not user.has_perm("rectification.add_rectification"):
        return Finding.objects.none()
    return (
        restrict(Finding.objects.all(), user, unit_field="inspection__unit")
        .filter(
            inspection__status__in=[s for s in RELEASED_STATUSES if s != "superseded"],
            duplicate_of__isnull=True,
            rectification__isnull=True,
        )
        .select_related("inspection__unit", "item")
        .order_by("-inspection__date", "inspection__unit__code", "item__code")
    )


def finding_for_rectification(*, user: Any, pk: int | str) -> Finding:
    try:
        return findings_awaiting(user=user).get(pk=pk)
    except (Finding.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def closed_rectification_repeated(finding: Finding) -> Rectification | None:
    """The closed rectification this finding repeats. inspections links a repeat to the earlier finding of
    the same item at the same outlet (`repeat_of`, within the bank's window); if that finding — or one
    further back in the chain — had a rectification closed on or before this finding's check date, the
    problem came back after it was fixed."""
    seen: set[int] = set()
    earlier = finding.repeat_of
    while earlier is not None and earlier.pk not in seen:
        seen.add(earlier.pk)
        rect = Rectification.objects.filter(finding=earlier, status=RectificationStatus.CLOSED).first()
        closed_at = rect.closed_at if rect is not None else None
        if closed_at is not None and timezone.localtime(closed_at).date() <= finding.inspection.date:
            return rect
        earlier = earlier.repeat_of
    return None


def outlet_quarter_counts(*, unit: Unit, start: dt.date, end: dt.date) -> dict[str, int]:
    """The facts of one outlet for one quarter (by the date of the finding's check)."""
    rows = Rectification.objects.filter(
        unit=unit, finding__inspection__date__gte=start, finding__inspection__date__lte=end
    )
    repeats = [
        f
        for f in Finding.objects.filter(
            inspection__unit=unit,
            inspection__date__gte=start,
            inspection__date__lte=end,
            inspection__status__in=COUNTING_STATUSES,
            is_repeat=True,
            duplicate_of__isnull=True,
        ).select_related("inspection", "item", "repeat_of")
        if closed_rectification_repeated(f) is not None
    ]
    return {
        "rectification_opened": rows.count(),
        "rectification_overdue": rows.filter(was_overdue=True).count(),
        "rectification_overdue_key_items": rows.filter(
            was_overdue=True, finding__item__key_item=True
        ).count(),
        "repeat_after_rectification": len(repeats),
        "repeat_after_rectification_key_items": sum(1 for f in repeats if f.item.key_item),
    }
