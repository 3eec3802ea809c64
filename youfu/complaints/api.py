"""REST API of the complaints domain, routed by youfu.api.urls under /api/v1/complaints/ (names in the
"api" namespace: api:complaint-list …). Rows come from youfu.complaints.selectors (the user's subtree;
contacts masked), writes go through youfu.complaints.services. The clear contact is only the answer of
`contact/` (POST with a reason), which is logged."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from youfu.accounts.models import User
from youfu.api.serializers import PersonNumberField, StrictSerializer, UnitCodeField
from youfu.complaints import selectors, services
from youfu.complaints.choices import (
    CallbackResult,
    Category,
    Channel,
    ComplaintKind,
    ComplaintStatus,
    Severity,
    Verdict,
)
from youfu.complaints.models import Complaint, ComplaintEvent
from youfu.core.errors import ApplicationError
from youfu.org.api import PaginatedMixin
from youfu.org.models import Period


class ViewComplaints(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("complaints.view_complaint"))


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ComplaintEvent
        fields = ["action", "actor", "at", "params"]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    customer = serializers.CharField(source="masked_name", read_only=True)
    phone = serializers.CharField(source="masked_phone", read_only=True)
    people = serializers.SlugRelatedField(slug_field="employee_no", many=True, read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "kind",
            "channel",
            "source_ref",
            "received_at",
            "unit",
            "unit_name",
            "people",
            "category",
            "severity",
            "summary",
            "customer",
            "phone",
            "status",
            "owner",
            "acknowledge_due",
            "resolve_due",
            "acknowledged_at",
            "resolved_at",
            "resolution",
            "level",
            "calendar_warning",
            "verdict",
            "verdict_reason",
            "verdict_evidence",
            "closed_at",
            "callback_due",
            "callback_result",
            "callback_note",
        ]
        read_only_fields = fields


class ComplaintDetailSerializer(ComplaintSerializer):
    events = EventSerializer(many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "events"]
        read_only_fields = fields


class ComplaintCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=ComplaintKind.choices, default=ComplaintKind.COMPLAINT)
    channel = serializers.ChoiceField(choices=Channel.choices)
    unit = UnitCodeField()
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.LOW)
    summary = serializers.CharField()
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    customer_name = serializers.CharField(required=False, allow_blank=True, default="")
    customer_phone = serializers.CharField(required=False, allow_blank=True, default="")
    people = serializers.ListField(child=PersonNumberField(), required=False, default=list)
    source_ref = serializers.CharField(required=False, allow_blank=True, default="")
    resolve_due = serializers.DateTimeField(required=False, allow_null=True, default=None)


class NoteSerializer(StrictSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ComplaintReasonSerializer(StrictSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ResolveSerializer(StrictSerializer):
    resolution = serializers.CharField(required=False, allow_blank=True, default="")


class JudgeSerializer(StrictSerializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class CallbackSerializer(StrictSerializer):
    result = serializers.ChoiceField(choices=CallbackResult.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class HandoverSerializer(StrictSerializer):
    to = serializers.CharField(help_text="username")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExtendSerializer(StrictSerializer):
    resolve_due = serializers.DateTimeField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()


class TimerSerializer(serializers.Serializer):
    number = serializers.CharField(source="complaint.number")
    id = serializers.IntegerField(source="complaint.pk")
    which = serializers.CharField()
    deadline = serializers.DateTimeField()
    left_seconds = serializers.IntegerField(source="left")
    breached = serializers.BooleanField()
    paused = serializers.BooleanField()
    level = serializers.IntegerField(source="complaint.level")


class RateRowSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    baseline = serializers.IntegerField()
    current = serializers.IntegerField()
    change = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    on_target = serializers.BooleanField(allow_null=True)


class ComplaintViewSet(PaginatedMixin, viewsets.GenericViewSet):
    queryset = Complaint.objects.none()
    serializer_class = ComplaintSerializer
    permission_classes = [ViewComplaints]

    def get_queryset(self) -> QuerySet[Complaint]:
        rows = selectors.complaint_list(user=self.request.user)
        params = self.request.query_params
        if params.get("status") in ComplaintStatus.values:
            rows = rows.filter(status=params["status"])
        if params.get("channel") in Channel.values:
            rows = rows.filter(channel=params["channel"])
        if params.get("mine") == "1":
            rows = rows.filter(owner_id=self.request.user.pk)
        return rows

    def _get(self) -> Complaint:
        return selectors.complaint_get(user=self.request.user, pk=self.kwargs["pk"])

    def _detail(self, complaint: Complaint, status: int = 200) -> Response:
        fresh = Complaint.objects.select_related("unit", "owner").get(pk=complaint.pk)
        return Response(ComplaintDetailSerializer(fresh).data, status=status)

    def _data(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        data = serializer_class(data=self.request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    @extend_schema(summary="List complaints and praise", responses=ComplaintSerializer(many=True))
    def list(self, request: Request) -> Response:
        return self.paginated(self.get_queryset(), ComplaintSerializer)

    @extend_schema(
        summary="Register a complaint or praise",
        request=ComplaintCreateSerializer,
        responses={201: ComplaintDetailSerializer},
    )
    def create(self, request: Request) -> Response:
        complaint = services.complaint_register(actor=request.user, **self._data(ComplaintCreateSerializer))
        return self._detail(complaint, 201)

    @extend_schema(summary="A complaint with its timeline", responses=ComplaintDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(self._get())

    @extend_schema(summary="Acknowledge", request=NoteSerializer, responses=ComplaintDetailSerializer)
    def acknowledge(self, request: Request, pk: str) -> Response:
        complaint = self._get()
        data = self._data(NoteSerializer)
        return self._detail(
            services.complaint_acknowledge(actor=request.user, complaint=complaint, note=data["note"])
        )

    @extend_schema(
        summary="Wait for the customer (pause the clock)",
        request=ComplaintReasonSerializer,
        responses=ComplaintDetailSerializer,
    )
    def wait(self, request: Request, pk: str) -> Response:
        complaint = self._get()
        data = self._data(ComplaintReasonSerializer)
        return self._detail(
            services.complaint_wait(actor=request.user, complaint=complaint, reason=data["reason"])
        )

    @extend_schema(
        summary="Resume after the customer answered",
        request=NoteSerializer,
        responses=ComplaintDetailSerializer,
    )
    def resume(self, request: Request, pk: str) -> Response:
        complaint = self._get()
        data = self._data(NoteSerializer)
        return self._detail(
            services.complaint_resume(actor=request.user, complaint=complaint, note=data["note"])
        )

    @extend_schema(summary="Resolve", request=ResolveSerializer, responses=ComplaintDetailSerializer)
    def resolve(self, request: Request, pk: str) -> Response:
        complaint = self._get()
        data = self._data(ResolveSerializer)
        return self._detail(
            services.complaint_resolve(actor=request.user, complaint=complaint, resolution=data["resolution"])
        )

    @extend_schema(
        summary="Give the verdict (valid or not, with reasons)",
        request=JudgeSerializer,
        responses=ComplaintDetailSerializer,
    )
    def judge(self, request: Request, pk: str) -> Response:
        complaint = self._get()
        data = self._data(JudgeSerializer)
        return self._detail(services.complaint_judge(actor=request.user, complaint=complaint, **data))

    @extend_schema(
        summary="Close (schedules the satisfaction callback)",
        request=None,
        responses=ComplaintDetailSerializer,
    )
    def close(self, request: Request, pk: str) -> Response:
        return self._detail(services.complaint_close(actor=request.user, complaint=self._get()))

    @extend_schema(
        summary="Record the satisfaction callback",
        request=CallbackSerializer,
        responses=ComplaintDetailSerializer,
    )
    def callback(self, request: Request, pk: str) -> Response:
        complaint = self._get()
        data = self._data(CallbackSerializer)
        return self._detail(services.complaint_callback(actor=request.user, complaint=complaint, **data))

    @extend_schema(
        summary="Hand over to another handler",
        request=HandoverSerializer,
        responses=ComplaintDetailSerializer,
    )
    def handover(self, request: Request, pk: str) -> Response:
        complaint = self._get()
        data = self._data(HandoverSerializer)
        to = User.objects.filter(username=data["to"]).first()
        if to is None:
            raise ApplicationError(_("Unknown user."), field="to")
        return self._detail(
            services.complaint_handover(actor=request.user, complaint=complaint, to=to, note=data["note"])
        )

    @extend_schema(
        summary="Extend the resolve deadline", request=ExtendSerializer, responses=ComplaintDetailSerializer
    )
    def extend(self, request: Request, pk: str) -> Response:
        complaint = self._get()
        data = self._data(ExtendSerializer)
        return self._detail(services.complaint_extend(actor=request.user, complaint=complaint, **data))

    @extend_schema(
        summary="Reveal the customer's contact (logged)",
        request=ComplaintReasonSerializer,
        responses=ContactSerializer,
    )
    def contact(self, request: Request, pk: str) -> Response:
        complaint = self._get()
        data = self._data(ComplaintReasonSerializer)
        name, phone = services.complaint_contact_reveal(
            actor=request.user, complaint=complaint, reason=data["reason"]
        )
        return Response({"name": name, "phone": phone})

    @extend_schema(summary="SLA board: open cases with their timers", responses=TimerSerializer(many=True))
    def board(self, request: Request) -> Response:
        board = selectors.sla_board(user=request.user)
        return Response(
            {"unknown_years": board.unknown_years, "timers": TimerSerializer(board.timers, many=True).data}
        )

    @extend_schema(
        summary="Complaints per outlet against a baseline year (?period=&baseline=&channel=)",
        responses=RateRowSerializer(many=True),
    )
    def rates(self, request: Request) -> Response:
        params = request.query_params
        period = Period.objects.filter(code=params.get("period", "")).first()
        if period is None:
            raise ApplicationError(_("Give a period code."), field="period")
        baseline = params.get("baseline", "")
        year = int(baseline) if baseline.isdigit() else period.start.year - 1
        channel = params.get("channel", "")
        rates = selectors.complaint_rates(
            user=request.user,
            period=period,
            baseline_year=year,
            channel=channel if channel in Channel.values else "",
        )
        return Response(
            {
                "period": period.code,
                "baseline_year": year,
                "baseline_total": rates.baseline_total,
                "current_total": rates.current_total,
                "change": str(rates.change) if rates.change is not None else None,
                "rows": RateRowSerializer(rates.rows, many=True).data,
            }
        )


def _action(name: str) -> Any:
    return ComplaintViewSet.as_view({"post": name})


urlpatterns = [
    path("", ComplaintViewSet.as_view({"get": "list", "post": "create"}), name="complaint-list"),
    path("board/", ComplaintViewSet.as_view({"get": "board"}), name="complaint-board"),
    path("rates/", ComplaintViewSet.as_view({"get": "rates"}), name="complaint-rates"),
    path("<int:pk>/", ComplaintViewSet.as_view({"get": "retrieve"}), name="complaint-detail"),
    *[
        path(f"<int:pk>/{name}/", _action(name), name=f"complaint-{name}")
        for name in (
            "acknowledge",
            "wait",
            "resume",
            "resolve",
            "judge",
            "close",
            "callback",
            "handover",
            "extend",
            "contact",
        )
    ],
]
