"""Choices of the reports domain: the KPIs of the service office's dashboard, red/amber/green, where a
queue batch came from, why a queue row was refused, and the granularity of diversion figures."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kpi(models.TextChoices):
    """The KPIs of the dashboard (issue 6 point 5)."""

    DIVERSION_RATE = "diversion_rate", _("Smart-counter diversion rate")
    WAIT_AVG = "wait_avg", _("Average waiting time")
    WAIT_P90 = "wait_p90", _("90th percentile waiting time")
    COMPLAINT_CHANGE = "complaint_change", _("Complaints against the base year")
    SATISFACTION_RATE = "satisfaction_rate", _("Satisfaction rate")
    EVALUATION_RATE = "evaluation_rate", _("Evaluation rate")


class Rag(models.TextChoices):
    GREEN = "green", _("On target")
    AMBER = "amber", _("Near target")
    RED = "red", _("Off target")


class BatchSource(models.TextChoices):
    CSV = "csv", _("CSV file")
    EXCEL = "xlsx", _("Excel file")
    PARQUET = "parquet", _("Parquet file")
    DEMO = "demo", _("Demo data")


class Reason(models.TextChoices):
    """Why a queue row was refused (one reason per row: the first that applies, in this order)."""

    MISSING_VALUE = "missing_value", _("A required value is empty")
    BAD_TIME = "bad_time", _("Not a date and time")
    FUTURE_TIME = "future_time", _("The time is in the future")
    BAD_ORDER = "bad_order", _("Called before the ticket was drawn, or finished before being called")
    UNKNOWN_UNIT = "unknown_unit", _("No outlet has this code")
    OUTSIDE_SCOPE = "outside_scope", _("The outlet is outside your part of the organisation")
    UNKNOWN_TELLER = "unknown_teller", _("No member of staff has this employee number")
    DUPLICATE = "duplicate", _("The same ticket appears twice in the file")
    ALREADY_LOADED = "already_loaded", _("This ticket was loaded by an earlier batch")


class Granularity(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
