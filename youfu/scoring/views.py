"""Pages of scoring: runs, the ranking of a run (with charts and Excel), a line's explanation, the
what-if diff, publishing, and the policy versions with their upload.

Every page is login-only and needs the role's right. Runs and policy versions are bank-wide; the
lines, totals, charts and diffs on every page are the user's subtree only (youfu.scoring.selectors).
Writes go through youfu.scoring.services: a refused write (ApplicationError) shows on the form and
nothing is changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from youfu.accounts.access import WHOLE_BANK, scope_path
from youfu.accounts.roles import BANK_LEVEL_UNIT_KINDS
from youfu.core.errors import ApplicationError
from youfu.org.models import Unit
from youfu.scoring import exports, selectors, services
from youfu.scoring.choices import PolicyStatus, RunKind, RunStatus
from youfu.scoring.forms import PolicyUploadForm, RunFilterForm, ScorePeriodForm, WhatIfForm
from youfu.scoring.models import ScoreLine, ScoreRun
from youfu.web.pages import Sorting, add_application_error, paginate, style_form

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RANKING_PAGE = 100
SORT_KEYS = ("rank", "rank_value", "points", "amount", "unit", "name")


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _may_manage(request: HttpRequest, perm: str) -> bool:
    """Whether to offer a write: the role's right and a bank-level unit (the services check again)."""
    if not request.user.has_perm(perm):
        return False
    if scope_path(request.user) == WHOLE_BANK:
        return True
    kind = (
        Unit.objects.filter(pk=getattr(request.user, "unit_id", None)).values_list("kind", flat=True).first()
    )
    return kind in BANK_LEVEL_UNIT_KINDS


# --- Runs ------------------------------------------------------------------------------------------


def _score_forms(
    request: HttpRequest, data: Any = None, which: str = ""
) -> tuple[ScorePeriodForm, WhatIfForm]:
    versions = selectors.policy_version_list(user=request.user)
    score = ScorePeriodForm(
        data if which == "score" else None,
        versions=versions.filter(status=PolicyStatus.ACTIVE),
        prefix="score",
    )
    what_if = WhatIfForm(
        data if which == "what_if" else None,
        versions=versions.filter(status__in=[PolicyStatus.DRAFT, PolicyStatus.ACTIVE]),
        baselines=selectors.baseline_runs(user=request.user),
        prefix="whatif",
    )
    return style_form(score), style_form(what_if)


def _run_list(request: HttpRequest, forms: tuple[ScorePeriodForm, WhatIfForm] | None = None) -> HttpResponse:
    _require(request, "scoring.view_scorerun")
    filters = style_form(
        RunFilterForm(request.GET or None, policies=selectors.policy_ids(user=request.user)), small=True
    )
    runs = selectors.run_list(user=request.user)
    if filters.is_bound:
        if filters.is_valid():
            data = filters.cleaned_data
            runs = selectors.run_list(
                user=request.user,
                policy=data["policy"] or None,
                period=data["period"],
                kind=data["kind"] or None,
                status=data["status"] or None,
            )
        else:
            runs = runs.none()
    page = paginate(request, runs)
    totals = {run.pk: selectors.run_totals(user=request.user, run=run) for run in page.object_list}
    score_form, what_if_form = forms or _score_forms(request)
    return render(
        request,
        "scoring/run_list.html",
        {
            "filter_form": filters,
            "page_obj": page,
            "totals": totals,
            "score_form": score_form,
            "what_if_form": what_if_form,
            "may_score": _may_manage(request, "scoring.add_scorerun"),
        },
    )


@login_required
@require_GET
def run_list_page(request: HttpRequest) -> HttpResponse:
    return _run_list(request)


@login_required
@require_POST
def run_score(request: HttpRequest) -> HttpResponse:
    """Score a period with a version in force: an official run, posted to the ledger."""
    _require(request, "scoring.add_scorerun")
    forms = _score_forms(request, request.POST, "score")
    form = forms[0]
    if form.is_valid():
        try:
            run = services.score_period(
                author=request.user, version=form.cleaned_data["version"], period=form.cleaned_data["period"]
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(
                request,
                _("%(period)s scored: %(subjects)d subjects, %(entries)d ledger entries.")
                % {"period": run.period.name, "subjects": run.subjects, "entries": run.entries},
            )
            return redirect("scoring:run_detail", pk=run.pk)
    return _run_list(request, forms)


@login_required
@require_POST
def run_what_if(request: HttpRequest) -> HttpResponse:
    """Run a version (usually a draft) over a period without posting anything, and show the diff."""
    _require(request, "scoring.add_scorerun")
    forms = _score_forms(request, request.POST, "what_if")
    form = forms[1]
    if form.is_valid():
        data = form.cleaned_data
        try:
            run = services.score_period(
                author=request.user, version=data["version"], period=data["period"], what_if=True
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("What-if run done: nothing was posted to the ledger."))
            return redirect(f"{reverse('scoring:run_diff', args=[run.pk])}?baseline={data['baseline'].pk}")
    return _run_list(request, forms)


def _chosen_subject(
    request: HttpRequest, subjects: list[selectors.SubjectInfo]
) -> selectors.SubjectInfo | None:
    wanted = request.GET.get("subject")
    return next((s for s in subjects if s.id == wanted), subjects[0] if subjects else None)


def _ranking_args(request: HttpRequest, run: ScoreRun) -> dict[str, Any]:
    policy = selectors.run_policy(run)
    subjects = selectors.run_subjects(user=request.user, run=run, policy=policy)
    subject = _chosen_subject(request, subjects)
    scopes = selectors.run_scopes(run=run, policy=policy)
    scope = next((s for s in scopes if s.id == request.GET.get("scope")), None)
    sort = request.GET.get("sort") or "rank"
    if sort.removeprefix("-") not in SORT_KEYS:
        sort = "rank"
    return {
        "policy": policy,
        "subjects": subjects,
        "subject": subject,
        "scopes": scopes,
        "scope": scope,
        "scope_unit": request.GET.get("unit") or None if scope else None,
        "sort": sort,
        "sorting": Sorting(key=sort, field=sort.removeprefix("-"), descending=sort.startswith("-")),
    }


@login_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking of a run: subject tabs, a scope selector, the sortable table and the charts."""
    _require(request, "scoring.view_scorerun")
    run = selectors.run_get(user=request.user, pk=pk)
    args = _ranking_args(request, run)
    subject, scope = args["subject"], args["scope"]
    context: dict[str, Any] = {**args, "run": run}
    if subject is not None:
        lines = selectors.ranking(
            user=request.user,
            run=run,
            subject=subject.id,
            scope=scope.id if scope else None,
            scope_unit=args["scope_unit"],
            order=args["sort"],
        )
        page = paginate(request, lines, RANKING_PAGE)
        distribution = selectors.distribution(
            user=request.user,
            run=run,
            subject=subject.id,
            scope=scope.id if scope else None,
            scope_unit=args["scope_unit"],
        )
        trend_line = _trend_line(request, run, lines)
        trend = (
            selectors.trend(
                user=request.user,
                policy=run.policy_version.policy,
                subject=subject.id,
                unit=trend_line.unit_id if trend_line.person_id is None else None,
                person=trend_line.person_id,
            )
            if trend_line is not None
            else []
        )
        context.update(
            {
                "page_obj": page,
                "totals": selectors.run_totals(user=request.user, run=run, subject=subject.id),
                "scope_units": selectors.scope_units(
                    user=request.user, run=run, subject=subject.id, scope=scope.id
                )
                if scope
                else [],
                "trend_line": trend_line,
                "chart_data": {
                    "ranked": {"labels": distribution.ranked.labels, "counts": distribution.ranked.counts},
                    "amount": {"labels": distribution.amount.labels, "counts": distribution.amount.counts},
                    "trend": {
                        "name": _line_name(trend_line) if trend_line is not None else "",
                        "periods": [p.period_code for p in trend],
                        "rank_value": [_num(p.rank_value) for p in trend],
                        "amount": [_num(p.total_amount) for p in trend],
                        "rank": [p.rank for p in trend],
                    },
                    "labels": {
                        "ranked": subject.ranked_by or _("Ranked by"),
                        "amount": _("Amount (yuan)"),
                        "subjects": _("Subjects"),
                        "rank": _("Rank"),
                    },
                },
            }
        )
    context["may_publish"] = (
        run.kind == RunKind.OFFICIAL
        and run.status == RunStatus.POSTED
        and _may_manage(request, "scoring.publish_scorerun")
    )
    context["baseline"] = _default_baseline(request, run) if run.kind == RunKind.WHAT_IF else None
    return render(request, "scoring/run_detail.html", context)


def _num(value: Any) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _line_name(line: ScoreLine) -> str:
    return line.person.name if line.person is not None else line.unit.name


def _trend_line(request: HttpRequest, run: ScoreRun, lines: Any) -> ScoreLine | None:
    """The line whose trend the chart shows: ?trend=<line id>, else the first of the ranking."""
    wanted = request.GET.get("trend")
    if wanted:
        try:
            return selectors.line_get(user=request.user, run=run, pk=wanted)
        except Http404:
            pass
    first: ScoreLine | None = lines.first()
    return first


@login_required
@require_GET
def run_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking as shown (subject, scope, sort), in Excel, the user's lines only."""
    _require(request, "scoring.view_scorerun")
    run = selectors.run_get(user=request.user, pk=pk)
    args = _ranking_args(request, run)
    subject = args["subject"]
    if subject is None:
        lines = ScoreLine.objects.none()
        name, ranked_by = "", ""
    else:
        lines = selectors.ranking(
            user=request.user,
            run=run,
            subject=subject.id,
            scope=args["scope"].id if args["scope"] else None,
            scope_unit=args["scope_unit"],
            order=args["sort"],
        )
        name, ranked_by = subject.name, subject.ranked_by
    content = exports.ranking_export(run=run, subject_name=name, ranked_by=ranked_by, lines=lines)
    response = HttpResponse(content, content_type=XLSX)
    filename = (
        f"{_('ranking')}-{run.policy_version.policy}-{run.period.code}-{subject.id if subject else ''}.xlsx"
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
@require_POST
def run_publish(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "scoring.publish_scorerun")
    run = selectors.run_get(user=request.user, pk=pk)
    try:
        services.score_run_publish(author=request.user, run=run)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(period)s is published for %(policy)s: its results are final.")
            % {"period": run.period.name, "policy": run.policy_version.name},
        )
    return redirect("scoring:run_detail", pk=run.pk)


@login_required
@require_GET
def line_detail(request: HttpRequest, run_pk: int, line_pk: int) -> HttpResponse:
    """Why a subject's numbers are what they are (the explanation, B2)."""
    _require(request, "scoring.view_scoreline")
    run = selectors.run_get(user=request.user, pk=run_pk)
    line = selectors.line_get(user=request.user, run=run, pk=line_pk)
    explanation = selectors.line_explain(user=request.user, line=line)
    return render(request, "scoring/line_detail.html", {"run": run, "line": line, "x": explanation})


def _default_baseline(request: HttpRequest, run: ScoreRun) -> ScoreRun | None:
    return (
        selectors.baseline_runs(user=request.user)
        .filter(policy_version__policy=run.policy_version.policy, period=run.period)
        .first()
    )


@login_required
@require_GET
def run_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """What-if: a run against an official run of the same period (?baseline=<id>)."""
    _require(request, "scoring.view_scorerun")
    run = selectors.run_get(user=request.user, pk=pk)
    baseline = None
    if request.GET.get("baseline"):
        baseline = selectors.run_get(user=request.user, pk=request.GET["baseline"])
    else:
        baseline = _default_baseline(request, run)
    if baseline is None or baseline.pk == run.pk:
        messages.warning(request, _("There is no official run of this period to compare with."))
        return redirect("scoring:run_detail", pk=run.pk)
    diff = selectors.what_if_diff(user=request.user, run=run, baseline=baseline)
    largest = [row for row in diff.rows if row.amount_delta][:20]
    chart = {
        "names": [row.person.name if row.person else row.unit.name for row in largest],
        "deltas": [_num(row.amount_delta) for row in largest],
        "label": _("Change of money (yuan)"),
    }
    return render(
        request,
        "scoring/run_diff.html",
        {
            "run": run,
            "baseline": baseline,
            "diff": diff,
            "page_obj": paginate(request, diff.rows, RANKING_PAGE),
            "chart_data": chart,
        },
    )


# --- Policy versions --------------------------------------------------------------------------------


@login_required
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    _require(request, "scoring.view_policyversion")
    versions = selectors.policy_version_list(user=request.user)
    return render(
        request,
        "scoring/policy_list.html",
        {
            "page_obj": paginate(request, versions),
            "may_upload": _may_manage(request, "scoring.add_policyversion"),
        },
    )


@login_required
@require_GET
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "scoring.view_policyversion")
    version = selectors.policy_version_get(user=request.user, pk=pk)
    runs = selectors.run_list(user=request.user).filter(policy_version=version)[:20]
    summary = selectors.policy_summary(version=version)
    return render(
        request, "scoring/policy_detail.html", {"version": version, "runs": runs, "summary": summary}
    )


@login_required
def policy_upload(request: HttpRequest) -> HttpResponse:
    """Upload a policy file; the checker's errors (with line numbers) show on the form, nothing stored."""
    _require(request, "scoring.add_policyversion")
    form = style_form(PolicyUploadForm(request.POST or None, request.FILES or None))
    rejected: ApplicationError | None = None
    if request.method == "POST" and form.is_valid():
        file_name, text = form.cleaned_data["file"]
        try:
            version = services.policy_version_upload(
                author=request.user, text=text, file_name=file_name, status=form.cleaned_data["status"]
            )
        except ApplicationError as exc:
            if exc.code == "policy_invalid":
                rejected = exc  # the checker's findings, listed line by line above the form
                form.add_error("file", exc.message)
            else:
                add_application_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s version %(version)d is stored (%(status)s).")
                % {"name": version.name, "version": version.version, "status": version.get_status_display()},
            )
            if version.warnings:
                messages.warning(
                    request,
                    _("The checker has %(count)d warning(s): see the open questions below.")
                    % {"count": len(version.warnings)},
                )
            return redirect("scoring:policy_detail", pk=version.pk)
    return render(request, "scoring/policy_upload.html", {"form": form, "rejected": rejected})
