"""Forms of the appraisal pages (the API and the Excel import validate through the same services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from youfu.accounts.access import scope_path, visible_units
from youfu.accounts.models import User
from youfu.org.choices import PeriodKind
from youfu.org.models import Period, Unit
from youfu.scoring.choices import PolicyStatus
from youfu.scoring.models import PolicyVersion


class CycleForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    period = forms.ModelChoiceField(
        label=_("Quarter"), queryset=Period.objects.filter(kind=PeriodKind.QUARTER)
    )
    policy_version = forms.ModelChoiceField(
        label=pgettext_lazy("appraisal", "Policy version"),
        queryset=PolicyVersion.objects.exclude(status=PolicyStatus.RETIRED),
    )
    finance_rater = forms.ModelChoiceField(
        label=_("Finance department rater"), queryset=User.objects.none(), required=False
    )
    admin_rater = forms.ModelChoiceField(
        label=_("Administration department rater"), queryset=User.objects.none(), required=False
    )
    appeal_days = forms.IntegerField(label=_("Appeal window (days)"), min_value=1, max_value=60, initial=10)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = visible_units(user).exclude(kind="outlet").exclude(kind="department")
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        # Department raters: logins of the user's subtree or above it (the branch's finance department
        # rates a sub-branch's staff); the service checks that they see the cycle's unit.
        path = scope_path(user) or ""
        above = [path[:n] for n in range(Unit.steplen, len(path) + 1, Unit.steplen)]
        users = User.objects.filter(is_active=True).filter(
            Q(unit__path__startswith=path) | Q(unit__path__in=above)
        )
        self.fields["finance_rater"].queryset = users.order_by("username")  # type: ignore[attr-defined]
        self.fields["admin_rater"].queryset = users.order_by("username")  # type: ignore[attr-defined]


class ScoreForm(forms.Form):
    score = forms.DecimalField(label=_("Score"), max_digits=5, decimal_places=2, min_value=0)


class SelfReviewForm(forms.Form):
    score = forms.DecimalField(
        label=_("Self-assessment (out of 100)"), max_digits=5, decimal_places=2, min_value=0
    )
    summary = forms.CharField(
        label=_("Personal summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("Why do you appeal?"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[
            ("1", _("Uphold: recompute with a revised panel score")),
            ("0", pgettext_lazy("appraisal", "Reject")),
        ],
        coerce=lambda v: v == "1",
    )
    revised_panel_score = forms.DecimalField(
        label=_("Revised panel score"), required=False, max_digits=5, decimal_places=2, min_value=0
    )
    decision = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
    dry_run = forms.BooleanField(label=_("Check only, import nothing"), required=False)
