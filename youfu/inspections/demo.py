"""The inspections part of `youfu demo`: a year (the last full one) of checks of every outlet of the demo
bank against the shipped mystery-shopper standard — one mystery-shopper visit per outlet and quarter,
same-day video reviews of some of them (a fault seen on both channels is one finding), a few on-site
checks — each filled by the inspector `jiancha`, approved and published by the service office
`fuwuban`, with findings attributed to the outlet's people, habits that repeat, a couple of appeals
(one upheld, one reversed and corrected), and all of it final, its facts recorded per quarter.

Then the branch office's plan for the year's fourth quarter (every outlet once, on site, 60 % of the
visits by mystery shopper, drawn with a fixed seed, 15 days' grace) against those checks: the mystery
shoppers' visits are done, most on-site visits missed, and two catch-up on-site checks in the first days
of January are late (published, left for `youfu inspections finalize`; one has a photo taken the day
before, flagged). Every outlet gets a location (OutletLocation) for the photo distance check.

Deterministic (seeded random); runs after the standards part and before the facts and scoring parts.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from auditlog.context import disable_auditlog
from django.db import transaction
from django.utils.translation import gettext as _

from youfu.accounts.models import User
from youfu.facts.demo import demo_year
from youfu.inspections import services
from youfu.inspections.models import Appeal, Evidence, Inspection, InspectionPlan, OutletLocation
from youfu.org.choices import Position, UnitKind
from youfu.org.models import Person, Unit
from youfu.standards.choices import VersionStatus
from youfu.standards.models import StandardVersion

STEPS = 3
HEAD_OFFICE_CODE = "100000"
STANDARD_CODE = "MS-OUTLET"
WEAK_OUTLETS = 5
# Which people a finding in a section is put on: 大堂经理 (E), 柜员 (F), 保安 (G).
SECTION_PEOPLE = {"E": Position.LOBBY_MANAGER, "F": Position.TELLER, "G": Position.SECURITY_GUARD}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class InspectionsDemoSummary:
    year: int
    inspections: int
    findings: int
    repeats: int
    duplicates: int
    appeals: int
    plan_done: int = 0
    plan_late: int = 0
    plan_missed: int = 0

    def __str__(self) -> str:
        text = (
            _(
                "Inspections %(year)s: %(inspections)d checks, %(findings)d findings (%(repeats)d repeats, "
                "%(duplicates)d seen on two channels), %(appeals)d appeals."
            )
            % self.__dict__
        )
        if self.plan_done or self.plan_late or self.plan_missed:
            text += " " + (
                _(
                    "Fourth-quarter plan: %(plan_done)d visits done, %(plan_late)d late, "
                    "%(plan_missed)d missed."
                )
                % self.__dict__
            )
        return text


def _demo_units() -> list[Unit]:
    head = Unit.objects.filter(code=HEAD_OFFICE_CODE).first()
    if head is None:
        return []
    return list(Unit.objects.filter(path__startswith=head.path, kind=UnitKind.OUTLET).order_by("code"))


def demo_inspections_exists() -> bool:
    head = Unit.objects.filter(code=HEAD_OFFICE_CODE).first()
    return head is not None and Inspection.objects.filter(unit__path__startswith=head.path).exists()


def _photo(taken: dt.datetime, seed: int) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (160, 120), (40 + seed * 37 % 180, 90, 140))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=70)
    return buffer.getvalue()


class _Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name, self.size = name, len(data)


@transaction.atomic
def demo_inspections_create(*, seed: int = 2026, progress: Progress | None = None) -> InspectionsDemoSummary:
    # Demo data are not changes anyone made: no audit entries (as the org demo); the checks' own
    # workflow events are still written.
    with disable_auditlog():
        return _create(seed=seed, progress=progress)


def _create(*, seed: int, progress: Progress | None) -> InspectionsDemoSummary:
    step = progress or (lambda _label: None)
    rng = random.Random(seed * 11 + 5)
    year = demo_year()
    inspector = User.objects.filter(username="jiancha").first()
    office = User.objects.filter(username="fuwuban").first()
    reviewer2 = User.objects.filter(username="zhihang1").first()
    outlet_head = User.objects.filter(username="wangdian").first()
    version = (
        StandardVersion.objects.filter(standard__code=STANDARD_CODE, status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )
    outlets = _demo_units()
    step(_("Inspections: a year of checks"))
    if inspector is None or office is None or version is None or not outlets:
        step(_("Inspections: appeals"))
        return InspectionsDemoSummary(year, 0, 0, 0, 0, 0)
    items = list(version.items.select_related("section").order_by("section__order", "order"))
    weak = set(rng.sample(range(len(outlets)), min(WEAK_OUTLETS, len(outlets))))
    # Each outlet has two habits: items it keeps failing (the repeats the seeds double).
    habits = {o.pk: rng.sample([i for i in items if i.kind == "deduction"], 2) for o in outlets}
    staff = {
        o.pk: {
            pos: list(Person.objects.filter(unit=o, position=pos, is_active=True).order_by("employee_no"))
            for pos in SECTION_PEOPLE.values()
        }
        for o in outlets
    }
    plans: list[tuple[dt.date, Unit, str, dt.time, int]] = []
    for quarter in range(4):
        first = dt.date(year, 3 * quarter + 1, 1)
        for index, outlet in enumerate(outlets):
            day = first + dt.timedelta(days=rng.randint(5, 80))
            hour = rng.choice((9, 10, 11, 14, 15, 16))
            plans.append((day, outlet, "mystery_shopper", dt.time(hour, rng.choice((0, 15, 30))), index))
            if rng.random() < 0.25:  # a video review of the same day and hour
                plans.append((day, outlet, "video", dt.time(hour, 0), index))
            elif rng.random() < 0.1:
                plans.append(
                    (day + dt.timedelta(days=rng.randint(1, 6)), outlet, "on_site", dt.time(10, 0), index)
                )
    plans.sort(key=lambda p: (p[0], p[1].code, p[2]))
    seen_on_shopper: dict[tuple[int, dt.date], list[str]] = {}
    made: list[Inspection] = []
    for number, (day, outlet, kind, start, index) in enumerate(plans):
        is_weak = index in weak
        fail_rate = 0.16 if is_weak else 0.05
        values: dict[str, Any] = {}
        for item in items:
            habit = item in habits[outlet.pk]
            failed = rng.random() < (0.55 if habit else fail_rate)
            if kind == "video" and item.section.code in ("A", "D"):
                failed = False  # a camera sees the hall, not the street outside
            if item.kind == "pass_fail":
                values[item.code] = (
                    "fail" if failed else ("na" if item.na_allowed and rng.random() < 0.1 else "pass")
                )
            else:
                values[item.code] = min(item.max_occurrences or 1, 1 + (rng.random() < 0.2)) if failed else 0
        if kind == "video":
            # The camera confirms one of the shopper's faults of that morning: one fault, two channels.
            earlier = seen_on_shopper.get((outlet.pk, day), [])
            if earlier:
                values[earlier[0]] = 1 if values.get(earlier[0]) == 0 else values[earlier[0]]
        end = (dt.datetime.combine(day, start) + dt.timedelta(minutes=40)).time()
        inspection = services.inspection_create(
            actor=inspector,
            kind=kind,
            unit=outlet,
            date=day,
            version_id=version.pk,
            visit_start=start,
            visit_end=end,
            notes="" if kind != "video" else _("Recording of the hall camera reviewed."),
            today=dt.date(year + 1, 12, 31),
        )
        services.inspection_record_results(actor=inspector, inspection=inspection, values=values)
        for finding in inspection.findings.select_related("item__section"):
            position = SECTION_PEOPLE.get(finding.item.section.code)
            people = staff[outlet.pk].get(position, []) if position else []
            if people:
                services.finding_attribute(actor=inspector, finding=finding, people=[rng.choice(people)])
        if kind == "mystery_shopper":
            seen_on_shopper[(outlet.pk, day)] = [
                f.item.code for f in inspection.findings.select_related("item") if f.item.kind == "deduction"
            ]
            if number % 9 == 0:
                taken = dt.datetime.combine(day, start) + dt.timedelta(minutes=5)
                services.evidence_attach_photo(
                    actor=inspector,
                    inspection=inspection,
                    file=_Upload(_photo(taken, number), f"IMG_{number:04d}.jpg"),
                    finding=inspection.findings.first(),
                )
        services.inspection_submit(actor=inspector, inspection=inspection)
        services.inspection_approve(actor=office, inspection=inspection)
        services.inspection_publish(actor=office, inspection=inspection, today=day)
        made.append(inspection)
    step(_("Inspections: appeals"))
    appeals = _demo_appeals(made, outlet_head, office, reviewer2, year)
    services.inspections_finalize_due(today=dt.date(year + 1, 1, 31))
    step(_("Inspections: the fourth-quarter plan"))
    coverage = _demo_plan(year, outlets, inspector, office, version, seed)
    ids = [i.pk for i in made]
    from youfu.inspections.models import Finding

    findings = Finding.objects.filter(inspection__in=ids)
    return InspectionsDemoSummary(
        year=year,
        inspections=Inspection.objects.filter(unit__in=outlets).count(),
        findings=findings.count(),
        repeats=findings.filter(is_repeat=True).count(),
        duplicates=findings.filter(duplicate_of__isnull=False).count(),
        appeals=appeals,
        plan_done=coverage[0],
        plan_late=coverage[1],
        plan_missed=coverage[2],
    )


def _demo_appeals(made: list[Inspection], outlet_head: Any, office: Any, second: Any, year: int) -> int:
    """The outlet head of 110101 appeals two findings of the last checks of the year: one upheld, one
    reversed (its correction approved by the 城东支行 office, published, then final)."""
    if outlet_head is None or outlet_head.unit is None:
        return 0
    mine = [i for i in made if i.unit_id == outlet_head.unit_id and i.kind == "mystery_shopper"]
    target = next((i for i in reversed(mine) if i.findings.count() >= 2), None)
    if target is None:
        return 0
    first, second_finding = list(target.findings.order_by("id")[:2])
    day = target.date + dt.timedelta(days=2)
    upheld = services.appeal_raise(
        actor=outlet_head,
        finding=first,
        reason=_("The customer was served by a trainee; please reconsider."),
        today=day,
    )
    reversed_appeal = None
    if second is not None:  # raised together: deciding every appeal makes the check final
        reversed_appeal = services.appeal_raise(
            actor=outlet_head,
            finding=second_finding,
            reason=_("The fault was fixed before the visit."),
            today=day,
        )
    services.appeal_decide(
        actor=office, appeal=upheld, reverse=False, note=_("The recording confirms the finding."), today=day
    )
    count = 1
    if reversed_appeal is not None:
        decided = services.appeal_decide(
            actor=office,
            appeal=reversed_appeal,
            reverse=True,
            note=_("Photos of the repair accepted."),
            today=day,
        )
        if decided.correction is not None:
            services.inspection_approve(actor=second, inspection=decided.correction)
            services.inspection_publish(actor=second, inspection=decided.correction, today=day)
        count += 1
    return count


# Where the demo outlets are: around 江州's centre, one outlet every few hundred metres.
DEMO_CENTRE = (Decimal("30.274100"), Decimal("120.155100"))


def _demo_plan(
    year: int, outlets: list[Unit], inspector: Any, office: Any, version: StandardVersion, seed: int
) -> tuple[int, int, int]:
    """The 4th-quarter plan, two late catch-up checks, outlet locations; (done, late, missed)."""
    from youfu.inspections import selectors
    from youfu.org.choices import PeriodKind
    from youfu.org.models import Period

    period = Period.objects.filter(kind=PeriodKind.QUARTER, start=dt.date(year, 10, 1)).first()
    if period is None or office.unit is None:
        return (0, 0, 0)
    for index, outlet in enumerate(outlets):
        services.outlet_location_set(
            actor=office,
            unit=outlet,
            latitude=DEMO_CENTRE[0] + Decimal(index % 7) * Decimal("0.004"),
            longitude=DEMO_CENTRE[1] + Decimal(index // 7) * Decimal("0.005"),
        )
    plan = services.plan_create(
        actor=office,
        name=_("%(year)s Q4 outlet checks") % {"year": year},
        period=period,
        scope=office.unit,
        kind="on_site",
        visits_per_outlet=1,
        mystery_share=60,
        sampling="random",
        seed=seed * 13 + 4,
        grace_days=15,
        notes=_("Every outlet once a quarter, six visits in ten by mystery shopper (工作计划 篇5)."),
    )
    today = dt.date(year + 1, 1, 31)
    missed = [
        r.visit
        for r in selectors.plan_rows(user=office, plan=plan, today=today)
        if r.status == "missed" and r.visit.kind == "on_site"
    ]
    for number, visit in enumerate(missed[:2]):
        day = dt.date(year + 1, 1, 6 + 3 * number)
        check = services.inspection_create(
            actor=inspector,
            kind="on_site",
            unit=visit.outlet,
            date=day,
            version_id=version.pk,
            visit_start=dt.time(10, 0),
            visit_end=dt.time(10, 40),
            notes=_("Catch-up check of the fourth-quarter plan."),
            today=day,
        )
        items = version.items.all()
        services.inspection_record_results(
            actor=inspector,
            inspection=check,
            values={
                i.code: ("pass" if i.kind == "pass_fail" else 0) for i in items if i.kind != "score_out_of_n"
            }
            | {i.code: i.n for i in items if i.kind == "score_out_of_n"},
        )
        if number == 1:  # a photo taken the day before the check: flagged on the plan
            taken = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(16, 20))
            services.evidence_attach_photo(
                actor=inspector, inspection=check, file=_Upload(_photo(taken, 7), "IMG_CATCHUP.jpg")
            )
        services.inspection_submit(actor=inspector, inspection=check)
        services.inspection_approve(actor=office, inspection=check)
        services.inspection_publish(actor=office, inspection=check, today=day)
    total, _groups = selectors.plan_coverage(selectors.plan_rows(user=office, plan=plan, today=today))
    return (total.done, total.late, total.missed)


@transaction.atomic
def demo_inspections_delete() -> int:
    head = Unit.objects.filter(code=HEAD_OFFICE_CODE).first()
    if head is None:
        return 0
    inspections = Inspection.objects.filter(unit__path__startswith=head.path)
    count = inspections.count()
    with disable_auditlog():
        InspectionPlan.objects.filter(scope__path__startswith=head.path).delete()
        OutletLocation.objects.filter(unit__path__startswith=head.path).delete()
    Appeal.objects.filter(inspection__in=inspections).delete()
    for evidence in Evidence.objects.filter(inspection__in=inspections).exclude(file=""):
        name = evidence.file.name
        if name and not Evidence.objects.filter(file=name).exclude(pk=evidence.pk).exists():
            evidence.file.storage.delete(name)
        evidence.file = ""
    with disable_auditlog():
        inspections.update(corrects=None)
        inspections.delete()
    return count
