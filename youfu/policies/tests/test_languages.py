"""Chinese first, English too: the reference policies describe every rule, input and value in Chinese
(what the pages show) with an English twin, and the format reads the optional ``*_en`` keys."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from youfu.policies.checker import check_policy
from youfu.policies.document import read_policy

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
FILES = sorted(REFERENCE.glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_reference_policies_describe_every_rule_in_chinese_and_english(path: Path) -> None:
    policy, _findings = read_policy(path)
    assert policy is not None
    described: list[Any] = [policy, *policy.rules, *policy.inputs, *policy.values, *policy.tables]
    for item in described:
        where = getattr(item, "id", None) or getattr(item, "name", "")
        assert CHINESE.search(item.description), f"{path.name}: {where} has no Chinese description"
        assert item.description_en and not CHINESE.match(item.description_en), f"{path.name}: {where}"
    named: list[Any] = [policy, *policy.subjects, *policy.scopes, *policy.rankings]
    for item in [*named, *policy.periods.spans, *policy.periods.phases]:
        assert CHINESE.search(item.name) and item.name_en, f"{path.name}: {item}"


def test_the_english_twins_are_read_and_typos_are_caught(tmp_path: Path) -> None:
    text = (REFERENCE / "r2_competition_100_days.yaml").read_text(encoding="utf-8")
    policy, _findings = read_policy("r2.yaml", text=text, name="r2.yaml")
    assert policy is not None
    rule = next(r for r in policy.rules if r.id == "video_violation")
    assert rule.description == "一人一事：扣本人3分、所在部门5分、所在机构负责人4分"
    assert rule.description_en.startswith("one event, three subjects")
    assert [s.name for s in policy.subjects] == ["网点", "员工", "所在部门", "所在机构负责人"]

    typo = text.replace("    description_en: 'one event", "    descripton_en: 'one event", 1)
    assert typo != text
    findings = check_policy("r2.yaml", text=typo, name="r2.yaml")
    assert [f.code for f in findings if f.code == "unknown_key"] == ["unknown_key"]
