from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from youfu.accounts.access import visible_units
from youfu.org.choices import PeriodKind
from youfu.org.models import Period, Unit


class PoolForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"))
    period = forms.ModelChoiceField(
        queryset=Period.objects.filter(kind=PeriodKind.QUARTER).order_by("-start"), label=_("Quarter")
    )
    total = forms.DecimalField(label=_("Pool total (yuan)"), max_digits=16, decimal_places=2, min_value=0)
    comparison = forms.CharField(
        label=_("Comparison quarter of the daily averages"),
        required=False,
        max_length=64,
        help_text=_("Seed 000 篇2 compares with the quarter before last (上上季度)."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_units(user).order_by("path")  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel (.xlsx) or CSV file"))
    dry_run = forms.BooleanField(label=_("Check only, import nothing"), required=False)
