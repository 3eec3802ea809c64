from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from youfu.notifications.selectors import unread_count


def notices(request: HttpRequest) -> dict[str, Any]:
    """The unread badge of the top bar (counted only when a page shows it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_unread_notices": SimpleLazyObject(lambda: unread_count(user))}
