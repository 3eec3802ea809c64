"""Reads of users: like every other list, only the logins whose unit lies in the viewer's subtree."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from youfu.accounts.access import restrict
from youfu.accounts.models import User


def user_list(*, user: Any) -> QuerySet[User]:
    """Users in charge of a unit in the viewer's subtree. Administrators without a unit are seen only by
    administrators (whose scope is the whole bank)."""
    if not user.has_perm("accounts.view_user"):
        return User.objects.none()
    return (
        restrict(User.objects.all(), user)
        .select_related("unit", "person")
        .prefetch_related("groups")
        .order_by("username")
    )


def user_get(*, user: Any, pk: int | str) -> User:
    try:
        return user_list(user=user).get(pk=pk)
    except (User.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
