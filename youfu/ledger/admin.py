"""The ledger in Django's admin: read-only, for administrators (superusers) only. Entries are written
by the services and never changed, not even here (the database would refuse anyway)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from youfu.ledger.models import LedgerEntry, PeriodLock


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "period",
        "policy",
        "policy_version",
        "rule",
        "subject_role",
        "person",
        "unit",
        "points",
        "amount",
        "evidence_type",
        "evidence_id",
        "reverses",
        "author",
    ]
    list_filter = ["subject_role", "evidence_type", "policy"]
    search_fields = ["policy", "rule", "evidence_id", "reason", "person__name", "unit__name"]
    list_select_related = ["period", "person", "unit", "reverses", "author"]
    date_hierarchy = "created_at"


@admin.register(PeriodLock)
class PeriodLockAdmin(ReadOnlyAdmin):
    list_display = ["period", "policy", "locked_at", "locked_by"]
    list_select_related = ["period", "locked_by"]
