"""Read-only admin views: standards are written through the services (pages, API, CLI), never here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from youfu.standards.models import Item, Section, Standard, StandardVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Standard)
class StandardAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "owner"]
    search_fields = ["code", "name"]


@admin.register(StandardVersion)
class StandardVersionAdmin(ReadOnlyAdmin):
    list_display = ["standard", "number", "status", "score_rule", "max_score", "published_at"]
    list_filter = ["status", "score_rule"]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ["version", "code", "name", "points"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["version", "code", "kind", "points", "red_line"]
