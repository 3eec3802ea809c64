"""Registers org models with django-auditlog; each entry also stores the unit path it concerns so the
audit browser can be restricted to the viewer's subtree like every other page."""

from auditlog.registry import auditlog

from youfu.org.models import Period, Person, PersonMove, Unit

auditlog.register(Unit, exclude_fields=["numchild", "depth"])
# "user" is the reverse side of User.person: reading it on every create costs a query and records nothing.
auditlog.register(Person, exclude_fields=["user"])
auditlog.register(PersonMove)
auditlog.register(Period)
