"""Forms of the star-tellers pages: the list filter (month, unit subtree, lowest level) and the compute
form (a month)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from youfu.accounts.access import visible_units
from youfu.org.choices import PeriodKind
from youfu.org.models import Period, Unit
from youfu.star_tellers.choices import MAX_LEVEL


class MonthField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Period) -> str:
        return f"{obj.code} {obj.name}"


def _months() -> Any:
    return Period.objects.filter(kind=PeriodKind.MONTH).order_by("-start")


class StarFilterForm(forms.Form):
    period = MonthField(queryset=_months(), to_field_name="code", required=False, label=_("Month"))
    unit = forms.CharField(label=_("Within unit (code)"), required=False, max_length=32)
    min_level = forms.TypedChoiceField(
        label=_("Stars at least"),
        choices=[(level, str(level)) for level in range(0, MAX_LEVEL + 1)],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        period = self.fields["period"]
        assert isinstance(period, forms.ModelChoiceField)
        period.queryset = _months()
        period.empty_label = None

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


class ComputeForm(forms.Form):
    period = MonthField(queryset=_months(), to_field_name="code", label=_("Month"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period = self.fields["period"]
        assert isinstance(period, forms.ModelChoiceField)
        period.queryset = _months()
