"""The complaints part of `youfu demo`: the last full year of complaints and praise of the demo bank
(the baseline of the complaint rate) and this year's to date, fewer — the rate falls — registered by
the head office's complaint handler `kefu` through the same services as the pages: hotline, letters,
on site, now and then the media; most handled within their SLA, some late and escalated, judged valid or
not by the service office `fuwuban` (a valid one records the quarter's facts), closed and called back.
A few of today's cases stay open, some already late, for the SLA board. Deterministic (seeded random);
runs after inspections, before the facts and scoring parts."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.accounts.models import User
from youfu.complaints import services, sla
from youfu.complaints.choices import Category, Channel, ComplaintKind, Severity, Verdict
from youfu.complaints.models import Complaint
from youfu.facts.demo import demo_year
from youfu.org.choices import Position, UnitKind
from youfu.org.models import Person, Unit

STEPS = 3
HEAD_OFFICE_CODE = "100000"
Progress = Callable[[str], None]

SUMMARIES = {
    Category.ATTITUDE: "柜员态度生硬,不耐烦,未使用服务用语",
    Category.SKILLS: "业务不熟练,办理时间过长且出错",
    Category.WAITING: "排队等候超过40分钟,叫号无人引导",
    Category.FEES: "对短信服务费扣收有异议",
    Category.PRODUCT: "理财产品风险未讲清楚",
    Category.SYSTEM: "ATM吞卡,自助设备故障",
    Category.ENVIRONMENT: "营业厅卫生差,无饮水设施",
}
PRAISE = "客户来信表扬柜员热情耐心,帮助老人办理业务"
CHANNELS = [Channel.HOTLINE_95580] * 6 + [
    Channel.HOTLINE_96086,
    Channel.LETTER,
    Channel.ON_SITE,
    Channel.ONLINE,
]


@dataclass(frozen=True)
class ComplaintsDemoSummary:
    year: int
    complaints: int
    praise: int
    valid: int
    open: int

    def __str__(self) -> str:
        return (
            _(
                "Complaints %(year)s and this year: %(complaints)d complaints (%(valid)d valid), %(praise)d "
                "praise, %(open)d open."
            )
            % self.__dict__
        )


def demo_complaints_exists() -> bool:
    head = Unit.objects.filter(code=HEAD_OFFICE_CODE).first()
    return head is not None and Complaint.objects.filter(unit__path__startswith=head.path).exists()


def demo_complaints_delete() -> int:
    head = Unit.objects.filter(code=HEAD_OFFICE_CODE).first()
    if head is None:
        return 0
    rows = Complaint.objects.filter(unit__path__startswith=head.path)
    count = rows.count()
    with disable_auditlog():
        rows.delete()
    return count


def _working_moment(rng: random.Random, day: dt.date) -> dt.datetime:
    clock = sla.Clock()
    while not clock.working(day):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(
        day, dt.time(rng.randint(9, 15), rng.choice((0, 15, 30, 45))), tzinfo=sla.SHANGHAI
    )


def _handle(rng: random.Random, c: Complaint, handler: User, judge: User, *, late: bool) -> bool:
    clock = sla.Clock()
    start = c.received_at
    services.complaint_acknowledge(actor=handler, complaint=c, now=clock.add(start, 1800))
    if late:
        services.complaints_escalate_due(now=clock.add(c.resolve_due, 5 * sla.HOUR))
    done = clock.add(c.resolve_due, 6 * sla.HOUR) if late else clock.add(start, rng.randint(2, 30) * sla.HOUR)
    services.complaint_resolve(
        actor=handler, complaint=c, resolution="已联系客户致歉并说明处理结果", now=done
    )
    valid = c.kind == ComplaintKind.PRAISE or rng.random() < 0.45
    services.complaint_judge(
        actor=judge,
        complaint=c,
        verdict=Verdict.VALID if valid else Verdict.INVALID,
        reason="调阅录像、询问当事人,情况属实" if valid else "经调阅录像,柜员操作符合规范,客户诉求不合理",
        evidence="监控录像、业务流水",
    )
    closed = clock.add(done, sla.HOUR)
    services.complaint_close(actor=handler, complaint=c, now=closed)
    services.complaint_callback(
        actor=handler,
        complaint=c,
        result=rng.choice(["satisfied", "satisfied", "satisfied", "neutral", "dissatisfied", "unreachable"]),
        now=clock.add(closed, 12 * sla.HOUR),
    )
    return valid


def demo_complaints_create(*, seed: int = 2026, progress: Progress | None = None) -> ComplaintsDemoSummary:
    rng = random.Random(seed + 5)
    handler = User.objects.get(username="kefu")
    judge = User.objects.get(username="fuwuban")
    head = Unit.objects.get(code=HEAD_OFFICE_CODE)
    outlets = list(Unit.objects.filter(path__startswith=head.path, kind=UnitKind.OUTLET).order_by("path"))
    people: dict[int, list[Person]] = {}
    for person in Person.objects.filter(unit__in=outlets, is_active=True).exclude(
        position=Position.OUTLET_HEAD
    ):
        people.setdefault(person.unit_id, []).append(person)
    year = demo_year()
    today = timezone.localdate()
    counts = {"complaints": 0, "praise": 0, "valid": 0, "open": 0}
    plan = [(year, 3 * len(outlets)), (year + 1, int(1.6 * len(outlets) * (today.timetuple().tm_yday / 366)))]
    for y, n in plan:
        if progress:
            progress(_("Complaints %(year)s") % {"year": y})
        last = dt.date(y, 12, 31) if y < today.year else today - dt.timedelta(days=3)
        for i in range(n):
            day = dt.date(y, 1, 1) + dt.timedelta(days=rng.randint(0, (last - dt.date(y, 1, 1)).days))
            received = _working_moment(rng, day)
            if received.date() > last:
                continue
            outlet = rng.choice(outlets)
            praise = rng.random() < 0.18
            category = Category.SKILLS if praise else rng.choice(list(SUMMARIES))
            channel = Channel.LETTER if praise else rng.choice(CHANNELS)
            if not praise and rng.random() < 0.02:
                channel = Channel.MEDIA
            staff = people.get(outlet.pk, [])
            c = services.complaint_register(
                actor=handler,
                kind=ComplaintKind.PRAISE if praise else ComplaintKind.COMPLAINT,
                channel=channel,
                unit=outlet,
                category=category,
                severity=rng.choice([Severity.LOW] * 5 + [Severity.MEDIUM] * 2 + [Severity.HIGH]),
                summary=PRAISE if praise else SUMMARIES[category],
                received_at=received,
                customer_name=rng.choice("赵钱孙李周吴郑王") + rng.choice(["先生", "女士"]),
                customer_phone=f"13{rng.randint(100000000, 999999999)}",
                people=[rng.choice(staff)]
                if staff and category in (Category.ATTITUDE, Category.SKILLS)
                else [],
                source_ref=f"{channel}-{y}-{i:04d}",
                now=received,
            )
            counts["praise" if praise else "complaints"] += 1
            if _handle(rng, c, handler, judge, late=rng.random() < 0.1) and not praise:
                counts["valid"] += 1
    if progress:
        progress(_("Open complaints"))
    now = timezone.now()
    for i, hours_ago in enumerate((1, 3, 6, 12, 20)):
        received = now - dt.timedelta(hours=hours_ago)
        outlet = rng.choice(outlets)
        c = services.complaint_register(
            actor=handler,
            kind=ComplaintKind.COMPLAINT,
            channel=Channel.HOTLINE_95580,
            unit=outlet,
            category=rng.choice(list(SUMMARIES)),
            severity=Severity.HIGH if i % 2 else Severity.LOW,
            summary=SUMMARIES[Category.WAITING],
            customer_name="客户",
            customer_phone=f"139{rng.randint(10000000, 99999999)}",
            received_at=received,
            source_ref=f"open-{now:%Y%m%d}-{i}",
            now=now,
        )
        if i == 0:
            services.complaint_acknowledge(actor=handler, complaint=c, now=now)
        counts["open"] += 1
    services.complaints_escalate_due(now=now)

    return ComplaintsDemoSummary(year=year, **counts)
