"""One JSON shape for every API error: {"errors": [{"code", "field", "message"}]}, mapped once here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from youfu.core.errors import ApplicationError, PermissionDeniedError


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "detail"):
                name = None
            elif isinstance(key, int):  # an item of a list field: roles[0]
                name = f"{field}[{key}]" if field else f"[{key}]"
            else:
                name = f"{field}.{key}" if field else str(key)
            out.extend(_flatten(value, name))
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict):
                out.extend(_flatten(item, f"{field}[{index}]" if field else f"[{index}]"))
            else:
                out.extend(_flatten(item, field))
    else:
        code = getattr(detail, "code", "invalid")
        out.append({"code": code, "field": field, "message": str(detail)})
    return out


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, PermissionDeniedError):
        return Response({"errors": [d.as_dict() for d in exc.details]}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, ApplicationError):
        return Response({"errors": [d.as_dict() for d in exc.details]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        errors = _flatten(exc.detail)
        response.data = {"errors": errors}
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the API keeps its one error shape even when the server fails; pages get 500.html."""
    if request.path.startswith("/api/"):
        error = {"code": "server_error", "field": None, "message": str(_("Internal server error."))}
        return JsonResponse({"errors": [error]}, status=500)
    return defaults.server_error(request)
