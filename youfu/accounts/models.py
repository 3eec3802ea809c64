from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from youfu.org.models import Person, Unit


class User(AbstractUser):
    """用户 — a login. Its roles are groups named after youfu.accounts.choices.Role; its unit is the root
    of the subtree it may see and change (分级负责、下管一级)."""

    person = models.OneToOneField(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("person"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("unit in charge"),
        help_text=_("The user sees and changes this unit and everything below it."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_additional_data(self) -> dict[str, str | None]:
        # A user with no unit (a superuser) is visible only in the whole-bank audit trail.
        return {"unit_path": self.unit.path if self.unit is not None else None}
