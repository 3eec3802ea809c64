"""绩效工资 (seed 000 篇2): a pay pool per quarter and unit, the per-person inputs imported from
Excel/CSV (balances, daily averages, payroll of credit clients, priced products, department and
democratic-evaluation scores; the salaries R3's bonus items and deductions need), and each
computation of the allocation with one line per person. An allocation is never edited: computing again
adds a new one and the previous stays, no longer current."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from youfu.org.models import Period, Person, Unit
from youfu.performance_pay.choices import DepartmentKind, ImportKind
from youfu.scoring.models import PolicyVersion


def _money(verbose: str | object, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(verbose, max_digits=16, decimal_places=2, **kwargs)  # type: ignore[arg-type]


class Pool(models.Model):
    """绩效工资池 — the quarter's performance pay (∑效益工资) of a unit's people, to allocate under R4."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+", verbose_name=_("quarter"))
    total = _money(pgettext_lazy("performance pay", "pool total (yuan)"))
    policy_version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("performance pay", "policy version"),
    )
    comparison = models.CharField(
        pgettext_lazy("performance pay", "comparison quarter of the daily averages"),
        max_length=64,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(pgettext_lazy("performance pay", "created at"), default=timezone.now)

    class Meta:
        verbose_name = _("pay pool")
        verbose_name_plural = _("pay pools")
        ordering = ["-period__start", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="performance_pay_pool_unique"),
            models.CheckConstraint(condition=Q(total__gt=0), name="performance_pay_pool_positive"),
        ]
        permissions = [
            ("import_pay_inputs", "Can import balances and salaries into a pay pool"),
            ("compute_pool", "Can compute a pay pool's allocation"),
            ("view_own_pay", "Can see one's own line of a pay pool"),
        ]

    def __str__(self) -> str:
        return f"{self.period.name} · {self.unit.name}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.unit.path}


class ImportBatch(models.Model):
    """导入批次 — one Excel/CSV file imported into a pool (all rows or none)."""

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="batches")
    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    changed = models.PositiveIntegerField(_("rows changed"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.pool.unit.path}


class PersonInput(models.Model):
    """个人分配数据 — one person's R4 inputs for a pool (from the balances import)."""

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="inputs")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    balance_m1 = _money(_("month 1 end balance"))
    balance_m2 = _money(_("month 2 end balance"))
    balance_m3 = _money(_("month 3 end balance"))
    daily_avg = _money(_("daily average this quarter"))
    daily_avg_base = _money(_("daily average of the comparison quarter"))
    payroll_credit = _money(_("payroll of credit clients"), default=0)
    priced_amount = _money(_("priced products (yuan)"), default=0)
    department_kind = models.CharField(
        _("department kind"), max_length=12, choices=DepartmentKind.choices, default=DepartmentKind.BUSINESS
    )
    results_score = models.DecimalField(_("results score"), max_digits=5, decimal_places=2, default=0)
    duties_score = models.DecimalField(_("duties score"), max_digits=5, decimal_places=2, default=0)
    evaluation_score = models.DecimalField(
        _("democratic evaluation score"), max_digits=5, decimal_places=2, default=0
    )
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["unit__path", "person__employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "person"], name="performance_pay_input_unique"),
            models.CheckConstraint(
                condition=Q(priced_amount__gte=0), name="performance_pay_priced_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.pool}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.unit.path}


class Salary(models.Model):
    """薪资数据 — the salaries R3's bonus items (a, b, c) and percentage deductions are computed from."""

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="salaries")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    quarter_post_salary = _money(_("quarter post salary"))
    month13_salary = _money(_("13th-month salary"))
    annual_post_salary = _money(_("annual post salary"))
    performance_pay = _money(_("quarter performance pay"))
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["unit__path", "person__employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "person"], name="performance_pay_salary_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.pool}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.unit.path}


class Allocation(models.Model):
    """分配结果 — one computation of a pool under its policy. Never edited: a new one replaces it."""

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="allocations")
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(pgettext_lazy("performance pay", "current"), default=True)
    shares = models.JSONField(_("shares"), default=list)  # per share: budget, paid, undistributed
    totals = models.JSONField(_("totals"), default=dict)
    warnings = models.JSONField(_("warnings"), default=list)
    batches = models.JSONField(_("import batches used"), default=list)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        ordering = ["pool", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "version"], name="performance_pay_allocation_version"),
            models.UniqueConstraint(
                fields=["pool"], condition=Q(is_current=True), name="performance_pay_allocation_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pool} v{self.version}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.pool.unit.path}


class AllocationLine(models.Model):
    """分配明细 — one person's amounts in an allocation, with the explanation of each."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="lines")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    priced = _money(_("priced products"))
    stock = _money(_("stock share"))
    increment = _money(_("increment share"))
    department = _money(_("department share"))
    evaluation = _money(_("democratic evaluation"))
    total = _money(_("total"))
    explanation = models.JSONField(_("explanation"), default=dict)

    class Meta:
        ordering = ["unit__path", "person__employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "person"], name="performance_pay_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.total}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.unit.path}
