"""Pages of the org domain: the tree, units, people, moves, periods, Excel import and export.

Every page is login-only and sees the user's subtree only: objects are fetched through the selectors,
which answer 404 for anything outside it. Writes go through youfu.org.services; a refused write
(ApplicationError) is shown on the form and nothing is changed.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from youfu.core.errors import ApplicationError
from youfu.org import exports, imports, services
from youfu.org.filters import PeriodFilter, PersonFilter, UnitFilter
from youfu.org.forms import (
    PeriodForm,
    PeriodYearForm,
    PersonEditForm,
    PersonForm,
    PersonMoveForm,
    UnitEditForm,
    UnitForm,
)
from youfu.org.models import Period, Person, Unit
from youfu.org.selectors import (
    period_list,
    period_years,
    person_get,
    person_list,
    person_moves,
    unit_ancestors,
    unit_children,
    unit_get,
    unit_list,
    unit_roots,
    unit_subtree_people,
)
from youfu.web.pages import (
    add_application_error,
    filter_choices,
    paginate,
    sort_queryset,
    style_form,
    unit_code_input,
)

PEOPLE_SORTS = {
    "employee_no": "employee_no",
    "name": "name",
    "unit": ("unit__path", "employee_no"),
    "position": ("position", "employee_no"),
    "teller_grade": ("teller_grade", "employee_no"),
    "hire_date": ("hire_date", "employee_no"),
}
# The sort choices offered on phones, where the column headers are hidden.
PEOPLE_SORT_OPTIONS = (
    ("employee_no", gettext_lazy("Employee no.")),
    ("name", pgettext_lazy("person", "Name")),
    ("unit", gettext_lazy("Unit")),
    ("position", gettext_lazy("Position")),
    ("-teller_grade", gettext_lazy("Teller grade, highest first")),
    ("hire_date", gettext_lazy("Hire date, earliest first")),
    ("-hire_date", gettext_lazy("Hire date, latest first")),
)
UNIT_PAGE_PEOPLE = 25
SUGGESTIONS = 20


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _people_filter(request: HttpRequest, queryset: QuerySet[Person]) -> PersonFilter:
    people = PersonFilter(request.GET or None, queryset=queryset, request=request)
    style_form(people.form, small=True)
    filter_choices(people.form)
    unit_code_input(people.form, "unit", small=True)
    return people


def _filtered_people(people: PersonFilter) -> QuerySet[Person]:
    # An invalid filter (e.g. a unit code outside the subtree) shows its error and lists nobody,
    # rather than silently listing everyone.
    if people.is_bound and not people.is_valid():
        return people.queryset.none()
    return people.qs


# --- Units -----------------------------------------------------------------------------------------


def _result_paths(*, user: Any, units: list[Unit]) -> dict[int, list[Unit]]:
    """For search results: each unit's visible ancestors, with one query for the whole page."""
    steplen = Unit.steplen
    prefixes = {u.path[:end] for u in units for end in range(steplen, len(u.path), steplen)}
    by_path = {a.path: a for a in unit_list(user=user).filter(path__in=prefixes)}
    return {
        u.pk: [
            by_path[u.path[:end]] for end in range(steplen, len(u.path), steplen) if u.path[:end] in by_path
        ]
        for u in units
    }


@login_required
def unit_tree(request: HttpRequest) -> HttpResponse:
    units = UnitFilter(request.GET or None, queryset=unit_list(user=request.user), request=request)
    style_form(units.form, small=True)
    filter_choices(units.form)
    unit_code_input(units.form, "within", small=True)
    searching = units.is_bound and any(v not in (None, "") for v in request.GET.dict().values())
    context: dict[str, Any] = {"filter": units, "searching": searching}
    if searching:
        results = units.qs if units.is_valid() else unit_list(user=request.user).none()
        page = paginate(request, results)
        context["page_obj"] = page
        context["paths"] = _result_paths(user=request.user, units=list(page.object_list))
    else:
        roots = unit_roots(user=request.user)
        # One root (the usual case): show it open with its children; several roots (an administrator
        # of a multi-bank install): show them closed.
        context["nodes"] = roots
        if len(roots) == 1:
            context["open_children"] = {roots[0].pk: unit_children(user=request.user, unit=roots[0])}
    return render(request, "org/unit_tree.html", context)


@login_required
@require_GET
def unit_tree_children(request: HttpRequest, pk: int) -> HttpResponse:
    """The children of one node of the tree, as an HTML fragment loaded when the node is opened."""
    unit = unit_get(user=request.user, pk=pk)
    return render(request, "org/_tree_nodes.html", {"nodes": unit_children(user=request.user, unit=unit)})


@login_required
@require_GET
def unit_suggest(request: HttpRequest) -> JsonResponse:
    """Visible units matching a code or name, for the unit inputs of the forms."""
    term = request.GET.get("q", "").strip()
    units = UnitFilter({"q": term}, queryset=unit_list(user=request.user), request=request).qs
    rows = units.order_by("code").values("code", "name", "kind")[:SUGGESTIONS] if term else []
    return JsonResponse({"results": list(rows)})


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_get(user=request.user, pk=pk)
    children = unit_children(user=request.user, unit=unit)
    people = _people_filter(request, unit_subtree_people(user=request.user, unit=unit))
    ordered, sorting = sort_queryset(request, _filtered_people(people), PEOPLE_SORTS, "employee_no")
    head_count, subtree_count = _unit_counts(request, unit)
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "ancestors": unit_ancestors(user=request.user, unit=unit),
            "children": children,
            "filter": people,
            "sorting": sorting,
            "page_obj": paginate(request, ordered, UNIT_PAGE_PEOPLE),
            "head_count": head_count,
            "subtree_count": subtree_count,
        },
    )


def _unit_counts(request: HttpRequest, unit: Unit) -> tuple[int, int]:
    """People in service directly in the unit, and in the unit and below."""
    people = unit_subtree_people(user=request.user, unit=unit).filter(is_active=True)
    return people.filter(unit=unit).count(), people.count()


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_get(user=request.user, pk=pk)
    _require(request, "org.change_unit")
    # The form works on a copy: a refused save must not leave the page showing unsaved values as facts.
    form = style_form(UnitEditForm(request.POST or None, instance=copy.copy(unit)))
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, data=form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Unit %(unit)s saved.") % {"unit": form.cleaned_data["name"]})
            return redirect("org:unit_detail", pk=unit.pk)
    return render(
        request,
        "org/unit_form.html",
        {
            "unit": unit,
            "ancestors": unit_ancestors(user=request.user, unit=unit),
            "form": form,
            "title": _("Edit unit"),
        },
    )


@login_required
def unit_add_child(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_get(user=request.user, pk=pk)
    _require(request, "org.add_unit")
    form = UnitForm(request.POST or None, user=request.user, initial={"parent": unit})
    form.order_fields(["parent", "code", "name", "kind"])
    style_form(form)
    unit_code_input(form, "parent")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            child = services.unit_create(
                actor=request.user,
                parent=data["parent"],
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                region=data["region"],
                province=data["province"],
                address=data["address"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Unit %(unit)s created.") % {"unit": child.name})
            return redirect("org:unit_detail", pk=child.pk)
    return render(
        request,
        "org/unit_form.html",
        {
            "unit": unit,
            "ancestors": [*unit_ancestors(user=request.user, unit=unit), unit],
            "form": form,
            "title": _("Add a unit under %(unit)s") % {"unit": unit.name},
            "adding": True,
        },
    )


# --- People ----------------------------------------------------------------------------------------


@login_required
def person_list_page(request: HttpRequest) -> HttpResponse:
    people = _people_filter(request, person_list(user=request.user))
    ordered, sorting = sort_queryset(request, _filtered_people(people), PEOPLE_SORTS, "employee_no")
    return render(
        request,
        "org/person_list.html",
        {
            "filter": people,
            "sorting": sorting,
            "sort_options": _sort_options(sorting.key),
            "page_obj": paginate(request, ordered),
        },
    )


def _sort_options(current: str) -> list[tuple[str, Any]]:
    options: list[tuple[str, Any]] = list(PEOPLE_SORT_OPTIONS)
    if current not in dict(options):  # sorted by a column header: keep that order when filtering
        options.insert(0, (current, _("As sorted now")))
    return options


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    _require(request, "org.add_person")
    initial = {}
    if request.method == "GET" and request.GET.get("unit"):
        initial["unit"] = request.GET["unit"]
    form = PersonForm(request.POST or None, user=request.user, initial=initial)
    _person_labels(form)
    style_form(form)
    unit_code_input(form, "unit")
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("%(person)s added.") % {"person": person.name})
            return redirect("org:person_detail", pk=person.pk)
    return render(request, "org/person_form.html", {"form": form, "title": _("New person")})


def _person_labels(form: forms.BaseForm) -> None:
    # A person's "name" is 姓名, a unit's is 名称: the model shares one msgid, the page tells them apart.
    form.fields["name"].label = pgettext("person", "Name")


def _person_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    return {
        "person": person,
        "ancestors": [*unit_ancestors(user=request.user, unit=person.unit), person.unit],
    }


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(user=request.user, pk=pk)
    context = _person_context(request, person)
    context["moves"] = person_moves(user=request.user, person=person)
    return render(request, "org/person_detail.html", context)


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(user=request.user, pk=pk)
    _require(request, "org.change_person")
    form = PersonEditForm(request.POST or None, instance=copy.copy(person), user=request.user)
    _person_labels(form)
    style_form(form)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, data=form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("%(person)s saved.") % {"person": form.cleaned_data["name"]})
            return redirect("org:person_detail", pk=person.pk)
    context = _person_context(request, person)
    context.update({"form": form, "title": _("Edit %(person)s") % {"person": person.name}})
    return render(request, "org/person_form.html", context)


@login_required
def person_move(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(user=request.user, pk=pk)
    _require(request, "org.add_personmove")
    form = PersonMoveForm(
        request.POST or None, user=request.user, initial={"effective_date": timezone.localdate()}
    )
    style_form(form)
    unit_code_input(form, "to_unit")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            move = services.person_move(
                actor=request.user,
                person=person,
                to_unit=data["to_unit"],
                effective_date=data["effective_date"],
                reason=data["reason"],
                to_position=data["to_position"] or None,
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(
                request,
                _("%(person)s moved to %(unit)s from %(date)s.")
                % {
                    "person": person.name,
                    "unit": move.to_unit.name,
                    "date": date_format(move.effective_date, "SHORT_DATE_FORMAT"),
                },
            )
            return redirect("org:person_detail", pk=person.pk)
    context = _person_context(request, person)
    context["form"] = form
    return render(request, "org/person_move.html", context)


# --- Periods ---------------------------------------------------------------------------------------

PERIOD_PAGE_SIZE = 100


def _period_page(request: HttpRequest, year_form: PeriodYearForm | None = None) -> HttpResponse:
    """The periods of one year (by default the current one) or of all years, filtered by kind."""
    _require(request, "org.view_period")
    this_year = timezone.localdate().year
    data = request.GET.copy()
    if "year" not in data:
        data["year"] = str(this_year)
    periods = PeriodFilter(data, queryset=period_list(), request=request)
    # The API's label explains the filter ("periods touching it"); the page's select is just the year.
    periods.form.fields["year"].label = pgettext("calendar", "Year")
    style_form(periods.form, small=True)
    filter_choices(periods.form)
    year = periods.form.cleaned_data.get("year") if periods.is_valid() else None
    years = sorted({*period_years(), this_year, *([int(year)] if year else [])}, reverse=True)
    periods.form.fields["year"].widget = forms.Select(
        attrs={"class": "form-select form-select-sm"},
        choices=[("", _("All years")), *((str(y), str(y)) for y in years)],
    )
    results = periods.qs if periods.is_valid() else period_list().none()
    # Start first, longest first: a year, then its first half, first quarter and first month, and so on.
    ordered = results.order_by("start", "-end", "code")
    if year_form is None:
        year_form = PeriodYearForm(initial={"year": int(year) if year else this_year})
    style_form(year_form, small=True)
    return render(
        request,
        "org/period_list.html",
        {
            "filter": periods,
            "year": int(year) if year else None,
            "page_obj": paginate(request, ordered, PERIOD_PAGE_SIZE),
            "year_form": year_form,
        },
    )


@login_required
def period_list_page(request: HttpRequest) -> HttpResponse:
    return _period_page(request)


@login_required
@require_POST
def period_ensure_year(request: HttpRequest) -> HttpResponse:
    """The button "create the standard periods of a year": 12 months, 4 quarters, 2 halves, the year.
    Safe to press twice: periods that exist are kept as they are."""
    _require(request, "org.add_period")
    form = PeriodYearForm(request.POST)
    if form.is_valid():
        year = form.cleaned_data["year"]
        try:
            services.period_ensure_year(actor=request.user, year=year)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The standard periods of %(year)s are in place: 12 months, 4 quarters, 2 halves and "
                    "the year. Periods that already existed were kept as they were."
                )
                % {"year": year},
            )
            return redirect(f"{reverse('org:period_list')}?year={year}")
    return _period_page(request, year_form=form)


@login_required
def period_create(request: HttpRequest) -> HttpResponse:
    _require(request, "org.add_period")
    form = style_form(PeriodForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        try:
            period: Period = services.period_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Period %(period)s created.") % {"period": period.name})
            return redirect(f"{reverse('org:period_list')}?year={period.start.year}")
    return render(request, "org/period_form.html", {"form": form})


# --- Excel import and export -------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_response(content: bytes, stem: str) -> HttpResponse:
    filename = f"{stem}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
@require_GET
def unit_export(request: HttpRequest) -> HttpResponse:
    _require(request, "org.view_unit")
    return _xlsx_response(exports.units_export(user=request.user), _("units"))


@login_required
@require_GET
def person_export(request: HttpRequest) -> HttpResponse:
    """The people list as it is filtered on the page (its query string), within the user's subtree."""
    _require(request, "org.view_person")
    people = _people_filter(request, person_list(user=request.user))
    return _xlsx_response(
        exports.people_export(user=request.user, queryset=_filtered_people(people)), _("people")
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check the file and show what would change, without saving"),
        required=False,
        initial=True,
    )


def _import_page(
    request: HttpRequest, *, importer: Any, template_columns: Any, kind: str, done_url: str
) -> HttpResponse:
    _require(request, "org.import_org")
    form = style_form(ImportForm(request.POST or None, request.FILES or None))
    result = None
    rejected: ApplicationError | None = None
    if request.method == "POST" and form.is_valid():
        dry_run = form.cleaned_data["dry_run"]
        try:
            result = importer(actor=request.user, file=form.cleaned_data["file"], dry_run=dry_run)
        except ApplicationError as exc:
            if exc.code == "import_invalid":
                rejected = exc
            else:
                add_application_error(form, exc, {"file": "file"})
        else:
            if not dry_run:
                messages.success(
                    request,
                    _("Import done: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                )
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect(done_url)
    return render(
        request,
        "org/import.html",
        {
            "form": form,
            "kind": kind,
            "result": result,
            "rejected": rejected,
            "columns": template_columns,
        },
    )


@login_required
def unit_import(request: HttpRequest) -> HttpResponse:
    return _import_page(
        request,
        importer=imports.units_import,
        template_columns=imports.UNIT_COLUMNS,
        kind="units",
        done_url=reverse("org:unit_tree"),
    )


@login_required
def person_import(request: HttpRequest) -> HttpResponse:
    return _import_page(
        request,
        importer=imports.people_import,
        template_columns=(*imports.PEOPLE_COLUMNS, imports.MOVE_DATE_COLUMN),
        kind="people",
        done_url=reverse("org:person_list"),
    )
