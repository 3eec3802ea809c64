"""REST API of the audit trail: who changed what, when, from what to what — within the viewer's subtree."""

from __future__ import annotations

from typing import Any

import django_filters
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from youfu.audit.selectors import log_entry_list

ACTIONS = {
    LogEntry.Action.CREATE: "create",
    LogEntry.Action.UPDATE: "update",
    LogEntry.Action.DELETE: "delete",
    LogEntry.Action.ACCESS: "access",
}


def _audited_types() -> list[tuple[str, str]]:
    """ "app_label.model" of every audited model, e.g. "org.person"."""
    labels = sorted(model._meta.label_lower for model in auditlog.get_models())
    return [(label, label) for label in labels]


class LogEntryFilter(django_filters.FilterSet):
    object_type = django_filters.ChoiceFilter(
        choices=_audited_types, method="filter_object_type", label=_("Object type (app_label.model)")
    )
    object_id = django_filters.CharFilter(field_name="object_pk", label=_("Object id"))
    actor = extend_schema_field(OpenApiTypes.INT)(
        django_filters.NumberFilter(field_name="actor_id", label=_("Actor (user id)"))
    )
    action = django_filters.ChoiceFilter(
        choices=[(name, name) for name in ACTIONS.values()], method="filter_action", label=_("Action")
    )
    since = django_filters.DateFilter(field_name="timestamp__date", lookup_expr="gte", label=_("From date"))
    until = django_filters.DateFilter(field_name="timestamp__date", lookup_expr="lte", label=_("To date"))

    class Meta:
        model = LogEntry
        fields = ["object_type", "object_id", "actor", "action", "since", "until"]

    def filter_object_type(self, queryset: QuerySet[LogEntry], name: str, value: str) -> QuerySet[LogEntry]:
        if not value:
            return queryset
        app_label, model = value.split(".", 1)
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)

    def filter_action(self, queryset: QuerySet[LogEntry], name: str, value: str) -> QuerySet[LogEntry]:
        if not value:
            return queryset
        code = next(code for code, label in ACTIONS.items() if label == value)
        return queryset.filter(action=code)


class LogEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)
    action = serializers.SerializerMethodField()
    object_type = serializers.SerializerMethodField()
    object_id = serializers.CharField(source="object_pk", read_only=True)
    changes = serializers.SerializerMethodField()

    class Meta:
        model = LogEntry
        fields = [
            "id",
            "timestamp",
            "actor",
            "actor_id",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "remote_addr",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=list(ACTIONS.values())))
    def get_action(self, entry: LogEntry) -> str:
        return ACTIONS.get(entry.action, str(entry.action))

    def get_object_type(self, entry: LogEntry) -> str:
        return f"{entry.content_type.app_label}.{entry.content_type.model}"

    @extend_schema_field(
        {
            "type": "object",
            "description": "Changed fields: {field: {before, after}}, values as recorded (text).",
            "additionalProperties": {
                "type": "object",
                "properties": {"before": {}, "after": {}},
                "required": ["before", "after"],
            },
        }
    )
    def get_changes(self, entry: LogEntry) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for field, value in (entry.changes_dict or {}).items():
            if isinstance(value, (list, tuple)) and len(value) == 2:
                changes[field] = {"before": value[0], "after": value[1]}
            else:  # many-to-many changes are recorded as {type, objects}
                changes[field] = {"before": None, "after": value}
        return changes


@extend_schema_view(
    list=extend_schema(summary="Audit trail, newest first", responses=LogEntrySerializer(many=True)),
    retrieve=extend_schema(summary="One audit entry", responses=LogEntrySerializer),
)
class LogEntryViewSet(viewsets.GenericViewSet):
    queryset = LogEntry.objects.none()
    serializer_class = LogEntrySerializer
    filterset_class = LogEntryFilter
    ordering_fields = ["timestamp", "id"]
    ordering = ["-timestamp", "-id"]

    def get_queryset(self) -> QuerySet[LogEntry]:
        return log_entry_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(LogEntrySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(LogEntrySerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)
