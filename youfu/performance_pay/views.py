"""Pages of the pay pools: the list (and a new pool), a pool (imports, allocation table and chart,
warnings, the checker's findings, payroll sheet), a person's explanation.

Objects come through youfu.performance_pay.selectors (404 outside the user's reach; a person sees their
own line only); writes go through the services, whose refusals are shown with nothing changed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.performance_pay import payroll, selectors, services
from youfu.performance_pay.calculator import SHARES
from youfu.performance_pay.choices import ImportKind
from youfu.performance_pay.forms import ImportForm, PoolForm
from youfu.performance_pay.imports import columns_of, read_rows, template_workbook
from youfu.web.pages import add_application_error, style_form

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _errors(request: HttpRequest, exc: ApplicationError) -> None:
    if isinstance(exc, PermissionDeniedError):
        raise PermissionDenied(exc.message)
    messages.error(request, exc.message)
    for detail in exc.details[:50]:
        prefix = _("Row %(row)d: ") % {"row": detail.row} if detail.row else ""
        if detail.message != exc.message:
            messages.error(request, prefix + detail.message)


@login_required
def pool_list(request: HttpRequest) -> HttpResponse:
    if not (request.user.has_perm(selectors.VIEW) or request.user.has_perm(selectors.OWN)):
        raise PermissionDenied
    user: Any = request.user
    pools = list(selectors.pool_list(user=user))
    return render(
        request,
        "performance_pay/pool_list.html",
        {"pools": pools, "may_add": user.has_perm("performance_pay.add_pool")},
    )


@login_required
def pool_create(request: HttpRequest) -> HttpResponse:
    _require(request, "performance_pay.add_pool")
    user: Any = request.user
    form = style_form(PoolForm(request.POST or None, user=user))
    if request.method == "POST" and form.is_valid():
        try:
            pool = services.pool_create(actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            if isinstance(exc, PermissionDeniedError):
                raise PermissionDenied(exc.message) from None
            add_application_error(form, exc)
        else:
            messages.success(request, _("Pay pool created. Import the balances and salaries next."))
            return redirect("performance_pay:pool", pk=pool.pk)
    return render(request, "performance_pay/pool_form.html", {"form": form})


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ImportKind.values:
        raise Http404
    response = HttpResponse(template_workbook(kind), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="performance-pay-{kind}.xlsx"'
    return response


@login_required
def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    pool = selectors.pool_get(user=user, pk=pk)
    sheet = payroll.payroll_build(user=user, pool=pool)
    full = selectors.sees_all(user, pool)
    labels = payroll.share_labels()
    allocation = sheet.allocation if sheet else None
    shares = []
    if allocation is not None and full:
        shares = [{**s, "label": labels.get(s["rule"], s["rule"])} for s in allocation.shares]
    chart = (
        {
            "people": [r.name for r in sheet.rows],
            "series": [
                {"name": labels[rule], "data": [str(r.shares[rule]) for r in sheet.rows]}
                for rule, _w in SHARES
            ],
        }
        if sheet
        else None
    )
    inputs, salaries = selectors.input_count(pool=pool)
    context = {
        "pool": pool,
        "full": full,
        "sheet": sheet,
        "shares": shares,
        "labels": labels,
        "rules": [rule for rule, _w in SHARES],
        "chart": chart,
        "batches": selectors.batch_list(user=user, pool=pool)[:20],
        "inputs": inputs,
        "salaries": salaries,
        "stale": selectors.is_stale(pool=pool, allocation=allocation),
        "may_import": selectors.may_manage(user, pool, "performance_pay.import_pay_inputs"),
        "may_compute": selectors.may_manage(user, pool),
        "import_form": style_form(ImportForm()),
        "policy_warnings": pool.policy_version.warnings if full else [],
        "r5_errors": services.r5_errors() if full else [],
        "balance_columns": [c[0] for c in columns_of(ImportKind.BALANCES).values()],
        "salary_columns": [c[0] for c in columns_of(ImportKind.SALARIES).values()],
    }
    return render(request, "performance_pay/pool_detail.html", context)


@login_required
@require_POST
def pool_import(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    pool = selectors.pool_get(user=request.user, pk=pk)
    if kind not in ImportKind.values:
        raise Http404
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an Excel or CSV file."))
        return redirect("performance_pay:pool", pk=pool.pk)
    upload = form.cleaned_data["file"]
    content = upload.read()
    try:
        outcome = services.inputs_import(
            actor=request.user,
            pool=pool,
            kind=kind,
            rows=read_rows(content, kind, upload.name),
            file_name=upload.name,
            content=content,
            dry_run=form.cleaned_data["dry_run"],
        )
    except ApplicationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("%(rows)d rows read, %(changed)d changed%(dry)s.")
            % {
                "rows": outcome.rows,
                "changed": outcome.changed,
                "dry": _(" (check only)") if form.cleaned_data["dry_run"] else "",
            },
        )
    return redirect("performance_pay:pool", pk=pool.pk)


@login_required
@require_POST
def pool_compute(request: HttpRequest, pk: int) -> HttpResponse:
    pool = selectors.pool_get(user=request.user, pk=pk)
    try:
        allocation = services.pool_compute(actor=request.user, pool=pool)
    except ApplicationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Allocation version %(v)d computed.") % {"v": allocation.version})
    return redirect("performance_pay:pool", pk=pool.pk)


@login_required
def payroll_export(request: HttpRequest, pk: int) -> HttpResponse:
    pool = selectors.pool_get(user=request.user, pk=pk)
    sheet = payroll.payroll_build(user=request.user, pool=pool)
    if sheet is None:
        raise Http404
    response = HttpResponse(payroll.payroll_workbook(sheet), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="payroll-{pool.period.code}-{pool.unit.code}.xlsx"'
    )
    return response


@login_required
def line_detail(request: HttpRequest, pk: int, person: int) -> HttpResponse:
    user: Any = request.user
    pool = selectors.pool_get(user=user, pk=pk)
    line = selectors.line_get(user=user, pool=pool, person_pk=person)
    sheet = payroll.payroll_build(user=user, pool=pool)
    row = next((r for r in sheet.rows if r.person_id == line.person_id), None) if sheet else None
    labels = payroll.share_labels()
    shares = [{**s, "label": labels.get(s["rule"], s["rule"])} for s in line.explanation.get("shares", [])]
    return render(
        request,
        "performance_pay/line.html",
        {
            "pool": pool,
            "line": line,
            "row": row,
            "shares": shares,
            "sheet": sheet,
            "full": selectors.sees_all(user, pool),
        },
    )
