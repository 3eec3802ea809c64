"""Pages of the reports domain: the service office's KPI dashboard (tiles, trend, ranking, map), a KPI's
outlets (drill-down from a tile), an outlet's tellers (drill-down to the person), the Excel export of
every tile and chart, the targets page, and the queue and diversion uploads.

Login, the role's right and the user's subtree only: every figure comes from youfu.reports.selectors
(a unit or outlet outside the subtree is a 404)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from youfu.accounts.access import visible_units
from youfu.core.errors import ApplicationError
from youfu.reports import exports, selectors
from youfu.reports.choices import Kpi
from youfu.reports.forms import ScopeForm, TargetForm, UploadForm
from youfu.reports.services import (
    diversion_import_file,
    diversion_template,
    queue_ingest_file,
    target_clear,
    target_set,
)
from youfu.web.pages import add_application_error, style_form

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RAG_COLOURS = {"green": "#198754", "amber": "#fd7e14", "red": "#dc3545", None: "#adb5bd"}


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _scope(request: HttpRequest) -> dict[str, Any]:
    form = ScopeForm(request.GET, today=timezone.localdate())
    style_form(form, small=True)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    unit = selectors.scope_unit(user=request.user, code=data["unit"])
    return {"form": form, "unit": unit, "start": data["start"], "end": data["end"], "period": data["period"]}


def _number(value: Decimal | None) -> float | None:
    # For the charts only (ECharts draws JS numbers); tables and exports keep the Decimal.
    return None if value is None else float(value)


def _chart_data(board: selectors.Board, points: list[selectors.TrendPoint]) -> dict[str, Any]:
    return {
        "kpis": [{"key": k, "label": str(label)} for k, label in Kpi.choices],
        "months": [p.month for p in points],
        "trend": {k: [_number(p.values[k].value) for p in points] for k in Kpi.values},
        "targets": {t.kpi: _number(t.target.target) for t in board.tiles},
        "ranking": [
            {"code": r.unit.code, "name": r.unit.name, "score": _number(r.score)} for r in board.ranking
        ],
        "map": [
            {
                "name": r.unit.name,
                "code": r.unit.code,
                "value": [_number(r.longitude), _number(r.latitude), _number(r.score)],
                "url": reverse("reports:outlet", kwargs={"pk": r.unit.pk}),
            }
            for r in board.located
        ],
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(request, "reports.view_dashboard")
    scope = _scope(request)
    board = selectors.board(user=request.user, unit=scope["unit"], start=scope["start"], end=scope["end"])
    points = selectors.trend(user=request.user, unit=scope["unit"], end=scope["end"])
    return render(
        request,
        "reports/dashboard.html",
        scope
        | {
            "board": board,
            "points": points,
            "chart": _chart_data(board, points),
            "silent": [t for t in board.tiles if t.target.is_default and not t.target.seed],
        },
    )


@login_required
@require_GET
def kpi_detail(request: HttpRequest, kpi: str) -> HttpResponse:
    _require(request, "reports.view_dashboard")
    if kpi not in Kpi.values:
        raise Http404
    scope = _scope(request)
    board = selectors.board(user=request.user, unit=scope["unit"], start=scope["start"], end=scope["end"])
    header, rows = exports.kpi_table(board, kpi)
    return render(
        request,
        "reports/kpi.html",
        scope
        | {
            "board": board,
            "tile": board.tile(kpi),
            "kpi": kpi,
            "lines": [(r, r.values[kpi]) for r in board.outlets],
            "header": header,
            "rows": rows,
        },
    )


@login_required
@require_GET
def outlet(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "reports.view_dashboard")
    unit = selectors.outlet_get(user=request.user, pk=pk)
    scope = _scope(request)
    board = selectors.board(user=request.user, unit=unit, start=scope["start"], end=scope["end"])
    people = selectors.tellers(user=request.user, outlet=unit, start=scope["start"], end=scope["end"])
    return render(request, "reports/outlet.html", scope | {"outlet": unit, "board": board, "people": people})


EXPORTS = ("tiles", "trend", "ranking", "map", "tellers", *tuple(f"kpi-{k}" for k in Kpi.values))


@login_required
@require_GET
def export(request: HttpRequest, what: str) -> HttpResponse:
    _require(request, "reports.view_dashboard")
    if what not in EXPORTS:
        raise Http404
    scope = _scope(request)
    unit, start, end = scope["unit"], scope["start"], scope["end"]
    label = unit.name if unit is not None else _("Bank")
    if what == "trend":
        header, rows = exports.trend_table(selectors.trend(user=request.user, unit=unit, end=end))
        title = _("KPI trend, 12 months to %(end)s, %(unit)s")
    elif what == "tellers":
        if unit is None or unit.kind != "outlet":
            raise Http404
        header, rows = exports.tellers_table(
            selectors.tellers(user=request.user, outlet=unit, start=start, end=end)
        )
        title = _("Tellers of %(unit)s, %(start)s – %(end)s")
    else:
        board = selectors.board(user=request.user, unit=unit, start=start, end=end)
        if what == "tiles":
            header, rows = exports.tiles_table(board)
            title = _("Service KPIs of %(unit)s, %(start)s – %(end)s")
        elif what == "ranking":
            header, rows = exports.ranking_table(board.ranking)
            title = _("Outlet ranking of %(unit)s, %(start)s – %(end)s")
        elif what == "map":
            header, rows = exports.map_table(board)
            title = _("Outlets by score of %(unit)s, %(start)s – %(end)s")
        else:
            kpi = what.removeprefix("kpi-")
            header, rows = exports.kpi_table(board, kpi)
            title = str(Kpi(kpi).label).replace("%", "%%") + " · %(unit)s, %(start)s – %(end)s"
    title = title % {"unit": label, "start": start, "end": end}
    content = exports.workbook(title, header, rows)
    response = HttpResponse(content, content_type=XLSX)
    filename = f"kpi-{what}-{unit.code if unit else 'bank'}-{start}-{end}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    _require(request, "reports.view_dashboard")
    code = (request.GET.get("unit") or request.POST.get("unit") or "").strip()
    unit = selectors.scope_unit(user=request.user, code=code)
    if unit is None:
        raise Http404
    may_change = request.user.has_perm("reports.change_kpitarget")
    form = style_form(TargetForm(request.POST or None), small=True)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        try:
            if request.POST.get("clear"):
                target_clear(actor=request.user, unit=unit, kpi=request.POST.get("kpi", ""))
                messages.success(request, _("The unit now inherits this target."))
                return redirect(f"{reverse('reports:targets')}?unit={unit.code}")
            if form.is_valid():
                data = form.cleaned_data
                target_set(
                    actor=request.user,
                    unit=unit,
                    kpi=data["kpi"],
                    target=data["target"],
                    amber_band=data["amber_band"],
                    note=data["note"],
                )
                messages.success(request, _("Target saved."))
                return redirect(f"{reverse('reports:targets')}?unit={unit.code}")
        except ApplicationError as exc:
            add_application_error(form, exc)
    in_force = selectors.targets_for(unit)
    return render(
        request,
        "reports/targets.html",
        {
            "unit": unit,
            "form": form,
            "may_change": may_change,
            "rows": [(Kpi(k).label, t) for k, t in in_force.items()],
            "children": visible_units(request.user).filter(path__startswith=unit.path, depth=unit.depth + 1),
        },
    )


def _upload(request: HttpRequest, perm: str, kind: str) -> HttpResponse:
    _require(request, perm)
    form = style_form(UploadForm(request.POST or None, request.FILES or None))
    rejected: ApplicationError | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        temporary = getattr(upload, "temporary_file_path", None)
        data = Path(temporary()) if temporary else upload.read()
        try:
            if kind == "queue":
                result = queue_ingest_file(actor=request.user, file=data, file_name=upload.name)
                loaded = result.batch.row_count
            else:
                diversion = diversion_import_file(actor=request.user, file=data, file_name=upload.name)
                created, loaded = diversion.created, diversion.batch.changed_count
        except ApplicationError as exc:
            if exc.details and (
                len(exc.details) > 1 or exc.details[0].row is not None or exc.code != "invalid"
            ):
                rejected = exc
            else:
                add_application_error(form, exc)
        else:
            created = result.created if kind == "queue" else created
            if created:
                messages.success(request, _("Loaded %(n)s rows.") % {"n": f"{loaded:,}"})
            else:
                messages.info(request, _("This file was loaded before: nothing was loaded again."))
            return redirect("reports:dashboard")
    return render(
        request,
        "reports/upload.html",
        {
            "form": form,
            "kind": kind,
            "rejected": rejected,
            "report": [
                {"row": d.row, "field": d.field, "message": d.message}
                for d in (rejected.details if rejected else [])
            ],
        },
    )


@login_required
def queue_upload(request: HttpRequest) -> HttpResponse:
    return _upload(request, "reports.add_queuebatch", "queue")


@login_required
def diversion_upload(request: HttpRequest) -> HttpResponse:
    return _upload(request, "reports.add_diversionbatch", "diversion")


@login_required
@require_GET
def diversion_template_view(request: HttpRequest) -> HttpResponse:
    _require(request, "reports.add_diversionbatch")
    response = HttpResponse(diversion_template(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="超柜分流模板.xlsx"
    )
    return response


def chart_json(data: dict[str, Any]) -> str:
    return json.dumps(data)
