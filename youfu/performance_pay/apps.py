from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformancePayConfig(AppConfig):
    name = "youfu.performance_pay"
    label = "performance_pay"
    verbose_name = _("Performance pay")

    def ready(self) -> None:
        from youfu.performance_pay import audit  # noqa: F401  (registers models with the audit log)
        from youfu.web.navigation import NavItem, register

        register(
            NavItem(
                key="performance_pay",
                label=_("Performance pay"),
                url_name="performance_pay:pools",
                icon="cash-stack",
                perm="performance_pay.view_own_pay",
                order=56,
            )
        )
