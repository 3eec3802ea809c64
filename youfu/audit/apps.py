from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Browsing the audit trail kept by django-auditlog (who, when, before, after), by subtree."""

    name = "youfu.audit"
    label = "audit"
    verbose_name = _("Audit")
