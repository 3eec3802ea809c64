from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class RectificationStatus(models.TextChoices):
    """open → in progress → submitted (with evidence) → verified (re-inspection) → closed; a rejected
    verification goes back to in progress."""

    OPEN = "open", pgettext_lazy("rectification", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("rectification", "In progress")
    SUBMITTED = "submitted", pgettext_lazy("rectification", "Submitted")
    VERIFIED = "verified", pgettext_lazy("rectification", "Verified")
    CLOSED = "closed", pgettext_lazy("rectification", "Closed")


# Still the responsible unit's work: a past deadline makes these overdue.
ACTIVE_STATUSES = (RectificationStatus.OPEN, RectificationStatus.IN_PROGRESS)
# Not closed yet (an overdue submitted one waits for the verifier, not for the outlet).
OPEN_STATUSES = (
    RectificationStatus.OPEN,
    RectificationStatus.IN_PROGRESS,
    RectificationStatus.SUBMITTED,
    RectificationStatus.VERIFIED,
)


class Handling(models.TextChoices):
    """How a problem is dealt with (seed 003 §9): a general problem at the inspection's feedback meeting
    (反馈会当场整改); one that cannot be solved at once at a meeting with minutes (上会研究)."""

    FEEDBACK_MEETING = "feedback_meeting", pgettext_lazy("rectification", "At the feedback meeting")
    MEETING = "meeting", pgettext_lazy("rectification", "Raised to a meeting (minutes)")


class EventAction(models.TextChoices):
    OPENED = "opened", pgettext_lazy("rectification", "opened")
    STARTED = "started", pgettext_lazy("rectification", "work started")
    EVIDENCE = "evidence", pgettext_lazy("rectification", "evidence added")
    MEETING = "meeting", pgettext_lazy("rectification", "meeting minutes recorded")
    SUBMITTED = "submitted", pgettext_lazy("rectification", "submitted")
    VERIFIED = "verified", pgettext_lazy("rectification", "verified by re-inspection")
    REJECTED = "rejected", pgettext_lazy("rectification", "rejected back to in progress")
    CLOSED = "closed", pgettext_lazy("rectification", "closed")
    REMINDED = "reminded", pgettext_lazy("rectification", "reminder sent")
    OVERDUE = "overdue", pgettext_lazy("rectification", "overdue")
    ESCALATED = "escalated", pgettext_lazy("rectification", "escalated")
    FACTS = "facts", pgettext_lazy("rectification", "indicator data recorded")
