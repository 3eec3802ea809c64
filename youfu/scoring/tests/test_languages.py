"""Chinese first, English too: the ranking, explanation and policy pages show a policy's names and
descriptions in the active language (``name_en`` / ``description_en`` for English, when given)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from youfu.conftest import Bank
from youfu.org.models import Period
from youfu.scoring import selectors, services
from youfu.scoring.models import PolicyVersion, ScoreLine, ScoreRun
from youfu.scoring.tests.conftest import tiny_text


def bilingual_text() -> str:
    text = tiny_text().replace("id: tiny_shopper", "id: tiny_bilingual", 1)
    for old, new in (
        (
            "    description: target missed\n",
            "    description: 未完成得分计划\n    description_en: target missed\n",
        ),
        ("    name: 网点负责人\n", "    name: 网点负责人\n    name_en: Outlet head\n"),
        ("    name: 全区\n", "    name: 全区\n    name_en: Region\n"),
        ("    name: 服务检查得分\n", "    name: 服务检查得分\n    name_en: Inspection score\n"),
        ("    description: best of the region\n", "    description: 列全区第1名\n"),  # no English twin
    ):
        assert old in text
        text = text.replace(old, new, 1)
    return text


@pytest.fixture
def bilingual(db: None) -> PolicyVersion:
    return services.policy_version_upload(author=None, text=bilingual_text(), file_name="bilingual.yaml")


@pytest.fixture
def bilingual_run(bilingual: PolicyVersion, quarter: Period, scores: Any) -> ScoreRun:
    return services.score_period(author=None, version=bilingual, period=quarter)


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [("zh-hans", ["未完成得分计划", "网点负责人"], ["target missed", "Outlet head"]),
     ("en", ["target missed", "Outlet head", "Region"], ["未完成得分计划"])],
)  # fmt: skip
def test_pages_show_the_policy_in_the_active_language(
    client: Any,
    bank: Bank,
    bilingual: PolicyVersion,
    bilingual_run: ScoreRun,
    branch_office: Any,
    language: str,
    shown: list[str],
    hidden: list[str],
) -> None:
    client.force_login(branch_office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the language switch
    line = ScoreLine.objects.get(run=bilingual_run, unit=bank.o1b)
    with translation.override(language):
        pages = "".join(
            client.get(url).content.decode()
            for url in (
                reverse("scoring:run_detail", args=[bilingual_run.pk]),
                reverse("scoring:line_detail", args=[bilingual_run.pk, line.pk]),
                reverse("scoring:policy_detail", args=[bilingual.pk]),
            )
        )
        explanation = selectors.line_explain(user=branch_office, line=line)
    for text in shown:
        assert text in pages
    for text in hidden:
        assert f">{text}<" not in pages and f"{text}</" not in pages
    rule = next(r for r in explanation.rules if r.id == "target_missed")
    assert rule.description == ("target missed" if language == "en" else "未完成得分计划")


def test_without_an_english_twin_the_english_page_shows_the_chinese(
    bank: Bank, bilingual_run: ScoreRun, branch_office: Any
) -> None:
    with translation.override("en"):
        summary = selectors.policy_summary(version=bilingual_run.policy_version)
    best = next(rule for rule in summary.rules if rule.id == "region_best")
    assert best.description == "列全区第1名"
    assert next(rule for rule in summary.rules if rule.id == "target_missed").subject == "Outlet head"
