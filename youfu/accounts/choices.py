from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A role is a Django group of the same name; what it may do is in youfu.accounts.roles."""

    SERVICE_OFFICE = "service_office", _("Service office")
    INSPECTOR = "inspector", _("Inspector")
    OUTLET_HEAD = "outlet_head", _("Outlet head")
    STAFF = "staff", _("Staff")
    COMPLAINT_HANDLER = "complaint_handler", _("Complaint handler")
    APPRAISAL_PANEL = "appraisal_panel", _("Appraisal panel")
    AUDITOR = "auditor", _("Auditor (read-only)")
