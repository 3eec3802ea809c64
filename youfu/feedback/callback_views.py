"""Pages of the callbacks (电话回访): the month's samples of the user's outlets (draw, import a customer
list, record the results as facts), one sample's calls, the call page (the phone number in full only
here, to a caller, while the call is to be made), and the results per outlet or teller with an Excel
export. Thin: reads through youfu.feedback.callback_selectors (404 outside the subtree), writes through
youfu.feedback.callback_services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from youfu.core.errors import ApplicationError
from youfu.feedback import callback_selectors as selectors
from youfu.feedback.callback_services import (
    SEED_QUESTIONS,
    callback_call_record,
    callback_contacts_import,
    callback_facts_record,
    callbacks_draw,
    rule_for,
)
from youfu.feedback.choices import CallStatus
from youfu.feedback.exports import callback_results_export
from youfu.feedback.forms import (
    CallbackDrawForm,
    CallbackFilterForm,
    CallbackImportForm,
    CallRecordForm,
    RatesFilterForm,
)
from youfu.feedback.views import XLSX, record_period_facts, require_perm
from youfu.org.models import Period
from youfu.web.pages import add_application_error, paginate, style_form


@login_required
@require_GET
def callbacks_page(request: HttpRequest) -> HttpResponse:
    require_perm(request, "feedback.view_callbackdraw")
    form = style_form(CallbackFilterForm(request.GET or None, user=request.user), small=True)
    today = timezone.localdate()
    month, within = today.replace(day=1), None
    if form.is_valid():
        month = form.cleaned_data["month"] or month
        within = form.cleaned_data["unit"]
    draws = selectors.draw_list(user=request.user, month=month, within=within)
    draw_form = style_form(
        CallbackDrawForm(
            initial={
                "month": month.strftime("%Y-%m"),
                "unit": within.code if within else getattr(getattr(request.user, "unit", None), "code", ""),
            },
            user=request.user,
        ),
        small=True,
    )
    return render(
        request,
        "feedback/callbacks.html",
        {
            "form": form,
            "month": month,
            "page_obj": paginate(request, draws),
            "draw_form": draw_form,
            "seed_questions": SEED_QUESTIONS,
            "periods": Period.objects.filter(start__lte=today).order_by("-start")[:24],
        },
    )


@login_required
@require_POST
def callbacks_draw_view(request: HttpRequest) -> HttpResponse:
    require_perm(request, "feedback.make_callback")
    form = CallbackDrawForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("feedback:callbacks")
    month, unit = form.cleaned_data["month"], form.cleaned_data["unit"]
    try:
        result = callbacks_draw(actor=request.user, unit=unit, month=month)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(new)d outlets drawn for %(month)s (%(old)d had their sample already).")
            % {"new": len(result.created), "old": len(result.existing), "month": f"{month:%Y-%m}"},
        )
        for outlet, drawn, wanted in result.short:
            messages.warning(
                request,
                _(
                    "%(outlet)s: only %(drawn)d customers could be drawn of %(wanted)d "
                    "(not enough in its list)."
                )
                % {"outlet": outlet.name, "drawn": drawn, "wanted": wanted},
            )
    return redirect(f"{_url('feedback:callbacks')}?month={month:%Y-%m}&unit={unit.code}")


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


@login_required
def callbacks_import_view(request: HttpRequest) -> HttpResponse:
    require_perm(request, "feedback.make_callback")
    form = style_form(CallbackImportForm(request.POST or None, request.FILES or None))
    rejected: ApplicationError | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = callback_contacts_import(actor=request.user, data=upload.read(), file_name=upload.name)
        except ApplicationError as exc:
            if exc.code == "import_invalid":
                rejected = exc
            else:
                add_application_error(form, exc)
        else:
            batch = result.batch
            if not result.created:
                messages.info(request, _("This file was imported before: nothing was added."))
            else:
                messages.success(
                    request,
                    _("%(new)d customers added, %(old)d were listed already.")
                    % {"new": batch.created_count, "old": batch.unchanged_count},
                )
            return redirect("feedback:callbacks")
    report = [
        {"row": d.row, "field": d.field, "message": d.message} for d in (rejected.details if rejected else [])
    ]
    return render(
        request,
        "feedback/callbacks_import.html",
        {
            "form": form,
            "rejected": rejected,
            "report": report,
            "imports": selectors.import_list(user=request.user)[:10],
        },
    )


@login_required
@require_GET
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "feedback.view_callbackdraw")
    draw = selectors.draw_get(user=request.user, pk=pk)
    calls = list(selectors.draw_calls(draw=draw))
    rule = rule_for(draw.unit)
    return render(
        request,
        "feedback/callback_draw.html",
        {"draw": draw, "calls": calls, "rule": rule, "seed_questions": SEED_QUESTIONS},
    )


@login_required
def call_page(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "feedback.view_callbackdraw")
    call = selectors.call_get(user=request.user, pk=pk)
    may_call = request.user.has_perm("feedback.make_callback")
    form = None
    if may_call and call.status != CallStatus.UNREACHABLE:
        initial = {
            "reached": "yes" if call.status == CallStatus.REACHED else None,
            "result": call.result,
            "comments": call.comments,
            "teller": call.teller.employee_no if call.teller else "",
        }
        form = style_form(CallRecordForm(request.POST or None, initial=initial, user=request.user))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                outcome = callback_call_record(
                    actor=request.user,
                    call=call,
                    reached=data["reached"],
                    result=data["result"],
                    comments=data["comments"],
                    teller=data["teller"],
                )
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                if outcome.call.status == CallStatus.REACHED:
                    messages.success(
                        request, _("Call recorded: %(points)s points.") % {"points": outcome.call.points}
                    )
                elif outcome.replacement is not None:
                    messages.warning(
                        request,
                        _("Not reached %(n)d times: replaced by customer #%(pos)d.")
                        % {"n": outcome.call.attempts, "pos": outcome.replacement.position},
                    )
                    return redirect("feedback:call", pk=outcome.replacement.pk)
                elif outcome.pool_exhausted:
                    messages.warning(
                        request, _("Not reached, and nobody is left in the pool to replace them.")
                    )
                else:
                    messages.info(
                        request, _("Not reached: try %(n)d recorded.") % {"n": outcome.call.attempts}
                    )
                return redirect("feedback:callback_draw", pk=call.draw_id)
    elif request.method == "POST":
        raise PermissionDenied
    # The number in full only to a caller, while the call is still to be made.
    show_phone = may_call and call.status == CallStatus.PENDING
    return render(
        request,
        "feedback/callback_call.html",
        {"call": call, "form": form, "show_phone": show_phone, "draw": call.draw},
    )


def _results_filter(request: HttpRequest) -> RatesFilterForm:
    form = RatesFilterForm(request.GET, user=request.user, today=timezone.localdate())
    by = form.fields["by"]
    assert isinstance(by, forms.ChoiceField)
    by.choices = [("outlet", _("Outlet")), ("person", _("Teller"))]
    return style_form(form, small=True)


@login_required
@require_GET
def callback_results_page(request: HttpRequest) -> HttpResponse:
    require_perm(request, "feedback.view_callbackdraw")
    form = _results_filter(request)
    data = form.cleaned_data if form.is_valid() else None
    lines = []
    if data is not None:
        lines = selectors.callback_results(
            user=request.user, start=data["start"], end=data["end"], grouping=data["by"], within=data["unit"]
        )
    return render(
        request,
        "feedback/callback_results.html",
        {
            "form": form,
            "data": data,
            "lines": lines,
            "total": selectors.callback_total(lines) if lines else None,
            "seed_questions": SEED_QUESTIONS,
        },
    )


@login_required
@require_GET
def callback_results_export_view(request: HttpRequest) -> HttpResponse:
    require_perm(request, "feedback.view_callbackdraw")
    form = _results_filter(request)
    if not form.is_valid():
        messages.error(request, _("Correct the filter first."))
        return redirect("feedback:callback_results")
    data = form.cleaned_data
    lines = selectors.callback_results(
        user=request.user, start=data["start"], end=data["end"], grouping=data["by"], within=data["unit"]
    )
    content = callback_results_export(lines=lines, grouping=data["by"], start=data["start"], end=data["end"])
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"callbacks-{data['start']}-{data['end']}-{data['by']}.xlsx"
    )
    return response


@login_required
@require_POST
def callback_facts_view(request: HttpRequest) -> HttpResponse:
    require_perm(request, "feedback.record_callback_facts")
    return record_period_facts(request, callback_facts_record, "feedback:callbacks")
