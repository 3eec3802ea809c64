"""Forms of the facts pages: the import (file, period, dry run) and a value entered by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from youfu.org.models import Period


class PeriodCodeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Period) -> str:
        return f"{obj.code} {obj.name}"


class FactImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    period = PeriodCodeField(
        queryset=Period.objects.order_by("-start", "end"),
        to_field_name="code",
        required=False,
        label=_("Period"),
        help_text=_("Leave empty to take it from the file's 期间 column."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show what would change, without saving"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period = self.fields["period"]
        assert isinstance(period, forms.ModelChoiceField)
        period.empty_label = _("From the file")
