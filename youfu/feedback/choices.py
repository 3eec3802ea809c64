"""Choices of the feedback domain: the evaluator's rating codes, where a batch came from, its status, why
a row was refused, and how the rates are grouped."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rating(models.IntegerChoices):
    """满意度评价器的按键, as stored in the rating files (a higher code is a better rating; 0 = the
    customer pressed nothing, which still counts as a transaction)."""

    NONE = 0, _("Not rated")
    UNSATISFIED = 1, _("Unsatisfied")
    NEUTRAL = 2, _("Neutral")
    SATISFIED = 3, _("Satisfied")
    VERY_SATISFIED = 4, _("Very satisfied")


# How a rating may be written in a file or an API row (matched trimmed and lower-cased): the English
# code, the Chinese label of the evaluator, or the stored digit. An empty cell is "not rated".
RATING_SPELLINGS: dict[str, int] = {
    "": Rating.NONE,
    "0": Rating.NONE,
    "none": Rating.NONE,
    "not_rated": Rating.NONE,
    "未评价": Rating.NONE,
    "1": Rating.UNSATISFIED,
    "unsatisfied": Rating.UNSATISFIED,
    "不满意": Rating.UNSATISFIED,
    "2": Rating.NEUTRAL,
    "neutral": Rating.NEUTRAL,
    "一般": Rating.NEUTRAL,
    "基本满意": Rating.NEUTRAL,
    "3": Rating.SATISFIED,
    "satisfied": Rating.SATISFIED,
    "满意": Rating.SATISFIED,
    "4": Rating.VERY_SATISFIED,
    "very_satisfied": Rating.VERY_SATISFIED,
    "非常满意": Rating.VERY_SATISFIED,
}


class BatchSource(models.TextChoices):
    CSV = "csv", _("CSV file")
    PARQUET = "parquet", _("Parquet file")
    API = "api", _("API batch")
    DEMO = "demo", _("Demo data")


class BatchStatus(models.TextChoices):
    LOADED = "loaded", _("Loaded")
    PARTIAL = "partial", _("Loaded, bad rows quarantined")


class Reason(models.TextChoices):
    """Why a row was refused (one reason per row: the first that applies, in this order)."""

    MISSING_VALUE = "missing_value", _("A required value is empty")
    BAD_TIME = "bad_time", _("Not a date and time")
    FUTURE_TIME = "future_time", _("The time is in the future")
    BAD_RATING = "bad_rating", _("Not a rating")
    UNKNOWN_UNIT = "unknown_unit", _("No outlet has this code")
    OUTSIDE_SCOPE = "outside_scope", _("The outlet is outside your part of the organisation")
    UNKNOWN_TELLER = "unknown_teller", _("No member of staff has this employee number")


class Grouping(models.TextChoices):
    """What one line of the rates table is."""

    PERSON = "person", _("Teller")
    OUTLET = "outlet", _("Outlet")
    SUB_BRANCH = "sub_branch", _("Sub-branch")
    BRANCH = "branch", _("Branch")


class CallStatus(models.TextChoices):
    """Where one callback (电话回访) stands."""

    PENDING = "pending", _("To call")
    REACHED = "reached", _("Reached")
    UNREACHABLE = "unreachable", _("Not reached (replaced)")


class CallResult(models.TextChoices):
    """What the customer said when asked about the service (seed 001 篇1 四.2)."""

    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class SurveyKind(models.TextChoices):
    """Who answers a survey (seed 003 §8: external customers, internal customers)."""

    CUSTOMER = "customer", _("Customer satisfaction")
    INTERNAL = "internal", _("Internal satisfaction")


class QuestionKind(models.TextChoices):
    CHOICE = "choice", _("Single choice (scored options)")
    SCALE = "scale", _("Rating scale 1–5")
    TEXT = "text", _("Free text (not scored)")


class ResponseChannel(models.TextChoices):
    PUBLIC = "public", _("Public link")
    STAFF = "staff", _("Recorded by staff")
