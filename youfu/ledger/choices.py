from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectRole(models.TextChoices):
    """Who an entry goes to: a person, a unit, or the head of a unit (seed R1 pays the outlet head,
    二级支行支行长, for the outlet's results; seed 001 charges the outlet head 4 points)."""

    PERSON = "person", _("person")
    UNIT = "unit", _("unit")
    UNIT_HEAD = "unit_head", _("head of unit")


class EvidenceType(models.TextChoices):
    """What an entry's evidence link points at; `evidence_id` is that record's id."""

    INSPECTION_FINDING = "inspection_finding", _("inspection finding")
    COMPLAINT = "complaint", _("complaint")
    PRAISE = "praise", _("praise")
    RATING_BATCH = "rating_batch", _("rating batch")
    REFERRAL = "referral", _("referral")
    METRIC_IMPORT = "metric_import", _("imported metrics")
    SCORING_RUN = "scoring_run", _("scoring run")
    MANUAL = "manual", _("manual entry")
