"""REST API of the notifications domain, routed by youfu.api.urls under /api/v1/notifications/: the
caller's own notices only (anyone signed in has an inbox)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from youfu.notifications import selectors, services
from youfu.notifications.models import Notice
from youfu.org.api import PaginatedMixin


class NoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notice
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class UnreadSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class NoticeViewSet(PaginatedMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    queryset = Notice.objects.none()
    serializer_class = NoticeSerializer

    def get_queryset(self) -> QuerySet[Notice]:
        return selectors.notices_for(self.request.user, unread=self.request.query_params.get("unread") == "1")

    @extend_schema(
        summary="List my notifications",
        parameters=[OpenApiParameter("unread", str, description="1: unread only")],
        responses=NoticeSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        return self.paginated(self.get_queryset(), NoticeSerializer)

    @extend_schema(summary="Count my unread notifications", responses=UnreadSerializer)
    def unread(self, request: Request) -> Response:
        return Response({"unread": selectors.unread_count(request.user)})

    @extend_schema(summary="Mark a notification read", request=None, responses=NoticeSerializer)
    def read(self, request: Request, pk: Any) -> Response:
        notice = selectors.notice_get(user=request.user, pk=int(pk))
        return Response(NoticeSerializer(services.notice_mark_read(user=request.user, notice=notice)).data)

    @extend_schema(summary="Mark all my notifications read", request=None, responses=UnreadSerializer)
    def read_all(self, request: Request) -> Response:
        services.notices_mark_all_read(user=request.user)
        return Response({"unread": selectors.unread_count(request.user)})


# Routed by youfu.api.urls under /api/v1/notifications/.
urlpatterns = [
    path("", NoticeViewSet.as_view({"get": "list"}), name="notice-list"),
    path("unread/", NoticeViewSet.as_view({"get": "unread"}), name="notice-unread"),
    path("read-all/", NoticeViewSet.as_view({"post": "read_all"}), name="notice-read-all"),
    path("<int:pk>/read/", NoticeViewSet.as_view({"post": "read"}), name="notice-read"),
]
