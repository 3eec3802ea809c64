from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "youfu.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from youfu.notifications import audit  # noqa: F401  (registers models with the audit log)
        from youfu.web.navigation import NavItem, register

        register(
            NavItem(
                key="notifications",
                label=_("Notifications"),
                url_name="notifications:list",
                icon="bell",
                order=5,
            )
        )
