from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    HEAD_OFFICE = "head_office", _("Head office")
    BRANCH = "branch", _("Branch")
    SUB_BRANCH = "sub_branch", _("Sub-branch")
    OUTLET = "outlet", _("Outlet")
    DEPARTMENT = "department", _("Team or department")


# Rank in the hierarchy. A child ranks below its parent; a team or department may sit under any unit.
UNIT_KIND_RANK = {
    UnitKind.HEAD_OFFICE: 0,
    UnitKind.BRANCH: 1,
    UnitKind.SUB_BRANCH: 2,
    UnitKind.OUTLET: 3,
    UnitKind.DEPARTMENT: 4,
}


class Position(models.TextChoices):
    TELLER = "teller", _("Teller")
    LOBBY_MANAGER = "lobby_manager", _("Lobby manager")
    WEALTH_MANAGER = "wealth_manager", _("Wealth manager")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    OUTLET_HEAD = "outlet_head", _("Outlet head")
    DEPUTY_OUTLET_HEAD = "deputy_outlet_head", _("Deputy outlet head")
    ACCOUNTING_SUPERVISOR = "accounting_supervisor", _("Accounting supervisor")
    SECURITY_GUARD = "security_guard", _("Security guard")
    SUB_BRANCH_HEAD = "sub_branch_head", _("Sub-branch president")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    SERVICE_OFFICER = "service_officer", _("Service officer")
    CUSTOMER_SERVICE = "customer_service", _("Customer service agent")
    CLERK = "clerk", _("Clerk")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF = "half", _("Half year")
    YEAR = "year", _("Year")
    CUSTOM = "custom", _("Custom window")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
