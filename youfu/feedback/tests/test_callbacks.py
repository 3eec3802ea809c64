"""Callbacks (电话回访): the customer list import (all or nothing, idempotent), the reproducible monthly
draw that leaves recent customers out, the points per call (seed 001: +2 / 0 / −2), replacement after
the tries, facts, access by subtree (pages, API, export) and the CLI."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from youfu.core.errors import ApplicationError
from youfu.facts.models import Fact
from youfu.feedback.callback_selectors import callback_results, draw_list
from youfu.feedback.callback_services import (
    callback_call_record,
    callback_contacts_import,
    callback_facts_record,
    callback_rule_set,
    callbacks_draw,
    draw_pool,
    draw_seed,
)
from youfu.feedback.choices import CallResult, CallStatus
from youfu.feedback.forms import last_month
from youfu.feedback.models import CallbackCall, CallbackContact, CallbackDraw, CallbackImport
from youfu.org.choices import PeriodKind
from youfu.org.models import Period

OCT = dt.date(2025, 10, 1)
HEADER = "客户姓名,手机号,交易日期,柜员号,网点号\n"


def contact_csv(outlet: str, teller: str, n: int, *, day: str = "2025-10-08", start: int = 0) -> bytes:
    rows = [f"客户{i},1380000{i:04d},{day},{teller},{outlet}\n" for i in range(start, start + n)]
    return (HEADER + "".join(rows)).encode()


@pytest.fixture
def listed(bank, s1_office):
    callback_contacts_import(actor=s1_office, data=contact_csv("O1A", "100001", 30), file_name="o1a.csv")
    callback_contacts_import(
        actor=s1_office, data=contact_csv("O1B", "100002", 5, start=100), file_name="o1b.csv"
    )


@pytest.fixture
def october(db):
    return Period.objects.create(
        code="2025-10", name="2025年10月", kind=PeriodKind.MONTH, start=OCT, end=dt.date(2025, 10, 31)
    )


def test_import_adds_customers_and_the_same_file_twice_adds_nothing(bank, s1_office):
    data = contact_csv("O1A", "100001", 12)
    first = callback_contacts_import(actor=s1_office, data=data, file_name="a.csv")
    again = callback_contacts_import(actor=s1_office, data=data, file_name="a.csv")
    assert first.created and first.batch.created_count == 12
    assert not again.created and again.batch.pk == first.batch.pk
    # an overlapping file: the customers already listed are left as they are
    overlap = callback_contacts_import(
        actor=s1_office, data=contact_csv("O1A", "100001", 15), file_name="b.csv"
    )
    assert (overlap.batch.created_count, overlap.batch.unchanged_count) == (3, 12)
    assert CallbackContact.objects.count() == 15


def test_a_bad_row_refuses_the_whole_file_and_changes_nothing(bank, s1_office):
    lines = [
        "张三,13800001111,2025-10-08,100001,O1A",
        "李四,13800002222,2025-13-08,100001,O1A",  # bad date
        "王五,13800003333,2025-10-08,999999,O1A",  # unknown teller
        "赵六,13800004444,2025-10-08,200001,O2A",  # outside S1
        "钱七,abc,2025-10-08,100001,O1A",  # bad phone
    ]
    with pytest.raises(ApplicationError) as caught:
        callback_contacts_import(
            actor=s1_office, data=(HEADER + "\n".join(lines)).encode(), file_name="bad.csv"
        )
    assert caught.value.code == "import_invalid"
    assert {(d.row, d.code) for d in caught.value.details} == {
        (3, "bad_date"),
        (4, "unknown_teller"),
        (5, "outside_scope"),
        (6, "bad_phone"),
    }
    assert CallbackContact.objects.count() == 0 and CallbackImport.objects.count() == 0


def test_an_excel_list_imports(bank, s1_office):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["客户姓名", "手机号", "交易日期", "柜员号", "网点号"])
    sheet.append(["张三", "13800001111", dt.date(2025, 10, 8), "100001", "O1A"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = callback_contacts_import(actor=s1_office, data=buffer.getvalue(), file_name="list.xlsx")
    assert result.batch.created_count == 1
    assert CallbackContact.objects.get().transaction_date == dt.date(2025, 10, 8)


def test_the_draw_is_reproducible_and_stores_its_seed(bank, s1_office, listed):
    result = callbacks_draw(actor=s1_office, unit=bank.s1, month=OCT, today=dt.date(2025, 11, 5))
    by_outlet = {d.unit.code: d for d in result.created}
    o1a = by_outlet["O1A"]
    assert o1a.seed == draw_seed("O1A", OCT) and o1a.sample_size == 10
    chosen = list(o1a.calls.order_by("position").values_list("contact_id", flat=True))
    assert len(chosen) == 10
    # drawn again from the same list with the stored seed: the same customers in the same order
    assert draw_pool(bank.o1a, OCT, o1a.seed, o1a.exclude_months)[:10] == chosen
    # O1B has 5 customers only: drawn short, and said so
    assert [(u.code, drawn, wanted) for u, drawn, wanted in result.short] == [("O1B", 5, 10)]
    # drawing the month again changes nothing
    again = callbacks_draw(actor=s1_office, unit=bank.s1, month=OCT, today=dt.date(2025, 11, 5))
    assert not again.created and len(again.existing) == 2
    assert CallbackCall.objects.count() == 15


def test_the_draw_leaves_out_customers_called_in_the_last_months(bank, s1_office):
    callback_contacts_import(actor=s1_office, data=contact_csv("O1A", "100001", 12), file_name="sep.csv")
    CallbackContact.objects.update(transaction_date=dt.date(2025, 9, 10))
    september = callbacks_draw(actor=s1_office, unit=bank.o1a, month=dt.date(2025, 9, 1), today=OCT).created[
        0
    ]
    called = {c.contact.phone for c in september.calls.select_related("contact")}
    # the same 12 customers come back in October, with 8 new ones
    callback_contacts_import(actor=s1_office, data=contact_csv("O1A", "100001", 20), file_name="oct.csv")
    october = callbacks_draw(actor=s1_office, unit=bank.o1a, month=OCT, today=dt.date(2025, 11, 1)).created[0]
    drawn = {c.contact.phone for c in october.calls.select_related("contact")}
    assert len(called) == 10 and not (called & drawn)
    assert len(drawn) == 10  # 20 − 10 recently called = 10 left


def test_points_per_call_follow_seed_001_and_the_rule_replaces_after_the_tries(bank, s1_office, listed):
    callback_rule_set(actor=s1_office, unit=bank.s1, sample_size=3, exclude_months=3, max_attempts=2)
    draw = callbacks_draw(actor=s1_office, unit=bank.o1a, month=OCT, today=dt.date(2025, 11, 1)).created[0]
    assert draw.sample_size == 3 and draw.max_attempts == 2
    calls = list(draw.calls.order_by("position"))
    points = {}
    for call, result in zip(calls, [CallResult.SATISFIED, CallResult.NEUTRAL], strict=False):
        points[result] = callback_call_record(
            actor=s1_office, call=call, reached=True, result=result
        ).call.points
    assert points == {CallResult.SATISFIED: Decimal("2"), CallResult.NEUTRAL: Decimal("0")}
    third = calls[2]
    first_try = callback_call_record(actor=s1_office, call=third, reached=False)
    assert first_try.call.status == CallStatus.PENDING and first_try.replacement is None
    second_try = callback_call_record(actor=s1_office, call=third, reached=False)
    assert second_try.call.status == CallStatus.UNREACHABLE
    replacement = second_try.replacement
    assert replacement is not None and replacement.position == 4 and replacement.replaces_id == third.pk
    unhappy = callback_call_record(
        actor=s1_office, call=replacement, reached=True, result=CallResult.UNSATISFIED, comments="排队太久"
    )
    assert unhappy.call.points == Decimal("-2")
    with pytest.raises(ApplicationError):
        callback_call_record(actor=s1_office, call=third, reached=True, result=CallResult.SATISFIED)
    [line] = callback_results(user=s1_office, start=OCT, end=dt.date(2025, 10, 31), grouping="outlet")
    assert (line.drawn, line.reached, line.unreachable, line.points) == (3, 3, 1, Decimal("0.0"))


def test_results_are_recorded_as_facts_for_the_outlet_and_the_teller(bank, s1_office, listed, october):
    draw = callbacks_draw(actor=s1_office, unit=bank.o1a, month=OCT, today=dt.date(2025, 11, 1)).created[0]
    for call in draw.calls.all()[:4]:
        callback_call_record(actor=s1_office, call=call, reached=True, result=CallResult.SATISFIED)
    callback_facts_record(actor=s1_office, period=october)
    facts = {(f.unit_id, f.person_id, f.name): f.value_number for f in Fact.objects.filter(is_current=True)}
    assert facts[(bank.o1a.pk, None, "callback_points")] == Decimal("8")
    assert facts[(bank.o1a.pk, None, "callback_calls")] == Decimal("4")
    teller = {name: v for (unit, person, name), v in facts.items() if person == bank.teller_1a.pk}
    assert teller["callback_satisfied"] == Decimal("4") and teller["callback_points"] == Decimal("8")
    again = callback_facts_record(actor=s1_office, period=october)
    assert (again.created, again.changed) == (0, 0)


def test_s2_sees_nothing_of_s1s_callbacks(bank, s1_office, outsider, listed):
    draw = callbacks_draw(actor=s1_office, unit=bank.o1a, month=OCT, today=dt.date(2025, 11, 1)).created[0]
    call = draw.calls.select_related("contact").earliest("position")
    callback_call_record(
        actor=s1_office, call=call, reached=True, result=CallResult.SATISFIED, comments="很好"
    )
    assert list(draw_list(user=outsider)) == []
    assert callback_results(user=outsider, start=OCT, end=dt.date(2025, 10, 31)) == []
    web = Client()
    web.force_login(outsider)
    assert web.get(reverse("feedback:callback_draw", args=[draw.pk])).status_code == 404
    assert web.get(reverse("feedback:call", args=[call.pk])).status_code == 404
    assert (
        web.post(
            reverse("feedback:call", args=[call.pk]), {"reached": "yes", "result": "unsatisfied"}
        ).status_code
        == 404
    )
    page = web.get(reverse("feedback:callbacks"), {"month": "2025-10"}).content.decode()
    export = web.get(
        reverse("feedback:callback_results_export"), {"start": "2025-10-01", "end": "2025-10-31"}
    )
    assert export.status_code == 200
    for text in (page, export.content.decode("latin-1")):
        assert "东城营业部" not in text and "O1A" not in text
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/feedback/callbacks/draws/{draw.pk}/").status_code == 404
    assert api.get(f"/api/v1/feedback/callbacks/calls/{call.pk}/").status_code == 404
    assert (
        api.post(
            f"/api/v1/feedback/callbacks/calls/{call.pk}/", {"reached": False}, format="json"
        ).status_code
        == 404
    )
    assert api.get("/api/v1/feedback/callbacks/draws/").json()["results"] == []
    assert (
        api.get("/api/v1/feedback/callbacks/results/?start=2025-10-01&end=2025-10-31").json()["lines"] == []
    )
    call.refresh_from_db()
    assert call.result == CallResult.SATISFIED and call.attempts == 1  # nothing changed
    # and S1 sees it, the phone masked except on the call page while it is still to be made
    mine = Client()
    mine.force_login(s1_office)
    sample = mine.get(reverse("feedback:callback_draw", args=[draw.pk])).content.decode()
    assert call.contact.phone not in sample and call.contact.masked_phone in sample
    pending = draw.calls.filter(status=CallStatus.PENDING).select_related("contact").earliest("position")
    assert pending.contact.phone in mine.get(reverse("feedback:call", args=[pending.pk])).content.decode()
    assert call.contact.phone not in mine.get(reverse("feedback:call", args=[call.pk])).content.decode()


def test_the_outlet_head_sees_masked_phones_and_cannot_call(bank, s1_office, outlet_head, listed):
    draw = callbacks_draw(actor=s1_office, unit=bank.o1a, month=OCT, today=dt.date(2025, 11, 1)).created[0]
    call = draw.calls.select_related("contact").earliest("position")
    web = Client()
    web.force_login(outlet_head)
    page = web.get(reverse("feedback:call", args=[call.pk])).content.decode()
    assert call.contact.phone not in page and call.contact.masked_phone in page
    assert (
        web.post(
            reverse("feedback:call", args=[call.pk]), {"reached": "yes", "result": "satisfied"}
        ).status_code
        == 403
    )


def test_pages_api_and_recording_a_call_on_the_web(bank, s1_office, listed, october):
    web = Client()
    web.force_login(s1_office)
    response = web.post(reverse("feedback:callbacks_draw"), {"month": "2025-10", "unit": "S1"})
    assert response.status_code == 302 and CallbackDraw.objects.count() == 2
    draw = CallbackDraw.objects.get(unit=bank.o1a)
    call = draw.calls.earliest("position")
    response = web.post(
        reverse("feedback:call", args=[call.pk]),
        {"reached": "yes", "result": "unsatisfied", "teller": "100001", "comments": "态度一般"},
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.points == Decimal("-2") and call.called_by == s1_office
    for name in ("feedback:callbacks", "feedback:callback_results", "feedback:callbacks_import"):
        assert web.get(reverse(name)).status_code == 200
    assert (
        web.get(reverse("feedback:callback_results"), {"period": "2025-10", "by": "person"}).status_code
        == 200
    )
    api = APIClient()
    api.force_authenticate(s1_office)
    body = api.get(f"/api/v1/feedback/callbacks/draws/{draw.pk}/").json()
    assert body["calls"][0]["points"] == "-2.0" and "*" in body["calls"][0]["phone"]
    result = api.get("/api/v1/feedback/callbacks/results/?period=2025-10&by=outlet").json()
    assert result["total"]["points"] == "-2.0"
    upload = io.BytesIO(contact_csv("O1A", "100001", 3, start=500))
    upload.name = "more.csv"
    assert (
        api.post(
            "/api/v1/feedback/callbacks/contacts/import/", {"file": upload}, format="multipart"
        ).status_code
        == 201
    )
    nxt = api.post("/api/v1/feedback/callbacks/draws/", {"month": "2025-11", "unit": "O1A"}, format="json")
    assert nxt.status_code in (201, 400)  # 400 only when the test runs before November 2025


def test_cli(bank, s1_office, tmp_path, october):
    file = tmp_path / "list.csv"
    file.write_bytes(contact_csv("O1A", "100001", 12))
    out = io.StringIO()
    call_command("feedback", "callbacks-import", str(file), "--as", "s1_office", stdout=out)
    call_command(
        "feedback",
        "callbacks-draw",
        "--month",
        "2025-10",
        "--unit",
        "S1",
        "--as",
        "s1_office",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert CallbackDraw.objects.count() == 2
    for call in CallbackCall.objects.filter(draw__unit=bank.o1a)[:2]:
        callback_call_record(actor=s1_office, call=call, reached=True, result=CallResult.SATISFIED)
    call_command("feedback", "callbacks-results", "--period", "2025-10", "--as", "s1_office", stdout=out)
    call_command("feedback", "callbacks-facts", "--period", "2025-10", "--as", "s1_office", stdout=out)
    text = out.getvalue()
    assert "12" in text and "O1A" in text and "4.0" in text
    assert Fact.objects.filter(name="callback_points", unit=bank.o1a, is_current=True).exists()


def test_recording_facts_on_the_web_says_what_changed_and_asks_for_a_period(bank, s1_office, listed, october):
    draw = callbacks_draw(actor=s1_office, unit=bank.o1a, month=OCT, today=dt.date(2025, 11, 1)).created[0]
    for call in draw.calls.all()[:2]:
        callback_call_record(actor=s1_office, call=call, reached=True, result=CallResult.SATISFIED)
    web = Client()
    web.force_login(s1_office)

    first = web.post(reverse("feedback:callback_facts"), {"period": "2025-10"}, follow=True)
    again = web.post(reverse("feedback:callback_facts"), {"period": "2025-10"}, follow=True)

    assert first.redirect_chain == [(reverse("feedback:callbacks"), 302)]
    created = Fact.objects.filter(is_current=True, name__startswith="callback_").count()
    assert created > 0
    assert [str(m) for m in first.context["messages"]] == [
        f"2025-10：新增 {created} 个值，变更 0 个，未变 0 个。"
    ]
    assert [str(m) for m in again.context["messages"]] == [
        f"2025-10：新增 0 个值，变更 0 个，未变 {created} 个。"
    ]
    # No period of that code, and none for last month (the fallback): the user is asked for one.
    assert not Period.objects.filter(start=last_month(timezone.localdate())[0], kind="month").exists()
    missing = web.post(reverse("feedback:callback_facts"), {"period": "nope"}, follow=True)
    assert [str(m) for m in missing.context["messages"]] == ["请选择期间。"]
