"""Browser test: the service office opens the quarter's ranking, clicks an outlet's penalty and reads
why. Headless Debian Chromium driven by Playwright against a live server (`pytest -m browser`); set
YOUFU_SHOTS_DIR=/tmp/yf-shots to keep screenshots."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from youfu.scoring.models import ScoreLine
from youfu.testing.browser import BROWSER_TEST, shot
from youfu.testing.factories import PASSWORD

pytestmark = BROWSER_TEST


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_service_office_opens_the_ranking_and_an_outlets_penalty(
    page, live_server, role_groups, bank, run, branch_office
):
    o1b = ScoreLine.objects.get(run=run, unit=bank.o1b)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "branch_office")
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")

    page.click("#main-nav [data-nav=scoring]")
    page.wait_for_url(f"{live_server.url}/scoring/")
    page.click(f"#run-table tr[data-run='{run.pk}'] a")
    page.wait_for_url(re.compile(rf".*/scoring/runs/{run.pk}/$"))
    table = page.locator("#ranking-table tbody")
    assert table.locator("tr td.primary").all_inner_texts()[0].startswith("东城营业部")
    page.locator("#chart-ranked[data-ready=yes]").wait_for()
    page.locator("#chart-trend[data-ready=yes]").wait_for()
    shot(page, "scoring-ranking")

    page.click(f"#ranking-table tr[data-line='{o1b.pk}'] a.line-amount")
    page.wait_for_url(re.compile(rf".*/scoring/runs/{run.pk}/lines/{o1b.pk}/$"))
    assert page.locator("#line-title").inner_text().startswith("东湖网点")
    assert page.locator("#line-amount").inner_text() == "-1800.00"
    rule = page.locator("#rule-target_missed")
    assert rule.get_attribute("data-fired") == "yes"
    assert "未完成得分计划的" in rule.locator(".seed").inner_text()
    score = rule.locator("tr[data-name=score]")
    assert score.locator(".value").inner_text().startswith("88")
    assert "省行神秘人检查2025Q1.xlsx" in score.locator(".evidence").inner_text()
    assert "第 3 行" in score.locator(".evidence").inner_text()
    shot(page, "scoring-line")
