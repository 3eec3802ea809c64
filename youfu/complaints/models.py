"""Complaints and praise (投诉与表扬): the customer's voice from a channel, owned by its first responder
(首问负责制) until handed over, classified, timed against its SLA in business hours, escalated on breach,
judged valid or not (有效投诉) with reasons and evidence, closed, and called back for satisfaction.

Writes go through youfu.complaints.services; every transition writes one ComplaintEvent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from youfu.complaints.choices import (
    CallbackResult,
    Category,
    Channel,
    ComplaintKind,
    ComplaintStatus,
    EventAction,
    Level,
    Severity,
    Verdict,
)
from youfu.org.models import Person, Unit


class Complaint(models.Model):
    """投诉 / 表扬 — one customer's complaint or praise about one unit (usually an outlet) and its people."""

    number = models.CharField(_("number"), max_length=32, unique=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ComplaintKind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    source_ref = models.CharField(
        _("channel reference"),
        max_length=64,
        blank=True,
        help_text=_("The hotline's ticket number: re-importing the same ticket creates nothing twice."),
    )
    received_at = models.DateTimeField(_("received at"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("unit")
    )
    people = models.ManyToManyField(Person, blank=True, related_name="complaints", verbose_name=_("people"))
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, default=Severity.LOW)
    summary = models.TextField(_("what the customer said"))
    customer_name = models.CharField(_("customer"), max_length=64, blank=True)
    customer_phone = models.CharField(_("customer phone"), max_length=32, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_complaints",
        verbose_name=_("responsible (first responder)"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("received by")
    )
    # SLA: deadlines in business time; while waiting on the customer the remaining time is kept.
    acknowledge_due = models.DateTimeField(_("acknowledge by"))
    resolve_due = models.DateTimeField(_("resolve by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    acknowledge_left = models.IntegerField(_("acknowledge time left (s)"), null=True, blank=True)
    resolve_left = models.IntegerField(_("resolve time left (s)"), null=True, blank=True)
    calendar_warning = models.CharField(
        _("calendar warning"),
        max_length=64,
        blank=True,
        help_text=_("Years outside the holiday calendar: their days were counted Monday to Friday."),
    )
    level = models.PositiveSmallIntegerField(_("escalation level"), choices=Level.choices, default=Level.NONE)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices, blank=True)
    verdict_reason = models.TextField(_("reasons"), blank=True)
    verdict_evidence = models.TextField(_("evidence"), blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    judged_at = models.DateTimeField(_("judged at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    callback_due = models.DateTimeField(_("callback due"), null=True, blank=True)
    callback_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    callback_result = models.CharField(
        _("callback result"), max_length=16, choices=CallbackResult.choices, blank=True
    )
    callback_note = models.TextField(_("callback note"), blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        permissions = [
            ("handle_complaint", "Can handle a complaint (acknowledge, hand over, resolve, close)"),
            ("judge_complaint", "Can judge whether a complaint is valid"),
            ("reveal_contact", "Can reveal a customer's contact details (logged)"),
            ("import_complaints", "Can import complaint lists"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source_ref"],
                condition=~Q(source_ref=""),
                name="complaint_unique_channel_ref",
            ),
            models.CheckConstraint(
                condition=Q(verdict="") | ~Q(verdict_reason=""), name="complaint_verdict_has_reason"
            ),
            models.CheckConstraint(condition=Q(level__gte=0, level__lte=3), name="complaint_level_range"),
        ]
        indexes = [models.Index(fields=["status", "resolve_due"])]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.unit.path}

    @property
    def is_open(self) -> bool:
        return self.status in (
            ComplaintStatus.RECEIVED,
            ComplaintStatus.IN_PROGRESS,
            ComplaintStatus.WAITING_CUSTOMER,
        )

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.customer_phone)

    @property
    def masked_name(self) -> str:
        return (self.customer_name[:1] + "**") if self.customer_name else ""


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    return digits[:3] + "*" * max(len(digits) - 7, 1) + digits[-4:]


class ComplaintEvent(models.Model):
    """投诉处理记录 — one step of a complaint's timeline: who, when, what, with its parameters."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=EventAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint} {self.action}"
