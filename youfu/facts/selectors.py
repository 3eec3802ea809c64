"""Reads of the facts domain.

For the scoring engine (a system run, the whole bank): `facts_for_period`, `facts_for_periods` and
`fact_evidence`. For pages, the API and exports: `fact_list`, `fact_get`, `fact_history`, `batch_list`,
`batch_get`, always within the user's subtree — one prefix filter on the fact's own `unit_path` (the
subject's unit when the value was recorded), like the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from youfu.accounts.access import WHOLE_BANK, scope_path
from youfu.facts.choices import SubjectKind, ValueType
from youfu.facts.models import Fact, FactBatch, plain_decimal
from youfu.org.models import Period

_CHUNK = 500


def _in_scope(user: Any, field: str = "unit_path") -> Q:
    """None is a system run (the scoring engine): the whole bank."""
    if user is None:
        return Q()
    path = scope_path(user)
    if path is None:
        return Q(pk__in=[])
    if path == WHOLE_BANK:
        return Q()
    return Q(**{f"{field}__startswith": path})


# --- For the scoring engine ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FactRow:
    """One current value, as the scoring engine reads it."""

    fact_id: int
    period_id: int
    subject_kind: str  # SubjectKind: "unit" or "person"
    unit_id: int | None  # set when subject_kind is "unit"
    person_id: int | None  # set when subject_kind is "person"
    name: str
    value: Decimal | bool | str  # Decimal without trailing zeros (93.35, 100), bool, or str
    value_type: str  # ValueType: "number", "bool" or "text"
    measure: str  # unit of measure, e.g. 分, 元 ("" when none)


_ROW_FIELDS = (
    "pk",
    "period_id",
    "subject_kind",
    "unit_id",
    "person_id",
    "name",
    "value_type",
    "value_number",
    "value_bool",
    "value_text",
    "measure",
)


def _row(values: tuple[Any, ...]) -> FactRow:
    pk, period_id, kind, unit_id, person_id, name, value_type, number, flag, text, measure = values
    value: Decimal | bool | str
    if value_type == ValueType.NUMBER:
        value = plain_decimal(number)
    elif value_type == ValueType.BOOL:
        value = bool(flag)
    else:
        value = text or ""
    return FactRow(pk, period_id, kind, unit_id, person_id, name, value, value_type, measure)


def _current(periods: list[Period], names: Iterable[str], user: Any) -> QuerySet[Fact]:
    return Fact.objects.filter(
        _in_scope(user), period__in=periods, name__in=sorted(set(names)), is_current=True
    ).order_by("period_id", "name", "subject_kind", "unit_id", "person_id")


def facts_for_period(*, period: Period, names: Iterable[str], user: Any = None) -> list[FactRow]:
    """The current value of each of `names` for every subject that has one in `period`, ordered by
    name, subject kind, then unit or person id. A subject without a fact has no row (the policy's
    `default` applies, or the engine reports it). `user` None: the whole bank (a system run); a user:
    their subtree only."""
    return [
        _row(v) for v in _current([period], names, user).values_list(*_ROW_FIELDS).iterator(chunk_size=2000)
    ]


def facts_for_periods(
    *, periods: Iterable[Period], names: Iterable[str], user: Any = None
) -> dict[str, list[FactRow]]:
    """Per name, the current values of several periods (for sums and means over a span); each row's
    `period_id` says which period it belongs to. Every asked name is a key, with [] when no fact."""
    wanted = sorted(set(names))
    result: dict[str, list[FactRow]] = {name: [] for name in wanted}
    rows = _current(list(periods), wanted, user).values_list(*_ROW_FIELDS).iterator(chunk_size=2000)
    for values in rows:
        row = _row(values)
        result[row.name].append(row)
    return result


@dataclass(frozen=True)
class FactEvidence:
    """Where a value came from, for an explanation page: the batch (file, sheet, row), who recorded it
    and when, and whether a later value has replaced it."""

    fact_id: int
    name: str
    value: Decimal | bool | str
    measure: str
    period_code: str
    subject_kind: str
    subject_code: str  # unit code or employee number
    subject_name: str
    source: str  # BatchSource: "import" or "manual"
    batch_id: int
    file_name: str
    sha256: str
    sheet: str
    row_number: int | None
    note: str  # the value's own note, else the batch's
    recorded_by: str  # the user's name (username), "" for a system run
    recorded_at: dt.datetime
    is_current: bool

    @property
    def text(self) -> str:
        """One sentence for people, e.g.
        "93.35分 来自 省行神秘人检查2025Q3.xlsx 第 17 行，张三 于 2025-10-08 导入"."""
        return str(self)

    def __str__(self) -> str:
        when = timezone.localtime(self.recorded_at).date().isoformat()
        who = self.recorded_by or "系统"
        if self.file_name:
            where = self.file_name
            if self.sheet:
                where += f"（{self.sheet}）"
            if self.row_number:
                where += f" 第 {self.row_number} 行"
            return f"{self.value}{self.measure} 来自 {where}，{who} 于 {when} 导入"
        return f"{self.value}{self.measure} 由 {who} 于 {when} 手工录入：{self.note}"


def fact_evidence(*, fact_ids: Iterable[int], user: Any = None) -> dict[int, FactEvidence]:
    """Evidence of each fact (current or superseded) by id; ids outside the user's subtree (or unknown)
    are left out. `user` None: the whole bank (a system run)."""
    ids = sorted(set(fact_ids))
    found: dict[int, FactEvidence] = {}
    for start in range(0, len(ids), _CHUNK):
        facts = Fact.objects.filter(_in_scope(user), pk__in=ids[start : start + _CHUNK]).select_related(
            "period", "unit", "person", "batch", "batch__created_by"
        )
        for fact in facts:
            batch = fact.batch
            author = batch.created_by
            subject = fact.subject
            code = str(getattr(subject, "employee_no", None) or getattr(subject, "code", ""))
            found[fact.pk] = FactEvidence(
                fact_id=fact.pk,
                name=fact.name,
                value=fact.value,
                measure=fact.measure,
                period_code=fact.period.code,
                subject_kind=fact.subject_kind,
                subject_code=code,
                subject_name=getattr(subject, "name", ""),
                source=batch.source,
                batch_id=batch.pk,
                file_name=batch.file_name,
                sha256=batch.sha256,
                sheet=batch.sheet,
                row_number=fact.row_number,
                note=fact.note or batch.note,
                recorded_by=(author.get_full_name() or author.username) if author is not None else "",
                recorded_at=batch.created_at,
                is_current=fact.is_current,
            )
    return found


# --- For pages, the API and exports ----------------------------------------------------------------


def fact_list(*, user: Any, current_only: bool = True) -> QuerySet[Fact]:
    facts = Fact.objects.filter(_in_scope(user))
    if current_only:
        facts = facts.filter(is_current=True)
    return facts.select_related(
        "period", "unit", "person", "person__unit", "batch", "batch__created_by"
    ).order_by("period__start", "name", "unit_path", "id")


def fact_get(*, user: Any, pk: int | str) -> Fact:
    """A fact (current or not) in the user's subtree; 404 otherwise, so outsiders learn nothing of it."""
    try:
        return fact_list(user=user, current_only=False).get(pk=pk)
    except (Fact.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def fact_history(*, user: Any, fact: Fact) -> list[Fact]:
    """Every value the fact's subject has had for this name and period, newest first (the current one
    and those it superseded), within the user's subtree."""
    subject = (
        Q(unit_id=fact.unit_id) if fact.subject_kind == SubjectKind.UNIT else Q(person_id=fact.person_id)
    )
    return list(
        fact_list(user=user, current_only=False)
        .filter(subject, period_id=fact.period_id, name=fact.name)
        .order_by("-created_at", "-id")
    )


def batch_list(*, user: Any) -> QuerySet[FactBatch]:
    """Batches with at least one value in the user's subtree."""
    batches = FactBatch.objects.select_related("period", "created_by").order_by("-created_at", "-id")
    path = scope_path(user)
    if path is None:
        return batches.none()
    if path == WHOLE_BANK:
        return batches
    return batches.filter(Exists(Fact.objects.filter(batch=OuterRef("pk"), unit_path__startswith=path)))


def batch_get(*, user: Any, pk: int | str) -> FactBatch:
    try:
        return batch_list(user=user).get(pk=pk)
    except (FactBatch.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def batch_facts(*, user: Any, batch: FactBatch) -> QuerySet[Fact]:
    """The values a batch recorded, as far as they lie in the user's subtree."""
    return fact_list(user=user, current_only=False).filter(batch=batch).order_by("row_number", "name", "id")


def fact_names(*, user: Any, period: Period | None = None) -> list[str]:
    """The names that have current values (in the period, if given) in the user's subtree."""
    facts = Fact.objects.filter(_in_scope(user), is_current=True)
    if period is not None:
        facts = facts.filter(period=period)
    return sorted(set(facts.order_by().values_list("name", flat=True).distinct()))
