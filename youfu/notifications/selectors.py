"""Reads of the notifications domain. A user only ever sees their own notices."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from youfu.notifications.models import Notice


def notices_for(user: Any, *, unread: bool = False) -> QuerySet[Notice]:
    if user is None or not user.is_authenticated:
        return Notice.objects.none()
    rows = Notice.objects.filter(recipient=user)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    return notices_for(user, unread=True).count()


def notice_get(*, user: Any, pk: int) -> Notice:
    """The user's own notice, else 404 (someone else's notice is not revealed)."""
    try:
        return notices_for(user).get(pk=pk)
    except Notice.DoesNotExist as exc:
        raise Http404 from exc
