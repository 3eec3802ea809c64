"""The service office runs a pool in headless Chromium: imports the balances (Excel) on the pool page,
computes the allocation, sees the chart and the seed's warnings, opens a person's explanation, and
downloads the payroll sheet whose total row equals the pool. Then a teller on a phone sees only her
own line. Set YOUFU_SHOTS_DIR to keep screenshots."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from youfu.performance_pay.models import Allocation
from youfu.performance_pay.tests.conftest import BALANCE_HEADER, balance_rows, xlsx
from youfu.testing.browser import BROWSER_TEST, shot
from youfu.testing.factories import PASSWORD, PersonFactory

pytestmark = BROWSER_TEST


def _login(page, url, username):
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{url}/")


def test_the_office_runs_a_pool_and_downloads_the_payroll(
    browser, live_server, role_groups, pool, bank, s1_office, colleague, tmp_path
):
    PersonFactory.create(unit=bank.o1a, name="赵敏", employee_no="100003")
    sheet = tmp_path / "余额.xlsx"
    sheet.write_bytes(xlsx(BALANCE_HEADER, balance_rows()))
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _login(page, live_server.url, s1_office.username)
    page.goto(f"{live_server.url}/performance-pay/")
    page.click(f"a[href='/performance-pay/{pool.pk}/']")
    page.set_input_files("#import-balances input[type=file]", str(sheet))
    page.click("#import-balances button")
    page.wait_for_selector("#batches li:has-text('余额.xlsx')")
    page.click("#compute")
    page.wait_for_selector("#allocation-table")
    page.wait_for_selector("#allocation-chart canvas")
    assert page.inner_text("#pool-column-total") == "10000.00"
    assert "45" in page.inner_text("#r5-errors")
    shot(page, "pay-pool")
    with page.expect_download() as download_info:
        page.click("#payroll-download")
    path = download_info.value.path()
    rows = list(load_workbook(io.BytesIO(Path(path).read_bytes())).worksheets[0].iter_rows(values_only=True))
    assert Decimal(str(rows[-1][8])) == Decimal("10000.00")
    page.click(f"a[href='/performance-pay/{pool.pk}/people/{bank.teller_1a.pk}/']")
    page.wait_for_selector("#share-explanation")
    assert page.inner_text("#line-total") == "4052.24"
    context.close()
    assert Allocation.objects.count() == 1

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    _login(page, live_server.url, colleague.username)
    page.goto(f"{live_server.url}/performance-pay/{pool.pk}/")
    table = page.inner_text("#allocation-table")
    assert "张伟" in table and "赵敏" not in table and "刘强" not in table
    shot(page, "pay-pool-phone")
    phone.close()
