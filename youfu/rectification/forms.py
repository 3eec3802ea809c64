"""Forms of the rectification pages; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from youfu.accounts.access import visible_units
from youfu.org.models import Person, Unit
from youfu.org.selectors import person_list
from youfu.rectification.choices import Handling

DATE = forms.DateInput(attrs={"type": "date"})


class OpenForm(forms.Form):
    handling = forms.ChoiceField(label=_("Handling"), choices=Handling.choices)
    responsible_unit = forms.CharField(label=_("Responsible unit (code)"), max_length=32)
    responsible_person = forms.CharField(
        label=_("Responsible person (employee number)"), max_length=32, required=False
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    required_evidence = forms.CharField(
        label=_("Required evidence"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_responsible_unit(self) -> Unit:
        code = self.cleaned_data["responsible_unit"].strip()
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

    def clean_responsible_person(self) -> Person | None:
        number = self.cleaned_data["responsible_person"].strip()
        if not number:
            return None
        person = person_list(user=self.user).select_related("unit").filter(employee_no=number).first()
        if person is None:
            raise forms.ValidationError(_("No person with employee number %(no)s."), params={"no": number})
        return person


class StartForm(forms.Form):
    measures = forms.CharField(
        label=_("Planned measures"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"))
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class MeetingForm(forms.Form):
    meeting_date = forms.DateField(label=_("Meeting date"), widget=DATE)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 3}), max_length=8000)
    file = forms.FileField(label=_("Scanned minutes"), required=False)


class SubmitForm(forms.Form):
    measures = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class VerifyForm(forms.Form):
    reinspection = forms.IntegerField(label=_("Re-inspection (check number)"), required=False, min_value=1)
    reinspected_on = forms.DateField(label=_("Or: on-site re-check on"), required=False, widget=DATE)
    note = forms.CharField(
        label=_("What the re-check found"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class ResolveForm(forms.Form):
    measures = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    note = forms.CharField(
        label=_("What the re-check found"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    file = forms.FileField(label=_("Evidence file"), required=False)
