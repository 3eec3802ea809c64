"""REST API of the feedback domain under /api/v1/feedback/:

* `POST batches/` — a batch of rows as JSON (`{"rows": [...], "quarantine": false, "note": ""}`) with an
  `Idempotency-Key` header (required): 201 with the batch; a retry with the same key and content 200 with
  the same batch (header `Idempotent-Replayed: true`), nothing loaded twice; the key with other content 409.
* `POST batches/upload/` — a CSV or Parquet file (multipart: file, quarantine, note; optional
  Idempotency-Key header, else the file's SHA-256).
* `GET batches/`, `GET batches/{id}/` — the catalogue, the caller's subtree only.
* `GET rates/?period=2025-10|start=&end=&unit=&by=person|outlet|sub_branch|branch` — counts and rates.

A refused batch is a 400 whose errors give the count per reason, then the first bad rows (row, field,
code, message). Handlers are thin: rows go through youfu.feedback.services, reads through selectors.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from youfu.accounts.access import require_perm
from youfu.api.serializers import StrictSerializer, UnitCodeField
from youfu.feedback import satisfaction_api, selectors
from youfu.feedback.choices import Grouping
from youfu.feedback.forms import last_month
from youfu.feedback.models import RatingBatch
from youfu.feedback.services import (
    IdempotencyConflict,
    IngestResult,
    ratings_ingest_file,
    ratings_ingest_rows,
)
from youfu.org.models import Period

MAX_BODY_BYTES = 256 * 1024 * 1024  # about 3 million rows a call
TOO_LARGE = _("A batch is at most 256 MB of JSON; split it into several calls, each with its own key.")
KEY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=_("A key of your choosing per batch (e.g. a UUID); a retry with the same key loads nothing."),
)


class RatingBatchSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, default=None
    )
    months = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = RatingBatch
        fields = [
            "id",
            "idempotency_key",
            "sha256",
            "source",
            "status",
            "file_name",
            "row_count",
            "loaded_count",
            "rated_count",
            "quarantined_count",
            "first_at",
            "last_at",
            "months",
            "report",
            "note",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class RowSerializer(serializers.Serializer):
    """One transaction (for the schema only: the rows are checked all at once, vectorised)."""

    occurred_at = serializers.CharField(
        help_text=_("ISO date and time; Asia/Shanghai unless an offset is given")
    )
    unit = serializers.CharField(help_text=_("the outlet's code"))
    employee_no = serializers.CharField(help_text=_("the teller's employee number"))
    rating = serializers.CharField(
        allow_blank=True,
        allow_null=True,
        help_text=_("very_satisfied, satisfied, neutral, unsatisfied, none or empty"),
    )


class BatchRowsSerializer(serializers.Serializer):
    rows = RowSerializer(many=True)
    quarantine = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class BatchUploadSerializer(StrictSerializer):
    file = serializers.FileField(help_text=_("A .csv or .parquet file"))
    quarantine = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class RatesQuerySerializer(StrictSerializer):
    period = serializers.SlugRelatedField(slug_field="code", queryset=Period.objects.all(), required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    unit = UnitCodeField(required=False)
    by = serializers.ChoiceField(choices=Grouping.choices, required=False, default=Grouping.OUTLET)


class RateLineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    unit_name = serializers.CharField()
    transactions = serializers.IntegerField()
    rated = serializers.IntegerField()
    very_satisfied = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    neutral = serializers.IntegerField()
    unsatisfied = serializers.IntegerField()
    evaluation_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    satisfaction_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class RatesSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    by = serializers.CharField()
    lines = RateLineSerializer(many=True)
    total = RateLineSerializer()


def _answer(result: IngestResult) -> Response:
    response = Response(
        RatingBatchSerializer(result.batch).data,
        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
    )
    if not result.created:
        response["Idempotent-Replayed"] = "true"
    return response


def _conflict(exc: IdempotencyConflict) -> Response:
    return Response({"errors": [d.as_dict() for d in exc.details]}, status=status.HTTP_409_CONFLICT)


@extend_schema_view(
    list=extend_schema(summary="List rating batches", responses=RatingBatchSerializer(many=True)),
    retrieve=extend_schema(summary="A rating batch", responses=RatingBatchSerializer),
)
class RatingBatchViewSet(viewsets.GenericViewSet):
    queryset = RatingBatch.objects.none()  # the model, for permissions and the schema
    serializer_class = RatingBatchSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[RatingBatch]:
        return selectors.batch_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        return self.get_paginated_response(RatingBatchSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(RatingBatchSerializer(selectors.batch_get(user=request.user, pk=pk)).data)

    @extend_schema(
        summary="Load a batch of ratings (JSON rows; Idempotency-Key header required)",
        parameters=[KEY_HEADER],
        request=BatchRowsSerializer,
        responses={201: RatingBatchSerializer, 200: RatingBatchSerializer},
    )
    def create(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key", "")
        if not key.strip():
            raise ValidationError(
                {"idempotency_key": [_("Send an Idempotency-Key header: one key per batch.")]}
            )
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY_BYTES:
            return Response(
                {"errors": [{"code": "too_large", "field": "rows", "message": str(TOO_LARGE)}]},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        # Read as sent (not through request.body, whose 2.5 MB form limit is not meant for batches) and
        # hashed as sent: a retry sends the same bytes.
        body = request._request.read()
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ParseError(_("The body is not JSON.")) from exc
        if not isinstance(data, dict):
            raise ValidationError({"rows": [_("Send an object with rows.")]})
        unknown = sorted(set(data) - {"rows", "quarantine", "note"})
        if unknown:
            raise ValidationError({name: [_("Unknown field.")] for name in unknown})
        if "rows" not in data:
            raise ValidationError({"rows": [_("This field is required.")]})
        quarantine, note = data.get("quarantine", False), data.get("note", "")
        if not isinstance(quarantine, bool) or not isinstance(note, str):
            raise ValidationError({"quarantine": [_("quarantine is true or false, note a text.")]})
        try:
            result = ratings_ingest_rows(
                actor=request.user,
                rows=data["rows"],
                idempotency_key=key,
                sha256=hashlib.sha256(body).hexdigest(),
                quarantine=quarantine,
                note=note,
            )
        except IdempotencyConflict as exc:
            return _conflict(exc)
        return _answer(result)

    @extend_schema(
        summary="Load a CSV or Parquet file of ratings",
        parameters=[KEY_HEADER],
        request={"multipart/form-data": BatchUploadSerializer},
        responses={201: RatingBatchSerializer, 200: RatingBatchSerializer},
    )
    def upload(self, request: Request) -> Response:
        data = BatchUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        temporary = getattr(upload, "temporary_file_path", None)
        try:
            result = ratings_ingest_file(
                actor=request.user,
                file=Path(temporary()) if temporary else upload.read(),
                file_name=upload.name,
                quarantine=data.validated_data["quarantine"],
                note=data.validated_data["note"],
                idempotency_key=request.headers.get("Idempotency-Key", ""),
            )
        except IdempotencyConflict as exc:
            return _conflict(exc)
        return _answer(result)


class RatesView(APIView):
    queryset = RatingBatch.objects.none()

    @extend_schema(
        summary="Transactions, evaluation and satisfaction rates per teller, outlet, sub-branch or branch",
        parameters=[RatesQuerySerializer],
        responses=RatesSerializer,
    )
    def get(self, request: Request) -> Response:
        require_perm(request.user, "feedback.view_rates")
        query = RatesQuerySerializer(data=request.query_params.dict(), context={"request": request})
        query.is_valid(raise_exception=True)
        params = query.validated_data
        period = params.get("period")
        if period is not None:
            start, end = period.start, period.end
        else:
            start, end = last_month(timezone.localdate())
            start, end = params.get("start", start), params.get("end", end)
        if end < start:
            raise ValidationError({"end": [_("The end is before the start.")]})
        lines = selectors.rates(
            user=request.user, start=start, end=end, grouping=params["by"], within=params.get("unit")
        )
        return Response(
            RatesSerializer(
                {
                    "start": start,
                    "end": end,
                    "by": params["by"],
                    "lines": lines,
                    "total": selectors.total_line(lines),
                }
            ).data
        )


# Routed by youfu.api.urls under /api/v1/feedback/ (names in the "api" namespace).
urlpatterns = [
    path("batches/", RatingBatchViewSet.as_view({"get": "list", "post": "create"}), name="ratingbatch-list"),
    path("batches/upload/", RatingBatchViewSet.as_view({"post": "upload"}), name="ratingbatch-upload"),
    path("batches/<int:pk>/", RatingBatchViewSet.as_view({"get": "retrieve"}), name="ratingbatch-detail"),
    path("rates/", RatesView.as_view(), name="feedback-rates"),
    # Callbacks and surveys (youfu.feedback.satisfaction_api)
    *satisfaction_api.urlpatterns,
]
