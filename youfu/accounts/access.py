"""Access by org subtree (分级负责、下管一级): the one place every page, API endpoint, export and search
goes through to decide which units — and so which people and records — a user may see or change.

A user's scope is their unit and everything below it. A superuser's scope is the whole bank. A user
with no unit sees nothing. What a role may do at all is a permission (youfu.accounts.roles); this
module answers *where*.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from youfu.core.errors import PermissionDeniedError
from youfu.org.models import Unit

if TYPE_CHECKING:
    from youfu.accounts.models import User

M = TypeVar("M", bound=Model)

WHOLE_BANK = ""  # the path prefix that every unit starts with


def scope_path(user: Any) -> str | None:
    """The path prefix of the user's subtree; "" for the whole bank; None for no access at all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return WHOLE_BANK
    if user.unit_id is None:
        return None
    # Cached on the user object for the request: the unit's path never changes without a tree move.
    cached: str | None = getattr(user, "_scope_path_cache", None)
    if cached is None:
        cached = Unit.objects.values_list("path", flat=True).get(pk=user.unit_id)
        user._scope_path_cache = cached
    return cached


def subtree_q(user: Any, unit_field: str = "unit") -> Q:
    """A Q that keeps rows whose unit (reached through `unit_field`, "" for Unit itself) is in scope."""
    path = scope_path(user)
    lookup = f"{unit_field}__path__startswith" if unit_field else "path__startswith"
    if path is None:
        return Q(pk__in=[])
    if path == WHOLE_BANK:
        return Q()
    return Q(**{lookup: path})


def restrict(queryset: QuerySet[M], user: Any, unit_field: str = "unit") -> QuerySet[M]:
    """Filter any queryset to the user's subtree. Every list, export and search calls this."""
    return queryset.filter(subtree_q(user, unit_field))


def visible_units(user: Any) -> QuerySet[Unit]:
    return restrict(Unit.objects.all(), user, unit_field="")


def unit_in_scope(user: Any, unit: Unit | None) -> bool:
    path = scope_path(user)
    if path is None or unit is None:
        return False
    return unit.path.startswith(path)


def require_unit_in_scope(user: User | Any, unit: Unit | None, *, field: str | None = None) -> None:
    """Raise PermissionDeniedError unless the unit is inside the user's subtree."""
    if not unit_in_scope(user, unit):
        name = unit.name if unit is not None else "?"
        raise PermissionDeniedError(
            _("Unit %(unit)s is outside the part of the organisation you are responsible for.")
            % {"unit": name},
            field=field,
        )


def require_perm(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDeniedError(_("Your role does not allow this action."))


def require_may_manage_user(actor: Any, user: User) -> None:
    """Raise PermissionDeniedError unless the actor may change this login: the role's right to change
    users, the login's unit inside the actor's subtree, and only an administrator touches an
    administrator."""
    require_perm(actor, "accounts.change_user")
    if user.is_superuser and not actor.is_superuser:
        raise PermissionDeniedError(_("Only an administrator can change an administrator."))
    if user.unit_id is None and scope_path(actor) == WHOLE_BANK:
        return  # an administrator without a unit, seen by another administrator
    require_unit_in_scope(actor, user.unit)


def may_manage_user(actor: Any, user: User) -> bool:
    """Whether the pages should offer to change this login (the services check it again)."""
    try:
        require_may_manage_user(actor, user)
    except PermissionDeniedError:
        return False
    return True
