"""Helpers shared by the page views of every app: error mapping, pagination, sorting, form styling.

Pages stay thin: they read through selectors, write through services, and turn the one domain error
type (ApplicationError) into form errors here, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import F, Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from youfu.core.errors import ApplicationError

M = TypeVar("M", bound=Model)
FormT = TypeVar("FormT", bound=forms.BaseForm)

PAGE_SIZE = 50


def add_application_error(
    form: forms.BaseForm, exc: ApplicationError, field_map: Mapping[str, str] | None = None
) -> None:
    """Show a service's error on the form field it concerns (or above the form when it names none).

    `field_map` renames service argument names to form field names where they differ."""
    for detail in exc.details:
        name = detail.field
        if name and field_map:
            name = field_map.get(name, name)
        form.add_error(name if name in form.fields else None, detail.message)


def paginate(request: HttpRequest, items: QuerySet[M] | list[Any], per_page: int = PAGE_SIZE) -> Page:
    """The requested page; an out-of-range or malformed page number gives the nearest real page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


@dataclass(frozen=True)
class Sorting:
    key: str  # as in the URL: "name" or "-name"
    field: str  # the sort key without its direction
    descending: bool


def sort_queryset(
    request: HttpRequest, queryset: QuerySet[M], allowed: Mapping[str, str | Iterable[str]], default: str
) -> tuple[QuerySet[M], Sorting]:
    """Order by the `sort` query parameter if it names an allowed column (a leading "-" reverses it).
    `allowed` maps the URL names to model fields, so nothing the user types reaches order_by()."""
    key = request.GET.get("sort") or default
    name = key.removeprefix("-")
    if name not in allowed:
        key, name = default, default.removeprefix("-")
    descending = key.startswith("-")
    target = allowed[name]
    fields = [target] if isinstance(target, str) else list(target)
    # Empty values last either way (SQLite and PostgreSQL disagree on where NULLs go by default).
    order = [F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_last=True) for f in fields]
    return queryset.order_by(*order, "pk"), Sorting(key=key, field=name, descending=descending)


def style_form(form: FormT, *, small: bool = False) -> FormT:
    """Give every widget its Bootstrap class (the forms are shared with imports and the API, so the
    look is applied here and not in youfu.org.forms). `small` is for the filter bars above lists."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.DateInput) and widget.input_type == "date":
            # <input type="date"> only takes ISO dates, whatever the page's language formats them as.
            widget.format = "%Y-%m-%d"
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.NullBooleanSelect):
            css = "form-select form-select-sm" if small else "form-select"
        else:
            css = "form-control form-control-sm" if small else "form-control"
        existing = widget.attrs.get("class", "")
        widget.attrs["class"] = " ".join(dict.fromkeys([*existing.split(), *css.split()]))
    return form


def filter_choices(form: forms.BaseForm) -> None:
    """In a filter bar an empty choice means "any": say so instead of "---------" or "Unknown"."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.NullBooleanSelect):
            widget.choices = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]
        elif isinstance(field, forms.ModelChoiceField):
            continue
        elif hasattr(field, "empty_label"):  # django-filter's ChoiceField adds its own empty choice
            # Its choice iterator belongs to the class-level field, so the label is set on the widget.
            choices: Any = getattr(field, "choices", [])
            widget.choices = [("", _("All")), *((v, label) for v, label in choices if v != "")]
        elif isinstance(field, forms.ChoiceField):
            current: Any = field.choices
            field.choices = [("", _("All")) if value == "" else (value, label) for value, label in current]


def unit_code_input(form: forms.BaseForm, name: str, *, small: bool = False) -> None:
    """Replace the unit <select> (which would list every unit of a large bank) by a code input that
    suggests visible units as the user types (see web/static/web/youfu.js)."""
    field = form.fields[name]
    placeholder = _("Unit code")
    field.widget = forms.TextInput(
        attrs={
            "class": "form-control form-control-sm" if small else "form-control",
            "list": f"{name}-suggestions",
            "autocomplete": "off",
            "data-unit-suggest": reverse("org:unit_suggest"),
            "placeholder": placeholder,
        }
    )
