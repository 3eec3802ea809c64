"""The appraisal part of `youfu demo`: one quarter of 员工绩效考核 for the staff of 城东支行营业部 (the
outlet of the `wangdian` and `yuangong` logins) under R3, closed with its results and one appeal
waiting for the panel, and the next quarter open with `yuangong`'s April plan submitted, ready to fill.

The forms, ratings and ballots of the staff without a login are written as if filled on paper and keyed
in; the results are computed by the real service (cycle_close) from the policy.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.accounts.models import User
from youfu.appraisal import services
from youfu.appraisal.choices import FormStatus, ItemKind, ItemStatus, RaterKind
from youfu.appraisal.models import (
    Adjustment,
    AdjustmentBatch,
    Appeal,
    Cycle,
    FormItem,
    MonthlyForm,
    PeerBallot,
    PeerScore,
    QuarterResult,
    Rating,
    Review,
)
from youfu.facts.demo import demo_year
from youfu.org.models import Period, Unit

STEPS = 3
OUTLET = "110101"  # 城东支行营业部
ROUTINE = [
    "现金收付与柜面业务",
    "日终轧账与凭证整理",
    "客户身份识别与反洗钱登记",
    "厅堂环境与设备巡检",
    "投诉接待与回访",
]
PHASE = ["季度存款营销任务", "手机银行推广", "网点转型培训", "服务礼仪达标检查", "老年客户适老化服务"]


@dataclass(frozen=True)
class AppraisalDemoSummary:
    people: int
    results: int

    def __str__(self) -> str:
        return _(
            "Appraisal: %(people)d people of 城东支行营业部, %(results)d quarter results, one appeal."
        ) % {
            "people": self.people,
            "results": self.results,
        }


def _tenths(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 10, high * 10)) / 10


def demo_appraisal_exists() -> bool:
    return Cycle.objects.exists()


def demo_appraisal_delete() -> None:
    Appeal.objects.all().delete()
    QuarterResult.objects.all().delete()
    PeerScore.objects.all().delete()
    PeerBallot.objects.all().delete()
    Adjustment.objects.all().delete()
    AdjustmentBatch.objects.all().delete()
    Rating.objects.all().delete()
    FormItem.objects.all().delete()
    MonthlyForm.objects.all().delete()
    Review.objects.all().delete()
    Cycle.objects.all().delete()


def demo_appraisal_create(
    *, seed: int, progress: Callable[[str], None] | None = None
) -> AppraisalDemoSummary:
    step = progress or (lambda _label: None)
    rng = random.Random(seed + 6)
    year = demo_year()
    outlet = Unit.objects.get(code=OUTLET)
    office = User.objects.get(username="zhihang1")
    finance = User.objects.get(username="fuwuban")
    head = User.objects.get(username="wangdian")
    panel = User.objects.get(username="kaoping")
    staff = User.objects.get(username="yuangong")
    version = services.reference_policy_version()
    q1 = Period.objects.get(code=f"{year}Q1")
    cycle = services.cycle_create(
        actor=office,
        unit=outlet,
        period=q1,
        policy_version=version,
        finance_rater=finance,
        admin_rater=office,
    )
    step(_("Appraisal forms"))
    reviews = list(Review.objects.filter(cycle=cycle).select_related("person"))
    level = {r.person_id: rng.randint(60, 92) for r in reviews}
    raters = {RaterKind.FINANCE: finance, RaterKind.ADMIN: office, RaterKind.SUPERVISOR: head}
    now = timezone.now()
    for form in MonthlyForm.objects.filter(cycle=cycle).select_related("month"):
        base = level[form.person_id]
        items = [FormItem(form=form, kind=ItemKind.ROUTINE, title=t, status=ItemStatus.DONE) for t in ROUTINE]
        for title in PHASE:
            status = rng.choice([ItemStatus.DONE, ItemStatus.DONE, ItemStatus.IN_PROGRESS])
            reason = "" if status == ItemStatus.DONE else "跨月推进中"
            items.append(FormItem(form=form, kind=ItemKind.PHASE, title=title, status=status, reason=reason))
        if rng.random() < 0.3:
            items.append(
                FormItem(
                    form=form, kind=ItemKind.OTHER, title="领导交办：营销活动布置", status=ItemStatus.DONE
                )
            )
        if rng.random() < 0.15:
            items.append(
                FormItem(
                    form=form,
                    kind=ItemKind.SUGGESTION,
                    title="建议增设叫号提醒",
                    status=ItemStatus.DONE,
                    adopted=True,
                )
            )
        FormItem.objects.bulk_create(items)
        form.status, form.plan_submitted_at, form.submitted_at = FormStatus.SUBMITTED, now, now
        form.save(update_fields=["status", "plan_submitted_at", "submitted_at"])
        self_score = min(_tenths(rng, base - 2, base + 8), Decimal(95))  # some above 90: void
        ratings = [
            Rating(
                form=form,
                kind=RaterKind.SELF,
                score=self_score,
                rater=form.person.user if hasattr(form.person, "user") else office,
            )
        ]
        for kind, user in raters.items():
            ratings.append(
                Rating(
                    form=form, kind=kind, score=min(_tenths(rng, base - 4, base + 4), Decimal(90)), rater=user
                )
            )
        Rating.objects.bulk_create(ratings)
    for r in reviews:
        base = level[r.person_id]
        r.self_score = min(_tenths(rng, base, base + 6), Decimal(100))
        r.panel_score = _tenths(rng, base - 5, base + 3)
        r.panel_rater = panel
        r.save(update_fields=["self_score", "panel_score", "panel_rater"])
    for r in reviews:  # everyone votes for each colleague, anonymously
        colleagues = [c for c in reviews if c.person_id != r.person_id]
        PeerScore.objects.bulk_create(
            PeerScore(
                cycle=cycle,
                ratee_id=c.person_id,
                score=_tenths(rng, level[c.person_id] - 4, level[c.person_id] + 4),
            )
            for c in colleagues
        )
        PeerBallot.objects.create(cycle=cycle, rater=r.person)
    rows = [
        services.AdjustmentRow(
            i + 2,
            r.person.employee_no,
            f"{year}-0{rng.randint(1, 3)}",
            rng.choice([0, 0, 1, 2]),
            rng.randint(0, 2),
            rng.choice([0, 0, 1]),
            rng.choice([0, 0, 0, 1]),
        )
        for i, r in enumerate(reviews)
    ]
    services.adjustments_import(actor=office, cycle=cycle, rows=rows, file_name="考勤与培训.xlsx")
    step(_("Appraisal results"))
    services.cycle_close(actor=office, cycle=cycle)
    own = QuarterResult.objects.filter(cycle=cycle, person=staff.person).first()
    if own is not None:
        services.appeal_raise(
            actor=staff, result=own, reason="三月阶段性工作已完成，请考评小组复核综合评分。"
        )
    q2 = Period.objects.get(code=f"{year}Q2")
    open_cycle = services.cycle_create(
        actor=office,
        unit=outlet,
        period=q2,
        policy_version=version,
        finance_rater=finance,
        admin_rater=office,
    )
    april = MonthlyForm.objects.get(cycle=open_cycle, person=staff.person, month__code=f"{year}-04")
    lines = [services.PlanLine(ItemKind.ROUTINE, t) for t in ROUTINE] + [
        services.PlanLine(ItemKind.PHASE, t) for t in PHASE
    ]
    services.form_plan_save(actor=staff, form=april, lines=lines, submit=True)
    step(_("Next quarter"))
    return AppraisalDemoSummary(
        people=len(reviews), results=QuarterResult.objects.filter(cycle=cycle).count()
    )
