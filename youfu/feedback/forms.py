"""Forms of the feedback pages: the rating file upload and the rates filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from youfu.accounts.access import visible_units
from youfu.feedback.choices import Grouping
from youfu.org.models import Period, Unit


class RatingUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Rating file (.csv or .parquet)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.parquet,text/csv"}),
    )
    quarantine = forms.BooleanField(
        label=_(
            "Quarantine bad rows: load the good rows and list the bad ones (else a bad row refuses the file)"
        ),
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class PeriodCodeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Period) -> str:
        return f"{obj.code} {obj.name}"


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


class RatesFilterForm(forms.Form):
    """A period (or a start and end date), a unit whose subtree to show, and what one line is."""

    period = PeriodCodeField(
        queryset=Period.objects.order_by("-start", "end"),
        to_field_name="code",
        required=False,
        label=_("Period"),
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.CharField(label=_("Within unit (code)"), required=False, max_length=32)
    by = forms.ChoiceField(label=_("One line per"), choices=Grouping.choices, required=False)

    def __init__(self, *args: Any, user: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = today
        period = self.fields["period"]
        assert isinstance(period, forms.ModelChoiceField)
        period.empty_label = _("Dates below")

    def clean_unit(self) -> Unit | None:
        code = (self.cleaned_data.get("unit") or "").strip()
        if not code:
            return None
        unit = visible_units(self.user).filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(
                _(
                    "Unit %(code)s does not exist or is outside the part of the organisation you are "
                    "responsible for."
                )
                % {"code": code}
            )
        return unit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period: Period | None = data.get("period")
        if period is not None:
            data["start"], data["end"] = period.start, period.end
        else:
            default_start, default_end = last_month(self.today)
            data["start"] = data.get("start") or default_start
            data["end"] = data.get("end") or default_end
        if data["end"] < data["start"]:
            self.add_error("end", _("The end is before the start."))
        if (data["end"] - data["start"]).days > 366 * 3:
            self.add_error("end", _("At most three years at a time."))
        data["by"] = data.get("by") or Grouping.OUTLET
        return data
