"""Writes for users and their roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from youfu.accounts.access import require_perm, require_unit_in_scope
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
