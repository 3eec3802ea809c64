"""REST API of the star-tellers domain under /api/v1/star-tellers/:

* `GET ?period=2026-10[&unit=CODE][&min_level=1]` — the month's star levels in the caller's subtree
  (level, inputs, money, explanation link), the tellers left out, the policy's open questions;
* `GET people/{id}/` — a person's star levels, newest month first (404 outside the subtree);
* `POST compute/` `{"period": "2026-10"}` — compute the month (service office of the head office or a
  branch); `POST publish/` `{"period": …}` — freeze it.

Handlers are thin: reads through youfu.star_tellers.selectors, writes through its services.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from youfu.accounts.access import require_perm, restrict, visible_units
from youfu.api.serializers import StrictSerializer
from youfu.org.choices import PeriodKind
from youfu.org.models import Period, Person
from youfu.star_tellers import selectors
from youfu.star_tellers.choices import MAX_LEVEL
from youfu.star_tellers.models import StarLevel
from youfu.star_tellers.services import star_levels_compute, star_levels_publish

VIEW = "star_tellers.view_starlevel"


class MonthField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Period.objects.filter(kind=PeriodKind.MONTH), **kwargs)


class StarInputSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField(source="label")
    value = serializers.DecimalField(max_digits=28, decimal_places=10, allow_null=True, coerce_to_string=True)
    fact_id = serializers.IntegerField(allow_null=True)


class StarLineSerializer(serializers.Serializer):
    period = serializers.CharField(source="period_code")
    person_id = serializers.IntegerField()
    employee_no = serializers.CharField()
    name = serializers.CharField()
    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    level = serializers.IntegerField(help_text="0 (no star) to 5")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="yuan posted to the ledger")
    enough_ratings = serializers.BooleanField(allow_null=True)
    disqualified = serializers.BooleanField(allow_null=True)
    published = serializers.BooleanField()
    run_id = serializers.IntegerField()
    line_id = serializers.IntegerField()
    explain_url = serializers.CharField()
    inputs = StarInputSerializer(many=True)


class StarLeftOutSerializer(serializers.Serializer):
    person_id = serializers.IntegerField()
    employee_no = serializers.CharField()
    name = serializers.CharField()
    unit_name = serializers.CharField()


class StarListSerializer(serializers.Serializer):
    period = serializers.CharField(source="period.code")
    run_id = serializers.IntegerField(source="run.pk", allow_null=True, default=None)
    status = serializers.CharField(source="run.status", allow_null=True, default=None)
    star_count = serializers.IntegerField()
    total_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    warnings = serializers.ListField(child=serializers.CharField())
    lines = StarLineSerializer(many=True)
    left_out = StarLeftOutSerializer(many=True)


class StarListQuerySerializer(StrictSerializer):
    period = MonthField(required=False)
    unit = serializers.CharField(required=False, max_length=32)
    min_level = serializers.IntegerField(required=False, min_value=0, max_value=MAX_LEVEL, default=0)


class StarPeriodSerializer(StrictSerializer):
    period = MonthField()


class StarRunSerializer(serializers.Serializer):
    period = serializers.CharField(source="period.code")
    run_id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    subjects = serializers.IntegerField()
    entries = serializers.IntegerField()
    total_amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class StarListView(APIView):
    queryset = StarLevel.objects.none()

    @extend_schema(
        summary="Star levels of a month (the caller's subtree)",
        parameters=[StarListQuerySerializer],
        responses=StarListSerializer,
    )
    def get(self, request: Request) -> Response:
        require_perm(request.user, VIEW)
        query = StarListQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        period = params.get("period") or selectors.default_period()
        if period is None:
            raise ValidationError({"period": ["There is no month to show: give a period such as 2026-10."]})
        within = None
        if params.get("unit"):
            within = visible_units(request.user).filter(code=params["unit"]).first()
            if within is None:
                raise ValidationError(
                    {"unit": ["The unit does not exist or is outside the part of the organisation you see."]}
                )
        result = selectors.star_list(
            user=request.user, period=period, within=within, min_level=params.get("min_level", 0)
        )
        return Response(StarListSerializer(result).data)


class PersonHistoryView(APIView):
    queryset = StarLevel.objects.none()

    @extend_schema(
        summary="A person's star levels, newest month first", responses=StarLineSerializer(many=True)
    )
    def get(self, request: Request, pk: int) -> Response:
        require_perm(request.user, VIEW)
        person = restrict(Person.objects.select_related("unit"), request.user).filter(pk=pk).first()
        if person is None:
            raise Http404
        history = selectors.person_history(user=request.user, person=person)
        if history is None:
            raise Http404
        return Response(StarLineSerializer(history, many=True).data)


class ComputeView(APIView):
    queryset = StarLevel.objects.none()
    _ignore_model_permissions = True  # the service checks star_tellers.compute_starlevel

    @extend_schema(
        summary="Compute a month's star levels (posts the star pay to the ledger)",
        request=StarPeriodSerializer,
        responses=StarRunSerializer,
    )
    def post(self, request: Request) -> Response:
        body = StarPeriodSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = star_levels_compute(actor=request.user, period=body.validated_data["period"])
        return Response(StarRunSerializer(run).data)


class PublishView(APIView):
    queryset = StarLevel.objects.none()
    _ignore_model_permissions = True  # the service checks star_tellers.compute_starlevel

    @extend_schema(
        summary="Publish (freeze) a month's star levels",
        request=StarPeriodSerializer,
        responses=StarRunSerializer,
    )
    def post(self, request: Request) -> Response:
        body = StarPeriodSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = star_levels_publish(actor=request.user, period=body.validated_data["period"])
        return Response(StarRunSerializer(run).data)


# Routed by youfu.api.urls under /api/v1/star-tellers/ (names in the "api" namespace).
urlpatterns = [
    path("", StarListView.as_view(), name="star-tellers-list"),
    path("people/<int:pk>/", PersonHistoryView.as_view(), name="star-tellers-person"),
    path("compute/", ComputeView.as_view(), name="star-tellers-compute"),
    path("publish/", PublishView.as_view(), name="star-tellers-publish"),
]
