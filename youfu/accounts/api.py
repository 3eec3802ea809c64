"""REST API of accounts: API tokens, the signed-in user, and users within the viewer's subtree."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from youfu.accounts import selectors, services
from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.api.serializers import PersonNumberField, StrictSerializer, UnitCodeField
from youfu.org.models import Unit


def _roles_of(user: User) -> list[str]:
    # From the prefetched groups (one query for a whole page), in the order roles are declared.
    names = {group.name for group in user.groups.all()}
    return [role.value for role in Role if role.value in names]


class UnitBriefSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "kind_label", "depth"]
        read_only_fields = fields


class RoleSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Role.choices)
    label = serializers.CharField()  # type: ignore[assignment]


class PersonBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_no = serializers.CharField()
    name = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    unit = UnitBriefSerializer(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The unit in charge: its subtree is what the user sees and changes."),
    )
    person = PersonBriefSerializer(
        read_only=True, allow_null=True, help_text=gettext_lazy("Own staff record.")
    )
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name", "email", "is_superuser", "roles", "unit", "person", "permissions"]
        read_only_fields = fields

    def get_name(self, user: User) -> str:
        return user.get_full_name() or (user.person.name if user.person else "")

    @extend_schema_field(RoleSerializer(many=True))
    def get_roles(self, user: User) -> list[dict[str, str]]:
        return [{"code": role.value, "label": str(role.label)} for role in services.user_roles(user)]

    def get_permissions(self, user: User) -> list[str]:
        return sorted(user.get_all_permissions())


class UserSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True, allow_null=True, default=None)
    person = serializers.CharField(source="person.employee_no", read_only=True, allow_null=True, default=None)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "email",
            "unit",
            "person",
            "roles",
            "is_active",
            "is_superuser",
            "last_login",
            "date_joined",
        ]
        read_only_fields = fields

    def get_roles(self, user: User) -> list[str]:
        return _roles_of(user)


class UserCreateSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    password = serializers.CharField(write_only=True, style={"input_type": "password"}, trim_whitespace=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    unit = UnitCodeField(help_text=gettext_lazy("Code of the unit in charge: the user sees its subtree."))
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), allow_empty=True)
    person = PersonNumberField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("Employee number, if staff.")
    )
    is_superuser = serializers.BooleanField(required=False, default=False)


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = authenticate(
            self.context.get("request"), username=attrs["username"], password=attrs["password"]
        )
        if user is None:
            raise serializers.ValidationError(_("Wrong user name or password."), code="authorization")
        attrs["user"] = user
        return attrs


class TokenView(APIView):
    """POST signs in with a user name and password and returns the API token; DELETE revokes it."""

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(
        summary="Get an API token",
        request=TokenRequestSerializer,
        responses=inline_serializer("Token", {"token": serializers.CharField()}),
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        return Response({"token": services.token_issue(user=data.validated_data["user"])})

    @extend_schema(summary="Revoke the API token of the signed-in user", request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        services.token_revoke(user=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """Who am I: roles, unit in charge and permissions of the signed-in user."""

    @extend_schema(summary="The signed-in user", responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


@extend_schema_view(
    list=extend_schema(summary="List users", responses=UserSerializer(many=True)),
    retrieve=extend_schema(summary="Get a user", responses=UserSerializer),
    create=extend_schema(
        summary="Create a user", request=UserCreateSerializer, responses={201: UserSerializer}
    ),
)
class UserViewSet(viewsets.GenericViewSet):
    queryset = User.objects.none()
    serializer_class = UserSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["username", "date_joined", "last_login"]
    ordering = ["username"]

    def get_queryset(self) -> QuerySet[User]:
        return selectors.user_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(UserSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(UserSerializer(selectors.user_get(user=request.user, pk=pk)).data)

    def create(self, request: Request) -> Response:
        data = UserCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        user = services.user_create(actor=request.user, **data.validated_data)
        return Response(UserSerializer(selectors.user_get(user=request.user, pk=user.pk)).data, status=201)
