"""The scoring rules (plain Python): caps, N/A, red lines, errors, and properties over random results."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from youfu.standards import scoring
from youfu.standards.scoring import Band, ItemResult, ItemSpec, ScoringError, SectionSpec, StandardSpec

D = Decimal


def spec(rule: str = "deductions", max_score: str = "100", **extra) -> StandardSpec:
    """A: 40-point cap (deduction 5 × up to 3, pass/fail 10 N/A allowed); B: 60 (score 20 out of 4,
    pass/fail 10 with a zero_section red line, pass/fail 30)."""
    return StandardSpec(
        rule=rule,
        max_score=D(max_score),
        sections=(
            SectionSpec("A", "环境", D(40) if rule == "deductions" else D(10)),
            SectionSpec("B", "服务", D(60)),
        ),
        items=(
            ItemSpec("A1", "A", "deduction", D(5), max_occurrences=3),
            ItemSpec("A2", "A", "pass_fail", D(10), na_allowed=True),
            ItemSpec("B1", "B", "score_out_of_n", D(20), n=4),
            ItemSpec("B2", "B", "pass_fail", D(10), red_line="zero_section"),
            ItemSpec("B3", "B", "pass_fail", D(30), na_allowed=True),
        ),
        **extra,
    )


ALL_GOOD = {
    "A2": ItemResult(passed=True),
    "B1": ItemResult(score=D(4)),
    "B2": ItemResult(passed=True),
    "B3": ItemResult(passed=True),
}


def test_deductions_full_marks_without_findings():
    result = scoring.score(spec(), ALL_GOOD)
    assert (result.total, result.denominator, result.deductions, result.caps_hit) == (D(100), D(100), (), ())


def test_deductions_add_up_per_item_kind():
    results = {
        **ALL_GOOD,
        "A1": ItemResult(occurrences=2),
        "B1": ItemResult(score=D(3)),
        "B3": ItemResult(passed=False),
    }
    result = scoring.score(spec(), results)
    assert [(d.item, d.amount) for d in result.deductions] == [("A1", D(10)), ("B1", D(5)), ("B3", D(30))]
    assert result.total == D(55)
    sections = {s.code: s for s in result.sections}
    assert (sections["A"].lost, sections["A"].score, sections["B"].lost) == (D(10), D(30), D(35))


def test_a_section_never_loses_more_than_its_points():
    capped = StandardSpec(
        rule="deductions",
        max_score=D(25),
        sections=(SectionSpec("1", "基础工作", D(25)), SectionSpec("1.4", "应急分队", D(3), parent="1")),
        items=(
            ItemSpec("1.4.1", "1.4", "deduction", D(5), max_occurrences=1),
            ItemSpec("1.4.2", "1.4", "deduction", D(1)),
        ),
    )
    result = scoring.score(capped, {"1.4.1": ItemResult(occurrences=1), "1.4.2": ItemResult(occurrences=1)})
    sections = {s.code: s for s in result.sections}
    assert (sections["1.4"].lost, sections["1.4"].capped) == (D(3), True)
    assert sections["1"].lost == D(3)
    assert result.total == D(22)
    assert result.caps_hit == ("1.4",)
    assert [d.amount for d in result.deductions] == [D(5), D(1)]  # what the items said, before the cap


def test_not_applicable_in_deductions_deducts_nothing_and_keeps_the_denominator():
    result = scoring.score(spec(), {**ALL_GOOD, "A2": ItemResult(not_applicable=True)})
    assert (result.total, result.denominator, result.not_applicable) == (D(100), D(100), ("A2",))


def test_not_applicable_in_sum_leaves_the_denominator_and_rescales():
    # Sum rule: all earning items are worth 10 + 20 + 10 + 30 = 70 points.
    results = {**ALL_GOOD, "B3": ItemResult(not_applicable=True), "B1": ItemResult(score=D(2))}
    result = scoring.score(spec("sum"), results)
    # Earned 10 + 10 + 10 = 30 of the applicable 40; rescaled to 70: 52.5.
    assert (result.raw, result.denominator, result.max_score, result.total) == (
        D(30),
        D(40),
        D(70),
        D("52.50"),
    )


def test_share_rescales_to_the_total_such_as_1000():
    results = {**ALL_GOOD, "B1": ItemResult(score=D(2))}
    result = scoring.score(spec("share", max_score="1000"), results)
    assert (result.raw, result.denominator, result.total) == (D(60), D(70), D("857.14"))
    result = scoring.score(
        spec("share", max_score="1000"), {**results, "A2": ItemResult(not_applicable=True)}
    )
    assert (result.denominator, result.total) == (D(60), D("833.33"))


def test_sum_rule_deduction_items_take_off_their_section_never_below_zero():
    results = {**ALL_GOOD, "A1": ItemResult(occurrences=3)}
    result = scoring.score(spec("sum"), results)
    sections = {s.code: s for s in result.sections}
    assert (sections["A"].score, sections["A"].lost, sections["A"].capped) == (D(0), D(10), True)
    assert result.total == D(60)


def test_red_line_zeroes_its_section():
    result = scoring.score(spec(), {**ALL_GOOD, "B2": ItemResult(passed=False)})
    sections = {s.code: s for s in result.sections}
    assert (sections["B"].lost, sections["B"].zeroed) == (D(60), True)
    assert result.total == D(40)
    assert [(r.item, r.effect) for r in result.red_lines] == [("B2", "zero_section")]


def test_red_line_zeroes_or_caps_the_total():
    base = spec()
    items = (
        *base.items,
        ItemSpec("B4", "B", "pass_fail", D(0), red_line="cap_total", red_line_cap=D(60)),
        ItemSpec("B5", "B", "pass_fail", D(0), red_line="zero_total"),
    )
    capped = StandardSpec("deductions", D(100), base.sections, items)
    good = {**ALL_GOOD, "B4": ItemResult(passed=True), "B5": ItemResult(passed=True)}
    assert scoring.score(capped, good).total == D(100)
    # A 0-point item loses nothing, so it cannot trigger: red lines need points to fail on.
    assert scoring.score(capped, {**good, "B4": ItemResult(passed=False)}).total == D(100)
    items = (
        *base.items,
        ItemSpec("B4", "B", "pass_fail", D(1), red_line="cap_total", red_line_cap=D(60)),
        ItemSpec("B5", "B", "pass_fail", D(1), red_line="zero_total"),
    )
    capped = StandardSpec("deductions", D(100), (base.sections[0], SectionSpec("B", "服务", D(60))), items)
    result = scoring.score(capped, {**good, "B4": ItemResult(passed=False)})
    assert (result.total, result.notes) == (D(60), ("capped_by_red_line",))
    result = scoring.score(capped, {**good, "B5": ItemResult(passed=False)})
    assert (result.total, result.notes) == (D(0), ("zeroed_by_red_line",))


def test_levels_by_total():
    bands = (Band(D(900), "五星"), Band(D(800), "四星"))
    result = scoring.score(spec("share", max_score="1000", bands=bands), ALL_GOOD)
    assert result.level == "五星"
    assert scoring.level_for(bands, D("899.99")) == "四星"
    assert scoring.level_for(bands, D(10)) is None


def test_rounding_is_half_up_once_at_the_end():
    third = StandardSpec(
        "share", D(100), (SectionSpec("A", "A", D(3)),), (ItemSpec("A1", "A", "score_out_of_n", D(3), n=8),)
    )
    # 1/8 of 100 = 12.5 exactly; 3/8 = 37.5; 5/8 = 62.5 — no float in sight.
    assert scoring.score(third, {"A1": ItemResult(score=D(1))}).total == D("12.50")
    assert scoring.score(third, {"A1": ItemResult(score=D(1) / D(3))}).total == D("4.17")


@pytest.mark.parametrize(
    "results,code,item",
    [
        ({"ZZ": ItemResult(passed=True)}, "unknown_item", "ZZ"),
        ({"B2": ItemResult(not_applicable=True)}, "not_applicable_refused", "B2"),
        ({"B1": ItemResult(score=D(5))}, "out_of_range", "B1"),
        ({"B1": ItemResult(score=D(-1))}, "out_of_range", "B1"),
        ({"A1": ItemResult(occurrences=4)}, "out_of_range", "A1"),
        ({"A1": ItemResult(amount=D(16))}, "out_of_range", "A1"),
        ({"A1": ItemResult(passed=False)}, "invalid_result", "A1"),
        ({"B2": ItemResult(score=D(1))}, "invalid_result", "B2"),
        ({"B2": ItemResult(passed=True, not_applicable=True)}, "invalid_result", "B2"),
    ],
)
def test_bad_results_are_refused_with_the_item(results, code, item):
    with pytest.raises(ScoringError) as caught:
        scoring.score(spec(), {**ALL_GOOD, **results})
    assert (caught.value.code, caught.value.item) == (code, item)


def test_a_judged_item_without_a_result_is_an_error_a_deduction_item_is_not():
    missing = dict(ALL_GOOD)
    del missing["B2"]
    with pytest.raises(ScoringError) as caught:
        scoring.score(spec(), missing)
    assert (caught.value.code, caught.value.item) == ("missing_result", "B2")
    assert "A1" not in ALL_GOOD and scoring.score(spec(), ALL_GOOD).total == D(100)


def test_all_not_applicable_in_sum_is_an_error():
    only = StandardSpec(
        "sum",
        D(10),
        (SectionSpec("A", "A", D(10)),),
        (ItemSpec("A1", "A", "pass_fail", D(10), na_allowed=True),),
    )
    with pytest.raises(ScoringError) as caught:
        scoring.score(only, {"A1": ItemResult(not_applicable=True)})
    assert caught.value.code == "nothing_applicable"


def test_parse_result_reads_plain_values():
    items = {i.code: i for i in spec().items}
    assert scoring.parse_result(items["B2"], "不合格") == ItemResult(passed=False)
    assert scoring.parse_result(items["B2"], True) == ItemResult(passed=True)
    assert scoring.parse_result(items["A2"], "N/A") == ItemResult(not_applicable=True)
    assert scoring.parse_result(items["A1"], "2") == ItemResult(occurrences=2)
    assert scoring.parse_result(items["B1"], "3.5") == ItemResult(score=D("3.5"))
    with pytest.raises(ScoringError):
        scoring.parse_result(items["A1"], "1.5")
    with pytest.raises(ScoringError):
        scoring.parse_result(items["B2"], "maybe")


def test_check_spec_catches_sum_sections_that_do_not_add_up():
    bad = StandardSpec(
        "sum", D(100), (SectionSpec("A", "A", D(50)),), (ItemSpec("A1", "A", "pass_fail", D(40)),)
    )
    assert scoring.check_spec(bad) == ["section A: its items add up to 40 points, the section says 50"]
    with pytest.raises(ScoringError):
        scoring.score(bad, {"A1": ItemResult(passed=True)})


# --- Properties --------------------------------------------------------------------------------------

points = st.decimals(min_value=0, max_value=50, places=1)


@st.composite
def standards_and_results(draw):
    rule = draw(st.sampled_from(["deductions", "sum", "share"]))
    n_sections = draw(st.integers(1, 4))
    sections, items, results = [], [], {}
    for s in range(n_sections):
        code = f"S{s}"
        section_items = []
        for i in range(draw(st.integers(1, 4))):
            kind = draw(st.sampled_from(["deduction", "pass_fail", "score_out_of_n"]))
            item = ItemSpec(
                code=f"{code}.{i}",
                section=code,
                kind=kind,
                points=draw(points),
                max_occurrences=draw(st.one_of(st.none(), st.integers(1, 5)))
                if kind == "deduction"
                else None,
                n=draw(st.integers(1, 10)) if kind == "score_out_of_n" else None,
                na_allowed=draw(st.booleans()),
                red_line=draw(st.sampled_from(["none", "none", "zero_section", "zero_total", "cap_total"])),
            )
            if item.red_line == "cap_total":
                item = ItemSpec(**{**item.__dict__, "red_line_cap": draw(points)})
            section_items.append(item)
            results[item.code] = draw(_result_for(item))
        earning = sum((i.points for i in section_items if i.kind != "deduction"), Decimal(0))
        cap = earning if rule != "deductions" else draw(points)
        sections.append(SectionSpec(code, code, cap))
        items.extend(section_items)
    if rule != "deductions" and not any(i.kind != "deduction" for i in items):
        items.append(ItemSpec("X", sections[0].code, "pass_fail", D(1)))
        sections[0] = SectionSpec(sections[0].code, sections[0].code, sections[0].points + 1)
        results["X"] = ItemResult(passed=False)
    max_score = D(100) if rule != "share" else D(1000)
    return StandardSpec(rule, max_score, tuple(sections), tuple(items)), results


def _result_for(item: ItemSpec):
    options = []
    if item.na_allowed:
        options.append(st.just(ItemResult(not_applicable=True)))
    if item.kind == "pass_fail":
        options.append(st.builds(ItemResult, passed=st.booleans()))
    elif item.kind == "score_out_of_n":
        options.append(st.builds(ItemResult, score=st.decimals(min_value=0, max_value=item.n, places=2)))
    else:
        options.append(st.builds(ItemResult, occurrences=st.integers(0, item.max_occurrences or 20)))
    return st.one_of(options)


@given(standards_and_results())
def test_property_sections_never_lose_more_than_their_cap_and_total_stays_in_range(case):
    standard, results = case
    try:
        result = scoring.score(standard, results)
    except ScoringError as exc:  # only "everything N/A" is legitimately unscorable here
        assert exc.code == "nothing_applicable"
        return
    assert Decimal(0) <= result.total <= result.max_score
    for section in result.sections:
        assert Decimal(0) <= section.lost <= section.points, section
        assert section.score >= 0
    if result.rule == "deductions":
        assert result.denominator == standard.max_score
    else:
        applicable = sum(
            (
                i.points
                for i in standard.items
                if i.kind != "deduction" and not results[i.code].not_applicable
            ),
            Decimal(0),
        )
        assert result.denominator == applicable


@given(standards_and_results())
def test_property_not_applicable_never_lowers_a_deductions_score(case):
    standard, results = case
    if standard.rule != "deductions":
        return
    try:
        before = scoring.score(standard, results)
    except ScoringError:
        return
    na = {
        code: ItemResult(not_applicable=True)
        for code in results
        if next(i for i in standard.items if i.code == code).na_allowed
    }
    after = scoring.score(standard, {**results, **na})
    assert after.total >= before.total
