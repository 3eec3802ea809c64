from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "youfu.accounts"
    label = "accounts"
    verbose_name = _("Users and access")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from youfu.accounts.models import User

        auditlog.register(User, exclude_fields=["password", "last_login"], m2m_fields={"groups"})
