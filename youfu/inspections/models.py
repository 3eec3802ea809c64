"""Inspections (检查): a check of one outlet against a published standard version, its item results,
findings attributed to the outlet and its people, evidence (photos, video time ranges), appeals (申诉),
and bank-wide settings (repeat and appeal windows).

A published inspection is never edited in place: a correction is a new inspection that `corrects` it,
approved the same way (four eyes), which then supersedes it. Writes go through youfu.inspections.services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from youfu.inspections.choices import (
    AppealStatus,
    EventAction,
    EvidenceKind,
    InspectionKind,
    InspectionStatus,
    PlanSampling,
)
from youfu.org.models import Period, Person, Unit
from youfu.standards.models import Item, StandardVersion


class InspectionSettings(models.Model):
    """检查设置 — per bank (a root unit of the org tree): how far back a finding on the same item makes a
    new one a repeat (相同问题重复发生), and how many days an outlet has to appeal after publication."""

    bank = models.OneToOneField(
        Unit, on_delete=models.CASCADE, related_name="inspection_settings", verbose_name=_("bank")
    )
    repeat_window_days = models.PositiveSmallIntegerField(_("repeat window (days)"), default=90)
    appeal_window_days = models.PositiveSmallIntegerField(_("appeal window (days)"), default=7)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("inspection settings")
        verbose_name_plural = _("inspection settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(repeat_window_days__gte=1, repeat_window_days__lte=730),
                name="inspection_settings_repeat_window",
            ),
            models.CheckConstraint(
                condition=Q(appeal_window_days__gte=0, appeal_window_days__lte=90),
                name="inspection_settings_appeal_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.bank.path}


class Inspection(models.Model):
    """检查 — one check of one outlet (神秘人, 现场, 调阅监控 or 自查), scored with one published standard
    version forever. The score is stored when a second person approves it."""

    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("unit")
    )
    date = models.DateField(_("date"))
    visit_start = models.TimeField(_("from"), null=True, blank=True)
    visit_end = models.TimeField(_("to"), null=True, blank=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspections", verbose_name=_("inspectors")
    )
    version = models.ForeignKey(
        StandardVersion,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("standard version"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT
    )
    notes = models.TextField(_("notes"), blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    external_ref = models.CharField(
        _("external reference"),
        max_length=128,
        blank=True,
        help_text=_("A third-party firm's visit key: re-importing the same visit creates nothing twice."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    appeal_deadline = models.DateField(_("appeals until"), null=True, blank=True)
    final_at = models.DateTimeField(_("final at"), null=True, blank=True)
    total = models.DecimalField(_("score"), null=True, blank=True, max_digits=10, decimal_places=2)
    max_score = models.DecimalField(_("full marks"), null=True, blank=True, max_digits=10, decimal_places=2)
    denominator = models.DecimalField(
        _("denominator"), null=True, blank=True, max_digits=10, decimal_places=2
    )
    level = models.CharField(_("level"), max_length=64, blank=True)
    details = models.JSONField(_("score details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-date", "-id"]
        permissions = [
            ("submit_inspection", "Can submit an inspection"),
            ("approve_inspection", "Can approve an inspection (four eyes)"),
            ("publish_inspection", "Can publish an inspection"),
            ("correct_inspection", "Can start a correction of a published inspection"),
            ("import_inspections", "Can import a third party's inspection results"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(visit_start__isnull=True)
                | Q(visit_end__isnull=True)
                | Q(visit_end__gte=F("visit_start")),
                name="inspection_visit_end_after_start",
            ),
            # Four eyes, as far as one row can say it: the approver is never the submitter.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("submitted_by")),
                name="inspection_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_by__isnull=False),
                name="inspection_submitted_has_submitter",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted"])
                | Q(approved_by__isnull=False, total__isnull=False),
                name="inspection_approved_has_score",
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__gte=0, total__lte=F("max_score")),
                name="inspection_total_in_range",
            ),
            models.UniqueConstraint(
                fields=["external_ref"], condition=~Q(external_ref=""), name="inspection_unique_external_ref"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "date"]),
            models.Index(fields=["status", "date"]),
            models.Index(fields=["kind", "date"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.unit} {self.date}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.unit.path}

    @property
    def is_draft(self) -> bool:
        return self.status == InspectionStatus.DRAFT

    @property
    def percent(self) -> object:
        """The total on a 100-point scale (what the period scores average)."""
        if self.total is None or not self.max_score:
            return None
        return self.total * 100 / self.max_score


class ItemResult(models.Model):
    """检查结果 — one item's result in one inspection: pass/fail, occurrences, a score or not applicable,
    as given (`value`) and as read; `points_lost` is what the item lost before its section's cap."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="results", verbose_name=_("inspection")
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    value = models.CharField(_("result"), max_length=32)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    occurrences = models.PositiveIntegerField(_("occurrences"), null=True, blank=True)
    score = models.DecimalField(_("score"), null=True, blank=True, max_digits=10, decimal_places=2)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    points_lost = models.DecimalField(_("points lost"), default=0, max_digits=10, decimal_places=2)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("item result")
        verbose_name_plural = _("item results")
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="itemresult_one_per_item"),
            models.CheckConstraint(
                condition=Q(points_lost__gte=0), name="itemresult_points_lost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}={self.value}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.inspection.unit.path}


class Finding(models.Model):
    """检查发现 (问题) — an item that lost points in an inspection, attributed to the outlet and, where
    known, to its people (柜员, 大堂经理, 保安). Flagged as a repeat when the same item was found in the
    same outlet within the bank's window; a duplicate when another channel saw the same fault (it then
    counts once, through the first)."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="findings", verbose_name=_("inspection")
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    points_lost = models.DecimalField(_("points lost"), max_digits=10, decimal_places=2)
    description = models.TextField(_("description"), blank=True)
    people = models.ManyToManyField(
        Person, blank=True, related_name="inspection_findings", verbose_name=_("people")
    )
    is_repeat = models.BooleanField(_("repeat"), default=False)
    repeat_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("repeats")
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("same fault as"),
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="finding_one_per_item"),
            models.CheckConstraint(condition=Q(points_lost__gt=0), name="finding_loses_points"),
            models.CheckConstraint(condition=~Q(duplicate_of=F("id")), name="finding_not_own_duplicate"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} −{self.points_lost}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.inspection.unit.path}


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name never comes from the user: a random name with the extension of the detected type.
    return f"inspections/{filename}"


class Evidence(models.Model):
    """证据 — a photo (its time and place read from EXIF where the file carries them) or a video
    recording's time range on a camera, for an inspection, optionally a finding, or an appeal."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("inspection")
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence"
    )
    appeal = models.ForeignKey(
        "Appeal", on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True)
    content_type = models.CharField(_("type"), max_length=32, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    camera = models.CharField(_("camera"), max_length=64, blank=True)
    recorded_from = models.DateTimeField(_("recording from"), null=True, blank=True)
    recorded_to = models.DateTimeField(_("recording to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["inspection", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="photo", recorded_from__isnull=True) & ~Q(file="")
                | Q(kind="video", file="", recorded_from__isnull=False, recorded_to__gt=F("recorded_from")),
                name="evidence_photo_or_video_range",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or self.camera or f"#{self.pk}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.inspection.unit.path}


class Appeal(models.Model):
    """申诉 — the inspected outlet contests one finding's deduction, with a reason and evidence, within
    the bank's appeal window; a reviewer of the service office (never an inspector of the check)
    upholds or reverses it. A reversal corrects the score through a correction inspection."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("inspection")
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("finding")
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
    correction = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("correction"),
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-raised_at", "-id"]
        permissions = [("decide_appeal", "Can decide an appeal")]
        constraints = [
            models.UniqueConstraint(fields=["finding"], name="appeal_one_per_finding"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True)
                | (~Q(status="pending") & Q(decided_by__isnull=False)),
                name="appeal_decided_has_decider",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("raised_by")),
                name="appeal_decider_not_raiser",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.finding}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.inspection.unit.path}


class InspectionEvent(models.Model):
    """检查记录 — one workflow step of an inspection: who did what, when, with which parameters.
    Appended by one function (services._event), never changed."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="events", verbose_name=_("inspection")
    )
    action = models.CharField(_("action"), max_length=16, choices=EventAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("inspection event")
        verbose_name_plural = _("inspection events")
        ordering = ["inspection", "at", "id"]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.action}"


class OutletLocation(models.Model):
    """网点位置 — where an outlet is (the org tree keeps only its address): a mystery shopper's photo
    taken farther from it than the plan allows is flagged."""

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, related_name="inspection_location", verbose_name=_("outlet")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("outlet location")
        verbose_name_plural = _("outlet locations")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="outlet_location_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.latitude},{self.longitude}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.unit.path}


class InspectionPlan(models.Model):
    """检查计划 — which outlets (every active outlet under `scope`) get how many checks of which kind in
    one period, a share of them by mystery shopper (drawn at random with the stored seed, or fixed).
    Its planned visits are generated once, when it is created; whether each was done, late or missed is
    computed from the checks recorded."""

    name = models.CharField(_("name"), max_length=128)
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="inspection_plans", verbose_name=_("period")
    )
    scope = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="inspection_plans", verbose_name=_("scope")
    )
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=InspectionKind.choices,
        help_text=_("The kind of the visits not drawn for the mystery shopper."),
    )
    visits_per_outlet = models.PositiveSmallIntegerField(_("visits per outlet"), default=1)
    mystery_share = models.PositiveSmallIntegerField(_("share by mystery shopper (%)"), default=0)
    sampling = models.CharField(
        _("sampling"), max_length=8, choices=PlanSampling.choices, default=PlanSampling.RANDOM
    )
    seed = models.PositiveIntegerField(_("seed"), help_text=_("The random draw's seed: the same draw again."))
    grace_days = models.PositiveSmallIntegerField(
        _("late up to (days)"),
        default=15,
        help_text=_("A check this many days after its window at most counts as late; later, missed."),
    )
    max_distance_m = models.PositiveIntegerField(
        _("photo distance allowed (m)"),
        default=500,
        help_text=_("A photo taken farther than this from the outlet is flagged."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-period__start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visits_per_outlet__gte=1, visits_per_outlet__lte=31),
                name="inspection_plan_visits_1_to_31",
            ),
            models.CheckConstraint(condition=Q(mystery_share__lte=100), name="inspection_plan_share_percent"),
            models.CheckConstraint(condition=Q(grace_days__lte=90), name="inspection_plan_grace_days"),
            models.CheckConstraint(
                condition=Q(max_distance_m__gte=10, max_distance_m__lte=100_000),
                name="inspection_plan_distance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.period.code})"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.scope.path}


class PlannedVisit(models.Model):
    """计划检查 — one check an outlet is due for under a plan: its kind and the window it is due in."""

    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.CASCADE, related_name="visits", verbose_name=_("plan")
    )
    outlet = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="planned_visits", verbose_name=_("outlet")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    sequence = models.PositiveSmallIntegerField(_("visit"))
    window_start = models.DateField(_("due from"))
    window_end = models.DateField(_("due by"))

    class Meta:
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")
        ordering = ["plan", "window_start", "outlet__code", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "outlet", "sequence"], name="planned_visit_unique"),
            models.CheckConstraint(
                condition=Q(window_end__gte=F("window_start")), name="planned_visit_window"
            ),
        ]
        indexes = [models.Index(fields=["outlet", "kind", "window_start"])]

    def __str__(self) -> str:
        return f"{self.outlet} {self.kind} {self.window_start}–{self.window_end}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.outlet.path}


__all__ = [
    "Appeal",
    "AppealStatus",
    "EventAction",
    "Evidence",
    "EvidenceKind",
    "Finding",
    "Inspection",
    "InspectionEvent",
    "InspectionKind",
    "InspectionPlan",
    "InspectionSettings",
    "InspectionStatus",
    "ItemResult",
    "OutletLocation",
    "PlanSampling",
    "PlannedVisit",
]
