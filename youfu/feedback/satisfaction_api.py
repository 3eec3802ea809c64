"""REST API of the callbacks and surveys under /api/v1/feedback/ (routed through youfu.feedback.api):

* `GET callbacks/draws/?month=2025-10&unit=CODE` — the samples in the caller's subtree;
  `POST callbacks/draws/` `{"month": "2025-10", "unit": "CODE"}` — draw every outlet at or under the unit.
* `GET callbacks/draws/{id}/` — a sample with its calls (phones masked).
* `GET callbacks/calls/{id}/`, `POST callbacks/calls/{id}/` `{"reached": true, "result": "satisfied",
  "comments": "", "teller": "EMPLOYEE_NO"}` — record a try of a call.
* `POST callbacks/contacts/import/` — a customer list (.xlsx or .csv, multipart `file`).
* `GET callbacks/results/?period=2025-10|start=&end=&by=outlet|person&unit=CODE`.
* `GET surveys/`, `POST surveys/` `{"kind": "customer", "unit": "CODE", "opens_on": …, "closes_on": …}`.
* `GET surveys/{id}/` — the results in the caller's subtree; `POST surveys/{id}/responses/`
  `{"unit": "CODE", "answers": {"<question id>": "<option index | 1-5 | text>"}}` — recorded by staff.

Thin: reads through the selectors (404 outside the subtree), writes through the services, which check
the role and the subtree again.
"""

from __future__ import annotations

from typing import Any

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
from youfu.api.serializers import StrictSerializer, UnitCodeField
from youfu.feedback import callback_selectors, survey_selectors
from youfu.feedback.callback_services import (
    callback_call_record,
    callback_contacts_import,
    callbacks_draw,
)
from youfu.feedback.choices import CallResult, SurveyKind
from youfu.feedback.forms import last_month
from youfu.feedback.models import CallbackCall, CallbackDraw, Survey
from youfu.feedback.survey_services import survey_create, survey_response_record
from youfu.org.models import Period, Person


class MonthField(serializers.DateField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=["%Y-%m", "%Y-%m-%d"], format="%Y-%m", **kwargs)

    def to_internal_value(self, value: Any) -> Any:
        return super().to_internal_value(value).replace(day=1)


class CallSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="contact.masked_name", read_only=True)
    phone = serializers.CharField(source="contact.masked_phone", read_only=True)
    transaction_date = serializers.DateField(source="contact.transaction_date", read_only=True)
    teller = serializers.CharField(source="teller.employee_no", read_only=True, allow_null=True, default=None)

    class Meta:
        model = CallbackCall
        fields = [
            "id",
            "position",
            "customer",
            "phone",
            "transaction_date",
            "teller",
            "status",
            "attempts",
            "result",
            "points",
            "comments",
            "called_at",
        ]
        read_only_fields = fields


class DrawSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)
    month = serializers.DateField(format="%Y-%m", read_only=True)

    class Meta:
        model = CallbackDraw
        fields = ["id", "unit", "month", "seed", "sample_size", "exclude_months", "max_attempts", "drawn_at"]
        read_only_fields = fields


class DrawDetailSerializer(DrawSerializer):
    calls = CallSerializer(many=True, read_only=True)

    class Meta(DrawSerializer.Meta):
        fields = [*DrawSerializer.Meta.fields, "calls"]
        read_only_fields = fields


class DrawQuerySerializer(StrictSerializer):
    month = MonthField(required=False)
    unit = UnitCodeField(required=False)
    page = serializers.IntegerField(required=False, min_value=1)


class DrawRequestSerializer(StrictSerializer):
    month = MonthField()
    unit = UnitCodeField()


class DrawResultSerializer(serializers.Serializer):
    created = DrawSerializer(many=True)
    existing = DrawSerializer(many=True)
    short = serializers.ListField(child=serializers.DictField())


class CallRecordSerializer(StrictSerializer):
    reached = serializers.BooleanField()
    result = serializers.ChoiceField(choices=CallResult.choices, required=False, allow_blank=True, default="")
    comments = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    teller = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("employee number")
    )


class CallOutcomeSerializer(serializers.Serializer):
    call = CallSerializer()
    replacement = CallSerializer(allow_null=True)
    pool_exhausted = serializers.BooleanField()


class CallbackImportSerializer(StrictSerializer):
    file = serializers.FileField(help_text=_("An .xlsx or .csv customer list"))


class CallbackImportResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="batch.pk")
    created = serializers.BooleanField()
    rows = serializers.IntegerField(source="batch.row_count")
    added = serializers.IntegerField(source="batch.created_count")
    unchanged = serializers.IntegerField(source="batch.unchanged_count")


class ResultsQuerySerializer(StrictSerializer):
    period = serializers.SlugRelatedField(slug_field="code", queryset=Period.objects.all(), required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    unit = UnitCodeField(required=False)
    by = serializers.ChoiceField(choices=[("outlet", "outlet"), ("person", "person")], default="outlet")


class CallbackLineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    unit_name = serializers.CharField()
    drawn = serializers.IntegerField()
    reached = serializers.IntegerField()
    pending = serializers.IntegerField()
    unreachable = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    neutral = serializers.IntegerField()
    unsatisfied = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=10, decimal_places=1)
    satisfaction_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class CallbackResultsSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    by = serializers.CharField()
    lines = CallbackLineSerializer(many=True)
    total = CallbackLineSerializer()


class DrawListView(APIView):
    @extend_schema(
        summary="Callback samples in your subtree",
        parameters=[DrawQuerySerializer],
        responses=DrawSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        require_perm(request.user, "feedback.view_callbackdraw")
        query = DrawQuerySerializer(data=request.query_params.dict(), context={"request": request})
        query.is_valid(raise_exception=True)
        draws = callback_selectors.draw_list(
            user=request.user,
            month=query.validated_data.get("month"),
            within=query.validated_data.get("unit"),
        )
        from youfu.api.pagination import Pagination

        paginator = Pagination()
        page = paginator.paginate_queryset(draws, request, view=self)
        return paginator.get_paginated_response(DrawSerializer(page, many=True).data)

    @extend_schema(
        summary="Draw a month's callback samples",
        request=DrawRequestSerializer,
        responses={201: DrawResultSerializer},
    )
    def post(self, request: Request) -> Response:
        data = DrawRequestSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        result = callbacks_draw(
            actor=request.user, unit=data.validated_data["unit"], month=data.validated_data["month"]
        )
        body = {
            "created": DrawSerializer(result.created, many=True).data,
            "existing": DrawSerializer(result.existing, many=True).data,
            "short": [
                {"unit": u.code, "drawn": drawn, "wanted": wanted} for u, drawn, wanted in result.short
            ],
        }
        return Response(body, status=status.HTTP_201_CREATED)


class DrawDetailView(APIView):
    @extend_schema(summary="A callback sample with its calls (phones masked)", responses=DrawDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        require_perm(request.user, "feedback.view_callbackdraw")
        return Response(DrawDetailSerializer(callback_selectors.draw_get(user=request.user, pk=pk)).data)


class CallView(APIView):
    @extend_schema(summary="A callback (phone masked)", responses=CallSerializer)
    def get(self, request: Request, pk: int) -> Response:
        require_perm(request.user, "feedback.view_callbackdraw")
        return Response(CallSerializer(callback_selectors.call_get(user=request.user, pk=pk)).data)

    @extend_schema(
        summary="Record a try of a callback", request=CallRecordSerializer, responses=CallOutcomeSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        require_perm(request.user, "feedback.make_callback")
        call = callback_selectors.call_get(user=request.user, pk=pk)
        data = CallRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        teller = None
        number = data.validated_data["teller"].strip()
        if number:
            teller = Person.objects.select_related("unit").filter(employee_no=number).first()
            if teller is None:
                raise ValidationError({"teller": [_("No member of staff has this number.")]})
        outcome = callback_call_record(
            actor=request.user,
            call=call,
            reached=data.validated_data["reached"],
            result=data.validated_data["result"],
            comments=data.validated_data["comments"],
            teller=teller,
        )
        return Response(
            CallOutcomeSerializer(
                {
                    "call": outcome.call,
                    "replacement": outcome.replacement,
                    "pool_exhausted": outcome.pool_exhausted,
                }
            ).data
        )


class ContactImportView(APIView):
    @extend_schema(
        summary="Import a customer contact list (all or nothing; the same file twice adds nothing)",
        request={"multipart/form-data": CallbackImportSerializer},
        responses={201: CallbackImportResultSerializer, 200: CallbackImportResultSerializer},
    )
    def post(self, request: Request) -> Response:
        data = CallbackImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        result = callback_contacts_import(actor=request.user, data=upload.read(), file_name=upload.name)
        return Response(
            CallbackImportResultSerializer(result).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class CallbackResultsView(APIView):
    @extend_schema(
        summary="Callback results per outlet or teller",
        parameters=[ResultsQuerySerializer],
        responses=CallbackResultsSerializer,
    )
    def get(self, request: Request) -> Response:
        require_perm(request.user, "feedback.view_callbackdraw")
        query = ResultsQuerySerializer(data=request.query_params.dict(), context={"request": request})
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
        lines = callback_selectors.callback_results(
            user=request.user, start=start, end=end, grouping=params["by"], within=params.get("unit")
        )
        return Response(
            CallbackResultsSerializer(
                {
                    "start": start,
                    "end": end,
                    "by": params["by"],
                    "lines": lines,
                    "total": callback_selectors.callback_total(lines),
                }
            ).data
        )


# --- Surveys ------------------------------------------------------------------------------------------


class SurveySerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = Survey
        fields = ["id", "title", "kind", "unit", "opens_on", "closes_on", "version", "created_at"]
        read_only_fields = fields


class SurveyCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=SurveyKind.choices)
    unit = UnitCodeField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=128)


class QuestionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="question.pk")
    position = serializers.IntegerField(source="question.position")
    kind = serializers.CharField(source="question.kind")
    text = serializers.CharField(source="question.text")
    options = serializers.ListField(child=serializers.DictField(), source="question.options")
    labels = serializers.ListField(child=serializers.CharField())
    counts = serializers.ListField(child=serializers.IntegerField())
    mean = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    texts = serializers.ListField(child=serializers.CharField())


class UnitResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    responses = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class SurveyResultsSerializer(serializers.Serializer):
    survey = SurveySerializer()
    responses = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    units = UnitResultSerializer(many=True)
    questions = QuestionResultSerializer(many=True)


class ResponseRecordSerializer(StrictSerializer):
    unit = UnitCodeField()
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=2000))


class ResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.CharField(source="unit.code")
    version = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    created_at = serializers.DateTimeField()


class SurveyListView(APIView):
    @extend_schema(summary="Surveys visible to you", responses=SurveySerializer(many=True))
    def get(self, request: Request) -> Response:
        require_perm(request.user, "feedback.view_survey")
        from youfu.api.pagination import Pagination

        paginator = Pagination()
        page = paginator.paginate_queryset(
            survey_selectors.survey_list(user=request.user), request, view=self
        )
        return paginator.get_paginated_response(SurveySerializer(page, many=True).data)

    @extend_schema(
        summary="Create a survey from a template (customer or internal)",
        request=SurveyCreateSerializer,
        responses={201: SurveySerializer},
    )
    def post(self, request: Request) -> Response:
        data = SurveyCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        survey = survey_create(actor=request.user, **data.validated_data)
        return Response(SurveySerializer(survey).data, status=status.HTTP_201_CREATED)


class SurveyDetailView(APIView):
    @extend_schema(summary="A survey's results in your subtree", responses=SurveyResultsSerializer)
    def get(self, request: Request, pk: int) -> Response:
        require_perm(request.user, "feedback.view_survey")
        survey = survey_selectors.survey_get(user=request.user, pk=pk)
        results = survey_selectors.survey_results(user=request.user, survey=survey)
        return Response(
            SurveyResultsSerializer(
                {
                    "survey": survey,
                    "responses": results.responses,
                    "mean": results.mean,
                    "units": results.units,
                    "questions": results.questions,
                }
            ).data
        )


class SurveyResponseView(APIView):
    @extend_schema(
        summary="Record an answer on a customer's behalf",
        request=ResponseRecordSerializer,
        responses={201: ResponseSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        require_perm(request.user, "feedback.add_surveyresponse")
        survey = survey_selectors.survey_get(user=request.user, pk=pk)
        data = ResponseRecordSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        response = survey_response_record(
            actor=request.user,
            survey=survey,
            unit=data.validated_data["unit"],
            answers=data.validated_data["answers"],
        )
        return Response(ResponseSerializer(response).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("callbacks/draws/", DrawListView.as_view(), name="callback-draw-list"),
    path("callbacks/draws/<int:pk>/", DrawDetailView.as_view(), name="callback-draw-detail"),
    path("callbacks/calls/<int:pk>/", CallView.as_view(), name="callback-call"),
    path("callbacks/contacts/import/", ContactImportView.as_view(), name="callback-contacts-import"),
    path("callbacks/results/", CallbackResultsView.as_view(), name="callback-results"),
    path("surveys/", SurveyListView.as_view(), name="survey-list"),
    path("surveys/<int:pk>/", SurveyDetailView.as_view(), name="survey-detail"),
    path("surveys/<int:pk>/responses/", SurveyResponseView.as_view(), name="survey-responses"),
]
