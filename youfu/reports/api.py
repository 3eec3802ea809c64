"""REST API of the reports domain under /api/v1/reports/:

* `GET kpis/?period=2026-10&unit=CODE[&by=outlet]` — the scope's KPI values (value, target, band, colour
  and the counts behind each), and with by=outlet one line per outlet;
* `GET targets/?unit=CODE` — the targets in force at a unit and where each is set;
* `POST targets/` `{"unit", "kpi", "target", "amber_band", "note"}` — set a unit's target (service office);
* `DELETE targets/?unit=CODE&kpi=KEY` — remove it (the unit inherits again).

Numbers are exact decimal text. Only the caller's subtree (a unit outside it is a 404)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from youfu.accounts.access import require_perm
from youfu.api.serializers import StrictSerializer
from youfu.org.models import Period
from youfu.reports import selectors
from youfu.reports.choices import Kpi
from youfu.reports.forms import last_month
from youfu.reports.models import KpiTarget
from youfu.reports.services import target_clear, target_set


class KpiQuerySerializer(StrictSerializer):
    period = serializers.SlugRelatedField(slug_field="code", queryset=Period.objects.all(), required=False)
    unit = serializers.CharField(required=False, max_length=32)
    by = serializers.ChoiceField(
        choices=[("scope", _("The scope only")), ("outlet", _("Also per outlet"))],
        required=False,
        default="scope",
    )


class TargetSerializer(serializers.Serializer):
    kpi = serializers.CharField()
    target = serializers.DecimalField(max_digits=9, decimal_places=2, coerce_to_string=True)
    amber_band = serializers.DecimalField(max_digits=9, decimal_places=2, coerce_to_string=True)
    set_at = serializers.CharField(allow_null=True, help_text=_("Unit code where it is set; null = default."))
    seed = serializers.CharField(allow_blank=True)


class KpiValueSerializer(serializers.Serializer):
    kpi = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=True)
    measure = serializers.CharField()
    target = serializers.DecimalField(max_digits=9, decimal_places=2, coerce_to_string=True)
    amber_band = serializers.DecimalField(max_digits=9, decimal_places=2, coerce_to_string=True)
    rag = serializers.CharField(allow_null=True)
    inputs = serializers.DictField(child=serializers.CharField(allow_null=True))


class OutletKpisSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, coerce_to_string=True)
    kpis = KpiValueSerializer(many=True)


class KpisSerializer(serializers.Serializer):
    unit = serializers.CharField(allow_null=True)
    start = serializers.DateField()
    end = serializers.DateField()
    kpis = KpiValueSerializer(many=True)
    outlets = OutletKpisSerializer(many=True)


class TargetSetSerializer(StrictSerializer):
    unit = serializers.CharField(max_length=32)
    kpi = serializers.ChoiceField(choices=Kpi.choices)
    target = serializers.DecimalField(max_digits=9, decimal_places=2)
    amber_band = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


def _value(v: selectors.KpiValue) -> dict[str, Any]:
    return {
        "kpi": v.kpi,
        "label": v.label,
        "value": v.value,
        "measure": v.measure,
        "target": v.target.target,
        "amber_band": v.target.band,
        "rag": v.rag,
        "inputs": {k: None if n is None else str(n) for k, n in v.inputs.items()},
    }


def _target(t: selectors.Target) -> dict[str, Any]:
    return {
        "kpi": t.kpi,
        "target": t.target,
        "amber_band": t.band,
        "set_at": t.unit.code if t.unit else None,
        "seed": t.seed,
    }


class KpisView(APIView):
    queryset = KpiTarget.objects.none()

    @extend_schema(
        summary="Service KPIs of a scope and period",
        parameters=[KpiQuerySerializer],
        responses=KpisSerializer,
    )
    def get(self, request: Request) -> Response:
        require_perm(request.user, "reports.view_dashboard")
        query = KpiQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        period = params.get("period")
        start, end = (period.start, period.end) if period else last_month(timezone.localdate())
        unit = selectors.scope_unit(user=request.user, code=params.get("unit"))
        board = selectors.board(
            user=request.user, unit=unit, start=start, end=end, with_outlets=params["by"] == "outlet"
        )
        data = {
            "unit": unit.code if unit else None,
            "start": start,
            "end": end,
            "kpis": [_value(t) for t in board.tiles],
            "outlets": [
                {
                    "code": r.unit.code,
                    "name": r.unit.name,
                    "score": r.score,
                    "kpis": [_value(r.values[k]) for k in Kpi.values],
                }
                for r in board.outlets
            ],
        }
        return Response(KpisSerializer(data).data)


class TargetsView(APIView):
    queryset = KpiTarget.objects.none()

    def _unit(self, request: Request, code: str | None) -> Any:
        unit = selectors.scope_unit(user=request.user, code=code)
        if unit is None:
            raise Http404
        return unit

    @extend_schema(summary="KPI targets in force at a unit", responses=TargetSerializer(many=True))
    def get(self, request: Request) -> Response:
        require_perm(request.user, "reports.view_dashboard")
        unit = self._unit(request, request.query_params.get("unit"))
        return Response(
            TargetSerializer([_target(t) for t in selectors.targets_for(unit).values()], many=True).data
        )

    @extend_schema(
        summary="Set a unit's KPI target", request=TargetSetSerializer, responses={201: TargetSerializer}
    )
    def post(self, request: Request) -> Response:
        require_perm(request.user, "reports.change_kpitarget")
        data = TargetSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        unit = self._unit(request, params["unit"])
        target_set(
            actor=request.user,
            unit=unit,
            kpi=params["kpi"],
            target=params["target"],
            amber_band=params["amber_band"],
            note=params["note"],
        )
        return Response(
            TargetSerializer(_target(selectors.targets_for(unit)[params["kpi"]])).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(summary="Remove a unit's KPI target (it inherits again)", responses={204: None})
    def delete(self, request: Request) -> Response:
        require_perm(request.user, "reports.change_kpitarget")
        kpi = request.query_params.get("kpi", "")
        if kpi not in Kpi.values:
            raise ValidationError({"kpi": [_("Unknown KPI.")]})
        unit = self._unit(request, request.query_params.get("unit"))
        target_clear(actor=request.user, unit=unit, kpi=kpi)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("kpis/", KpisView.as_view(), name="reports-kpis"),
    path("targets/", TargetsView.as_view(), name="reports-targets"),
]
