"""Registers the pay pool's models with django-auditlog (who changed what, before → after)."""

from auditlog.registry import auditlog

from youfu.performance_pay.models import Allocation, ImportBatch, PersonInput, Pool, Salary

auditlog.register(Pool)
auditlog.register(ImportBatch)
auditlog.register(PersonInput)
auditlog.register(Salary)
auditlog.register(Allocation)
