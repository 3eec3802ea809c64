"""R1 (seed 000 篇3, reference/r1_mystery_shopper.yaml) through evaluate_policy on DuckDB.

Every amount below is worked out by hand in the comments and asserted exactly, to the fen. Amounts of
entries are as the ledger gets them: negative is deducted (考核).

The province's top 200 are exempt from every penalty, so a province needs more than 200 outlets for
anyone to pay: the quarter-4 case generates one of 450, outlet i (o000 … o449) scoring 100 − 0.05·i
(100, 99.95, …, 77.55) in region R<i mod 10>; the phase 1–2 cases use 200 high-scoring fillers and a few
outlets written out one by one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from youfu.engine import EngineResult, HistoryFrame, PolicyRunError, evaluate_policy, period_context
from youfu.engine.run import period_number
from youfu.engine.tests.cases import (
    R1_NUMBERS,
    ladder,
    outlets,
    quarter,
    r1,
    r1_history,
    r1_persons,
    r1_q4_rows,
    upload,
)
from youfu.policies.checker import load_policy

D = Decimal


# -- helpers ------------------------------------------------------------------------------------------


def entries(con: Any, result: EngineResult) -> list[tuple[str, str, Decimal]]:
    """(rule, subject_key, amount), sorted."""
    frame = con.execute(result.entries)
    return sorted((r.rule, r.subject_key, D(r.amount)) for r in frame.itertuples())


def by_rule(rows: list[tuple[str, str, Decimal]]) -> dict[str, tuple[int, Decimal]]:
    """rule → (how many entries, their total amount)."""
    totals: dict[str, tuple[int, Decimal]] = defaultdict(lambda: (0, D(0)))
    for rule, _, amount in rows:
        count, total = totals[rule]
        totals[rule] = (count + 1, total + amount)
    return dict(totals)


def card(con: Any, result: EngineResult, subject: str = "outlet_head") -> pd.DataFrame:
    return con.execute(result.scorecards[subject]).set_index("subject_key")


def amounts(row: pd.Series, *rules: str) -> dict[str, Decimal]:
    return {rule: D(row[f"{rule}_amount"]) for rule in rules}


NO_HISTORY = {span: HistoryFrame(None, []) for span in ("earlier_quarters", "year_so_far")}


# -- periods ------------------------------------------------------------------------------------------


def test_period_context_picks_the_phase_by_most_days_and_its_target() -> None:
    policy = r1()
    # Phases: 1 Jan–30 Apr (92), 1 May–31 Aug (95), 1 Sep–31 Dec (98); phase_by: most_days.
    # Q1: all 90 days in phase 1 → 92.
    # Q2: April 30 days in phase 1, May–June 61 days in phase 2 → phase 2, 95.
    # Q3: July–August 62 days in phase 2, September 30 days in phase 3 → phase 2, 95.
    # Q4: all 92 days in phase 3 → 98.
    got = [
        (p.key, p.number, p.phase, p.phase_values["target"])
        for p in (quarter(policy, 2024, q) for q in (1, 2, 3, 4))
    ]
    assert got == [
        ("2024Q1", 1, "phase1", 92),
        ("2024Q2", 2, "phase2", 95),
        ("2024Q3", 3, "phase2", 95),
        ("2024Q4", 4, "phase3", 98),
    ]
    q3 = quarter(policy, 2024, 3)
    assert (q3.start, q3.end) == (date(2024, 7, 1), date(2024, 9, 30))
    # period_number: the period's number in its year, by the policy's unit.
    assert [period_number("quarter", date(2024, m, 1)) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]
    assert [period_number("month", date(2024, m, 1)) for m in (1, 5, 12)] == [1, 5, 12]
    assert [period_number("half", date(2024, m, 1)) for m in (1, 6, 7, 12)] == [1, 1, 2, 2]
    assert period_number("custom", date(2024, 8, 1)) == 1
    # A period outside every phase is refused rather than given no target.
    with pytest.raises(ValueError, match="none of the policy's phases"):
        period_context(policy, start=date(2025, 1, 1), end=date(2025, 3, 31), key="2025Q1")


# -- quarter 4 (phase 3, target 98): a province of 450 outlets -------------------------------------------

# o000 … o449: score 100 − 0.05·i, region R<i mod 10>, province P1. Extras:
Q4_EXTRA: dict[int, dict[str, Any]] = {
    5: {"hardware_points_lost": D("0.25")},  # exempt, but hardware is not a penalty the top 200 escape
    100: {"praise_count": D(2), "media_praise_amount": D(300)},
    200: {"hardware_points_lost": D("1.5")},
    351: {"repeated_findings": D(1)},
    440: {"key_item_findings": D(1)},
}
# History: (outlet, quarter, inputs). earlier_quarters gets Q1–Q3, year_so_far Q1–Q4.
Q4_HISTORY = [
    ("o000", 1, {"score": D(98), "complaint_tickets": D(0)}),
    ("o000", 2, {"score": D("97.99"), "complaint_tickets": D(0)}),  # below 98: does not count
    ("o000", 3, {"score": D(99), "complaint_tickets": D(0)}),
    ("o001", 1, {"score": D(99)}),
    ("o001", 2, {"score": D(98), "complaint_tickets": D(1)}),  # a ticket in Q2: no award for the year
    ("o001", 3, {"score": D("98.5")}),
    ("o002", 4, {"complaint_tickets": D(2)}),  # tickets in this quarter (year_so_far includes it)
    ("o300", 1, {"score": D(100)}),  # 98+ in Q1, but 85.00 now: q4_early does not fire
]


def _q4_result(con: Any) -> EngineResult:
    policy = r1()
    rows = r1_q4_rows(450, Q4_EXTRA)
    rows.append(
        {
            "subject_key": "x_null",
            "scope__region": "R0",
            "scope__province": "P1",
            "score": None,
            "complaint_tickets": D(3),
        }
    )
    heads = upload(con, "q4_heads", outlets(rows), R1_NUMBERS)
    persons = upload(con, "q4_persons", r1_persons(), R1_NUMBERS)
    history = r1_history(con, "q4", policy, 2024, Q4_HISTORY)
    return evaluate_policy(
        policy,
        period=quarter(policy, 2024, 4),
        frames={"outlet_head": heads, "person": persons},
        history={"outlet_head": history},
    )


def test_q4_exemption_phase_3_penalties_rewards_and_history(duck: Any) -> None:
    result = _q4_result(duck)
    got = entries(duck, result)
    heads = card(duck, result)

    # Exempt: the province's top 200, i = 0 … 199 (100 down to 90.05).
    # phase_3_bottom: not exempt, below 98, bottom 200 of the province: i = 250 … 449 (87.50 … 77.55).
    #   amount 1000 (2000 for the bottom 100, i ≥ 350) + (98 − (100 − 0.05·i)) × 200
    #        = 1000 + 10·i − 400 = 600 + 10·i  (i = 250 … 349),  1600 + 10·i  (i = 350 … 449).
    #   o199 90.05, 200th from the top: exempt, pays nothing.
    #   o200 90.00, 201st from the top but 250th from the bottom: not in the bottom 200, pays nothing.
    #   o250 87.50, 200th from the bottom: 1000 + 10.5 × 200 = 3100.00.
    #   o349 82.55, 101st from the bottom: 600 + 3490 = 4090.00.
    #   o350 82.50, 100th from the bottom: 2000 + 15.5 × 200 = 5100.00.
    #   o351 82.45, repeated finding: (2000 + 15.55 × 200) × 2 = 5110 × 2 = 10220.00.
    #   o440 78.00, key item finding: (2000 + 20 × 200) × 2 = 12000.00.
    #   o449 77.55, last: 2000 + 20.45 × 200 = 6090.00.
    #   Sum: 100 × 600 + 10 × (250 + … + 349) = 60000 + 299500 = 359500;
    #        100 × 1600 + 10 × (350 + … + 449) = 160000 + 399500 = 559500;
    #        plus the doubled halves of o351 (5110) and o440 (6000): 919000 + 11110 = 930110.00.
    phase3 = {key: amount for rule, key, amount in got if rule == "phase_3_bottom"}
    assert len(phase3) == 200 and min(phase3) == "o250" and max(phase3) == "o449"
    assert "o199" not in phase3 and "o200" not in phase3
    assert phase3["o250"] == D("-3100.00")
    assert phase3["o349"] == D("-4090.00")
    assert phase3["o350"] == D("-5100.00")
    assert phase3["o351"] == D("-10220.00")
    assert phase3["o440"] == D("-12000.00")
    assert phase3["o449"] == D("-6090.00")

    # region_bottom_two: region Rk holds i = k, k + 10, …, k + 440; its last is i = k + 440 (rank 1 from
    # the bottom), its second last i = k + 430; all outside the top 200. points_short = 98 − score.
    #   last (i = 440 … 449): 500 + (0.05·i − 2) × 200 = 100 + 10·i; second last (i = 430 … 439): 10·i − 100.
    #   o449: 500 + 20.45 × 200 = 4590.00; o439 (78.05, second last of R9): 300 + 19.95 × 200 = 4290.00;
    #   o440 (key item finding, doubled): (500 + 20 × 200) × 2 = 9000.00.
    #   Sum: 1000 + 10 × 4445 = 45450; 10 × 4345 − 1000 = 42450; + 4500 for o440's doubling = 92400.00.
    bottom_two = {key: amount for rule, key, amount in got if rule == "region_bottom_two"}
    assert sorted(bottom_two) == [f"o{i}" for i in range(430, 450)]
    assert (bottom_two["o449"], bottom_two["o439"], bottom_two["o440"]) == (
        D("-4590.00"),
        D("-4290.00"),
        D("-9000.00"),
    )

    # region_top_two: 98 or more and top 2 of the region: i = 0 … 19 (100 … 99.05), 500 each.
    # q4_early: Q4 and 98 or more (i = 0 … 40), 300 per earlier quarter at 98+:
    #   o000 Q1 98, Q2 97.99, Q3 99 → 2 quarters, 600.00; o001 Q1 99, Q2 98, Q3 98.5 → 900.00;
    #   the others have no earlier quarter at 98+: the rule fires with 0 and gives no entry.
    # no_complaint_all_year: Q4 and no ticket in Q1–Q4: everyone but o001 (Q2) and o002 (Q4): 448 × 500.
    # hardware_after_april: o005 0.25 × 200 = 50.00 (exempt does not matter), o200 1.5 × 200 = 300.00.
    # praise: o100 2 × 100 + 300 = 500.00. onsite_fines (persons): p1 2 × 200 = 400.00,
    #   p2 1 × 200 + 1 × 500 = 700.00.
    assert [(key, amount) for rule, key, amount in got if rule == "q4_early"] == [
        ("o000", D("600.00")),
        ("o001", D("900.00")),
    ]
    assert sorted(key for rule, key, _ in got if rule == "region_top_two") == [f"o{i:03d}" for i in range(20)]
    no_complaint = {key for rule, key, _ in got if rule == "no_complaint_all_year"}
    assert len(no_complaint) == 448 and not {"o001", "o002", "x_null"} & no_complaint
    assert [(key, amount) for rule, key, amount in got if rule == "hardware_after_april"] == [
        ("o005", D("-50.00")),
        ("o200", D("-300.00")),
    ]
    assert by_rule(got) == {
        "q4_early": (2, D("1500.00")),
        "region_top_two": (20, D("10000.00")),
        "no_complaint_all_year": (448, D("224000.00")),
        "phase_3_bottom": (200, D("-930110.00")),
        "region_bottom_two": (20, D("-92400.00")),
        "hardware_after_april": (2, D("-350.00")),
        "praise": (1, D("500.00")),
        "onsite_fines": (2, D("-1100.00")),
    }

    # Scorecards: one row per outlet (the NULL score is not one of them), each rule's amount and whether
    # its `when` held, the total, and the ranks by score (the policy's ranking).
    assert len(heads) == 450 and "x_null" not in heads.index
    rules = ("q4_early", "region_top_two", "no_complaint_all_year", "phase_3_bottom", "region_bottom_two")
    # o000: 600 + 500 + 500 = 1600.00; rank 1 everywhere.
    o000 = heads.loc["o000"]
    assert amounts(o000, *rules) == {
        "q4_early": D(600),
        "region_top_two": D(500),
        "no_complaint_all_year": D(500),
        "phase_3_bottom": D(0),
        "region_bottom_two": D(0),
    }
    assert D(o000.total_amount) == D("1600.00")
    assert (o000.rank__all, o000.rank__region, o000.rank__province) == (1, 1, 1)
    # o040 scores exactly 98: q4_early fired (with no earlier quarter at 98+, so 0).
    assert bool(heads.loc["o040", "q4_early_fired"]) and D(heads.loc["o040", "q4_early_amount"]) == 0
    assert not bool(heads.loc["o041", "q4_early_fired"])  # 97.95
    assert not bool(heads.loc["o300", "q4_early_fired"])  # 98+ in Q1 does not make 85.00 pass
    # o199: exempt, so only the year's award: 500.00.
    o199 = heads.loc["o199"]
    assert bool(o199.exempt) and not bool(o199.phase_3_bottom_fired) and D(o199.total_amount) == D("500.00")
    # o200: hardware −300 + no complaint 500 = 200.00; 201st in the province, 21st in R0.
    o200 = heads.loc["o200"]
    assert not bool(o200.exempt) and not bool(o200.phase_3_bottom_fired)
    assert D(o200.total_amount) == D("200.00")
    assert (o200.rank__all, o200.rank__region, o200.rank__province) == (201, 21, 201)
    # o250: −3100 + 500 = −2600.00; rank 251 (251st of 450 by score), 26th in R0.
    o250 = heads.loc["o250"]
    assert bool(o250.phase_3_bottom_fired) and D(o250.phase_3_bottom_amount) == D("-3100.00")
    assert D(o250.total_amount) == D("-2600.00")
    assert D(o250.rank_value) == D("87.5") and D(o250.points_short) == D("10.5")
    assert (o250.rank__all, o250.rank__region, o250.rank__province) == (251, 26, 251)
    # o350: −5100 + 500 = −4600.00.
    assert D(heads.loc["o350", "total_amount"]) == D("-4600.00")
    # o449: −6090 − 4590 + 500 = −10180.00; last everywhere (45th of R9).
    o449 = heads.loc["o449"]
    assert D(o449.total_amount) == D("-10180.00")
    assert (o449.rank__all, o449.rank__region, o449.rank__province) == (450, 45, 450)

    # Persons: ranked by total amount (no rule gives them points): p3 0, p1 −400, p2 −700.
    people = card(duck, result, "person")
    assert {key: D(people.loc[key, "onsite_fines_amount"]) for key in people.index} == {
        "p1": D("-400.00"),
        "p2": D("-700.00"),
        "p3": D(0),
    }
    assert {key: D(people.loc[key, "total_amount"]) for key in people.index} == {
        "p1": D("-400.00"),
        "p2": D("-700.00"),
        "p3": D(0),
    }
    assert dict(people.rank__all) == {"p3": 1, "p1": 2, "p2": 3}
    assert bool(people.loc["p1", "onsite_fines_fired"]) and not bool(people.loc["p3", "onsite_fines_fired"])

    # The outlet without a score (no default) is left out and reported.
    excluded = duck.execute(result.excluded["outlet_head"])
    assert list(excluded.subject_key) == ["x_null"]
    assert len(duck.execute(result.excluded["person"])) == 0


# -- phases 1 and 2: 200 fillers on top, then outlets one by one ------------------------------------------

# Province P2: fillers f000 … f199 scoring 100, 99.99, …, 98.01 in region RF: the province's top 200,
# exempt. Below them, in regions RA and RB (province ranks 201 …):
#   a4 96 (201), b1 95.5 (202), a1 94.5 (203), b2 94 (204), a2 93 (205), b3 92 (206), a3 91.25 (207),
#   a5 90 and a6 90 (208, tied).
PHASE_ROWS: list[dict[str, Any]] = [
    *(
        {"subject_key": f"f{k:03d}", "scope__region": "RF", "score": score}
        for k, score in enumerate(ladder(200, step="0.01"))
    ),
    {"subject_key": "a1", "scope__region": "RA", "score": D("94.5")},
    {"subject_key": "a2", "scope__region": "RA", "score": D(93), "repeated_findings": D(1)},
    {"subject_key": "a3", "scope__region": "RA", "score": D("91.25"), "key_item_findings": D(2)},
    {"subject_key": "a4", "scope__region": "RA", "score": D(96), "hardware_points_lost": D("1.5")},
    {"subject_key": "a5", "scope__region": "RA", "score": D(90)},
    {"subject_key": "a6", "scope__region": "RA", "score": D(90)},
    {"subject_key": "b1", "scope__region": "RB", "score": D("95.5")},
    {"subject_key": "b2", "scope__region": "RB", "score": D(94)},
    {"subject_key": "b3", "scope__region": "RB", "score": D(92), "repeated_findings": D(1)},
]


def _phase_result(con: Any, q: int) -> EngineResult:
    policy = r1()
    rows = [{**row, "scope__province": "P2"} for row in PHASE_ROWS]
    rows[5]["hardware_points_lost"] = D("0.25")  # f005, exempt: hardware still costs
    heads = upload(con, f"phase_heads_{q}", outlets(rows), R1_NUMBERS)
    persons = upload(con, f"phase_persons_{q}", r1_persons(), R1_NUMBERS)
    return evaluate_policy(
        policy,
        period=quarter(policy, 2024, q),
        frames={"outlet_head": heads, "person": persons},
        history={"outlet_head": NO_HISTORY},
    )


def test_q3_is_phase_2_target_95_doubling_and_region_ties(duck: Any) -> None:
    # Q3: phase 2 by most days, target 95 (September is phase 3, but phase_3_bottom does not fire).
    # phases_1_2_missed, 1000 + (95 − score) × 200, doubled on a repeated or key-item finding:
    #   a1 94.5: 1000 + 0.5 × 200 = 1100.00        a2 93, repeated: (1000 + 400) × 2 = 2800.00
    #   a3 91.25, key items: (1000 + 750) × 2 = 3500.00    a5, a6 90: 1000 + 1000 = 2000.00 each
    #   b2 94: 1000 + 200 = 1200.00                 b3 92, repeated: (1000 + 600) × 2 = 3200.00
    #   a4 96 and b1 95.5 met the target; the fillers are exempt.
    # region_bottom_two (500 last / 300 second last + 200 per point short of 95):
    #   RA: a5 and a6 tie at 90 and share last place (rank 1, 1; a3 is 3rd): 500 + 5 × 200 = 1500.00 each.
    #   RB: b3 last: (500 + 3 × 200) × 2 = 2200.00; b2 second last: 300 + 1 × 200 = 500.00.
    #   RF: f199, f198 are last but exempt.
    # region_top_two (95 or more and top 2 of the region, 500): f000, f001; a4 (a1 is 2nd of RA but below
    #   95); b1 (b2 is 2nd of RB, below 95).
    # hardware_after_april: a4 1.5 × 200 = 300.00; f005 0.25 × 200 = 50.00.
    # Persons' onsite fines as in Q4: p1 400.00, p2 700.00.
    result = _phase_result(duck, 3)
    got = entries(duck, result)
    assert got == sorted(
        [
            ("phases_1_2_missed", "a1", D("-1100.00")),
            ("phases_1_2_missed", "a2", D("-2800.00")),
            ("phases_1_2_missed", "a3", D("-3500.00")),
            ("phases_1_2_missed", "a5", D("-2000.00")),
            ("phases_1_2_missed", "a6", D("-2000.00")),
            ("phases_1_2_missed", "b2", D("-1200.00")),
            ("phases_1_2_missed", "b3", D("-3200.00")),
            ("region_bottom_two", "a5", D("-1500.00")),
            ("region_bottom_two", "a6", D("-1500.00")),
            ("region_bottom_two", "b3", D("-2200.00")),
            ("region_bottom_two", "b2", D("-500.00")),
            ("region_top_two", "f000", D("500.00")),
            ("region_top_two", "f001", D("500.00")),
            ("region_top_two", "a4", D("500.00")),
            ("region_top_two", "b1", D("500.00")),
            ("hardware_after_april", "a4", D("-300.00")),
            ("hardware_after_april", "f005", D("-50.00")),
            ("onsite_fines", "p1", D("-400.00")),
            ("onsite_fines", "p2", D("-700.00")),
        ]
    )
    heads = card(duck, result)
    # Totals: a5 −2000 − 1500 = −3500.00; b3 −3200 − 2200 = −5400.00; a4 500 − 300 = 200.00.
    assert {k: D(heads.loc[k, "total_amount"]) for k in ("a5", "b3", "a4")} == {
        "a5": D("-3500.00"),
        "b3": D("-5400.00"),
        "a4": D("200.00"),
    }
    # Ranks by score: the tie shares 208th in the province and 5th in RA (a4, a1, a2, a3 above).
    assert (heads.loc["a5", "rank__province"], heads.loc["a6", "rank__province"]) == (208, 208)
    assert (heads.loc["a5", "rank__region"], heads.loc["a6", "rank__region"]) == (5, 5)
    assert heads.loc["a4", "rank__province"] == 201 and heads.loc["a4", "rank__all"] == 201
    assert D(heads.loc["a3", "points_short"]) == D("3.75")
    assert not heads.phase_3_bottom_fired.any()


def test_q1_is_phase_1_target_92(duck: Any) -> None:
    # The same outlets in Q1 (phase 1, target 92):
    # phases_1_2_missed: a3 91.25, key items: (1000 + 0.75 × 200) × 2 = 2300.00; a5, a6 90: 1000 + 2 × 200
    #   = 1400.00 each; b3 at exactly 92 is not below the target.
    # region_bottom_two: a5, a6 last of RA: 500 + 2 × 200 = 900.00 each; b3 last of RB, 0 points short:
    #   500 × 2 (repeated finding) = 1000.00; b2 second last: 300 + 0 = 300.00.
    # region_top_two (92 or more): f000, f001; a4 and a1 (94.5 ≥ 92 now); b1 and b2.
    result = _phase_result(duck, 1)
    got = [(rule, key, amount) for rule, key, amount in entries(duck, result) if rule != "onsite_fines"]
    assert got == sorted(
        [
            ("phases_1_2_missed", "a3", D("-2300.00")),
            ("phases_1_2_missed", "a5", D("-1400.00")),
            ("phases_1_2_missed", "a6", D("-1400.00")),
            ("region_bottom_two", "a5", D("-900.00")),
            ("region_bottom_two", "a6", D("-900.00")),
            ("region_bottom_two", "b3", D("-1000.00")),
            ("region_bottom_two", "b2", D("-300.00")),
            ("region_top_two", "f000", D("500.00")),
            ("region_top_two", "f001", D("500.00")),
            ("region_top_two", "a4", D("500.00")),
            ("region_top_two", "a1", D("500.00")),
            ("region_top_two", "b1", D("500.00")),
            ("region_top_two", "b2", D("500.00")),
            ("hardware_after_april", "a4", D("-300.00")),
            ("hardware_after_april", "f005", D("-50.00")),
        ]
    )


# -- a formula failing for some subjects --------------------------------------------------------------

TINY = """\
schema: 1
id: tiny_division
name: 除法
version: 1
effective:
  from: 2024-01-01
subjects:
  - id: outlet
    kind: unit
    level: outlet
periods:
  unit: quarter
inputs:
  - name: x
    type: number
  - name: y
    type: number
rules:
  - id: share
    subject: outlet
    amount: |
      1000
        + x / y
"""
GUARDED = TINY.replace("1000\n        + x / y", "1000\n        + (if y = 0 then 0 else x / y)")


def tiny_run(con: Any, tmp_path: Path, text: str) -> tuple[Path, EngineResult]:
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    policy = load_policy(path)
    period = period_context(policy, start=date(2024, 1, 1), end=date(2024, 3, 31), key="2024Q1")
    rows: dict[str, list[Any]] = {
        "subject_key": ["s1", "s2", "s3", "s4"],
        "x": [D(10), D(5), D(1), D(7)],
        "y": [D(4), D(0), D(3), D(0)],
    }
    frame = upload(con, "tiny", rows, ("x", "y"))
    return path, evaluate_policy(policy, period=period, frames={"outlet": frame})


def test_division_by_zero_names_the_file_the_slash_and_the_subjects(duck: Any, tmp_path: Path) -> None:
    # y is 0 for s2 and s4. The `/` is on line 23 of the file ("        + x / y"), column 13.
    line = TINY.splitlines().index("        + x / y") + 1
    assert (line, "        + x / y".index("/") + 1) == (23, 13)
    with pytest.raises(PolicyRunError) as caught:
        tiny_run(duck, tmp_path, TINY)
    error = caught.value
    assert error.file == str(tmp_path / "tiny.yaml")
    assert (error.line, error.column) == (23, 13)
    assert sorted(error.keys) == ["s2", "s4"]
    assert "division by zero" in str(error) and str(error).startswith(f"{tmp_path / 'tiny.yaml'}:23:13:")


def test_a_division_in_the_untaken_branch_does_not_fail(duck: Any, tmp_path: Path) -> None:
    # 1000 + (if y = 0 then 0 else x / y): s1 1000 + 10 / 4 = 1002.50, s2 1000.00, s3 1000 + 1/3 = 1000.33
    # (0.3333333333 to the fen), s4 1000.00.
    _, result = tiny_run(duck, tmp_path, GUARDED)
    assert entries(duck, result) == [
        ("share", "s1", D("1002.50")),
        ("share", "s2", D("1000.00")),
        ("share", "s3", D("1000.33")),
        ("share", "s4", D("1000.00")),
    ]
