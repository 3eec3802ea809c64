"""Facts (考核指标数据): the per-subject, per-period input values that scoring policies read and that no
other youfu module produces — the province's mystery-shopper score of an outlet, a balance, a count of
complaint tickets from an external system.

History is kept, never overwritten: a changed value is a new row that `supersedes` the previous one,
which stays in the table with `is_current = False`. Exactly one row per (period, subject, name) is
current, which a partial unique index makes the database itself enforce. Every row points at the
batch (an Excel file or a manual entry) it came from, with its row number: that is the evidence an
explanation page shows ("93.5 came from 省行神秘人检查2024Q3.xlsx, row 17, imported by X on …").
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youfu.facts.choices import BatchSource, SubjectKind, ValueType
from youfu.org.models import Period, Person, Unit

PATH_MAX_LENGTH = 255  # treebeard's MP_Node.path
NAME_MAX_LENGTH = 64
NUMBER_MAX_DIGITS = 28
NUMBER_DECIMAL_PLACES = 10
TEXT_MAX_LENGTH = 500


class FactBatch(models.Model):
    """考核指标数据批次 — one Excel file imported (or one manual entry) for one period: who, when, which
    file (name, SHA-256, sheet) and how many rows it held. The evidence behind each of its facts."""

    source = models.CharField(_("source"), max_length=16, choices=BatchSource.choices)
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="fact_batches", verbose_name=_("period")
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True, db_index=True)
    sheet = models.CharField(_("sheet"), max_length=64, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("new values"), default=0)
    changed_count = models.PositiveIntegerField(_("changed values"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged values"), default=0)
    note = models.TextField(_("note"), blank=True)
    scope_path = models.CharField(
        _("scope"),
        max_length=PATH_MAX_LENGTH,
        blank=True,
        help_text=_("the unit path the importer was in charge of (empty: the whole bank)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("fact batch")
        verbose_name_plural = _("fact batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source=BatchSource.MANUAL) | ~Q(file_name=""), name="factbatch_import_has_file"
            ),
        ]

    def __str__(self) -> str:
        return self.file_name or f"#{self.pk}"


class Fact(models.Model):
    """考核指标数据 — one input value of one subject (a unit or a person) for one period, e.g. outlet
    110101's `score` for 2025Q3 is 93.35. Typed: exactly one of the number, yes/no and text columns holds
    the value, and the number is stored exactly (Decimal, never a float)."""

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="facts", verbose_name=_("period")
    )
    subject_kind = models.CharField(_("subject kind"), max_length=8, choices=SubjectKind.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="facts", verbose_name=_("unit")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facts",
        verbose_name=_("person"),
    )
    unit_path = models.CharField(
        _("unit path"),
        max_length=PATH_MAX_LENGTH,
        db_index=True,
        help_text=_("the subject's unit path when the value was recorded"),
    )
    name = models.SlugField(_("name"), max_length=NAME_MAX_LENGTH, help_text=_("the policy input name"))
    value_type = models.CharField(_("type"), max_length=8, choices=ValueType.choices)
    value_number = models.DecimalField(
        _("number"),
        max_digits=NUMBER_MAX_DIGITS,
        decimal_places=NUMBER_DECIMAL_PLACES,
        null=True,
        blank=True,
    )
    value_bool = models.BooleanField(_("yes/no"), null=True, blank=True)
    value_text = models.CharField(_("text"), max_length=TEXT_MAX_LENGTH, null=True, blank=True)
    measure = models.CharField(_("unit of measure"), max_length=16, blank=True)
    batch = models.ForeignKey(
        FactBatch, on_delete=models.PROTECT, related_name="facts", verbose_name=_("batch")
    )
    row_number = models.PositiveIntegerField(_("row in the file"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        ordering = ["period", "name", "unit_path", "id"]
        permissions = [("import_facts", "Can import facts from Excel")]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_kind=SubjectKind.UNIT, unit__isnull=False, person__isnull=True)
                | Q(subject_kind=SubjectKind.PERSON, person__isnull=False, unit__isnull=True),
                name="fact_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(
                    value_type=ValueType.NUMBER,
                    value_number__isnull=False,
                    value_bool__isnull=True,
                    value_text__isnull=True,
                )
                | Q(
                    value_type=ValueType.BOOL,
                    value_number__isnull=True,
                    value_bool__isnull=False,
                    value_text__isnull=True,
                )
                | Q(
                    value_type=ValueType.TEXT,
                    value_number__isnull=True,
                    value_bool__isnull=True,
                    value_text__isnull=False,
                ),
                name="fact_one_value",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="fact_has_name"),
            models.UniqueConstraint(
                fields=["period", "unit", "name"],
                condition=Q(is_current=True, unit__isnull=False),
                name="fact_one_current_per_unit",
            ),
            models.UniqueConstraint(
                fields=["period", "person", "name"],
                condition=Q(is_current=True, person__isnull=False),
                name="fact_one_current_per_person",
            ),
        ]
        indexes = [models.Index(fields=["period", "name", "is_current"], name="fact_period_name")]

    def __str__(self) -> str:
        return f"{self.subject} · {self.name} = {self.display_value}"

    @property
    def subject(self) -> Unit | Person | None:
        return self.person if self.person_id is not None else self.unit

    @property
    def value(self) -> Decimal | bool | str:
        """The typed value: a Decimal without trailing zeros, a bool or a text."""
        if self.value_type == ValueType.NUMBER:
            assert self.value_number is not None
            return plain_decimal(self.value_number)
        if self.value_type == ValueType.BOOL:
            return bool(self.value_bool)
        return self.value_text or ""

    @property
    def display_value(self) -> str:
        value = self.value
        if isinstance(value, bool):
            return "是" if value else "否"
        return str(value)


def plain_decimal(value: Decimal) -> Decimal:
    """93.3500000000 → 93.35, 100.0000000000 → 100 (never 1E+2): the number as people wrote it."""
    if value.is_zero():
        return Decimal(0)  # no "-0" either
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
