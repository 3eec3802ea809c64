from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (what-if only)")
    ACTIVE = "active", _("In force")
    RETIRED = "retired", _("Retired")


class RunKind(models.TextChoices):
    OFFICIAL = "official", _("Official")
    WHAT_IF = "what_if", _("What-if")


class RunStatus(models.TextChoices):
    SCORED = "scored", _("Scored, not posted")  # what-if runs stay here
    POSTED = "posted", _("Posted to the ledger")
    SUPERSEDED = "superseded", _("Superseded by a later run")
    PUBLISHED = "published", _("Published (final)")
