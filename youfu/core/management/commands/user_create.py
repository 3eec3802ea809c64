from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.accounts.services import user_create, user_roles
from youfu.core.errors import ApplicationError
from youfu.org.models import Person, Unit


class Command(BaseCommand):
    help = "Create a login: its unit (the subtree it sees), its roles, optionally its person record."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--unit", metavar="CODE", help="code of the unit the user is in charge of")
        parser.add_argument(
            "--role", action="append", default=[], choices=Role.values, help="a role; repeat for several"
        )
        parser.add_argument("--person", metavar="EMPLOYEE_NO", help="link the login to this person")
        parser.add_argument("--superuser", action="store_true", help="an administrator of the whole bank")
        parser.add_argument("--password", help="the password (asked for when left out and run in a terminal)")
        parser.add_argument("--email", default="")

    def handle(
        self,
        *args: Any,
        username: str,
        unit: str | None,
        role: list[str],
        person: str | None,
        superuser: bool,
        password: str | None,
        email: str,
        **options: Any,
    ) -> None:
        unit_obj = self._unit(unit)
        person_obj = self._person(person)
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            self._same_or_fail(existing, unit_obj, role, person_obj, superuser)
            self.stdout.write(
                _("User %(name)s already exists as asked; nothing changed.") % {"name": username}
            )
            return
        if password is None:
            password = self._ask_password()
        try:
            user_create(
                actor=None,
                username=username,
                password=password,
                unit=unit_obj,
                roles=role,
                person=person_obj,
                email=email,
                is_superuser=superuser,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        scope = unit_obj.name if unit_obj else _("whole bank")
        roles = ", ".join(role) or _("administrator")
        self.stdout.write(
            self.style.SUCCESS(
                _("Created user %(name)s (%(roles)s; %(scope)s).")
                % {"name": username, "roles": roles, "scope": scope}
            )
        )

    def _unit(self, code: str | None) -> Unit | None:
        if not code:
            return None
        try:
            return Unit.objects.get(code=code)
        except Unit.DoesNotExist as exc:
            raise CommandError(_("No unit has the code %(code)s.") % {"code": code}) from exc

    def _person(self, employee_no: str | None) -> Person | None:
        if not employee_no:
            return None
        try:
            return Person.objects.select_related("unit").get(employee_no=employee_no)
        except Person.DoesNotExist as exc:
            raise CommandError(_("No person has the employee number %(no)s.") % {"no": employee_no}) from exc

    def _same_or_fail(
        self, user: User, unit: Unit | None, roles: list[str], person: Person | None, superuser: bool
    ) -> None:
        differences = []
        if user.unit_id != (unit.pk if unit else None):
            differences.append("unit")
        if sorted(user_roles(user)) != sorted(roles):
            differences.append("roles")
        if user.person_id != (person.pk if person else None):
            differences.append("person")
        if user.is_superuser != superuser:
            differences.append("superuser")
        if differences:
            raise CommandError(
                _(
                    "User %(name)s already exists with a different %(what)s; change it on the users page "
                    "instead."
                )
                % {"name": user.username, "what": ", ".join(differences)}
            )

    def _ask_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(_("Give the password with --password (there is no terminal to ask it in)."))
        first = getpass.getpass(_("Password: "))
        if first != getpass.getpass(_("Password (again): ")):
            raise CommandError(_("The two passwords differ."))
        return first
