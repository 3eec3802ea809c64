"""The standards shipped with youfu load, publish, add up, and keep their warnings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from youfu.standards import scoring, selectors, services
from youfu.standards.choices import VersionStatus
from youfu.standards.models import Standard


@pytest.fixture
def loaded(bank, admin):
    return {r.version.standard.code: r for r in services.standard_load(actor=admin)}


def test_all_shipped_files_load_and_publish(loaded, bank):
    assert set(loaded) == {"MS-OUTLET", "LINKAGE-110", "STAR-1000"}
    for result in loaded.values():
        assert result.outcome == "created"
        assert result.version.status == VersionStatus.PUBLISHED
        assert result.version.standard.owner == bank.head_office  # bank-wide: the top unit


def test_loading_twice_changes_nothing(loaded, admin):
    again = services.standard_load(actor=admin)
    assert [r.outcome for r in again] == ["unchanged"] * 3
    assert Standard.objects.count() == 3
    assert all(s.versions.count() == 1 for s in Standard.objects.all())


def test_mystery_shopper_sections_add_up_to_100(loaded):
    version = loaded["MS-OUTLET"].version
    sections = list(selectors.version_sections(version=version))
    assert sum(s.points for s in sections) == Decimal(100) == version.max_score
    items = list(selectors.version_items(version=version))
    assert {i.aspect for i in items} == {"hardware", "software"}
    assert {i.code for i in items if i.key_item} >= {"A01", "D01", "F01", "F02", "F03", "F04", "F05"}
    texts = " ".join(i.text for i in items)
    for check in (
        "店招",
        "一米线",
        "服务监督牌",
        "点钞机",
        "自助设备",
        "唱收唱付",
        "清点",
        "资费",
        "保安",
        "手机",
    ):
        assert check in texts, check
    # A perfect visit scores 100 (nothing found), deductions-only results need no entry per item.
    perfect = {i.code: scoring.ItemResult(passed=True) for i in items if i.kind == "pass_fail"}
    assert selectors.version_score(version=version, results=perfect).total == Decimal(100)


def test_linkage_110_keeps_the_seed_numbers_and_says_what_is_missing(loaded):
    version = loaded["LINKAGE-110"].version
    sections = {s.code: s for s in selectors.version_sections(version=version)}
    assert sections["1"].points == Decimal(25)
    assert [sections[c].points for c in ("1.1", "1.2", "1.3", "1.4", "1.5")] == [4, 5, 3, 3, 3]
    warnings = selectors.version_warnings(version=version)
    assert any("18" in w and "25" in w for w in version.warnings)
    computed = scoring.structure_warnings(selectors.version_spec(version=version))
    assert any("1.4.1" in w for w in computed)  # 扣5分 in a 3-point sub-section, flagged
    assert len(warnings) == len(version.warnings) + len(computed)
    # Everything found at once: each sub-section loses at most its points (1.5 lists only 2 points of
    # deductions for its 3), so section 一 loses 4 + 5 + 3 + 3 + 2 = 17 of its 25.
    items = list(selectors.version_items(version=version))
    worst = {i.code: scoring.ItemResult(occurrences=i.max_occurrences or 10) for i in items}
    result = selectors.version_score(version=version, results=worst)
    by_code = {s.code: s for s in result.sections}
    assert [by_code[c].lost for c in ("1.1", "1.2", "1.3", "1.4", "1.5")] == [4, 5, 3, 3, 2]
    assert by_code["1"].lost == Decimal(17)
    assert result.total == Decimal(8)
    assert set(result.caps_hit) == {"1.1", "1.2", "1.3", "1.4"}
    assert any("1.5" in w and "2" in w for w in version.warnings)


def test_star_standard_has_ten_aspects_adding_up_to_1000_and_star_levels(loaded):
    version = loaded["STAR-1000"].version
    sections = list(selectors.version_sections(version=version))
    assert len(sections) == 10
    assert sum(s.points for s in sections) == Decimal(1000) == version.max_score
    for section in sections:
        assert sum(i.points for i in section.items.all()) == section.points, section.code
    assert next(level["label"] for level in version.levels) == "五星级网点"
    items = list(selectors.version_items(version=version))
    full = {
        i.code: scoring.ItemResult(passed=True)
        if i.kind == "pass_fail"
        else scoring.ItemResult(score=Decimal(i.n or 0))
        for i in items
    }
    result = selectors.version_score(version=version, results=full)
    assert (result.total, result.level) == (Decimal(1000), "五星级网点")
    four_of_five = {**full, **{i.code: scoring.ItemResult(score=Decimal(4)) for i in items if i.n}}
    result = selectors.version_score(version=version, results=four_of_five)
    assert result.level == "四星级网点"
    assert Decimal(800) <= result.total < Decimal(900)
