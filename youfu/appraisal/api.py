"""REST API of the staff appraisal, routed by youfu.api.urls under /api/v1/appraisal/ (names in the
"api" namespace: api:appraisal-cycle-list …). Rows come from youfu.appraisal.selectors (own forms, or the
subtree for supervisors, the panel and auditors); writes go through youfu.appraisal.services. Peer
scores appear only as a count and a mean (of a closed cycle, from enough ballots): never per ballot."""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.utils import extend_schema
from openpyxl import Workbook
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from youfu.api.serializers import StrictSerializer
from youfu.appraisal import selectors, services
from youfu.appraisal.choices import ItemKind, ItemStatus, RaterKind
from youfu.appraisal.imports import template_workbook
from youfu.appraisal.models import Appeal, Cycle, FormItem, MonthlyForm, QuarterResult, Rating, Review
from youfu.core.errors import ApplicationError
from youfu.org.api import PaginatedMixin


class ViewAppraisal(BasePermission):
    """Every endpoint needs the appraisal at all; each write's own right is checked by its service."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("appraisal.view_monthlyform"))


# --- Serializers ----------------------------------------------------------------------------------


class CycleSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)
    period = serializers.CharField(source="period.code", read_only=True)
    policy = serializers.CharField(source="policy_version.policy", read_only=True)
    policy_version = serializers.IntegerField(source="policy_version.version", read_only=True)
    warnings = serializers.ListField(
        source="policy_version.warnings", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = Cycle
        fields = [
            "id",
            "unit",
            "period",
            "policy",
            "policy_version",
            "status",
            "appeal_days",
            "closed_at",
            "warnings",
        ]
        read_only_fields = fields


class PlanItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = FormItem
        fields = ["id", "kind", "title", "status", "reason", "adopted"]
        read_only_fields = fields


class RatingSerializer(serializers.ModelSerializer):
    rater = serializers.CharField(source="rater.username", read_only=True)

    class Meta:
        model = Rating
        fields = ["kind", "score", "rater", "rated_at"]
        read_only_fields = fields


class FormSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.employee_no", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    month = serializers.CharField(source="month.code", read_only=True)
    items = PlanItemSerializer(many=True, read_only=True)
    ratings = RatingSerializer(many=True, read_only=True)

    class Meta:
        model = MonthlyForm
        fields = [
            "id",
            "cycle_id",
            "person",
            "person_name",
            "unit",
            "month",
            "status",
            "summary",
            "plan_submitted_at",
            "submitted_at",
            "items",
            "ratings",
        ]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.employee_no", read_only=True)
    peer_ballots = serializers.SerializerMethodField()
    peer_mean = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "cycle_id",
            "person",
            "self_score",
            "self_summary",
            "panel_score",
            "peer_ballots",
            "peer_mean",
        ]
        read_only_fields = fields

    def get_peer_ballots(self, review: Review) -> int:
        return selectors.peer_summary(cycle=review.cycle, person=review.person)[0]

    def get_peer_mean(self, review: Review) -> str:
        return selectors.peer_summary(cycle=review.cycle, person=review.person)[1]


class ResultSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.employee_no", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    period = serializers.CharField(source="cycle.period.code", read_only=True)

    class Meta:
        model = QuarterResult
        fields = [
            "id",
            "cycle_id",
            "person",
            "person_name",
            "unit",
            "period",
            "version",
            "is_current",
            "monthly_mean",
            "comprehensive",
            "score",
            "grade",
            "bonus_items",
            "bonus_silent",
            "reason",
            "computed_at",
            "explanation",
        ]
        read_only_fields = fields


class GradeAppealSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.employee_no", read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "result_id",
            "person",
            "reason",
            "status",
            "raised_at",
            "decided_at",
            "decision",
            "revised_panel_score",
            "new_result_id",
        ]
        read_only_fields = fields


class PlanIn(StrictSerializer):
    class Line(StrictSerializer):
        kind = serializers.ChoiceField(choices=ItemKind.choices)
        title = serializers.CharField(max_length=200)

    items = Line(many=True)
    submit = serializers.BooleanField(default=False)


class FillIn(StrictSerializer):
    class Progress(StrictSerializer):
        item = serializers.IntegerField()
        status = serializers.ChoiceField(choices=ItemStatus.choices)
        reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    items = Progress(many=True)
    self_score = serializers.CharField()
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    submit = serializers.BooleanField(default=False)


class RateIn(StrictSerializer):
    kind = serializers.ChoiceField(choices=[c for c in RaterKind.choices if c[0] != RaterKind.SELF])
    score = serializers.CharField()
    adopted = serializers.ListField(child=serializers.IntegerField(), required=False)


class ScoreIn(StrictSerializer):
    score = serializers.CharField()
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class BallotIn(StrictSerializer):
    scores = serializers.DictField(child=serializers.CharField(), help_text="person id → score")


class AppealIn(StrictSerializer):
    reason = serializers.CharField()


class DecideIn(StrictSerializer):
    upheld = serializers.BooleanField()
    decision = serializers.CharField()
    revised_panel_score = serializers.CharField(required=False, allow_null=True, default=None)


# --- Views ----------------------------------------------------------------------------------------


class Base(PaginatedMixin, viewsets.GenericViewSet):
    permission_classes = [ViewAppraisal]
    queryset = Cycle.objects.none()  # rows come from the selectors

    def _in(self, serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class CycleViewSet(Base):
    @extend_schema(responses=CycleSerializer(many=True))
    def list(self, request: Request) -> Response:
        return self.paginated(selectors.cycle_list(user=request.user), CycleSerializer)

    @extend_schema(responses=CycleSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(CycleSerializer(selectors.cycle_get(user=request.user, pk=pk)).data)

    @extend_schema(responses=ResultSerializer(many=True))
    def results(self, request: Request, pk: int) -> Response:
        cycle = selectors.cycle_get(user=request.user, pk=pk)
        return self.paginated(selectors.result_list(user=request.user, cycle=cycle), ResultSerializer)

    @extend_schema(
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes}
    )
    def export(self, request: Request, pk: int) -> HttpResponse:
        """The cycle's current results as Excel (工号, 姓名, 机构, 月度均分, 综合, 得分, 等级, 奖金项目)."""
        cycle = selectors.cycle_get(user=request.user, pk=pk)
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["工号", "姓名", "机构", "月度均分", "综合绩效", "季度得分", "等级", "奖金项目", "版本"])
        for r in selectors.result_list(user=request.user, cycle=cycle):
            sheet.append(
                [
                    r.person.employee_no,
                    r.person.name,
                    r.unit.code,
                    str(r.monthly_mean),
                    str(r.comprehensive),
                    str(r.score),
                    r.grade,
                    "(silent)" if r.bonus_silent else r.bonus_items,
                    r.version,
                ]
            )
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="appraisal-{cycle.period.code}.xlsx"'
        return response

    @extend_schema(request=BallotIn, responses={204: None})
    def ballot(self, request: Request, pk: int) -> Response:
        cycle = selectors.cycle_get(user=request.user, pk=pk)
        data = self._in(BallotIn, request)
        try:
            scores = {int(k): v for k, v in data["scores"].items()}
        except ValueError:
            raise ApplicationError("scores: keys are person ids", field="scores") from None
        services.peer_ballot_cast(actor=request.user, cycle=cycle, scores=scores)
        return Response(status=204)

    @extend_schema(
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes}
    )
    def template(self, request: Request) -> HttpResponse:
        response = HttpResponse(
            template_workbook(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="appraisal-adjustments.xlsx"'
        return response


class FormViewSet(Base):
    @extend_schema(responses=FormSerializer(many=True))
    def list(self, request: Request) -> Response:
        rows = selectors.form_list(user=request.user).prefetch_related("items", "ratings__rater")
        if request.query_params.get("cycle"):
            rows = (
                rows.filter(cycle_id=request.query_params["cycle"])
                if request.query_params["cycle"].isdigit()
                else rows.none()
            )
        return self.paginated(rows, FormSerializer)

    @extend_schema(responses=FormSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(FormSerializer(selectors.form_get(user=request.user, pk=pk)).data)

    @extend_schema(request=PlanIn, responses=FormSerializer)
    def plan(self, request: Request, pk: int) -> Response:
        form = selectors.form_get(user=request.user, pk=pk)
        data = self._in(PlanIn, request)
        lines = [services.PlanLine(kind=i["kind"], title=i["title"]) for i in data["items"]]
        form = services.form_plan_save(actor=request.user, form=form, lines=lines, submit=data["submit"])
        return Response(FormSerializer(selectors.form_get(user=request.user, pk=form.pk)).data)

    @extend_schema(request=FillIn, responses=FormSerializer)
    def fill(self, request: Request, pk: int) -> Response:
        form = selectors.form_get(user=request.user, pk=pk)
        data = self._in(FillIn, request)
        progress = [
            services.ItemProgress(item_id=i["item"], status=i["status"], reason=i["reason"])
            for i in data["items"]
        ]
        services.form_fill(
            actor=request.user,
            form=form,
            progress=progress,
            self_score=data["self_score"],
            summary=data["summary"],
            submit=data["submit"],
        )
        return Response(FormSerializer(selectors.form_get(user=request.user, pk=form.pk)).data)

    @extend_schema(request=RateIn, responses=FormSerializer)
    def rate(self, request: Request, pk: int) -> Response:
        form = selectors.form_get(user=request.user, pk=pk)
        data = self._in(RateIn, request)
        services.rating_give(
            actor=request.user,
            form=form,
            kind=data["kind"],
            score=data["score"],
            adopted_item_ids=data.get("adopted"),
        )
        return Response(FormSerializer(selectors.form_get(user=request.user, pk=form.pk)).data)


class ReviewViewSet(Base):
    @extend_schema(responses=ReviewSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(ReviewSerializer(selectors.review_get(user=request.user, pk=pk)).data)

    @extend_schema(request=ScoreIn, responses=ReviewSerializer)
    def self_score(self, request: Request, pk: int) -> Response:
        review = selectors.review_get(user=request.user, pk=pk)
        data = self._in(ScoreIn, request)
        services.review_self(actor=request.user, review=review, score=data["score"], summary=data["summary"])
        return Response(ReviewSerializer(selectors.review_get(user=request.user, pk=pk)).data)

    @extend_schema(request=ScoreIn, responses=ReviewSerializer)
    def panel(self, request: Request, pk: int) -> Response:
        review = selectors.review_get(user=request.user, pk=pk)
        data = self._in(ScoreIn, request)
        services.review_panel(actor=request.user, review=review, score=data["score"])
        return Response(ReviewSerializer(selectors.review_get(user=request.user, pk=pk)).data)


class ResultViewSet(Base):
    @extend_schema(responses=ResultSerializer(many=True))
    def list(self, request: Request) -> Response:
        return self.paginated(selectors.result_list(user=request.user, current=False), ResultSerializer)

    @extend_schema(responses=ResultSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(ResultSerializer(selectors.result_get(user=request.user, pk=pk)).data)

    @extend_schema(request=AppealIn, responses=GradeAppealSerializer)
    def appeal(self, request: Request, pk: int) -> Response:
        result = selectors.result_get(user=request.user, pk=pk)
        data = self._in(AppealIn, request)
        appeal = services.appeal_raise(actor=request.user, result=result, reason=data["reason"])
        return Response(GradeAppealSerializer(appeal).data, status=201)


class AppealViewSet(Base):
    @extend_schema(responses=GradeAppealSerializer(many=True))
    def list(self, request: Request) -> Response:
        return self.paginated(
            selectors.appeal_list(user=request.user, status=request.query_params.get("status", "")),
            GradeAppealSerializer,
        )

    @extend_schema(responses=GradeAppealSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(GradeAppealSerializer(selectors.appeal_get(user=request.user, pk=pk)).data)

    @extend_schema(request=DecideIn, responses=GradeAppealSerializer)
    def decide(self, request: Request, pk: int) -> Response:
        appeal = selectors.appeal_get(user=request.user, pk=pk)
        data = self._in(DecideIn, request)
        appeal = services.appeal_decide(actor=request.user, appeal=appeal, **data)
        return Response(GradeAppealSerializer(appeal).data)


urlpatterns = [
    path("cycles/", CycleViewSet.as_view({"get": "list"}), name="appraisal-cycle-list"),
    path("cycles/template.xlsx", CycleViewSet.as_view({"get": "template"}), name="appraisal-template"),
    path("cycles/<int:pk>/", CycleViewSet.as_view({"get": "retrieve"}), name="appraisal-cycle-detail"),
    path(
        "cycles/<int:pk>/results/", CycleViewSet.as_view({"get": "results"}), name="appraisal-cycle-results"
    ),
    path(
        "cycles/<int:pk>/results.xlsx", CycleViewSet.as_view({"get": "export"}), name="appraisal-cycle-export"
    ),
    path("cycles/<int:pk>/ballot/", CycleViewSet.as_view({"post": "ballot"}), name="appraisal-ballot"),
    path("forms/", FormViewSet.as_view({"get": "list"}), name="appraisal-form-list"),
    path("forms/<int:pk>/", FormViewSet.as_view({"get": "retrieve"}), name="appraisal-form-detail"),
    path("forms/<int:pk>/plan/", FormViewSet.as_view({"post": "plan"}), name="appraisal-form-plan"),
    path("forms/<int:pk>/fill/", FormViewSet.as_view({"post": "fill"}), name="appraisal-form-fill"),
    path("forms/<int:pk>/rate/", FormViewSet.as_view({"post": "rate"}), name="appraisal-form-rate"),
    path("reviews/<int:pk>/", ReviewViewSet.as_view({"get": "retrieve"}), name="appraisal-review-detail"),
    path(
        "reviews/<int:pk>/self/", ReviewViewSet.as_view({"post": "self_score"}), name="appraisal-review-self"
    ),
    path("reviews/<int:pk>/panel/", ReviewViewSet.as_view({"post": "panel"}), name="appraisal-review-panel"),
    path("results/", ResultViewSet.as_view({"get": "list"}), name="appraisal-result-list"),
    path("results/<int:pk>/", ResultViewSet.as_view({"get": "retrieve"}), name="appraisal-result-detail"),
    path(
        "results/<int:pk>/appeal/", ResultViewSet.as_view({"post": "appeal"}), name="appraisal-result-appeal"
    ),
    path("appeals/", AppealViewSet.as_view({"get": "list"}), name="appraisal-appeal-list"),
    path("appeals/<int:pk>/", AppealViewSet.as_view({"get": "retrieve"}), name="appraisal-appeal-detail"),
    path(
        "appeals/<int:pk>/decide/", AppealViewSet.as_view({"post": "decide"}), name="appraisal-appeal-decide"
    ),
]
