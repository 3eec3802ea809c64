from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "youfu.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from youfu.inspections import audit  # noqa: F401  (registers models with the audit log)
        from youfu.web.navigation import NavItem, register

        register(
            NavItem(
                key="inspections",
                label=_("Inspections"),
                url_name="inspections:list",
                icon="search",
                perm="inspections.view_inspection",
                order=45,
            )
        )
