"""The performance-pay part of `youfu demo`: the pay pool of the appraisal demo's closed quarter (Q1,
城东支行营业部) with its balances, scores and salaries imported through the real import service, and the
allocation computed from R4. Log in as `zhihang1` (or `fuwuban`) to see the pool, compute it again,
download the payroll sheet with the R3 bonus items of each grade; `yuangong` sees her own line."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from youfu.accounts.models import User
from youfu.appraisal.models import Cycle, Review
from youfu.facts.demo import demo_year
from youfu.performance_pay import services
from youfu.performance_pay.choices import ImportKind
from youfu.performance_pay.imports import Row
from youfu.performance_pay.models import Allocation, AllocationLine, ImportBatch, PersonInput, Pool, Salary

STEPS = 2
OUTLET = "110101"  # 城东支行营业部, the appraisal demo's outlet
POOL_TOTAL = Decimal("186000.00")


@dataclass(frozen=True)
class PayDemoSummary:
    people: int
    total: Decimal

    def __str__(self) -> str:
        return _("Performance pay: a pool of %(total)s yuan for %(people)d people of 城东支行营业部.") % {
            "total": self.total,
            "people": self.people,
        }


def demo_pay_exists() -> bool:
    return Pool.objects.exists()


def demo_pay_delete() -> None:
    AllocationLine.objects.all().delete()
    Allocation.objects.all().delete()
    PersonInput.objects.all().delete()
    Salary.objects.all().delete()
    ImportBatch.objects.all().delete()
    Pool.objects.all().delete()


def _yuan(rng: random.Random, low: int, high: int) -> str:
    return f"{rng.randint(low * 100, high * 100) / 100:.2f}"  # text, never a float into Decimal


def demo_pay_create(*, seed: int, progress: Callable[[str], None] | None = None) -> PayDemoSummary:
    step = progress or (lambda _label: None)
    rng = random.Random(seed + 4)
    year = demo_year()
    office = User.objects.get(username="zhihang1")
    cycle = Cycle.objects.select_related("unit", "period").get(unit__code=OUTLET, period__code=f"{year}Q1")
    people = [
        r.person
        for r in Review.objects.filter(cycle=cycle).select_related("person").order_by("person__employee_no")
    ]
    pool = services.pool_create(
        actor=office,
        unit=cycle.unit,
        period=cycle.period,
        total=POOL_TOTAL,
        comparison=f"{year - 1}Q3（上上季度）",
    )
    balances, salaries = [], []
    # Priced products (cards, POS, e-banking at the branch's prices) come to about 15% of the pool:
    # within the seed's 10–20% whatever the headcount.
    priced = int(POOL_TOTAL * Decimal("0.15")) // max(len(people), 1)
    for i, person in enumerate(people):
        stock = rng.randint(2_000, 18_000) * 1000
        base = stock + rng.randint(-1_500, 1_200) * 1000
        average = base + rng.randint(-800, 2_500) * 1000  # some decreases: excluded from the increment
        balances.append(
            Row(
                row=i + 2,
                values={
                    "employee_no": person.employee_no,
                    "balance_m1": f"{stock - rng.randint(0, 900) * 1000}.00",
                    "balance_m2": f"{stock + rng.randint(-500, 500) * 1000}.00",
                    "balance_m3": f"{stock}.00",
                    "daily_avg": f"{average}.00",
                    "daily_avg_base": f"{base}.00",
                    "payroll_credit": f"{rng.choice([0, 0, 0, 120_000, 260_000])}.00",
                    "priced_amount": _yuan(rng, priced * 7 // 10, priced * 13 // 10),
                    "department_kind": "业务部门",
                    "results_score": rng.randint(70, 98),
                    "duties_score": rng.randint(75, 98),
                    "evaluation_score": rng.randint(78, 98),
                },
            )
        )
        post = rng.randint(9, 15) * 1000
        salaries.append(
            Row(
                row=i + 2,
                values={
                    "employee_no": person.employee_no,
                    "quarter_post_salary": f"{post * 3}.00",
                    "month13_salary": f"{post}.00",
                    "annual_post_salary": f"{post * 12}.00",
                    "performance_pay": f"{rng.randint(12, 20) * 1000}.00",
                },
            )
        )
    services.inputs_import(
        actor=office, pool=pool, kind=ImportKind.BALANCES, rows=balances, file_name="存款余额与测评得分.xlsx"
    )
    services.inputs_import(
        actor=office, pool=pool, kind=ImportKind.SALARIES, rows=salaries, file_name="薪资.xlsx"
    )
    step(_("Pay pool imports"))
    services.pool_compute(actor=office, pool=pool)
    step(_("Pay pool allocation"))
    return PayDemoSummary(people=len(people), total=pool.total)
