"""REST API of scoring under /api/v1/scoring/: policy versions (list, detail, upload), runs (list,
detail, score a period, what-if, publish), a run's lines (the ranking, by subject and scope), a line's
explanation, and the what-if diff.

Handlers are thin: rows come from youfu.scoring.selectors (lines: the user's subtree only), writes go
through youfu.scoring.services. Money and points are exact decimal text, never JSON floats.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from youfu.api.serializers import StrictSerializer
from youfu.org.models import Period
from youfu.scoring import selectors, services
from youfu.scoring.choices import PolicyStatus, RunKind, RunStatus
from youfu.scoring.forms import MAX_POLICY_BYTES
from youfu.scoring.models import PolicyVersion, ScoreLine, ScoreRun

# --- Serializers -----------------------------------------------------------------------------------


class PolicyVersionSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(
        source="uploaded_by.username", read_only=True, allow_null=True, default=None
    )
    status = serializers.CharField(
        read_only=True, help_text=_("active (in force), draft (what-if only) or retired.")
    )
    warnings = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The checker's warnings: the open questions."),
    )

    class Meta:
        model = PolicyVersion
        fields = [
            "id",
            "policy",
            "version",
            "name",
            "status",
            "file_name",
            "sha256",
            "warnings",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = fields


class PolicyVersionDetailSerializer(PolicyVersionSerializer):
    class Meta(PolicyVersionSerializer.Meta):
        fields = [*PolicyVersionSerializer.Meta.fields, "text"]
        read_only_fields = fields


class PolicyUploadSerializer(StrictSerializer):
    file = serializers.FileField(help_text=_("The policy document (YAML, UTF-8)."))
    status = serializers.CharField(
        default=PolicyStatus.DRAFT,
        help_text=_("active: official runs use it; draft: what-if only."),
    )

    def validate_status(self, value: str) -> str:
        # Text rather than a choice field: the schema's "status" enums of other apps would collide.
        if value not in (PolicyStatus.ACTIVE, PolicyStatus.DRAFT):
            raise serializers.ValidationError(_("Either active or draft."))
        return value

    def validate_file(self, upload: Any) -> tuple[str, str]:
        if upload.size > MAX_POLICY_BYTES:
            raise serializers.ValidationError(_("A policy file is at most 1 MB."))
        try:
            return upload.name, upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise serializers.ValidationError(_("The file is not UTF-8 text.")) from exc


class TotalsSerializer(serializers.Serializer):
    lines = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=18, decimal_places=4)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class SubjectInfoSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    ranked_by = serializers.CharField()
    order = serializers.CharField()


class ScopeInfoSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class ScoreRunSerializer(serializers.ModelSerializer):
    policy = serializers.CharField(source="policy_version.policy", read_only=True)
    version = serializers.IntegerField(source="policy_version.version", read_only=True)
    policy_version_id = serializers.IntegerField(read_only=True)
    period = serializers.CharField(source="period.code", read_only=True)
    subjects = serializers.IntegerField(read_only=True, help_text=_("Subjects scored in the whole bank."))
    kind = serializers.CharField(read_only=True, help_text=_("official or what_if."))
    status = serializers.CharField(read_only=True, help_text=_("scored, posted, superseded or published."))
    mine = serializers.SerializerMethodField(help_text=_("Lines, points and money within your subtree."))

    class Meta:
        model = ScoreRun
        fields = [
            "id",
            "policy",
            "version",
            "policy_version_id",
            "period",
            "kind",
            "status",
            "subjects",
            "mine",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(TotalsSerializer)
    def get_mine(self, run: ScoreRun) -> dict[str, Any]:
        totals = selectors.run_totals(user=self.context["request"].user, run=run)
        return dict(TotalsSerializer(totals).data)


class ScoreRunDetailSerializer(ScoreRunSerializer):
    subject_list = serializers.SerializerMethodField()
    scopes = serializers.SerializerMethodField()
    entries = serializers.IntegerField(read_only=True, help_text=_("Ledger entries posted (whole bank)."))
    duration_ms = serializers.IntegerField(read_only=True)

    class Meta(ScoreRunSerializer.Meta):
        fields = [*ScoreRunSerializer.Meta.fields, "entries", "duration_ms", "subject_list", "scopes"]
        read_only_fields = fields

    @extend_schema_field(SubjectInfoSerializer(many=True))
    def get_subject_list(self, run: ScoreRun) -> list[dict[str, Any]]:
        subjects = selectors.run_subjects(user=self.context["request"].user, run=run)
        return list(SubjectInfoSerializer(subjects, many=True).data)

    @extend_schema_field(ScopeInfoSerializer(many=True))
    def get_scopes(self, run: ScoreRun) -> list[dict[str, Any]]:
        return list(ScopeInfoSerializer(selectors.run_scopes(run=run), many=True).data)


class ScoreRunCreateSerializer(StrictSerializer):
    version = serializers.PrimaryKeyRelatedField(
        queryset=PolicyVersion.objects.all(),
        help_text=_("Id of the policy version (in force for an official run)."),
    )
    period = serializers.SlugRelatedField(
        slug_field="code", queryset=Period.objects.all(), help_text=_("Period code, e.g. 2025Q1.")
    )


class ScoreLineSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    employee_no = serializers.CharField(
        source="person.employee_no", read_only=True, allow_null=True, default=None
    )
    person_name = serializers.CharField(source="person.name", read_only=True, allow_null=True, default=None)
    scope_rank = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Rank within the chosen scope (else the whole bank).")
    )
    ranks = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = ScoreLine
        fields = [
            "id", "subject", "role", "unit", "unit_name", "employee_no", "person_name", "rank", "scope_rank",
            "ranks", "rank_value", "total_points", "total_amount",
        ]  # fmt: skip
        read_only_fields = fields


class FactEvidenceSerializer(serializers.Serializer):
    fact_id = serializers.IntegerField()
    text = serializers.CharField()
    file_name = serializers.CharField()
    sheet = serializers.CharField()
    row_number = serializers.IntegerField(allow_null=True)
    recorded_by = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    is_current = serializers.BooleanField()


@extend_schema_field(
    {"oneOf": [{"type": "string"}, {"type": "boolean"}, {"type": "integer"}], "nullable": True}
)
class AnyValueField(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return value if isinstance(value, bool | int | str) or value is None else str(value)


class UsedSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    value = AnyValueField(help_text=_("Numbers as exact decimal text; yes/no as a boolean."))
    measure = serializers.CharField()
    description = serializers.CharField()
    formula = serializers.CharField()
    default_used = serializers.BooleanField()
    evidence = FactEvidenceSerializer(allow_null=True)


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="entry.pk")
    rule = serializers.CharField(source="entry.rule")
    policy_version = serializers.IntegerField(source="entry.policy_version")
    subject_role = serializers.CharField(source="entry.subject_role")
    points = serializers.DecimalField(source="entry.points", max_digits=14, decimal_places=4)
    amount = serializers.DecimalField(source="entry.amount", max_digits=14, decimal_places=2)
    created_at = serializers.DateTimeField(source="entry.created_at")
    reversed = serializers.BooleanField()
    reversed_by = serializers.IntegerField(source="reversed_by.pk", allow_null=True, default=None)


class ScopePositionSerializer(serializers.Serializer):
    scope = serializers.CharField()
    name = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    of = serializers.IntegerField()
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None)


class HistoryPeriodSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    used = UsedSerializer(many=True)
    value = AnyValueField(help_text=_("The argument's value in that period; null when not counted."))
    counted = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())


class HistoryUseSerializer(serializers.Serializer):
    text = serializers.CharField()
    func = serializers.CharField()
    span = serializers.CharField()
    span_name = serializers.CharField()
    argument = serializers.CharField()
    periods = HistoryPeriodSerializer(many=True)
    result = serializers.DecimalField(
        max_digits=28, decimal_places=10, allow_null=True, normalize_output=True
    )
    recorded = serializers.BooleanField()


class MultiplierSerializer(serializers.Serializer):
    when = serializers.CharField()
    factor = serializers.CharField()
    seed = serializers.CharField()
    applied = serializers.BooleanField(allow_null=True)


class RuleExplanationSerializer(serializers.Serializer):
    id = serializers.CharField()
    description = serializers.CharField()
    seed = serializers.CharField()
    subject = serializers.CharField()
    fired = serializers.BooleanField()
    points = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    formulas = serializers.SerializerMethodField()
    used = UsedSerializer(many=True)
    scopes = ScopePositionSerializer(many=True)
    entries = EntrySerializer(many=True)
    multipliers = serializers.SerializerMethodField()
    history = HistoryUseSerializer(many=True)

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_formulas(self, rule: Any) -> dict[str, str]:
        found = dict(rule.formulas)
        for index, (when, factor, _seed, _applied) in enumerate(rule.multipliers, start=1):
            found[f"multiplier {index}"] = f"× {factor} when {when}"
        return found

    @extend_schema_field(MultiplierSerializer(many=True))
    def get_multipliers(self, rule: Any) -> list[dict[str, Any]]:
        return [
            {"when": when, "factor": factor, "seed": seed, "applied": applied}
            for when, factor, seed, applied in rule.multipliers
        ]


class LineExplanationSerializer(serializers.Serializer):
    line = ScoreLineSerializer()
    run = serializers.IntegerField(source="run.pk")
    policy = serializers.CharField(source="policy.id")
    subject_name = serializers.CharField()
    phase = serializers.CharField()
    phase_values = serializers.DictField(child=AnyValueField())
    period_number = serializers.IntegerField()
    ranked_by = serializers.CharField()
    scopes = ScopePositionSerializer(many=True)
    inputs = UsedSerializer(many=True)
    values = UsedSerializer(many=True)
    rules = RuleExplanationSerializer(many=True)
    other_entries = EntrySerializer(many=True)
    entries_points = serializers.DecimalField(max_digits=18, decimal_places=4)
    entries_amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class DiffRowSerializer(serializers.Serializer):
    subject = serializers.CharField()
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    employee_no = serializers.CharField(source="person.employee_no", allow_null=True, default=None)
    line = serializers.IntegerField(source="line.pk", allow_null=True, default=None)
    base_line = serializers.IntegerField(source="base_line.pk", allow_null=True, default=None)
    rank = serializers.IntegerField(allow_null=True)
    base_rank = serializers.IntegerField(allow_null=True)
    rank_delta = serializers.IntegerField(allow_null=True, help_text=_("Places moved up (negative: down)."))
    rank_value = serializers.DecimalField(max_digits=28, decimal_places=10, allow_null=True)
    base_rank_value = serializers.DecimalField(max_digits=28, decimal_places=10, allow_null=True)
    points = serializers.DecimalField(max_digits=18, decimal_places=4)
    base_points = serializers.DecimalField(max_digits=18, decimal_places=4)
    points_delta = serializers.DecimalField(max_digits=18, decimal_places=4)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    base_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    amount_delta = serializers.DecimalField(max_digits=16, decimal_places=2)


class WhatIfDiffSerializer(serializers.Serializer):
    run = serializers.IntegerField(source="run.pk")
    baseline = serializers.IntegerField(source="baseline.pk")
    points = serializers.DecimalField(max_digits=18, decimal_places=4)
    base_points = serializers.DecimalField(max_digits=18, decimal_places=4)
    points_delta = serializers.DecimalField(max_digits=18, decimal_places=4)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    base_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    amount_delta = serializers.DecimalField(max_digits=16, decimal_places=2)
    changed = serializers.IntegerField()
    rows = DiffRowSerializer(many=True)


class WhatIfCreateSerializer(StrictSerializer):
    version = serializers.PrimaryKeyRelatedField(
        queryset=PolicyVersion.objects.all(), help_text=_("Id of the (draft) version.")
    )
    period = serializers.SlugRelatedField(
        slug_field="code", queryset=Period.objects.all(), help_text=_("Period code.")
    )


# --- Views -----------------------------------------------------------------------------------------

POLICY_FILTERS = [
    OpenApiParameter("policy", str, description="Policy id"),
    OpenApiParameter("period", str, description="Period code"),
    OpenApiParameter("kind", str, enum=RunKind.values),
    OpenApiParameter("status", str, enum=RunStatus.values),
]
LINE_FILTERS = [
    OpenApiParameter("subject", str, description="The policy's subject id (default: the first)"),
    OpenApiParameter(
        "scope", str, description="Rank within this scope of the policy (default: the whole bank)"
    ),
    OpenApiParameter("unit", int, description="With scope: only this scope unit's lines (its id)"),
    OpenApiParameter(
        "ordering", str, description="rank, rank_value, points, amount, unit, name; '-' for descending"
    ),
]


@extend_schema_view(
    list=extend_schema(summary="List policy versions", responses=PolicyVersionSerializer(many=True)),
    retrieve=extend_schema(
        summary="A policy version with its document", responses=PolicyVersionDetailSerializer
    ),
    create=extend_schema(
        summary="Upload a policy version (checked; nothing stored on an error)",
        request={"multipart/form-data": PolicyUploadSerializer},
        responses={201: PolicyVersionDetailSerializer},
    ),
)
class PolicyVersionViewSet(viewsets.GenericViewSet):
    queryset = PolicyVersion.objects.none()  # the model, for permissions and the schema
    serializer_class = PolicyVersionSerializer
    filter_backends: list[Any] = []
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[PolicyVersion]:
        return selectors.policy_version_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        return self.get_paginated_response(PolicyVersionSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(
            PolicyVersionDetailSerializer(selectors.policy_version_get(user=request.user, pk=pk)).data
        )

    def create(self, request: Request) -> Response:
        data = PolicyUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        file_name, text = data.validated_data["file"]
        version = services.policy_version_upload(
            author=request.user, text=text, file_name=file_name, status=data.validated_data["status"]
        )
        return Response(PolicyVersionDetailSerializer(version).data, status=status.HTTP_201_CREATED)


def _period(code: str | None) -> Period | None:
    return Period.objects.filter(code=code).first() if code else None


@extend_schema_view(
    list=extend_schema(
        summary="List scoring runs", parameters=POLICY_FILTERS, responses=ScoreRunSerializer(many=True)
    ),
    retrieve=extend_schema(summary="A run, with your subtree's totals", responses=ScoreRunDetailSerializer),
    create=extend_schema(
        summary="Score a period with a version in force (official; posted to the ledger)",
        request=ScoreRunCreateSerializer,
        responses={201: ScoreRunDetailSerializer},
    ),
)
class ScoreRunViewSet(viewsets.GenericViewSet):
    queryset = ScoreRun.objects.none()
    serializer_class = ScoreRunSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ScoreRun]:
        return selectors.run_list(user=self.request.user)

    def _detail(self, run: ScoreRun, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            ScoreRunDetailSerializer(run, context=self.get_serializer_context()).data, status=code
        )

    def list(self, request: Request) -> Response:
        params = request.query_params
        runs = selectors.run_list(
            user=request.user,
            policy=params.get("policy") or None,
            period=_period(params.get("period")),
            kind=params.get("kind") or None,
            status=params.get("status") or None,
        )
        if params.get("period") and _period(params.get("period")) is None:
            runs = runs.none()
        page = self.paginate_queryset(runs)
        assert page is not None
        return self.get_paginated_response(
            ScoreRunSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(selectors.run_get(user=request.user, pk=pk))

    def create(self, request: Request) -> Response:
        data = ScoreRunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.score_period(
            author=request.user, version=data.validated_data["version"], period=data.validated_data["period"]
        )
        return self._detail(run, status.HTTP_201_CREATED)

    @extend_schema(
        summary="A what-if run: a (draft) version over a period, nothing posted",
        request=WhatIfCreateSerializer,
        responses={201: ScoreRunDetailSerializer},
    )
    def what_if(self, request: Request) -> Response:
        data = WhatIfCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.score_period(
            author=request.user,
            version=data.validated_data["version"],
            period=data.validated_data["period"],
            what_if=True,
        )
        return self._detail(run, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Publish (freeze) the run's period: it can never be rescored",
        request=None,
        responses=ScoreRunDetailSerializer,
    )
    def publish(self, request: Request, pk: str) -> Response:
        run = selectors.run_get(user=request.user, pk=pk)
        return self._detail(services.score_run_publish(author=request.user, run=run))

    @extend_schema(
        summary="The ranking: the run's lines in your subtree",
        parameters=LINE_FILTERS,
        responses=ScoreLineSerializer(many=True),
        operation_id="scoring_runs_lines_list",
    )
    def lines(self, request: Request, pk: str) -> Response:
        run = selectors.run_get(user=request.user, pk=pk)
        params = request.query_params
        subjects = selectors.run_subjects(user=request.user, run=run)
        subject = params.get("subject") or (subjects[0].id if subjects else "")
        scope = params.get("scope") or None
        if scope is not None and scope not in {s.id for s in selectors.run_scopes(run=run)}:
            raise ValidationError({"scope": [_("Not a scope of the run's policy.")]})
        lines = selectors.ranking(
            user=request.user,
            run=run,
            subject=subject,
            scope=scope,
            scope_unit=params.get("unit") if scope else None,
            order=params.get("ordering") or "rank",
        )
        page = self.paginate_queryset(lines)
        assert page is not None
        return self.get_paginated_response(ScoreLineSerializer(page, many=True).data)

    @extend_schema(
        summary="What-if diff against an official run of the same period",
        parameters=[
            OpenApiParameter(
                "baseline", int, description="Id of the official run (default: the period's standing one)"
            ),
            OpenApiParameter("subject", str),
        ],
        responses=WhatIfDiffSerializer,
    )
    def diff(self, request: Request, pk: str) -> Response:
        run = selectors.run_get(user=request.user, pk=pk)
        wanted = request.query_params.get("baseline")
        if wanted:
            baseline = selectors.run_get(user=request.user, pk=wanted)
        else:
            found = (
                selectors.baseline_runs(user=request.user)
                .filter(policy_version__policy=run.policy_version.policy, period=run.period)
                .exclude(pk=run.pk)
                .first()
            )
            if found is None:
                raise ValidationError(
                    {"baseline": [_("There is no official run of this period to compare with.")]}
                )
            baseline = found
        diff = selectors.what_if_diff(
            user=request.user, run=run, baseline=baseline, subject=request.query_params.get("subject") or None
        )
        return Response(WhatIfDiffSerializer(diff).data)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Why a line's numbers are what they are", responses=LineExplanationSerializer
    ),
)
class ScoreLineViewSet(viewsets.GenericViewSet):
    queryset = ScoreLine.objects.none()
    serializer_class = LineExplanationSerializer
    filter_backends: list[Any] = []

    def retrieve(self, request: Request, run_pk: str, pk: str) -> Response:
        run = selectors.run_get(user=request.user, pk=run_pk)
        line = selectors.line_get(user=request.user, run=run, pk=pk)
        return Response(LineExplanationSerializer(selectors.line_explain(user=request.user, line=line)).data)


# Routed by youfu.api.urls under /api/v1/scoring/ (names in the "api" namespace: api:scoring-run-list …).
urlpatterns = [
    path(
        "policies/",
        PolicyVersionViewSet.as_view({"get": "list", "post": "create"}),
        name="scoring-policy-list",
    ),
    path(
        "policies/<int:pk>/", PolicyVersionViewSet.as_view({"get": "retrieve"}), name="scoring-policy-detail"
    ),
    path("runs/", ScoreRunViewSet.as_view({"get": "list", "post": "create"}), name="scoring-run-list"),
    path("runs/what-if/", ScoreRunViewSet.as_view({"post": "what_if"}), name="scoring-run-what-if"),
    path("runs/<int:pk>/", ScoreRunViewSet.as_view({"get": "retrieve"}), name="scoring-run-detail"),
    path("runs/<int:pk>/publish/", ScoreRunViewSet.as_view({"post": "publish"}), name="scoring-run-publish"),
    path("runs/<int:pk>/lines/", ScoreRunViewSet.as_view({"get": "lines"}), name="scoring-run-lines"),
    path("runs/<int:pk>/diff/", ScoreRunViewSet.as_view({"get": "diff"}), name="scoring-run-diff"),
    path(
        "runs/<int:run_pk>/lines/<int:pk>/",
        ScoreLineViewSet.as_view({"get": "retrieve"}),
        name="scoring-line-detail",
    ),
]
