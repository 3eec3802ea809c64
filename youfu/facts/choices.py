from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    """Who a fact is about: a unit (an outlet, a department …) or a person."""

    UNIT = "unit", _("Unit")
    PERSON = "person", _("Person")


class ValueType(models.TextChoices):
    """The types of a policy input (youfu/policies README, "inputs")."""

    NUMBER = "number", _("Number")
    BOOL = "bool", _("Yes/no")
    TEXT = "text", _("Text")


class BatchSource(models.TextChoices):
    IMPORT = "import", _("Excel import")
    MANUAL = "manual", _("Manual entry")
