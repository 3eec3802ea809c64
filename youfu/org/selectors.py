"""Reads of the org domain. Every selector takes the user and returns only what is in their subtree."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from youfu.accounts.access import restrict, visible_units
from youfu.org.choices import PeriodKind
from youfu.org.models import Period, Person, PersonMove, Unit


def unit_list(*, user: Any) -> QuerySet[Unit]:
    return visible_units(user).order_by("path")


def unit_get(*, user: Any, pk: int | str) -> Unit:
    """A unit in the user's subtree; 404 (not 403) otherwise, so outsiders learn nothing of it."""
    try:
        return unit_list(user=user).get(pk=pk)
    except (Unit.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def unit_tree(*, user: Any) -> QuerySet[Unit]:
    """The visible units in tree order, each annotated with its head count (active people directly in
    it). A queryset, so callers page it in the database rather than loading a national tree."""
    return unit_list(user=user).annotate(head_count=Count("people", filter=Q(people__is_active=True)))


def unit_subtree_people(*, user: Any, unit: Unit) -> QuerySet[Person]:
    return restrict(Person.objects.filter(unit__path__startswith=unit.path), user).select_related("unit")


def person_list(*, user: Any) -> QuerySet[Person]:
    return restrict(Person.objects.all(), user).select_related("unit").order_by("employee_no")


def person_get(*, user: Any, pk: int | str) -> Person:
    try:
        return person_list(user=user).get(pk=pk)
    except (Person.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def person_moves(*, user: Any, person: Person) -> QuerySet[PersonMove]:
    """A person's history of moves (the person is already known to be visible)."""
    return person.moves.select_related("from_unit", "to_unit", "created_by").order_by(
        "-effective_date", "-id"
    )


def period_list() -> QuerySet[Period]:
    """Periods are bank-wide and visible to every signed-in user."""
    return Period.objects.all()


def period_years() -> list[int]:
    """The years touched by any period, latest first (the year choices of the periods page)."""
    years = {d.year for d in Period.objects.dates("start", "year")}
    years |= {d.year for d in Period.objects.dates("end", "year")}
    # Standard periods lie within one year; a custom window may span several (there are few of them).
    for start, end in Period.objects.filter(kind=PeriodKind.CUSTOM).values_list("start", "end"):
        years.update(range(start.year, end.year + 1))
    return sorted(years, reverse=True)


# --- Read models of the web pages (tree levels, breadcrumbs, dashboard counts). ---------------------
# The org tree of a national bank has ~30,000 units and 400,000 people: pages read one level at a
# time and count people with one grouped query per level, never the whole tree.


def _annotate_head_counts(*, user: Any, units: list[Unit]) -> list[Unit]:
    """Set `head_count` (active people directly in the unit) and `subtree_count` (the unit and below)
    on units that all sit at the same depth, with two grouped queries."""
    if not units:
        return units
    prefix_len = len(units[0].path)
    people = restrict(Person.objects.filter(is_active=True), user)
    direct = dict(
        people.filter(unit__in=units)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    common = _common_prefix([u.path for u in units])
    subtree = dict(
        people.filter(unit__path__startswith=common)
        .annotate(prefix=Substr("unit__path", 1, prefix_len))
        .order_by()
        .values("prefix")
        .annotate(n=Count("id"))
        .values_list("prefix", "n")
    )
    for unit in units:
        unit.head_count = direct.get(unit.pk, 0)
        unit.subtree_count = subtree.get(unit.path, 0)
    return units


def _common_prefix(paths: list[str]) -> str:
    first, last = min(paths), max(paths)
    size = 0
    while size < len(first) and first[size] == last[size]:
        size += 1
    return first[:size]


def unit_roots(*, user: Any) -> list[Unit]:
    """The top of the user's visible tree: their own unit, or the root units for an administrator."""
    units = unit_list(user=user)
    top = units.order_by("depth").values_list("depth", flat=True).first()
    if top is None:
        return []
    return _annotate_head_counts(user=user, units=list(units.filter(depth=top)))


def unit_children(*, user: Any, unit: Unit) -> list[Unit]:
    """The visible children of a visible unit, with head counts."""
    children = unit_list(user=user).filter(path__startswith=unit.path, depth=unit.depth + 1)
    return _annotate_head_counts(user=user, units=list(children))


def unit_ancestors(*, user: Any, unit: Unit) -> list[Unit]:
    """The unit's parents from the top down, only those inside the user's subtree (breadcrumbs)."""
    steplen = Unit.steplen
    prefixes = [unit.path[:end] for end in range(steplen, len(unit.path), steplen)]
    return list(unit_list(user=user).filter(path__in=prefixes))


def unit_counts_by_kind(*, user: Any) -> dict[str, int]:
    rows = unit_list(user=user).order_by().values("kind").annotate(n=Count("id"))
    return dict(rows.values_list("kind", "n"))


def person_counts_by_position(*, user: Any) -> dict[str, int]:
    rows = person_list(user=user).filter(is_active=True).order_by().values("position").annotate(n=Count("id"))
    return dict(rows.values_list("position", "n"))
