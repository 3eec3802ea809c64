"""Forms of the feedback pages: the rating file upload and the rates filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from youfu.accounts.access import scope_path, visible_units
from youfu.feedback.choices import CallResult, Grouping, QuestionKind, SurveyKind
from youfu.feedback.models import SurveyQuestion
from youfu.org.models import Period, Person, Unit


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


# --- Callbacks and surveys -------------------------------------------------------------------------------


def _unit_in_view(user: Any, code: str) -> Unit:
    unit = visible_units(user).filter(code=code.strip()).first()
    if unit is None:
        raise forms.ValidationError(
            _(
                "Unit %(code)s does not exist or is outside the part of the organisation you are "
                "responsible for."
            )
            % {"code": code}
        )
    return unit


class MonthField(forms.DateField):
    """A month written YYYY-MM (an <input type=month>), cleaned to its first day."""

    widget = forms.DateInput(attrs={"type": "month"})
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class CallbackFilterForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
    unit = forms.CharField(label=_("Within unit (code)"), required=False, max_length=32)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_unit(self) -> Unit | None:
        code = (self.cleaned_data.get("unit") or "").strip()
        return _unit_in_view(self.user, code) if code else None


class CallbackDrawForm(forms.Form):
    month = MonthField(label=_("Month"))
    unit = forms.CharField(
        label=_("Unit (code)"), max_length=32, help_text=_("every outlet at or under it gets its sample")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_unit(self) -> Unit:
        return _unit_in_view(self.user, self.cleaned_data.get("unit") or "")


class CallbackImportForm(forms.Form):
    file = forms.FileField(
        label=_("Customer list (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
        help_text=_(
            "Columns: 客户姓名, 手机号, 交易日期, 柜员号, 网点号 "
            "(or name, phone, transaction_date, employee_no, unit)"
        ),
    )


class CallRecordForm(forms.Form):
    reached = forms.TypedChoiceField(
        label=_("Reached?"),
        choices=[("", "—"), ("yes", _("Reached")), ("no", _("Not reached (try again later)"))],
        coerce=lambda value: value == "yes",
    )
    result = forms.ChoiceField(
        label=pgettext_lazy("callback", "What the customer said"),
        choices=[("", "—"), *CallResult.choices],
        required=False,
    )
    teller = forms.CharField(label=_("Teller concerned (employee number)"), required=False, max_length=32)
    comments = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_teller(self) -> Person | None:
        number = (self.cleaned_data.get("teller") or "").strip()
        if not number:
            return None
        person = Person.objects.select_related("unit").filter(employee_no=number).first()
        if person is None or not person.unit.path.startswith(scope_path(self.user) or "\0"):
            raise forms.ValidationError(_("No member of staff of your units has this number."))
        return person


class SurveyCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Template"), choices=SurveyKind.choices)
    title = forms.CharField(
        label=_("Title"), required=False, max_length=128, help_text=_("empty: the template's")
    )
    unit = forms.CharField(label=_("Units surveyed (code)"), max_length=32)
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_unit(self) -> Unit:
        return _unit_in_view(self.user, self.cleaned_data.get("unit") or "")


def answer_fields(questions: list[SurveyQuestion]) -> dict[str, forms.Field]:
    """One form field per question (named q<id>): radio buttons for a choice or a 1–5 scale, a text area."""
    fields: dict[str, forms.Field] = {}
    for question in questions:
        name = f"q{question.pk}"
        label = f"{question.position}. {question.text}"
        if question.kind == QuestionKind.TEXT:
            fields[name] = forms.CharField(
                label=label,
                required=question.required,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        elif question.kind == QuestionKind.SCALE:
            fields[name] = forms.ChoiceField(
                label=label, choices=[(str(n), str(n)) for n in range(1, 6)], widget=forms.RadioSelect
            )
        else:
            fields[name] = forms.ChoiceField(
                label=label,
                choices=[(str(n), option["label"]) for n, option in enumerate(question.options)],
                widget=forms.RadioSelect,
            )
    return fields


class SurveyAnswerForm(forms.Form):
    def __init__(self, *args: Any, questions: list[SurveyQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields.update(answer_fields(questions))

    def answers(self) -> dict[str, str]:
        return {str(q.pk): self.cleaned_data.get(f"q{q.pk}") or "" for q in self.questions}
