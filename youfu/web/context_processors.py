from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_can_audit": user.has_perm("auditlog.view_logentry"),
        "nav_can_manage_org": user.has_perm("org.change_unit"),
    }
