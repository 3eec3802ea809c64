"""The KPI formulas to the exact Decimal on hand-worked numbers (plain Python)."""

from decimal import Decimal

import pytest

from youfu.reports import kpis


@pytest.mark.parametrize(
    ("n", "rank"), [(1, 1), (2, 2), (9, 9), (10, 9), (11, 10), (19, 18), (20, 18), (21, 19)]
)
def test_p90_is_the_nearest_rank(n, rank):
    assert kpis.p90_rank(n) == rank


def test_wait_stats_by_hand():
    # sorted: 60 … 540, 1200; sum 3900 s over 10 → 6.50 min; rank 9 → 540 s → 9.00 min
    assert kpis.wait_stats([1200, 60, 120, 180, 240, 300, 360, 420, 480, 540]) == (
        Decimal("6.50"),
        Decimal("9.00"),
    )
    # 100 s → 1.666… → 1.67 (half up)
    assert kpis.wait_stats([100]) == (Decimal("1.67"), Decimal("1.67"))
    # two waits: p90 is the larger (rank 2), not an interpolation
    assert kpis.wait_stats([30, 90]) == (Decimal("1.00"), Decimal("1.50"))
    assert kpis.wait_stats([]) == (None, None)


def test_diversion_rate():
    assert kpis.diversion_rate(9, 1) == Decimal("90.00")
    assert kpis.diversion_rate(2, 1) == Decimal("66.67")
    assert kpis.diversion_rate(1, 2) == Decimal("33.33")
    assert kpis.diversion_rate(0, 0) is None
    assert kpis.percent(1, 8) == Decimal("12.50")
    assert kpis.percent(1, 200) == Decimal("0.50")
    assert kpis.percent(1, 400) == Decimal("0.25")
    assert kpis.percent(1, 800) == Decimal("0.13")  # 0.125 half up


@pytest.mark.parametrize(
    ("value", "colour"),
    [
        ("90.00", "green"),
        ("95", "green"),
        ("89.99", "amber"),
        ("85.00", "amber"),
        ("84.99", "red"),
        (None, None),
    ],
)
def test_rag_higher_is_better_boundaries(value, colour):
    v = None if value is None else Decimal(value)
    assert kpis.rag("diversion_rate", v, Decimal("90"), Decimal("5")) == colour


@pytest.mark.parametrize(
    ("value", "colour"),
    [("10.00", "green"), ("9", "green"), ("10.01", "amber"), ("14.00", "amber"), ("14.01", "red")],
)
def test_rag_lower_is_better_boundaries(value, colour):
    assert kpis.rag("wait_avg", Decimal(value), Decimal("10"), Decimal("4")) == colour


def test_rag_with_no_band_has_no_amber():
    assert kpis.rag("satisfaction_rate", Decimal("94.99"), Decimal("95"), Decimal("0")) == "red"


def test_score():
    assert kpis.score(["green", "amber", "red", None]) == Decimal("50.00")
    assert kpis.score(["green", "green", "amber"]) == Decimal("83.33")
    assert kpis.score([None]) is None
