"""Pages and API: intake, masked contact and logged reveal, the SLA board in red, the queue, verdict
through the page, the rate table; outsiders get 404 and change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from youfu.complaints import selectors, services
from youfu.complaints.choices import ComplaintStatus, EventAction
from youfu.complaints.models import Complaint
from youfu.complaints.tests.conftest import MONDAY, at

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_intake_page_registers_and_makes_the_user_responsible(client, bank, s1_handler):
    client.force_login(s1_handler)
    assert client.get(reverse("complaints:create")).status_code == 200
    response = client.post(
        reverse("complaints:create"),
        {
            "kind": "complaint",
            "channel": "hotline_95580",
            "unit": "O1A",
            "people": "100001",
            "category": "attitude",
            "severity": "low",
            "customer_name": "赵先生",
            "customer_phone": "13812345678",
            "summary": "态度差",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == reverse("complaints:detail", args=[complaint.pk])
    assert complaint.owner == s1_handler


def test_intake_page_refuses_a_past_deadline_and_a_unit_outside(client, bank, s1_handler):
    client.force_login(s1_handler)
    data = {
        "kind": "complaint",
        "channel": "letter",
        "unit": "O1A",
        "category": "fees",
        "severity": "low",
        "summary": "x",
    }
    response = client.post(reverse("complaints:create"), {**data, "resolve_due": "2020-01-01T10:00"})
    assert response.status_code == 200 and "期限已过。" in response.content.decode()
    response = client.post(reverse("complaints:create"), {**data, "unit": "O2A"})
    assert response.status_code == 200
    assert Complaint.objects.count() == 0


def test_the_detail_page_masks_the_contact_and_the_reveal_is_logged(client, hotline, s1_handler):
    client.force_login(s1_handler)
    html = client.get(reverse("complaints:detail", args=[hotline.pk])).content.decode()
    assert "138****5678" in html and "13812345678" not in html
    html = client.post(reverse("complaints:reveal", args=[hotline.pk]), {"reason": "回访"}).content.decode()
    assert "13812345678" in html
    assert hotline.events.filter(action=EventAction.CONTACT_REVEALED, actor=s1_handler).exists()


def test_the_outlet_head_sees_the_case_masked_and_cannot_reveal(client, hotline, outlet_head):
    client.force_login(outlet_head)
    html = client.get(reverse("complaints:detail", args=[hotline.pk])).content.decode()
    assert "138****5678" in html and 'id="reveal-form"' not in html
    assert client.post(reverse("complaints:reveal", args=[hotline.pk]), {"reason": "x"}).status_code == 403
    assert not hotline.events.filter(action=EventAction.CONTACT_REVEALED).exists()


def test_outsiders_get_404_on_pages_and_api_and_change_nothing(client, hotline, outsider):
    client.force_login(outsider)
    assert client.get(reverse("complaints:detail", args=[hotline.pk])).status_code == 404
    assert client.post(reverse("complaints:action", args=[hotline.pk, "acknowledge"])).status_code == 404
    assert client.post(reverse("complaints:reveal", args=[hotline.pk]), {"reason": "x"}).status_code == 404
    api = _api(outsider)
    assert api.get(reverse("api:complaint-detail", args=[hotline.pk])).status_code == 404
    assert (
        api.post(reverse("api:complaint-acknowledge", args=[hotline.pk]), {}, format="json").status_code
        == 404
    )
    assert (
        api.post(
            reverse("api:complaint-contact", args=[hotline.pk]), {"reason": "x"}, format="json"
        ).status_code
        == 404
    )
    assert api.get(reverse("api:complaint-list")).json()["count"] == 0
    assert "TS2025" not in client.get(reverse("complaints:board")).content.decode()
    hotline.refresh_from_db()
    assert hotline.status == ComplaintStatus.RECEIVED and hotline.events.count() == 1


def test_staff_without_the_right_get_403(client, hotline, colleague):
    client.force_login(colleague)
    assert client.get(reverse("complaints:list")).status_code == 403
    assert client.get(reverse("complaints:board")).status_code == 403
    assert _api(colleague).get(reverse("api:complaint-list")).status_code == 403


def test_the_sla_board_shows_late_cases_in_red(client, hotline, s1_handler):
    client.force_login(s1_handler)
    html = client.get(reverse("complaints:board")).content.decode()  # today is long after July 2025
    assert hotline.number in html and 'data-breached="1"' in html and "table-danger" in html
    board = selectors.sla_board(user=s1_handler, now=at(2025, 7, 7, 10, 0))
    assert [(t.which, t.left, t.breached) for t in board.timers] == [("acknowledge", 3 * 3600, False)]


def test_page_actions_take_a_case_to_its_verdict(client, hotline, s1_handler, quarters):
    client.force_login(s1_handler)
    url = lambda action: reverse("complaints:action", args=[hotline.pk, action])  # noqa: E731
    client.post(url("acknowledge"), {"text": "已受理"})
    client.post(url("resolve"), {"resolution": "致歉"})
    response = client.post(url("judge"), {"verdict": "valid", "reason": ""})  # no reason: refused
    hotline.refresh_from_db()
    assert hotline.verdict == "" and response.status_code == 302
    client.post(url("judge"), {"verdict": "valid", "reason": "属实", "evidence": "录像"})
    client.post(url("close"))
    hotline.refresh_from_db()
    assert (hotline.status, hotline.verdict) == (ComplaintStatus.CLOSED, "valid")
    html = client.get(reverse("complaints:detail", args=[hotline.pk])).content.decode()
    assert "属实" in html and 'id="timeline"' in html


def test_the_api_registers_and_judges(bank, s1_handler, quarters):
    api = _api(s1_handler)
    response = api.post(
        reverse("api:complaint-list"),
        {
            "channel": "hotline_96086",
            "unit": "O1B",
            "category": "waiting",
            "summary": "排队",
            "customer_phone": "13900001234",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["phone"] == "139****1234" and "customer_phone" not in body
    pk = body["id"]
    assert (
        api.post(
            reverse("api:complaint-resolve", args=[pk]), {"resolution": "已处理"}, format="json"
        ).status_code
        == 200
    )
    bad = api.post(
        reverse("api:complaint-judge", args=[pk]), {"verdict": "valid", "reason": ""}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "reason"
    ok = api.post(
        reverse("api:complaint-judge", args=[pk]), {"verdict": "invalid", "reason": "客户误解"}, format="json"
    )
    assert ok.json()["verdict"] == "invalid"
    unknown = api.post(reverse("api:complaint-close", args=[pk]), {"x": 1}, format="json")
    assert unknown.status_code == 200  # close takes no body
    contact = api.post(reverse("api:complaint-contact", args=[pk]), {"reason": "回访"}, format="json")
    assert contact.json() == {"name": "", "phone": "13900001234"}


def test_complaint_rate_against_the_baseline_year(bank, s1_handler, client):
    from youfu.org.choices import PeriodKind
    from youfu.org.models import Period

    year = Period.objects.create(
        code="2025", name="2025年", kind=PeriodKind.YEAR, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
    )
    for when, unit in (
        [(at(2024, 3, 4, 10, 0), bank.o1a)] * 5
        + [(at(2025, 3, 4, 10, 0), bank.o1a)] * 3
        + [(at(2025, 5, 6, 10, 0), bank.o1b)]
    ):
        services.complaint_register(
            actor=s1_handler,
            kind="complaint",
            channel="hotline_95580",
            unit=unit,
            category="fees",
            summary="x",
            received_at=when,
            now=when,
        )
    services.complaint_register(  # another channel: not in the 95580 rate
        actor=s1_handler,
        kind="complaint",
        channel="letter",
        unit=bank.o1a,
        category="fees",
        summary="x",
        received_at=MONDAY,
        now=MONDAY,
    )
    rates = selectors.complaint_rates(
        user=s1_handler, period=year, baseline_year=2024, channel="hotline_95580"
    )
    rows = {r.unit.code: (r.baseline, r.current, r.change, r.on_target) for r in rates.rows}
    assert rows == {"O1A": (5, 3, -40, True), "O1B": (0, 1, None, None)}
    assert (rates.baseline_total, rates.current_total, rates.change) == (5, 4, -20)
    client.force_login(s1_handler)
    html = client.get(reverse("complaints:rates"), {"period": "2025", "baseline": "2024"}).content.decode()
    assert "-40.00%" in html and 'id="rate-table"' in html


def test_a_running_year_is_compared_with_the_same_days_of_the_baseline(bank, s1_handler):
    from youfu.org.choices import PeriodKind
    from youfu.org.models import Period

    year = Period.objects.create(
        code="2025", name="2025年", kind=PeriodKind.YEAR, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
    )
    # Two complaints in the baseline year, one before and one after 30 June; one this year, before it.
    for when in (at(2024, 3, 4, 10, 0), at(2024, 11, 4, 10, 0), at(2025, 3, 4, 10, 0)):
        services.complaint_register(
            actor=s1_handler,
            kind="complaint",
            channel="hotline_95580",
            unit=bank.o1a,
            category="fees",
            summary="x",
            received_at=when,
            now=when,
        )

    mid_year = selectors.complaint_rates(
        user=s1_handler, period=year, baseline_year=2024, channel="hotline_95580", today=dt.date(2025, 6, 30)
    )
    whole = selectors.complaint_rates(
        user=s1_handler, period=year, baseline_year=2024, channel="hotline_95580", today=dt.date(2026, 2, 1)
    )

    # 1 against 1 (January to June of both years), not 1 against the whole of 2024's 2 (−50%).
    assert (mid_year.current_end, mid_year.baseline_end) == (dt.date(2025, 6, 30), dt.date(2024, 6, 30))
    assert (mid_year.baseline_total, mid_year.current_total, mid_year.change) == (1, 1, 0)
    assert (whole.current_end, whole.baseline_end) == (dt.date(2025, 12, 31), dt.date(2024, 12, 31))
    assert (whole.baseline_total, whole.current_total, whole.change) == (2, 1, -50)


def test_the_overview_shows_the_complaint_rate_to_those_who_read_complaints(
    bank, s1_handler, client, colleague
):
    from django.utils import timezone

    from youfu.org.choices import PeriodKind
    from youfu.org.models import Period

    this_year = timezone.localdate().year
    Period.objects.create(
        code=str(this_year),
        name=f"{this_year}年",
        kind=PeriodKind.YEAR,
        start=dt.date(this_year, 1, 1),
        end=dt.date(this_year, 12, 31),
    )
    for when in [at(this_year - 1, 1, 6, 10, 0)] * 4 + [at(this_year, 1, 6, 10, 0)] * 2:
        services.complaint_register(
            actor=s1_handler,
            kind="complaint",
            channel="hotline_95580",
            unit=bank.o1a,
            category="fees",
            summary="x",
            received_at=when,
            now=when,
        )
    client.force_login(s1_handler)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert 'id="complaint-rate"' in page
    assert 'data-rate="current">2<' in page and 'data-rate="baseline">4<' in page
    assert 'data-rate="change">-50.00%<' in page and "text-success" in page  # −50% beats the −40% target

    client.force_login(colleague)  # staff: no right to read complaints, no tile
    assert 'id="complaint-rate"' not in client.get(reverse("web:dashboard")).content.decode()
