"""Forms of the org domain. The web pages and the Excel import bind to the same forms, so a row in a
file is validated exactly like the same data typed into the page (STYLE.md "Edges")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from youfu.accounts.access import visible_units
from youfu.org.choices import Position
from youfu.org.models import Person, Unit


class UnitCodeField(forms.ModelChoiceField):
    """A unit chosen by its code, among the units the user may see."""

    default_error_messages = {
        "invalid_choice": _(
            "Unit %(value)s does not exist or is outside the part of the organisation you are "
            "responsible for."
        ),
    }

    def __init__(self, *, user: Any, **kwargs: Any) -> None:
        super().__init__(queryset=visible_units(user).order_by("path"), to_field_name="code", **kwargs)

    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.code} {obj.name}"


class UnitForm(forms.ModelForm):
    parent = forms.CharField(label=_("parent unit code"), max_length=32, required=False)

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "region", "province", "address"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["parent"] = UnitCodeField(user=user, label=_("parent unit"), required=False)


class UnitEditForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "region", "province", "address", "is_active"]


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "employee_no",
            "name",
            "unit",
            "position",
            "gender",
            "hire_date",
            "birth_date",
            "teller_grade",
            "phone",
        ]
        widgets = {
            "hire_date": forms.DateInput(attrs={"type": "date"}),
            "birth_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"] = UnitCodeField(user=user, label=_("unit"))
        self.fields["teller_grade"].widget.attrs.update({"min": 1, "max": 6})

    def clean_teller_grade(self) -> int | None:
        grade: int | None = self.cleaned_data.get("teller_grade")
        if grade is not None and not 1 <= grade <= 6:
            raise forms.ValidationError(_("Teller grade must be between 1 and 6."))
        return grade

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        hire, birth = data.get("hire_date"), data.get("birth_date")
        if hire and birth and hire <= birth:
            self.add_error("hire_date", _("Hire date must be after the birth date."))
        return data


class PersonEditForm(PersonForm):
    """Editing keeps the unit: moving someone is a move, recorded in their history."""

    class Meta(PersonForm.Meta):
        fields = [
            "name",
            "position",
            "gender",
            "hire_date",
            "birth_date",
            "teller_grade",
            "phone",
            "is_active",
        ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        forms.ModelForm.__init__(self, *args, **kwargs)
        self.user = user
        self.fields["teller_grade"].widget.attrs.update({"min": 1, "max": 6})


class PersonMoveForm(forms.Form):
    to_unit = forms.CharField(label=_("to unit"))
    to_position = forms.ChoiceField(
        label=_("new position"), choices=[("", "—"), *Position.choices], required=False
    )
    effective_date = forms.DateField(
        label=_("effective date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("reason"), max_length=255, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"] = UnitCodeField(user=user, label=_("to unit"))


class PeriodForm(forms.Form):
    """A custom window (e.g. a 100-day competition). A plain form, not a ModelForm: the rules (end not
    before start, a code used once) are the service's, and its errors are shown on these fields."""

    code = forms.CharField(
        label=_("code"),
        max_length=32,
        help_text=_("A short unique code, e.g. 2026-BAIRI for a 100-day drive"),
    )
    name = forms.CharField(label=_("name"), max_length=64)
    start = forms.DateField(label=_("start"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=_("end"), widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Inclusive")
    )


class PeriodYearForm(forms.Form):
    year = forms.IntegerField(label=pgettext_lazy("calendar", "Year"))
