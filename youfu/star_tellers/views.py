"""Pages of the star-tellers domain: the month's star tellers (month, unit subtree, lowest level; each
line with its level, the inputs behind it, the money and the link to the engine's explanation), and the
compute / publish form of the service office.

Login only, the role's right, the user's subtree only (selectors); writes go through the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from youfu.core.errors import ApplicationError
from youfu.star_tellers.forms import ComputeForm, StarFilterForm
from youfu.star_tellers.selectors import default_period, star_list
from youfu.star_tellers.services import star_levels_compute, star_levels_publish
from youfu.web.pages import style_form


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@login_required
@require_GET
def star_list_page(request: HttpRequest) -> HttpResponse:
    _require(request, "star_tellers.view_starlevel")
    data = request.GET.copy()
    if not data.get("period"):
        period = default_period()
        if period is not None:
            data["period"] = period.code
    form = style_form(StarFilterForm(data, user=request.user), small=True)
    result = None
    if form.is_valid() and form.cleaned_data.get("period") is not None:
        result = star_list(
            user=request.user,
            period=form.cleaned_data["period"],
            within=form.cleaned_data.get("unit"),
            min_level=form.cleaned_data.get("min_level") or 0,
        )
    compute_form = None
    if request.user.has_perm("star_tellers.compute_starlevel"):
        compute_form = style_form(
            ComputeForm(initial={"period": result.period.code if result else None}), small=True
        )
    return render(
        request,
        "star_tellers/list.html",
        {"form": form, "result": result, "compute_form": compute_form},
    )


@login_required
@require_POST
def compute(request: HttpRequest) -> HttpResponse:
    _require(request, "star_tellers.compute_starlevel")
    form = ComputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a month."))
        return redirect("star_tellers:list")
    period = form.cleaned_data["period"]
    try:
        if request.POST.get("action") == "publish":
            star_levels_publish(actor=request.user, period=period)
            messages.success(
                request, _("%(period)s is published: its star levels are final.") % {"period": period.code}
            )
        else:
            run = star_levels_compute(actor=request.user, period=period)
            messages.success(
                request,
                _("Star levels of %(period)s computed: %(subjects)d tellers, %(entries)d ledger entries.")
                % {"period": period.code, "subjects": run.subjects, "entries": run.entries},
            )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(f"{_list_url()}?{urlencode({'period': period.code})}")


def _list_url() -> str:
    from django.urls import reverse

    return reverse("star_tellers:list")
