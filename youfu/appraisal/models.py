"""员工绩效考核 (seed 000 篇6): quarterly cycles, monthly forms with their plan items and ratings, the
quarterly comprehensive review with its anonymous peer ballots, attendance and training adjustments,
the versioned quarter results and the appeals against them.

Peer anonymity (员工互评 “以无记名方式填写后投入公司投票箱”) is a property of the schema: a PeerScore has no
rater, no timestamp and a random key, and the PeerBallot token that says “this person has voted” has no
score and no key to the scores. Neither is registered with the audit log (audit.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from youfu.appraisal.choices import AppealStatus, CycleStatus, FormStatus, ItemKind, ItemStatus, RaterKind
from youfu.org.models import Period, Person, Unit
from youfu.scoring.models import PolicyVersion


class Cycle(models.Model):
    """考核周期 — one quarter of staff appraisal for the people of a unit's subtree, under one policy
    version (its weights, grade bands and bonus table)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+", verbose_name=_("quarter"))
    policy_version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("appraisal", "policy version"),
    )
    finance_rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finance department rater"),
    )
    admin_rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("administration department rater"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    appeal_days = models.PositiveSmallIntegerField(_("appeal window (days)"), default=10)
    closed_at = models.DateTimeField(pgettext_lazy("appraisal", "closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(pgettext_lazy("appraisal", "created at"), default=timezone.now)

    class Meta:
        verbose_name = _("appraisal cycle")
        verbose_name_plural = _("appraisal cycles")
        ordering = ["-period__start", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="appraisal_cycle_unique")]
        permissions = [
            ("close_cycle", "Can close an appraisal cycle and compute its results"),
            ("import_adjustments", "Can import attendance and training adjustments"),
            ("rate_supervisor", "Can rate monthly forms as direct supervisor"),
            ("rate_panel", "Can score the quarterly review as the appraisal panel"),
            ("decide_appeal", "Can decide appraisal appeals"),
        ]

    def __str__(self) -> str:
        return f"{self.period.name} · {self.unit.name}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.unit.path}


class MonthlyForm(models.Model):
    """工作绩效考核表 — one person's monthly plan and form: plan due by the 2nd of the month, the form
    handed out on the 28th and due by the 2nd of the next month."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="forms")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    month = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+", verbose_name=_("month"))
    status = models.CharField(
        _("status"), max_length=16, choices=FormStatus.choices, default=FormStatus.DRAFT
    )
    summary = models.TextField(_("personal summary"), blank=True)
    plan_submitted_at = models.DateTimeField(_("plan submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("form submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly form")
        verbose_name_plural = _("monthly forms")
        ordering = ["month__start", "unit__path", "person__employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person", "month"], name="appraisal_form_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.month.name}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.unit.path}


class FormItem(models.Model):
    """工作计划项 — one line of the plan, with its completion (完成 / 进行中 / 未进行) and the reason."""

    form = models.ForeignKey(MonthlyForm, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    title = models.CharField(_("task"), max_length=200)
    status = models.CharField(_("completion"), max_length=12, choices=ItemStatus.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    adopted = models.BooleanField(_("adopted by the company"), default=False)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["form", "pk"]  # as written in the plan

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.form.unit.path}


class Rating(models.Model):
    """评分 — one rater's score of a monthly form (out of 90): self, finance, administration, supervisor."""

    form = models.ForeignKey(MonthlyForm, on_delete=models.CASCADE, related_name="ratings")
    kind = models.CharField(_("rater"), max_length=12, choices=RaterKind.choices)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["form", "kind"], name="appraisal_rating_unique"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="appraisal_rating_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.score}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.form.unit.path}


class Review(models.Model):
    """员工考核表 — the quarterly comprehensive review: the person's own score and the panel's."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="reviews")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    self_score = models.DecimalField(
        _("self-assessment"), null=True, blank=True, max_digits=5, decimal_places=2
    )
    self_summary = models.TextField(_("personal summary"), blank=True)
    panel_score = models.DecimalField(_("panel score"), null=True, blank=True, max_digits=5, decimal_places=2)
    panel_rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("quarterly review")
        verbose_name_plural = _("quarterly reviews")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="appraisal_review_unique"),
            models.CheckConstraint(
                condition=Q(self_score__gte=0, self_score__lte=100) | Q(self_score__isnull=True),
                name="appraisal_review_self_range",
            ),
            models.CheckConstraint(
                condition=Q(panel_score__gte=0, panel_score__lte=100) | Q(panel_score__isnull=True),
                name="appraisal_review_panel_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.cycle.period.name}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.unit.path}


class PeerScore(models.Model):
    """员工互评 — one anonymous peer score. No rater, no time, a random key: nothing links it to a ballot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="+")
    ratee = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["id"]  # random: the order of insertion is not the order anyone sees
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="appraisal_peer_range")
        ]

    def __str__(self) -> str:
        return "peer score"  # nothing more: it is anonymous


class PeerBallot(models.Model):
    """投票记录 — “this person has put a peer ballot in the box this quarter”; it holds no score."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="+")
    rater = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "rater"], name="appraisal_ballot_once")]

    def __str__(self) -> str:
        return "ballot"


class AdjustmentBatch(models.Model):
    """考勤与培训导入 — one Excel file of adjustments as imported (all rows or none)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="batches")
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    changed = models.PositiveIntegerField(_("rows changed"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.file_name

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.cycle.unit.path}


class Adjustment(models.Model):
    """增减分 — a month's attendance and training record for one person (from 行政部's Excel)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="adjustments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    month = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    leave_days = models.DecimalField(_("personal leave days"), max_digits=4, decimal_places=1, default=0)
    trainings_attended = models.PositiveSmallIntegerField(_("trainings attended"), default=0)
    trainings_missed = models.PositiveSmallIntegerField(_("trainings missed"), default=0)
    days_late = models.PositiveSmallIntegerField(_("days late (plan or form)"), default=0)
    batch = models.ForeignKey(AdjustmentBatch, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person", "month"], name="appraisal_adjustment_unique"),
            models.CheckConstraint(condition=Q(leave_days__gte=0), name="appraisal_leave_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.month.name}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.unit.path}


class QuarterResult(models.Model):
    """季度考核结果 — one version of a person's quarter score and grade. A result is never edited: an
    upheld appeal adds a new version and the old one stays, no longer current."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="results")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(pgettext_lazy("appraisal", "current"), default=True)
    monthly_mean = models.DecimalField(_("monthly mean"), max_digits=20, decimal_places=10)
    comprehensive = models.DecimalField(_("comprehensive score"), max_digits=20, decimal_places=10)
    score = models.DecimalField(_("quarter score"), max_digits=20, decimal_places=10)
    grade = models.CharField(_("grade"), max_length=16)
    bonus_items = models.CharField(_("bonus items"), max_length=32, blank=True)
    bonus_silent = models.BooleanField(_("the policy is silent on this grade's bonus"), default=False)
    explanation = models.JSONField(_("explanation"), default=dict)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("quarter result")
        verbose_name_plural = _("quarter results")
        ordering = ["cycle", "unit__path", "person__employee_no", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person", "version"], name="appraisal_result_version"),
            models.UniqueConstraint(
                fields=["cycle", "person"], condition=Q(is_current=True), name="appraisal_result_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.grade} (v{self.version})"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.unit.path}


class Appeal(models.Model):
    """申诉 — a person's appeal against their quarter grade, decided by the appraisal panel."""

    result = models.ForeignKey(QuarterResult, on_delete=models.PROTECT, related_name="appeals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=8, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True)
    revised_panel_score = models.DecimalField(
        _("revised panel score"), null=True, blank=True, max_digits=5, decimal_places=2
    )
    new_result = models.ForeignKey(
        QuarterResult, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("appraisal appeal")
        verbose_name_plural = _("appraisal appeals")
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.person.name}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.unit.path}
