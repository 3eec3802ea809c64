from __future__ import annotations

from typing import Any

from rest_framework.permissions import DjangoModelPermissions
from rest_framework.request import Request


class RolePermission(DjangoModelPermissions):
    """Model permissions from the user's roles, including view for safe methods.

    The subtree is not checked here: querysets go through youfu.accounts.access.restrict and writes
    through services that call require_unit_in_scope.
    """

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if getattr(view, "_ignore_model_permissions", False) or not hasattr(view, "get_queryset"):
            return True
        if request.method not in view._allowed_methods():
            return True  # the view answers 405, which says more than a 403 for a method it lacks
        return super().has_permission(request, view)
