"""Browser test: the service office opens the quarter's ranking, clicks an outlet's penalty and reads
why. Headless Debian Chromium driven by Playwright against a live server (`pytest -m browser`); set
YOUFU_SHOTS_DIR=/tmp/yf-shots to keep screenshots."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from youfu.accounts.choices import Role
from youfu.scoring.models import ScoreLine
from youfu.testing.factories import PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
playwright_sync = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SHOTS = os.environ.get("YOUFU_SHOTS_DIR")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(autouse=True)
def role_groups(transactional_db: None) -> None:
    # The role groups come from a data migration, which a transactional test's flush wipes out.
    for role in Role.values:
        Group.objects.get_or_create(name=role)


@pytest.fixture
def page() -> Iterator[object]:
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


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
