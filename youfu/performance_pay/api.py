"""REST API of the pay pools, routed by youfu.api.urls under /api/v1/performance-pay/ (names in the "api"
namespace: api:performance-pay-pool-list …). Rows come from youfu.performance_pay.selectors (whole
pools of the subtree for the service office, the panel and auditors; one's own line otherwise);
writes go through youfu.performance_pay.services."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from youfu.api.serializers import StrictSerializer
from youfu.core.errors import ApplicationError
from youfu.org.api import PaginatedMixin
from youfu.org.models import Period, Unit
from youfu.performance_pay import payroll, selectors, services
from youfu.performance_pay.choices import ImportKind
from youfu.performance_pay.imports import read_rows, template_workbook
from youfu.performance_pay.models import AllocationLine, Pool

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ViewPay(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and (user.has_perm(selectors.VIEW) or user.has_perm(selectors.OWN))
        )


class PayPoolSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)
    period = serializers.CharField(source="period.code", read_only=True)
    policy = serializers.CharField(source="policy_version.policy", read_only=True)
    policy_version = serializers.IntegerField(source="policy_version.version", read_only=True)

    class Meta:
        model = Pool
        fields = ["id", "unit", "period", "total", "comparison", "policy", "policy_version", "created_at"]
        read_only_fields = fields


class PayLineSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.employee_no", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = AllocationLine
        fields = [
            "person",
            "person_name",
            "unit",
            "priced",
            "stock",
            "increment",
            "department",
            "evaluation",
            "total",
            "explanation",
        ]
        read_only_fields = fields


class PayShareSerializer(serializers.Serializer):
    rule = serializers.CharField()
    weight = serializers.CharField()
    budget = serializers.CharField()
    paid = serializers.CharField()
    undistributed = serializers.CharField()
    formula = serializers.CharField()
    seed = serializers.CharField()


class PayAllocationSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    shares = PayShareSerializer(many=True, help_text="empty for someone who sees only their own line")
    warnings = serializers.ListField(child=serializers.CharField())
    lines = PayLineSerializer(many=True)


class PayPoolIn(StrictSerializer):
    unit = serializers.CharField(help_text="unit code")
    period = serializers.CharField(help_text="quarter code, e.g. 2026Q1")
    total = serializers.CharField(help_text="yuan, to the fen")
    comparison = serializers.CharField(required=False, allow_blank=True, default="")


class PayImportIn(StrictSerializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)


class PayImportOut(serializers.Serializer):
    rows = serializers.IntegerField()
    changed = serializers.IntegerField()
    batch = serializers.IntegerField(allow_null=True)


class Base(PaginatedMixin, viewsets.GenericViewSet):
    permission_classes = [ViewPay]
    queryset = Pool.objects.none()  # rows come from the selectors


class PoolViewSet(Base):
    @extend_schema(responses=PayPoolSerializer(many=True))
    def list(self, request: Request) -> Response:
        return self.paginated(selectors.pool_list(user=request.user), PayPoolSerializer)

    @extend_schema(request=PayPoolIn, responses={201: PayPoolSerializer})
    def create(self, request: Request) -> Response:
        data = PayPoolIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        unit = Unit.objects.filter(code=values["unit"]).first()
        period = Period.objects.filter(code=values["period"]).first()
        if unit is None:
            raise ApplicationError("unknown unit", code="unknown_unit", field="unit")
        if period is None:
            raise ApplicationError("unknown period", code="unknown_period", field="period")
        pool = services.pool_create(
            actor=request.user,
            unit=unit,
            period=period,
            total=values["total"],
            comparison=values["comparison"],
        )
        return Response(PayPoolSerializer(pool).data, status=201)

    @extend_schema(responses=PayPoolSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(PayPoolSerializer(selectors.pool_get(user=request.user, pk=pk)).data)

    @extend_schema(responses=PayAllocationSerializer)
    def allocation(self, request: Request, pk: int) -> Response:
        """The current allocation: every line of the pool, or only the caller's own."""
        pool = selectors.pool_get(user=request.user, pk=pk)
        allocation = selectors.current_allocation(pool=pool)
        if allocation is None:
            raise Http404
        full = selectors.sees_all(request.user, pool)
        data = {
            "version": allocation.version,
            "computed_at": allocation.computed_at,
            "shares": allocation.shares if full else [],
            "warnings": allocation.warnings if full else [],
            "lines": selectors.line_list(user=request.user, allocation=allocation),
        }
        return Response(PayAllocationSerializer(data).data)

    @extend_schema(request={"multipart/form-data": PayImportIn}, responses=PayImportOut)
    def import_inputs(self, request: Request, pk: int, kind: str) -> Response:
        pool = selectors.pool_get(user=request.user, pk=pk)
        if kind not in ImportKind.values:
            raise Http404
        data = PayImportIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        content = upload.read()
        outcome = services.inputs_import(
            actor=request.user,
            pool=pool,
            kind=kind,
            rows=read_rows(content, kind, upload.name),
            file_name=upload.name,
            content=content,
            dry_run=data.validated_data["dry_run"],
        )
        return Response(
            {
                "rows": outcome.rows,
                "changed": outcome.changed,
                "batch": outcome.batch.pk if outcome.batch else None,
            }
        )

    @extend_schema(request=None, responses=PayAllocationSerializer)
    def compute(self, request: Request, pk: int) -> Response:
        pool = selectors.pool_get(user=request.user, pk=pk)
        services.pool_compute(actor=request.user, pool=pool)
        return self.allocation(request, pk)

    @extend_schema(responses={(200, XLSX): bytes})
    def payroll(self, request: Request, pk: int) -> HttpResponse:
        """The payroll sheet (Excel): the whole pool with its total row, or the caller's own line."""
        pool = selectors.pool_get(user=request.user, pk=pk)
        sheet = payroll.payroll_build(user=request.user, pool=pool)
        if sheet is None:
            raise Http404
        response = HttpResponse(payroll.payroll_workbook(sheet), content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="payroll-{pool.period.code}-{pool.unit.code}.xlsx"'
        )
        return response

    @extend_schema(responses={(200, XLSX): bytes})
    def template(self, request: Request, kind: str) -> HttpResponse:
        if kind not in ImportKind.values:
            raise Http404
        response = HttpResponse(template_workbook(kind), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="performance-pay-{kind}.xlsx"'
        return response


urlpatterns = [
    path("pools/", PoolViewSet.as_view({"get": "list", "post": "create"}), name="performance-pay-pool-list"),
    path(
        "pools/template/<str:kind>.xlsx",
        PoolViewSet.as_view({"get": "template"}),
        name="performance-pay-template",
    ),
    path("pools/<int:pk>/", PoolViewSet.as_view({"get": "retrieve"}), name="performance-pay-pool-detail"),
    path(
        "pools/<int:pk>/allocation/",
        PoolViewSet.as_view({"get": "allocation"}),
        name="performance-pay-allocation",
    ),
    path(
        "pools/<int:pk>/import/<str:kind>/",
        PoolViewSet.as_view({"post": "import_inputs"}, parser_classes=[MultiPartParser, FormParser]),
        name="performance-pay-import",
    ),
    path("pools/<int:pk>/compute/", PoolViewSet.as_view({"post": "compute"}), name="performance-pay-compute"),
    path(
        "pools/<int:pk>/payroll.xlsx", PoolViewSet.as_view({"get": "payroll"}), name="performance-pay-payroll"
    ),
]
