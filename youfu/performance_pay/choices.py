from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    BALANCES = "balances", _("Balances and scores")
    SALARIES = "salaries", _("Salaries")


class DepartmentKind(models.TextChoices):
    """篇13: 业务部门 (results:duties 7:3) and 职能部门 (3:7)."""

    BUSINESS = "business", _("Business department")
    FUNCTIONAL = "functional", _("Functional department")
