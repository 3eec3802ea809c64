"""Evaluator ratings (满意度评价器): the catalogue of rating batches.

The ratings themselves are not ORM rows — a big bank produces tens of millions a day. They are Parquet
files under FEEDBACK_DATA_DIR (youfu.feedback.store), one per batch and month, read by DuckDB. A
RatingBatch row is the catalogue entry of one batch: where it came from, its idempotency key and
SHA-256, how many rows it held and loaded, the span of its times, who loaded it, and its files. A file
counts only once its catalogue row is committed (the readers take the file list from the catalogue), so
a batch is either wholly there or not at all.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youfu.feedback.choices import BatchSource, BatchStatus

PATH_MAX_LENGTH = 255  # treebeard's MP_Node.path


class RatingBatch(models.Model):
    """评价数据批次 — one batch of evaluator ratings (a CSV or Parquet file, or one API call), loaded whole
    or not at all; with quarantine, its bad rows are kept apart and listed in `report`."""

    idempotency_key = models.CharField(
        _("idempotency key"),
        max_length=128,
        unique=True,
        help_text=_("a retry with the same key returns this batch instead of loading it again"),
    )
    sha256 = models.CharField(_("SHA-256 of the content"), max_length=64, db_index=True)
    source = models.CharField(_("source"), max_length=16, choices=BatchSource.choices)
    status = models.CharField(_("status"), max_length=16, choices=BatchStatus.choices)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    row_count = models.PositiveIntegerField(_("rows received"))
    loaded_count = models.PositiveIntegerField(_("rows loaded"))
    rated_count = models.PositiveIntegerField(_("rated"), default=0)
    quarantined_count = models.PositiveIntegerField(_("rows quarantined"), default=0)
    first_at = models.DateTimeField(_("first transaction"))
    last_at = models.DateTimeField(_("last transaction"))
    scope_path = models.CharField(
        _("scope"),
        max_length=PATH_MAX_LENGTH,
        blank=True,
        help_text=_("the path of the lowest unit holding every outlet of the batch"),
    )
    files = models.JSONField(
        _("files"),
        default=list,
        help_text=_("one entry per month: {month, path (under the data folder), rows}"),
    )
    quarantine_file = models.CharField(_("quarantined rows file"), max_length=255, blank=True)
    report = models.JSONField(
        _("report"), default=dict, blank=True, help_text=_("counts of bad rows by reason and the first ones")
    )
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
        verbose_name = _("rating batch")
        verbose_name_plural = _("rating batches")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_rates", "Can view satisfaction and evaluation rates"),
            ("record_rating_facts", "Can record rating rates as indicator data"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(row_count=F("loaded_count") + F("quarantined_count")),
                name="ratingbatch_rows_add_up",
            ),
            models.CheckConstraint(
                condition=Q(rated_count__lte=F("loaded_count")), name="ratingbatch_rated_within_loaded"
            ),
            models.CheckConstraint(
                condition=Q(status=BatchStatus.LOADED, quarantined_count=0)
                | Q(status=BatchStatus.PARTIAL, quarantined_count__gt=0),
                name="ratingbatch_status_matches_quarantine",
            ),
            models.CheckConstraint(condition=Q(last_at__gte=F("first_at")), name="ratingbatch_span"),
            models.CheckConstraint(condition=~Q(idempotency_key=""), name="ratingbatch_has_key"),
        ]
        indexes = [models.Index(fields=["scope_path"], name="ratingbatch_scope")]

    def __str__(self) -> str:
        return self.file_name or f"#{self.pk}"

    @property
    def months(self) -> list[str]:
        return [entry["month"] for entry in self.files]

    def get_additional_data(self) -> dict[str, Any]:
        """Stored with each audit entry: the scope path lets the audit browser filter by subtree."""
        return {"unit_path": self.scope_path}
