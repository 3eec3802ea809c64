from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "youfu.standards"
    label = "standards"
    verbose_name = _("Standards")

    def ready(self) -> None:
        from youfu.standards import audit  # noqa: F401  (registers models with the audit log)
        from youfu.web.navigation import NavItem, register

        register(
            NavItem(
                key="standards",
                label=_("Standards"),
                url_name="standards:list",
                icon="clipboard-check",
                perm="standards.view_standard",
                order=40,
            )
        )
