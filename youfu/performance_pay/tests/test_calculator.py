"""R4 worked by hand, to the fen (no database): a pool of 10 000.00 among three people.

Shares (20/10/20/10/40): priced 2000.00, stock 1000.00, increment 2000.00, department 1000.00,
democratic evaluation 4000.00.

* stock: the three month-end means are equal (300 each): 1000/3 = 333.333… each; naive rounding
  gives 3 × 333.33 = 999.99, a fen short; the largest remainder gives 333.34 + 333.33 + 333.33;
* increment: A 1500 − 1000 = +500; B 800 − 1000 + 30% × 1000 payroll = +100 (−200 without it);
  C 900 − 1000 = −100, excluded. 2000 × 500/600 = 1666.67, 2000 × 100/600 = 333.33, C 0;
* department: A business 90·0.7 + 80·0.3 = 87; B functional 90·0.3 + 80·0.7 = 83; C business
  80·0.7 + 70·0.3 = 77; of 247: 352.2267, 336.0324, 311.7409 → floors 999.99, the fen to A
  (largest remainder .67): 352.23, 336.03, 311.74;
* evaluation: own pay 10000/3, × 40% × 90/80/70 % = 1200.00, 1066.67, 933.33 (3200.00; the other
  800.00 of the 40% is undistributed: the seed is silent);
* priced: 500.00 + 700.00 = 1200.00 of 2000.00 (800.00 undistributed).

A 4052.24 + B 2769.36 + C 1578.40 = 8400.00, + 1600.00 undistributed = 10 000.00.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from youfu.performance_pay.calculator import Allocation, PayPolicy, PayPolicyError
from youfu.performance_pay.services import REFERENCE_POLICY
from youfu.policies.checker import load_policy

D = Decimal


@pytest.fixture(scope="module")
def r4() -> PayPolicy:
    return PayPolicy.of(load_policy(REFERENCE_POLICY))


def person(**values: object) -> dict[str, Decimal | str]:
    base: dict[str, Decimal | str] = {
        "balance_m1": D(300),
        "balance_m2": D(300),
        "balance_m3": D(300),
        "daily_avg": D(1000),
        "daily_avg_base": D(1000),
        "payroll_credit": D(0),
        "priced_amount": D(0),
        "department_kind": "business",
        "results_score": D(0),
        "duties_score": D(0),
        "evaluation_score": D(0),
    }
    base.update({k: str(v) if k == "department_kind" else D(str(v)) for k, v in values.items()})
    return base


THREE = [
    (
        "A",
        person(
            daily_avg=1500, priced_amount="500.00", results_score=90, duties_score=80, evaluation_score=90
        ),
    ),
    (
        "B",
        person(
            daily_avg=800,
            payroll_credit=1000,
            priced_amount="700.00",
            department_kind="functional",
            results_score=90,
            duties_score=80,
            evaluation_score=80,
        ),
    ),
    ("C", person(daily_avg=900, results_score=80, duties_score=70, evaluation_score=70)),
]


def amounts(allocation: Allocation, key: str) -> list[str]:
    line = next(line for line in allocation.lines if line.key == key)
    return [
        str(line.amounts[r])
        for r in ("priced_products", "stock_share", "increment_share", "department_share", "evaluation_share")
    ]


def test_the_hand_worked_pool_to_the_fen(r4: PayPolicy) -> None:
    result = r4.allocate(D("10000.00"), THREE)

    assert [(s.rule, str(s.budget), str(s.paid)) for s in result.shares] == [
        ("priced_products", "2000.00", "1200.00"),
        ("stock_share", "1000.00", "1000.00"),
        ("increment_share", "2000.00", "2000.00"),
        ("department_share", "1000.00", "1000.00"),
        ("evaluation_share", "4000.00", "3200.00"),
    ]
    assert amounts(result, "A") == ["500.00", "333.34", "1666.67", "352.23", "1200.00"]
    assert amounts(result, "B") == ["700.00", "333.33", "333.33", "336.03", "1066.67"]
    assert amounts(result, "C") == ["0.00", "333.33", "0.00", "311.74", "933.33"]
    assert [str(line.total) for line in result.lines] == ["4052.24", "2769.36", "1578.40"]
    assert result.paid == D("8400.00") and result.undistributed == D("1600.00")
    assert result.paid + result.undistributed == D("10000.00")


def test_naive_rounding_would_be_a_fen_short(r4: PayPolicy) -> None:
    result = r4.allocate(D("10000.00"), THREE)
    stock_exact = [line.exact["stock_share"] for line in result.lines]
    naive = sum((round(x, 2) for x in stock_exact), D(0))

    assert naive == D("999.99")
    assert sum((line.amounts["stock_share"] for line in result.lines), D(0)) == D("1000.00")


def test_negative_increments_are_excluded_and_payroll_counts_at_30_percent(r4: PayPolicy) -> None:
    result = r4.allocate(D("10000.00"), THREE)
    steps = {line.key: {s.name: D(s.value) for s in line.steps} for line in result.lines}

    assert steps["C"]["increment_raw"] == D(-100) and steps["C"]["increment_basis"] == 0
    assert steps["B"]["increment_raw"] == D(100)  # −200 + 30% × 1000
    assert result.totals["increment_total"] == D(600)
    no_payroll = [(k, {**v, "payroll_credit": D(0)}) for k, v in THREE]
    alone = r4.allocate(D("10000.00"), no_payroll)
    assert amounts(alone, "A")[2] == "2000.00" and amounts(alone, "B")[2] == "0.00"


def test_nobody_with_an_increment_leaves_its_share_undistributed_and_says_so(r4: PayPolicy) -> None:
    flat = [(k, {**v, "daily_avg": D(1000), "payroll_credit": D(0)}) for k, v in THREE]

    result = r4.allocate(D("10000.00"), flat)

    share = next(s for s in result.shares if s.rule == "increment_share")
    assert share.paid == 0 and share.undistributed == D("2000.00")
    assert any("increment_share" in w for w in result.warnings)
    assert result.paid + result.undistributed == D("10000.00")


def test_priced_products_above_their_20_percent_stop_the_computation(r4: PayPolicy) -> None:
    rich = [(k, {**v, "priced_amount": D("1500.00")}) for k, v in THREE]

    with pytest.raises(PayPolicyError, match="more than their 20% of the pool"):
        r4.allocate(D("10000.00"), rich)


def test_priced_products_under_10_percent_are_flagged(r4: PayPolicy) -> None:
    few = [(k, {**v, "priced_amount": D("100.00")}) for k, v in THREE]

    result = r4.allocate(D("10000.00"), few)

    assert any("less than 10% of the pool" in w for w in result.warnings)


def test_a_pool_not_in_whole_fen_or_without_people_is_refused(r4: PayPolicy) -> None:
    with pytest.raises(PayPolicyError, match="whole fen"):
        r4.allocate(D("100.005"), THREE)
    with pytest.raises(PayPolicyError, match="nobody"):
        r4.allocate(D("100.00"), [])


def test_any_pool_sums_exactly(r4: PayPolicy) -> None:
    rng = random.Random(7)
    for _ in range(40):
        n = rng.randint(1, 9)
        total = D(rng.randint(100_000, 50_000_000)) / 100
        people = [
            (
                str(i),
                person(
                    balance_m3=rng.randint(0, 10**7),
                    daily_avg=rng.randint(0, 10**7),
                    daily_avg_base=rng.randint(0, 10**7),
                    payroll_credit=rng.choice([0, rng.randint(0, 10**6)]),
                    results_score=rng.randint(0, 100),
                    duties_score=rng.randint(0, 100),
                    evaluation_score=rng.randint(0, 100),
                    department_kind=rng.choice(["business", "functional"]),
                ),
            )
            for i in range(n)
        ]

        result = r4.allocate(total, people)

        assert result.paid + result.undistributed == total
        for share in result.shares:
            assert share.paid <= share.budget
