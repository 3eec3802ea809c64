"""Registers the feedback models with django-auditlog (who changed what, before → after)."""

from auditlog.registry import auditlog

from youfu.feedback.models import RatingBatch

auditlog.register(RatingBatch, exclude_fields=["report"])
