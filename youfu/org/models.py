from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from youfu.org.choices import Gender, PeriodKind, Position, UnitKind


class Unit(MP_Node):
    """机构 — a unit of the bank: head office, branch (分行), sub-branch (支行), outlet (网点), team.

    The materialised path (treebeard) makes "this unit and everything below it" one indexed prefix
    query, which is how access by subtree (分级负责、下管一级) is enforced everywhere.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    region = models.CharField(_("region"), max_length=64, blank=True, help_text=_("片区, used for rankings"))
    province = models.CharField(_("province"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["region"])]

    def __str__(self) -> str:
        return f"{self.name}"

    def get_additional_data(self) -> dict[str, str]:
        """Stored with each audit entry: the unit path lets the audit browser filter by subtree."""
        return {"unit_path": self.path}


class Person(models.Model):
    """员工 — a member of staff, belonging to exactly one unit at a time (moves are kept in PersonMove)."""

    employee_no = models.CharField(_("employee number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="people", verbose_name=_("unit"))
    position = models.CharField(_("position"), max_length=32, choices=Position.choices)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    teller_grade = models.PositiveSmallIntegerField(
        _("teller grade"), null=True, blank=True, help_text=_("柜员等级 1–6")
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("in service"), default=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["employee_no"]
        constraints = [
            models.CheckConstraint(
                condition=Q(teller_grade__isnull=True) | Q(teller_grade__gte=1, teller_grade__lte=6),
                name="person_teller_grade_1_to_6",
            ),
            models.CheckConstraint(
                condition=Q(hire_date__isnull=True)
                | Q(birth_date__isnull=True)
                | Q(hire_date__gt=models.F("birth_date")),
                name="person_hired_after_birth",
            ),
        ]
        indexes = [models.Index(fields=["position"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_no})"

    def get_additional_data(self) -> dict[str, str]:
        """Stored with each audit entry: the unit path lets the audit browser filter by subtree."""
        return {"unit_path": self.unit.path}


class PersonMove(models.Model):
    """调动记录 — one move of a person from one unit to another. Appended, never edited."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="moves", verbose_name=_("person")
    )
    from_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("from unit")
    )
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("to unit"))
    from_position = models.CharField(_("from position"), max_length=32, choices=Position.choices, blank=True)
    to_position = models.CharField(_("to position"), max_length=32, choices=Position.choices, blank=True)
    effective_date = models.DateField(_("effective date"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("move")
        verbose_name_plural = _("moves")
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.person} → {self.to_unit} ({self.effective_date})"

    def get_additional_data(self) -> dict[str, str]:
        """Stored with each audit entry: the unit path lets the audit browser filter by subtree."""
        return {"unit_path": self.to_unit.path}


class Period(models.Model):
    """考核期间 — a month, quarter, half year, year or custom window; start and end are inclusive."""

    code = models.CharField(
        _("code"), max_length=32, unique=True, help_text=_("e.g. 2026-03, 2026Q1, 2026H1")
    )
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=8, choices=PeriodKind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["start", "end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="period_end_not_before_start"
            ),
            models.UniqueConstraint(fields=["kind", "start", "end"], name="period_unique_window"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def days(self) -> int:
        """Length in days, both ends included."""
        return (self.end - self.start).days + 1

    def get_additional_data(self) -> dict[str, str]:
        """Stored with each audit entry: the unit path lets the audit browser filter by subtree."""
        # Periods are bank-wide: visible in every subtree's audit trail.
        return {"unit_path": ""}
