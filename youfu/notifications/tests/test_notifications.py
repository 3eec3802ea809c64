"""Notices: notify (in-app + mail on commit), inbox page and badge, mark read, API, jobs and `youfu tick`."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from youfu.core.errors import PermissionDeniedError
from youfu.notifications import jobs, selectors, services
from youfu.notifications.models import Notice

pytestmark = pytest.mark.django_db


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_notify_creates_one_notice_per_recipient_and_mails_those_with_an_address(
    outlet_head: Any, colleague: Any, django_capture_on_commit_callbacks: Any
) -> None:
    outlet_head.email = "head@example.com"
    outlet_head.save()
    colleague.email = ""
    colleague.save()
    with django_capture_on_commit_callbacks(execute=True):
        notices = services.notify(
            recipients=[outlet_head, colleague, outlet_head],
            kind="test_kind",
            title="整改到期提醒",
            body="请在3天内完成整改",
            url="/rectification/1/",
        )
    assert [n.recipient for n in notices] == [outlet_head, colleague]
    assert Notice.objects.count() == 2
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["head@example.com"]
    assert mail.outbox[0].subject == "整改到期提醒"
    assert "请在3天内完成整改" in mail.outbox[0].body
    assert mail.outbox[0].body.endswith("/rectification/1/")


def test_notify_without_email_sends_no_mail(
    outlet_head: Any, django_capture_on_commit_callbacks: Any
) -> None:
    outlet_head.email = "head@example.com"
    outlet_head.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[outlet_head], kind="k", title="t", email=False)
    assert Notice.objects.filter(recipient=outlet_head).count() == 1
    assert mail.outbox == []


def test_unread_count_and_mark_read(outlet_head: Any, colleague: Any) -> None:
    services.notify(recipients=[outlet_head], kind="k", title="one", email=False)
    notice = services.notify(recipients=[outlet_head], kind="k", title="two", email=False)[0]
    assert selectors.unread_count(outlet_head) == 2
    services.notice_mark_read(user=outlet_head, notice=notice)
    assert selectors.unread_count(outlet_head) == 1
    assert [n.title for n in selectors.notices_for(outlet_head, unread=True)] == ["one"]
    with pytest.raises(PermissionDeniedError):
        services.notice_mark_read(user=colleague, notice=Notice.objects.get(title="one"))
    assert selectors.unread_count(outlet_head) == 1


def test_inbox_page_shows_own_notices_and_badge(outlet_head: Any, colleague: Any) -> None:
    services.notify(recipients=[outlet_head], kind="k", title="给刘强的通知", email=False)
    services.notify(recipients=[colleague], kind="k", title="给张伟的通知", email=False)
    page = _login(outlet_head).get(reverse("notifications:list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "给刘强的通知" in html
    assert "给张伟的通知" not in html
    assert 'id="notice-badge">1<' in html


def test_mark_read_page_refuses_someone_elses_notice(outlet_head: Any, colleague: Any) -> None:
    notice = services.notify(recipients=[colleague], kind="k", title="x", email=False)[0]
    response = _login(outlet_head).post(reverse("notifications:read", args=[notice.pk]))
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None
    response = _login(colleague).post(reverse("notifications:read", args=[notice.pk]), {"follow": "1"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_mark_all_read_page(outlet_head: Any) -> None:
    services.notify(recipients=[outlet_head], kind="k", title="a", email=False)
    services.notify(recipients=[outlet_head], kind="k", title="b", email=False)
    _login(outlet_head).post(reverse("notifications:read_all"))
    assert selectors.unread_count(outlet_head) == 0


def test_api_lists_and_marks_only_own(outlet_head: Any, colleague: Any) -> None:
    mine = services.notify(recipients=[outlet_head], kind="k", title="mine", email=False)[0]
    theirs = services.notify(recipients=[colleague], kind="k", title="theirs", email=False)[0]
    api = APIClient()
    api.force_authenticate(outlet_head)
    listing = api.get("/api/v1/notifications/").json()
    assert [row["title"] for row in listing["results"]] == ["mine"]
    assert api.get("/api/v1/notifications/unread/").json() == {"unread": 1}
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    answer = api.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert answer.status_code == 200
    assert answer.json()["read_at"] is not None
    assert api.post("/api/v1/notifications/read-all/").json() == {"unread": 0}
    assert APIClient().get("/api/v1/notifications/").status_code in (401, 403)


def test_run_jobs_runs_each_job_and_reports_failures() -> None:
    seen: list[dt.datetime] = []
    now = timezone.now()

    def ok(when: dt.datetime) -> dict[str, Any]:
        seen.append(when)
        return {"done": 2}

    def broken(when: dt.datetime) -> dict[str, Any]:
        raise RuntimeError("boom")

    jobs.register_job("zz_test_ok", ok)
    jobs.register_job("zz_test_broken", broken)
    try:
        results = jobs.run_jobs(now)
    finally:
        jobs.unregister_job("zz_test_ok")
        jobs.unregister_job("zz_test_broken")
    assert seen == [now]
    assert results["zz_test_ok"] == {"done": 2}
    assert results["zz_test_broken"] == {"error": "RuntimeError: boom"}


def test_tick_command_prints_each_job() -> None:
    jobs.register_job("zz_test_tick", lambda when: {"at": when.date().isoformat()})
    out = io.StringIO()
    try:
        call_command("tick", "--now", "2026-03-01T09:00:00", stdout=out)
    finally:
        jobs.unregister_job("zz_test_tick")
    assert 'zz_test_tick: {"at": "2026-03-01"}' in out.getvalue()


def test_ticker_runs_the_jobs_in_a_background_thread(monkeypatch: Any) -> None:
    import threading

    ran = threading.Event()

    def job(when: dt.datetime) -> dict[str, Any]:
        ran.set()
        return {}

    monkeypatch.setattr(jobs, "_jobs", {"zz_test_thread": job})
    # The thread hands its connection back after each round; this test has no database to hand back.
    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)
    thread = jobs.start_ticker(interval=0.05)
    try:
        assert ran.wait(5)
        assert thread.daemon
    finally:
        thread.stop.set()  # type: ignore[attr-defined]
        thread.join(5)
    assert not thread.is_alive()


@pytest.mark.parametrize(("args", "started"), [(["--no-demo"], 1), (["--no-demo", "--no-tick"], 0)])
def test_serve_starts_the_ticker_unless_no_tick(monkeypatch: Any, args: list[str], started: int) -> None:
    from youfu.core.management.commands import serve

    calls: list[int] = []
    monkeypatch.setattr(serve, "run_server", lambda **kwargs: None)
    monkeypatch.setattr(jobs, "start_ticker", lambda interval=jobs.TICK_SECONDS: calls.append(interval))
    call_command("serve", *args, stdout=io.StringIO())
    assert calls == [jobs.TICK_SECONDS] * started
