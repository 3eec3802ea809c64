"""REST API of the inspections domain, routed by youfu.api.urls under /api/v1/inspections/ (names in the
"api" namespace: api:inspection-list …). Handlers are thin: rows come from youfu.inspections.selectors
(the user's subtree; the outlet sees released checks only), writes go through youfu.inspections.services,
which check the role's rights, the subtree and four eyes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from youfu.api.serializers import PersonNumberField, StrictSerializer, UnitCodeField
from youfu.core.errors import ApplicationError
from youfu.inspections import selectors, services
from youfu.inspections.choices import AppealStatus, InspectionKind, PlanSampling, VisitStatus
from youfu.inspections.filters import InspectionFilter
from youfu.inspections.models import Appeal, Evidence, Finding, Inspection, InspectionPlan, ItemResult
from youfu.org.api import PaginatedMixin
from youfu.org.models import Period


class ViewInspections(BasePermission):
    """Every endpoint needs the right to read inspections; each write's own right is checked by its
    service (403 with the error shape)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("inspections.view_inspection"))


# --- Serializers ----------------------------------------------------------------------------------


class ItemResultSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code", read_only=True)

    class Meta:
        model = ItemResult
        fields = ["item", "value", "passed", "occurrences", "score", "not_applicable", "points_lost", "note"]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code", read_only=True)
    item_text = serializers.CharField(source="item.text", read_only=True)
    key_item = serializers.BooleanField(source="item.key_item", read_only=True)
    aspect = serializers.CharField(source="item.aspect", read_only=True)
    people = serializers.SlugRelatedField(slug_field="employee_no", many=True, read_only=True)  # type: ignore[var-annotated]
    repeat_of = serializers.PrimaryKeyRelatedField(read_only=True)  # type: ignore[var-annotated]
    duplicate_of = serializers.PrimaryKeyRelatedField(read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Finding
        fields = [
            "id",
            "inspection_id",
            "item",
            "item_text",
            "key_item",
            "aspect",
            "points_lost",
            "description",
            "people",
            "is_repeat",
            "repeat_of",
            "duplicate_of",
        ]
        read_only_fields = fields


class InspectionEvidenceSerializer(serializers.ModelSerializer):
    finding = serializers.PrimaryKeyRelatedField(read_only=True)  # type: ignore[var-annotated]
    appeal = serializers.PrimaryKeyRelatedField(read_only=True)  # type: ignore[var-annotated]
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "finding",
            "appeal",
            "content_type",
            "size",
            "original_name",
            "taken_at",
            "latitude",
            "longitude",
            "camera",
            "recorded_from",
            "recorded_to",
            "note",
            "uploaded_at",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_url(self, evidence: Evidence) -> str | None:
        return reverse("inspections:evidence_file", kwargs={"pk": evidence.pk}) if evidence.file else None


class InspectionSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    standard = serializers.CharField(source="version.standard.code", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    inspectors = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)  # type: ignore[var-annotated]
    corrects = serializers.PrimaryKeyRelatedField(read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Inspection
        fields = [
            "id",
            "kind",
            "status",
            "unit",
            "unit_name",
            "date",
            "visit_start",
            "visit_end",
            "standard",
            "version_id",
            "version_number",
            "inspectors",
            "notes",
            "corrects",
            "external_ref",
            "submitted_at",
            "approved_at",
            "published_at",
            "appeal_deadline",
            "final_at",
            "total",
            "max_score",
            "denominator",
            "level",
        ]
        read_only_fields = fields


class InspectionDetailSerializer(InspectionSerializer):
    details = serializers.JSONField(read_only=True, help_text=_("The score breakdown stored at approval."))
    results = ItemResultSerializer(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)
    evidence = InspectionEvidenceSerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "details", "results", "findings", "evidence"]
        read_only_fields = fields


class InspectionCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    unit = UnitCodeField(help_text=_("Code of the outlet inspected."))
    date = serializers.DateField()
    version = serializers.IntegerField(help_text=_("Id of a published standard version."))
    visit_start = serializers.TimeField(required=False, allow_null=True, default=None)
    visit_end = serializers.TimeField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ResultsSerializer(StrictSerializer):
    values = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text=_('Item code → "pass"/"fail"/"na", occurrences or a score; null or "" clears the item.'),
    )
    notes = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False, default=dict)


class PhotoSerializer(StrictSerializer):
    file = serializers.FileField(
        help_text=_("A JPEG, PNG or HEIC photo (checked by content), 10 MB at most.")
    )
    finding = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class VideoSerializer(StrictSerializer):
    camera = serializers.CharField(max_length=64)
    recorded_from = serializers.DateTimeField()
    recorded_to = serializers.DateTimeField()
    finding = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class AttributeSerializer(StrictSerializer):
    people = serializers.ListField(child=PersonNumberField(), help_text=_("Employee numbers."))
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField()


class NotesSerializer(StrictSerializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class AppealSerializer(serializers.ModelSerializer):
    inspection = serializers.PrimaryKeyRelatedField(read_only=True)  # type: ignore[var-annotated]
    finding = serializers.PrimaryKeyRelatedField(read_only=True)  # type: ignore[var-annotated]
    item = serializers.CharField(source="finding.item.code", read_only=True)
    raised_by = serializers.CharField(source="raised_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )
    correction = serializers.PrimaryKeyRelatedField(read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Appeal
        fields = [
            "id",
            "inspection",
            "finding",
            "item",
            "reason",
            "status",
            "raised_by",
            "raised_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "correction",
        ]
        read_only_fields = fields


class AppealCreateSerializer(StrictSerializer):
    finding = serializers.IntegerField()
    reason = serializers.CharField()


class DecisionSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=[("uphold", "uphold"), ("reverse", "reverse")])
    note = serializers.CharField()


class PeriodScoreSerializer(serializers.Serializer):
    unit = serializers.CharField()
    period = serializers.CharField()
    scores = serializers.DictField(child=serializers.DecimalField(max_digits=12, decimal_places=2))
    counts = serializers.DictField(child=serializers.IntegerField())
    inspections = serializers.ListField(child=serializers.IntegerField())
    findings = serializers.IntegerField()
    repeated = serializers.IntegerField()
    key_items = serializers.IntegerField()
    hardware_points_lost = serializers.DecimalField(max_digits=12, decimal_places=2)


# --- Views ----------------------------------------------------------------------------------------


class _Base(PaginatedMixin, viewsets.GenericViewSet):
    permission_classes = [ViewInspections]

    def _inspection(self) -> Inspection:
        return selectors.inspection_get(user=self.request.user, pk=self.kwargs["pk"])

    def _detail(self, inspection: Inspection, status: int = 200) -> Response:
        inspection = Inspection.objects.get(pk=inspection.pk)
        return Response(InspectionDetailSerializer(inspection).data, status=status)

    def _finding(self, inspection: Inspection, pk: int | None) -> Finding | None:
        if pk is None:
            return None
        finding = inspection.findings.filter(pk=pk).first()
        if finding is None:
            raise ApplicationError(str(_("The finding belongs to another check.")), field="finding")
        return finding


class InspectionViewSet(_Base):
    queryset = Inspection.objects.none()
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter
    ordering_fields = ["date", "id", "total"]
    ordering = ["-date", "-id"]

    def get_queryset(self) -> QuerySet[Inspection]:
        return selectors.inspection_list(user=self.request.user)

    @extend_schema(summary="List inspections", responses=InspectionSerializer(many=True))
    def list(self, request: Request) -> Response:
        return self.paginated(self.filter_queryset(self.get_queryset()), InspectionSerializer)

    @extend_schema(
        summary="Start an inspection (a draft)",
        request=InspectionCreateSerializer,
        responses={201: InspectionDetailSerializer},
    )
    def create(self, request: Request) -> Response:
        data = InspectionCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        inspection = services.inspection_create(
            actor=request.user, version_id=fields.pop("version"), **fields
        )
        return self._detail(inspection, 201)

    @extend_schema(
        summary="Get an inspection with results, findings and evidence", responses=InspectionDetailSerializer
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(self._inspection())

    @extend_schema(
        summary="Record item results of a draft",
        request=ResultsSerializer,
        responses=InspectionDetailSerializer,
    )
    def results(self, request: Request, pk: str) -> Response:
        inspection = self._inspection()
        data = ResultsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.inspection_record_results(
            actor=request.user,
            inspection=inspection,
            values=data.validated_data["values"],
            notes=data.validated_data["notes"],
        )
        return self._detail(inspection)

    @extend_schema(
        summary="Attach a photo (JPEG, PNG or HEIC; EXIF time and place kept)",
        request={"multipart/form-data": PhotoSerializer},
        responses={201: InspectionEvidenceSerializer},
    )
    def photo(self, request: Request, pk: str) -> Response:
        inspection = self._inspection()
        data = PhotoSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evidence = services.evidence_attach_photo(
            actor=request.user,
            inspection=inspection,
            file=data.validated_data["file"],
            finding=self._finding(inspection, data.validated_data["finding"]),
            note=data.validated_data["note"],
        )
        return Response(InspectionEvidenceSerializer(evidence).data, status=201)

    @extend_schema(
        summary="Reference a video recording's time range",
        request=VideoSerializer,
        responses={201: InspectionEvidenceSerializer},
    )
    def video(self, request: Request, pk: str) -> Response:
        inspection = self._inspection()
        data = VideoSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        finding = self._finding(inspection, fields.pop("finding"))
        evidence = services.evidence_add_video(
            actor=request.user, inspection=inspection, finding=finding, **fields
        )
        return Response(InspectionEvidenceSerializer(evidence).data, status=201)

    @extend_schema(summary="Submit a draft for approval", request=None, responses=InspectionDetailSerializer)
    def submit(self, request: Request, pk: str) -> Response:
        return self._detail(services.inspection_submit(actor=request.user, inspection=self._inspection()))

    @extend_schema(
        summary="Approve (a second person: four eyes)", request=None, responses=InspectionDetailSerializer
    )
    def approve(self, request: Request, pk: str) -> Response:
        return self._detail(services.inspection_approve(actor=request.user, inspection=self._inspection()))

    @extend_schema(
        summary="Return a submitted check to its inspectors",
        request=ReasonSerializer,
        responses=InspectionDetailSerializer,
    )
    def send_back(self, request: Request, pk: str) -> Response:
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(
            services.inspection_return(
                actor=request.user, inspection=self._inspection(), reason=data.validated_data["reason"]
            )
        )

    @extend_schema(
        summary="Publish an approved check (the appeal window opens)",
        request=None,
        responses=InspectionDetailSerializer,
    )
    def publish(self, request: Request, pk: str) -> Response:
        return self._detail(services.inspection_publish(actor=request.user, inspection=self._inspection()))

    @extend_schema(
        summary="Start a correction of a published check (a new draft that corrects it)",
        request=NotesSerializer,
        responses={201: InspectionDetailSerializer},
    )
    def correct(self, request: Request, pk: str) -> Response:
        data = NotesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        correction = services.inspection_correct(
            actor=request.user, inspection=self._inspection(), notes=data.validated_data["notes"]
        )
        return self._detail(correction, 201)

    @extend_schema(
        summary="Appeal a finding of a published check",
        request=AppealCreateSerializer,
        responses={201: AppealSerializer},
    )
    def appeal(self, request: Request, pk: str) -> Response:
        inspection = self._inspection()
        data = AppealCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = self._finding(inspection, data.validated_data["finding"])
        assert finding is not None
        appeal = services.appeal_raise(
            actor=request.user, finding=finding, reason=data.validated_data["reason"]
        )
        return Response(AppealSerializer(appeal).data, status=201)

    @extend_schema(
        summary="An outlet's scores for a period",
        description=_(
            "Per kind the mean of the final checks dated in the period (100-point scale); findings count "
            "once across channels. Query: unit (code) and period (code)."
        ),
        responses=PeriodScoreSerializer,
    )
    def scores(self, request: Request) -> Response:
        from youfu.accounts.access import visible_units

        unit = visible_units(request.user).filter(code=request.query_params.get("unit", "")).first()
        period = Period.objects.filter(code=request.query_params.get("period", "")).first()
        if unit is None:
            raise ApplicationError(str(_("Give the code of a unit you see.")), field="unit")
        if period is None:
            raise ApplicationError(str(_("Give the code of a period.")), field="period")
        score = selectors.period_score(unit=unit, start=period.start, end=period.end)
        return Response(
            PeriodScoreSerializer(
                {
                    "unit": unit.code,
                    "period": period.code,
                    "scores": score.scores,
                    "counts": score.counts,
                    "inspections": score.inspection_ids,
                    "findings": score.findings,
                    "repeated": score.repeated,
                    "key_items": score.key_items,
                    "hardware_points_lost": score.hardware_points_lost,
                }
            ).data
        )


class FindingViewSet(_Base):
    queryset = Finding.objects.none()
    serializer_class = FindingSerializer

    @extend_schema(summary="Get a finding", responses=FindingSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(FindingSerializer(selectors.finding_get(user=request.user, pk=pk)).data)

    @extend_schema(
        summary="Attribute a draft's finding to people of the outlet",
        request=AttributeSerializer,
        responses=FindingSerializer,
    )
    def people(self, request: Request, pk: str) -> Response:
        finding = selectors.finding_get(user=request.user, pk=pk)
        data = AttributeSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        finding = services.finding_attribute(
            actor=request.user,
            finding=finding,
            people=data.validated_data["people"],
            description=data.validated_data["description"],
        )
        return Response(FindingSerializer(finding).data)


class AppealViewSet(_Base):
    queryset = Appeal.objects.none()
    serializer_class = AppealSerializer

    def get_queryset(self) -> QuerySet[Appeal]:
        rows = selectors.appeal_list(user=self.request.user)
        status = self.request.query_params.get("status", "")
        return rows.filter(status=status) if status in AppealStatus.values else rows

    @extend_schema(summary="List appeals", responses=AppealSerializer(many=True))
    def list(self, request: Request) -> Response:
        return self.paginated(self.get_queryset(), AppealSerializer)

    @extend_schema(summary="Get an appeal", responses=AppealSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(AppealSerializer(selectors.appeal_get(user=request.user, pk=pk)).data)

    @extend_schema(
        summary="Decide an appeal (uphold or reverse)", request=DecisionSerializer, responses=AppealSerializer
    )
    def decide(self, request: Request, pk: str) -> Response:
        appeal = selectors.appeal_get(user=request.user, pk=pk)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_decide(
            actor=request.user,
            appeal=appeal,
            reverse=data.validated_data["decision"] == "reverse",
            note=data.validated_data["note"],
        )
        return Response(AppealSerializer(appeal).data)


# --- Plans, outlet locations, third-party import ----------------------------------------------------


class CoverageSerializer(serializers.Serializer):
    unit = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    late = serializers.IntegerField()
    missed = serializers.IntegerField()
    pending = serializers.IntegerField()
    flagged = serializers.IntegerField()
    done_pct = serializers.DecimalField(max_digits=5, decimal_places=1)
    late_pct = serializers.DecimalField(max_digits=5, decimal_places=1)
    missed_pct = serializers.DecimalField(max_digits=5, decimal_places=1)
    pending_pct = serializers.DecimalField(max_digits=5, decimal_places=1)
    covered_pct = serializers.DecimalField(max_digits=5, decimal_places=1)


class PlanSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.code", read_only=True)
    scope = serializers.CharField(source="scope.code", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = InspectionPlan
        fields = [
            "id",
            "name",
            "period",
            "scope",
            "kind",
            "visits_per_outlet",
            "mystery_share",
            "sampling",
            "seed",
            "grace_days",
            "max_distance_m",
            "notes",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    coverage = CoverageSerializer(read_only=True, help_text=_("Of the planned visits you see."))
    by_unit = CoverageSerializer(many=True, read_only=True, help_text=_("Per sub-branch."))

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "coverage", "by_unit"]
        read_only_fields = fields


class PlanCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=128)
    period = serializers.SlugRelatedField(slug_field="code", queryset=Period.objects.all())
    scope = UnitCodeField(help_text=_("The bank or a unit of your subtree: its active outlets are planned."))
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    visits_per_outlet = serializers.IntegerField(default=1)
    mystery_share = serializers.IntegerField(
        default=0, help_text=_("Share of the visits by mystery shopper, in per cent.")
    )
    sampling = serializers.ChoiceField(choices=PlanSampling.choices, default=PlanSampling.RANDOM)
    seed = serializers.IntegerField(required=False, allow_null=True, default=None)
    grace_days = serializers.IntegerField(default=15)
    max_distance_m = serializers.IntegerField(default=500)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class PlannedVisitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="visit.pk")
    outlet = serializers.CharField(source="visit.outlet.code")
    outlet_name = serializers.CharField(source="visit.outlet.name")
    kind = serializers.CharField(source="visit.kind")
    sequence = serializers.IntegerField(source="visit.sequence")
    window_start = serializers.DateField(source="visit.window_start")
    window_end = serializers.DateField(source="visit.window_end")
    status = serializers.ChoiceField(choices=VisitStatus.choices)
    inspection = serializers.IntegerField(source="inspection.pk", allow_null=True, default=None)
    inspection_date = serializers.DateField(source="inspection.date", allow_null=True, default=None)
    flags = serializers.ListField(child=serializers.CharField())


class LocationSerializer(StrictSerializer):
    unit = UnitCodeField(help_text=_("Outlet code."))
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6)


class FirmImportSerializer(StrictSerializer):
    file = serializers.FileField(help_text=_("The firm's .xlsx file."))
    standard = serializers.CharField(help_text=_("Standard code, e.g. MS-OUTLET."))
    version = serializers.IntegerField(required=False, allow_null=True, default=None)
    firm = serializers.CharField(required=False, allow_blank=True, default="")
    layout = serializers.ChoiceField(choices=[("auto", "auto"), ("a", "a"), ("b", "b")], default="auto")
    dry_run = serializers.BooleanField(required=False, default=False)


class ImportedVisitSerializer(serializers.Serializer):
    ref = serializers.CharField()
    outlet = serializers.CharField()
    date = serializers.DateField()
    sheet = serializers.CharField()
    row = serializers.IntegerField()
    items = serializers.IntegerField()
    findings = serializers.IntegerField()
    inspection = serializers.IntegerField(source="inspection_id", allow_null=True)
    unchanged = serializers.BooleanField()


class FirmImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    layout = serializers.CharField()
    standard = serializers.CharField()
    version = serializers.IntegerField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    visits = ImportedVisitSerializer(many=True)


class ViewPlans(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("inspections.view_inspectionplan"))


class PlanViewSet(PaginatedMixin, viewsets.GenericViewSet):
    queryset = InspectionPlan.objects.none()
    serializer_class = PlanSerializer
    permission_classes = [ViewPlans]

    def get_queryset(self) -> QuerySet[InspectionPlan]:
        return selectors.plan_list(user=self.request.user)

    def _today(self) -> Any:
        import datetime as dt

        raw = self.request.query_params.get("today", "")
        try:
            return dt.date.fromisoformat(raw) if raw else None
        except ValueError as exc:
            raise ApplicationError(str(_("Give the date as YYYY-MM-DD.")), field="today") from exc

    def _detail(self, plan: InspectionPlan, status: int = 200) -> Response:
        rows = selectors.plan_rows(user=self.request.user, plan=plan, today=self._today())
        total, groups = selectors.plan_coverage(rows)
        data = PlanSerializer(plan).data
        data["coverage"] = CoverageSerializer(total.as_dict()).data
        data["by_unit"] = CoverageSerializer([g.as_dict() for g in groups], many=True).data
        return Response(data, status=status)

    @extend_schema(summary="List inspection plans", responses=PlanSerializer(many=True))
    def list(self, request: Request) -> Response:
        return self.paginated(self.get_queryset(), PlanSerializer)

    @extend_schema(
        summary="Plan a period's checks (planned visits generated at once)",
        request=PlanCreateSerializer,
        responses={201: PlanDetailSerializer},
    )
    def create(self, request: Request) -> Response:
        data = PlanCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        plan = services.plan_create(actor=request.user, **data.validated_data)
        return self._detail(plan, 201)

    @extend_schema(
        summary="A plan with its coverage (done, late, missed, pending) in all and per sub-branch",
        description=_("Query: today=YYYY-MM-DD to judge as of another day."),
        responses=PlanDetailSerializer,
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(selectors.plan_get(user=request.user, pk=pk))

    @extend_schema(
        summary="A plan's visits you see, each with its status, check and evidence flags",
        description=_("Query: status (done, late, missed, pending), today=YYYY-MM-DD."),
        responses=PlannedVisitSerializer(many=True),
    )
    def visits(self, request: Request, pk: str) -> Response:
        plan = selectors.plan_get(user=request.user, pk=pk)
        rows = selectors.plan_rows(user=request.user, plan=plan, today=self._today())
        status = request.query_params.get("status", "")
        if status in VisitStatus.values:
            rows = [r for r in rows if r.status == status]
        return self.paginated(rows, PlannedVisitSerializer)

    @extend_schema(
        summary="Set an outlet's location", request=LocationSerializer, responses=LocationSerializer
    )
    def location(self, request: Request) -> Response:
        data = LocationSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        stored = services.outlet_location_set(actor=request.user, **data.validated_data)
        return Response(
            {"unit": stored.unit.code, "latitude": str(stored.latitude), "longitude": str(stored.longitude)}
        )


class ImportView(_Base):
    queryset = Inspection.objects.none()
    serializer_class = FirmImportResultSerializer

    @extend_schema(
        summary="Import a mystery-shopping firm's Excel results (layout a or b; all or nothing)",
        description=_(
            "dry_run=true checks the file and returns what would be created. Errors: 400 with one detail "
            "per problem (row, field = column (sheet)). A visit reference already imported is unchanged."
        ),
        request={"multipart/form-data": FirmImportSerializer},
        responses=FirmImportResultSerializer,
    )
    def create(self, request: Request) -> Response:
        from youfu.inspections.imports import inspections_import

        data = FirmImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        result = inspections_import(actor=request.user, **fields)
        return Response(
            FirmImportResultSerializer(
                {
                    "dry_run": fields["dry_run"],
                    "layout": result.layout,
                    "standard": result.standard,
                    "version": result.version,
                    "rows": result.rows,
                    "created": result.created,
                    "unchanged": result.unchanged,
                    "visits": result.visits,
                }
            ).data,
            status=200 if fields["dry_run"] else 201,
        )


_MULTIPART = {"parser_classes": [MultiPartParser, FormParser]}

# Routed by youfu.api.urls under /api/v1/inspections/.
urlpatterns = [
    path("", InspectionViewSet.as_view({"get": "list", "post": "create"}), name="inspection-list"),
    path("scores/", InspectionViewSet.as_view({"get": "scores"}), name="inspection-scores"),
    path("<int:pk>/", InspectionViewSet.as_view({"get": "retrieve"}), name="inspection-detail"),
    path("<int:pk>/results/", InspectionViewSet.as_view({"post": "results"}), name="inspection-results"),
    path(
        "<int:pk>/photos/",
        InspectionViewSet.as_view({"post": "photo"}, **_MULTIPART),
        name="inspection-photo",
    ),
    path("<int:pk>/videos/", InspectionViewSet.as_view({"post": "video"}), name="inspection-video"),
    path("<int:pk>/submit/", InspectionViewSet.as_view({"post": "submit"}), name="inspection-submit"),
    path("<int:pk>/return/", InspectionViewSet.as_view({"post": "send_back"}), name="inspection-return"),
    path("<int:pk>/approve/", InspectionViewSet.as_view({"post": "approve"}), name="inspection-approve"),
    path("<int:pk>/publish/", InspectionViewSet.as_view({"post": "publish"}), name="inspection-publish"),
    path("<int:pk>/correct/", InspectionViewSet.as_view({"post": "correct"}), name="inspection-correct"),
    path("<int:pk>/appeals/", InspectionViewSet.as_view({"post": "appeal"}), name="inspection-appeal"),
    path("findings/<int:pk>/", FindingViewSet.as_view({"get": "retrieve"}), name="finding-detail"),
    path("findings/<int:pk>/people/", FindingViewSet.as_view({"post": "people"}), name="finding-people"),
    path("appeals/", AppealViewSet.as_view({"get": "list"}), name="appeal-list"),
    path("appeals/<int:pk>/", AppealViewSet.as_view({"get": "retrieve"}), name="appeal-detail"),
    path("appeals/<int:pk>/decide/", AppealViewSet.as_view({"post": "decide"}), name="appeal-decide"),
    path("plans/", PlanViewSet.as_view({"get": "list", "post": "create"}), name="plan-list"),
    path("plans/<int:pk>/", PlanViewSet.as_view({"get": "retrieve"}), name="plan-detail"),
    path("plans/<int:pk>/visits/", PlanViewSet.as_view({"get": "visits"}), name="plan-visits"),
    path("locations/", PlanViewSet.as_view({"post": "location"}), name="outlet-location"),
    path("import/", ImportView.as_view({"post": "create"}, **_MULTIPART), name="inspection-import"),
]
