"""Service KPIs and the dashboard (issue 6 points 5 and 6): the catalogue of queue-ticket batches (the
tickets themselves are Parquet files, like the evaluator ratings of youfu.feedback), the smart-counter
diversion figures per outlet and day or month (small: ORM rows), and the KPI targets per unit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youfu.org.models import Unit
from youfu.reports.choices import BatchSource, Granularity, Kpi

PATH_MAX_LENGTH = 255


class QueueBatch(models.Model):
    """叫号机数据批次 — one file of queue tickets, loaded whole or not at all (its Parquet files count
    only once this row is committed)."""

    idempotency_key = models.CharField(_("idempotency key"), max_length=128, unique=True)
    sha256 = models.CharField(_("SHA-256 of the content"), max_length=64, db_index=True)
    source = models.CharField(_("source"), max_length=16, choices=BatchSource.choices)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    row_count = models.PositiveIntegerField(_("tickets"))
    called_count = models.PositiveIntegerField(_("tickets called"))
    first_at = models.DateTimeField(_("first ticket"))
    last_at = models.DateTimeField(_("last ticket"))
    scope_path = models.CharField(_("scope"), max_length=PATH_MAX_LENGTH, blank=True)
    files = models.JSONField(_("files"), default=list)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("loaded by"),
    )
    created_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("queue batch")
        verbose_name_plural = _("queue batches")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_dashboard", "Can view the service KPI dashboard"),
            ("record_kpi_facts", "Can record KPI values as indicator data"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(called_count__lte=F("row_count")), name="queuebatch_called"),
            models.CheckConstraint(condition=Q(last_at__gte=F("first_at")), name="queuebatch_span"),
            models.CheckConstraint(condition=~Q(idempotency_key=""), name="queuebatch_has_key"),
        ]
        indexes = [models.Index(fields=["scope_path"], name="queuebatch_scope")]

    def __str__(self) -> str:
        return self.file_name or f"#{self.pk}"

    @property
    def months(self) -> list[str]:
        return [entry["month"] for entry in self.files]

    def get_additional_data(self) -> dict[str, Any]:
        return {"unit_path": self.scope_path}


class DiversionBatch(models.Model):
    """超柜分流数据批次 — one Excel file of diversion figures (idempotent by its SHA-256)."""

    idempotency_key = models.CharField(_("idempotency key"), max_length=128, unique=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    row_count = models.PositiveIntegerField(_("rows"))
    changed_count = models.PositiveIntegerField(_("rows new or changed"), default=0)
    scope_path = models.CharField(_("scope"), max_length=PATH_MAX_LENGTH, blank=True)
    demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("loaded by"),
    )
    created_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("diversion batch")
        verbose_name_plural = _("diversion batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name or f"#{self.pk}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"unit_path": self.scope_path}


class DiversionRecord(models.Model):
    """超柜分流 — an outlet's divertible transactions on a day (or in a month: `day` is its first day):
    how many were handled at smart counters and how many at the counter."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("outlet"))
    day = models.DateField(_("day (a month: its first day)"))
    granularity = models.CharField(_("granularity"), max_length=8, choices=Granularity.choices)
    smart = models.PositiveIntegerField(_("at smart counters"))
    counter = models.PositiveIntegerField(_("at the counter"))
    batch = models.ForeignKey(
        DiversionBatch, on_delete=models.CASCADE, related_name="records", verbose_name=_("batch")
    )

    class Meta:
        verbose_name = _("diversion figure")
        verbose_name_plural = _("diversion figures")
        ordering = ["unit", "day"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "day", "granularity"], name="diversion_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.smart}/{self.counter}"


class KpiTarget(models.Model):
    """考核目标 — a KPI's target at a unit, inherited by its subtree unless a unit below sets its own;
    `amber_band` is how far off target still counts as amber."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    kpi = models.CharField(_("KPI"), max_length=32, choices=Kpi.choices)
    target = models.DecimalField(_("target"), max_digits=9, decimal_places=2)
    amber_band = models.DecimalField(_("amber band"), max_digits=9, decimal_places=2)
    note = models.CharField(_("note"), max_length=255, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        ordering = ["unit__path", "kpi"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kpi"], name="kpitarget_once_per_unit"),
            models.CheckConstraint(condition=Q(amber_band__gte=0), name="kpitarget_band_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.kpi} {self.target}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"unit_path": self.unit.path}
