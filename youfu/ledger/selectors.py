"""Reads of the ledger. Every selector takes the user and returns only entries posted in their subtree:
one prefix filter on the entry's own unit_path (the subject's unit when it was posted)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Round
from django.http import Http404

from youfu.accounts.access import WHOLE_BANK, scope_path
from youfu.ledger.choices import SubjectRole
from youfu.ledger.models import LedgerEntry
from youfu.org.models import Period

POINTS_SCALE = 10_000  # LedgerEntry.points has 4 decimal places
AMOUNT_SCALE = 100  # fen


def _in_scope(user: Any) -> Q:
    path = scope_path(user)
    if path is None:
        return Q(pk__in=[])
    if path == WHOLE_BANK:
        return Q()
    return Q(unit_path__startswith=path)


def entry_list(*, user: Any) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(_in_scope(user))
        .select_related("person", "unit", "period", "author")
        .order_by("id")
    )


def entry_get(*, user: Any, pk: int | str) -> LedgerEntry:
    """An entry in the user's subtree; 404 (not 403) otherwise, so outsiders learn nothing of it."""
    try:
        return entry_list(user=user).get(pk=pk)
    except (LedgerEntry.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class SubjectBalance:
    """The net points and money of one subject in a period (reversals included, so they net out)."""

    subject_role: SubjectRole
    person_id: int | None
    unit_id: int | None
    name: str
    points: Decimal
    amount: Decimal
    entries: int


def _sum_scaled(field: str, scale: int) -> Sum:
    # SQLite keeps decimals as binary floats (NUMERIC affinity): summed as floats, many rows could miss
    # a fen. Summed as whole ten-thousandths of a point and whole fen, the total is exact on both
    # databases (each stored value is within far less than half a unit of its scaled integer).
    return Sum(Cast(Round(F(field) * Value(scale)), output_field=BigIntegerField()))


def balance_by_subject(*, user: Any, period: Period, policy: str | None = None) -> list[SubjectBalance]:
    """Net points and amount per subject in the period (one policy, or all of them), grouped in the
    database; ordered by role, then subject name."""
    entries = LedgerEntry.objects.filter(_in_scope(user), period=period)
    if policy is not None:
        entries = entries.filter(policy=policy)
    rows = (
        entries.order_by()
        .values("subject_role", "person_id", "unit_id", "person__name", "unit__name")
        .annotate(
            points_scaled=_sum_scaled("points", POINTS_SCALE),
            amount_scaled=_sum_scaled("amount", AMOUNT_SCALE),
            entries=Count("id"),
        )
        .order_by("subject_role", "person__name", "unit__name", "person_id", "unit_id")
    )
    return [
        SubjectBalance(
            subject_role=SubjectRole(row["subject_role"]),
            person_id=row["person_id"],
            unit_id=row["unit_id"],
            name=row["person__name"] or row["unit__name"],
            points=Decimal(row["points_scaled"]).scaleb(-4),
            amount=Decimal(row["amount_scaled"]).scaleb(-2),
            entries=row["entries"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class EntryExplanation:
    """Why a number is what it is: the entry (its rule, version, inputs and evidence), the other
    entries its event made, what it reverses and what reversed it."""

    entry: LedgerEntry
    siblings: list[LedgerEntry]
    reverses: LedgerEntry | None
    reversed_by: LedgerEntry | None


def entry_explain(*, user: Any, entry: LedgerEntry | int | str) -> EntryExplanation:
    """The explanation of an entry the user may see (404 otherwise); its siblings and reversals are
    shown only as far as they lie in the user's subtree too."""
    entry = entry_get(user=user, pk=entry.pk if isinstance(entry, LedgerEntry) else entry)
    visible = entry_list(user=user)
    return EntryExplanation(
        entry=entry,
        siblings=list(visible.filter(event_id=entry.event_id).exclude(pk=entry.pk)),
        reverses=visible.filter(pk=entry.reverses_id).first() if entry.reverses_id else None,
        reversed_by=visible.filter(reverses=entry).first(),
    )
