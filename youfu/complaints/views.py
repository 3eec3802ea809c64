"""Pages of the complaints domain: list, intake, my queue, the SLA board (timers, red on breach), a
complaint with its timeline and its actions, the complaint rate against a baseline year, and the Excel
import. Objects come through the selectors (404 outside the subtree); writes through the services (a
refused write shows its error and changes nothing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from youfu.complaints import imports, selectors, services
from youfu.complaints.choices import Channel, ComplaintKind, ComplaintStatus
from youfu.complaints.forms import (
    CallbackForm,
    ClassifyForm,
    ComplaintForm,
    ExtendForm,
    HandoverForm,
    ImportForm,
    ReasonForm,
    ResolveForm,
    TextForm,
    VerdictForm,
)
from youfu.complaints.models import Complaint
from youfu.core.errors import ApplicationError
from youfu.org.choices import PeriodKind
from youfu.org.models import Period
from youfu.web.pages import add_application_error, paginate, style_form


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@login_required
def complaint_list_page(request: HttpRequest) -> HttpResponse:
    _require(request, "complaints.view_complaint")
    rows = selectors.complaint_list(user=request.user)
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "").strip()
    if status in ComplaintStatus.values:
        rows = rows.filter(status=status)
    if channel in Channel.values:
        rows = rows.filter(channel=channel)
    if kind in ComplaintKind.values:
        rows = rows.filter(kind=kind)
    if q:
        rows = rows.filter(number__icontains=q) | rows.filter(unit__code=q)
    context = {
        "page_obj": paginate(request, rows),
        "statuses": ComplaintStatus.choices,
        "channels": Channel.choices,
        "kinds": ComplaintKind.choices,
        "status": status,
        "channel": channel,
        "kind": kind,
        "q": q,
    }
    return render(request, "complaints/list.html", context)


@login_required
def complaint_create(request: HttpRequest) -> HttpResponse:
    _require(request, "complaints.add_complaint")
    form = style_form(ComplaintForm(request.POST or None, user=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.complaint_register(
                actor=request.user,
                kind=data["kind"],
                channel=data["channel"],
                unit=data["unit"],
                category=data["category"],
                severity=data["severity"],
                summary=data["summary"],
                received_at=data["received_at"],
                customer_name=data["customer_name"],
                customer_phone=data["customer_phone"],
                people=data["people"],
                source_ref=data["source_ref"],
                resolve_due=data["resolve_due"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(
                request,
                _("%(number)s registered; you are responsible for it.") % {"number": complaint.number},
            )
            return redirect("complaints:detail", pk=complaint.pk)
    return render(request, "complaints/form.html", {"form": form})


@login_required
def queue_page(request: HttpRequest) -> HttpResponse:
    _require(request, "complaints.view_complaint")
    now = timezone.now()
    timers = [selectors.timer(c, now=now) for c in selectors.my_queue(user=request.user)]
    return render(
        request,
        "complaints/queue.html",
        {
            "timers": timers,
            "callbacks": selectors.callbacks_due(user=request.user).filter(owner_id=request.user.pk),
        },
    )


@login_required
def board_page(request: HttpRequest) -> HttpResponse:
    _require(request, "complaints.view_complaint")
    return render(request, "complaints/board.html", {"board": selectors.sla_board(user=request.user)})


def _forms(request: HttpRequest, complaint: Complaint) -> dict[str, Any]:
    user: Any = request.user
    return {
        "classify_form": style_form(
            ClassifyForm(
                user=user,
                initial={
                    "category": complaint.category,
                    "severity": complaint.severity,
                    "people": " ".join(p.employee_no for p in complaint.people.all()),
                },
            )
        ),
        "handover_form": style_form(HandoverForm(user=user, unit=complaint.unit)),
        "note_form": style_form(TextForm()),
        "reason_form": style_form(ReasonForm()),
        "resolve_form": style_form(ResolveForm()),
        "extend_form": style_form(ExtendForm()),
        "verdict_form": style_form(VerdictForm()),
        "callback_form": style_form(CallbackForm()),
    }


def _detail(request: HttpRequest, complaint: Complaint, **extra: Any) -> HttpResponse:
    user: Any = request.user
    handler = user.has_perm("complaints.handle_complaint")
    responsible = handler and (
        complaint.owner_id == user.pk or user.is_superuser or user.has_perm("complaints.judge_complaint")
    )
    context = {
        "complaint": complaint,
        "timer": selectors.timer(complaint) if complaint.is_open else None,
        "events": selectors.timeline(complaint=complaint),
        "people": list(complaint.people.all()),
        "responsible": responsible,
        "may_judge": user.has_perm("complaints.judge_complaint"),
        "may_reveal": user.has_perm("complaints.reveal_contact"),
        **_forms(request, complaint),
        **extra,
    }
    return render(request, "complaints/detail.html", context)


@login_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.complaint_get(user=request.user, pk=pk))


@login_required
@require_POST
def complaint_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    _require(request, "complaints.reveal_contact")
    form = ReasonForm(request.POST)
    try:
        name, phone = services.complaint_contact_reveal(
            actor=request.user, complaint=complaint, reason=form.data.get("reason", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("complaints:detail", pk=complaint.pk)
    return _detail(request, complaint, revealed={"name": name, "phone": phone})


def _act(request: HttpRequest, complaint: Complaint, action: str) -> None:
    user, post = request.user, request.POST
    forms_by_action: dict[str, Callable[[], Any]] = {
        "acknowledge": lambda: services.complaint_acknowledge(
            actor=user, complaint=complaint, note=post.get("text", "")
        ),
        "wait": lambda: services.complaint_wait(
            actor=user, complaint=complaint, reason=post.get("reason", "")
        ),
        "resume": lambda: services.complaint_resume(
            actor=user, complaint=complaint, note=post.get("text", "")
        ),
        "resolve": lambda: services.complaint_resolve(
            actor=user, complaint=complaint, resolution=post.get("resolution", "")
        ),
        "judge": lambda: services.complaint_judge(
            actor=user,
            complaint=complaint,
            verdict=post.get("verdict", ""),
            reason=post.get("reason", ""),
            evidence=post.get("evidence", ""),
        ),
        "close": lambda: services.complaint_close(actor=user, complaint=complaint),
    }
    if action in forms_by_action:
        forms_by_action[action]()
        return
    if action == "handover":
        form = HandoverForm(post, user=user, unit=complaint.unit)
        if not form.is_valid():
            raise ApplicationError(_("Choose who takes it over."), field="to")
        services.complaint_handover(
            actor=user, complaint=complaint, to=form.cleaned_data["to"], note=form.cleaned_data["note"]
        )
    elif action == "classify":
        cform = ClassifyForm(post, user=user)
        if not cform.is_valid():
            raise ApplicationError(
                "; ".join(str(m) for errs in cform.errors.values() for m in errs), field="people"
            )
        services.complaint_classify(
            actor=user,
            complaint=complaint,
            category=cform.cleaned_data["category"],
            severity=cform.cleaned_data["severity"],
            people=cform.cleaned_data["people"],
        )
    elif action == "extend":
        eform = ExtendForm(post)
        if not eform.is_valid():
            raise ApplicationError(_("Give a new deadline and the reason."), field="resolve_due")
        services.complaint_extend(
            actor=user,
            complaint=complaint,
            resolve_due=eform.cleaned_data["resolve_due"],
            reason=eform.cleaned_data["reason"],
        )
    elif action == "callback":
        services.complaint_callback(
            actor=user, complaint=complaint, result=post.get("result", ""), note=post.get("note", "")
        )
    else:
        raise Http404


@login_required
@require_POST
def complaint_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    complaint = selectors.complaint_get(user=request.user, pk=pk)
    try:
        _act(request, complaint, action)
    except ApplicationError as exc:
        if exc.code == "permission_denied":
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("complaints:detail", pk=complaint.pk)


@login_required
def rates_page(request: HttpRequest) -> HttpResponse:
    _require(request, "complaints.view_complaint")
    periods = list(Period.objects.exclude(kind=PeriodKind.CUSTOM).order_by("-start"))
    period = next((p for p in periods if p.code == request.GET.get("period")), None)
    if period is None:
        today = timezone.localdate()
        period = next((p for p in periods if p.kind == PeriodKind.YEAR and p.start <= today <= p.end), None)
        period = period or (periods[0] if periods else None)
    rates = None
    baseline = request.GET.get("baseline", "")
    channel = request.GET.get("channel", selectors.DEFAULT_RATE_CHANNEL)
    if channel not in Channel.values:
        channel = ""
    if period is not None:
        year = int(baseline) if baseline.isdigit() else period.start.year - 1
        rates = selectors.complaint_rates(
            user=request.user, period=period, baseline_year=year, channel=channel
        )
    return render(
        request,
        "complaints/rates.html",
        {
            "rates": rates,
            "periods": periods,
            "channels": Channel.choices,
            "channel": channel,
            "target": selectors.RATE_TARGET,
        },
    )


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    _require(request, "complaints.import_complaints")
    form = style_form(ImportForm(request.POST or None, request.FILES or None))
    result = None
    rejected: ApplicationError | None = None
    if request.method == "POST" and form.is_valid():
        dry_run = form.cleaned_data["dry_run"]
        try:
            result = imports.complaints_import(
                actor=request.user, file=form.cleaned_data["file"], dry_run=dry_run
            )
        except ApplicationError as exc:
            if exc.code == "import_invalid":
                rejected = exc
            else:
                add_application_error(form, exc)
        else:
            if not dry_run:
                messages.success(
                    request,
                    _("Import done: %(created)s created, %(unchanged)s already there.")
                    % {"created": result.created, "unchanged": result.unchanged},
                )
                return redirect("complaints:list")
    return render(
        request,
        "complaints/import.html",
        {"form": form, "result": result, "rejected": rejected, "columns": imports.COLUMNS},
    )
