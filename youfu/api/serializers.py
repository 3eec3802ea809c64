"""Building blocks shared by every app's API: strict input, units and people named by their codes, and the
error shape as a schema component."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

from youfu.accounts.access import visible_units
from youfu.org.models import Person, Unit
from youfu.org.selectors import person_list


class StrictFieldsMixin:
    """Rejects input naming a field the serializer does not accept (STYLE.md "Edges": unknown fields are an
    error, not silently dropped). Read-only fields count as unknown: they cannot be written."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}  # type: ignore[attr-defined]
            unknown = sorted(str(key) for key in data if key not in writable)
            if unknown:
                raise ValidationError(
                    {name: [ErrorDetail(_("Unknown field."), code="unknown_field")] for name in unknown}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    """Input of an API call: only the declared fields, each validated."""


def _request_user(field: serializers.Field) -> Any:
    request = field.context.get("request")
    return getattr(request, "user", None)


@extend_schema_field(OpenApiTypes.STR)
class UnitCodeField(serializers.Field):
    """A unit named by its code, found only among the units the requesting user may see: a unit outside the
    subtree gets the same answer as a unit that does not exist, so its existence is not revealed."""

    default_error_messages = {"invalid": gettext_lazy("Give a unit code as text.")}

    def to_internal_value(self, data: Any) -> Unit:
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        try:
            return visible_units(_request_user(self)).get(code=data.strip())
        except Unit.DoesNotExist:
            raise ValidationError(
                _(
                    "Unit %(value)s does not exist or is outside the part of the organisation you are "
                    "responsible for."
                )
                % {"value": data},
                code="does_not_exist",
            ) from None

    def to_representation(self, value: Unit) -> str:
        return value.code


@extend_schema_field(OpenApiTypes.STR)
class PersonNumberField(serializers.Field):
    """A person named by employee number, among the people the requesting user may see."""

    default_error_messages = {"invalid": gettext_lazy("Give an employee number as text.")}

    def to_internal_value(self, data: Any) -> Person:
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        try:
            return person_list(user=_request_user(self)).get(employee_no=data.strip())
        except Person.DoesNotExist:
            raise ValidationError(
                _(
                    "Employee number %(value)s does not exist or is outside the part of the organisation "
                    "you are responsible for."
                )
                % {"value": data},
                code="does_not_exist",
            ) from None

    def to_representation(self, value: Person) -> str:
        return value.employee_no


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable error code, e.g. required, not_found.")
    field = serializers.CharField(allow_null=True, help_text="The input field concerned, or null.")
    message = serializers.CharField(help_text="A message for people, in the request's language.")
    row = serializers.IntegerField(required=False, help_text="Imports only: the row of the file.")


class ErrorSerializer(serializers.Serializer):
    """Every error of the API has this shape, whatever its status."""

    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]
