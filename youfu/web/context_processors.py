from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from youfu.accounts.services import user_roles
from youfu.web.navigation import links_for


def display_name(user: Any) -> str:
    """What the header and the audit trail call a user: their full name, else their user name."""
    if user is None:
        return ""
    person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
    return (person.name if person else "") or user.get_full_name() or user.get_username()


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The side navigation and the user menu (name, roles, unit in charge) of every signed-in page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_links": SimpleLazyObject(lambda: links_for(request)),
        "nav_user_name": SimpleLazyObject(lambda: display_name(user)),
        "nav_user_roles": SimpleLazyObject(lambda: [role.label for role in user_roles(user)]),
        "nav_user_unit": user.unit if getattr(user, "unit_id", None) else None,
        "nav_can_audit": user.has_perm("auditlog.view_logentry"),
        "nav_can_manage_org": user.has_perm("org.change_unit"),
    }
