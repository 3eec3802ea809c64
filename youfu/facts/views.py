"""Pages of the facts domain: the list (filters: period, name, unit subtree, search), a fact with its
history and evidence, the batches, the Excel import (dry run, row errors, confirm) and export.

Every page is login-only, needs the role's right, and sees the user's subtree only: facts and batches
are fetched through the selectors, which answer 404 outside it. Writes go through the import, which goes
through youfu.facts.services.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from youfu.core.errors import ApplicationError
from youfu.facts import exports, imports
from youfu.facts.catalog import input_spec
from youfu.facts.choices import SubjectKind
from youfu.facts.filters import FactFilter
from youfu.facts.forms import FactImportForm
from youfu.facts.models import Fact
from youfu.facts.selectors import (
    batch_facts,
    batch_get,
    batch_list,
    fact_evidence,
    fact_get,
    fact_history,
    fact_list,
)
from youfu.org.models import Period
from youfu.web.pages import add_application_error, filter_choices, paginate, style_form, unit_code_input

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "facts_import_pending"


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _fact_filter(request: HttpRequest) -> FactFilter:
    facts = FactFilter(request.GET or None, queryset=fact_list(user=request.user), request=request)
    style_form(facts.form, small=True)
    filter_choices(facts.form)
    unit_code_input(facts.form, "unit", small=True)
    return facts


def _filtered(facts: FactFilter) -> QuerySet[Fact]:
    # An invalid filter (e.g. a unit outside the subtree) shows its error and lists nothing.
    if facts.is_bound and not facts.is_valid():
        return facts.queryset.none()
    return facts.qs


@login_required
def fact_list_page(request: HttpRequest) -> HttpResponse:
    _require(request, "facts.view_fact")
    facts = _fact_filter(request)
    page = paginate(request, _filtered(facts))
    period = facts.form.cleaned_data.get("period") if facts.is_bound and facts.is_valid() else None
    return render(request, "facts/fact_list.html", {"filter": facts, "page_obj": page, "period": period})


@login_required
def fact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "facts.view_fact")
    fact = fact_get(user=request.user, pk=pk)
    history = fact_history(user=request.user, fact=fact)
    evidence = fact_evidence(fact_ids=[f.pk for f in history], user=request.user)
    return render(
        request,
        "facts/fact_detail.html",
        {
            "fact": fact,
            "spec": input_spec(fact.name),
            "history": [(f, evidence.get(f.pk)) for f in history],
            "evidence": evidence.get(fact.pk),
        },
    )


@login_required
def batch_list_page(request: HttpRequest) -> HttpResponse:
    _require(request, "facts.view_factbatch")
    return render(
        request, "facts/batch_list.html", {"page_obj": paginate(request, batch_list(user=request.user))}
    )


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "facts.view_factbatch")
    batch = batch_get(user=request.user, pk=pk)
    return render(
        request,
        "facts/batch_detail.html",
        {"batch": batch, "page_obj": paginate(request, batch_facts(user=request.user, batch=batch))},
    )


@login_required
@require_GET
def fact_export(request: HttpRequest) -> HttpResponse:
    """The list as filtered on the page, for one period (the filter's), in the import layout."""
    _require(request, "facts.view_fact")
    facts = _fact_filter(request)
    period: Period | None = (
        facts.form.cleaned_data.get("period") if facts.is_bound and facts.is_valid() else None
    )
    if period is None:
        messages.warning(request, _("Choose a period to export: a file holds the facts of one period."))
        return redirect("facts:fact_list")
    kind = facts.form.cleaned_data.get("subject_kind") or SubjectKind.UNIT
    content = exports.facts_export(
        user=request.user, period=period, subject_kind=kind, queryset=_filtered(facts)
    )
    label = _("indicator-data")
    filename = f"{label}-{period.code}-{'units' if kind == SubjectKind.UNIT else 'people'}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


# --- Import: upload (dry run by default), see what would change or the errors by row, then confirm ------


def _staging_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "facts_staging"


def _stage(data: bytes) -> str:
    """Keep an uploaded file for its confirmation, named by its SHA-256 (so the same file is kept once)."""
    digest = hashlib.sha256(data).hexdigest()
    directory = _staging_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{digest}.xlsx").write_bytes(data)
    return digest


@login_required
def fact_import(request: HttpRequest) -> HttpResponse:
    _require(request, "facts.import_facts")
    form = style_form(FactImportForm(request.POST or None, request.FILES or None))
    result = None
    rejected: ApplicationError | None = None
    pending: dict[str, Any] | None = None
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        period = form.cleaned_data["period"]
        dry_run = form.cleaned_data["dry_run"]
        note = form.cleaned_data["note"]
        try:
            result = imports.facts_import(
                actor=request.user, file=_Named(data, upload.name), period=period, dry_run=dry_run, note=note
            )
        except ApplicationError as exc:
            if exc.code == "import_invalid":
                rejected = exc
            else:
                add_application_error(form, exc, {"period": "period"})
        else:
            if not dry_run:
                _done_message(request, result)
                return redirect(_done_url(result))
            if result.created or result.changed:
                pending = {
                    "sha256": _stage(data),
                    "file_name": Path(upload.name).name,
                    "period": result.period,
                    "note": note,
                }
                request.session[SESSION_KEY] = pending
    return render(
        request,
        "facts/import.html",
        {"form": form, "result": result, "rejected": rejected, "pending": pending},
    )


class _Named:
    """An uploaded file's bytes with its name, read once more by the import."""

    def __init__(self, data: bytes, name: str) -> None:
        self.data, self.name = data, name

    def read(self) -> bytes:
        return self.data


def _confirm(request: HttpRequest) -> HttpResponse:
    """Import the file of the dry run just shown (kept on the server, named by its SHA-256); checked
    again in full, so a change in between (another import, a published period) is caught."""
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("sha256") != request.POST.get("confirm"):
        messages.error(request, _("There is no checked file to import; upload it again."))
        return redirect("facts:fact_import")
    path = _staging_dir() / f"{pending['sha256']}.xlsx"
    if not path.is_file():
        messages.error(request, _("There is no checked file to import; upload it again."))
        return redirect("facts:fact_import")
    try:
        result = imports.facts_import(
            actor=request.user,
            file=_Named(path.read_bytes(), pending["file_name"]),
            period=pending["period"],
            note=pending.get("note", ""),
        )
    except ApplicationError as exc:
        form = style_form(FactImportForm())
        if exc.code != "import_invalid":
            add_application_error(form, exc)
        return render(
            request,
            "facts/import.html",
            {"form": form, "result": None, "rejected": exc if exc.code == "import_invalid" else None},
        )
    del request.session[SESSION_KEY]
    _done_message(request, result)
    return redirect(_done_url(result))


def _done_message(request: HttpRequest, result: imports.ImportResult) -> None:
    if result.batch_id is None:
        messages.info(
            request,
            _("Nothing changed: all %(unchanged)d values were already recorded. No batch was created.")
            % {"unchanged": result.unchanged},
        )
    else:
        messages.success(
            request,
            _("Import done: %(created)d new, %(changed)d changed, %(unchanged)d unchanged values.")
            % {"created": result.created, "changed": result.changed, "unchanged": result.unchanged},
        )
    for warning in result.warnings:
        messages.warning(request, warning)


def _done_url(result: imports.ImportResult) -> str:
    if result.batch_id is not None:
        return reverse("facts:batch_detail", kwargs={"pk": result.batch_id})
    return f"{reverse('facts:fact_list')}?period={result.period}"
