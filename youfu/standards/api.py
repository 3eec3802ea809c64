"""REST API of the standards domain, routed by youfu.api.urls under /api/v1/standards/ (names in the "api"
namespace: api:standard-list …). Handlers are thin: rows come from youfu.standards.selectors (the user's
line: their subtree and the units above), writes go through youfu.standards.services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from youfu.api.serializers import StrictSerializer, UnitCodeField
from youfu.core.errors import ApplicationError
from youfu.org.api import PaginatedMixin
from youfu.standards import exports, imports, scoring, selectors, services, structure
from youfu.standards.choices import ScoreRule, StandardKind
from youfu.standards.filters import StandardFilter
from youfu.standards.models import Item, Section, Standard, StandardVersion

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class VersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = StandardVersion
        fields = ["id", "number", "status", "score_rule", "max_score", "published_at"]
        read_only_fields = fields


class StandardSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    owner = serializers.CharField(source="owner.code", read_only=True, help_text=_("Code of the owner unit."))
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    versions = VersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Standard
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_label",
            "owner",
            "owner_name",
            "description",
            "versions",
        ]
        read_only_fields = fields


class StandardCreateSerializer(StrictSerializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=128)
    kind = serializers.ChoiceField(choices=StandardKind.choices)
    owner = UnitCodeField(help_text=_("Code of the unit whose subtree uses the standard."))
    description = serializers.CharField(required=False, allow_blank=True, default="")
    score_rule = serializers.ChoiceField(
        choices=ScoreRule.choices, required=False, default=ScoreRule.DEDUCTIONS
    )
    max_score = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, default=Decimal(100)
    )


class SectionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Section
        fields = ["code", "name", "points", "parent", "note"]
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.code", read_only=True)

    class Meta:
        model = Item
        fields = [
            "code",
            "section",
            "text",
            "kind",
            "points",
            "max_occurrences",
            "n",
            "na_allowed",
            "aspect",
            "key_item",
            "red_line",
            "red_line_cap",
            "note",
        ]
        read_only_fields = fields


class LevelSerializer(serializers.Serializer):
    min = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class VersionSerializer(serializers.ModelSerializer):
    standard = serializers.CharField(source="standard.code", read_only=True)
    levels = LevelSerializer(many=True, read_only=True)
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)
    computed_warnings = serializers.SerializerMethodField(
        help_text=_("What the structure itself shows: sections that do not add up, deductions above a cap.")
    )
    sections = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    class Meta:
        model = StandardVersion
        fields = [
            "id",
            "standard",
            "number",
            "status",
            "score_rule",
            "max_score",
            "levels",
            "warnings",
            "computed_warnings",
            "published_at",
            "sections",
            "items",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_computed_warnings(self, version: StandardVersion) -> list[str]:
        return selectors.version_warnings(version=version)[len(version.warnings) :]

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, version: StandardVersion) -> Any:
        return SectionSerializer(selectors.version_sections(version=version), many=True).data

    @extend_schema_field(ItemSerializer(many=True))
    def get_items(self, version: StandardVersion) -> Any:
        return ItemSerializer(selectors.version_items(version=version), many=True).data


class ContentSerializer(StrictSerializer):
    """A draft's whole content, in the layout of the data files (reference/*.yaml)."""

    rule = serializers.ChoiceField(choices=ScoreRule.choices, required=False, default=ScoreRule.DEDUCTIONS)
    max_score = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, default=Decimal(100)
    )
    levels = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    warnings = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    sections = serializers.ListField(
        child=serializers.DictField(),
        help_text=_(
            "Sections: code, name, points, note, items (code, text, kind, points, max_occurrences, n, na, "
            "tags, red_line, red_line_cap, note) and sub-sections."
        ),
    )


class ScoreRequestSerializer(StrictSerializer):
    results = serializers.DictField(
        child=serializers.JSONField(),
        help_text=_(
            "Item code → result: pass/fail/na for a pass/fail item, a number of occurrences for a deduction "
            "item, a score for a score item, na for an item that may be not applicable."
        ),
    )


class SectionScoreSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    points = serializers.DecimalField(max_digits=12, decimal_places=2)
    applicable = serializers.DecimalField(max_digits=12, decimal_places=2)
    lost = serializers.DecimalField(max_digits=12, decimal_places=2)
    score = serializers.DecimalField(max_digits=12, decimal_places=2)
    capped = serializers.BooleanField()
    zeroed = serializers.BooleanField()
    parent = serializers.CharField(allow_null=True)  # type: ignore[assignment]


class DeductionSerializer(serializers.Serializer):
    item = serializers.CharField()
    section = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    occurrences = serializers.IntegerField(allow_null=True)


class RedLineHitSerializer(serializers.Serializer):
    item = serializers.CharField()
    section = serializers.CharField()
    effect = serializers.CharField()
    cap = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class ScoreResultSerializer(serializers.Serializer):
    rule = serializers.CharField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    max_score = serializers.DecimalField(max_digits=12, decimal_places=2)
    denominator = serializers.DecimalField(max_digits=12, decimal_places=2)
    raw = serializers.DecimalField(max_digits=12, decimal_places=2)
    level = serializers.CharField(allow_null=True)
    sections = SectionScoreSerializer(many=True)
    deductions = DeductionSerializer(many=True)
    caps_hit = serializers.ListField(child=serializers.CharField())
    red_lines = RedLineHitSerializer(many=True)
    not_applicable = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())


class StandardImportSerializer(StrictSerializer):
    file = serializers.FileField(help_text=_("The .xlsx file, laid out like the export."))
    dry_run = serializers.BooleanField(required=False, default=False)
    publish = serializers.BooleanField(
        required=False, default=False, help_text=_("Publish the imported version.")
    )


class StandardImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    code = serializers.CharField()
    version = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["created", "new_version", "updated", "unchanged"])
    published = serializers.BooleanField()
    warnings = serializers.ListField(child=serializers.CharField())


class ViewStandards(BasePermission):
    """Scoring results changes nothing: reading the standard is enough."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and request.user.has_perm("standards.view_standardversion")
        )


@extend_schema_view(
    list=extend_schema(summary="List standards", responses=StandardSerializer(many=True)),
    retrieve=extend_schema(summary="Get a standard with its versions", responses=StandardSerializer),
    create=extend_schema(
        summary="Create a standard (with an empty draft version 1)",
        request=StandardCreateSerializer,
        responses={201: StandardSerializer},
    ),
)
class StandardViewSet(PaginatedMixin, viewsets.GenericViewSet):
    queryset = Standard.objects.none()
    serializer_class = StandardSerializer
    filterset_class = StandardFilter
    ordering_fields = ["code", "name", "kind"]
    ordering = ["code"]

    def get_queryset(self) -> QuerySet[Standard]:
        return selectors.standard_list(user=self.request.user).prefetch_related("versions")

    def list(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), StandardSerializer)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(StandardSerializer(selectors.standard_get(user=request.user, pk=pk)).data)

    def create(self, request: Request) -> Response:
        data = StandardCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        standard = services.standard_create(actor=request.user, **data.validated_data)
        return Response(StandardSerializer(standard).data, status=201)

    @extend_schema(
        summary="Import a standard from Excel (all or nothing)",
        request={"multipart/form-data": StandardImportSerializer},
        responses=StandardImportResultSerializer,
    )
    def import_file(self, request: Request) -> Response:
        data = StandardImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        result = imports.standard_import(
            actor=request.user, file=fields["file"], dry_run=fields["dry_run"], publish=fields["publish"]
        )
        return Response(
            {
                "dry_run": fields["dry_run"],
                "code": result.code,
                "version": result.version_number,
                "outcome": result.outcome,
                "published": result.published,
                "warnings": [str(w) for w in result.warnings],
            }
        )


@extend_schema_view(
    retrieve=extend_schema(
        summary="Get a version: rule, levels, warnings, sections and items", responses=VersionSerializer
    ),
)
class StandardVersionViewSet(viewsets.GenericViewSet):
    queryset = StandardVersion.objects.none()
    serializer_class = VersionSerializer

    def get_object(self) -> StandardVersion:
        return selectors.standard_version_get(user=self.request.user, pk=self.kwargs["pk"])

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(VersionSerializer(self.get_object()).data)

    @extend_schema(
        summary="Publish a draft version (it never changes afterwards)",
        request=None,
        responses=VersionSerializer,
    )
    def publish(self, request: Request, pk: str) -> Response:
        version = services.standard_version_publish(actor=request.user, version=self.get_object())
        return Response(VersionSerializer(version).data)

    @extend_schema(
        summary="Start a new draft version as a copy of this one",
        request=None,
        responses={201: VersionSerializer},
    )
    def copy(self, request: Request, pk: str) -> Response:
        version = services.standard_version_copy(actor=request.user, version=self.get_object())
        return Response(VersionSerializer(version).data, status=201)

    @extend_schema(
        summary="Replace the content of a draft version",
        request=ContentSerializer,
        responses=VersionSerializer,
    )
    def content(self, request: Request, pk: str) -> Response:
        version = self.get_object()
        data = ContentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if version.status != "draft":
            raise ApplicationError(
                str(_("A published version cannot change: start a new version to edit it.")),
                code="version_published",
            )
        standard = version.standard
        content = structure.from_mapping(
            {
                "code": standard.code,
                "name": standard.name,
                "kind": standard.kind,
                "description": standard.description,
                **dict(data.validated_data),
            }
        )
        result = services.standard_save(actor=request.user, data=content, source="api")
        return Response(VersionSerializer(result.version).data)

    @extend_schema(
        summary="Score item results with this version (computes, saves nothing)",
        request=ScoreRequestSerializer,
        responses=ScoreResultSerializer,
    )
    def score(self, request: Request, pk: str) -> Response:
        version = self.get_object()
        data = ScoreRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        results = selectors.parse_results(version=version, values=data.validated_data["results"])
        outcome = selectors.version_score(version=version, results=results)
        return Response(ScoreResultSerializer(_score_dict(outcome)).data)

    @extend_schema(
        summary="Export the version to Excel (the import layout)",
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description=_("An .xlsx workbook."))},
    )
    def export(self, request: Request, pk: str) -> HttpResponse:
        version = self.get_object()
        response = HttpResponse(exports.standard_export(version=version), content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="{version.standard.code}-v{version.number}.xlsx"'
        )
        return response


def _score_dict(result: scoring.ScoreResult) -> dict[str, Any]:
    return {
        "rule": result.rule,
        "total": result.total,
        "max_score": result.max_score,
        "denominator": result.denominator,
        "raw": result.raw,
        "level": result.level,
        "sections": [s.__dict__ for s in result.sections],
        "deductions": [d.__dict__ for d in result.deductions],
        "caps_hit": list(result.caps_hit),
        "red_lines": [r.__dict__ for r in result.red_lines],
        "not_applicable": list(result.not_applicable),
        "notes": list(result.notes),
    }


# Routed by youfu.api.urls under /api/v1/standards/.
urlpatterns = [
    path("", StandardViewSet.as_view({"get": "list", "post": "create"}), name="standard-list"),
    path("import/", StandardViewSet.as_view({"post": "import_file"}), name="standard-import-file"),
    path("<int:pk>/", StandardViewSet.as_view({"get": "retrieve"}), name="standard-detail"),
    path(
        "versions/<int:pk>/",
        StandardVersionViewSet.as_view({"get": "retrieve"}),
        name="standardversion-detail",
    ),
    path(
        "versions/<int:pk>/publish/",
        StandardVersionViewSet.as_view({"post": "publish"}),
        name="standardversion-publish",
    ),
    path(
        "versions/<int:pk>/copy/",
        StandardVersionViewSet.as_view({"post": "copy"}),
        name="standardversion-copy",
    ),
    path(
        "versions/<int:pk>/content/",
        StandardVersionViewSet.as_view({"put": "content"}),
        name="standardversion-content",
    ),
    path(
        "versions/<int:pk>/score/",
        StandardVersionViewSet.as_view({"post": "score"}, permission_classes=[ViewStandards]),
        name="standardversion-score",
    ),
    path(
        "versions/<int:pk>/export.xlsx",
        StandardVersionViewSet.as_view({"get": "export"}),
        name="standardversion-export",
    ),
]
