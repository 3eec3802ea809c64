from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StarTellersConfig(AppConfig):
    name = "youfu.star_tellers"
    label = "star_tellers"
    verbose_name = _("Star tellers")

    def ready(self) -> None:
        from youfu.star_tellers import audit  # noqa: F401  (nothing of its own to register; see there)
        from youfu.web.navigation import NavItem, register

        register(
            NavItem(
                key="star_tellers",
                label=_("Star tellers"),
                url_name="star_tellers:list",
                icon="star",
                perm="star_tellers.view_starlevel",
                order=46,
            )
        )
