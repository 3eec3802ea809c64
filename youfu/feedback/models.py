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

from youfu.feedback.choices import (
    BatchSource,
    BatchStatus,
    CallResult,
    CallStatus,
    QuestionKind,
    ResponseChannel,
    SurveyKind,
)
from youfu.org.models import Person, Unit

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


# ---------------------------------------------------------------------------------------------------
# Callbacks (电话回访), seed 001 篇1 四.2:
# "每月通过电话等方式对10个客户征求意见 … 满意的加2分, 不满意的扣2分".

DEFAULT_SAMPLE_SIZE = 10  # seed 001 篇1 四.2
DEFAULT_EXCLUDE_MONTHS = 3
DEFAULT_MAX_ATTEMPTS = 3


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    return digits[:3] + "*" * max(len(digits) - 7, 1) + digits[-4:]


class CallbackRule(models.Model):
    """回访规则 — how many customers a month an outlet's callbacks sample, how many months a customer is
    left alone after a call, how many tries before a customer is replaced. Set on any unit; an outlet
    follows the nearest rule above it (itself included), else the defaults (10 a month, seed 001)."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    sample_size = models.PositiveSmallIntegerField(_("customers a month"), default=DEFAULT_SAMPLE_SIZE)
    exclude_months = models.PositiveSmallIntegerField(
        _("months a called customer is left out"), default=DEFAULT_EXCLUDE_MONTHS
    )
    max_attempts = models.PositiveSmallIntegerField(_("tries before replacing"), default=DEFAULT_MAX_ATTEMPTS)

    class Meta:
        verbose_name = _("callback rule")
        verbose_name_plural = _("callback rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(sample_size__gte=1, sample_size__lte=200), name="callbackrule_sample_size"
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1, max_attempts__lte=10), name="callbackrule_attempts"
            ),
            models.CheckConstraint(condition=Q(exclude_months__lte=24), name="callbackrule_exclude"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.sample_size}"


class CallbackImport(models.Model):
    """回访客户名单导入 — one imported customer contact list (Excel or CSV), all or nothing."""

    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, unique=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    row_count = models.PositiveIntegerField(_("rows"))
    created_count = models.PositiveIntegerField(_("customers added"))
    unchanged_count = models.PositiveIntegerField(_("already listed"))
    scope_path = models.CharField(_("scope"), max_length=PATH_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer list import")
        verbose_name_plural = _("customer list imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name or f"#{self.pk}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"unit_path": self.scope_path}


class CallbackContact(models.Model):
    """回访客户 — a customer served at an outlet on a day by a teller: who the callbacks are drawn from.
    The phone number is kept whole (the caller dials it) and shown masked everywhere else."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("outlet"))
    name = models.CharField(_("customer"), max_length=64)
    phone = models.CharField(_("phone"), max_length=32)
    transaction_date = models.DateField(_("transaction date"))
    teller = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("teller")
    )
    source = models.ForeignKey(
        CallbackImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("callback customer")
        verbose_name_plural = _("callback customers")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "phone", "transaction_date", "teller"], name="callbackcontact_once"
            )
        ]
        indexes = [models.Index(fields=["unit", "transaction_date"], name="callbackcontact_month")]

    def __str__(self) -> str:
        return f"{self.masked_name} {self.masked_phone}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_name(self) -> str:
        return (self.name[:1] + "**") if self.name else ""


class CallbackDraw(models.Model):
    """回访抽样 — one outlet's monthly sample: the seed it was drawn with (so it can be drawn again and
    checked), the rule in force then, and the whole shuffled pool (replacements come from its rest)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("outlet"))
    month = models.DateField(_("month"), help_text=_("the first day of the month"))
    seed = models.BigIntegerField(_("random seed"))
    sample_size = models.PositiveSmallIntegerField(_("customers a month"))
    exclude_months = models.PositiveSmallIntegerField(_("months a called customer is left out"))
    max_attempts = models.PositiveSmallIntegerField(_("tries before replacing"))
    pool = models.JSONField(_("pool"), default=list, help_text=_("the candidates' ids in drawn order"))
    used = models.PositiveIntegerField(_("drawn from the pool"), default=0)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)
    unit_path = models.CharField(max_length=PATH_MAX_LENGTH, db_index=True)

    class Meta:
        verbose_name = _("callback sample")
        verbose_name_plural = _("callback samples")
        ordering = ["-month", "unit__path"]
        permissions = [
            ("make_callback", "Can make callbacks (sees the customer's phone while calling)"),
            ("record_callback_facts", "Can record callback results as indicator data"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="callbackdraw_once_a_month"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"unit_path": self.unit_path}


class CallbackCall(models.Model):
    """回访记录 — one customer of a sample: the tries, the result (satisfied +2, neutral 0, unsatisfied
    −2, seed 001), the caller's comments and the teller concerned."""

    draw = models.ForeignKey(CallbackDraw, on_delete=models.CASCADE, related_name="calls")
    contact = models.ForeignKey(CallbackContact, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("number"))
    teller = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("teller")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CallStatus.choices, default=CallStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    result = models.CharField(_("result"), max_length=16, choices=CallResult.choices, blank=True)
    points = models.DecimalField(_("points"), max_digits=4, decimal_places=1, null=True, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    replaces = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("replaces")
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["draw", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "contact"], name="callbackcall_once"),
            models.CheckConstraint(
                condition=(Q(status=CallStatus.REACHED) & ~Q(result="") & Q(points__isnull=False))
                | (~Q(status=CallStatus.REACHED) & Q(result="") & Q(points__isnull=True)),
                name="callbackcall_result_when_reached",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.draw} #{self.position}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"unit_path": self.draw.unit_path}


# ---------------------------------------------------------------------------------------------------
# Surveys (满意度调查), seed 003 §8: internal and external customer satisfaction.


class Survey(models.Model):
    """满意度调查问卷 — a scored questionnaire for the units under `unit`, open from `opens_on` to
    `closes_on` (both included). Its questions are versioned: changing them makes a new version, and
    each response keeps the version it answered."""

    title = models.CharField(_("title"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=SurveyKind.choices)
    intro = models.TextField(_("introduction"), blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("units surveyed")
    )
    unit_path = models.CharField(max_length=PATH_MAX_LENGTH, db_index=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    version = models.PositiveSmallIntegerField(_("question version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_on", "-id"]
        permissions = [("record_survey_facts", "Can record survey results as indicator data")]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="survey_window"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today: Any) -> bool:
        return bool(self.opens_on <= today <= self.closes_on)

    def get_additional_data(self) -> dict[str, Any]:
        return {"unit_path": self.unit_path}


class SurveyQuestion(models.Model):
    """调查题目 — one question of one version of a survey: single choice with a score per option, a
    rating scale 1–5 (the score is the value), or free text (not scored)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    version = models.PositiveSmallIntegerField(_("version"))
    position = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=255)
    options = models.JSONField(_("options"), default=list, blank=True, help_text=_("[{label, score}]"))
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["survey", "version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "version", "position"], name="surveyquestion_once"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def max_score(self) -> Any:
        from decimal import Decimal

        if self.kind == QuestionKind.SCALE:
            return Decimal(5)
        if self.kind == QuestionKind.CHOICE and self.options:
            return max(Decimal(str(option["score"])) for option in self.options)
        return None


class SurveyLink(models.Model):
    """调查链接 — the public link of a survey for one unit: a random token, nothing else to guess."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="links")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")
        constraints = [models.UniqueConstraint(fields=["survey", "unit"], name="surveylink_once")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.unit_id}"


class SurveyResponse(models.Model):
    """调查答卷 — one respondent's answers for one unit; `score` is the scored answers' points as a
    percentage of their maximum (Decimal, 2 places)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    unit_path = models.CharField(max_length=PATH_MAX_LENGTH, db_index=True)
    version = models.PositiveSmallIntegerField(_("question version"))
    channel = models.CharField(_("channel"), max_length=16, choices=ResponseChannel.choices)
    respondent_key = models.CharField(max_length=64, blank=True, db_index=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="surveyresponse_score"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} #{self.pk}"


class SurveyAnswer(models.Model):
    """调查答案 — the answer to one question: the option chosen, the scale value or the text."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="surveyanswer_once")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"
