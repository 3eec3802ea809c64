"""Pages of the rectification domain: my rectifications (with the findings still waiting for one), the
overdue board, an outlet's history, the detail with its workflow forms, opening one, evidence files.

Objects come through youfu.rectification.selectors (404 outside the subtree); actions need the role's
right (403); writes go through the services, and a refused write is shown with nothing changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from youfu.accounts.access import unit_in_scope
from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.inspections.models import Inspection
from youfu.org.selectors import unit_get
from youfu.rectification import selectors, services
from youfu.rectification.choices import ACTIVE_STATUSES, Handling, RectificationStatus
from youfu.rectification.forms import (
    EvidenceForm,
    MeetingForm,
    OpenForm,
    RejectForm,
    ResolveForm,
    StartForm,
    SubmitForm,
    VerifyForm,
)
from youfu.rectification.models import Rectification
from youfu.web.pages import add_application_error, paginate, style_form


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@login_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    _require(request, "rectification.view_rectification")
    rows = selectors.my_rectifications(user=request.user)
    status = request.GET.get("status", "")
    if status == "overdue":
        rows = selectors.overdue(rows)
    elif status == "active":
        rows = rows.exclude(status=RectificationStatus.CLOSED)
    elif status in RectificationStatus.values:
        rows = rows.filter(status=status)
    awaiting = selectors.findings_awaiting(user=request.user)
    return render(
        request,
        "rectification/list.html",
        {
            "page_obj": paginate(request, rows),
            "status": status,
            "statuses": RectificationStatus.choices,
            "awaiting": awaiting[:20],
            "awaiting_count": awaiting.count(),
        },
    )


@login_required
def overdue_board(request: HttpRequest) -> HttpResponse:
    _require(request, "rectification.verify_rectification")
    rows = selectors.overdue_board(user=request.user)
    return render(request, "rectification/overdue.html", {"page_obj": paginate(request, rows)})


@login_required
def outlet_history(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "rectification.view_rectification")
    unit = unit_get(user=request.user, pk=pk)
    rows = selectors.outlet_history(user=request.user, unit=unit)
    return render(request, "rectification/outlet.html", {"unit": unit, "page_obj": paginate(request, rows)})


@login_required
def rectification_open(request: HttpRequest, finding: int) -> HttpResponse:
    _require(request, "rectification.add_rectification")
    found = selectors.finding_for_rectification(user=request.user, pk=finding)
    initial = {
        "responsible_unit": found.inspection.unit.code,
        "deadline": timezone.localdate() + dt.timedelta(days=14),
        "handling": Handling.FEEDBACK_MEETING,
    }
    form = style_form(OpenForm(request.POST or None, user=request.user, initial=initial))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rect = services.rectification_open(
                actor=request.user,
                finding=found,
                responsible_unit=data["responsible_unit"],
                responsible_person=data["responsible_person"],
                deadline=data["deadline"],
                required_evidence=data["required_evidence"],
                handling=data["handling"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Rectification opened."))
            return redirect("rectification:detail", pk=rect.pk)
    return render(request, "rectification/open.html", {"form": form, "finding": found})


@login_required
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rect = selectors.rectification_get(user=request.user, pk=pk)
    user: Any = request.user
    active = rect.status in ACTIVE_STATUSES
    may_work = active and user.has_perm("rectification.change_rectification")
    may_verify = (
        rect.status == RectificationStatus.SUBMITTED
        and user.has_perm("rectification.verify_rectification")
        and unit_in_scope(user, rect.unit)
    )
    context = {
        "rect": rect,
        "events": selectors.rectification_events(rectification=rect),
        "evidence": selectors.rectification_evidence(rectification=rect),
        "may_work": may_work,
        "may_meeting": may_work and rect.handling == Handling.MEETING,
        "may_verify": may_verify,
        "may_close": rect.status == RectificationStatus.VERIFIED
        and user.has_perm("rectification.close_rectification")
        and unit_in_scope(user, rect.unit),
        "may_resolve": active
        and rect.handling == Handling.FEEDBACK_MEETING
        and user.has_perm("rectification.close_rectification")
        and user.has_perm("rectification.verify_rectification")
        and unit_in_scope(user, rect.unit),
        "start_form": style_form(StartForm()),
        "evidence_form": style_form(EvidenceForm()),
        "meeting_form": style_form(MeetingForm(initial={"meeting_date": timezone.localdate()})),
        "submit_form": style_form(SubmitForm(initial={"measures": rect.measures})),
        "verify_form": style_form(VerifyForm(initial={"reinspected_on": timezone.localdate()})),
        "reject_form": style_form(RejectForm()),
        "resolve_form": style_form(ResolveForm()),
    }
    return render(request, "rectification/detail.html", context)


def _action(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    act: Callable[[Rectification, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    rect = selectors.rectification_get(user=request.user, pk=pk)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(
                request,
                f"{label}: {' '.join(str(e) for e in errors)}" if label else " ".join(str(e) for e in errors),
            )
        return redirect("rectification:detail", pk=rect.pk)
    try:
        act(rect, form.cleaned_data)
    except PermissionDeniedError as exc:
        raise PermissionDenied(str(exc)) from exc
    except ApplicationError as exc:
        for detail in exc.details:
            messages.error(request, detail.message)
    else:
        messages.success(request, done)
    return redirect("rectification:detail", pk=rect.pk)


@login_required
@require_POST
def rectification_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        StartForm,
        lambda rect, data: services.rectification_start(
            actor=request.user, rectification=rect, measures=data["measures"]
        ),
        _("Work started."),
    )


@login_required
@require_POST
def rectification_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        EvidenceForm,
        lambda rect, data: services.rectification_add_evidence(
            actor=request.user, rectification=rect, upload=data["file"], note=data["note"]
        ),
        _("Evidence added."),
    )


@login_required
@require_POST
def rectification_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        MeetingForm,
        lambda rect, data: services.rectification_record_meeting(
            actor=request.user,
            rectification=rect,
            meeting_date=data["meeting_date"],
            minutes=data["minutes"],
            upload=data["file"],
        ),
        _("Meeting minutes recorded."),
    )


@login_required
@require_POST
def rectification_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        SubmitForm,
        lambda rect, data: services.rectification_submit(
            actor=request.user, rectification=rect, measures=data["measures"]
        ),
        _("Submitted for re-inspection."),
    )


def _reinspection(request: HttpRequest, number: int | None) -> Inspection | None:
    if number is None:
        return None
    from youfu.inspections.selectors import inspection_list

    found = inspection_list(user=request.user).filter(pk=number).first()
    if found is None:
        raise ApplicationError(
            _("Check #%(pk)s does not exist or is not yours to see.") % {"pk": number},
            code="not_found",
            field="reinspection",
        )
    return found


@login_required
@require_POST
def rectification_verify(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        VerifyForm,
        lambda rect, data: services.rectification_verify(
            actor=request.user,
            rectification=rect,
            reinspection=_reinspection(request, data["reinspection"]),
            reinspected_on=None if data["reinspection"] else data["reinspected_on"],
            note=data["note"],
        ),
        _("Verified by re-inspection."),
    )


@login_required
@require_POST
def rectification_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        RejectForm,
        lambda rect, data: services.rectification_reject(
            actor=request.user, rectification=rect, reason=data["reason"]
        ),
        _("Rejected back to in progress."),
    )


class _NoFields(forms.Form):
    pass


@login_required
@require_POST
def rectification_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        _NoFields,
        lambda rect, data: services.rectification_close(actor=request.user, rectification=rect),
        _("Rectification closed."),
    )


@login_required
@require_POST
def rectification_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        ResolveForm,
        lambda rect, data: services.rectification_resolve_at_meeting(
            actor=request.user,
            rectification=rect,
            measures=data["measures"],
            note=data["note"],
            upload=data["file"],
        ),
        _("Fixed at the feedback meeting and closed."),
    )


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=not evidence.content_type.startswith("image/"),
        filename=evidence.original_name,
        content_type=evidence.content_type or "application/octet-stream",
    )
