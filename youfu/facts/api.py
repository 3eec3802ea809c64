"""REST API of the facts domain under /api/v1/facts/: list (with the page's filters), a fact with its
evidence, the batches, the Excel import (all or nothing, dry run) and export.

Handlers are thin: rows come from youfu.facts.selectors (the user's subtree), the import goes through
youfu.facts.imports and services. Subjects are named by unit code or employee number.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from youfu.api.serializers import ErrorItemSerializer, StrictSerializer
from youfu.facts import selectors
from youfu.facts.choices import SubjectKind
from youfu.facts.exports import facts_export
from youfu.facts.filters import FactFilter
from youfu.facts.imports import facts_import
from youfu.facts.models import Fact, FactBatch
from youfu.org.models import Period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@extend_schema_field(
    {"oneOf": [{"type": "string", "description": "a number, as exact decimal text"}, {"type": "boolean"}]}
)
class FactValueField(serializers.Field):
    """Numbers as exact decimal text ("93.35"), never a JSON float; yes/no as a boolean; text as text."""

    def to_representation(self, value: Any) -> Any:
        return value if isinstance(value, bool) else str(value)


class FactSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.code", read_only=True)
    subject = serializers.SerializerMethodField(help_text=_("Unit code or employee number."))
    subject_name = serializers.SerializerMethodField()
    value = FactValueField(read_only=True)
    batch_id = serializers.IntegerField(read_only=True)
    file_name = serializers.CharField(source="batch.file_name", read_only=True)
    source = serializers.CharField(source="batch.source", read_only=True)  # type: ignore[assignment]
    supersedes_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Fact
        fields = [
            "id",
            "period",
            "subject_kind",
            "subject",
            "subject_name",
            "name",
            "value_type",
            "value",
            "measure",
            "is_current",
            "supersedes_id",
            "batch_id",
            "source",
            "file_name",
            "row_number",
            "note",
            "created_at",
        ]
        read_only_fields = fields

    def get_subject(self, fact: Fact) -> str:
        return fact.person.employee_no if fact.person is not None else fact.unit.code if fact.unit else ""

    def get_subject_name(self, fact: Fact) -> str:
        subject = fact.subject
        return subject.name if subject is not None else ""


class EvidenceSerializer(serializers.Serializer):
    text = serializers.CharField(help_text=_("One sentence for people: where the value came from."))
    source = serializers.CharField()  # type: ignore[assignment]
    batch_id = serializers.IntegerField()
    file_name = serializers.CharField()
    sha256 = serializers.CharField()
    sheet = serializers.CharField()
    row_number = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    recorded_by = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class FactDetailSerializer(FactSerializer):
    evidence = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField(
        help_text=_("Every value of this subject, name and period, newest first.")
    )

    class Meta(FactSerializer.Meta):
        fields = [*FactSerializer.Meta.fields, "evidence", "history"]
        read_only_fields = fields

    @extend_schema_field(EvidenceSerializer)
    def get_evidence(self, fact: Fact) -> dict[str, Any] | None:
        evidence = selectors.fact_evidence(fact_ids=[fact.pk], user=self.context["request"].user).get(fact.pk)
        if evidence is None:
            return None
        return dict(EvidenceSerializer(evidence).data)

    @extend_schema_field(FactSerializer(many=True))
    def get_history(self, fact: Fact) -> list[dict[str, Any]]:
        history = selectors.fact_history(user=self.context["request"].user, fact=fact)
        return list(FactSerializer(history, many=True, context=self.context).data)


class FactBatchSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.code", read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = FactBatch
        fields = [
            "id",
            "source",
            "period",
            "file_name",
            "sha256",
            "sheet",
            "row_count",
            "created_count",
            "changed_count",
            "unchanged_count",
            "note",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class FactImportSerializer(StrictSerializer):
    file = serializers.FileField(help_text=_("The .xlsx file, laid out like the export."))
    period = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Period.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Period code, e.g. 2025Q3; else the file's 期间 column."),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text=_("Validate only: report what would change, write nothing.")
    )


class FactImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    period = serializers.CharField()
    subject_kind = serializers.ChoiceField(choices=SubjectKind.choices)
    names = serializers.ListField(child=serializers.CharField())
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    batch_id = serializers.IntegerField(
        allow_null=True, help_text=_("The batch written; null if nothing changed.")
    )
    same_file_batch_id = serializers.IntegerField(
        allow_null=True, help_text=_("When nothing changed: an earlier batch of this very file.")
    )
    errors = ErrorItemSerializer(  # type: ignore[assignment]
        many=True, help_text=_("Always empty: a file with errors is refused whole (400).")
    )
    warnings = serializers.ListField(child=serializers.CharField())


class FactExportQuerySerializer(serializers.Serializer):
    period = serializers.CharField(help_text=_("Period code (required): a file holds one period."))


@extend_schema_view(
    list=extend_schema(summary="List indicator data (current values)", responses=FactSerializer(many=True)),
    retrieve=extend_schema(summary="A value with its evidence and history", responses=FactDetailSerializer),
)
class FactViewSet(viewsets.GenericViewSet):
    queryset = Fact.objects.none()  # the model, for permissions and the schema; rows come from selectors
    serializer_class = FactSerializer
    filterset_class = FactFilter
    ordering_fields = ["name", "unit_path", "created_at", "period__start"]
    ordering = ["period__start", "name", "unit_path"]

    def get_queryset(self) -> QuerySet[Fact]:
        return selectors.fact_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        return self.get_paginated_response(FactSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        fact = selectors.fact_get(user=request.user, pk=pk)
        return Response(FactDetailSerializer(fact, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Import indicator data from Excel (all or nothing)",
        request={"multipart/form-data": FactImportSerializer},
        responses=FactImportResultSerializer,
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request) -> Response:
        data = FactImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        result = facts_import(
            actor=request.user,
            file=fields["file"],
            period=fields["period"],
            dry_run=fields["dry_run"],
            note=fields["note"],
        )
        return Response(
            {
                "dry_run": fields["dry_run"],
                "period": result.period,
                "subject_kind": result.subject_kind,
                "names": result.names,
                "rows": result.rows,
                "created": result.created,
                "changed": result.changed,
                "unchanged": result.unchanged,
                "batch_id": result.batch_id,
                "same_file_batch_id": result.same_file_batch_id,
                "errors": [],
                "warnings": [str(w) for w in result.warnings],
            }
        )

    @extend_schema(
        summary="Export one period's indicator data to Excel (same filters as the list; period required)",
        filters=True,
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description=_("An .xlsx workbook."))},
    )
    def export(self, request: Request) -> HttpResponse:
        rows = self.filter_queryset(self.get_queryset())
        code = request.query_params.get("period", "").strip()
        period = Period.objects.filter(code=code).first() if code else None
        if period is None:
            raise ValidationError(
                {"period": [_("Give the code of an existing period: a file holds one period.")]}
            )
        kind = request.query_params.get("subject_kind") or SubjectKind.UNIT
        content = facts_export(user=request.user, period=period, subject_kind=kind, queryset=rows)
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="facts-{period.code}.xlsx"'
        return response


@extend_schema_view(
    list=extend_schema(summary="List indicator data batches", responses=FactBatchSerializer(many=True)),
    retrieve=extend_schema(summary="A batch", responses=FactBatchSerializer),
)
class FactBatchViewSet(viewsets.GenericViewSet):
    queryset = FactBatch.objects.none()
    serializer_class = FactBatchSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[FactBatch]:
        return selectors.batch_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        return self.get_paginated_response(FactBatchSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(FactBatchSerializer(selectors.batch_get(user=request.user, pk=pk)).data)


# Routed by youfu.api.urls under /api/v1/facts/ (names in the "api" namespace: api:fact-list …).
urlpatterns = [
    path("export.xlsx", FactViewSet.as_view({"get": "export"}), name="fact-export"),
    path("import/", FactViewSet.as_view({"post": "import_file"}), name="fact-import-file"),
    path("batches/", FactBatchViewSet.as_view({"get": "list"}), name="factbatch-list"),
    path("batches/<int:pk>/", FactBatchViewSet.as_view({"get": "retrieve"}), name="factbatch-detail"),
    path("", FactViewSet.as_view({"get": "list"}), name="fact-list"),
    path("<int:pk>/", FactViewSet.as_view({"get": "retrieve"}), name="fact-detail"),
]
