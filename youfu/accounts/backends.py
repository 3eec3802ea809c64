from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from youfu.accounts.roles import BANK_LEVEL_PERMISSIONS, BANK_LEVEL_UNIT_KINDS, ROLE_PERMISSIONS
from youfu.org.models import Unit


class RoleBackend(ModelBackend):
    """Username/password login (ModelBackend) whose group permissions come from the role table in code,
    so a role's rights are reviewed in one file and never drift in the database."""

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            perms: set[str] = set()
            for name in user_obj.groups.values_list("name", flat=True):
                perms |= ROLE_PERMISSIONS.get(name, frozenset())
            if perms & BANK_LEVEL_PERMISSIONS:
                kind = Unit.objects.filter(pk=user_obj.unit_id).values_list("kind", flat=True).first()
                if kind not in BANK_LEVEL_UNIT_KINDS:
                    perms -= BANK_LEVEL_PERMISSIONS
            user_obj._role_perm_cache = perms
        return set(user_obj._role_perm_cache)
