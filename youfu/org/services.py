"""Writes of the org domain. Every service is keyword-only, atomic, checks the actor's role and subtree,
and raises ApplicationError (nothing written) on bad input."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from youfu.accounts.access import require_perm, require_unit_in_scope
from youfu.core.audit import acting_as
from youfu.core.errors import ApplicationError
from youfu.org.choices import UNIT_KIND_RANK, PeriodKind, Position, UnitKind
from youfu.org.models import Period, Person, PersonMove, Unit

UNIT_EDITABLE_FIELDS = ("name", "region", "province", "address", "is_active")
PERSON_EDITABLE_FIELDS = (
    "name",
    "position",
    "gender",
    "hire_date",
    "birth_date",
    "teller_grade",
    "phone",
    "is_active",
)


def validate_unit_placement(*, parent: Unit | None, kind: str) -> None:
    """A child ranks below its parent (head office → branch → sub-branch → outlet); a team or
    department may sit under any unit. Only a head office stands at the root."""
    if parent is None:
        if kind != UnitKind.HEAD_OFFICE:
            raise ApplicationError(
                _("Only a head office can be at the top of the tree; give a parent unit."), field="parent"
            )
        return
    if kind == UnitKind.HEAD_OFFICE:
        raise ApplicationError(_("A head office cannot be placed under another unit."), field="kind")
    if (
        kind != UnitKind.DEPARTMENT
        and UNIT_KIND_RANK[UnitKind(kind)] <= UNIT_KIND_RANK[UnitKind(parent.kind)]
    ):
        raise ApplicationError(
            _("A %(kind)s cannot be placed under %(parent)s, which is a %(parent_kind)s.")
            % {
                "kind": UnitKind(kind).label,
                "parent": parent.name,
                "parent_kind": UnitKind(parent.kind).label,
            },
            field="kind",
        )


def _validate_person_fields(data: dict[str, Any]) -> None:
    grade = data.get("teller_grade")
    if grade is not None and not 1 <= int(grade) <= 6:
        raise ApplicationError(_("Teller grade must be between 1 and 6."), field="teller_grade")
    hire, birth = data.get("hire_date"), data.get("birth_date")
    if hire and birth and hire <= birth:
        raise ApplicationError(_("Hire date must be after the birth date."), field="hire_date")
    if "position" in data and data["position"] not in Position.values:
        raise ApplicationError(
            _("Unknown position %(value)s.") % {"value": data["position"]}, field="position"
        )


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    parent: Unit | None,
    code: str,
    name: str,
    kind: str,
    region: str = "",
    province: str = "",
    address: str = "",
) -> Unit:
    require_perm(actor, "org.add_unit")
    if parent is None:
        if not actor.is_superuser:
            raise ApplicationError(_("Only an administrator can create a top-level unit."), field="parent")
    else:
        require_unit_in_scope(actor, parent, field="parent")
    validate_unit_placement(parent=parent, kind=kind)
    if Unit.objects.filter(code=code).exists():
        raise ApplicationError(_("Unit code %(code)s is already used.") % {"code": code}, field="code")
    fields = {
        "code": code,
        "name": name,
        "kind": kind,
        "region": region,
        "province": province,
        "address": address,
    }
    with acting_as(actor):
        if parent is None:
            return Unit.objects.add_root(fields)
        # treebeard's add_child works on a fresh parent row (numchild/path may have moved).
        return Unit.objects.add_child(Unit.objects.get(pk=parent.pk), fields)


@transaction.atomic
def unit_update(*, actor: Any, unit: Unit, data: dict[str, Any]) -> Unit:
    require_perm(actor, "org.change_unit")
    require_unit_in_scope(actor, unit)
    unknown = set(data) - set(UNIT_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    changed = [f for f, v in data.items() if getattr(unit, f) != v]
    if not changed:
        return unit
    for field_name in changed:
        setattr(unit, field_name, data[field_name])
    with acting_as(actor):
        unit.save(update_fields=changed)
    return unit


@transaction.atomic
def person_create(
    *,
    actor: Any,
    employee_no: str,
    name: str,
    unit: Unit,
    position: str,
    gender: str = "",
    hire_date: dt.date | None = None,
    birth_date: dt.date | None = None,
    teller_grade: int | None = None,
    phone: str = "",
) -> Person:
    require_perm(actor, "org.add_person")
    require_unit_in_scope(actor, unit, field="unit")
    data = {
        "employee_no": employee_no,
        "name": name,
        "unit": unit,
        "position": position,
        "gender": gender,
        "hire_date": hire_date,
        "birth_date": birth_date,
        "teller_grade": teller_grade,
        "phone": phone,
    }
    _validate_person_fields(data)
    if Person.objects.filter(employee_no=employee_no).exists():
        raise ApplicationError(
            _("Employee number %(no)s is already used.") % {"no": employee_no}, field="employee_no"
        )
    with acting_as(actor):
        try:
            with transaction.atomic():
                person = Person.objects.create(**data)
        except IntegrityError as exc:  # a concurrent create of the same number
            raise ApplicationError(
                _("Employee number %(no)s is already used.") % {"no": employee_no}, field="employee_no"
            ) from exc
        PersonMove.objects.create(
            person=person,
            from_unit=None,
            to_unit=unit,
            to_position=position,
            effective_date=hire_date or dt.date.today(),
            reason=_("Joined"),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, data: dict[str, Any]) -> Person:
    """Change a person's details. Moving to another unit is person_move, which keeps the history."""
    require_perm(actor, "org.change_person")
    require_unit_in_scope(actor, person.unit)
    unknown = set(data) - set(PERSON_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    person = Person.objects.select_for_update().get(pk=person.pk)
    merged = {f: getattr(person, f) for f in PERSON_EDITABLE_FIELDS} | data
    _validate_person_fields(merged)
    changed = [f for f, v in data.items() if getattr(person, f) != v]
    if not changed:
        return person
    for field_name in changed:
        setattr(person, field_name, data[field_name])
    with acting_as(actor):
        person.save(update_fields=changed)
    return person


@transaction.atomic
def person_move(
    *,
    actor: Any,
    person: Person,
    to_unit: Unit,
    effective_date: dt.date,
    reason: str = "",
    to_position: str | None = None,
) -> PersonMove:
    """Move a person to another unit (and optionally position). Both ends must be in the actor's subtree."""
    require_perm(actor, "org.add_personmove")
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    require_unit_in_scope(actor, person.unit, field="person")
    require_unit_in_scope(actor, to_unit, field="to_unit")
    new_position = to_position or person.position
    if to_unit.pk == person.unit_id and new_position == person.position:
        raise ApplicationError(
            _("%(person)s is already in %(unit)s.") % {"person": person.name, "unit": to_unit.name},
            field="to_unit",
        )
    if new_position not in Position.values:
        raise ApplicationError(
            _("Unknown position %(value)s.") % {"value": new_position}, field="to_position"
        )
    last = person.moves.order_by("-effective_date", "-id").first()
    if last is not None and effective_date < last.effective_date:
        raise ApplicationError(
            _("The move cannot take effect before the previous one (%(date)s).")
            % {"date": last.effective_date},
            field="effective_date",
        )
    with acting_as(actor):
        move = PersonMove.objects.create(
            person=person,
            from_unit=person.unit,
            to_unit=to_unit,
            from_position=person.position,
            to_position=new_position,
            effective_date=effective_date,
            reason=reason,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        person.unit = to_unit
        person.position = new_position
        person.save(update_fields=["unit", "position"])
    return move


def _standard_period(kind: str, year: int, number: int) -> tuple[str, str, dt.date, dt.date]:
    if kind == PeriodKind.MONTH:
        last = calendar.monthrange(year, number)[1]
        return (
            f"{year}-{number:02d}",
            f"{year}年{number}月",
            dt.date(year, number, 1),
            dt.date(year, number, last),
        )
    if kind == PeriodKind.QUARTER:
        first = 3 * (number - 1) + 1
        last_month = first + 2
        end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
        return f"{year}Q{number}", f"{year}年第{number}季度", dt.date(year, first, 1), end
    if kind == PeriodKind.HALF:
        if number == 1:
            return f"{year}H1", f"{year}年上半年", dt.date(year, 1, 1), dt.date(year, 6, 30)
        return f"{year}H2", f"{year}年下半年", dt.date(year, 7, 1), dt.date(year, 12, 31)
    return f"{year}", f"{year}年", dt.date(year, 1, 1), dt.date(year, 12, 31)


@transaction.atomic
def period_ensure_year(*, actor: Any, year: int) -> list[Period]:
    """Create (idempotently) the year's 12 months, 4 quarters, 2 halves and the year itself."""
    require_perm(actor, "org.add_period")
    if not 2000 <= year <= 2100:
        raise ApplicationError(_("Year %(year)s is out of range.") % {"year": year}, field="year")
    wanted = (
        [(PeriodKind.MONTH, m) for m in range(1, 13)]
        + [(PeriodKind.QUARTER, q) for q in range(1, 5)]
        + [(PeriodKind.HALF, h) for h in (1, 2)]
        + [(PeriodKind.YEAR, 1)]
    )
    periods = []
    with acting_as(actor):
        for kind, number in wanted:
            code, name, start, end = _standard_period(kind, year, number)
            period, _created = Period.objects.get_or_create(
                code=code, defaults={"name": name, "kind": kind, "start": start, "end": end}
            )
            periods.append(period)
    return periods


@transaction.atomic
def period_create(*, actor: Any, code: str, name: str, start: dt.date, end: dt.date) -> Period:
    """A custom window (e.g. a 100-day competition)."""
    require_perm(actor, "org.add_period")
    if end < start:
        raise ApplicationError(_("The end date is before the start date."), field="end")
    if Period.objects.filter(code=code).exists():
        raise ApplicationError(_("Period code %(code)s is already used.") % {"code": code}, field="code")
    same = Period.objects.filter(kind=PeriodKind.CUSTOM, start=start, end=end).first()
    if same is not None:
        # A window is a window: two competitions over the same days share one period.
        raise ApplicationError(
            _("Custom period %(code)s (%(name)s) already covers %(start)s to %(end)s; use it instead.")
            % {"code": same.code, "name": same.name, "start": start, "end": end},
            field="start",
        )
    with acting_as(actor):
        return Period.objects.create(code=code, name=name, kind=PeriodKind.CUSTOM, start=start, end=end)
