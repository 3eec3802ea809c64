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

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from youfu.accounts.access import WHOLE_BANK, restrict, scope_path
from youfu.core.money import round_points
from youfu.inspections import planning
from youfu.inspections.choices import (
    COUNTING_STATUSES,
    RELEASED_STATUSES,
    VISIT_STATUSES,
    AppealStatus,
    InspectionKind,
    InspectionStatus,
    VisitStatus,
)
from youfu.inspections.models import (
    Appeal,
    Evidence,
    Finding,
    Inspection,
    InspectionPlan,
    InspectionSettings,
    ItemResult,
    OutletLocation,
    PlannedVisit,
)
from youfu.org.choices import UnitKind
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
            "item", "item__section", "repeat_of__inspection", "duplicate_of__inspection", "rectification"
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


# --- Plans ----------------------------------------------------------------------------------------


def plan_list(*, user: Any) -> QuerySet[InspectionPlan]:
    """Plans whose scope is in the user's subtree, and plans of the units above them that cover it
    (a branch's plan is seen by its sub-branches and outlets — each only its own planned visits)."""
    if not user.has_perm("inspections.view_inspectionplan"):
        return InspectionPlan.objects.none()
    path = scope_path(user)
    rows = InspectionPlan.objects.select_related("period", "scope", "created_by")
    if path is None:
        return rows.none()
    if path != WHOLE_BANK:
        above = [path[:end] for end in range(Unit.steplen, len(path) + 1, Unit.steplen)]
        rows = rows.filter(Q(scope__path__startswith=path) | Q(scope__path__in=above))
    return rows.order_by("-period__start", "-id")


def plan_get(*, user: Any, pk: int | str) -> InspectionPlan:
    try:
        return plan_list(user=user).get(pk=pk)
    except (InspectionPlan.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def plan_visits(*, user: Any, plan: InspectionPlan) -> QuerySet[PlannedVisit]:
    """The plan's visits to outlets in the user's subtree (an outlet head: their own outlet's)."""
    return (
        restrict(plan.visits.all(), user, "outlet")
        .select_related("outlet")
        .order_by("window_start", "outlet__code", "sequence")
    )


@dataclass(frozen=True)
class VisitRow:
    """A planned visit with its computed status, the check that made it, and evidence flags."""

    visit: PlannedVisit
    status: str
    inspection: Inspection | None = None
    flags: tuple[str, ...] = ()

    @property
    def status_label(self) -> str:
        return str(VisitStatus(self.status).label)


def _visit_checks(visits: list[PlannedVisit]) -> list[Inspection]:
    """The checks that may make the visits: of their outlets and kinds, submitted or later, not replaced,
    dated from the first window's start to the last window's end plus the grace days; a correction
    stands for the check it corrects (one visit, not two)."""
    if not visits:
        return []
    plan = visits[0].plan
    start = min(v.window_start for v in visits)
    end = max(v.window_end for v in visits) + dt.timedelta(days=plan.grace_days)
    rows = list(
        Inspection.objects.filter(
            unit__in={v.outlet_id for v in visits},
            kind__in={v.kind for v in visits},
            status__in=VISIT_STATUSES,
            date__gte=start,
            date__lte=end,
        ).select_related("unit")
    )
    ids = {r.pk for r in rows}
    return [r for r in rows if r.corrects_id not in ids]


def evidence_flags(
    *,
    inspection: Inspection,
    location: OutletLocation | None,
    max_distance_m: int,
    photos: Iterable[Evidence] | None = None,
) -> list[str]:
    """What does not match in a check's photos (`photos`, read when not given): taken on another day
    than the check (local time), or farther from the outlet than allowed (where both the photo and the
    outlet have a place)."""
    from django.utils import timezone

    flags = []
    if photos is None:
        photos = inspection.evidence.filter(kind="photo", appeal__isnull=True).order_by("id")
    for evidence in photos:
        name = evidence.original_name or f"#{evidence.pk}"
        if evidence.taken_at is not None:
            taken = timezone.localtime(evidence.taken_at).date()
            if taken != inspection.date:
                flags.append(
                    _("Photo %(name)s was taken on %(taken)s, not on the day of the check (%(date)s).")
                    % {"name": name, "taken": taken.isoformat(), "date": inspection.date.isoformat()}
                )
        if location is not None and evidence.latitude is not None and evidence.longitude is not None:
            metres = planning.distance_m(
                evidence.latitude, evidence.longitude, location.latitude, location.longitude
            )
            if metres > max_distance_m:
                flags.append(
                    _("Photo %(name)s was taken %(metres)s m from the outlet (%(max)s m allowed).")
                    % {"name": name, "metres": metres, "max": max_distance_m}
                )
    return flags


def plan_rows(*, user: Any, plan: InspectionPlan, today: dt.date | None = None) -> list[VisitRow]:
    """The user's visible planned visits of the plan, each with its status (planning.classify)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    visits = list(plan_visits(user=user, plan=plan).select_related("plan"))
    # As of `today`: a check dated later (possible when judging an earlier day) is not seen yet.
    checks = {c.pk: c for c in _visit_checks(visits) if c.date <= today}
    matches = planning.classify(
        [planning.Due(v.pk, v.outlet_id, v.kind, v.window_start, v.window_end) for v in visits],
        [planning.Check(c.pk, c.unit_id, c.kind, c.date) for c in checks.values()],
        today=today,
        grace_days=plan.grace_days,
    )
    locations = {
        loc.unit_id: loc for loc in OutletLocation.objects.filter(unit__in={v.outlet_id for v in visits})
    }
    photos: dict[int, list[Evidence]] = defaultdict(list)
    made = [m.check for m in matches.values() if m.check is not None]
    for evidence in Evidence.objects.filter(inspection__in=made, kind="photo", appeal__isnull=True).order_by(
        "id"
    ):
        photos[evidence.inspection_id].append(evidence)
    out = []
    for visit in visits:
        match = matches[visit.pk]
        inspection = checks.get(match.check) if match.check is not None else None
        flags = (
            tuple(
                evidence_flags(
                    inspection=inspection,
                    location=locations.get(visit.outlet_id),
                    max_distance_m=plan.max_distance_m,
                    photos=photos[inspection.pk],
                )
            )
            if inspection is not None
            else ()
        )
        out.append(VisitRow(visit, match.status, inspection, flags))
    return out


@dataclass
class Coverage:
    """Counts of planned visits by status, and their shares (%, one decimal, half up)."""

    unit: Unit | None
    label: str
    total: int = 0
    done: int = 0
    late: int = 0
    missed: int = 0
    pending: int = 0
    flagged: int = 0

    def add(self, row: VisitRow) -> None:
        self.total += 1
        setattr(self, row.status, getattr(self, row.status) + 1)
        self.flagged += bool(row.flags)

    @property
    def done_pct(self) -> Decimal:
        return planning.percent(self.done, self.total)

    @property
    def late_pct(self) -> Decimal:
        return planning.percent(self.late, self.total)

    @property
    def missed_pct(self) -> Decimal:
        return planning.percent(self.missed, self.total)

    @property
    def pending_pct(self) -> Decimal:
        return planning.percent(self.pending, self.total)

    @property
    def covered_pct(self) -> Decimal:
        """Visits made, on time or late."""
        return planning.percent(self.done + self.late, self.total)

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code if self.unit is not None else None,
            "name": self.label,
            **{k: getattr(self, k) for k in ("total", "done", "late", "missed", "pending", "flagged")},
            **{
                f"{k}_pct": getattr(self, f"{k}_pct")
                for k in ("done", "late", "missed", "pending", "covered")
            },
        }


def _group_unit(outlet: Unit, ancestors: dict[str, Unit]) -> Unit | None:
    """The sub-branch an outlet belongs to (its nearest 支行 above), else its parent unit."""
    steps = range(len(outlet.path) - Unit.steplen, 0, -Unit.steplen)
    for end in steps:
        unit = ancestors.get(outlet.path[:end])
        if unit is not None and unit.kind == UnitKind.SUB_BRANCH:
            return unit
    return ancestors.get(outlet.path[: len(outlet.path) - Unit.steplen])


def plan_coverage(rows: list[VisitRow]) -> tuple[Coverage, list[Coverage]]:
    """The plan's coverage in all (of the rows given: the user's) and per sub-branch."""
    total = Coverage(None, str(_("All")))
    prefixes = {
        r.visit.outlet.path[:end]
        for r in rows
        for end in range(Unit.steplen, len(r.visit.outlet.path), Unit.steplen)
    }
    ancestors = {u.path: u for u in Unit.objects.filter(path__in=prefixes)}
    groups: dict[int | None, Coverage] = {}
    for row in rows:
        total.add(row)
        unit = _group_unit(row.visit.outlet, ancestors)
        key = unit.pk if unit is not None else None
        if key not in groups:
            groups[key] = Coverage(unit, unit.name if unit is not None else "—")
        groups[key].add(row)
    return total, sorted(groups.values(), key=lambda c: c.unit.path if c.unit is not None else "")
