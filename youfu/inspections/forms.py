"""Forms of the inspections pages (the phone checklist itself is read field by field in views.fill)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from youfu.accounts.access import visible_units
from youfu.inspections.choices import InspectionKind, PlanSampling
from youfu.org.models import Period, Unit
from youfu.standards import selectors as standards
from youfu.standards.choices import VersionStatus


class UnitCodeField(forms.CharField):
    """An outlet named by its code, among the units the user sees."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Unit:
        code = super().clean(value).strip()
        unit = visible_units(self.user).filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(
                _(
                    "Unit %(code)s does not exist or is outside the part of the organisation you are "
                    "responsible for."
                ),
                params={"code": code},
            )
        return unit


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    version = forms.TypedChoiceField(label=_("Standard"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    visit_start = forms.TimeField(
        label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    visit_end = forms.TimeField(label=_("To"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitCodeField(label=_("Outlet"), user=user)
        self.order_fields(["kind", "unit", "version", "date", "visit_start", "visit_end", "notes"])
        versions = standards.version_list(user=user).filter(status=VersionStatus.PUBLISHED)
        version_field: Any = self.fields["version"]
        version_field.choices = [
            (v.pk, f"{v.standard.name} v{v.number}") for v in versions.order_by("standard__code", "-number")
        ]


class VideoForm(forms.Form):
    camera = forms.CharField(label=_("Camera"), max_length=64)
    recorded_from = forms.DateTimeField(
        label=_("Recording from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    recorded_to = forms.DateTimeField(
        label=_("Recording to"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AppealForm(forms.Form):
    finding = forms.TypedChoiceField(label=_("Finding"), coerce=int)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = forms.FileField(
        label=_("Photos (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/heic"}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("uphold", _("Uphold: the deduction stands")),
            ("reverse", _("Reverse: remove the deduction")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))


class SettingsForm(forms.Form):
    repeat_window_days = forms.IntegerField(
        label=_("Repeat window (days)"),
        min_value=1,
        max_value=730,
        help_text=_("A finding on the same item in the same outlet within this many days is a repeat."),
    )
    appeal_window_days = forms.IntegerField(
        label=_("Appeal window (days)"),
        min_value=0,
        max_value=90,
        help_text=_("Days after publication in which the outlet may appeal a deduction."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    standard = forms.ChoiceField(label=_("Standard"))
    version = forms.IntegerField(
        label=_("Version"), required=False, min_value=1, help_text=_("Leave empty for the latest published.")
    )
    firm = forms.CharField(label=_("Firm"), max_length=128, required=False)
    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=[
            ("auto", _("Tell apart from the file")),
            ("a", _("(a) one row per outlet and item")),
            ("b", _("(b) one sheet per visit")),
        ],
        initial="auto",
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file without saving"), required=False, initial=True
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = standards.version_list(user=user).filter(status=VersionStatus.PUBLISHED)
        codes = sorted({(v.standard.code, v.standard.name) for v in versions.select_related("standard")})
        standard_field: Any = self.fields["standard"]
        standard_field.choices = [(code, f"{code} · {name}") for code, name in codes]


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=128)
    period = forms.ModelChoiceField(label=_("Period"), queryset=Period.objects.order_by("-start", "end"))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=InspectionKind.choices,
        initial=InspectionKind.ON_SITE,
        help_text=_("The kind of the visits not drawn for the mystery shopper."),
    )
    visits_per_outlet = forms.IntegerField(label=_("Visits per outlet"), min_value=1, max_value=31, initial=1)
    mystery_share = forms.IntegerField(
        label=_("Share by mystery shopper (%)"),
        min_value=0,
        max_value=100,
        initial=60,
        help_text=_("Of all planned visits, rounded half up: 5 visits × 60% = 3."),
    )
    sampling = forms.ChoiceField(
        label=_("Sampling"), choices=PlanSampling.choices, initial=PlanSampling.RANDOM
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text=_("Leave empty for a new draw; the seed is kept, so the draw can be repeated."),
    )
    grace_days = forms.IntegerField(label=_("Late up to (days)"), min_value=0, max_value=90, initial=15)
    max_distance_m = forms.IntegerField(
        label=_("Photo distance allowed (m)"), min_value=10, max_value=100_000, initial=500
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"] = UnitCodeField(
            label=_("Scope"),
            user=user,
            help_text=_("Code of the bank or unit whose active outlets are planned."),
        )
        self.order_fields(["name", "period", "scope"])
