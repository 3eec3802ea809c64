from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from youfu.core.errors import ApplicationError
from youfu.org.models import Unit
from youfu.standards.choices import Aspect, ItemKind, RedLine, ScoreRule, StandardKind, VersionStatus


class Standard(models.Model):
    """检查标准 — a checklist that outlets are inspected and scored against, in numbered versions.

    It belongs to a unit (its owner): the owner's subtree uses it, and the units above the owner see
    it. A bank-wide standard belongs to the head office."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=StandardKind.choices)
    owner = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="standards", verbose_name=_("owner unit")
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["code"]
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_additional_data(self) -> dict[str, str]:
        """Stored with each audit entry: the unit path lets the audit browser filter by subtree."""
        return {"unit_path": self.owner.path}


class StandardVersion(models.Model):
    """标准版本 — one version of a standard: its score rule and structure. A published version never
    changes (results keep the version they were scored with); a change is a new version, a copy."""

    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="versions", verbose_name=_("standard")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    score_rule = models.CharField(
        _("score rule"), max_length=16, choices=ScoreRule.choices, default=ScoreRule.DEDUCTIONS
    )
    max_score = models.DecimalField(_("full marks"), default=100, max_digits=10, decimal_places=2)
    levels = models.JSONField(
        _("levels"), default=list, blank=True, help_text=_("Bands of the total, e.g. star levels.")
    )
    warnings = models.JSONField(
        _("warnings"),
        default=list,
        blank=True,
        help_text=_("What the source left unclear, shown on the page."),
    )
    source = models.CharField(_("source"), max_length=255, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("standard version")
        verbose_name_plural = _("standard versions")
        ordering = ["standard", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="standard_version_unique_number"),
            # One draft at a time: a new version is started from the latest published one.
            models.UniqueConstraint(
                fields=["standard"], condition=Q(status="draft"), name="standard_version_one_draft"
            ),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="standard_version_max_positive"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="standard_version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard.name} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The services refuse first, with a clear message; this is the backstop for any other path.
        if self.pk is not None and _version_published(self.pk):
            raise ApplicationError(
                gettext("A published version cannot be changed."), code="version_published"
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if _version_published(self.pk):
            raise ApplicationError(
                gettext("A published version cannot be deleted."), code="version_published"
            )
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.standard.owner.path}


def _version_published(version_id: Any) -> bool:
    status = StandardVersion.objects.filter(pk=version_id).values_list("status", flat=True).first()
    return status == VersionStatus.PUBLISHED


class _FrozenWithVersion(models.Model):
    """A part of a version: refuses to be saved or deleted once its version is published."""

    version_id: Any

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if _version_published(self.version_id):
            raise ApplicationError(
                gettext("A published version cannot be changed."), code="version_published"
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if _version_published(self.version_id):
            raise ApplicationError(
                gettext("A published version cannot be changed."), code="version_published"
            )
        return super().delete(*args, **kwargs)

    def get_additional_data(self) -> dict[str, str]:
        """Stored with each audit entry: the owner's path lets the audit browser filter by subtree."""
        path = Unit.objects.filter(standards__versions=self.version_id).values_list("path", flat=True).first()
        return {"unit_path": path if path is not None else "~"}  # never "" (bank-wide)


class Section(_FrozenWithVersion):
    """检查部分 — a section of a version (e.g. 一、基础工作开展情况, 25 分). Its points are its cap: it never
    loses more than them. A section may sit inside another (sub-sections 1–5 of 一)."""

    version = models.ForeignKey(
        StandardVersion, on_delete=models.CASCADE, related_name="sections", verbose_name=_("version")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent section"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=255)
    points = models.DecimalField(
        _("points"), max_digits=10, decimal_places=2, help_text=_("The most the section can lose.")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="standard_section_unique_code"),
            models.CheckConstraint(condition=Q(points__gte=0), name="standard_section_points_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Item(_FrozenWithVersion):
    """检查项目 — one checklist item: what is checked, how it scores, whether it may be not applicable,
    its tags (硬件/软件, 重点整治项目) and its red line (一票否决)."""

    version = models.ForeignKey(
        StandardVersion, on_delete=models.CASCADE, related_name="items", verbose_name=_("version")
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="items", verbose_name=_("section")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=32)
    text = models.TextField(_("what is checked"))
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices, default=ItemKind.DEDUCTION)
    points = models.DecimalField(
        _("points"),
        max_digits=10,
        decimal_places=2,
        help_text=_("Deduction: per occurrence. Pass/fail and score: what the item is worth."),
    )
    max_occurrences = models.PositiveIntegerField(_("at most (times)"), null=True, blank=True)
    n = models.PositiveSmallIntegerField(_("top score (N)"), null=True, blank=True)
    na_allowed = models.BooleanField(_("may be not applicable"), default=False)
    aspect = models.CharField(_("hardware or software"), max_length=16, choices=Aspect.choices, blank=True)
    key_item = models.BooleanField(_("key item (重点整治项目)"), default=False)
    red_line = models.CharField(_("red line"), max_length=16, choices=RedLine.choices, default=RedLine.NONE)
    red_line_cap = models.DecimalField(
        _("cap of the total"), null=True, blank=True, max_digits=10, decimal_places=2
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="standard_item_unique_code"),
            models.CheckConstraint(condition=Q(points__gte=0), name="standard_item_points_not_negative"),
            models.CheckConstraint(
                condition=Q(red_line="cap_total", red_line_cap__isnull=False)
                | (~Q(red_line="cap_total") & Q(red_line_cap__isnull=True)),
                name="standard_item_cap_with_cap_red_line",
            ),
            models.CheckConstraint(
                condition=~Q(kind="score_out_of_n") | Q(n__gte=1), name="standard_item_score_has_n"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"
