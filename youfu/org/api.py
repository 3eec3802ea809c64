"""REST API of the org domain: units, people and their moves, periods, and their Excel import/export.

Handlers are thin: rows come from youfu.org.selectors (always the user's subtree), writes go through
youfu.org.services, and a unit is named by its code everywhere (in bodies, filters and answers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from youfu.api.serializers import ErrorItemSerializer, StrictSerializer, UnitCodeField
from youfu.org import selectors, services
from youfu.org.choices import Gender, Position, UnitKind
from youfu.org.exports import people_export, units_export
from youfu.org.filters import PeriodFilter, PersonFilter, UnitFilter
from youfu.org.imports import ImportResult, people_import, units_import
from youfu.org.models import Period, Person, PersonMove, Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _parent_path(unit: Unit) -> str:
    return unit.path[: -Unit.steplen]


def _parent_codes(units: Iterable[Unit]) -> dict[str, str]:
    """Codes of the parents of a page of units, in one query (path → code)."""
    paths = {_parent_path(unit) for unit in units if unit.depth > 1}
    return dict(Unit.objects.filter(path__in=paths).values_list("path", "code")) if paths else {}


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Serializers -----------------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    # Declared fields are popped from the class by DRF, so `parent` does not shadow Field.parent.
    parent = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text=_("Code of the parent unit; null at the top.")
    )
    children_count = serializers.IntegerField(source="numchild", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_label",
            "parent",
            "depth",
            "children_count",
            "region",
            "province",
            "address",
            "is_active",
        ]
        read_only_fields = fields

    def get_parent(self, unit: Unit) -> str | None:
        if unit.depth <= 1:
            return None
        codes: dict[str, str] | None = self.context.get("parent_codes")
        if codes is None:
            codes = _parent_codes([unit])
        return codes.get(_parent_path(unit))


class UnitTreeNodeSerializer(UnitSerializer):
    head_count = serializers.IntegerField(read_only=True, help_text=_("Active people directly in the unit."))

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "head_count"]
        read_only_fields = fields


class UnitChildSerializer(UnitTreeNodeSerializer):
    subtree_count = serializers.IntegerField(
        read_only=True, help_text=_("Active people in the unit and below.")
    )

    class Meta(UnitTreeNodeSerializer.Meta):
        fields = [*UnitTreeNodeSerializer.Meta.fields, "subtree_count"]
        read_only_fields = fields


class UnitCreateSerializer(StrictSerializer):
    parent = UnitCodeField(allow_null=True, help_text=_("Code of the parent unit (null: a new head office)."))  # type: ignore[assignment]
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=128)
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    region = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    province = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class UnitUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=128, required=False)
    region = serializers.CharField(max_length=64, required=False, allow_blank=True)
    province = serializers.CharField(max_length=64, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class PersonSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(
        source="unit.code", read_only=True, help_text=_("Code of the person's unit.")
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    position_label = serializers.CharField(source="get_position_display", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "employee_no",
            "name",
            "unit",
            "unit_id",
            "unit_name",
            "position",
            "position_label",
            "gender",
            "hire_date",
            "birth_date",
            "teller_grade",
            "phone",
            "is_active",
        ]
        read_only_fields = fields


class PersonCreateSerializer(StrictSerializer):
    employee_no = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=64)
    unit = UnitCodeField(help_text=_("Code of the unit the person belongs to."))
    position = serializers.ChoiceField(choices=Position.choices)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True, default="")
    hire_date = serializers.DateField(required=False, allow_null=True, default=None)
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    teller_grade = serializers.IntegerField(
        min_value=1, max_value=6, required=False, allow_null=True, default=None
    )
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class PersonUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=64, required=False)
    position = serializers.ChoiceField(choices=Position.choices, required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    hire_date = serializers.DateField(required=False, allow_null=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    teller_grade = serializers.IntegerField(min_value=1, max_value=6, required=False, allow_null=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class PersonMoveSerializer(serializers.ModelSerializer):
    from_unit = serializers.CharField(source="from_unit.code", read_only=True, allow_null=True, default=None)
    from_unit_name = serializers.CharField(
        source="from_unit.name", read_only=True, allow_null=True, default=None
    )
    to_unit = serializers.CharField(source="to_unit.code", read_only=True)
    to_unit_name = serializers.CharField(source="to_unit.name", read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = PersonMove
        fields = [
            "id",
            "person_id",
            "from_unit",
            "from_unit_name",
            "to_unit",
            "to_unit_name",
            "from_position",
            "to_position",
            "effective_date",
            "reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class PersonMoveCreateSerializer(StrictSerializer):
    to_unit = UnitCodeField(help_text=_("Code of the unit the person moves to."))
    effective_date = serializers.DateField()
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    to_position = serializers.ChoiceField(
        choices=Position.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The new position; empty keeps the current one."),
    )


class PeriodSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Period
        fields = ["id", "code", "name", "kind", "kind_label", "start", "end"]
        read_only_fields = fields


class PeriodEnsureYearSerializer(StrictSerializer):
    year = serializers.IntegerField()


class ImportSerializer(StrictSerializer):
    file = serializers.FileField(help_text=_("The .xlsx file, laid out like the export."))
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text=_("Validate only: report what would change, write nothing.")
    )


class ImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = ErrorItemSerializer(  # type: ignore[assignment]
        many=True, help_text=_("Always empty: a file with errors is refused whole (400).")
    )
    warnings = serializers.ListField(
        child=serializers.CharField(), help_text=_("What was ignored, e.g. unknown columns.")
    )


# --- Views -----------------------------------------------------------------------------------------


class PaginatedMixin:
    """One paginated answer from a queryset or a list (selectors return either)."""

    def paginated(
        self,
        rows: Sequence[Any] | QuerySet[Any],
        serializer_class: type[serializers.Serializer],
        **context: Any,
    ) -> Response:
        page = self.paginate_queryset(rows)  # type: ignore[attr-defined]
        assert page is not None  # every view has DEFAULT_PAGINATION_CLASS
        ctx = {**self.get_serializer_context(), **self.page_context(page), **context}  # type: ignore[attr-defined]
        data = serializer_class(page, many=True, context=ctx).data
        response: Response = self.get_paginated_response(data)  # type: ignore[attr-defined]
        return response

    def page_context(self, page: list[Any]) -> dict[str, Any]:
        """Extra serializer context computed once for the whole page (instead of a query per row)."""
        return {}


@extend_schema_view(
    list=extend_schema(summary="List units", responses=UnitSerializer(many=True)),
    retrieve=extend_schema(summary="Get a unit", responses=UnitSerializer),
    create=extend_schema(
        summary="Create a unit", request=UnitCreateSerializer, responses={201: UnitSerializer}
    ),
    partial_update=extend_schema(
        summary="Change a unit", request=UnitUpdateSerializer, responses=UnitSerializer
    ),
)
class UnitViewSet(PaginatedMixin, viewsets.GenericViewSet):
    # Model for permissions and the schema only; rows come from the selectors (the user's subtree).
    queryset = Unit.objects.none()
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    ordering_fields = ["path", "code", "name", "kind", "region", "province", "depth"]
    ordering = ["path"]

    def get_queryset(self) -> QuerySet[Unit]:
        return selectors.unit_list(user=self.request.user)

    def get_object(self) -> Unit:
        return selectors.unit_get(user=self.request.user, pk=self.kwargs["pk"])

    def page_context(self, page: list[Any]) -> dict[str, Any]:
        return {"parent_codes": _parent_codes(page)}

    def list(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), UnitSerializer)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(UnitSerializer(self.get_object(), context=self.get_serializer_context()).data)

    def create(self, request: Request) -> Response:
        data = UnitCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        unit = services.unit_create(actor=request.user, **data.validated_data)
        return Response(UnitSerializer(unit, context=self.get_serializer_context()).data, status=201)

    def partial_update(self, request: Request, pk: str) -> Response:
        unit = self.get_object()
        data = UnitUpdateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        unit = services.unit_update(actor=request.user, unit=unit, data=dict(data.validated_data))
        return Response(UnitSerializer(unit, context=self.get_serializer_context()).data)

    @extend_schema(summary="Child units, with head counts", responses=UnitChildSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def children(self, request: Request, pk: str) -> Response:
        unit = self.get_object()
        return self.paginated(selectors.unit_children(user=request.user, unit=unit), UnitChildSerializer)

    @extend_schema(
        summary="The visible tree, flat in tree order",
        description="Units in depth-first order (each after its parent), with their depth and head count.",
        responses=UnitTreeNodeSerializer(many=True),
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def tree(self, request: Request) -> Response:
        return self.paginated(selectors.unit_tree(user=request.user), UnitTreeNodeSerializer)

    @extend_schema(
        summary="Export the visible units to Excel",
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description=_("An .xlsx workbook."))},
    )
    def export(self, request: Request) -> HttpResponse:
        return _xlsx_response(units_export(user=request.user), "units.xlsx")

    @extend_schema(
        summary="Import units from Excel (all or nothing)",
        request={"multipart/form-data": ImportSerializer},
        responses=ImportResultSerializer,
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request) -> Response:
        return _import_response(request, units_import)


def _import_response(request: Request, run: Callable[..., ImportResult]) -> Response:
    """Both import endpoints: validate the upload, run the all-or-nothing import, report the counts."""
    data = ImportSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    dry_run = data.validated_data["dry_run"]
    result = run(actor=request.user, file=data.validated_data["file"], dry_run=dry_run)
    return Response(_import_result(result, dry_run=dry_run))


def _import_result(result: ImportResult, *, dry_run: bool) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "errors": [detail.as_dict() for detail in result.errors],
        "warnings": [str(warning) for warning in result.warnings],
    }


@extend_schema_view(
    list=extend_schema(summary="List people", responses=PersonSerializer(many=True)),
    retrieve=extend_schema(summary="Get a person", responses=PersonSerializer),
    create=extend_schema(
        summary="Add a person", request=PersonCreateSerializer, responses={201: PersonSerializer}
    ),
    partial_update=extend_schema(
        summary="Change a person's details (not their unit: that is a move)",
        request=PersonUpdateSerializer,
        responses=PersonSerializer,
    ),
)
class PersonViewSet(PaginatedMixin, viewsets.GenericViewSet):
    queryset = Person.objects.none()
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ["employee_no", "name", "position", "teller_grade", "hire_date", "unit__path"]
    ordering = ["employee_no"]

    def get_queryset(self) -> QuerySet[Person]:
        return selectors.person_list(user=self.request.user)

    def get_object(self) -> Person:
        return selectors.person_get(user=self.request.user, pk=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), PersonSerializer)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(PersonSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        data = PersonCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        person = services.person_create(actor=request.user, **data.validated_data)
        return Response(PersonSerializer(person).data, status=201)

    def partial_update(self, request: Request, pk: str) -> Response:
        person = self.get_object()
        data = PersonUpdateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        person = services.person_update(actor=request.user, person=person, data=dict(data.validated_data))
        return Response(PersonSerializer(selectors.person_get(user=request.user, pk=person.pk)).data)

    @extend_schema(
        methods=["GET"], summary="A person's moves, newest first", responses=PersonMoveSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"],
        summary="Move a person to another unit",
        request=PersonMoveCreateSerializer,
        responses={201: PersonMoveSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def moves(self, request: Request, pk: str) -> Response:
        person = self.get_object()
        if request.method == "GET":
            return self.paginated(
                selectors.person_moves(user=request.user, person=person), PersonMoveSerializer
            )
        data = PersonMoveCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        move = services.person_move(
            actor=request.user,
            person=person,
            to_unit=fields["to_unit"],
            effective_date=fields["effective_date"],
            reason=fields["reason"],
            to_position=fields["to_position"] or None,
        )
        return Response(PersonMoveSerializer(move).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Export the visible people to Excel (same filters as the list)",
        filters=True,
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description=_("An .xlsx workbook."))},
    )
    def export(self, request: Request) -> HttpResponse:
        rows = self.filter_queryset(self.get_queryset())
        return _xlsx_response(people_export(user=request.user, queryset=rows), "people.xlsx")

    @extend_schema(
        summary="Import people from Excel (all or nothing)",
        request={"multipart/form-data": ImportSerializer},
        responses=ImportResultSerializer,
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request) -> Response:
        return _import_response(request, people_import)


@extend_schema_view(
    list=extend_schema(summary="List periods", responses=PeriodSerializer(many=True)),
    retrieve=extend_schema(summary="Get a period", responses=PeriodSerializer),
)
class PeriodViewSet(PaginatedMixin, viewsets.GenericViewSet):
    queryset = Period.objects.none()
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilter
    ordering_fields = ["start", "end", "code", "kind"]
    ordering = ["start", "end", "code"]

    def get_queryset(self) -> QuerySet[Period]:
        return selectors.period_list()

    def list(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), PeriodSerializer)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(PeriodSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(
        summary="Create the year's months, quarters, halves and the year (idempotent)",
        request=PeriodEnsureYearSerializer,
        responses=PeriodSerializer(many=True),
    )
    @action(detail=False, methods=["post"], url_path="ensure-year", filter_backends=[], pagination_class=None)
    def ensure_year(self, request: Request) -> Response:
        data = PeriodEnsureYearSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        periods = services.period_ensure_year(actor=request.user, year=data.validated_data["year"])
        return Response(PeriodSerializer(periods, many=True).data)
