"""Forms of the users pages. They check the shape of the input only; who may do what, and where, is
checked by youfu.accounts.services (whose errors the pages show on these fields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.org.forms import UnitCodeField
from youfu.org.selectors import person_list


def _password_help() -> str:
    return " ".join(str(text) for text in password_validators_help_texts())


class PersonNumberField(forms.ModelChoiceField):
    """A person chosen by employee number, among the people the user may see."""

    default_error_messages = {
        "invalid_choice": _(
            "No one with employee number %(value)s in the part of the organisation you are responsible for."
        ),
    }

    def __init__(self, *, user: Any, **kwargs: Any) -> None:
        super().__init__(
            queryset=person_list(user=user), to_field_name="employee_no", widget=forms.TextInput, **kwargs
        )


class PasswordPairForm(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=lazy(_password_help, str)(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return data


class UserCreateForm(PasswordPairForm):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("For signing in: letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )

    field_order = ["username", "password1", "password2", "unit", "roles", "person", "email"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitCodeField(
            user=user,
            label=_("Unit in charge"),
            help_text=User._meta.get_field("unit").help_text,
        )
        self.fields["person"] = PersonNumberField(
            user=user,
            label=_("Employee number of the person"),
            required=False,
            help_text=_("Optional: links the login to the staff record of its holder."),
        )
        self.order_fields(self.field_order)


class UserUpdateForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("An inactive user cannot sign in; their history is kept."),
    )

    def __init__(self, *args: Any, user: Any, target: User, roles: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"unit": target.unit, "roles": roles, "is_active": target.is_active})
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitCodeField(
            user=user,
            label=_("Unit in charge"),
            help_text=User._meta.get_field("unit").help_text,
        )
        self.order_fields(["unit", "roles", "is_active"])
        # An administrator needs neither a role nor a unit (their scope is the whole bank).
        self.fields["unit"].required = target.unit_id is not None
        self.fields["roles"].required = not target.is_superuser and user.pk != target.pk
        if user.pk == target.pk:
            # Shown, not editable: nobody changes their own roles or locks themselves out.
            for name in ("roles", "is_active"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("You cannot change this on your own login.")


class PasswordSetForm(PasswordPairForm):
    pass
