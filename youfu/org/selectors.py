"""Reads of the org domain. Every selector takes the user and returns only what is in their subtree."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from youfu.accounts.access import restrict, visible_units
from youfu.org.models import Period, Person, PersonMove, Unit


def unit_list(*, user: Any) -> QuerySet[Unit]:
    return visible_units(user).order_by("path")


def unit_get(*, user: Any, pk: int | str) -> Unit:
    """A unit in the user's subtree; 404 (not 403) otherwise, so outsiders learn nothing of it."""
    try:
        return unit_list(user=user).get(pk=pk)
    except (Unit.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def unit_tree(*, user: Any) -> list[Unit]:
    """The visible units in tree order, each annotated with its head count (people directly in it)."""
    return list(unit_list(user=user).annotate(head_count=Count("people", filter=Q(people__is_active=True))))


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
