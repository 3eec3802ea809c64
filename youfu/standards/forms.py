"""Forms of the standards pages. They only shape input; the rules live in youfu.standards.services."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from youfu.core.money import to_decimal
from youfu.org.forms import UnitCodeField
from youfu.standards.choices import Aspect, ItemKind, RedLine, ScoreRule, StandardKind
from youfu.standards.models import Section, StandardVersion

POINTS_ATTRS = {"step": "0.01", "min": "0", "inputmode": "decimal"}


class StandardForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("code"), max_length=32)
    name = forms.CharField(label=gettext_lazy("name"), max_length=128)
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=StandardKind.choices)
    score_rule = forms.ChoiceField(label=gettext_lazy("score rule"), choices=ScoreRule.choices)
    max_score = forms.DecimalField(
        label=gettext_lazy("full marks"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        initial=100,
        widget=forms.NumberInput(attrs=POINTS_ATTRS),
    )
    description = forms.CharField(
        label=gettext_lazy("description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = UnitCodeField(
            user=user,
            label=gettext_lazy("owner unit"),
            help_text=gettext_lazy("The unit whose subtree uses the standard (the head office: bank-wide)."),
        )


class StandardEditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=128)
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=StandardKind.choices)
    description = forms.CharField(
        label=gettext_lazy("description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VersionSettingsForm(forms.Form):
    score_rule = forms.ChoiceField(label=gettext_lazy("score rule"), choices=ScoreRule.choices)
    max_score = forms.DecimalField(
        label=gettext_lazy("full marks"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs=POINTS_ATTRS),
    )
    levels = forms.CharField(
        label=gettext_lazy("levels"),
        required=False,
        help_text=gettext_lazy("One per line: label>=minimum, e.g. 五星级网点>=900."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    warnings = forms.CharField(
        label=gettext_lazy("warnings"),
        required=False,
        help_text=gettext_lazy("One per line: what the source leaves unclear. Shown on the standard's page."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @staticmethod
    def initial_for(version: StandardVersion) -> dict[str, Any]:
        return {
            "score_rule": version.score_rule,
            "max_score": version.max_score,
            "levels": "\n".join(f"{level['label']}>={level['min']}" for level in version.levels),
            "warnings": "\n".join(version.warnings),
        }

    def clean_levels(self) -> list[dict[str, str]]:
        levels = []
        for line in self.cleaned_data["levels"].splitlines():
            if not line.strip():
                continue
            match = re.fullmatch(r"\s*(.+?)\s*(?:>=|≥)\s*([0-9]+(?:\.[0-9]+)?)\s*", line)
            if match is None:
                raise forms.ValidationError(
                    _("Write each level as label>=minimum, not “%(line)s”.") % {"line": line}
                )
            levels.append(
                {"min": format(to_decimal(match.group(2)).normalize(), "f"), "label": match.group(1)}
            )
        return sorted(levels, key=lambda level: -to_decimal(level["min"]))

    def clean_warnings(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["warnings"].splitlines() if line.strip()]


class SectionForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("code"), max_length=32)
    name = forms.CharField(label=gettext_lazy("name"), max_length=255)
    points = forms.DecimalField(
        label=gettext_lazy("points (cap)"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs=POINTS_ATTRS),
        help_text=gettext_lazy("The most the section can lose."),
    )
    parent = forms.ModelChoiceField(
        label=gettext_lazy("parent section"), queryset=Section.objects.none(), required=False
    )
    note = forms.CharField(
        label=gettext_lazy("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, version: StandardVersion, section: Section | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = version.sections.order_by("order", "id")
        if section is not None:
            choices = choices.exclude(pk=section.pk)
        parent: Any = self.fields["parent"]
        parent.queryset = choices


class ItemForm(forms.Form):
    section = forms.ModelChoiceField(
        label=gettext_lazy("section"), queryset=Section.objects.none(), empty_label=None
    )
    code = forms.CharField(label=gettext_lazy("code"), max_length=32)
    text = forms.CharField(label=gettext_lazy("what is checked"), widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=ItemKind.choices)
    points = forms.DecimalField(
        label=gettext_lazy("points"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs=POINTS_ATTRS),
        help_text=gettext_lazy("Deduction: per occurrence. Pass/fail and score: what the item is worth."),
    )
    max_occurrences = forms.IntegerField(label=gettext_lazy("at most (times)"), min_value=1, required=False)
    n = forms.IntegerField(label=gettext_lazy("top score (N)"), min_value=1, max_value=1000, required=False)
    na_allowed = forms.BooleanField(label=gettext_lazy("may be not applicable"), required=False)
    aspect = forms.ChoiceField(
        label=gettext_lazy("hardware or software"), choices=Aspect.choices, required=False
    )
    key_item = forms.BooleanField(label=gettext_lazy("key item (重点整治项目)"), required=False)
    red_line = forms.ChoiceField(
        label=gettext_lazy("red line"), choices=RedLine.choices, initial=RedLine.NONE
    )
    red_line_cap = forms.DecimalField(
        label=gettext_lazy("cap of the total"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs=POINTS_ATTRS),
    )
    note = forms.CharField(
        label=gettext_lazy("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, version: StandardVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        section: Any = self.fields["section"]
        section.queryset = version.sections.order_by("order", "id")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check the file and show what would change, without saving"),
        required=False,
        initial=True,
    )
