"""Registers the rectification models with django-auditlog (who changed what, before → after)."""

from auditlog.registry import auditlog

from youfu.rectification.models import Rectification, RectificationEvidence

auditlog.register(Rectification)
auditlog.register(RectificationEvidence)
