from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "youfu.rectification"
    label = "rectification"
    verbose_name = _("Rectification")

    def ready(self) -> None:
        from youfu.notifications.jobs import register_job
        from youfu.rectification import audit  # noqa: F401  (registers models with the audit log)
        from youfu.rectification.services import escalation_job, reminders_job
        from youfu.web.navigation import NavItem, register

        register(
            NavItem(
                key="rectification",
                label=_("Rectification"),
                url_name="rectification:list",
                icon="arrow-repeat",
                perm="rectification.view_rectification",
                order=46,
            )
        )
        register_job("rectification_escalation", escalation_job)
        register_job("rectification_reminders", reminders_job)
