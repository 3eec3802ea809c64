"""Reads of users: like every other list, only the logins whose unit lies in the viewer's subtree."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from youfu.accounts.access import restrict
from youfu.accounts.models import User
from youfu.org.models import Person


def user_list(*, user: Any) -> QuerySet[User]:
    """Users in charge of a unit in the viewer's subtree. Administrators without a unit are seen only by
    administrators (whose scope is the whole bank)."""
    if not user.has_perm("accounts.view_user"):
        return User.objects.none()
    return (
        restrict(User.objects.all(), user)
        .select_related("unit", "person__unit")
        .prefetch_related("groups")
        .order_by("username")
    )


def user_get(*, user: Any, pk: int | str) -> User:
    try:
        return user_list(user=user).get(pk=pk)
    except (User.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def visible_person_ids(*, user: Any, users: Iterable[User]) -> set[int]:
    """Of the people linked to these logins, those the viewer may see. A person moved out of the
    viewer's subtree after their login was made stays linked, but is not named to this viewer."""
    ids = {u.person_id for u in users if u.person_id is not None}
    if not ids:
        return set()
    return set(restrict(Person.objects.filter(pk__in=ids), user).values_list("pk", flat=True))
