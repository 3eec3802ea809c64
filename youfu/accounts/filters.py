"""The filter of the users page, within the viewer's subtree like every list."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from youfu.accounts.access import subtree_q, visible_units
from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.org.forms import UnitCodeField
from youfu.org.models import Unit


def _units_for_request(request: Any) -> QuerySet[Unit]:
    if request is None:
        return Unit.objects.none()
    return visible_units(request.user).order_by("path")


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search user name, name or employee number"))
    role = django_filters.ChoiceFilter(choices=Role.choices, field_name="groups__name", label=_("Role"))
    # By code, as everywhere: a <select> of every unit is unusable in a large bank.
    unit = django_filters.ModelChoiceFilter(
        queryset=_units_for_request,
        to_field_name="code",
        method="filter_unit",
        label=_("Unit (and below)"),
        error_messages={"invalid_choice": UnitCodeField.default_error_messages["invalid_choice"]},
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "role", "unit", "is_active"]

    def filter_q(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        value = value.strip()
        if not value:
            return queryset
        # A linked person is searched only where the viewer may see them (the page does not name others).
        viewer = self.request.user if self.request is not None else None
        person = Q(person__name__icontains=value) | Q(person__employee_no__icontains=value)
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | (person & subtree_q(viewer, "person__unit"))
        )

    def filter_unit(self, queryset: QuerySet[User], name: str, value: Unit | None) -> QuerySet[User]:
        if value is None:
            return queryset
        return queryset.filter(unit__path__startswith=value.path)
