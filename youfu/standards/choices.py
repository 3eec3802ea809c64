from django.db import models
from django.utils.translation import gettext_lazy as _


class StandardKind(models.TextChoices):
    MYSTERY_SHOPPER = "mystery_shopper", _("Mystery shopper")
    ONSITE = "onsite", _("On-site check")
    VIDEO = "video", _("Video review")
    STAR = "star", _("Star rating")
    LINKAGE_110 = "linkage_110", _("110 linkage")
    SELF_CHECK = "self_check", _("Self-check")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ScoreRule(models.TextChoices):
    """How item results become a score (the rules themselves are in youfu.standards.scoring)."""

    DEDUCTIONS = "deductions", _("Full marks minus deductions")
    SUM = "sum", _("Sum of item scores")
    SHARE = "share", _("Share of a total (scaled)")


class ItemKind(models.TextChoices):
    DEDUCTION = "deduction", _("Deduction per occurrence")
    PASS_FAIL = "pass_fail", _("Pass or fail")
    SCORE = "score_out_of_n", _("Score out of N")


class Aspect(models.TextChoices):
    """硬件 / 软件: what the item inspects (000 篇3 rectifies hardware first, then software)."""

    NONE = "", _("Not set")
    HARDWARE = "hardware", _("Hardware")
    SOFTWARE = "software", _("Software")


class RedLine(models.TextChoices):
    """一票否决: what a failed red-line item does to the score."""

    NONE = "none", _("None")
    ZERO_SECTION = "zero_section", _("Zeroes its section")
    ZERO_TOTAL = "zero_total", _("Zeroes the total")
    CAP_TOTAL = "cap_total", _("Caps the total")
