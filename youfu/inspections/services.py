"""Writes of the inspections domain: keyword-only, atomic, checking the actor's role and subtree, and
raising ApplicationError (nothing written) on bad input. Each workflow step appends one InspectionEvent
through `_event`.

Workflow: draft → submitted → approved → published → final. A second person approves (four eyes: never
the submitter, the creator or an inspector of the check, nor of the check it corrects). Approval stores
the score and flags repeats and channel duplicates. Publishing opens the appeal window; an inspection is
final once the window has passed, or earlier once the outlet has appealed and every appeal is decided —
never while an appeal or a correction is pending. When an inspection becomes final its outlet's facts
for the quarter are recorded for the scoring engine (`_record_facts`).

Rules stated once:
* Repeat (相同问题重复发生): a finding on the same item (same standard code and item code) in the same
  outlet, in a counting check (approved, published or final) dated within the bank's window before it
  (default 90 days; InspectionSettings).
* Channel duplicate: the same item in the same outlet on the same day, seen through another channel
  (mystery shopper / video / on site / self-check), with overlapping times where both know them (visit
  times, or the video recordings' ranges): the later-approved finding points to the first
  (`duplicate_of`) and counts once — its own check still scores what it saw.
* Correction: a published inspection is never edited; `inspection_correct` (or a reversed appeal) makes a
  new inspection that corrects it, approved the same way, whose publication supersedes the original.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.accounts.access import require_perm, require_unit_in_scope, unit_in_scope
from youfu.core.audit import acting_as
from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.facts.choices import BatchSource
from youfu.facts.services import FactValue, RecordResult, facts_record
from youfu.inspections import planning, selectors
from youfu.inspections.choices import (
    COUNTING_STATUSES,
    AppealStatus,
    EventAction,
    EvidenceKind,
    InspectionKind,
    InspectionStatus,
    PlanSampling,
)
from youfu.inspections.models import (
    Appeal,
    Evidence,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    InspectionSettings,
    ItemResult,
    OutletLocation,
    PlannedVisit,
)
from youfu.inspections.photos import NotAPhoto, read_photo
from youfu.org.choices import PeriodKind, UnitKind
from youfu.org.models import Period, Person, Unit
from youfu.standards import scoring
from youfu.standards import selectors as standards
from youfu.standards.models import Item

IN_PROGRESS = (InspectionStatus.DRAFT, InspectionStatus.SUBMITTED, InspectionStatus.APPROVED)


@lru_cache(maxsize=32)
def _published_spec(version_id: int, published_at: dt.datetime | None) -> scoring.StandardSpec:
    from youfu.standards.models import StandardVersion

    return standards.version_spec(version=StandardVersion.objects.get(pk=version_id))


def spec_of(version: Any) -> scoring.StandardSpec:
    """The version's structure. A published version never changes, so its spec is read once per process
    (keyed by id and publication time)."""
    if version.is_published:
        return _published_spec(version.pk, version.published_at)
    return standards.version_spec(version=version)


def score_of(version: Any, results: Mapping[str, scoring.ItemResult]) -> scoring.ScoreResult:
    """standards.selectors.version_score on the cached structure: the same rules, the same errors."""
    try:
        return scoring.score(spec_of(version), results)
    except scoring.ScoringError as exc:
        raise standards.scoring_error(exc) from exc


def parse_of(version: Any, values: Mapping[str, Any]) -> dict[str, scoring.ItemResult]:
    """standards.selectors.parse_results on the cached structure."""
    items = {i.code: i for i in spec_of(version).items}
    out = {}
    for code, value in values.items():
        if code not in items:
            raise standards.scoring_error(
                scoring.ScoringError("unknown_item", f"unknown item {code}", item=code)
            )
        try:
            out[code] = scoring.parse_result(items[code], value)
        except scoring.ScoringError as exc:
            raise standards.scoring_error(exc) from exc
    return out


MAX_VIDEO_RANGE = dt.timedelta(hours=24)


def _event(inspection: Inspection, action: str, actor: Any, **params: Any) -> InspectionEvent:
    """The one place a workflow step is recorded."""
    return InspectionEvent.objects.create(
        inspection=inspection,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        params={k: _jsonable(v) for k, v in params.items()},
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal | dt.date | dt.datetime):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _locked(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().select_related("unit", "version").get(pk=inspection.pk)


def _is_inspector(actor: Any, inspection: Inspection) -> bool:
    return inspection.inspectors.filter(pk=actor.pk).exists()


def _require_scope(actor: Any, inspection: Inspection) -> None:
    require_unit_in_scope(actor, inspection.unit, field="unit")


def _require_status(inspection: Inspection, *statuses: str) -> None:
    if inspection.status not in statuses:
        raise ApplicationError(
            _("Inspection #%(pk)s is %(status)s: this step needs it to be %(wanted)s.")
            % {
                "pk": inspection.pk,
                "status": InspectionStatus(inspection.status).label,
                "wanted": " / ".join(str(InspectionStatus(s).label) for s in statuses),
            },
            code="wrong_status",
            field="status",
        )


def _require_editor(actor: Any, inspection: Inspection) -> None:
    """A draft is filled by its inspectors (or its creator)."""
    require_perm(actor, "inspections.change_inspection")
    _require_scope(actor, inspection)
    if not (actor.is_superuser or inspection.created_by_id == actor.pk or _is_inspector(actor, inspection)):
        raise PermissionDeniedError(_("Only the inspectors of this check can change it."))


# --- Create ---------------------------------------------------------------------------------------


@transaction.atomic
def inspection_create(
    *,
    actor: Any,
    kind: str,
    unit: Unit,
    date: dt.date,
    version_id: int | str,
    inspectors: Sequence[Any] = (),
    notes: str = "",
    visit_start: dt.time | None = None,
    visit_end: dt.time | None = None,
    external_ref: str = "",
    today: dt.date | None = None,
) -> Inspection:
    """A draft check of an outlet in the actor's subtree, against a published version usable by it."""
    require_perm(actor, "inspections.add_inspection")
    if kind not in InspectionKind.values:
        raise ApplicationError(_("Unknown inspection kind %(kind)s.") % {"kind": kind}, field="kind")
    require_unit_in_scope(actor, unit, field="unit")
    if unit.kind != UnitKind.OUTLET:
        raise ApplicationError(
            _("%(unit)s is not an outlet: only outlets are inspected.") % {"unit": unit.name}, field="unit"
        )
    version = _published_version(actor, version_id)
    if not standards.standard_usable_by(standard=version.standard, unit=unit):
        raise ApplicationError(
            _("Standard %(standard)s is not used in %(unit)s (it belongs to %(owner)s).")
            % {"standard": version.standard.name, "unit": unit.name, "owner": version.standard.owner.name},
            code="standard_not_usable",
            field="version",
        )
    if date > _today(today):
        raise ApplicationError(_("The date of a check cannot be in the future."), field="date")
    if visit_start and visit_end and visit_end < visit_start:
        raise ApplicationError(_("The visit ends before it starts."), field="visit_end")
    people = list(dict.fromkeys([actor, *inspectors]))
    for user in people:
        if not unit_in_scope(user, unit):
            raise ApplicationError(
                _("%(user)s cannot inspect %(unit)s: it is outside their part of the organisation.")
                % {"user": user.get_username(), "unit": unit.name},
                field="inspectors",
            )
    if external_ref and Inspection.objects.filter(external_ref=external_ref).exists():
        raise ApplicationError(
            _("A check with reference %(ref)s already exists.") % {"ref": external_ref},
            code="duplicate",
            field="external_ref",
        )
    with acting_as(actor):
        inspection = Inspection.objects.create(
            kind=kind,
            unit=unit,
            date=date,
            visit_start=visit_start,
            visit_end=visit_end,
            version=version,
            notes=notes,
            external_ref=external_ref,
            created_by=actor,
        )
        inspection.inspectors.set(people)
    _event(inspection, EventAction.CREATED, actor, version=version.pk, kind=kind)
    return inspection


def _published_version(actor: Any, version_id: Any) -> Any:
    try:
        return standards.standard_version_get_published(user=actor, pk=version_id)
    except Http404:
        raise ApplicationError(
            _("Standard version %(id)s does not exist or is not visible to you.") % {"id": version_id},
            code="does_not_exist",
            field="version",
        ) from None


# --- Results and findings -------------------------------------------------------------------------


def _no_loss_value(item: Item) -> tuple[str, scoring.ItemResult]:
    if item.kind == scoring.PASS_FAIL:
        return "pass", scoring.ItemResult(passed=True)
    if item.kind == scoring.SCORE:
        return str(item.n), scoring.ItemResult(score=Decimal(item.n or 0))
    return "0", scoring.ItemResult(occurrences=0)


def _losses(inspection: Inspection, results: Mapping[str, scoring.ItemResult]) -> dict[str, Decimal]:
    """What each judged item loses (before its section's cap). Items not judged yet count as perfect here,
    so a half-filled draft can be checked: out-of-range values and refused N/A raise ApplicationError."""
    filled = dict(results)
    for item in spec_of(inspection.version).items:
        if item.code not in filled and item.kind != scoring.DEDUCTION:
            filled[item.code] = (
                scoring.ItemResult(passed=True)
                if item.kind == scoring.PASS_FAIL
                else scoring.ItemResult(score=Decimal(item.n or 0))
            )
    outcome = score_of(inspection.version, filled)
    return {d.item: d.amount for d in outcome.deductions if d.item in results}


def _write_results(
    inspection: Inspection,
    parsed: Mapping[str, scoring.ItemResult],
    raw: Mapping[str, str],
    notes: Mapping[str, str],
    cleared: Iterable[str] = (),
) -> None:
    """Store results (already validated), then bring the findings in line with what each item lost."""
    items = {i.code: i for i in standards.version_items(version=inspection.version)}
    existing = selectors.inspection_results(inspection=inspection)
    cleared = set(cleared)
    merged = {
        code: scoring.ItemResult(
            passed=r.passed, occurrences=r.occurrences, score=r.score, not_applicable=r.not_applicable
        )
        for code, r in existing.items()
        if code not in cleared
    }
    merged.update(parsed)
    losses = _losses(inspection, merged)
    ItemResult.objects.filter(inspection=inspection, item__code__in=cleared).delete()
    created: list[ItemResult] = []
    changed: list[ItemResult] = []
    for code, result in merged.items():
        row = existing.get(code)
        fields: dict[str, Any] = {
            "passed": result.passed,
            "occurrences": result.occurrences,
            "score": result.score,
            "not_applicable": result.not_applicable,
            "points_lost": losses.get(code, Decimal(0)),
        }
        if code in raw:
            fields["value"] = raw[code]
        if code in notes:
            fields["note"] = notes[code]
        if row is None:
            fields.setdefault("value", "")
            created.append(ItemResult(inspection=inspection, item=items[code], **fields))
        elif any(getattr(row, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(row, key, value)
            changed.append(row)
    # Item results are not audited one by one (the inspection's events say who recorded what): bulk.
    ItemResult.objects.bulk_create(created)
    ItemResult.objects.bulk_update(
        changed, ["passed", "occurrences", "score", "not_applicable", "points_lost", "value", "note"]
    )
    _sync_findings(inspection, losses, items, notes)


def _sync_findings(
    inspection: Inspection, losses: Mapping[str, Decimal], items: Mapping[str, Item], notes: Mapping[str, str]
) -> None:
    current = {f.item.code: f for f in inspection.findings.select_related("item")}
    for code, stale in current.items():
        if code not in losses:
            stale.delete()
    for code, amount in losses.items():
        finding = current.get(code)
        if finding is None:
            Finding.objects.create(
                inspection=inspection, item=items[code], points_lost=amount, description=notes.get(code, "")
            )
            continue
        changed = []
        if finding.points_lost != amount:
            finding.points_lost = amount
            changed.append("points_lost")
        if code in notes and notes[code] and finding.description != notes[code]:
            finding.description = notes[code]
            changed.append("description")
        if changed:
            finding.save(update_fields=changed)


@transaction.atomic
def inspection_record_results(
    *,
    actor: Any,
    inspection: Inspection,
    values: Mapping[str, Any],
    notes: Mapping[str, str] | None = None,
) -> Inspection:
    """Record item results of a draft (item code → "pass"/"fail"/"na", occurrences or a score; an empty
    value clears the item). Validated against the standard version: an unknown item, a value out of the
    item's range (a deduction above its maximum), N/A where not allowed → ApplicationError, nothing saved."""
    inspection = _locked(inspection)
    _require_editor(actor, inspection)
    _require_status(inspection, InspectionStatus.DRAFT)
    notes = {code: (text or "").strip() for code, text in (notes or {}).items()}
    cleared = {code for code, v in values.items() if v is None or (isinstance(v, str) and not v.strip())}
    given = {code: v for code, v in values.items() if code not in cleared}
    known = {i.code for i in spec_of(inspection.version).items}
    for code in sorted(set(cleared) | set(notes)):
        if code not in known:
            raise standards.scoring_error(scoring.ScoringError("unknown_item", "", item=code))
    parsed = parse_of(inspection.version, given)
    raw = {code: str(v).strip().lower() if isinstance(v, str) else str(v) for code, v in given.items()}
    with acting_as(actor):
        _write_results(inspection, parsed, raw, notes, cleared)
    _event(inspection, EventAction.RESULTS, actor, items=sorted(given), cleared=sorted(cleared))
    return inspection


@transaction.atomic
def finding_attribute(
    *, actor: Any, finding: Finding, people: Sequence[Person], description: str | None = None
) -> Finding:
    """Attribute a draft's finding to people of the inspected outlet (柜员, 大堂经理, 保安 …)."""
    inspection = _locked(finding.inspection)
    _require_editor(actor, inspection)
    _require_status(inspection, InspectionStatus.DRAFT)
    for person in people:
        if not person.unit.path.startswith(inspection.unit.path):
            raise ApplicationError(
                _(
                    "%(person)s does not work in %(unit)s: a finding is attributed to people of the "
                    "inspected outlet."
                )
                % {"person": person.name, "unit": inspection.unit.name},
                code="person_not_in_outlet",
                field="people",
            )
    with acting_as(actor):
        finding.people.set(people)
        if description is not None:
            finding.description = description.strip()
            finding.save(update_fields=["description"])
    _event(
        inspection,
        EventAction.ATTRIBUTED,
        actor,
        finding=finding.pk,
        item=finding.item.code,
        people=[p.employee_no for p in people],
    )
    return finding


# --- Evidence -------------------------------------------------------------------------------------


def _photo_bytes(file: Any) -> tuple[bytes, str]:
    limit = django_settings.INSPECTIONS_MAX_PHOTO_BYTES
    size = getattr(file, "size", None)
    name = str(getattr(file, "name", "") or "")
    if size is not None and size > limit:
        data = b""
    else:
        data = file.read(limit + 1)
        size = len(data)
    if size > limit:
        raise ApplicationError(
            _("%(name)s is %(size)s MB: a photo may be at most %(limit)s MB.")
            % {"name": name, "size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:g}"},
            code="too_large",
            field="file",
        )
    if not data:
        raise ApplicationError(_("The file is empty."), code="empty", field="file")
    return data, name


def _store_photo(
    *,
    actor: Any,
    inspection: Inspection,
    file: Any,
    finding: Finding | None,
    appeal: Appeal | None,
    note: str,
) -> Evidence:
    data, name = _photo_bytes(file)
    try:
        photo = read_photo(data)
    except NotAPhoto:
        raise ApplicationError(
            _("%(name)s is not a photo: only JPEG, PNG or HEIC pictures are accepted (checked by content).")
            % {"name": name or _("The file")},
            code="wrong_type",
            field="file",
        ) from None
    evidence = Evidence(
        inspection=inspection,
        finding=finding,
        appeal=appeal,
        kind=EvidenceKind.PHOTO,
        content_type=photo.content_type,
        size=len(data),
        original_name=name[-255:],
        taken_at=photo.taken_at,
        latitude=photo.latitude,
        longitude=photo.longitude,
        note=note[:255],
        uploaded_by=actor,
    )
    evidence.file.save(f"{uuid.uuid4().hex}.{photo.extension}", ContentFile(data), save=False)
    evidence.save()
    return evidence


def _require_finding_of(inspection: Inspection, finding: Finding | None) -> None:
    if finding is not None and finding.inspection_id != inspection.pk:
        raise ApplicationError(_("The finding belongs to another check."), field="finding")


@transaction.atomic
def evidence_attach_photo(
    *, actor: Any, inspection: Inspection, file: Any, finding: Finding | None = None, note: str = ""
) -> Evidence:
    """Attach a photo to a draft (JPEG, PNG or HEIC by content, at most INSPECTIONS_MAX_PHOTO_BYTES); its
    EXIF time and GPS position are kept where the file has them."""
    inspection = _locked(inspection)
    _require_editor(actor, inspection)
    _require_status(inspection, InspectionStatus.DRAFT)
    _require_finding_of(inspection, finding)
    with acting_as(actor):
        evidence = _store_photo(
            actor=actor, inspection=inspection, file=file, finding=finding, appeal=None, note=note
        )
    _event(inspection, EventAction.EVIDENCE, actor, evidence=evidence.pk, kind=EvidenceKind.PHOTO)
    return evidence


@transaction.atomic
def evidence_add_video(
    *,
    actor: Any,
    inspection: Inspection,
    camera: str,
    recorded_from: dt.datetime,
    recorded_to: dt.datetime,
    finding: Finding | None = None,
    note: str = "",
) -> Evidence:
    """Reference a stretch of a camera's recording (调阅监控): camera, start and end."""
    inspection = _locked(inspection)
    _require_editor(actor, inspection)
    _require_status(inspection, InspectionStatus.DRAFT)
    _require_finding_of(inspection, finding)
    if not camera.strip():
        raise ApplicationError(_("Name the camera."), field="camera")
    if recorded_to <= recorded_from:
        raise ApplicationError(_("The recording must end after it starts."), field="recorded_to")
    if recorded_to - recorded_from > MAX_VIDEO_RANGE:
        raise ApplicationError(_("A recording range is at most 24 hours."), field="recorded_to")
    with acting_as(actor):
        evidence = Evidence.objects.create(
            inspection=inspection,
            finding=finding,
            kind=EvidenceKind.VIDEO,
            camera=camera.strip()[:64],
            recorded_from=recorded_from,
            recorded_to=recorded_to,
            note=note[:255],
            uploaded_by=actor,
        )
    _event(inspection, EventAction.EVIDENCE, actor, evidence=evidence.pk, kind=EvidenceKind.VIDEO)
    return evidence


# --- Submit, return, approve, publish -------------------------------------------------------------


def _score(inspection: Inspection) -> scoring.ScoreResult:
    """The full score; a pass/fail or score item without a result is refused here."""
    return score_of(inspection.version, selectors.item_results_for_scoring(inspection))


@transaction.atomic
def inspection_submit(*, actor: Any, inspection: Inspection) -> Inspection:
    require_perm(actor, "inspections.submit_inspection")
    inspection = _locked(inspection)
    _require_editor(actor, inspection)
    _require_status(inspection, InspectionStatus.DRAFT)
    _score(inspection)  # every item judged, every value in range
    inspection.status = InspectionStatus.SUBMITTED
    inspection.submitted_by = actor
    inspection.submitted_at = timezone.now()
    with acting_as(actor):
        inspection.save(update_fields=["status", "submitted_by", "submitted_at"])
    _event(inspection, EventAction.SUBMITTED, actor)
    return inspection


def _require_second_person(actor: Any, inspection: Inspection) -> None:
    """Four eyes: the approver is none of the people who made the check (or the check it corrects)."""
    makers = {inspection.submitted_by_id, inspection.created_by_id}
    makers |= set(inspection.inspectors.values_list("pk", flat=True))
    if inspection.corrects_id:
        makers |= set(inspection.corrects.inspectors.values_list("pk", flat=True))  # type: ignore[union-attr]
    if actor.pk in makers:
        raise PermissionDeniedError(
            _("Four eyes: a check is approved by a second person, never by its inspector or submitter.")
        )


@transaction.atomic
def inspection_return(*, actor: Any, inspection: Inspection, reason: str) -> Inspection:
    """Send a submitted check back to its inspectors with a reason."""
    require_perm(actor, "inspections.approve_inspection")
    inspection = _locked(inspection)
    _require_scope(actor, inspection)
    _require_status(inspection, InspectionStatus.SUBMITTED)
    _require_second_person(actor, inspection)
    if not reason.strip():
        raise ApplicationError(_("Say why the check goes back."), field="reason")
    inspection.status = InspectionStatus.DRAFT
    with acting_as(actor):
        inspection.save(update_fields=["status"])
    _event(inspection, EventAction.RETURNED, actor, reason=reason.strip())
    return inspection


@transaction.atomic
def inspection_approve(*, actor: Any, inspection: Inspection) -> Inspection:
    """The second person approves: the score is stored, repeats and channel duplicates are flagged."""
    require_perm(actor, "inspections.approve_inspection")
    inspection = _locked(inspection)
    _require_scope(actor, inspection)
    _require_status(inspection, InspectionStatus.SUBMITTED)
    _require_second_person(actor, inspection)
    outcome = _score(inspection)
    inspection.total = outcome.total
    inspection.max_score = outcome.max_score
    inspection.denominator = outcome.denominator
    inspection.level = outcome.level or ""
    inspection.details = selectors.score_details(outcome)
    inspection.status = InspectionStatus.APPROVED
    inspection.approved_by = actor
    inspection.approved_at = timezone.now()
    with acting_as(actor):
        inspection.save()
        flags = _flag_findings(inspection)
    _event(inspection, EventAction.APPROVED, actor, total=outcome.total, **flags)
    return inspection


def _windows(inspection: Inspection) -> list[tuple[dt.datetime, dt.datetime]] | None:
    """When the check looked: its video recordings' ranges, else its visit times; None: the whole day."""
    ranges = [
        (e.recorded_from, e.recorded_to)
        for e in inspection.evidence.filter(kind=EvidenceKind.VIDEO, appeal__isnull=True)
        if e.recorded_from and e.recorded_to
    ]
    if ranges:
        return ranges
    if inspection.visit_start and inspection.visit_end:
        zone = timezone.get_default_timezone()
        start = timezone.make_aware(dt.datetime.combine(inspection.date, inspection.visit_start), zone)
        end = timezone.make_aware(dt.datetime.combine(inspection.date, inspection.visit_end), zone)
        return [(start, end)]
    return None


def _overlap(
    a: list[tuple[dt.datetime, dt.datetime]] | None, b: list[tuple[dt.datetime, dt.datetime]] | None
) -> bool:
    if a is None or b is None:
        return True  # same day, one side does not know its times
    return any(s1 <= e2 and s2 <= e1 for s1, e1 in a for s2, e2 in b)


def _flag_findings(inspection: Inspection) -> dict[str, int]:
    """Mark each finding of a just-approved check as a repeat and/or a channel duplicate."""
    windows = selectors.windows_for(inspection.unit)
    since = inspection.date - dt.timedelta(days=windows.repeat_window_days)
    excluded = {inspection.pk}
    if inspection.corrects_id:
        excluded.add(inspection.corrects_id)
    mine = list(inspection.findings.select_related("item"))
    # One read of the outlet's earlier findings on the same items (same standard), oldest first.
    others = list(
        Finding.objects.filter(
            inspection__unit=inspection.unit,
            inspection__status__in=COUNTING_STATUSES,
            inspection__date__gte=since,
            inspection__date__lte=inspection.date,
            item__version__standard=inspection.version.standard,
            item__code__in=[f.item.code for f in mine],
            duplicate_of__isnull=True,
        )
        .exclude(inspection__in=excluded)
        .select_related("inspection", "item")
        .order_by("inspection__date", "id")
    )
    my_window = _windows(inspection)
    their_windows: dict[int, Any] = {}
    repeats = duplicates = 0
    for finding in mine:
        same_item = [o for o in others if o.item.code == finding.item.code]
        earlier = [o for o in same_item if o.inspection.date < inspection.date]
        finding.repeat_of = earlier[-1] if earlier else None
        finding.is_repeat = finding.repeat_of is not None
        finding.duplicate_of = None
        for candidate in same_item:
            if candidate.inspection.date != inspection.date or candidate.inspection.kind == inspection.kind:
                continue
            if candidate.inspection_id not in their_windows:
                their_windows[candidate.inspection_id] = _windows(candidate.inspection)
            if _overlap(my_window, their_windows[candidate.inspection_id]):
                finding.duplicate_of = candidate
                # The same fault is one finding: it repeats what its first sighting repeats.
                finding.is_repeat = candidate.is_repeat
                finding.repeat_of = candidate.repeat_of
                break
        repeats += finding.is_repeat
        duplicates += finding.duplicate_of_id is not None
    Finding.objects.bulk_update(mine, ["is_repeat", "repeat_of", "duplicate_of"])
    return {"repeats": repeats, "duplicates": duplicates}


@transaction.atomic
def inspection_publish(*, actor: Any, inspection: Inspection, today: dt.date | None = None) -> Inspection:
    """Release an approved check to the outlet; the appeal window opens. A correction supersedes the
    check it corrects."""
    require_perm(actor, "inspections.publish_inspection")
    inspection = _locked(inspection)
    _require_scope(actor, inspection)
    _require_status(inspection, InspectionStatus.APPROVED)
    day = _today(today)
    windows = selectors.windows_for(inspection.unit)
    original = inspection.corrects
    from_appeal = Appeal.objects.filter(correction=inspection).exists()
    if original is not None and from_appeal and original.appeal_deadline is not None:
        inspection.appeal_deadline = original.appeal_deadline  # an appeal's outcome opens no new window
    else:
        inspection.appeal_deadline = day + dt.timedelta(days=windows.appeal_window_days)
    inspection.status = InspectionStatus.PUBLISHED
    inspection.published_by = actor
    inspection.published_at = timezone.now()
    with acting_as(actor):
        inspection.save(update_fields=["status", "published_by", "published_at", "appeal_deadline"])
        if original is not None:
            original = Inspection.objects.select_for_update().get(pk=original.pk)
            original.status = InspectionStatus.SUPERSEDED
            original.save(update_fields=["status"])
            # Later checks that pointed at the original's findings now point at the correction's.
            _repoint_findings(original, inspection)
    if original is not None:
        _event(original, EventAction.SUPERSEDED, actor, by=inspection.pk)
    _event(inspection, EventAction.PUBLISHED, actor, appeal_deadline=inspection.appeal_deadline)
    _finalize_if_due(inspection, day, actor)
    return inspection


def _repoint_findings(original: Inspection, correction: Inspection) -> None:
    mine = {f.item_id: f for f in correction.findings.all()}
    for old in original.findings.all():
        new = mine.get(old.item_id)
        Finding.objects.filter(repeat_of=old).update(repeat_of=new, is_repeat=new is not None)
        Finding.objects.filter(duplicate_of=old).update(duplicate_of=new)


# --- Corrections ----------------------------------------------------------------------------------


def _copy_for_correction(actor: Any, inspection: Inspection, status: str, notes: str) -> Inspection:
    now = timezone.now()
    correction = Inspection.objects.create(
        kind=inspection.kind,
        unit=inspection.unit,
        date=inspection.date,
        visit_start=inspection.visit_start,
        visit_end=inspection.visit_end,
        version=inspection.version,
        notes=notes or inspection.notes,
        corrects=inspection,
        created_by=actor,
        status=status,
        submitted_by=actor if status != InspectionStatus.DRAFT else None,
        submitted_at=now if status != InspectionStatus.DRAFT else None,
    )
    correction.inspectors.set([actor])
    for result in inspection.results.all():
        result.pk = None
        result.inspection = correction
        result.save()
    for finding in inspection.findings.prefetch_related("people"):
        people = list(finding.people.all())
        finding.pk = None
        finding.inspection = correction
        finding.is_repeat, finding.repeat_of, finding.duplicate_of = False, None, None
        finding.save()
        finding.people.set(people)
    for evidence in inspection.evidence.filter(appeal__isnull=True):
        evidence.pk = None
        evidence.inspection = correction
        evidence.finding = (
            correction.findings.filter(item_id=evidence.finding.item_id).first() if evidence.finding else None
        )
        evidence.save()
    return correction


def _open_correction(inspection: Inspection) -> Inspection | None:
    return inspection.corrections.filter(status__in=IN_PROGRESS).order_by("id").first()


@transaction.atomic
def inspection_correct(*, actor: Any, inspection: Inspection, notes: str = "") -> Inspection:
    """Start a correction of a published (or final) check: a draft copy that corrects it. The original is
    never edited; the correction, once approved by a second person and published, supersedes it."""
    require_perm(actor, "inspections.correct_inspection")
    inspection = _locked(inspection)
    _require_scope(actor, inspection)
    _require_status(inspection, InspectionStatus.PUBLISHED, InspectionStatus.FINAL)
    if _open_correction(inspection) is not None:
        raise ApplicationError(
            _("A correction of this check is already under way."), code="correction_open", field="status"
        )
    if selectors.pending_appeals(inspection=inspection).exists():
        raise ApplicationError(
            _("Decide the pending appeals first: a reversed appeal corrects the check itself."),
            code="appeal_pending",
        )
    with acting_as(actor):
        correction = _copy_for_correction(actor, inspection, InspectionStatus.DRAFT, notes)
    _event(inspection, EventAction.CORRECTION, actor, correction=correction.pk)
    _event(correction, EventAction.CREATED, actor, corrects=inspection.pk)
    return correction


# --- Appeals --------------------------------------------------------------------------------------


@transaction.atomic
def appeal_raise(
    *,
    actor: Any,
    finding: Finding,
    reason: str,
    files: Sequence[Any] = (),
    today: dt.date | None = None,
) -> Appeal:
    """The inspected outlet contests a finding's deduction, with a reason and photos, within the window."""
    require_perm(actor, "inspections.add_appeal")
    inspection = _locked(finding.inspection)
    _require_scope(actor, inspection)
    _require_status(inspection, InspectionStatus.PUBLISHED)
    day = _today(today)
    if inspection.appeal_deadline is None or day > inspection.appeal_deadline:
        raise ApplicationError(
            _("The appeal window closed on %(date)s.") % {"date": inspection.appeal_deadline},
            code="appeal_window_closed",
        )
    if _is_inspector(actor, inspection):
        raise PermissionDeniedError(_("An inspector cannot appeal their own check."))
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the appeal."), field="reason")
    if Appeal.objects.filter(finding=finding).exists():
        raise ApplicationError(
            _("This finding has already been appealed."), code="duplicate", field="finding"
        )
    with acting_as(actor):
        appeal = Appeal.objects.create(
            inspection=inspection, finding=finding, reason=reason.strip(), raised_by=actor
        )
        for file in files:
            _store_photo(
                actor=actor, inspection=inspection, file=file, finding=finding, appeal=appeal, note=""
            )
    _event(inspection, EventAction.APPEALED, actor, appeal=appeal.pk, item=finding.item.code)
    return appeal


@transaction.atomic
def appeal_decide(
    *, actor: Any, appeal: Appeal, reverse: bool, note: str, today: dt.date | None = None
) -> Appeal:
    """A reviewer of the service office (never an inspector of the check) upholds or reverses. A reversal
    starts (or extends) a correction in which the item loses nothing; it awaits a second person's approval
    like any check. The original stays visible."""
    require_perm(actor, "inspections.decide_appeal")
    appeal = (
        Appeal.objects.select_for_update().select_related("inspection", "finding__item").get(pk=appeal.pk)
    )
    inspection = _locked(appeal.inspection)
    _require_scope(actor, inspection)
    if appeal.status != AppealStatus.PENDING:
        raise ApplicationError(_("This appeal has already been decided."), code="wrong_status")
    if _is_inspector(actor, inspection) or actor.pk in (inspection.submitted_by_id, appeal.raised_by_id):
        raise PermissionDeniedError(
            _("An appeal is decided by a reviewer who did not take part in the check.")
        )
    if not note.strip():
        raise ApplicationError(_("Give the reasons for the decision."), field="note")
    correction = None
    with acting_as(actor):
        if reverse:
            correction = _correction_without(actor, inspection, appeal.finding.item)
        appeal.status = AppealStatus.REVERSED if reverse else AppealStatus.UPHELD
        appeal.decided_by = actor
        appeal.decided_at = timezone.now()
        appeal.decision_note = note.strip()
        appeal.correction = correction
        appeal.save()
    _event(
        inspection,
        EventAction.APPEAL_DECIDED,
        actor,
        appeal=appeal.pk,
        outcome=appeal.status,
        correction=correction.pk if correction else None,
    )
    _finalize_if_due(inspection, _today(today), actor)
    return appeal


def _correction_without(actor: Any, inspection: Inspection, item: Item) -> Inspection:
    """The submitted correction that removes the item's deduction (one correction gathers the reversals
    of one check's appeals)."""
    correction = inspection.corrections.filter(status=InspectionStatus.SUBMITTED, created_by=actor).first()
    if correction is None:
        if _open_correction(inspection) is not None:
            raise ApplicationError(
                _("A correction of this check is under way: finish it before deciding more appeals."),
                code="correction_open",
            )
        correction = _copy_for_correction(actor, inspection, InspectionStatus.SUBMITTED, "")
        _event(inspection, EventAction.CORRECTION, actor, correction=correction.pk)
        _event(correction, EventAction.CREATED, actor, corrects=inspection.pk, from_appeal=True)
    raw, result = _no_loss_value(item)
    _write_results(correction, {item.code: result}, {item.code: raw}, {})
    return correction


# --- Final ----------------------------------------------------------------------------------------


def _may_finalize(inspection: Inspection, today: dt.date) -> bool:
    if inspection.status != InspectionStatus.PUBLISHED:
        return False
    if selectors.pending_appeals(inspection=inspection).exists() or _open_correction(inspection) is not None:
        return False
    if inspection.appeal_deadline is not None and today > inspection.appeal_deadline:
        return True
    appeals = selectors.chain_appeals(inspection=inspection)
    # Every appeal decided: the outlet has had its say. A reversal is final through its correction.
    return (
        appeals.exists()
        and not appeals.filter(correction__status__in=IN_PROGRESS).exists()
        and not (appeals.filter(status=AppealStatus.REVERSED, inspection=inspection).exists())
    )


def _finalize_if_due(inspection: Inspection, today: dt.date, actor: Any = None) -> bool:
    if not _may_finalize(inspection, today):
        return False
    inspection.status = InspectionStatus.FINAL
    inspection.final_at = timezone.now()
    inspection.save(update_fields=["status", "final_at"])
    _event(inspection, EventAction.FINAL, actor)
    _record_facts(inspection)
    return True


@transaction.atomic
def inspections_finalize_due(*, today: dt.date | None = None) -> list[Inspection]:
    """Make final every published check whose appeal window has passed (safe to run twice: a job or
    `youfu inspections finalize`)."""
    day = _today(today)
    done = []
    for inspection in (
        Inspection.objects.select_for_update()
        .filter(status=InspectionStatus.PUBLISHED, appeal_deadline__lt=day)
        .select_related("unit", "version")
    ):
        if _finalize_if_due(inspection, day):
            done.append(inspection)
    return done


# --- Facts for the scoring engine -----------------------------------------------------------------

FACT_SCORE = "inspection_score_{kind}"
FACT_COUNT = "inspection_count_{kind}"
FACT_FINDINGS = "inspection_findings"
FACT_REPEATED = "inspection_repeated_findings"
FACT_KEY_ITEMS = "inspection_key_item_findings"
FACT_HARDWARE = "inspection_hardware_points_lost"


def quarter_of(date: dt.date) -> Period | None:
    return Period.objects.filter(kind=PeriodKind.QUARTER, start__lte=date, end__gte=date).first()


def _record_facts(inspection: Inspection) -> RecordResult | None:
    """Record (or update) the outlet's inspection facts for the quarter of the check, from its final
    checks: a system batch whose note, and each value's note, name the checks they come from."""
    period = quarter_of(inspection.date)
    if period is None:
        _event(inspection, EventAction.FACTS, None, skipped="no_quarter")
        return None
    unit = inspection.unit
    score = selectors.period_score(unit=unit, start=period.start, end=period.end)
    refs = "、".join(f"#{pk}" for pk in score.inspection_ids)
    note = (_("Inspections %(refs)s of %(unit)s (/inspections/)") % {"refs": refs, "unit": unit.code})[:255]
    values = [
        FactValue(subject=unit, name=FACT_SCORE.format(kind=kind), value=value, measure="分", note=note)
        for kind, value in sorted(score.scores.items())
    ]
    values += [
        FactValue(subject=unit, name=FACT_COUNT.format(kind=kind), value=Decimal(n), measure="次", note=note)
        for kind, n in sorted(score.counts.items())
    ]
    values += [
        FactValue(subject=unit, name=FACT_FINDINGS, value=Decimal(score.findings), note=note),
        FactValue(subject=unit, name=FACT_REPEATED, value=Decimal(score.repeated), note=note),
        FactValue(subject=unit, name=FACT_KEY_ITEMS, value=Decimal(score.key_items), note=note),
        FactValue(
            subject=unit, name=FACT_HARDWARE, value=score.hardware_points_lost, measure="分", note=note
        ),
    ]
    try:
        result = facts_record(
            actor=None,
            period=period,
            values=values,
            source=BatchSource.MANUAL,
            note=(
                _("Inspection results of %(unit)s, %(period)s") % {"unit": unit.name, "period": period.code}
            )[:255],
        )
    except ApplicationError as exc:  # the period is published in the ledger: its facts are final
        _event(inspection, EventAction.FACTS, None, skipped=exc.code, period=period.code)
        return None
    _event(
        inspection,
        EventAction.FACTS,
        None,
        period=period.code,
        batch=result.batch.pk if result.batch else None,
        created=result.created,
        changed=result.changed,
    )
    return result


# --- Settings -------------------------------------------------------------------------------------


@transaction.atomic
def settings_update(
    *, actor: Any, bank: Unit, repeat_window_days: int, appeal_window_days: int
) -> InspectionSettings:
    """The service office of the head office or a branch sets the bank's windows."""
    require_perm(actor, "inspections.change_inspectionsettings")
    if bank.depth != 1:
        raise ApplicationError(_("Settings belong to a bank (a top unit)."), field="bank")
    if not actor.is_superuser and (actor.unit is None or not actor.unit.path.startswith(bank.path)):
        raise PermissionDeniedError(
            _("Unit %(unit)s is outside the part of the organisation you are responsible for.")
            % {"unit": bank.name}
        )
    if not 1 <= repeat_window_days <= 730:
        raise ApplicationError(_("The repeat window is 1 to 730 days."), field="repeat_window_days")
    if not 0 <= appeal_window_days <= 90:
        raise ApplicationError(_("The appeal window is 0 to 90 days."), field="appeal_window_days")
    with acting_as(actor):
        stored, _created = InspectionSettings.objects.update_or_create(
            bank=bank,
            defaults={
                "repeat_window_days": repeat_window_days,
                "appeal_window_days": appeal_window_days,
                "updated_by": actor,
            },
        )
    return stored


# --- Plans and outlet locations -------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    name: str,
    period: Period,
    scope: Unit,
    kind: str,
    visits_per_outlet: int = 1,
    mystery_share: int = 0,
    sampling: str = PlanSampling.RANDOM,
    seed: int | None = None,
    grace_days: int = 15,
    max_distance_m: int = 500,
    notes: str = "",
) -> InspectionPlan:
    """The service office plans a period's checks for every active outlet under `scope` (the bank or a
    unit of its subtree): `visits_per_outlet` each, due in consecutive windows of the period, the
    mystery shopper making `mystery_share` % of them (planning.mystery_count: rounded half up), drawn at
    random with `seed` (a new one when none is given, stored) or fixed; the others are of `kind`."""
    require_perm(actor, "inspections.add_inspectionplan")
    require_unit_in_scope(actor, scope, field="scope")
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the plan a name."), field="name")
    if kind not in InspectionKind.values:
        raise ApplicationError(_("Unknown kind of check."), field="kind")
    if sampling not in PlanSampling.values:
        raise ApplicationError(_("Unknown sampling."), field="sampling")
    if not 0 <= mystery_share <= 100:
        raise ApplicationError(_("The mystery-shopper share is 0 to 100 %."), field="mystery_share")
    if kind == InspectionKind.MYSTERY_SHOPPER:
        mystery_share = 100
    if not 1 <= visits_per_outlet <= min(31, period.days):
        raise ApplicationError(
            _("Visits per outlet are 1 to %(max)d in this period.") % {"max": min(31, period.days)},
            field="visits_per_outlet",
        )
    if not 0 <= grace_days <= 90:
        raise ApplicationError(_("Late checks count up to 0 to 90 days."), field="grace_days")
    if not 10 <= max_distance_m <= 100_000:
        raise ApplicationError(_("The photo distance is 10 m to 100 km."), field="max_distance_m")
    if seed is None:
        import secrets

        seed = secrets.randbelow(2**31)
    if not 0 <= seed < 2**31:
        raise ApplicationError(_("The seed is a whole number from 0 to 2147483647."), field="seed")
    outlets = list(
        Unit.objects.filter(path__startswith=scope.path, kind=UnitKind.OUTLET, is_active=True).order_by(
            "code"
        )
    )
    if not outlets:
        raise ApplicationError(
            _("There is no active outlet under %(unit)s.") % {"unit": scope.name}, field="scope"
        )
    with acting_as(actor):
        plan = InspectionPlan.objects.create(
            name=name,
            period=period,
            scope=scope,
            kind=kind,
            visits_per_outlet=visits_per_outlet,
            mystery_share=mystery_share,
            sampling=sampling,
            seed=seed,
            grace_days=grace_days,
            max_distance_m=max_distance_m,
            notes=notes,
            created_by=actor,
        )
    cut = planning.windows(period.start, period.end, visits_per_outlet)
    total = len(outlets) * visits_per_outlet
    drawn = planning.draw(
        total,
        planning.mystery_count(total, mystery_share),
        random_draw=sampling == PlanSampling.RANDOM,
        seed=seed,
    )
    PlannedVisit.objects.bulk_create(
        PlannedVisit(
            plan=plan,
            outlet=outlet,
            kind=InspectionKind.MYSTERY_SHOPPER if index * visits_per_outlet + n in drawn else kind,
            sequence=n + 1,
            window_start=start,
            window_end=end,
        )
        for index, outlet in enumerate(outlets)
        for n, (start, end) in enumerate(cut)
    )
    return plan


@transaction.atomic
def plan_delete(*, actor: Any, plan: InspectionPlan) -> None:
    """A plan made by mistake is deleted with its planned visits (the checks themselves stay)."""
    require_perm(actor, "inspections.delete_inspectionplan")
    require_unit_in_scope(actor, plan.scope)
    with acting_as(actor):
        plan.delete()


@transaction.atomic
def outlet_location_set(*, actor: Any, unit: Unit, latitude: Decimal, longitude: Decimal) -> OutletLocation:
    """Where an outlet is (WGS-84 degrees), for the distance check of mystery shoppers' photos."""
    require_perm(actor, "inspections.change_outletlocation")
    require_unit_in_scope(actor, unit, field="unit")
    if unit.kind != UnitKind.OUTLET:
        raise ApplicationError(_("%(unit)s is not an outlet.") % {"unit": unit.name}, field="unit")
    latitude, longitude = Decimal(str(latitude)), Decimal(str(longitude))
    if not -90 <= latitude <= 90:
        raise ApplicationError(_("Latitude is −90 to 90 degrees."), field="latitude")
    if not -180 <= longitude <= 180:
        raise ApplicationError(_("Longitude is −180 to 180 degrees."), field="longitude")
    with acting_as(actor):
        stored, _created = OutletLocation.objects.update_or_create(
            unit=unit,
            defaults={
                "latitude": latitude.quantize(Decimal("0.000001")),
                "longitude": longitude.quantize(Decimal("0.000001")),
                "updated_by": actor,
            },
        )
    return stored
