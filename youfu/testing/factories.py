"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth.models import Group

from youfu.accounts.models import User
from youfu.org.choices import Position, UnitKind
from youfu.org.models import Person, Unit

PASSWORD = "correct-horse-42"  # noqa: S105  (test-only password)


def make_unit(*, parent: Unit | None, code: str, name: str, kind: str, **extra: Any) -> Unit:
    """Units go through treebeard (add_root/add_child) so their paths are right."""
    fields = {"code": code, "name": name, "kind": kind, **extra}
    if parent is None:
        return Unit.objects.add_root(fields)
    return Unit.objects.add_child(Unit.objects.get(pk=parent.pk), fields)


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    employee_no = factory.Sequence(lambda n: f"E{n:06d}")
    name = factory.Sequence(lambda n: f"员工{n}")
    position = Position.TELLER
    hire_date = dt.date(2015, 7, 1)
    birth_date = dt.date(1990, 5, 20)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self: User, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()


__all__ = ["PASSWORD", "PersonFactory", "UnitKind", "UserFactory", "make_unit"]
