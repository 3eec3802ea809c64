"""Helpers shared by the org commands."""

from __future__ import annotations

import unicodedata

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from youfu.accounts.models import User
from youfu.core.errors import ErrorDetail


def actor_for(username: str | None) -> User:
    """The user a command acts as: --as USERNAME, or else the first administrator."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user is called %(name)s.") % {"name": username})
        return user
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is None:
        raise CommandError(
            _(
                "There is no administrator to act as: pass --as USERNAME, or create one with "
                "“youfu user_create NAME --superuser”."
            )
        )
    return admin


def kind_label(kind: str) -> str:
    return _("units") if kind == "units" else _("people")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def error_table(errors: list[ErrorDetail]) -> str:
    """Row | Column | Message, aligned for Chinese text in a terminal."""
    rows = [(_("Row"), _("Column"), _("Message"))]
    rows += [(str(e.row or ""), e.field or "", e.message) for e in errors]
    first = max(_width(r[0]) for r in rows) + 2
    second = max(_width(r[1]) for r in rows) + 2
    return "\n".join(_pad(r[0], first) + _pad(r[1], second) + r[2] for r in rows)
