"""Pages of the notifications domain: the inbox (everyone has one, only their own notices), mark one
read (and follow its link), mark all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from youfu.notifications import selectors, services
from youfu.web.pages import paginate


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    rows = selectors.notices_for(request.user, unread=unread_only)
    return render(
        request,
        "notifications/list.html",
        {"page_obj": paginate(request, rows), "unread_only": unread_only},
    )


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(user=request.user, pk=pk)
    services.notice_mark_read(user=request.user, notice=notice)
    if request.POST.get("follow") and notice.url and url_has_allowed_host_and_scheme(notice.url, None):
        return redirect(notice.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notice_read_all(request: HttpRequest) -> HttpResponse:
    services.notices_mark_all_read(user=request.user)
    return redirect("notifications:list")
