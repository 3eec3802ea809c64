"""Registers the complaints' models with django-auditlog (who changed what, before → after)."""

from auditlog.registry import auditlog

from youfu.complaints.models import Complaint

auditlog.register(Complaint, m2m_fields={"people"}, mask_fields=["customer_phone", "customer_name"])
