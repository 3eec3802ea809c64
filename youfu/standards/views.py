"""Pages of the standards domain: the list, a standard with its versions, the editor of a draft, publish,
new version, Excel import and export.

Every page is login-only. Objects come through youfu.standards.selectors, which answer 404 for anything
outside the user's line (their subtree and the units above them); pages that change a standard also need
the role's right and the owner in the user's subtree (403 otherwise). Writes go through the services; a
refused write (ApplicationError) is shown on the form or as a message and nothing is changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from youfu.core.errors import ApplicationError
from youfu.standards import exports, imports, selectors, services
from youfu.standards.choices import VersionStatus
from youfu.standards.filters import StandardFilter
from youfu.standards.forms import (
    ImportForm,
    ItemForm,
    SectionForm,
    StandardEditForm,
    StandardForm,
    VersionSettingsForm,
)
from youfu.standards.models import Standard, StandardVersion
from youfu.web.pages import add_application_error, filter_choices, paginate, style_form, unit_code_input

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _require_manage(request: HttpRequest, standard: Standard) -> None:
    """Changing pages: the role's right, and the owner in the user's subtree (a standard of the units
    above is seen but not changed)."""
    if not selectors.may_manage(user=request.user, standard=standard):
        raise PermissionDenied


def _editor_url(version: StandardVersion) -> str:
    return reverse("standards:editor", kwargs={"pk": version.pk})


def _detail_url(version: StandardVersion) -> str:
    return f"{reverse('standards:detail', kwargs={'pk': version.standard_id})}?version={version.number}"


@login_required
def standard_list_page(request: HttpRequest) -> HttpResponse:
    _require(request, "standards.view_standard")
    standards = StandardFilter(
        request.GET or None, queryset=selectors.standard_list(user=request.user), request=request
    )
    style_form(standards.form, small=True)
    filter_choices(standards.form)
    valid = not standards.is_bound or standards.is_valid()
    rows = standards.qs if valid else selectors.standard_list(user=request.user).none()
    page = paginate(request, rows.prefetch_related("versions"))
    return render(request, "standards/standard_list.html", {"filter": standards, "page_obj": page})


@login_required
def standard_create(request: HttpRequest) -> HttpResponse:
    _require(request, "standards.add_standard")
    form = StandardForm(request.POST or None, user=request.user)
    style_form(form)
    unit_code_input(form, "owner")
    if request.method == "POST" and form.is_valid():
        try:
            standard = services.standard_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(
                request, _("Standard %(name)s created: add its sections and items.") % {"name": standard.name}
            )
            return redirect(_editor_url(standard.versions.get()))
    return render(
        request,
        "standards/form.html",
        {"form": form, "title": _("New standard"), "cancel_url": reverse("standards:list")},
    )


@login_required
def standard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    standard = selectors.standard_get(user=request.user, pk=pk)
    versions = list(selectors.standard_versions(user=request.user, standard=standard))
    wanted = request.GET.get("version")
    version = next((v for v in versions if str(v.number) == wanted), None)
    if version is None:
        version = next(
            (v for v in versions if v.status == VersionStatus.PUBLISHED), versions[0] if versions else None
        )
    context: dict[str, Any] = {
        "standard": standard,
        "versions": versions,
        "version": version,
        "may_manage": selectors.may_manage(user=request.user, standard=standard),
        "has_draft": any(v.status == VersionStatus.DRAFT for v in versions),
    }
    if version is not None:
        context.update(_structure_context(version))
    return render(request, "standards/standard_detail.html", context)


def _structure_context(version: StandardVersion) -> dict[str, Any]:
    return {
        "tree": selectors.version_tree(version=version),
        "warnings": version.warnings,
        "computed_warnings": selectors.version_warnings(version=version)[len(version.warnings) :],
    }


@login_required
def standard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    standard = selectors.standard_get(user=request.user, pk=pk)
    _require_manage(request, standard)
    form = style_form(
        StandardEditForm(
            request.POST or None,
            initial={"name": standard.name, "kind": standard.kind, "description": standard.description},
        )
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.standard_update(actor=request.user, standard=standard, data=form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("standards:detail", pk=standard.pk)
    cancel = reverse("standards:detail", kwargs={"pk": standard.pk})
    return render(
        request,
        "standards/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": standard.name},
            "standard": standard,
            "cancel_url": cancel,
        },
    )


def _draft(request: HttpRequest, pk: int) -> StandardVersion:
    version = selectors.standard_version_get(user=request.user, pk=pk)
    _require_manage(request, version.standard)
    return version


@login_required
def version_editor(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor of a draft: its rule and levels, and its sections and items (add, edit, remove, move)."""
    version = _draft(request, pk)
    if version.status != VersionStatus.DRAFT:
        messages.info(request, _("A published version cannot change: start a new version to edit it."))
        return redirect(_detail_url(version))
    form = VersionSettingsForm(request.POST or None, initial=VersionSettingsForm.initial_for(version))
    style_form(form)
    if request.method == "POST" and form.is_valid():
        try:
            services.standard_version_update(actor=request.user, version=version, data=form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect(_editor_url(version))
    context = {
        "standard": version.standard,
        "version": version,
        "form": form,
        "problems": selectors.version_problems(version=version),
        "editing": True,
        **_structure_context(version),
    }
    return render(request, "standards/editor.html", context)


@login_required
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.standard_version_get(user=request.user, pk=pk)
    _require(request, "standards.change_standardversion")
    _require_manage(request, version.standard)
    try:
        services.standard_version_publish(actor=request.user, version=version)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(
            _editor_url(version) if version.status == VersionStatus.DRAFT else _detail_url(version)
        )
    messages.success(
        request, _("Version %(number)s published: it will not change any more.") % {"number": version.number}
    )
    return redirect(_detail_url(version))


@login_required
@require_POST
def version_copy(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.standard_version_get(user=request.user, pk=pk)
    _require(request, "standards.add_standardversion")
    _require_manage(request, version.standard)
    try:
        draft = services.standard_version_copy(actor=request.user, version=version)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(_detail_url(version))
    messages.success(
        request,
        _("Version %(number)s started as a copy of version %(source)s.")
        % {"number": draft.number, "source": version.number},
    )
    return redirect(_editor_url(draft))


@login_required
@require_GET
def version_export(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.standard_version_get(user=request.user, pk=pk)
    content = exports.standard_export(version=version)
    filename = f"{version.standard.code}-v{version.number}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
def standard_import(request: HttpRequest) -> HttpResponse:
    _require(request, "standards.add_standard")
    form = style_form(ImportForm(request.POST or None, request.FILES or None))
    result = None
    rejected: ApplicationError | None = None
    if request.method == "POST" and form.is_valid():
        dry_run = form.cleaned_data["dry_run"]
        try:
            result = imports.standard_import(
                actor=request.user, file=form.cleaned_data["file"], dry_run=dry_run
            )
        except ApplicationError as exc:
            if exc.code == "import_invalid":
                rejected = exc
            else:
                add_application_error(form, exc, {"owner": "file"})
        else:
            if not dry_run:
                messages.success(request, _outcome_message(result))
                for warning in result.warnings:
                    messages.warning(request, warning)
                standard = selectors.standard_get_by_code(user=request.user, code=result.code)
                detail = reverse("standards:detail", kwargs={"pk": standard.pk})
                return redirect(f"{detail}?version={result.version_number}")
    return render(
        request,
        "standards/import.html",
        {
            "form": form,
            "result": result,
            "rejected": rejected,
            "outcome": _outcome_message(result) if result else "",
        },
    )


def _outcome_message(result: imports.ImportResult) -> str:
    texts = {
        "created": _("Standard %(code)s created as version %(number)s."),
        "new_version": _(
            "Standard %(code)s: the file differs from the published version, so it becomes draft version "
            "%(number)s."
        ),
        "updated": _("Standard %(code)s: draft version %(number)s replaced by the file."),
        "unchanged": _("Standard %(code)s: the file is the same as version %(number)s; nothing changed."),
    }
    return texts[result.outcome] % {"code": result.code, "number": result.version_number}


# --- Sections and items of a draft -------------------------------------------------------------------


def _form_page(request: HttpRequest, form: Any, version: StandardVersion, title: str) -> HttpResponse:
    return render(
        request,
        "standards/form.html",
        {
            "form": form,
            "title": title,
            "standard": version.standard,
            "version": version,
            "cancel_url": _editor_url(version),
            "wide": "text,note,name",
        },
    )


@login_required
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = _draft(request, pk)
    _require(request, "standards.add_section")
    form = style_form(SectionForm(request.POST or None, version=version))
    if request.method == "POST" and form.is_valid():
        try:
            services.section_create(actor=request.user, version=version, **form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Section %(code)s added.") % {"code": form.cleaned_data["code"]})
            return redirect(_editor_url(version))
    return _form_page(request, form, version, _("Add a section"))


@login_required
def section_edit(request: HttpRequest, pk: int) -> HttpResponse:
    section = selectors.section_get(user=request.user, pk=pk)
    version = _draft(request, section.version_id)
    _require(request, "standards.change_section")
    initial = {f: getattr(section, f) for f in ("code", "name", "points", "parent", "note")}
    form = style_form(SectionForm(request.POST or None, version=version, section=section, initial=initial))
    if request.method == "POST" and form.is_valid():
        try:
            services.section_update(actor=request.user, section=section, data=form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Section %(code)s saved.") % {"code": form.cleaned_data["code"]})
            return redirect(_editor_url(version))
    return _form_page(request, form, version, _("Edit section %(code)s") % {"code": section.code})


@login_required
@require_POST
def section_delete(request: HttpRequest, pk: int) -> HttpResponse:
    section = selectors.section_get(user=request.user, pk=pk)
    version = _draft(request, section.version_id)
    _require(request, "standards.delete_section")
    try:
        services.section_delete(actor=request.user, section=section)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Section %(code)s removed with its items.") % {"code": section.code})
    return redirect(_editor_url(version))


@login_required
@require_POST
def section_move(request: HttpRequest, pk: int) -> HttpResponse:
    section = selectors.section_get(user=request.user, pk=pk)
    version = _draft(request, section.version_id)
    _require(request, "standards.change_section")
    try:
        services.section_move(
            actor=request.user, section=section, offset=-1 if request.POST.get("direction") == "up" else 1
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(f"{_editor_url(version)}#section-{section.pk}")


@login_required
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = _draft(request, pk)
    _require(request, "standards.add_item")
    initial = {"section": request.GET.get("section")} if request.GET.get("section") else {}
    form = style_form(ItemForm(request.POST or None, version=version, initial=initial))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.item_create(actor=request.user, **data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Item %(code)s added.") % {"code": data["code"]})
            return redirect(f"{_editor_url(version)}#section-{data['section'].pk}")
    return _form_page(request, form, version, _("Add an item"))


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)
    version = _draft(request, item.version_id)
    _require(request, "standards.change_item")
    fields = (
        "section",
        "code",
        "text",
        "kind",
        "points",
        "max_occurrences",
        "n",
        "na_allowed",
        "aspect",
        "key_item",
        "red_line",
        "red_line_cap",
        "note",
    )
    form = style_form(
        ItemForm(request.POST or None, version=version, initial={f: getattr(item, f) for f in fields})
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=request.user, item=item, data=dict(form.cleaned_data))
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Item %(code)s saved.") % {"code": form.cleaned_data["code"]})
            return redirect(f"{_editor_url(version)}#section-{form.cleaned_data['section'].pk}")
    return _form_page(request, form, version, _("Edit item %(code)s") % {"code": item.code})


@login_required
@require_POST
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)
    version = _draft(request, item.version_id)
    _require(request, "standards.delete_item")
    try:
        services.item_delete(actor=request.user, item=item)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Item %(code)s removed.") % {"code": item.code})
    return redirect(_editor_url(version))


@login_required
@require_POST
def item_move(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)
    version = _draft(request, item.version_id)
    _require(request, "standards.change_item")
    try:
        services.item_move(
            actor=request.user, item=item, offset=-1 if request.POST.get("direction") == "up" else 1
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(f"{_editor_url(version)}#section-{item.section_id}")
