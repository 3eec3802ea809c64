"""Pages of the feedback domain: the rates table (period, subtree, grouping; Excel export), the rating
batches, a batch with its quarantined rows, and the upload (CSV or Parquet, quarantine option, the
report of a refused file).

Login only, the role's right, the user's subtree only: batches come through the selectors (404 outside
it), rates count only ratings given at outlets in the subtree. Loading goes through the services."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from youfu.core.errors import ApplicationError
from youfu.facts.services import RecordResult
from youfu.feedback.choices import Reason
from youfu.feedback.exports import rates_export
from youfu.feedback.forms import RatesFilterForm, RatingUploadForm, last_month
from youfu.feedback.selectors import batch_get, batch_list, rates, total_line
from youfu.feedback.services import ratings_ingest_file
from youfu.org.models import Period
from youfu.web.pages import add_application_error, paginate, style_form

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def require_perm(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def record_period_facts(request: HttpRequest, record: Callable[..., RecordResult], back: str) -> HttpResponse:
    """The body of a POST that records a period's facts with ``record`` (callbacks, surveys): the
    period chosen, else last month; a message says how many values were new, changed, unchanged."""
    period = Period.objects.filter(code=request.POST.get("period", "")).first()
    if period is None:
        start, _end = last_month(timezone.localdate())
        period = Period.objects.filter(start=start, kind="month").first()
    if period is None:
        messages.error(request, _("Choose a period."))
        return redirect(back)
    try:
        result = record(actor=request.user, period=period)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(period)s: %(new)d values recorded, %(changed)d changed, %(same)d unchanged.")
            % {
                "period": period.code,
                "new": result.created,
                "changed": result.changed,
                "same": result.unchanged,
            },
        )
    return redirect(back)


def _filter(request: HttpRequest) -> RatesFilterForm:
    form = RatesFilterForm(request.GET, user=request.user, today=timezone.localdate())
    style_form(form, small=True)
    return form


@login_required
@require_GET
def rates_page(request: HttpRequest) -> HttpResponse:
    require_perm(request, "feedback.view_rates")
    form = _filter(request)
    lines = []
    data = form.cleaned_data if form.is_valid() else None
    if data is not None:
        lines = rates(
            user=request.user, start=data["start"], end=data["end"], grouping=data["by"], within=data["unit"]
        )
    return render(
        request,
        "feedback/rates.html",
        {"form": form, "data": data, "lines": lines, "total": total_line(lines) if lines else None},
    )


@login_required
@require_GET
def rates_export_view(request: HttpRequest) -> HttpResponse:
    require_perm(request, "feedback.view_rates")
    form = _filter(request)
    if not form.is_valid():
        messages.error(request, _("Correct the filter first."))
        return redirect("feedback:rates")
    data = form.cleaned_data
    lines = rates(
        user=request.user, start=data["start"], end=data["end"], grouping=data["by"], within=data["unit"]
    )
    content = rates_export(lines=lines, grouping=data["by"], start=data["start"], end=data["end"])
    label = _("satisfaction")
    filename = f"{label}-{data['start']}-{data['end']}-{data['by']}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
def batch_list_page(request: HttpRequest) -> HttpResponse:
    require_perm(request, "feedback.view_ratingbatch")
    return render(
        request, "feedback/batch_list.html", {"page_obj": paginate(request, batch_list(user=request.user))}
    )


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "feedback.view_ratingbatch")
    batch = batch_get(user=request.user, pk=pk)
    labels = dict(Reason.choices)
    report = batch.report or {}
    counts = [(labels.get(reason, reason), n) for reason, n in (report.get("counts") or {}).items()]
    bad_rows = [
        {
            "row": row["row"],
            "field": row["column"],
            "message": f"{labels.get(row['reason'], row['reason'])}: “{row['value']}”",
        }
        for row in report.get("rows", [])
    ]
    return render(
        request, "feedback/batch_detail.html", {"batch": batch, "counts": counts, "bad_rows": bad_rows}
    )


@login_required
def batch_upload(request: HttpRequest) -> HttpResponse:
    require_perm(request, "feedback.add_ratingbatch")
    form = style_form(RatingUploadForm(request.POST or None, request.FILES or None))
    rejected: ApplicationError | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        path = getattr(upload, "temporary_file_path", None)
        from pathlib import Path

        try:
            result = ratings_ingest_file(
                actor=request.user,
                file=Path(path()) if path else upload.read(),
                file_name=upload.name,
                quarantine=form.cleaned_data["quarantine"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            if exc.code in ("ratings_rejected", "malformed", "empty"):
                rejected = exc
            else:
                add_application_error(form, exc)
        else:
            batch = result.batch
            if not result.created:
                messages.info(
                    request,
                    _("This file was loaded before (batch #%(id)d): nothing was loaded again.")
                    % {"id": batch.pk},
                )
            elif batch.quarantined_count:
                messages.warning(
                    request,
                    _("Loaded %(good)s rows; %(bad)s bad rows were quarantined (listed below).")
                    % {"good": f"{batch.loaded_count:,}", "bad": f"{batch.quarantined_count:,}"},
                )
            else:
                messages.success(request, _("Loaded %(good)s rows.") % {"good": f"{batch.loaded_count:,}"})
            return redirect("feedback:batch_detail", pk=batch.pk)
    report = [
        {"row": detail.row, "field": detail.field, "message": detail.message}
        for detail in (rejected.details if rejected else [])
    ]
    return render(request, "feedback/upload.html", {"form": form, "rejected": rejected, "report": report})
