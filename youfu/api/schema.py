"""OpenAPI generation: every operation documents the one error shape for the statuses it can return."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

from youfu.api.serializers import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": _("The input is invalid or breaks a business rule; nothing was written."),
    "401": _("Not signed in: give a token (Authorization: Token …) or a session."),
    "403": _("Your role does not allow this action."),
    "404": _("Not found, or outside the part of the organisation you are responsible for."),
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes = []
        if self.method in ("POST", "PUT", "PATCH") or self._get_filter_parameters() or self._is_list_view():
            codes.append("400")
        if self.get_auth() and {} not in self.get_auth():
            codes += ["401", "403"]
        if "{" in self.path:
            codes.append("404")
        for code in codes:
            if code not in responses:
                response = OpenApiResponse(
                    response=ErrorSerializer, description=str(ERROR_DESCRIPTIONS[code])
                )
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
