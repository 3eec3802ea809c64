"""Ties audit entries to the person who acted, whatever the interface (page, API token, CLI).

The web middleware of django-auditlog knows only session users; services receive the actor explicitly,
so every write service runs inside `acting_as(actor)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from auditlog.context import auditlog_value, set_actor
from django.db.models.signals import pre_save


def _is_live(context: dict[str, Any]) -> bool:
    """Whether the auditlog context is still in force. auditlog never clears its context variable when a
    `set_actor` block ends, so a finished block (an earlier service call, an earlier request in the same
    thread) leaves a stale context behind whose signal receiver is already disconnected."""
    uid = context.get("signal_duid")
    return uid is not None and any(key[0] == uid for key, *_rest in pre_save.receivers)


@contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    current = auditlog_value.get(None)
    if actor is None or not getattr(actor, "is_authenticated", False):
        yield
        return
    if current is not None and current.get("actor") == actor and _is_live(current):
        yield  # already inside a block for this actor (e.g. the request's own)
        return
    # Set a placeholder first so that leaving puts back exactly the outer state: the request's context,
    # or no context at all (never a stale one).
    token = auditlog_value.set(current)
    try:
        with set_actor(actor, remote_addr=(current or {}).get("remote_addr")):
            yield
    finally:
        auditlog_value.reset(token)
