from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "youfu.feedback"
    label = "feedback"
    verbose_name = _("Customer satisfaction")

    def ready(self) -> None:
        from youfu.feedback import audit  # noqa: F401  (auditlog registration)
        from youfu.web.navigation import NavItem, register

        register(
            NavItem(
                key="feedback",
                label=_("Satisfaction"),
                url_name="feedback:rates",
                icon="emoji-smile",
                perm="feedback.view_rates",
                order=45,
            )
        )
