"""Forms of the scoring pages: upload a policy version, score a period, a what-if run, the filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from youfu.org.models import Period
from youfu.scoring.choices import PolicyStatus, RunKind, RunStatus
from youfu.scoring.models import PolicyVersion, ScoreRun

MAX_POLICY_BYTES = 1_000_000


class PeriodField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Period) -> str:
        return f"{obj.code} {obj.name}"


class VersionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PolicyVersion) -> str:
        return f"{obj.name} v{obj.version} · {obj.get_status_display()}"


class RunField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ScoreRun) -> str:
        version = obj.policy_version
        return f"#{obj.pk} {version.name} v{version.version} · {obj.period.code} · {obj.get_status_display()}"


def _choice(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _periods() -> Any:
    return Period.objects.order_by("-start", "end")


class PolicyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Policy file (YAML)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,text/yaml"}),
        help_text=_("Checked before anything is stored; errors are listed with their line numbers."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (PolicyStatus.ACTIVE, PolicyStatus.ACTIVE.label),
            (PolicyStatus.DRAFT, PolicyStatus.DRAFT.label),
        ],
        initial=PolicyStatus.DRAFT,
        help_text=_(
            "In force: official runs use it (the policy's previous version retires). Draft: what-if only."
        ),
    )

    def clean_file(self) -> tuple[str, str]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_POLICY_BYTES:
            raise forms.ValidationError(_("A policy file is at most 1 MB."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc
        return upload.name, text


class ScorePeriodForm(forms.Form):
    """Score a period with the policy's version in force."""

    version = VersionField(queryset=PolicyVersion.objects.none(), label=_("Policy (version in force)"))
    period = PeriodField(queryset=_periods(), to_field_name="code", label=_("Period"))

    def __init__(self, *args: Any, versions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "version").queryset = versions if versions is not None else PolicyVersion.objects.none()
        _choice(self, "period").queryset = _periods()


class WhatIfForm(forms.Form):
    """Run a draft version over a past period and compare it with an official run."""

    version = VersionField(queryset=PolicyVersion.objects.none(), label=_("Draft version"))
    period = PeriodField(queryset=_periods(), to_field_name="code", label=_("Period"))
    baseline = RunField(queryset=ScoreRun.objects.none(), label=_("Compare with (official run)"))

    def __init__(self, *args: Any, versions: Any = None, baselines: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "version").queryset = versions if versions is not None else PolicyVersion.objects.none()
        _choice(self, "baseline").queryset = baselines if baselines is not None else ScoreRun.objects.none()
        _choice(self, "period").queryset = _periods()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        baseline, period = data.get("baseline"), data.get("period")
        if baseline is not None and period is not None and baseline.period_id != period.pk:
            self.add_error("baseline", _("Choose an official run of the same period."))
        return data


class RunFilterForm(forms.Form):
    policy = forms.ChoiceField(label=_("Policy"), required=False)
    period = PeriodField(queryset=_periods(), to_field_name="code", label=_("Period"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *RunKind.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *RunStatus.choices]
    )

    def __init__(self, *args: Any, policies: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["policy"]).choices = [
            ("", _("All")),
            *((p, p) for p in policies or []),
        ]
        _choice(self, "period").queryset = _periods()
        _choice(self, "period").empty_label = _("All")
