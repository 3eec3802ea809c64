"""Pages of the staff appraisal: my appraisal (plan, form, self-assessment, ballot, results, appeals),
the rater inbox, the cycles and the panel board with the grade distribution, a result's explanation,
appeals and a person's history.

Objects come through youfu.appraisal.selectors (404 outside the user's reach); writes go through the
services, whose refusals (ApplicationError) are shown on the page with nothing changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from youfu.appraisal import selectors, services
from youfu.appraisal.choices import AppealStatus, CycleStatus, FormStatus, ItemKind, ItemStatus, RaterKind
from youfu.appraisal.forms import AppealForm, CycleForm, DecisionForm, ImportForm, ScoreForm, SelfReviewForm
from youfu.appraisal.imports import read_rows
from youfu.appraisal.models import Cycle, MonthlyForm
from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.web.pages import add_application_error, paginate, style_form

# Empty plan slots offered on the page: 5 routine, 5 phase, and a few of the open-ended kinds.
PLAN_SLOTS = [(ItemKind.ROUTINE, 5), (ItemKind.PHASE, 5), (ItemKind.OTHER, 3), (ItemKind.SUGGESTION, 2)]


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _error(request: HttpRequest, exc: ApplicationError) -> None:
    if isinstance(exc, PermissionDeniedError):
        raise PermissionDenied(exc.message)
    for detail in exc.details:
        prefix = _("Row %(row)d: ") % {"row": detail.row} if detail.row else ""
        messages.error(request, prefix + detail.message)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _require(request, "appraisal.view_monthlyform")
    user: Any = request.user
    cycles = list(selectors.cycle_list(user=user))
    mine = []
    for cycle in cycles:
        review = selectors.my_review(user=user, cycle=cycle)
        if review is None:
            continue
        forms = list(selectors.my_forms(user=user).filter(cycle=cycle).order_by("month__start"))
        mine.append(
            {
                "cycle": cycle,
                "review": review,
                "forms": [(f, services.plan_due(f.month), services.form_due(f.month)) for f in forms],
                "voted": selectors.has_voted(user=user, cycle=cycle),
                "results": list(
                    selectors.result_list(user=user, cycle=cycle).filter(person_id=user.person_id)
                ),
            }
        )
    context = {
        "mine": mine,
        "inbox_count": len(selectors.inbox(user=user)),
        "oversees": selectors.oversees(user),
        "cycles": cycles,
    }
    return render(request, "appraisal/home.html", context)


@login_required
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    form = selectors.form_get(user=user, pk=pk)
    own = user.person_id == form.person_id
    open_cycle = form.cycle.status == CycleStatus.OPEN
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("plan_save", "plan_submit"):
                lines = [
                    services.PlanLine(kind=kind, title=request.POST.get(f"{kind}_{i}", ""))
                    for kind, n in PLAN_SLOTS
                    for i in range(n)
                    if request.POST.get(f"{kind}_{i}", "").strip()
                ]
                services.form_plan_save(actor=user, form=form, lines=lines, submit=action == "plan_submit")
                messages.success(
                    request, _("Plan submitted.") if action == "plan_submit" else _("Plan saved.")
                )
            elif action in ("fill_save", "fill_submit"):
                progress = [
                    services.ItemProgress(
                        item_id=item.pk,
                        status=request.POST.get(f"status_{item.pk}", ""),
                        reason=request.POST.get(f"reason_{item.pk}", ""),
                    )
                    for item in form.items.all()
                ]
                services.form_fill(
                    actor=user,
                    form=form,
                    progress=progress,
                    self_score=request.POST.get("self_score", ""),
                    summary=request.POST.get("summary", ""),
                    submit=action == "fill_submit",
                )
                messages.success(
                    request, _("Form submitted.") if action == "fill_submit" else _("Form saved.")
                )
            elif action == "rate":
                services.rating_give(
                    actor=user,
                    form=form,
                    kind=request.POST.get("kind", ""),
                    score=request.POST.get("score", ""),
                    adopted_item_ids=[int(v) for v in request.POST.getlist("adopted") if v.isdigit()]
                    if request.POST.get("kind") == RaterKind.SUPERVISOR
                    else None,
                )
                messages.success(request, _("Rating saved."))
            else:
                raise ApplicationError(_("Unknown action."))
        except ApplicationError as exc:
            _error(request, exc)
        else:
            return redirect("appraisal:form", pk=form.pk)
    items = list(form.items.all())
    ratings = selectors.form_ratings(form=form)
    slots = []
    by_kind: dict[str, list[str]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item.title)
    for kind, n in PLAN_SLOTS:
        titles = by_kind.get(kind, [])
        for i in range(n):
            slots.append(
                {
                    "kind": kind,
                    "label": ItemKind(kind).label,
                    "name": f"{kind}_{i}",
                    "value": titles[i] if i < len(titles) else "",
                }
            )
    context = {
        "form": form,
        "items": items,
        "ratings": [(kind, label, ratings.get(kind)) for kind, label in RaterKind.choices],
        "may_plan": own and open_cycle and form.status == FormStatus.DRAFT,
        "may_fill": own and open_cycle and form.status == FormStatus.PLAN_SUBMITTED,
        "rate_kinds": [(k, RaterKind(k).label) for k in services.rater_kinds(user, form)]
        if open_cycle and form.status == FormStatus.SUBMITTED
        else [],
        "slots": slots,
        "statuses": ItemStatus.choices,
        "plan_due": services.plan_due(form.month),
        "form_opens": services.form_opens(form.month),
        "form_due": services.form_due(form.month),
        "self_rating": ratings.get(RaterKind.SELF),
    }
    return render(request, "appraisal/form.html", context)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    _require(request, "appraisal.view_monthlyform")
    rows = selectors.inbox(user=request.user)
    return render(
        request,
        "appraisal/inbox.html",
        {"rows": [(f, [RaterKind(k).label for k in owed]) for f, owed in rows]},
    )


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    _require(request, "appraisal.view_cycle")
    page = paginate(request, selectors.cycle_list(user=request.user))
    return render(request, "appraisal/cycle_list.html", {"page_obj": page})


@login_required
def cycle_create(request: HttpRequest) -> HttpResponse:
    _require(request, "appraisal.add_cycle")
    form = style_form(CycleForm(request.POST or None, user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return redirect("appraisal:cycle", pk=cycle.pk)
    return render(request, "appraisal/cycle_form.html", {"form": form})


def _board(request: HttpRequest, cycle: Cycle) -> dict[str, Any]:
    user: Any = request.user
    appraisal = services.policy_of(cycle)
    labels = appraisal.labels
    results = {r.person_id: r for r in selectors.result_list(user=user, cycle=cycle)}
    reviews = list(
        selectors.review_list(user=user, cycle=cycle).order_by("unit__path", "person__employee_no")
    )
    forms = selectors.form_list(user=user, cycle=cycle).prefetch_related("ratings")
    progress: dict[int, list[MonthlyForm]] = {}
    for f in forms:
        progress.setdefault(f.person_id, []).append(f)
    rows = [
        {
            "review": r,
            "result": results.get(r.person_id),
            "forms": sorted(progress.get(r.person_id, []), key=lambda f: f.month.start),
        }
        for r in reviews
    ]
    silent = appraisal.silent_cases
    return {
        "cycle": cycle,
        "rows": rows,
        "distribution": selectors.distribution(user=user, cycle=cycle, labels=labels),
        "silent": silent,
        "bands": appraisal.band_text(),
        "weights": appraisal.weights,
        "warnings": cycle.policy_version.warnings,
        "ballots": selectors.ballot_count(cycle=cycle),
        "may_close": cycle.status == CycleStatus.OPEN and user.has_perm("appraisal.close_cycle"),
        "may_import": cycle.status == CycleStatus.OPEN and user.has_perm("appraisal.import_adjustments"),
        "may_panel": cycle.status == CycleStatus.OPEN and user.has_perm("appraisal.rate_panel"),
        "import_form": style_form(ImportForm()),
        "deadline": services.appeal_deadline(cycle),
    }


@login_required
def cycle_board(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    if not selectors.oversees(request.user):
        return redirect("appraisal:home")
    return render(request, "appraisal/board.html", _board(request, cycle))


@login_required
@require_POST
def cycle_close(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    try:
        missing = services.cycle_close(actor=request.user, cycle=cycle)
    except ApplicationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The cycle is closed and its results computed."))
        for m in missing:
            messages.warning(
                request,
                _("%(name)s has no result: %(what)s") % {"name": m.person.name, "what": "; ".join(m.what)},
            )
    return redirect("appraisal:cycle", pk=cycle.pk)


@login_required
@require_POST
def cycle_import(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an Excel file."))
        return redirect("appraisal:cycle", pk=cycle.pk)
    upload = form.cleaned_data["file"]
    content = upload.read()
    try:
        outcome = services.adjustments_import(
            actor=request.user,
            cycle=cycle,
            rows=read_rows(content),
            file_name=upload.name,
            content=content,
            dry_run=form.cleaned_data["dry_run"],
        )
    except ApplicationError as exc:
        _error(request, exc)
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
    return redirect("appraisal:cycle", pk=cycle.pk)


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    review = selectors.review_get(user=user, pk=pk)
    own = user.person_id == review.person_id
    open_cycle = review.cycle.status == CycleStatus.OPEN
    self_form = style_form(
        SelfReviewForm(
            request.POST if request.POST.get("action") == "self" else None,
            initial={"score": review.self_score, "summary": review.self_summary},
        )
    )
    panel_form = style_form(
        ScoreForm(
            request.POST if request.POST.get("action") == "panel" else None,
            initial={"score": review.panel_score},
        )
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "self" and self_form.is_valid():
                services.review_self(actor=user, review=review, **self_form.cleaned_data)
                return redirect("appraisal:review", pk=review.pk)
            if request.POST.get("action") == "panel" and panel_form.is_valid():
                services.review_panel(actor=user, review=review, score=panel_form.cleaned_data["score"])
                return redirect("appraisal:review", pk=review.pk)
        except ApplicationError as exc:
            _error(request, exc)
    count, mean = selectors.peer_summary(cycle=review.cycle, person=review.person)
    context = {
        "review": review,
        "self_form": self_form if own and open_cycle else None,
        "panel_form": panel_form
        if open_cycle and user.has_perm("appraisal.rate_panel") and not own
        else None,
        "peer_count": count,
        "peer_mean": mean,
        "min_peers": services.MIN_PEER_BALLOTS,
    }
    return render(request, "appraisal/review.html", context)


@login_required
def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    cycle = selectors.cycle_get(user=user, pk=pk)
    if getattr(user, "person", None) is None or selectors.my_review(user=user, cycle=cycle) is None:
        raise PermissionDenied
    colleagues = services.ballot_colleagues(cycle=cycle, person=user.person)
    if request.method == "POST":
        scores = {
            p.pk: request.POST.get(f"peer_{p.pk}", "")
            for p in colleagues
            if request.POST.get(f"peer_{p.pk}", "").strip()
        }
        try:
            services.peer_ballot_cast(actor=user, cycle=cycle, scores=scores)
        except ApplicationError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Your ballot is in the box. Nobody can see what you gave whom."))
            return redirect("appraisal:home")
    context = {"cycle": cycle, "colleagues": colleagues, "voted": selectors.has_voted(user=user, cycle=cycle)}
    return render(request, "appraisal/ballot.html", context)


@login_required
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    result = selectors.result_get(user=user, pk=pk)
    appeal_form = style_form(AppealForm(request.POST or None))
    deadline = services.appeal_deadline(result.cycle)
    if request.method == "POST" and appeal_form.is_valid():
        try:
            appeal = services.appeal_raise(
                actor=user, result=result, reason=appeal_form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            add_application_error(appeal_form, exc)
        else:
            return redirect("appraisal:appeal", pk=appeal.pk)
    may_appeal = (
        user.person_id == result.person_id
        and result.is_current
        and deadline is not None
        and timezone.localdate() <= deadline
        and not result.appeals.filter(status=AppealStatus.PENDING).exists()
    )
    context = {
        "result": result,
        "x": result.explanation,
        "versions": selectors.result_versions(user=user, result=result),
        "appeals": result.appeals.all(),
        "appeal_form": appeal_form if may_appeal else None,
        "deadline": deadline,
        "silent": result.bonus_silent,
    }
    return render(request, "appraisal/result.html", context)


@login_required
def appeal_list(request: HttpRequest) -> HttpResponse:
    _require(request, "appraisal.view_monthlyform")
    status = request.GET.get("status", "")
    page = paginate(request, selectors.appeal_list(user=request.user, status=status))
    return render(
        request,
        "appraisal/appeal_list.html",
        {"page_obj": page, "status": status, "statuses": AppealStatus.choices},
    )


@login_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    appeal = selectors.appeal_get(user=user, pk=pk)
    may_decide = (
        appeal.status == AppealStatus.PENDING
        and user.has_perm("appraisal.decide_appeal")
        and user.person_id != appeal.person_id
    )
    form = style_form(DecisionForm(request.POST or None))
    if request.method == "POST" and may_decide and form.is_valid():
        try:
            services.appeal_decide(actor=user, appeal=appeal, **form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return redirect("appraisal:appeal", pk=appeal.pk)
    return render(
        request, "appraisal/appeal_detail.html", {"appeal": appeal, "form": form if may_decide else None}
    )


@login_required
def person_history(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    person = selectors.person_get(user=user, pk=pk)
    results = list(selectors.person_history(user=user, person=person))
    return render(request, "appraisal/person.html", {"person": person, "results": results})
