"""The dashboard in headless Chromium, on a desktop and on a phone (390×844): tiles with colours, the
trend, ranking and map charts drawn by ECharts, a tile's drill-down to the outlet and its tellers, and a
tile's Excel export downloading a real workbook. Set YOUFU_SHOTS_DIR to keep screenshots."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from youfu.inspections.models import OutletLocation
from youfu.org.choices import PeriodKind
from youfu.org.models import Period
from youfu.reports.services import queue_ingest_file
from youfu.reports.tests.conftest import s1_tickets
from youfu.testing.browser import BROWSER_TEST, shot
from youfu.testing.factories import PASSWORD

pytestmark = BROWSER_TEST


@pytest.fixture
def data(bank, branch_office):
    import datetime as dt

    Period.objects.create(
        code="2025-10",
        name="2025年10月",
        kind=PeriodKind.MONTH,
        start=dt.date(2025, 10, 1),
        end=dt.date(2025, 10, 31),
    )
    queue_ingest_file(actor=branch_office, file=s1_tickets(), file_name="s1.csv")
    OutletLocation.objects.create(unit=bank.o1a, latitude=Decimal("30.5"), longitude=Decimal("114.3"))


def _login(page, url, user):
    page.goto(f"{url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{url}/")


def _charts_drawn(page):
    for chart in ("#trend-chart", "#ranking-chart", "#map-chart"):
        page.wait_for_selector(f"{chart} canvas")


@pytest.mark.parametrize(
    "viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_dashboard_charts_drill_down_and_export(browser, live_server, data, bank, s1_office, viewport):
    phone = viewport["width"] < 500
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    _login(page, live_server.url, s1_office)
    page.goto(f"{live_server.url}/reports/?period=2025-10")
    page.wait_for_selector("#tile-wait_avg")
    _charts_drawn(page)
    assert "6.06" in page.inner_text("#tile-wait_avg")
    assert page.get_attribute("#tile-diversion_rate", "data-rag") == "none"  # no diversion figures loaded
    assert "东湖网点" in page.inner_text("#no-location")  # O1B has no location; O1A is on the map
    page.select_option("#trend-kpi", "wait_p90")
    if phone:  # the tiles stack two a row: nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    shot(page, f"reports-dashboard-{'phone' if phone else 'desktop'}")
    with page.expect_download() as download_info:
        page.click("#export-wait_avg")
    path = download_info.value.path()
    book = load_workbook(io.BytesIO(Path(path).read_bytes()))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "O1A" in cells and 3900 in cells
    page.click("#drill-wait_p90")
    page.wait_for_selector("#kpi-table")
    page.click("#kpi-table a:has-text('东城营业部')")
    page.wait_for_selector("#tellers-table")
    assert "张伟" in page.inner_text("#tellers-table")
    shot(page, f"reports-outlet-{'phone' if phone else 'desktop'}")
    context.close()
