"""Pages of users and their roles (用户与角色): the list, a user's page, creating a user, changing their
unit, roles and active flag, and resetting their password.

Like every page: login only, the viewer's subtree only (a user outside it is a 404), reads through
youfu.accounts.selectors, writes through youfu.accounts.services, whose refusals (ApplicationError) are
shown on the form with nothing changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from youfu.accounts import services
from youfu.accounts.access import may_manage_user
from youfu.accounts.choices import Role
from youfu.accounts.filters import UserFilter
from youfu.accounts.forms import PasswordSetForm, UserCreateForm, UserUpdateForm
from youfu.accounts.models import User
from youfu.accounts.selectors import user_get, user_list, visible_person_ids
from youfu.core.errors import ApplicationError
from youfu.web.pages import (
    add_application_error,
    filter_choices,
    paginate,
    sort_queryset,
    style_form,
    unit_code_input,
)

USER_SORTS = {
    "username": "username",
    "unit": ("unit__path", "username"),
    "last_login": ("last_login", "username"),
}


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _roles_of(user: User) -> list[Role]:
    """The user's roles in the order they are declared, from the prefetched groups (no query per row)."""
    names = {group.name for group in user.groups.all()}
    return [role for role in Role if role.value in names]


def _name(user: User, person_visible: bool) -> str:
    """The holder's name: their staff record's if the viewer may see it, else the name on the login."""
    if person_visible and user.person is not None:
        return user.person.name
    return user.get_full_name()


def _user_context(request: HttpRequest, user: User) -> dict[str, Any]:
    person_visible = user.person_id in visible_person_ids(user=request.user, users=[user])
    return {
        "account": user,  # not "user": that name is the signed-in user in every template
        "account_name": _name(user, person_visible),
        "roles": _roles_of(user),
        "person_visible": person_visible,
    }


@login_required
def user_list_page(request: HttpRequest) -> HttpResponse:
    _require(request, "accounts.view_user")
    users = UserFilter(request.GET or None, queryset=user_list(user=request.user), request=request)
    style_form(users.form, small=True)
    filter_choices(users.form)
    unit_code_input(users.form, "unit", small=True)
    found: QuerySet[User] = users.qs if not users.is_bound or users.is_valid() else users.queryset.none()
    ordered, sorting = sort_queryset(request, found, USER_SORTS, "username")
    page = paginate(request, ordered)
    accounts = list(page.object_list)
    people = visible_person_ids(user=request.user, users=accounts)
    rows = [
        {
            "account": account,
            "name": _name(account, account.person_id in people),
            "roles": _roles_of(account),
            "person_visible": account.person_id in people,
        }
        for account in accounts
    ]
    return render(
        request,
        "accounts/user_list.html",
        {"filter": users, "sorting": sorting, "page_obj": page, "rows": rows},
    )


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "accounts.view_user")
    user = user_get(user=request.user, pk=pk)
    context = _user_context(request, user)
    context["can_manage"] = may_manage_user(request.user, user)
    return render(request, "accounts/user_detail.html", context)


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    _require(request, "accounts.add_user")
    initial = {}
    if request.method == "GET" and request.GET.get("unit"):
        initial["unit"] = request.GET["unit"]
    form = UserCreateForm(request.POST or None, user=request.user, initial=initial)
    style_form(form)
    unit_code_input(form, "unit")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password1"],
                unit=data["unit"],
                roles=data["roles"],
                person=data["person"],
                email=data["email"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc, {"password": "password1"})
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "title": _("New user")})


def _managed_user(request: HttpRequest, pk: int) -> User:
    """A user the signed-in user may change: 404 outside the subtree, 403 without the right (or for an
    administrator, whom only an administrator changes)."""
    _require(request, "accounts.view_user")
    user = user_get(user=request.user, pk=pk)
    if not may_manage_user(request.user, user):
        raise PermissionDenied
    return user


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _managed_user(request, pk)
    roles = [role.value for role in _roles_of(user)]
    form = UserUpdateForm(request.POST or None, user=request.user, target=user, roles=roles)
    style_form(form)
    unit_code_input(form, "unit")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                actor=request.user,
                user=user,
                unit=data["unit"],
                roles=data["roles"],
                is_active=data["is_active"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("User %(name)s saved.") % {"name": user.username})
            return redirect("accounts:user_detail", pk=user.pk)
    context = _user_context(request, user)
    context.update({"form": form, "title": _("Edit %(name)s") % {"name": user.username}})
    return render(request, "accounts/user_form.html", context)


@login_required
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = _managed_user(request, pk)
    form = style_form(PasswordSetForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(actor=request.user, user=user, password=form.cleaned_data["password1"])
        except ApplicationError as exc:
            add_application_error(form, exc, {"password": "password1"})
        else:
            if user.pk == request.user.pk:
                update_session_auth_hash(request, user)  # stay signed in after changing one's own
            messages.success(request, _("The password of %(name)s was reset.") % {"name": user.username})
            return redirect("accounts:user_detail", pk=user.pk)
    context = _user_context(request, user)
    context.update({"form": form, "title": _("Reset the password of %(name)s") % {"name": user.username}})
    return render(request, "accounts/user_password.html", context)
