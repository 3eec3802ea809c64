from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youfu.ledger.choices import EvidenceType, SubjectRole
from youfu.org.models import Period, Person, Unit

PATH_MAX_LENGTH = 255  # treebeard's MP_Node.path


class LedgerEntry(models.Model):
    """台账分录 — one amount of points and/or yuan given to one subject by one rule of one policy.

    Append-only: the database itself refuses UPDATE and DELETE of these rows (triggers installed by
    migration 0002, see youfu.ledger.guard). A correction is a reversal entry pointing at the entry it
    cancels. Entries made by one event (one video violation: person −3, department −5, outlet head −4)
    share an event_id.

    `unit_path` is the subject's unit path when the entry was posted, so "entries in my subtree" is one
    indexed prefix filter, and an entry stays where it was earned after the person moves.
    """

    event_id = models.UUIDField(_("event"), db_index=True)
    subject_role = models.CharField(_("subject role"), max_length=16, choices=SubjectRole.choices)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("person"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("unit"),
    )
    unit_path = models.CharField(
        _("unit path"),
        max_length=PATH_MAX_LENGTH,
        db_index=True,  # on PostgreSQL this also makes the varchar_pattern_ops index LIKE 'x%' needs
        help_text=_("the subject's unit path when the entry was posted"),
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("period")
    )
    policy = models.SlugField(_("policy"), max_length=64, db_index=False)
    policy_version = models.PositiveIntegerField(_("policy version"))
    rule = models.SlugField(_("rule"), max_length=64, db_index=False)
    inputs = models.JSONField(
        _("inputs"), default=dict, blank=True, help_text=_("the input values the rule used")
    )
    points = models.DecimalField(_("points"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("reason"))
    evidence_type = models.CharField(_("evidence type"), max_length=32, choices=EvidenceType.choices)
    evidence_id = models.CharField(_("evidence id"), max_length=64, blank=True)
    evidence_url = models.CharField(_("evidence link"), max_length=500, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",  # one-to-one: an entry is reversed at most once
        verbose_name=_("reverses"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
        help_text=_("empty for a system run"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_role=SubjectRole.PERSON, person__isnull=False, unit__isnull=True)
                | Q(
                    subject_role__in=[SubjectRole.UNIT, SubjectRole.UNIT_HEAD],
                    person__isnull=True,
                    unit__isnull=False,
                ),
                name="ledgerentry_one_subject",
            ),
            models.CheckConstraint(
                condition=~Q(points=0) | ~Q(amount=0), name="ledgerentry_points_or_amount"
            ),
            models.CheckConstraint(condition=Q(policy_version__gte=1), name="ledgerentry_version_from_1"),
            models.CheckConstraint(
                condition=~Q(policy="") & ~Q(rule="") & ~Q(reason=""), name="ledgerentry_says_why"
            ),
            models.CheckConstraint(
                condition=Q(evidence_type=EvidenceType.MANUAL) | ~Q(evidence_id=""),
                name="ledgerentry_evidence_id",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "policy"], name="ledger_period_policy"),
            models.Index(fields=["evidence_type", "evidence_id"], name="ledger_evidence"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.points} / {self.amount} ({self.policy}:{self.rule})"

    @property
    def subject(self) -> Person | Unit | None:
        return self.person if self.person_id is not None else self.unit


class PeriodLock(models.Model):
    """期间发布 — a period published (frozen) for a policy: no entry of that policy is posted or
    reversed for that period afterwards. Also append-only in the database."""

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="ledger_locks", verbose_name=_("period")
    )
    policy = models.SlugField(_("policy"), max_length=64, db_index=False)
    locked_at = models.DateTimeField(_("published at"), default=timezone.now)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("published period")
        verbose_name_plural = _("published periods")
        ordering = ["-locked_at"]
        constraints = [
            models.UniqueConstraint(fields=["period", "policy"], name="periodlock_once_per_policy"),
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.policy}"
