"""Writes of the notifications domain: send notices (in-app, and by e-mail after commit), mark read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.notifications.models import Notice


def _mail_text(notice: Notice) -> str:
    text = notice.body
    if notice.url:
        base = getattr(settings, "YOUFU_BASE_URL", "").rstrip("/")
        link = f"{base}{notice.url}" if notice.url.startswith("/") else notice.url
        text = f"{text}\n\n{link}" if text else link
    return text


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
) -> list[Notice]:
    """One notice per distinct active recipient; with `email`, the recipients that have an address
    also get it by mail, sent once the surrounding transaction commits (never for a rolled-back write).
    """
    if not kind or not title:
        raise ApplicationError(_("A notice needs a kind and a title."), code="notice_incomplete")
    seen: set[int] = set()
    notices: list[Notice] = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        notices.append(
            Notice(
                recipient=user,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                emailed=bool(email and user.email),
            )
        )
    Notice.objects.bulk_create(notices)
    messages = tuple(
        (n.title, _mail_text(n), settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
        for n in notices
        if n.emailed
    )
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))
    return notices


@transaction.atomic
def notice_mark_read(*, user: Any, notice: Notice) -> Notice:
    """Mark one of the user's own notices read (a second call changes nothing)."""
    if notice.recipient_id != user.pk:
        raise PermissionDeniedError(_("This notice is not yours."))
    Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
    notice.refresh_from_db()
    return notice


@transaction.atomic
def notices_mark_all_read(*, user: Any) -> int:
    """Mark every unread notice of the user read; returns how many changed."""
    return Notice.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
