from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "youfu.appraisal"
    label = "appraisal"
    verbose_name = _("Staff appraisal")

    def ready(self) -> None:
        from youfu.appraisal import audit  # noqa: F401  (registers models with the audit log)
        from youfu.web.navigation import NavItem, register

        register(
            NavItem(
                key="appraisal",
                label=_("Appraisal"),
                url_name="appraisal:home",
                icon="pencil-square",
                perm="appraisal.view_monthlyform",
                order=55,
            )
        )
