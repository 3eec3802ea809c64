from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    PRAISE = "praise", _("Praise")


class Channel(models.TextChoices):
    """Where the customer's voice came in (受理渠道)."""

    HOTLINE_95580 = "hotline_95580", _("95580 hotline")
    HOTLINE_96086 = "hotline_96086", _("96086 hotline")
    LETTER = "letter", _("Letter")
    ON_SITE = "on_site", _("On site")
    MEDIA = "media", _("Media")
    REGULATOR = "regulator", _("Regulator")
    ONLINE = "online", _("Online")


# Media and regulator cases are reputational risks (声誉风险): they go straight to the top of the ladder.
TOP_CHANNELS = (Channel.MEDIA, Channel.REGULATOR)
HOTLINE_CHANNELS = (Channel.HOTLINE_95580, Channel.HOTLINE_96086)


class Category(models.TextChoices):
    ATTITUDE = "attitude", _("Service attitude")
    SKILLS = "skills", _("Business skills")
    WAITING = "waiting", _("Waiting time")
    FEES = "fees", _("Fees")
    PRODUCT = "product", _("Product")
    SYSTEM = "system", _("System or equipment")
    ENVIRONMENT = "environment", _("Environment")
    OTHER = "other", _("Other")


# 因服务态度、业务技能等主观原因 (seed 000 篇3): the categories a valid complaint is penalised for.
SUBJECTIVE_CATEGORIES = (Category.ATTITUDE, Category.SKILLS)


class Severity(models.TextChoices):
    LOW = "low", _("Minor")
    MEDIUM = "medium", _("Moderate")
    HIGH = "high", _("Serious")
    CRITICAL = "critical", _("Critical")


class ComplaintStatus(models.TextChoices):
    """received → in_progress (acknowledged) ⇄ waiting_customer → resolved → closed."""

    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS, ComplaintStatus.WAITING_CUSTOMER)


class Verdict(models.TextChoices):
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Not valid")


class Level(models.IntegerChoices):
    """The escalation ladder (outlet → sub-branch → branch)."""

    NONE = 0, _("Not escalated")
    OUTLET = 1, _("Outlet")
    SUB_BRANCH = 2, _("Sub-branch")
    BRANCH = 3, _("Branch")


class CallbackResult(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Fairly satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    UNREACHABLE = "unreachable", _("Could not be reached")


class EventAction(models.TextChoices):
    REGISTERED = "registered", _("registered")
    HANDED_OVER = "handed_over", _("handed over")
    CLASSIFIED = "classified", _("classified")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    WAITING = "waiting", _("waiting for the customer")
    RESUMED = "resumed", _("resumed")
    EXTENDED = "extended", _("deadline extended")
    RESOLVED = "resolved", _("resolved")
    JUDGED = "judged", _("verdict given")
    CLOSED = "closed", pgettext_lazy("complaint event", "closed")  # the project catalog's "closed" is 已撤销
    ESCALATED = "escalated", _("escalated")
    CONTACT_REVEALED = "contact_revealed", _("customer contact revealed")
    CALLBACK = "callback", _("satisfaction callback recorded")
    FACTS = "facts", _("indicator data recorded")
