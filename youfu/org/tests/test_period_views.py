"""The periods page (考核期间): list by year and kind, the standard periods of a year, custom windows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from auditlog.models import LogEntry
from django.utils import timezone

from youfu.org.choices import PeriodKind
from youfu.org.models import Period
from youfu.org.services import period_create, period_ensure_year
from youfu.testing.factories import UserFactory

YEAR_CODES = [
    "2027",
    "2027H1",
    "2027Q1",
    "2027-01",
    "2027-02",
    "2027-03",
    "2027Q2",
    "2027-04",
    "2027-05",
    "2027-06",
    "2027H2",
    "2027Q3",
    "2027-07",
    "2027-08",
    "2027-09",
    "2027Q4",
    "2027-10",
    "2027-11",
    "2027-12",
]


def _html(response) -> str:
    return response.content.decode()


def _codes(response) -> list[str]:
    return [p.code for p in response.context["page_obj"]]


def _snapshot() -> list[Any]:
    return list(Period.objects.order_by("pk").values())


# --- list ------------------------------------------------------------------------------------------


def test_the_page_opens_on_the_current_year(client, colleague, admin):
    this_year = timezone.localdate().year
    period_ensure_year(actor=admin, year=this_year)
    period_ensure_year(actor=admin, year=this_year - 1)
    client.force_login(colleague)

    response = client.get("/org/periods/")

    assert response.status_code == 200
    assert response.context["year"] == this_year
    assert _codes(response)[:4] == [f"{this_year}", f"{this_year}H1", f"{this_year}Q1", f"{this_year}-01"]
    assert len(_codes(response)) == 19
    assert f"{this_year} 年：共 19 个期间" in _html(response)


def test_periods_nest_year_half_quarter_month(client, colleague, admin):
    period_ensure_year(actor=admin, year=2027)
    client.force_login(colleague)

    response = client.get("/org/periods/", {"year": 2027})

    assert _codes(response) == YEAR_CODES


def test_filter_by_kind(client, colleague, admin):
    period_ensure_year(actor=admin, year=2027)
    client.force_login(colleague)

    response = client.get("/org/periods/", {"year": 2027, "kind": PeriodKind.QUARTER})

    assert _codes(response) == ["2027Q1", "2027Q2", "2027Q3", "2027Q4"]
    html = _html(response)
    assert '<span class="badge period-badge kind-quarter">季度</span>' in html
    assert 'data-period="2027-01"' not in html


def test_a_custom_window_shows_in_every_year_it_touches(client, colleague, admin):
    period_ensure_year(actor=admin, year=2027)
    period_create(
        actor=admin,
        code="2027-DONGJI",
        name="冬季百日竞赛",
        start=dt.date(2027, 11, 15),
        end=dt.date(2028, 2, 22),
    )
    client.force_login(colleague)

    in_2027 = client.get("/org/periods/", {"year": 2027, "kind": PeriodKind.CUSTOM})
    in_2028 = client.get("/org/periods/", {"year": 2028})

    assert _codes(in_2027) == ["2027-DONGJI"]
    assert _codes(in_2028) == ["2027-DONGJI"]
    assert [p.days for p in in_2028.context["page_obj"]] == [100]
    year_choices = [value for value, _label in in_2028.context["filter"].form.fields["year"].widget.choices]
    assert year_choices[0] == ""
    assert {"2027", "2028"} <= set(year_choices)


def test_all_years_are_grouped_by_the_year_they_start_in(client, colleague, admin):
    period_ensure_year(actor=admin, year=2026)
    period_ensure_year(actor=admin, year=2027)
    client.force_login(colleague)

    response = client.get("/org/periods/", {"year": "", "kind": PeriodKind.YEAR})

    assert response.context["year"] is None
    assert _codes(response) == ["2026", "2027"]
    html = _html(response)
    assert "2026 年开始" in html
    assert "2027 年开始" in html


def test_an_empty_year_invites_the_service_office_to_create_its_periods(client, branch_office):
    client.force_login(branch_office)

    response = client.get("/org/periods/", {"year": 2031})

    html = _html(response)
    assert _codes(response) == []
    assert "2031 年还没有考核期间" in html
    assert 'action="/org/periods/year/"' in html
    assert 'href="/org/periods/new/"' in html
    assert response.context["year_form"]["year"].value() == 2031


def test_read_only_roles_see_no_create_buttons(client, auditor, colleague, admin):
    period_ensure_year(actor=admin, year=2027)
    for user in (auditor, colleague):
        client.force_login(user)

        response = client.get("/org/periods/", {"year": 2027})

        assert _codes(response) == YEAR_CODES
        html = _html(response)
        assert "/org/periods/year/" not in html
        assert "/org/periods/new/" not in html


def test_periods_are_bank_wide_so_the_outsider_sees_the_same_list(client, outsider, branch_office, admin):
    period_create(
        actor=branch_office,
        code="S1-X",
        name="东城百日竞赛",
        start=dt.date(2027, 3, 1),
        end=dt.date(2027, 6, 8),
    )
    client.force_login(outsider)

    response = client.get("/org/periods/", {"year": 2027})

    assert _codes(response) == ["S1-X"]


def test_a_user_without_a_role_may_not_see_periods(client, bank):
    nobody = UserFactory.create(username="nobody", unit=bank.o1a)
    client.force_login(nobody)

    assert client.get("/org/periods/").status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    for url in ("/org/periods/", "/org/periods/new/", "/org/periods/year/"):
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"


def test_navigation_shows_periods_to_every_role(client, colleague):
    client.force_login(colleague)

    html = _html(client.get("/"))

    assert 'data-nav="periods"' in html
    assert 'href="/org/periods/"' in html


# --- the standard periods of a year ------------------------------------------------------------------


def test_service_office_creates_the_standard_periods_of_a_year(client, branch_office):
    client.force_login(branch_office)

    response = client.post("/org/periods/year/", {"year": 2027})

    assert response.status_code == 302
    assert response["Location"] == "/org/periods/?year=2027"
    assert sorted(Period.objects.values_list("code", flat=True)) == sorted(YEAR_CODES)
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "2027 年的标准期间已就绪：12 个月度、4 个季度、上下半年和全年。原有的期间保持不变。"
    ]
    entry = LogEntry.objects.get(object_repr="2027年第1季度")
    assert entry.actor == branch_office


def test_pressing_the_button_twice_keeps_what_exists(client, branch_office, admin):
    period_ensure_year(actor=admin, year=2027)
    Period.objects.filter(code="2027-01").update(name="2027年1月（春节月）")
    before = _snapshot()
    client.force_login(branch_office)

    response = client.post("/org/periods/year/", {"year": 2027})

    assert response.status_code == 302
    assert _snapshot() == before


def test_a_year_out_of_range_is_shown_on_the_field(client, branch_office):
    client.force_login(branch_office)

    response = client.post("/org/periods/year/", {"year": 1999})

    assert response.status_code == 200
    assert response.context["year_form"].errors == {"year": ["年份 1999 超出范围。"]}
    assert Period.objects.count() == 0


def test_the_year_button_is_post_only(client, branch_office):
    client.force_login(branch_office)

    assert client.get("/org/periods/year/", {"year": 2027}).status_code == 405
    assert Period.objects.count() == 0


def test_read_only_roles_cannot_create_the_standard_periods(client, auditor, colleague):
    for user in (auditor, colleague):
        client.force_login(user)

        response = client.post("/org/periods/year/", {"year": 2027})

        assert response.status_code == 403
    assert Period.objects.count() == 0


# --- custom windows ----------------------------------------------------------------------------------


def test_service_office_creates_a_100_day_competition(client, branch_office):
    client.force_login(branch_office)

    response = client.post(
        "/org/periods/new/",
        {"code": "2027-BAIRI", "name": "百日服务竞赛", "start": "2027-03-01", "end": "2027-06-08"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/org/periods/?year=2027"
    period = Period.objects.get()
    assert (period.code, period.name, period.kind, period.start, period.end, period.days) == (
        "2027-BAIRI",
        "百日服务竞赛",
        PeriodKind.CUSTOM,
        dt.date(2027, 3, 1),
        dt.date(2027, 6, 8),
        100,
    )
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["考核期间“百日服务竞赛”已创建。"]
    assert LogEntry.objects.get(object_repr="百日服务竞赛").actor == branch_office


def test_an_end_before_the_start_is_shown_on_the_end_field(client, branch_office):
    client.force_login(branch_office)

    response = client.post(
        "/org/periods/new/", {"code": "X", "name": "倒序", "start": "2027-06-08", "end": "2027-03-01"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"end": ["截止日期早于起始日期。"]}
    assert Period.objects.count() == 0


def test_a_duplicate_code_is_shown_on_the_code_field(client, branch_office, admin):
    period_ensure_year(actor=admin, year=2027)
    before = _snapshot()
    client.force_login(branch_office)

    response = client.post(
        "/org/periods/new/", {"code": "2027Q1", "name": "重复", "start": "2027-03-01", "end": "2027-06-08"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["考核期间代码 2027Q1 已被使用。"]}
    assert _snapshot() == before


def test_missing_fields_are_required(client, branch_office):
    client.force_login(branch_office)

    response = client.post("/org/periods/new/", {"code": "", "name": "", "start": "2027-13-01"})

    assert set(response.context["form"].errors) == {"code", "name", "start", "end"}
    assert Period.objects.count() == 0


def test_read_only_roles_cannot_create_a_custom_window(client, auditor, colleague):
    for user in (auditor, colleague):
        client.force_login(user)

        get = client.get("/org/periods/new/")
        post = client.post(
            "/org/periods/new/", {"code": "X", "name": "越权", "start": "2027-03-01", "end": "2027-06-08"}
        )

        assert (get.status_code, post.status_code) == (403, 403)
    assert Period.objects.count() == 0


def test_a_sub_branch_office_may_read_but_not_define_bank_wide_periods(client, s1_office):
    client.force_login(s1_office)
    html = client.get("/org/periods/").content.decode()
    assert "/org/periods/new/" not in html
    response = client.post(
        "/org/periods/new/", {"code": "S1C", "name": "支行竞赛", "start": "2027-03-01", "end": "2027-06-08"}
    )
    assert response.status_code == 403
    assert not Period.objects.filter(code="S1C").exists()
