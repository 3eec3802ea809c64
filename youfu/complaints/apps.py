from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "youfu.complaints"
    label = "complaints"
    verbose_name = _("Complaints and praise")

    def ready(self) -> None:
        from youfu.complaints import audit  # noqa: F401  (registers models with the audit log)
        from youfu.web.navigation import NavItem, register

        register(
            NavItem(
                key="complaints",
                label=_("Complaints"),
                url_name="complaints:list",
                icon="exclamation-triangle",
                perm="complaints.view_complaint",
                order=50,
            )
        )
        try:  # the periodic escalation, run by `youfu tick` (youfu.notifications)
            from youfu.notifications.jobs import register_job
        except ImportError:  # pragma: no cover - notifications without jobs: `youfu complaints escalate`
            return
        from youfu.complaints.services import escalation_job

        register_job("complaints_escalate", escalation_job)
