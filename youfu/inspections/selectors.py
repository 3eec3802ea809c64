"""Reads of the inspections domain. Every selector takes the user and returns only what lies in their
subtree (youfu.accounts.access.restrict); objects outside it answer 404. The inspected outlet's own
people (roles that neither inspect nor approve) see only released checks: published, final or superseded,
never a draft or a check awaiting approval.

Scores per outlet and period: the MEAN of the final inspections of a kind dated in the period, each on a
100-point scale (total × 100 / full marks), so checks against a 1000-point and a 100-point standard
average together. Superseded checks never count; a correction counts in their place.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from youfu.accounts.access import restrict
from youfu.core.money import round_points
from youfu.inspections.choices import (
    COUNTING_STATUSES,
    RELEASED_STATUSES,
    AppealStatus,
    InspectionKind,
    InspectionStatus,
)
from youfu.inspections.models import (
    Appeal,
    Evidence,
    Finding,
    Inspection,
    InspectionSettings,
    ItemResult,
)
from youfu.org.models import Period, Person, Unit
from youfu.standards import scoring
from youfu.standards import selectors as standards
from youfu.standards.choices import Aspect

DEFAULT_REPEAT_WINDOW_DAYS = 90
DEFAULT_APPEAL_WINDOW_DAYS = 7


# --- Settings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Windows:
    bank: Unit | None
    repeat_window_days: int
    appeal_window_days: int
    stored: InspectionSettings | None = None


def bank_of(unit: Unit) -> Unit | None:
    """The root unit (the bank) above a unit."""
    return Unit.objects.filter(path=unit.path[: Unit.steplen]).first()


def windows_for(unit: Unit) -> Windows:
    """The bank's repeat and appeal windows (defaults 90 and 7 days until the office sets them)."""
    bank = bank_of(unit)
    stored = InspectionSettings.objects.filter(bank=bank).first() if bank is not None else None
    if stored is None:
        return Windows(bank, DEFAULT_REPEAT_WINDOW_DAYS, DEFAULT_APPEAL_WINDOW_DAYS)
    return Windows(bank, stored.repeat_window_days, stored.appeal_window_days, stored)


# --- Inspections ----------------------------------------------------------------------------------


def sees_unreleased(user: Any) -> bool:
    """Inspectors and the service office see drafts and checks awaiting approval; the outlet does not."""
    return bool(
        user.has_perm("inspections.add_inspection") or user.has_perm("inspections.approve_inspection")
    )


def inspection_list(*, user: Any) -> QuerySet[Inspection]:
    if not user.has_perm("inspections.view_inspection"):
        return Inspection.objects.none()
    rows = restrict(Inspection.objects.all(), user)
    if not sees_unreleased(user):
        rows = rows.filter(status__in=RELEASED_STATUSES)
    return rows.select_related("unit", "version__standard", "created_by").order_by("-date", "-id")


def inspection_get(*, user: Any, pk: int | str) -> Inspection:
    try:
        return inspection_list(user=user).get(pk=pk)
    except (Inspection.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def inspection_results(*, inspection: Inspection) -> dict[str, ItemResult]:
    return {r.item.code: r for r in inspection.results.select_related("item")}


def inspection_findings(*, inspection: Inspection) -> QuerySet[Finding]:
    return (
        inspection.findings.select_related(
            "item", "item__section", "repeat_of__inspection", "duplicate_of__inspection"
        )
        .prefetch_related("people", "appeals")
        .order_by("item__section__order", "item__order", "id")
    )


def inspection_evidence(*, inspection: Inspection) -> QuerySet[Evidence]:
    return inspection.evidence.select_related("finding__item", "uploaded_by").order_by("id")


def evidence_get(*, user: Any, pk: int | str) -> Evidence:
    try:
        return Evidence.objects.select_related("inspection").get(
            pk=pk, inspection__in=inspection_list(user=user)
        )
    except (Evidence.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def finding_get(*, user: Any, pk: int | str) -> Finding:
    try:
        return Finding.objects.select_related("inspection__unit", "item").get(
            pk=pk, inspection__in=inspection_list(user=user)
        )
    except (Finding.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def outlet_people(*, inspection: Inspection) -> QuerySet[Person]:
    """The people findings may be attributed to: those in service in the inspected outlet (and below)."""
    return Person.objects.filter(unit__path__startswith=inspection.unit.path, is_active=True).order_by(
        "position", "employee_no"
    )


def checklist(*, inspection: Inspection) -> list[dict[str, Any]]:
    """The version's sections in order, each with its items and this inspection's result and finding."""
    results = inspection_results(inspection=inspection)
    findings = {f.item.code: f for f in inspection_findings(inspection=inspection)}
    rows = []
    for entry in standards.version_tree(version=inspection.version):
        entry["items"] = [
            {"item": item, "result": results.get(item.code), "finding": findings.get(item.code)}
            for item in entry["items"]
        ]
        rows.append(entry)
    return rows


def item_results_for_scoring(inspection: Inspection) -> dict[str, scoring.ItemResult]:
    rows = inspection.results.values_list("item__code", "passed", "occurrences", "score", "not_applicable")
    return {
        code: scoring.ItemResult(passed=passed, occurrences=occurrences, score=score, not_applicable=na)
        for code, passed, occurrences, score, na in rows
    }


@dataclass(frozen=True)
class Preview:
    """A draft's score as it stands, or what keeps it from being scored."""

    result: scoring.ScoreResult | None
    missing: tuple[str, ...] = ()
    error: str = ""


def inspection_preview(*, inspection: Inspection) -> Preview:
    from youfu.core.errors import ApplicationError

    results = item_results_for_scoring(inspection)
    spec = standards.version_spec(version=inspection.version)
    missing = tuple(i.code for i in spec.items if i.kind != scoring.DEDUCTION and i.code not in results)
    if missing:
        return Preview(None, missing)
    try:
        return Preview(standards.version_score(version=inspection.version, results=results))
    except ApplicationError as exc:
        return Preview(None, (), exc.message)


def score_details(result: scoring.ScoreResult) -> dict[str, Any]:
    """A ScoreResult as JSON (stored with the inspection at approval)."""

    def plain(value: Any) -> Any:
        return str(value) if isinstance(value, Decimal) else value

    return {
        "rule": result.rule,
        "raw": str(result.raw),
        "sections": [{k: plain(v) for k, v in s.__dict__.items()} for s in result.sections],
        "deductions": [{k: plain(v) for k, v in d.__dict__.items()} for d in result.deductions],
        "caps_hit": list(result.caps_hit),
        "red_lines": [{k: plain(v) for k, v in r.__dict__.items()} for r in result.red_lines],
        "not_applicable": list(result.not_applicable),
        "notes": list(result.notes),
        "level": result.level,
    }


def _labelled(details: dict[str, Any]) -> dict[str, Any]:
    from youfu.standards.choices import RedLine

    labels = dict(RedLine.choices)
    details["red_lines"] = [
        {**r, "label": labels.get(r.get("effect"), r.get("effect"))} for r in details.get("red_lines", [])
    ]
    return details


def breakdown(*, inspection: Inspection) -> dict[str, Any] | None:
    """The stored score breakdown (approved and later), or the live preview of a draft, for the page."""
    if inspection.total is not None and inspection.details:
        details = dict(inspection.details)
        details.update(
            total=inspection.total, max_score=inspection.max_score, denominator=inspection.denominator
        )
        return _labelled(details)
    preview = inspection_preview(inspection=inspection)
    if preview.result is None:
        return None
    details = score_details(preview.result)
    details.update(
        total=preview.result.total,
        max_score=preview.result.max_score,
        denominator=preview.result.denominator,
        preview=True,
    )
    return _labelled(details)


def inspection_chain(*, inspection: Inspection) -> list[Inspection]:
    """The inspection it corrects (and so on back), then the inspection, then its corrections."""
    before = []
    current = inspection.corrects
    while current is not None:
        before.append(current)
        current = current.corrects
    after = list(Inspection.objects.filter(corrects=inspection).order_by("id"))
    return [*reversed(before), inspection, *after]


# --- Appeals --------------------------------------------------------------------------------------


def appeal_list(*, user: Any) -> QuerySet[Appeal]:
    if not user.has_perm("inspections.view_appeal"):
        return Appeal.objects.none()
    return (
        Appeal.objects.filter(inspection__in=inspection_list(user=user))
        .select_related("inspection__unit", "finding__item", "raised_by", "decided_by", "correction")
        .order_by("-raised_at", "-id")
    )


def appeal_get(*, user: Any, pk: int | str) -> Appeal:
    try:
        return appeal_list(user=user).get(pk=pk)
    except (Appeal.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def pending_appeals(*, inspection: Inspection) -> QuerySet[Appeal]:
    return Appeal.objects.filter(inspection__in=_chain_ids(inspection), status=AppealStatus.PENDING)


def _chain_ids(inspection: Inspection) -> list[int]:
    ids = [inspection.pk]
    current = inspection.corrects
    while current is not None:
        ids.append(current.pk)
        current = current.corrects
    return ids


def chain_appeals(*, inspection: Inspection) -> QuerySet[Appeal]:
    return Appeal.objects.filter(inspection__in=_chain_ids(inspection))


# --- Scores per outlet and period -----------------------------------------------------------------


def counted_inspections(
    *, unit: Unit, start: dt.date, end: dt.date, final_only: bool = True
) -> QuerySet[Inspection]:
    statuses = [InspectionStatus.FINAL] if final_only else [*COUNTING_STATUSES]
    return Inspection.objects.filter(unit=unit, date__gte=start, date__lte=end, status__in=statuses)


@dataclass
class PeriodScore:
    """One outlet's results for one period: per kind the mean score (100-point scale) and the number of
    checks; the findings that count (duplicates once), repeats, key items and hardware points lost."""

    scores: dict[str, Decimal] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    inspection_ids: list[int] = field(default_factory=list)
    findings: int = 0
    repeated: int = 0
    key_items: int = 0
    hardware_points_lost: Decimal = Decimal(0)


def period_score(*, unit: Unit, start: dt.date, end: dt.date) -> PeriodScore:
    out = PeriodScore()
    percents: dict[str, list[Decimal]] = defaultdict(list)
    inspections = list(counted_inspections(unit=unit, start=start, end=end).order_by("date", "id"))
    for inspection in inspections:
        if inspection.total is None or not inspection.max_score:
            continue
        percents[inspection.kind].append(inspection.total * 100 / inspection.max_score)
        out.inspection_ids.append(inspection.pk)
    for kind, values in percents.items():
        out.scores[kind] = round_points(sum(values, Decimal(0)) / len(values))
        out.counts[kind] = len(values)
    findings = Finding.objects.filter(inspection__in=inspections, duplicate_of__isnull=True).select_related(
        "item"
    )
    for finding in findings:
        out.findings += 1
        out.repeated += finding.is_repeat
        out.key_items += finding.item.key_item
        if finding.item.aspect == Aspect.HARDWARE:
            out.hardware_points_lost += finding.points_lost
    return out


def outlet_history(*, user: Any, unit: Unit, periods: Iterable[Period]) -> list[tuple[Period, PeriodScore]]:
    """The unit's period scores, period by period (the unit is already known to be visible)."""
    return [(period, period_score(unit=unit, start=period.start, end=period.end)) for period in periods]


def kind_labels() -> Mapping[str, str]:
    return {value: str(label) for value, label in InspectionKind.choices}


def evidence_mismatches(*, inspection: Inspection) -> list[Evidence]:
    """Photos whose EXIF time is not on the inspection's date (local time): a mystery-shopper visit whose
    evidence was not taken when it says it was."""
    out = []
    from django.utils import timezone

    for evidence in inspection.evidence.filter(taken_at__isnull=False, appeal__isnull=True):
        assert evidence.taken_at is not None
        if timezone.localtime(evidence.taken_at).date() != inspection.date:
            out.append(evidence)
    return out
