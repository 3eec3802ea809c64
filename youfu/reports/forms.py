"""Forms of the reports pages: the dashboard's scope and period, a target, the uploads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from youfu.org.choices import PeriodKind
from youfu.org.models import Period
from youfu.reports.choices import Kpi


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


class PeriodField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Period) -> str:
        return f"{obj.code} {obj.name}"


class ScopeForm(forms.Form):
    """A period (default: last month) and a unit whose subtree to show (default: the user's own)."""

    period = PeriodField(
        queryset=Period.objects.order_by("-start", "end"),
        to_field_name="code",
        required=False,
        label=_("Period"),
    )
    unit = forms.CharField(label=_("Unit (code)"), required=False, max_length=32)

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        field = self.fields["period"]
        assert isinstance(field, forms.ModelChoiceField)
        field.empty_label = _("Last month")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period = data.get("period")
        if period is None:
            start, end = last_month(self.today)
            period = Period.objects.filter(kind=PeriodKind.MONTH, start=start, end=end).first()
            data["start"], data["end"] = start, end
        else:
            data["start"], data["end"] = period.start, period.end
        data["period"] = period
        data["unit"] = (data.get("unit") or "").strip()
        return data


class TargetForm(forms.Form):
    kpi = forms.ChoiceField(label=_("KPI"), choices=Kpi.choices)
    target = forms.DecimalField(label=_("Target"), max_digits=9, decimal_places=2)
    amber_band = forms.DecimalField(
        label=_("Amber band"), max_digits=9, decimal_places=2, min_value=Decimal(0)
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
