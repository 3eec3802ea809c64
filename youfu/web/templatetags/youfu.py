"""Template helpers of the pages: icons, sortable column headers, unit badges, form fields."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from youfu.org.choices import UnitKind

register = template.Library()

KIND_BADGE: dict[str, str] = {
    UnitKind.HEAD_OFFICE: "text-bg-danger",
    UnitKind.BRANCH: "text-bg-primary",
    UnitKind.SUB_BRANCH: "text-bg-info",
    UnitKind.OUTLET: "text-bg-success",
    UnitKind.DEPARTMENT: "text-bg-secondary",
}


@register.simple_tag
def icon(name: str, css: str = "") -> SafeString:
    """An icon from the local sprite (bank intranets have no icon CDN)."""
    return format_html(
        '<svg class="bi {}" aria-hidden="true" width="1em" height="1em"><use href="{}#i-{}"></use></svg>',
        css,
        static("web/icons.svg"),
        name,
    )


@register.simple_tag
def kind_badge(kind: str) -> SafeString:
    label: Any
    try:
        label = UnitKind(kind).label
    except ValueError:
        label = kind
    return format_html(
        '<span class="badge kind-badge {}">{}</span>', KIND_BADGE.get(kind, "text-bg-light"), label
    )


@register.simple_tag(takes_context=True)
def sort_link(context: dict[str, Any], field: str, label: str) -> SafeString:
    """A column header that sorts by `field`, then reverses on a second click; filters are kept and
    the page is reset to the first."""
    request = context["request"]
    sorting = context.get("sorting")
    params = request.GET.copy()
    params.pop("page", None)
    current = sorting is not None and sorting.field == field
    descending = sorting is not None and current and sorting.descending
    params["sort"] = field if descending or not current else f"-{field}"
    arrow = ""
    aria = "none"
    if current:
        arrow = " ▼" if descending else " ▲"
        aria = "descending" if descending else "ascending"
    query = urlencode(sorted(params.lists()), doseq=True)
    return format_html(
        '<a class="sort-link{}" href="?{}" data-sort="{}" aria-sort="{}" title="{}">{}{}</a>',
        " active" if current else "",
        query,
        field,
        aria,
        _("Sort"),
        label,
        arrow,
    )


@register.inclusion_tag("web/includes/field.html")
def field(bound: forms.BoundField, css: str = "") -> dict[str, Any]:
    """One form field as a Bootstrap group: label, widget, help text and errors."""
    widget = bound.field.widget
    is_check = isinstance(widget, forms.CheckboxInput)
    is_multi = isinstance(widget, forms.CheckboxSelectMultiple)  # a group of checkboxes (roles)
    if bound.errors:
        classes = widget.attrs.get("class", "")
        if "is-invalid" not in classes:
            widget.attrs["class"] = f"{classes} is-invalid".strip()
    return {"f": bound, "is_check": is_check, "is_multi": is_multi, "css": css}


@register.filter
def dash(value: Any) -> Any:
    """An empty value shown as a dash, so an empty table cell reads as "none" and not as a glitch."""
    if value is None or value == "" or value == "None":
        return "—"
    return value


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template, or None (for per-row lookups such as search-result paths)."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def one_of(value: Any, names: str) -> bool:
    """`{% if f.name|one_of:"roles,is_active" %}`: whether value is one of the comma-separated names."""
    return str(value) in {name.strip() for name in names.split(",")}
