"""Registers the reports models with django-auditlog (who changed what, before → after)."""

from auditlog.registry import auditlog

from youfu.reports.models import DiversionBatch, KpiTarget, QueueBatch

auditlog.register(QueueBatch)
auditlog.register(DiversionBatch)
auditlog.register(KpiTarget)
