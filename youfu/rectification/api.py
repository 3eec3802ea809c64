"""REST API of the rectification domain, routed by youfu.api.urls under /api/v1/rectification/. Handlers
are thin: rows come from youfu.rectification.selectors (the user's subtree), writes go through
youfu.rectification.services (role, subtree, state machine)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from youfu.api.serializers import PersonNumberField, StrictSerializer, UnitCodeField
from youfu.core.errors import ApplicationError
from youfu.inspections import selectors as inspections
from youfu.org.api import PaginatedMixin
from youfu.rectification import selectors, services
from youfu.rectification.choices import Handling, RectificationStatus
from youfu.rectification.models import Rectification, RectificationEvidence


class ViewRectifications(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("rectification.view_rectification"))


class RectificationEvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = RectificationEvidence
        fields = ["id", "original_name", "content_type", "size", "is_minutes", "note", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, evidence: RectificationEvidence) -> str:
        return reverse("rectification:evidence_file", args=[evidence.pk])


class RectificationSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)
    responsible_unit = serializers.CharField(source="responsible_unit.code", read_only=True)
    responsible_person = serializers.CharField(
        source="responsible_person.employee_no", read_only=True, default=None
    )
    escalated_to = serializers.CharField(source="escalated_to.code", read_only=True, default=None)
    item = serializers.CharField(source="finding.item.code", read_only=True)
    key_item = serializers.BooleanField(source="finding.item.key_item", read_only=True)
    inspection = serializers.IntegerField(source="finding.inspection_id", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Rectification
        fields = [
            "id",
            "finding",
            "inspection",
            "item",
            "key_item",
            "unit",
            "responsible_unit",
            "responsible_person",
            "deadline",
            "required_evidence",
            "handling",
            "status",
            "is_overdue",
            "escalation_level",
            "escalated_to",
            "was_overdue",
            "repeat_of",
            "measures",
            "meeting_date",
            "meeting_minutes",
            "submitted_at",
            "reinspection",
            "reinspected_on",
            "verification_note",
            "verified_at",
            "closed_at",
        ]
        read_only_fields = fields


class RectificationDetailSerializer(RectificationSerializer):
    evidence = RectificationEvidenceSerializer(many=True, read_only=True)

    class Meta(RectificationSerializer.Meta):
        fields = [*RectificationSerializer.Meta.fields, "evidence"]
        read_only_fields = fields


class RectificationOpenSerializer(StrictSerializer):
    finding = serializers.IntegerField()
    responsible_unit = UnitCodeField()
    responsible_person = PersonNumberField(required=False, allow_null=True, default=None)
    deadline = serializers.DateField()
    required_evidence = serializers.CharField(max_length=2000)
    handling = serializers.ChoiceField(choices=Handling.choices, default=Handling.FEEDBACK_MEETING)


class RectificationMeasuresSerializer(StrictSerializer):
    measures = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class RectificationUploadSerializer(StrictSerializer):
    file = serializers.FileField()
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class RectificationMeetingSerializer(StrictSerializer):
    meeting_date = serializers.DateField()
    minutes = serializers.CharField(max_length=8000)


class RectificationVerifySerializer(StrictSerializer):
    reinspection = serializers.IntegerField(required=False, allow_null=True, default=None)
    reinspected_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class RectificationReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=4000)


class RectificationResolveSerializer(StrictSerializer):
    measures = serializers.CharField(max_length=4000)
    note = serializers.CharField(max_length=4000)


class RectificationViewSet(PaginatedMixin, viewsets.GenericViewSet):
    permission_classes = [ViewRectifications]
    queryset = Rectification.objects.none()
    serializer_class = RectificationSerializer

    def get_queryset(self) -> QuerySet[Rectification]:
        rows = selectors.rectification_list(user=self.request.user)
        params = self.request.query_params
        status = params.get("status", "")
        if status == "overdue":
            rows = selectors.overdue(rows)
        elif status in RectificationStatus.values:
            rows = rows.filter(status=status)
        if params.get("unit"):
            rows = rows.filter(unit__code=params["unit"])
        return rows

    def _get(self, pk: Any) -> Rectification:
        return selectors.rectification_get(user=self.request.user, pk=pk)

    def _detail(self, rect: Rectification, status: int = 200) -> Response:
        fresh = selectors.rectification_get(user=self.request.user, pk=rect.pk)
        return Response(RectificationDetailSerializer(fresh).data, status=status)

    @extend_schema(
        summary="List rectifications",
        parameters=[
            OpenApiParameter("status", str, description="a status, or `overdue`"),
            OpenApiParameter("unit", str, description="outlet code"),
        ],
        responses=RectificationSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        return self.paginated(self.get_queryset(), RectificationSerializer)

    @extend_schema(
        summary="Open a rectification of a published finding",
        request=RectificationOpenSerializer,
        responses={201: RectificationDetailSerializer},
    )
    def create(self, request: Request) -> Response:
        data = RectificationOpenSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        finding = inspections.finding_get(user=request.user, pk=v["finding"])
        rect = services.rectification_open(
            actor=request.user,
            finding=finding,
            responsible_unit=v["responsible_unit"],
            responsible_person=v["responsible_person"],
            deadline=v["deadline"],
            required_evidence=v["required_evidence"],
            handling=v["handling"],
        )
        return self._detail(rect, 201)

    @extend_schema(summary="Get a rectification", responses=RectificationDetailSerializer)
    def retrieve(self, request: Request, pk: Any) -> Response:
        return self._detail(self._get(pk))

    @extend_schema(
        summary="Start work (open → in progress)",
        request=RectificationMeasuresSerializer,
        responses=RectificationDetailSerializer,
    )
    def start(self, request: Request, pk: Any) -> Response:
        data = RectificationMeasuresSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rect = services.rectification_start(
            actor=request.user, rectification=self._get(pk), measures=data.validated_data["measures"]
        )
        return self._detail(rect)

    @extend_schema(
        summary="Attach an evidence file (multipart)",
        request=RectificationUploadSerializer,
        responses={201: RectificationEvidenceSerializer},
    )
    def evidence(self, request: Request, pk: Any) -> Response:
        data = RectificationUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evidence = services.rectification_add_evidence(
            actor=request.user,
            rectification=self._get(pk),
            upload=data.validated_data["file"],
            note=data.validated_data["note"],
        )
        return Response(RectificationEvidenceSerializer(evidence).data, status=201)

    @extend_schema(
        summary="Record the meeting's minutes",
        request=RectificationMeetingSerializer,
        responses=RectificationDetailSerializer,
    )
    def meeting(self, request: Request, pk: Any) -> Response:
        data = RectificationMeetingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rect = services.rectification_record_meeting(
            actor=request.user,
            rectification=self._get(pk),
            meeting_date=data.validated_data["meeting_date"],
            minutes=data.validated_data["minutes"],
        )
        return self._detail(rect)

    @extend_schema(
        summary="Submit for re-inspection",
        request=RectificationMeasuresSerializer,
        responses=RectificationDetailSerializer,
    )
    def submit(self, request: Request, pk: Any) -> Response:
        data = RectificationMeasuresSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rect = services.rectification_submit(
            actor=request.user, rectification=self._get(pk), measures=data.validated_data["measures"]
        )
        return self._detail(rect)

    @extend_schema(
        summary="Verify by re-inspection",
        request=RectificationVerifySerializer,
        responses=RectificationDetailSerializer,
    )
    def verify(self, request: Request, pk: Any) -> Response:
        data = RectificationVerifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        reinspection = None
        if v["reinspection"] is not None:
            reinspection = inspections.inspection_list(user=request.user).filter(pk=v["reinspection"]).first()
            if reinspection is None:
                raise ApplicationError(
                    _("Check #%(pk)s does not exist or is not yours to see.") % {"pk": v["reinspection"]},
                    code="not_found",
                    field="reinspection",
                )
        rect = services.rectification_verify(
            actor=request.user,
            rectification=self._get(pk),
            reinspection=reinspection,
            reinspected_on=v["reinspected_on"],
            note=v["note"],
        )
        return self._detail(rect)

    @extend_schema(
        summary="Reject back to in progress",
        request=RectificationReasonSerializer,
        responses=RectificationDetailSerializer,
    )
    def reject(self, request: Request, pk: Any) -> Response:
        data = RectificationReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rect = services.rectification_reject(
            actor=request.user, rectification=self._get(pk), reason=data.validated_data["reason"]
        )
        return self._detail(rect)

    @extend_schema(
        summary="Close a verified rectification", request=None, responses=RectificationDetailSerializer
    )
    def close(self, request: Request, pk: Any) -> Response:
        return self._detail(services.rectification_close(actor=request.user, rectification=self._get(pk)))

    @extend_schema(
        summary="Fixed at the feedback meeting: submit, verify and close at once",
        request=RectificationResolveSerializer,
        responses=RectificationDetailSerializer,
    )
    def resolve(self, request: Request, pk: Any) -> Response:
        data = RectificationResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rect = services.rectification_resolve_at_meeting(
            actor=request.user,
            rectification=self._get(pk),
            measures=data.validated_data["measures"],
            note=data.validated_data["note"],
        )
        return self._detail(rect)

    @extend_schema(
        summary="Overdue board (subtree, most escalated first)", responses=RectificationSerializer(many=True)
    )
    def overdue(self, request: Request) -> Response:
        return self.paginated(selectors.overdue_board(user=request.user), RectificationSerializer)


def _view(actions: dict[str, Any], **kwargs: Any) -> Any:
    return RectificationViewSet.as_view(actions, **kwargs)


# Routed by youfu.api.urls under /api/v1/rectification/.
urlpatterns = [
    path("", _view({"get": "list", "post": "create"}), name="rectification-list"),
    path("overdue/", _view({"get": "overdue"}), name="rectification-overdue"),
    path("<int:pk>/", _view({"get": "retrieve"}), name="rectification-detail"),
    path("<int:pk>/start/", _view({"post": "start"}), name="rectification-start"),
    path(
        "<int:pk>/evidence/",
        _view({"post": "evidence"}, parser_classes=[MultiPartParser, FormParser]),
        name="rectification-evidence",
    ),
    path("<int:pk>/meeting/", _view({"post": "meeting"}), name="rectification-meeting"),
    path("<int:pk>/submit/", _view({"post": "submit"}), name="rectification-submit"),
    path("<int:pk>/verify/", _view({"post": "verify"}), name="rectification-verify"),
    path("<int:pk>/reject/", _view({"post": "reject"}), name="rectification-reject"),
    path("<int:pk>/close/", _view({"post": "close"}), name="rectification-close"),
    path("<int:pk>/resolve/", _view({"post": "resolve"}), name="rectification-resolve"),
]
