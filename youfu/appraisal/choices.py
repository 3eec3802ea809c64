from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CycleStatus(models.TextChoices):
    """open (plans, forms, ratings, ballots) → closed (nothing more is filled; results computed)."""

    OPEN = "open", pgettext_lazy("appraisal", "Open")
    CLOSED = "closed", pgettext_lazy("appraisal", "Closed")


class FormStatus(models.TextChoices):
    """工作绩效考核表: draft → plan submitted (by the 2nd) → form submitted (by the 2nd of next month)."""

    DRAFT = "draft", _("Plan being written")
    PLAN_SUBMITTED = "plan_submitted", _("Plan submitted")
    SUBMITTED = "submitted", _("Form submitted")


class ItemKind(models.TextChoices):
    """工作计划项: 日常工作类 (5 × 8), 阶段工作类 (5 × 10), 其它类 (+8 each), 意见与建议 (+10 if adopted)."""

    ROUTINE = "routine", _("Routine work")
    PHASE = "phase", _("Phase work")
    OTHER = "other", _("Other task")
    SUGGESTION = "suggestion", _("Suggestion")


class ItemStatus(models.TextChoices):
    """计划完成情况: 完成 / 进行中 / 未进行 (a reason is required for the last two)."""

    DONE = "done", pgettext_lazy("appraisal", "Done")
    IN_PROGRESS = "in_progress", pgettext_lazy("appraisal", "In progress")
    NOT_STARTED = "not_started", pgettext_lazy("appraisal", "Not started")


class RaterKind(models.TextChoices):
    """Who scores the monthly form: 个人评分, 职能部门评分 (财务部 成本意识, 行政部 职业规范),
    直接上级评分."""

    SELF = "self", _("Self")
    FINANCE = "finance", _("Finance department (cost awareness)")
    ADMIN = "admin", _("Administration department (professional conduct)")
    SUPERVISOR = "supervisor", _("Direct supervisor")


class AppealStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("appraisal", "Pending")
    UPHELD = "upheld", pgettext_lazy("appraisal", "Upheld")
    REJECTED = "rejected", pgettext_lazy("appraisal", "Rejected")
