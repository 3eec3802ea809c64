"""Writes for users and their roles."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from youfu.accounts.access import require_may_manage_user, require_perm, require_unit_in_scope
from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.core.audit import acting_as
from youfu.core.errors import ApplicationError
from youfu.org.models import Person, Unit


def _check_roles(roles: list[str]) -> None:
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ApplicationError(
            _("Unknown role %(role)s; choose from %(choices)s.")
            % {"role": unknown[0], "choices": ", ".join(Role.values)},
            field="roles",
        )


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    unit: Unit | None,
    roles: list[str],
    person: Person | None = None,
    email: str = "",
    is_superuser: bool = False,
    check_password: bool = True,
) -> User:
    """Create a login. `actor=None` is the command line run by the machine's administrator."""
    if actor is not None:
        require_perm(actor, "accounts.add_user")
        if not (is_superuser and unit is None and actor.is_superuser):
            # An administrator's scope is the whole bank; everyone else's user lives in their subtree.
            require_unit_in_scope(actor, unit, field="unit")
        if is_superuser and not actor.is_superuser:
            raise ApplicationError(
                _("Only an administrator can create an administrator."), field="is_superuser"
            )
    _check_roles(roles)
    if not is_superuser and unit is None:
        raise ApplicationError(_("A user must be given the unit they are in charge of."), field="unit")
    if person is not None and unit is not None and not person.unit.path.startswith(unit.path):
        # A user sees their unit's subtree; their own record must be part of it.
        raise ApplicationError(_("The person must belong to the user's unit or below it."), field="person")
    if person is not None and User.objects.filter(person=person).exists():
        # One login per person (a one-to-one link): say so rather than fail on the database constraint.
        raise ApplicationError(_("%(person)s already has a login.") % {"person": person.name}, field="person")
    if User.objects.filter(username=username).exists():
        raise ApplicationError(
            _("User name %(name)s is already taken.") % {"name": username}, field="username"
        )
    if check_password:
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages), field="password") from exc
    with acting_as(actor):
        user = User(
            username=username,
            email=email,
            unit=unit,
            person=person,
            is_superuser=is_superuser,
            is_staff=is_superuser,
            first_name=person.name if person else "",
        )
        user.set_password(password)
        user.save()
        user.groups.set(Group.objects.filter(name__in=roles))
    return user


# Permission caches Django and youfu keep on a user object for the length of a request.
_PERMISSION_CACHES = ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_role_perm_cache")


@transaction.atomic
def user_update(
    *,
    actor: Any,
    user: User,
    unit: Unit | None = None,
    roles: list[str] | None = None,
    is_active: bool | None = None,
) -> User:
    """Change a login's unit in charge, roles or active flag; None leaves that value as it is.

    The login must be in the actor's subtree now and, with a new unit, afterwards too. Nobody changes
    their own roles or deactivates themselves (a lock-out with no one left to undo it)."""
    require_may_manage_user(actor, user)
    if unit is not None:
        require_unit_in_scope(actor, unit, field="unit")
    if roles is not None:
        _check_roles(roles)
    current_roles = {role.value for role in user_roles(user)}
    is_self = actor is not None and actor.pk == user.pk
    if is_self and roles is not None and set(roles) != current_roles:
        raise ApplicationError(_("You cannot change your own roles."), field="roles")
    if is_self and is_active is False:
        raise ApplicationError(_("You cannot deactivate your own login."), field="is_active")
    if unit is not None and user.person is not None and not user.person.unit.path.startswith(unit.path):
        raise ApplicationError(
            _(
                "%(person)s, linked to this login, is outside %(unit)s: the person must belong to the user's "
                "unit or below it."
            )
            % {"person": user.person.name, "unit": unit.name},
            field="unit",
        )
    changed = []
    if unit is not None and unit.pk != user.unit_id:
        user.unit = unit
        changed.append("unit")
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        changed.append("is_active")
    with acting_as(actor):
        if changed:
            user.save(update_fields=changed)
        if roles is not None and set(roles) != current_roles:
            user.groups.set(Group.objects.filter(name__in=roles))
    for cache in ("_scope_path_cache", *_PERMISSION_CACHES):
        user.__dict__.pop(cache, None)
    return user


@transaction.atomic
def user_set_password(*, actor: Any, user: User, password: str) -> None:
    """Reset a login's password. It also revokes the API token, so a reset after a leak locks the old
    secret out everywhere (Django ends the other sessions itself: the session hash changes)."""
    require_may_manage_user(actor, user)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), field="password") from exc
    with acting_as(actor):
        user.set_password(password)
        user.save(update_fields=["password"])
        Token.objects.filter(user=user).delete()
        # auditlog leaves the password out of its diffs: record that it was reset, never the hash.
        LogEntry.objects.log_create(
            user, action=LogEntry.Action.UPDATE, changes={"password": ["***", "***"]}, force_log=True
        )


def user_roles(user: Any) -> list[Role]:
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in Role if role.value in names]


@transaction.atomic
def token_issue(*, user: User) -> str:
    """The user's API token, created on first use (one per user; signing in again returns the same)."""
    token, _created = Token.objects.get_or_create(user=user)
    return str(token.key)


@transaction.atomic
def token_revoke(*, user: User) -> bool:
    """Delete the user's API token; the next call with it gets 401. False if there was none."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return deleted > 0
