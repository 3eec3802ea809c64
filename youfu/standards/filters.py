"""The standards filter, shared by the list page and the API (always within the user's line)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from youfu.standards.choices import StandardKind, VersionStatus
from youfu.standards.models import Standard


class StandardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search code or name"))
    kind = django_filters.ChoiceFilter(choices=StandardKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(
        choices=VersionStatus.choices, method="filter_status", label=_("Has a version that is")
    )

    class Meta:
        model = Standard
        fields = ["q", "kind", "status"]

    def filter_q(self, queryset: QuerySet[Standard], name: str, value: str) -> QuerySet[Standard]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))

    def filter_status(self, queryset: QuerySet[Standard], name: str, value: str) -> QuerySet[Standard]:
        return queryset.filter(versions__status=value).distinct() if value else queryset
