from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from youfu.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "unit", "is_active", "is_superuser"]
    list_filter = ["groups", "is_active", "is_superuser"]
    raw_id_fields = ["unit", "person"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("youfu", {"fields": ("unit", "person")}),
    )
