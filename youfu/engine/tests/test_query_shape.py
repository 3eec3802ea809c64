"""The shape of the compiled query, which its Python cost follows (every join and selection repeats
all of a subject's columns as Ibis nodes): ranks and aggregates over spans joined in ahead (run.py
``_Subject.join_ahead``), one join for all that the table can compute and one rank column per value,
group and direction, with the results of ranking each call on its own (worked out by hand on DuckDB and
PostgreSQL); an operand times a whole number kept inline when it cannot nest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.operations as ops
import pytest
from ibis.common.graph import Graph

import youfu.engine.run as run
from youfu.engine import evaluate_policy, period_context
from youfu.policies.checker import load_policy

from .cases import r1_small_case, upload
from .harness import Data, compile_formula, engine, reference

D = Decimal

LADDER = """\
schema: 1
id: ladder
name: 名次
version: 1
effective:
  from: 2024-01-01
subjects:
  - id: outlet
    kind: unit
    level: outlet
scopes:
  - id: region
    level: sub_branch
periods:
  unit: quarter
inputs:
  - name: score
    type: number
  - name: bonus
    type: number
values:
  - name: place
    formula: rank(score, within=region)
  - name: best
    formula: top(score, 2)
  - name: worst
    formula: bottom(score, 1)
  - name: worst_two
    formula: bottom(score, 2)
  - name: step
    formula: score * 2 + bonus
  - name: step_place
    formula: rank(step)
rules:
  - id: base
    subject: outlet
    points: score
  - id: tally
    subject: outlet
    points: >-
      place + (if best then 10 else 0) + (if worst then 100 else 0) + (if worst_two then 1000 else 0)
        + 10000 * step_place
  - id: winner
    subject: outlet
    when: top(base_points, 1)
    amount: 100
  - id: loser
    subject: outlet
    when: bottom(base_points, 1)
    amount: -100
"""


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The query of every subject's table the engine stores, by the stored table's name."""
    queries: dict[str, Any] = {}
    original = run.store

    def spy(backend: Any, name: str, table: Any) -> Any:
        queries[name] = table
        return original(backend, name, table)

    monkeypatch.setattr(run, "store", spy)
    return queries


def ladder(con: Any, tmp_path: Path) -> Any:
    path = tmp_path / "ladder.yaml"
    path.write_text(LADDER, encoding="utf-8")
    policy = load_policy(path)
    period = period_context(policy, start=date(2024, 1, 1), end=date(2024, 3, 31), key="2024Q1")
    rows: dict[str, list[Any]] = {
        "subject_key": ["o1", "o2", "o3", "o4", "o5"],
        "scope__region": ["A", "A", "A", "B", "B"],
        "score": [D(90), D(95), D(95), D(80), D(99)],
        "bonus": [D(3), D(0), D(-2), D(0), D(1)],
    }
    frame = upload(con, "ladder", rows, ("score", "bonus"))
    return evaluate_policy(policy, period=period, frames={"outlet": frame})


def _count(table: Any, kind: type) -> int:
    return sum(1 for node in Graph.from_bfs(table.op()) if isinstance(node, kind))


@pytest.mark.parametrize("backend", ["duck", "postgres"])
def test_ranks_computed_ahead_are_those_of_each_call_on_its_own(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    con = request.getfixturevalue(backend)
    result = ladder(con, tmp_path)
    card = con.execute(result.scorecards["outlet"]).sort_values("subject_key").set_index("subject_key")
    # place: within A, o2 and o3 tie first on 95, o1 third; within B, o5 first, o4 second.
    assert [int(D(v)) for v in card.place] == [3, 1, 1, 2, 1]
    # Over all five, descending: o5 99 (1), o2 o3 95 (2, 2), o1 90 (4), o4 80 (5); ascending the reverse.
    assert list(card.best) == [False, True, True, False, True]
    assert list(card.worst) == [False, False, False, True, False]
    assert list(card.worst_two) == [True, False, False, True, False]
    # step = 2 × score + bonus: 183, 190, 188, 160, 199; ranked descending.
    assert [D(v) for v in card.step] == [D(183), D(190), D(188), D(160), D(199)]
    assert [int(D(v)) for v in card.step_place] == [4, 2, 3, 5, 1]
    # The rules rank the base rule's points (the score): o5 has the most, o4 the least.
    assert [D(v) for v in card.winner_amount] == [D(0), D(0), D(0), D(0), D(100)]
    assert [D(v) for v in card.loser_amount] == [D(0), D(0), D(0), D(-100), D(0)]
    assert [D(v) for v in card.tally_points] == [D(41003), D(20011), D(30011), D(51102), D(10011)]


def test_one_join_for_the_ranks_the_table_can_compute_and_one_column_per_value_and_direction(
    duck: Any, tmp_path: Path, stored: dict[str, Any]
) -> None:
    ladder(duck, tmp_path)
    (table,) = stored.values()
    # Joins: the ranks of the score (ahead, at the start); step's rank (step is a value: when it is a
    # column); the rules' top and bottom of base_points (once the base rule's points are); the
    # subject's ranking. Ranking each call on its own took a join each: eight.
    assert _count(table, ops.JoinChain) == 4
    # Windows: score within region, score descending, score ascending (bottom 1 and bottom 2 share
    # it); step; base_points both ways; the ranking's rank__all and rank__region.
    assert _count(table, ops.WindowFunction) == 8


def test_r1_outlet_heads_join_their_ranks_and_spans_at_once(duck: Any, stored: dict[str, Any]) -> None:
    """R1's outlet heads rank the score five ways (four distinct) and sum two spans: one join for
    all of them, and one for the ranking (each on its own took eight)."""
    policy, period, frames, history = r1_small_case(duck, "joins")
    evaluate_policy(policy, period=period, frames=frames, history=history)
    (heads,) = [table for name, table in stored.items() if "outlet_head" in name]
    assert _count(heads, ops.JoinChain) == 2


def test_times_a_whole_number_a_flat_operand_stays_inline_and_products_do_not_nest(duck: Any) -> None:
    data = Data(
        columns={
            "x": [D(1), D("2.5"), D(-3)],
            "y": [D(4), D("0.25"), D(0)],
            "z": [D(0), D(0), D(0)],
            "flag": [True, False, True],
            "label": ["a", "b", "c"],
        },
        region=["A", "A", "B"],
    )
    # (x - y) × 200 multiplies by a whole number: x - y appears twice in SQL, no column made of it.
    table, _, _ = compile_formula("(x - y) * 200", data, duck)
    assert not [column for column in table.columns if column.startswith("__yf_")]
    assert engine("(x - y) * 200", data, duck) == reference("(x - y) * 200", data)
    assert engine("(x - y) * 200", data, duck).values == (D(-600), D(450), D(-600))

    # A product of a product is a column first: twelve doublings make about three times the SQL of
    # six (each step selects the columns so far), where inline products would make 2^6 = 64 times.
    def doubled(times: int) -> tuple[str, int]:
        text = "x" + " * 2" * times
        table, col, _ = compile_formula(text, data, duck)
        return text, len(ibis.to_sql(table.select(value=col.value)))

    (_, short), (twelve, long) = doubled(6), doubled(12)
    assert long < 4 * short
    assert engine(twelve, data, duck) == reference(twelve, data)
    assert engine(twelve, data, duck).values == (D(4096), D(10240), D(-12288))
