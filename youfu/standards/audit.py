"""Registers the standards' models with django-auditlog (who changed which draft, who published)."""

from auditlog.registry import auditlog

from youfu.standards.models import Item, Section, Standard, StandardVersion

auditlog.register(Standard)
auditlog.register(StandardVersion)
auditlog.register(Section)
auditlog.register(Item)
