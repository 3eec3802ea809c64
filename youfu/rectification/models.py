"""Rectification (整改): every published finding of an inspection may open one — responsible unit and
person, deadline, required evidence — and it is followed until a re-inspection verifies it and it is
closed. Overdue ones escalate up the org tree. Writes go through youfu.rectification.services."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youfu.inspections.models import Finding, Inspection
from youfu.org.models import Person, Unit
from youfu.rectification.choices import ACTIVE_STATUSES, EventAction, Handling, RectificationStatus


class Rectification(models.Model):
    """整改 — the follow-up of one finding: who fixes it (责任单位, 责任人) by when (整改期限), with what
    evidence; handled at the feedback meeting or at a meeting with minutes; verified by a re-inspection
    (再检查) before it is closed. Escalated to the next unit up (逐级上报) each step it is overdue."""

    finding = models.OneToOneField(
        Finding, on_delete=models.PROTECT, related_name="rectification", verbose_name=_("finding")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="rectifications",
        verbose_name=_("outlet"),
        help_text=_("The inspected outlet (the finding's): decides who sees the rectification."),
    )
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    responsible_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectifications",
        verbose_name=_("responsible person"),
    )
    deadline = models.DateField(_("deadline"))
    required_evidence = models.TextField(_("required evidence"))
    handling = models.CharField(
        _("handling"), max_length=20, choices=Handling.choices, default=Handling.FEEDBACK_MEETING
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    measures = models.TextField(_("measures taken"), blank=True)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    meeting_minutes = models.TextField(_("meeting minutes"), blank=True)
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("repeats the closed rectification"),
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_to = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalated to"),
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    was_overdue = models.BooleanField(_("was overdue"), default=False)
    reminded_before_at = models.DateTimeField(_("deadline reminder sent"), null=True, blank=True)
    reminded_overdue_at = models.DateTimeField(_("overdue reminder sent"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    reinspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("re-inspection"),
    )
    reinspected_on = models.DateField(_("re-inspected on"), null=True, blank=True)
    verification_note = models.TextField(_("re-inspection note"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["deadline", "id"]
        permissions = [
            ("verify_rectification", "Can verify or reject a rectification (re-inspection)"),
            ("close_rectification", "Can close a verified rectification"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "in_progress", "submitted"]) | Q(verified_at__isnull=False),
                name="rectification_verified_has_verification",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="rectification_closed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(escalation_level=0, escalated_to__isnull=True)
                | Q(escalation_level__gt=0, escalated_to__isnull=False),
                name="rectification_escalation_has_unit",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "deadline"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.finding.item.code} {self.unit}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.unit.path}

    def is_overdue_on(self, day: dt.date) -> bool:
        return self.status in ACTIVE_STATUSES and day > self.deadline

    @property
    def is_overdue(self) -> bool:
        """Past the deadline and still the responsible unit's work (shown in red everywhere)."""
        return self.is_overdue_on(timezone.localdate())

    @property
    def days_overdue(self) -> int:
        return max(0, (timezone.localdate() - self.deadline).days) if self.is_overdue else 0

    @property
    def is_closed(self) -> bool:
        return self.status == RectificationStatus.CLOSED


def evidence_path(instance: RectificationEvidence, filename: str) -> str:
    return f"rectification/{filename}"


class RectificationEvidence(models.Model):
    """整改材料 — a file proving the fix (a photo, a scan of the meeting minutes, a training record)."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("rectification")
    )
    file = models.FileField(_("file"), upload_to=evidence_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    is_minutes = models.BooleanField(_("meeting minutes"), default=False)
    note = models.CharField(_("note"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rectification evidence")
        verbose_name_plural = _("rectification evidence")
        ordering = ["rectification", "id"]

    def __str__(self) -> str:
        return self.original_name

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.rectification.unit.path}


class RectificationEvent(models.Model):
    """整改记录 — one step of a rectification: who did what, when, with which parameters. Appended by one
    function (services._event), never changed."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="events", verbose_name=_("rectification")
    )
    action = models.CharField(_("action"), max_length=16, choices=EventAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")
        ordering = ["rectification", "at", "id"]

    def __str__(self) -> str:
        return f"{self.rectification_id} {self.action}"
