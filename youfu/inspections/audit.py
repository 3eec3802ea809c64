"""Registers the inspections' models with django-auditlog (who changed what, before → after)."""

from auditlog.registry import auditlog

from youfu.inspections.models import (
    Appeal,
    Finding,
    Inspection,
    InspectionPlan,
    InspectionSettings,
    OutletLocation,
)

auditlog.register(Inspection, m2m_fields={"inspectors"})
auditlog.register(Finding, m2m_fields={"people"})
auditlog.register(Appeal)
auditlog.register(InspectionSettings)
auditlog.register(InspectionPlan)
auditlog.register(OutletLocation)
