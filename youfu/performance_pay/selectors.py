"""Reads of the pay pools, always scoped.

Seeing whole pools (``performance_pay.view_pool``: the service office, the appraisal panel, auditors)
is limited to the user's subtree (youfu.accounts.access). Everyone else with
``performance_pay.view_own_pay`` sees the pools they have a line in, and only their own line: no one
else's amounts, no totals, no undistributed rest. Anything outside answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from youfu.accounts.access import subtree_q, unit_in_scope
from youfu.performance_pay.models import Allocation, AllocationLine, ImportBatch, PersonInput, Pool, Salary

VIEW = "performance_pay.view_pool"
OWN = "performance_pay.view_own_pay"


def _person_id(user: Any) -> int | None:
    return getattr(user, "person_id", None)


def pool_list(*, user: Any) -> QuerySet[Pool]:
    rows = Pool.objects.select_related("unit", "period", "policy_version")
    if user.has_perm(VIEW):
        subtree = subtree_q(user, "unit")
        if not subtree:  # the whole bank: an empty Q vanishes when OR-ed
            return rows.all()
        q = subtree
    else:
        q = Q(pk__in=[])
    if user.has_perm(OWN) and _person_id(user):
        q |= Q(allocations__is_current=True, allocations__lines__person_id=_person_id(user))
    return rows.filter(q).distinct()


def pool_get(*, user: Any, pk: int | str) -> Pool:
    try:
        return pool_list(user=user).get(pk=pk)
    except (Pool.DoesNotExist, ValueError):
        raise Http404 from None


def sees_all(user: Any, pool: Pool) -> bool:
    """Whether the user sees the whole pool (every line, totals, imports) or only their own line."""
    return bool(user.has_perm(VIEW)) and unit_in_scope(user, pool.unit)


def may_manage(user: Any, pool: Pool, perm: str = "performance_pay.compute_pool") -> bool:
    return bool(user.has_perm(perm)) and unit_in_scope(user, pool.unit)


def current_allocation(*, pool: Pool) -> Allocation | None:
    return Allocation.objects.filter(pool=pool, is_current=True).first()


def line_list(*, user: Any, allocation: Allocation) -> QuerySet[AllocationLine]:
    rows = AllocationLine.objects.filter(allocation=allocation).select_related("person", "unit")
    if sees_all(user, allocation.pool):
        return rows.filter(subtree_q(user, "unit")) if subtree_q(user, "unit") else rows
    person_id = _person_id(user)
    return rows.filter(person_id=person_id) if person_id and user.has_perm(OWN) else rows.none()


def line_get(*, user: Any, pool: Pool, person_pk: int | str) -> AllocationLine:
    allocation = current_allocation(pool=pool)
    if allocation is None:
        raise Http404
    try:
        return line_list(user=user, allocation=allocation).get(person_id=person_pk)
    except (AllocationLine.DoesNotExist, ValueError):
        raise Http404 from None


def batch_list(*, user: Any, pool: Pool) -> QuerySet[ImportBatch]:
    if not sees_all(user, pool):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(pool=pool).select_related("imported_by")


def input_count(*, pool: Pool) -> tuple[int, int]:
    return PersonInput.objects.filter(pool=pool).count(), Salary.objects.filter(pool=pool).count()


def is_stale(*, pool: Pool, allocation: Allocation | None) -> bool:
    """Balances imported after the current allocation was computed: compute again."""
    if allocation is None:
        return False
    return ImportBatch.objects.filter(
        pool=pool, kind="balances", imported_at__gt=allocation.computed_at, changed__gt=0
    ).exists()
