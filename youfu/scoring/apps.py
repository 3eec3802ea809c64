from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    """评分: policies run over a period by the engine: scorecards, rankings, money, explanations."""

    name = "youfu.scoring"
    label = "scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from youfu.web.navigation import NavItem, register

        register(
            NavItem(
                key="scoring",
                label=_("Rankings"),
                url_name="scoring:run_list",
                icon="bar-chart",
                perm="scoring.view_scorerun",
                order=50,
            )
        )
