from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "youfu.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from youfu.org import audit  # noqa: F401  (registers models with the audit log)
