"""Forms of the complaints pages. The Excel import binds each row to ComplaintForm too, so a row is
checked exactly as the intake page checks it."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from youfu.accounts.access import restrict, visible_units
from youfu.accounts.models import User
from youfu.complaints.choices import CallbackResult, Category, Channel, ComplaintKind, Severity, Verdict
from youfu.org.models import Person, Unit

_SPLIT = re.compile(r"[\s,，、;；]+")


class UnitCodeField(forms.CharField):
    """A unit named by its code, among the units the user sees."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Unit:
        code = str(super().clean(value)).strip()
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


class PeopleField(forms.CharField):
    """Employee numbers, separated by commas or spaces, of people the user sees."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> list[Person]:
        text = str(super().clean(value) or "").strip()
        numbers = [n for n in _SPLIT.split(text) if n]
        found = {
            p.employee_no: p for p in restrict(Person.objects.filter(employee_no__in=numbers), self.user)
        }
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(
                _("Unknown employee numbers: %(numbers)s"), params={"numbers": ", ".join(missing)}
            )
        return [found[n] for n in dict.fromkeys(numbers)]


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ComplaintKind.choices, initial=ComplaintKind.COMPLAINT)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    received_at = forms.DateTimeField(label=_("Received at"), required=False, widget=DATETIME)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.LOW)
    customer_name = forms.CharField(label=_("Customer"), required=False, max_length=64)
    customer_phone = forms.CharField(label=_("Customer phone"), required=False, max_length=32)
    summary = forms.CharField(label=_("What the customer said"), widget=forms.Textarea(attrs={"rows": 3}))
    resolve_due = forms.DateTimeField(
        label=_("Resolve by (only to set a deadline other than the SLA's)"), required=False, widget=DATETIME
    )
    source_ref = forms.CharField(label=_("Channel reference"), required=False, max_length=64)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitCodeField(label=_("Outlet"), user=user)
        self.fields["people"] = PeopleField(
            label=_("People involved (employee numbers)"), required=False, user=user
        )
        self.order_fields(
            [
                "kind",
                "channel",
                "received_at",
                "unit",
                "people",
                "category",
                "severity",
                "customer_name",
                "customer_phone",
                "summary",
                "resolve_due",
                "source_ref",
            ]
        )


class ClassifyForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"] = PeopleField(
            label=_("People involved (employee numbers)"), required=False, user=user
        )


class HandoverForm(forms.Form):
    to = forms.ModelChoiceField(label=_("Hand over to"), queryset=User.objects.none())
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args: Any, user: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Handlers whose subtree holds the complaint's unit: that unit or one above it.
        from youfu.complaints.services import ancestor_paths

        above = [unit.path, *ancestor_paths(unit)]
        to: Any = self.fields["to"]
        to.queryset = (
            User.objects.filter(is_active=True, unit__path__in=above).exclude(pk=user.pk).order_by("username")
        )


class TextForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("How it was resolved"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(forms.Form):
    resolve_due = forms.DateTimeField(label=_("New deadline"), widget=DATETIME)
    reason = forms.CharField(label=_("Reason"))


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CallbackForm(forms.Form):
    result = forms.ChoiceField(label=_("The customer's answer"), choices=CallbackResult.choices)
    note = forms.CharField(label=_("Note"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show what would change, without saving"),
        required=False,
        initial=True,
    )
