"""The inspections filter, shared by the list page and the API (always within the user's subtree)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from youfu.accounts.access import visible_units
from youfu.inspections.choices import InspectionKind, InspectionStatus
from youfu.inspections.models import Inspection
from youfu.org.models import Period


class InspectionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=InspectionKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=InspectionStatus.choices, label=_("Status"))
    unit = django_filters.CharFilter(method="filter_unit", label=_("Unit code (and below)"))
    period = django_filters.CharFilter(method="filter_period", label=_("Period code, e.g. 2025Q3"))
    inspector = django_filters.CharFilter(method="filter_inspector", label=_("Inspector (login)"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Inspection
        fields = ["kind", "status", "unit", "period", "inspector", "date_from", "date_to"]

    def filter_unit(self, queryset: QuerySet[Inspection], name: str, value: str) -> QuerySet[Inspection]:
        value = value.strip()
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        unit = visible_units(user).filter(code=value).first()
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)

    def filter_period(self, queryset: QuerySet[Inspection], name: str, value: str) -> QuerySet[Inspection]:
        period = Period.objects.filter(code=value.strip()).first()
        if period is None:
            return queryset.none() if value.strip() else queryset
        return queryset.filter(date__gte=period.start, date__lte=period.end)

    def filter_inspector(self, queryset: QuerySet[Inspection], name: str, value: str) -> QuerySet[Inspection]:
        value = value.strip()
        return queryset.filter(inspectors__username=value).distinct() if value else queryset
