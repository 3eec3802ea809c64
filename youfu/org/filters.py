"""Filters shared by the pages and the API (one FilterSet each), always within the user's subtree."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from youfu.accounts.access import visible_units
from youfu.org.choices import PeriodKind, Position, UnitKind
from youfu.org.models import Period, Person, Unit


def _units_for_request(request: Any) -> QuerySet[Unit]:
    if request is None:
        return Unit.objects.none()
    return visible_units(request.user).order_by("path")


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search name or employee number"))
    # Units are named by code: a <select> of every unit is unusable in a large bank, and API clients
    # know codes, not database ids.
    unit = django_filters.ModelChoiceFilter(
        queryset=_units_for_request, to_field_name="code", method="filter_unit", label=_("Unit (and below)")
    )
    position = django_filters.ChoiceFilter(choices=Position.choices, label=_("Position"))
    teller_grade = django_filters.NumberFilter(label=_("Teller grade"))
    is_active = django_filters.BooleanFilter(label=_("In service"))

    class Meta:
        model = Person
        fields = ["q", "unit", "position", "teller_grade", "is_active"]

    def filter_q(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(employee_no__icontains=value))

    def filter_unit(self, queryset: QuerySet[Person], name: str, value: Unit | None) -> QuerySet[Person]:
        if value is None:
            return queryset
        return queryset.filter(unit__path__startswith=value.path)


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search code or name"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("Kind"))
    region = django_filters.CharFilter(label=_("Region"))
    province = django_filters.CharFilter(label=_("Province"))
    within = django_filters.ModelChoiceFilter(
        queryset=_units_for_request, to_field_name="code", method="filter_within", label=_("Within unit")
    )

    class Meta:
        model = Unit
        fields = ["q", "kind", "region", "province", "within", "is_active"]

    def filter_q(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def filter_within(self, queryset: QuerySet[Unit], name: str, value: Unit | None) -> QuerySet[Unit]:
        if value is None:
            return queryset
        return queryset.filter(path__startswith=value.path)


class PeriodFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PeriodKind.choices, label=_("Kind"))
    year = extend_schema_field(OpenApiTypes.INT)(
        django_filters.NumberFilter(method="filter_year", label=_("Year (periods touching it)"))
    )

    class Meta:
        model = Period
        fields = ["kind", "year"]

    def filter_year(self, queryset: QuerySet[Period], name: str, value: Any) -> QuerySet[Period]:
        if value is None:
            return queryset
        year = int(value)
        if not 1 <= year <= 9999:
            return queryset.none()
        return queryset.filter(Q(start__lte=dt.date(year, 12, 31)) & Q(end__gte=dt.date(year, 1, 1)))
