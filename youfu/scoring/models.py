"""Policy versions as uploaded, and the runs of the engine with one scorecard line per subject.

A policy version's text never changes (a new version is a new row); a run keeps the version and the
period it scored; its lines keep the inputs, values and rule results of each subject, and the facts
they came from, so every number on the pages can be explained. Runs are never deleted: a rescore of a
period that is still open supersedes the earlier run (its ledger entries are reversed, not removed).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youfu.ledger.choices import SubjectRole
from youfu.org.models import Period, Person, Unit
from youfu.scoring.choices import PolicyStatus, RunKind, RunStatus


class PolicyVersion(models.Model):
    """奖惩方案 — one version of a policy document (YAML), checked when uploaded."""

    policy = models.SlugField(_("policy"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    text = models.TextField(_("document"))
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(_("status"), max_length=8, choices=PolicyStatus.choices)
    warnings = models.JSONField(_("checker warnings"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["policy", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "version"], name="policyversion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ScoreRun(models.Model):
    """One run of a policy version over a period (评分批次)."""

    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="runs", verbose_name=_("policy version")
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+", verbose_name=_("period"))
    kind = models.CharField(_("kind"), max_length=8, choices=RunKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices)
    subjects = models.PositiveIntegerField(_("subjects scored"), default=0)
    entries = models.PositiveIntegerField(_("ledger entries"), default=0)
    total_points = models.DecimalField(_("total points"), max_digits=18, decimal_places=4, default=0)
    total_amount = models.DecimalField(_("total amount (yuan)"), max_digits=16, decimal_places=2, default=0)
    excluded = models.JSONField(_("left out"), default=list, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("scored at"), default=timezone.now)

    class Meta:
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["period", "kind", "status"], name="scorerun_period_kind")]
        permissions = [("publish_scorerun", "Can publish a scored period")]

    def __str__(self) -> str:
        return f"{self.policy_version} · {self.period}"

    @property
    def policy_id(self) -> str:
        return self.policy_version.policy


class ScoreLine(models.Model):
    """A subject's scorecard in a run: inputs, values, rule results, totals and ranks."""

    run = models.ForeignKey(ScoreRun, on_delete=models.PROTECT, related_name="lines", verbose_name=_("run"))
    subject = models.SlugField(_("subject"), max_length=64, help_text=_("the policy's subject id"))
    role = models.CharField(_("role"), max_length=16, choices=SubjectRole.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    unit_path = models.CharField(_("unit path"), max_length=255, db_index=True)
    values = models.JSONField(_("values"), default=dict)
    facts = models.JSONField(_("facts used"), default=dict, help_text=_("input name → fact id"))
    history = models.JSONField(
        _("earlier periods used"),
        default=dict,
        blank=True,
        help_text=_("span → period code → input name → fact id, for sum/mean/count over earlier periods"),
    )
    total_points = models.DecimalField(_("points"), max_digits=14, decimal_places=4)
    total_amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    rank_value = models.DecimalField(_("ranked by"), max_digits=28, decimal_places=10, null=True)
    rank = models.PositiveIntegerField(_("rank"), null=True)
    ranks = models.JSONField(_("ranks within scopes"), default=dict)
    scope_units = models.JSONField(_("scope units"), default=dict, help_text=_("scope → unit id"))

    class Meta:
        verbose_name = _("scorecard line")
        verbose_name_plural = _("scorecard lines")
        ordering = ["run", "subject", "rank", "id"]
        indexes = [models.Index(fields=["run", "subject", "rank"], name="scoreline_ranking")]

    def __str__(self) -> str:
        return f"{self.subject} {self.person or self.unit}"

    @property
    def subject_object(self) -> Person | Unit:
        return self.person if self.person is not None else self.unit
