from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FactsConfig(AppConfig):
    name = "youfu.facts"
    label = "facts"
    verbose_name = _("Indicator data")

    def ready(self) -> None:
        from youfu.web.navigation import NavItem, register

        register(
            NavItem(
                key="facts",
                label=_("Indicator data"),
                url_name="facts:fact_list",
                icon="file-earmark-spreadsheet",
                perm="facts.view_fact",
                order=40,
            )
        )
