from __future__ import annotations

from django.test import Client
from django.urls import reverse

from youfu.accounts.models import User
from youfu.ledger.models import LedgerEntry
from youfu.ledger.tests.conftest import PostViolation
from youfu.testing.factories import UserFactory


def test_the_admin_shows_the_ledger_read_only(
    client: Client, admin: User, post_violation: PostViolation
) -> None:
    entry, *_ = post_violation()
    client.force_login(admin)

    changelist = client.get(reverse("admin:ledger_ledgerentry_changelist"))
    detail = client.get(reverse("admin:ledger_ledgerentry_change", args=[entry.pk]))
    add = client.get(reverse("admin:ledger_ledgerentry_add"))
    delete = client.post(reverse("admin:ledger_ledgerentry_delete", args=[entry.pk]), {"post": "yes"})
    locks = client.get(reverse("admin:ledger_periodlock_changelist"))

    assert (changelist.status_code, detail.status_code, locks.status_code) == (200, 200, 200)
    assert "张伟" in changelist.content.decode()
    assert b'name="_save"' not in detail.content
    assert (add.status_code, delete.status_code) == (403, 403)
    assert LedgerEntry.objects.count() == 3


def test_staff_who_are_not_administrators_do_not_see_it(
    client: Client, post_violation: PostViolation
) -> None:
    post_violation()
    client.force_login(UserFactory.create(username="staffer", is_staff=True))

    response = client.get(reverse("admin:ledger_ledgerentry_changelist"))

    assert response.status_code == 403
