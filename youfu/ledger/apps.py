from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """台账: every point and every yuan as an append-only entry; corrections are reversal entries."""

    name = "youfu.ledger"
    label = "ledger"
    verbose_name = _("Ledger")
