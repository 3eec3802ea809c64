from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    """The channel of a check (S1): who looked, and how."""

    MYSTERY_SHOPPER = "mystery_shopper", _("Mystery shopper")
    ON_SITE = "on_site", _("On-site check")
    VIDEO = "video", _("Video review")
    SELF_CHECK = "self_check", _("Self-check")


class InspectionStatus(models.TextChoices):
    """draft → submitted → approved → published → final; a published or final inspection that a
    correction replaced is superseded (it stays visible, it no longer counts)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    FINAL = "final", _("Final")
    SUPERSEDED = "superseded", _("Superseded")


# Statuses whose results count (a check that was approved by a second person and not replaced).
COUNTING_STATUSES = (InspectionStatus.APPROVED, InspectionStatus.PUBLISHED, InspectionStatus.FINAL)
# Statuses the inspected outlet sees (it never sees drafts or checks awaiting approval).
RELEASED_STATUSES = (InspectionStatus.PUBLISHED, InspectionStatus.FINAL, InspectionStatus.SUPERSEDED)


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video recording (time range)")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld (deduction stands)")
    REVERSED = "reversed", _("Reversed (deduction removed)")


class EventAction(models.TextChoices):
    CREATED = "created", _("created")
    RESULTS = "results", _("results recorded")
    EVIDENCE = "evidence", _("evidence attached")
    ATTRIBUTED = "attributed", _("finding attributed")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned to the inspector")
    APPROVED = "approved", _("approved")
    PUBLISHED = "published", _("published")
    CORRECTION = "correction", _("correction started")
    SUPERSEDED = "superseded", _("superseded by a correction")
    APPEALED = "appealed", _("appealed")
    APPEAL_DECIDED = "appeal_decided", _("appeal decided")
    FINAL = "final", _("final")
    FACTS = "facts", _("indicator data recorded")


class PlanSampling(models.TextChoices):
    """How a plan picks the visits done by mystery shopper: a reproducible random draw (its seed is
    stored with the plan) or fixed, spread evenly over the outlets in code order."""

    RANDOM = "random", _("Random draw")
    FIXED = "fixed", _("Fixed (spread evenly by outlet code)")


class VisitStatus(models.TextChoices):
    """A planned visit's state, computed from the checks recorded (never stored)."""

    DONE = "done", _("Done")
    LATE = "late", _("Late")
    MISSED = "missed", _("Missed")
    PENDING = "pending", _("Pending")


# Checks that count as a planned visit made: submitted or later, not replaced by a correction.
VISIT_STATUSES = (
    InspectionStatus.SUBMITTED,
    InspectionStatus.APPROVED,
    InspectionStatus.PUBLISHED,
    InspectionStatus.FINAL,
)
