"""The audit browser: who changed what, when, from what to what — within the viewer's subtree.

Entries come from youfu.audit.selectors.log_entry_list, which already keeps only the viewer's subtree.
Values that point to other rows (a person's unit, a move's units) are shown by name only when the
viewer may see that row; otherwise as "#id", so a move across subtrees reveals nothing on the far side.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from youfu.accounts.models import User
from youfu.audit.selectors import log_entry_list
from youfu.org.models import Person, Unit
from youfu.org.selectors import person_list, unit_list
from youfu.web.context_processors import display_name
from youfu.web.pages import filter_choices, paginate, style_form

# Where an audited object has a page of its own.
OBJECT_PAGES = {
    ("org", "unit"): "org:unit_detail",
    ("org", "person"): "org:person_detail",
    ("accounts", "user"): "accounts:user_detail",
}
ACTIONS = {
    LogEntry.Action.CREATE: gettext_lazy("Created"),
    LogEntry.Action.UPDATE: gettext_lazy("Changed"),
    LogEntry.Action.DELETE: gettext_lazy("Deleted"),
    LogEntry.Action.ACCESS: gettext_lazy("Viewed"),
}
ACTION_BADGES = {
    LogEntry.Action.CREATE: "text-bg-success",
    LogEntry.Action.UPDATE: "text-bg-primary",
    LogEntry.Action.DELETE: "text-bg-danger",
    LogEntry.Action.ACCESS: "text-bg-secondary",
}
EMPTY = "—"
HIDDEN_FIELDS = frozenset({"id", "path", "depth", "numchild", "password", "last_login"})
# Labels for common fields that models leave without a verbose name (which would show in English).
FALLBACK_LABELS = {"created_by": gettext_lazy("recorded by"), "updated_by": gettext_lazy("changed by")}


def _type_choices() -> list[tuple[str, str]]:
    models = sorted(auditlog.get_models(), key=lambda m: (m._meta.app_label, m._meta.model_name or ""))
    return [("", "—")] + [
        (f"{m._meta.app_label}.{m._meta.model_name}", str(m._meta.verbose_name).capitalize()) for m in models
    ]


class LogFilterForm(forms.Form):
    type = forms.ChoiceField(label=gettext_lazy("Object type"), required=False)
    object = forms.IntegerField(label=gettext_lazy("Object ID"), required=False, min_value=1)
    who = forms.CharField(label=gettext_lazy("Changed by"), required=False, max_length=64)
    actor = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    action = forms.TypedChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *((value, label) for value, label in ACTIONS.items())],
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = _type_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def apply(self, entries: QuerySet[LogEntry]) -> QuerySet[LogEntry]:
        data = self.cleaned_data
        if data.get("type"):
            app_label, model = data["type"].split(".", 1)
            entries = entries.filter(content_type__app_label=app_label, content_type__model=model)
        if data.get("object"):
            entries = entries.filter(object_pk=str(data["object"]))
        if data.get("actor"):
            entries = entries.filter(actor_id=data["actor"])
        if data.get("who"):
            who = data["who"].strip()
            entries = entries.filter(
                Q(actor__username__icontains=who)
                | Q(actor__first_name__icontains=who)
                | Q(actor__last_name__icontains=who)
                | Q(actor__person__name__icontains=who)
            )
        if data.get("action") is not None:
            entries = entries.filter(action=data["action"])
        # Days are Asia/Shanghai days; the range is on the stored (UTC) instant, which uses the index.
        if data.get("date_from"):
            entries = entries.filter(timestamp__gte=_day_start(data["date_from"]))
        if data.get("date_to"):
            entries = entries.filter(timestamp__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
        return entries


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Change:
    field: str
    old: str | None  # None: no "before" to show (creation, many-to-many additions)
    new: str


@dataclass(frozen=True)
class EntryRow:
    entry: LogEntry
    action: str
    badge: str
    actor_name: str
    object_type: str
    object_url: str | None
    changes: list[Change]


class _Resolver:
    """Turns stored foreign-key ids into names, in one query per model, and only for rows the viewer
    may see (units and people through their selectors)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.wanted: dict[type[Model], set[str]] = defaultdict(set)
        self.names: dict[type[Model], dict[str, str]] = {}

    def want(self, model: type[Model], value: str) -> None:
        if value not in ("", "None"):
            self.wanted[model].add(value)

    def load(self) -> None:
        for model, ids in self.wanted.items():
            pks = [int(i) for i in ids if i.isdigit()]
            rows: Iterable[Model]
            if model is Unit:
                rows = unit_list(user=self.user).filter(pk__in=pks)
            elif model is Person:
                rows = person_list(user=self.user).filter(pk__in=pks)
            elif model is User:
                rows = User.objects.select_related("person").filter(pk__in=pks)
            else:
                rows = []
            self.names[model] = {
                str(row.pk): display_name(row) if isinstance(row, User) else str(row) for row in rows
            }

    def name(self, model: type[Model], value: str) -> str:
        if value in ("", "None"):
            return EMPTY
        return self.names.get(model, {}).get(value, f"#{value}")


def _field_display(model: type[Model] | None, name: str) -> tuple[str, Any] | None:
    """The field's label and the field itself; None for what is not worth showing (internal fields,
    and the reverse relations auditlog records on creation as "org.Person.None")."""
    if name in HIDDEN_FIELDS:
        return None
    if model is None:
        return name, None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name, None
    if not field.concrete:
        return None
    if model is Person and name == "name":  # 姓名, not a unit's 名称 (the model shares one msgid)
        return pgettext("person", "Name"), field
    if name in FALLBACK_LABELS and str(field.verbose_name) == name.replace("_", " "):
        return str(FALLBACK_LABELS[name]), field
    return str(field.verbose_name), field


def _value_display(field: Any, value: Any, resolver: _Resolver) -> str:
    if value is None or value in ("", "None"):
        return EMPTY
    value = str(value)
    if field is None:
        return value
    if field.is_relation and (field.many_to_one or field.one_to_one):
        return resolver.name(field.related_model, value)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    kind = field.get_internal_type()
    if kind == "BooleanField":
        return _("Yes") if value == "True" else _("No")
    if kind == "DateTimeField":
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_naive(moment):  # auditlog stores the UTC value without its offset
            moment = moment.replace(tzinfo=dt.UTC)
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    return value


def _m2m_display(values: Any) -> str:
    if isinstance(values, dict) and "objects" in values:
        sign = "−" if values.get("operation") == "delete" else "+"
        return ", ".join(f"{sign}{obj}" for obj in values["objects"])
    return str(values)


def _rows(user: Any, entries: list[LogEntry]) -> list[EntryRow]:
    resolver = _Resolver(user)
    parsed = []
    for entry in entries:
        model = entry.content_type.model_class()
        fields = []
        for name, values in (entry.changes_dict or {}).items():
            if model is User and name == "password":
                # A reset is logged without the hash (youfu.accounts.services.user_set_password).
                fields.append((_("Password"), None, None, _("reset")))
                continue
            shown = _field_display(model, name)
            if shown is None:
                continue
            label, field = shown
            if isinstance(values, list | tuple) and len(values) == 2:
                old, new = values
                if entry.action == LogEntry.Action.CREATE and new in (None, "", "None"):
                    continue  # a new object's empty fields say nothing
                if field is not None and field.is_relation and field.related_model is not None:
                    resolver.want(field.related_model, str(old))
                    resolver.want(field.related_model, str(new))
            else:  # many-to-many changes: {"type": "m2m", "operation": "add", "objects": [...]}
                old, new, field = None, _m2m_display(values), None
            fields.append((label, field, old, new))
        parsed.append((entry, model, fields))
    resolver.load()

    rows = []
    for entry, model, fields in parsed:
        changes = [
            Change(
                label,
                _value_display(field, old, resolver)
                if entry.action == LogEntry.Action.UPDATE and old is not None
                else None,
                _value_display(field, new, resolver),
            )
            for label, field, old, new in fields
        ]
        object_url = None
        page = OBJECT_PAGES.get((entry.content_type.app_label, entry.content_type.model))
        if page and entry.action != LogEntry.Action.DELETE:
            try:
                object_url = reverse(page, args=[int(entry.object_pk)])
            except (NoReverseMatch, ValueError):
                object_url = None
        rows.append(
            EntryRow(
                entry=entry,
                action=str(ACTIONS.get(entry.action, entry.action)),
                badge=ACTION_BADGES.get(entry.action, "text-bg-light"),
                actor_name=display_name(entry.actor) if entry.actor else _("System"),
                object_type=capfirst(model._meta.verbose_name) if model else entry.content_type.model,
                object_url=object_url,
                changes=changes,
            )
        )
    return rows


@login_required
@permission_required("auditlog.view_logentry", raise_exception=True)
def log_list(request: HttpRequest) -> HttpResponse:
    form = style_form(LogFilterForm(request.GET or None), small=True)
    filter_choices(form)
    entries = log_entry_list(user=request.user).select_related("actor__person")
    if form.is_bound:
        entries = form.apply(entries) if form.is_valid() else entries.none()
    page = paginate(request, entries)
    rows = _rows(request.user, list(page.object_list))
    actor_name = None
    if form.is_bound and form.is_valid() and form.cleaned_data.get("actor"):
        # Named from the entries themselves, so an id outside the subtree reveals no one's name.
        actor_name = rows[0].actor_name if rows else f"#{form.cleaned_data['actor']}"
    object_label = None
    if form.is_bound and form.is_valid() and form.cleaned_data.get("object") and rows:
        object_label = f"{rows[0].object_type} {rows[0].entry.object_repr}"
    return render(
        request,
        "audit/log_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "actor_name": actor_name,
            "object_label": object_label,
        },
    )
