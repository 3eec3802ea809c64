"""Pages of the inspections domain: the list, a new check, the phone checklist (item by item, quick
pass/fail, photos, people), the detail with its score breakdown and workflow buttons, evidence files,
appeals, an outlet's history with its trend chart, and the bank's settings.

Every page is login-only; objects come through youfu.inspections.selectors, which answer 404 outside the
user's subtree (and hide unreleased checks from the outlet); actions also need the role's right (403).
Writes go through the services; a refused write (ApplicationError) is shown and nothing is changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from youfu.core.errors import ApplicationError
from youfu.inspections import selectors, services
from youfu.inspections.choices import AppealStatus, InspectionKind, InspectionStatus, VisitStatus
from youfu.inspections.filters import InspectionFilter
from youfu.inspections.forms import (
    AppealForm,
    DecisionForm,
    ImportForm,
    InspectionForm,
    PlanForm,
    ReasonForm,
    SettingsForm,
    VideoForm,
)
from youfu.inspections.models import Inspection
from youfu.org.choices import PeriodKind
from youfu.org.models import Period
from youfu.org.selectors import unit_get
from youfu.standards import scoring
from youfu.web.pages import add_application_error, filter_choices, paginate, style_form


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _detail(inspection: Inspection) -> HttpResponse:
    return redirect("inspections:detail", pk=inspection.pk)


@login_required
def inspection_list_page(request: HttpRequest) -> HttpResponse:
    _require(request, "inspections.view_inspection")
    rows = selectors.inspection_list(user=request.user)
    inspections = InspectionFilter(request.GET or None, queryset=rows, request=request)
    style_form(inspections.form, small=True)
    filter_choices(inspections.form)
    valid = not inspections.is_bound or inspections.is_valid()
    page = paginate(request, inspections.qs if valid else rows.none())
    return render(request, "inspections/list.html", {"filter": inspections, "page_obj": page})


@login_required
def inspection_create(request: HttpRequest) -> HttpResponse:
    _require(request, "inspections.add_inspection")
    initial: dict[str, Any] = {"date": timezone.localdate(), "kind": InspectionKind.MYSTERY_SHOPPER}
    if request.method == "GET" and request.GET.get("unit"):
        initial["unit"] = request.GET["unit"]
    form = style_form(InspectionForm(request.POST or None, user=request.user, initial=initial))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_create(
                actor=request.user,
                kind=data["kind"],
                unit=data["unit"],
                date=data["date"],
                version_id=data["version"],
                notes=data["notes"],
                visit_start=data["visit_start"],
                visit_end=data["visit_end"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return redirect("inspections:fill", pk=inspection.pk)
    return render(request, "inspections/form.html", {"form": form})


def _may_edit(request: HttpRequest, inspection: Inspection) -> bool:
    user: Any = request.user
    return (
        inspection.status == InspectionStatus.DRAFT
        and user.has_perm("inspections.change_inspection")
        and (
            user.is_superuser
            or inspection.created_by_id == user.pk
            or inspection.inspectors.filter(pk=user.pk).exists()
        )
    )


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    user: Any = request.user
    findings = list(selectors.inspection_findings(inspection=inspection))
    appealed = {a.finding_id for a in inspection.appeals.all()}
    today = timezone.localdate()
    may_appeal = (
        user.has_perm("inspections.add_appeal")
        and inspection.status == InspectionStatus.PUBLISHED
        and inspection.appeal_deadline is not None
        and today <= inspection.appeal_deadline
        and any(f.pk not in appealed for f in findings)
    )
    context = {
        "inspection": inspection,
        "breakdown": selectors.breakdown(inspection=inspection),
        "preview": selectors.inspection_preview(inspection=inspection) if inspection.is_draft else None,
        "findings": findings,
        # A published finding is followed up by a rectification (youfu.rectification).
        "may_rectify": user.has_perm("rectification.add_rectification")
        and inspection.status in (InspectionStatus.PUBLISHED, InspectionStatus.FINAL),
        "evidence": list(selectors.inspection_evidence(inspection=inspection)),
        "mismatches": {e.pk for e in selectors.evidence_mismatches(inspection=inspection)},
        "appeals": inspection.appeals.select_related(
            "finding__item", "raised_by", "decided_by", "correction"
        ),
        "chain": selectors.inspection_chain(inspection=inspection),
        "events": inspection.events.select_related("actor"),
        "inspectors": list(inspection.inspectors.all()),
        "may_edit": _may_edit(request, inspection),
        "may_submit": _may_edit(request, inspection) and user.has_perm("inspections.submit_inspection"),
        "may_approve": inspection.status == InspectionStatus.SUBMITTED
        and user.has_perm("inspections.approve_inspection"),
        "may_publish": inspection.status == InspectionStatus.APPROVED
        and user.has_perm("inspections.publish_inspection"),
        "may_correct": inspection.status in (InspectionStatus.PUBLISHED, InspectionStatus.FINAL)
        and user.has_perm("inspections.correct_inspection"),
        "may_appeal": may_appeal,
        "video_form": style_form(VideoForm()) if _may_edit(request, inspection) else None,
        "return_form": style_form(ReasonForm()),
    }
    return render(request, "inspections/detail.html", context)


def _fill_rows(inspection: Inspection, data: Any = None) -> list[dict[str, Any]]:
    rows = selectors.checklist(inspection=inspection)
    people = list(selectors.outlet_people(inspection=inspection))
    for section in rows:
        for entry in section["items"]:
            item, result, finding = entry["item"], entry["result"], entry["finding"]
            code = item.code
            if data is not None:
                entry["value"] = data.get(f"r_{code}", "")
                entry["note"] = data.get(f"n_{code}", "")
                entry["chosen"] = {int(p) for p in data.getlist(f"p_{code}") if p.isdigit()}
            else:
                entry["value"] = result.value if result else ("0" if item.kind == scoring.DEDUCTION else "")
                entry["note"] = result.note if result else ""
                entry["chosen"] = {p.pk for p in finding.people.all()} if finding else set()
            entry["people"] = people
    return rows


@login_required
def inspection_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone checklist: every item with quick buttons, a note, people and a photo; one save."""
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    if not _may_edit(request, inspection):
        raise PermissionDenied
    errors: list[str] = []
    if request.method == "POST":
        try:
            _save_fill(request, inspection)
        except ApplicationError as exc:
            errors = [d.message for d in exc.details]
        else:
            if request.POST.get("then") == "submit":
                try:
                    services.inspection_submit(actor=request.user, inspection=inspection)
                except ApplicationError as exc:
                    messages.error(request, exc.message)
                    return redirect("inspections:fill", pk=inspection.pk)
                messages.success(
                    request, _("Inspection #%(pk)s submitted for approval.") % {"pk": inspection.pk}
                )
                return _detail(inspection)
            messages.success(request, _("Saved."))
            return redirect("inspections:fill", pk=inspection.pk)
    rows = _fill_rows(inspection, request.POST if request.method == "POST" else None)
    total = sum(len(s["items"]) for s in rows)
    judged = sum(1 for s in rows for e in s["items"] if e["result"] is not None)
    return render(
        request,
        "inspections/fill.html",
        {"inspection": inspection, "rows": rows, "errors": errors, "total": total, "judged": judged},
    )


def _save_fill(request: HttpRequest, inspection: Inspection) -> None:
    """One save of the checklist, all or nothing: results and notes, then people, then photos."""
    post, files = request.POST, request.FILES
    codes = [i.code for i in inspection.version.items.all()]
    values = {c: post.get(f"r_{c}", "") for c in codes if f"r_{c}" in post}
    notes = {c: post.get(f"n_{c}", "") for c in codes if f"n_{c}" in post}
    with transaction.atomic():
        services.inspection_record_results(
            actor=request.user, inspection=inspection, values=values, notes=notes
        )
        findings = {f.item.code: f for f in inspection.findings.select_related("item")}
        allowed = {p.pk: p for p in selectors.outlet_people(inspection=inspection).select_related("unit")}
        for code, finding in findings.items():
            key = f"p_{code}"
            if key in post:
                chosen = [allowed[int(p)] for p in post.getlist(key) if p.isdigit() and int(p) in allowed]
                if {p.pk for p in chosen} != set(finding.people.values_list("pk", flat=True)):
                    services.finding_attribute(actor=request.user, finding=finding, people=chosen)
        for code in codes:
            for file in files.getlist(f"f_{code}"):
                services.evidence_attach_photo(
                    actor=request.user, inspection=inspection, file=file, finding=findings.get(code)
                )
        for file in files.getlist("photos"):
            services.evidence_attach_photo(actor=request.user, inspection=inspection, file=file)


@login_required
@require_POST
def evidence_video(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    if not _may_edit(request, inspection):
        raise PermissionDenied
    form = VideoForm(request.POST)
    if form.is_valid():
        try:
            services.evidence_add_video(actor=request.user, inspection=inspection, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Recording added."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return _detail(inspection)


def _step(request: HttpRequest, pk: int, perm: str, run: Any, done: str) -> HttpResponse:
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    _require(request, perm)
    try:
        result = run(inspection)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _detail(inspection)
    messages.success(request, done)
    return _detail(result if isinstance(result, Inspection) else inspection)


@login_required
@require_POST
def inspection_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "inspections.submit_inspection",
        lambda i: services.inspection_submit(actor=request.user, inspection=i),
        _("Submitted for approval."),
    )


@login_required
@require_POST
def inspection_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "inspections.approve_inspection",
        lambda i: services.inspection_approve(actor=request.user, inspection=i),
        _("Approved."),
    )


@login_required
@require_POST
def inspection_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "inspections.approve_inspection",
        lambda i: services.inspection_return(
            actor=request.user, inspection=i, reason=request.POST.get("reason", "")
        ),
        _("Returned to the inspectors."),
    )


@login_required
@require_POST
def inspection_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "inspections.publish_inspection",
        lambda i: services.inspection_publish(actor=request.user, inspection=i),
        _("Published: the outlet sees it and may appeal."),
    )


@login_required
@require_POST
def inspection_correct(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "inspections.correct_inspection",
        lambda i: services.inspection_correct(
            actor=request.user, inspection=i, notes=request.POST.get("notes", "")
        ),
        _("Correction started: change it, submit it, and a second person approves it."),
    )


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """A photo, served only to users who see its inspection (the media folder is not public)."""
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    if not evidence.file:
        raise PermissionDenied
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- Appeals --------------------------------------------------------------------------------------


@login_required
def appeal_create(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    _require(request, "inspections.add_appeal")
    findings = [f for f in selectors.inspection_findings(inspection=inspection) if not f.appeals.exists()]
    form = AppealForm(request.POST or None, request.FILES or None)
    finding_field: Any = form.fields["finding"]
    finding_field.choices = [(f.pk, f"{f.item.code} {f.item.text[:30]} −{f.points_lost}") for f in findings]
    style_form(form)
    if request.method == "POST" and form.is_valid():
        finding = next(f for f in findings if f.pk == form.cleaned_data["finding"])
        try:
            appeal = services.appeal_raise(
                actor=request.user,
                finding=finding,
                reason=form.cleaned_data["reason"],
                files=request.FILES.getlist("photos"),
            )
        except ApplicationError as exc:
            add_application_error(form, exc, {"file": "photos"})
        else:
            messages.success(request, _("Appeal sent."))
            return redirect("inspections:appeal_detail", pk=appeal.pk)
    return render(request, "inspections/appeal_form.html", {"inspection": inspection, "form": form})


@login_required
def appeal_list_page(request: HttpRequest) -> HttpResponse:
    _require(request, "inspections.view_appeal")
    rows = selectors.appeal_list(user=request.user)
    status = request.GET.get("status", "")
    if status in AppealStatus.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "inspections/appeal_list.html",
        {"page_obj": paginate(request, rows), "status": status, "statuses": AppealStatus.choices},
    )


@login_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get(user=request.user, pk=pk)
    user: Any = request.user
    may_decide = appeal.status == AppealStatus.PENDING and user.has_perm("inspections.decide_appeal")
    form = style_form(DecisionForm(request.POST or None)) if may_decide else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.appeal_decide(
                    actor=request.user,
                    appeal=appeal,
                    reverse=form.cleaned_data["decision"] == "reverse",
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.success(request, _("Appeal decided."))
                return redirect("inspections:appeal_detail", pk=appeal.pk)
    return render(
        request,
        "inspections/appeal_detail.html",
        {"appeal": appeal, "form": form, "evidence": appeal.evidence.all()},
    )


# --- Outlet history -------------------------------------------------------------------------------


@login_required
def outlet_history(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "inspections.view_inspection")
    unit = unit_get(user=request.user, pk=pk)
    today = timezone.localdate()
    periods = list(
        Period.objects.filter(
            kind=PeriodKind.QUARTER, start__lte=today, end__gte=today - dt.timedelta(days=730)
        ).order_by("start")
    )
    history = selectors.outlet_history(user=request.user, unit=unit, periods=periods)
    labels = selectors.kind_labels()
    kinds = sorted({kind for _p, score in history for kind in score.scores})
    chart = {
        "periods": [p.code for p, _s in history],
        "series": [
            {
                "name": labels[kind],
                "data": [str(s.scores[kind]) if kind in s.scores else None for _p, s in history],
            }
            for kind in kinds
        ],
        "findings": [s.findings for _p, s in history],
        "repeated": [s.repeated for _p, s in history],
        "labels": {"findings": _("Findings"), "repeated": _("Repeated findings"), "score": _("Score")},
    }
    rows = selectors.inspection_list(user=request.user).filter(unit=unit)
    return render(
        request,
        "inspections/outlet.html",
        {
            "unit": unit,
            "history": [(p, s, [(labels[k], v) for k, v in sorted(s.scores.items())]) for p, s in history],
            "chart": chart,
            "page_obj": paginate(request, rows),
        },
    )


# --- Settings -------------------------------------------------------------------------------------


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    _require(request, "inspections.view_inspection")
    user: Any = request.user
    unit = user.unit
    if unit is None and user.is_superuser:
        from youfu.org.models import Unit

        unit = Unit.objects.filter(depth=1).order_by("path").first()
    if unit is None:
        raise PermissionDenied
    windows = selectors.windows_for(unit)
    may_change = user.has_perm("inspections.change_inspectionsettings")
    form = SettingsForm(
        request.POST or None,
        initial={
            "repeat_window_days": windows.repeat_window_days,
            "appeal_window_days": windows.appeal_window_days,
        },
    )
    style_form(form)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid() and windows.bank is not None:
            try:
                services.settings_update(actor=request.user, bank=windows.bank, **form.cleaned_data)
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("inspections:settings")
    return render(
        request, "inspections/settings.html", {"form": form, "windows": windows, "may_change": may_change}
    )


# --- Plans ----------------------------------------------------------------------------------------

STATUS_COLOURS = {
    VisitStatus.DONE: "#2e7d32",
    VisitStatus.LATE: "#c9a227",
    VisitStatus.MISSED: "#a12b2b",
    VisitStatus.PENDING: "#8a8f98",
}


@login_required
def plan_list_page(request: HttpRequest) -> HttpResponse:
    _require(request, "inspections.view_inspectionplan")
    rows = selectors.plan_list(user=request.user)
    return render(request, "inspections/plan_list.html", {"page_obj": paginate(request, rows)})


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    _require(request, "inspections.add_inspectionplan")
    user: Any = request.user
    initial: dict[str, Any] = {"scope": user.unit.code if user.unit is not None else ""}
    form = style_form(PlanForm(request.POST or None, user=request.user, initial=initial))
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(
                request, _("Plan created: %(count)d planned visits.") % {"count": plan.visits.count()}
            )
            return redirect("inspections:plan_detail", pk=plan.pk)
    return render(request, "inspections/plan_form.html", {"form": form})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "inspections.view_inspectionplan")
    plan = selectors.plan_get(user=request.user, pk=pk)
    rows = selectors.plan_rows(user=request.user, plan=plan)
    total, groups = selectors.plan_coverage(rows)
    status = request.GET.get("status", "")
    shown = [r for r in rows if r.status == status] if status in VisitStatus.values else rows
    visible = set(
        selectors.inspection_list(user=request.user)
        .filter(pk__in=[r.inspection.pk for r in rows if r.inspection is not None])
        .values_list("pk", flat=True)
    )
    labels = dict(VisitStatus.choices)
    chart = {
        "units": [g.label for g in groups],
        "series": [
            {
                "key": key,
                "name": str(labels[key]),
                "colour": STATUS_COLOURS[VisitStatus(key)],
                "data": [getattr(g, key) for g in groups],
            }
            for key in VisitStatus.values
        ],
    }
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": plan,
            "total": total,
            "groups": groups,
            "chart": chart,
            "page_obj": paginate(request, shown),
            "status": status,
            "statuses": VisitStatus.choices,
            "visible": visible,
            "may_delete": request.user.has_perm("inspections.delete_inspectionplan"),
        },
    )


@login_required
@require_POST
def plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "inspections.delete_inspectionplan")
    plan = selectors.plan_get(user=request.user, pk=pk)
    try:
        services.plan_delete(actor=request.user, plan=plan)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("inspections:plan_detail", pk=pk)
    messages.success(request, _("Plan deleted."))
    return redirect("inspections:plan_list")


# --- Import of a firm's results: upload (dry run by default), see the visits or the errors by row, confirm


def _staging_dir() -> Path:
    return Path(django_settings.MEDIA_ROOT) / "inspections_staging"


IMPORT_SESSION_KEY = "inspections_import"


class _Named:
    """An uploaded file's bytes with its name, read once more by the import."""

    def __init__(self, data: bytes, name: str) -> None:
        self.data, self.name = data, name

    def read(self) -> bytes:
        return self.data


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    _require(request, "inspections.import_inspections")
    from youfu.inspections.imports import inspections_import

    if request.method == "POST" and "confirm" in request.POST:
        return _import_confirm(request)
    form = style_form(ImportForm(request.POST or None, request.FILES or None, user=request.user))
    result = None
    rejected: ApplicationError | None = None
    pending: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        options = {k: form.cleaned_data[k] for k in ("standard", "version", "firm", "layout")}
        try:
            result = inspections_import(
                actor=request.user,
                file=_Named(data, upload.name),
                dry_run=form.cleaned_data["dry_run"],
                **options,
            )
        except ApplicationError as exc:
            if exc.code == "import_invalid":
                rejected = exc
            else:
                add_application_error(form, exc)
        else:
            if not form.cleaned_data["dry_run"]:
                _import_message(request, result)
                return redirect("inspections:list")
            if result.created:
                digest = hashlib.sha256(data).hexdigest()
                _staging_dir().mkdir(parents=True, exist_ok=True)
                (_staging_dir() / f"{digest}.xlsx").write_bytes(data)
                pending = {"sha256": digest, "file_name": Path(upload.name).name, **options}
                request.session[IMPORT_SESSION_KEY] = pending
    return render(
        request,
        "inspections/import.html",
        {"form": form, "result": result, "rejected": rejected, "pending": pending},
    )


def _import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the file of the dry run just shown (kept on the server, named by its SHA-256), checked
    again in full."""
    from youfu.inspections.imports import inspections_import

    pending = request.session.get(IMPORT_SESSION_KEY)
    path = _staging_dir() / f"{pending.get('sha256', '')}.xlsx" if pending else None
    if (
        not pending
        or pending.get("sha256") != request.POST.get("confirm")
        or path is None
        or not path.is_file()
    ):
        messages.error(request, _("There is no checked file to import; upload it again."))
        return redirect("inspections:import")
    try:
        result = inspections_import(
            actor=request.user,
            file=_Named(path.read_bytes(), pending["file_name"]),
            standard=pending["standard"],
            version=pending["version"],
            firm=pending["firm"],
            layout=pending["layout"],
        )
    except ApplicationError as exc:
        form = style_form(ImportForm(user=request.user))
        if exc.code != "import_invalid":
            add_application_error(form, exc)
        return render(
            request,
            "inspections/import.html",
            {"form": form, "result": None, "rejected": exc if exc.code == "import_invalid" else None},
        )
    del request.session[IMPORT_SESSION_KEY]
    _import_message(request, result)
    return redirect("inspections:list")


def _import_message(request: HttpRequest, result: Any) -> None:
    messages.success(
        request,
        _(
            "Imported: %(created)d checks created (submitted, awaiting approval), "
            "%(unchanged)d already imported."
        )
        % {"created": result.created, "unchanged": result.unchanged},
    )
