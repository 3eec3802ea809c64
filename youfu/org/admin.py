"""Django admin for administrators (superusers) only. Business users work in the pages, which go
through services and the subtree rules; the admin is read-mostly and shows the same history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from youfu.org.models import Period, Person, PersonMove, Unit


@admin.register(Unit)
class UnitAdmin(TreeAdmin):
    form = movenodeform_factory(Unit)
    list_display = ["name", "code", "kind", "region", "province", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["employee_no", "name", "unit", "position", "teller_grade", "is_active"]
    list_filter = ["position", "is_active", "teller_grade"]
    search_fields = ["employee_no", "name"]
    raw_id_fields = ["unit"]


@admin.register(PersonMove)
class PersonMoveAdmin(admin.ModelAdmin):
    """Moves are history: never edited or deleted, not even here."""

    list_display = ["person", "from_unit", "to_unit", "effective_date", "created_by", "created_at"]
    raw_id_fields = ["person", "from_unit", "to_unit"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "start", "end"]
    list_filter = ["kind"]
