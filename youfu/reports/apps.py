from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "youfu.reports"
    label = "reports"
    verbose_name = _("Service KPIs")

    def ready(self) -> None:
        from youfu.reports import audit  # noqa: F401  (auditlog registration)
        from youfu.web.navigation import NavItem, register

        register(
            NavItem(
                key="reports",
                label=_("KPI dashboard"),
                url_name="reports:dashboard",
                icon="speedometer2",
                perm="reports.view_dashboard",
                order=44,
            )
        )
