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
        register(
            NavItem(
                key="callbacks",
                label=_("Callbacks"),
                url_name="feedback:callbacks",
                icon="telephone",
                perm="feedback.view_callbackdraw",
                order=46,
            )
        )
        register(
            NavItem(
                key="surveys",
                label=_("Surveys"),
                url_name="feedback:surveys",
                icon="ui-checks",
                perm="feedback.view_survey",
                order=47,
            )
        )
