"""The one FilterSet of the facts list, shared by the page, the API and the export; always applied to a
queryset already restricted to the user's subtree (youfu.facts.selectors.fact_list)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from youfu.accounts.access import visible_units
from youfu.facts.choices import SubjectKind
from youfu.facts.models import Fact
from youfu.org.models import Period, Unit


def _units_for_request(request: Any) -> QuerySet[Unit]:
    if request is None:
        return Unit.objects.none()
    return visible_units(request.user).order_by("path")


class FactFilter(django_filters.FilterSet):
    period = django_filters.ModelChoiceFilter(
        queryset=Period.objects.all(), to_field_name="code", label=_("Period")
    )
    name = django_filters.CharFilter(label=_("Input name"))
    subject_kind = django_filters.ChoiceFilter(choices=SubjectKind.choices, label=_("Subject kind"))
    unit = django_filters.ModelChoiceFilter(
        queryset=_units_for_request, to_field_name="code", method="filter_unit", label=_("Unit (and below)")
    )
    q = django_filters.CharFilter(method="filter_q", label=_("Search code or name"))

    class Meta:
        model = Fact
        fields = ["period", "name", "subject_kind", "unit", "q"]

    def filter_unit(self, queryset: QuerySet[Fact], name: str, value: Unit | None) -> QuerySet[Fact]:
        if value is None:
            return queryset
        return queryset.filter(unit_path__startswith=value.path)

    def filter_q(self, queryset: QuerySet[Fact], name: str, value: str) -> QuerySet[Fact]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(unit__code__icontains=value)
            | Q(unit__name__icontains=value)
            | Q(person__employee_no__icontains=value)
            | Q(person__name__icontains=value)
            | Q(name__icontains=value)
        )
