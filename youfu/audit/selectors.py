"""Reads of the audit trail. Each entry carries the unit path of the object it concerns
(additional_data.unit_path), so the trail is restricted to the viewer's subtree like everything else."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

from youfu.accounts.access import WHOLE_BANK, scope_path


def log_entry_list(*, user: Any) -> QuerySet[LogEntry]:
    """Entries the user may read: needs the audit permission, and only objects of their subtree
    (plus bank-wide objects such as periods, whose unit path is empty)."""
    if not user.has_perm("auditlog.view_logentry"):
        return LogEntry.objects.none()
    path = scope_path(user)
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    if path is None:
        return qs.none()
    if path == WHOLE_BANK:
        return qs
    return qs.filter(Q(additional_data__unit_path__startswith=path) | Q(additional_data__unit_path=""))


def log_entries_for_object(*, user: Any, obj: Model) -> QuerySet[LogEntry]:
    ct = ContentType.objects.get_for_model(type(obj))
    return log_entry_list(user=user).filter(content_type=ct, object_pk=str(obj.pk))


def log_entries_by_actor(*, user: Any, actor_id: int) -> QuerySet[LogEntry]:
    return log_entry_list(user=user).filter(actor_id=actor_id)
