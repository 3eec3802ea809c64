"""Ties audit entries to the person who acted, whatever the interface (page, API token, CLI).

The web middleware of django-auditlog knows only session users; services receive the actor explicitly,
so every write service runs inside `acting_as(actor)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from auditlog.context import auditlog_value, set_actor


@contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    current = auditlog_value.get(None)
    if actor is None or not getattr(actor, "is_authenticated", False):
        yield
        return
    if current is not None and current.get("actor") == actor:
        yield
        return
    with set_actor(actor, remote_addr=(current or {}).get("remote_addr")):
        yield
    if current is not None:
        # Put back the outer context (the request's), which set_actor overwrote without restoring.
        auditlog_value.set(current)
