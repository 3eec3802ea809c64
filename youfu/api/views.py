from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _


def not_found(request: HttpRequest) -> JsonResponse:
    """An address under /api/v1/ that no endpoint answers: the API's 404, in the one error shape."""
    message = _("There is no API endpoint at this address.")
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not-found":
            message = _("There is no API endpoint at this address; did you mean %(path)s?") % {
                "path": request.path + "/"
            }
    return JsonResponse({"errors": [{"code": "not_found", "field": None, "message": message}]}, status=404)
