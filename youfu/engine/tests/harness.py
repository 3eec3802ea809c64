"""Run one formula both ways: the reference evaluator (youfu.formula) and the engine's Compiler.

``Data`` holds a few columns (numbers x, y, z; a condition ``flag``; a text ``label``), the group key
of the scope ``region`` and the periods of the span ``span``. ``reference(text, data)`` and
``engine(text, data, con)`` both give an ``Outcome``: the values row by row, or the rows that fail.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from youfu.engine.compiler import Col, Compiler, Fault, Names, _either
from youfu.engine.numbers import NUMBER, divide, number
from youfu.formula import EvaluationError, Frame, parse
from youfu.formula import evaluate as reference_evaluate
from youfu.formula.ast import Call, Expr, Name, children

NUMBERS = ("x", "y", "z")
COLUMNS = (*NUMBERS, "flag", "label")
TYPES: dict[str, Any] = {"x": NUMBER, "y": NUMBER, "z": NUMBER, "flag": dt.boolean, "label": dt.string}
ROW, PERIOD = "row__", "period__"


@dataclass
class Data:
    columns: dict[str, list[Any]]
    region: list[str]
    periods: list[dict[str, list[Any]]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.region)

    def frame(self) -> Frame:
        return Frame(self.columns, scopes={"region": self.region}, history={"span": self.periods})


@dataclass(frozen=True)
class Outcome:
    values: tuple[Any, ...] | None  # one per row, when nothing failed
    failing: tuple[int, ...] = ()  # the rows that fail (0-based), when something did


def reference(text: str, data: Data) -> Outcome:
    try:
        return Outcome(tuple(reference_evaluate(text, data.frame())))
    except EvaluationError as error:
        return Outcome(None, tuple(error.rows))


def _aggregates(tree: Expr) -> Iterator[Call]:
    if isinstance(tree, Call) and any(keyword.name == "over" for keyword in tree.keywords):
        yield tree
        return
    for child in children(tree):
        yield from _aggregates(child)


def table(data: Data, con: BaseBackend, name: str) -> ir.Table:
    rows = {ROW: list(range(data.size)), **data.columns, "scope__region": data.region}
    schema = {ROW: "int64", **TYPES, "scope__region": "string"}
    return _upload(con, name, rows, schema)


def _upload(con: BaseBackend, name: str, rows: dict[str, list[Any]], schema: dict[str, Any]) -> ir.Table:
    memtable = ibis.memtable(rows, schema=schema)
    if con.name == "duckdb":
        return memtable
    con.create_table(name, memtable.to_pyarrow(), overwrite=True)
    return con.table(name)


def compile_formula(
    text: str, data: Data, con: BaseBackend, name: str = "t"
) -> tuple[ir.Table, Col, list[Fault]]:
    """The table (with the span's aggregates joined in, as the runner does), the compiled formula and
    the eager faults (ranking a value that fails)."""
    tree = parse(text)
    base = table(data, con, name)
    aggregates: dict[Call, tuple[str, str | None]] = {}
    eager: list[Fault] = []
    calls = list(dict.fromkeys(_aggregates(tree)))
    if calls:
        long: dict[str, list[Any]] = {ROW: [], PERIOD: [], "scope__region": [], **{c: [] for c in COLUMNS}}
        for index, period in enumerate(data.periods):
            long[ROW] += list(range(data.size))
            long[PERIOD] += [index] * data.size
            long["scope__region"] += data.region
            for column in COLUMNS:
                long[column] += period[column]
        schema = {ROW: "int64", PERIOD: "int64", "scope__region": "string", **TYPES}
        periods = _upload(con, f"{name}_periods", long, schema)
        names = Names(columns={column: column for column in COLUMNS})
        for index, call in enumerate(calls):
            compiler = Compiler(
                periods, names, scopes={"region": "scope__region"}, partition=(PERIOD,), eager=eager
            )
            inner = compiler.compile(call.args[0])
            periods = compiler.table  # the operands of × and ÷ became columns of it
            part = (
                ibis.ifelse(inner.value, number(1), number(0))
                if call.func == "count"
                else number(inner.value)
            )
            flag = inner.fault if inner.fault is not None else ibis.literal(False)
            per_row = (
                periods.select(key=periods[ROW], part=part, flag=flag)
                .group_by("key")
                .aggregate(total=lambda t: t["part"].sum().cast(NUMBER), bad=lambda t: t["flag"].any())
            )
            joined = base.left_join(per_row, base[ROW] == per_row["key"])
            total = joined["total"].fill_null(number(0)).cast(NUMBER)
            bad = joined["bad"].fill_null(False)
            if call.func == "mean":
                total = divide(total, number(Decimal(len(data.periods))))
                bad = bad | ibis.literal(not data.periods)
            base = joined.select(*base.columns, **{f"agg{index}": total, f"bad{index}": bad})
            aggregates[call] = (f"agg{index}", f"bad{index}")
    names = Names(columns={column: column for column in COLUMNS})
    compiler = Compiler(base, names, scopes={"region": "scope__region"}, aggregates=aggregates, eager=eager)
    col = compiler.compile(tree)
    return compiler.table, col, eager


def engine(text: str, data: Data, con: BaseBackend, name: str = "t") -> Outcome:
    base, col, eager = compile_formula(text, data, con, name)
    false = ibis.literal(False)
    fault = col.fault if col.fault is not None else false
    columns = {"value": col.value, "fault": fault, **{f"eager{i}": f.condition for i, f in enumerate(eager)}}
    result = con.execute(base.select(base[ROW], **columns).order_by(ROW))
    for index in range(len(eager)):  # ranking a value that fails: the reference raises at once
        rows = tuple(int(i) for i in result.loc[result[f"eager{index}"].astype(bool), ROW])
        if rows:
            return Outcome(None, rows)
    failing = tuple(int(i) for i in result.loc[result["fault"].astype(bool), ROW])
    if failing:
        return Outcome(None, failing)
    return Outcome(tuple(_plain(value) for value in result["value"]))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | str):
        return value
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return value


def agree(text: str, data: Data, con: BaseBackend, name: str = "t") -> None:
    """The engine gives the reference's values, or fails for the same rows."""
    expected, got = reference(text, data), engine(text, data, con, name)
    assert got == expected, f"{text}\nreference: {expected}\nengine:    {got}"


def names_in(tree: Expr) -> Sequence[str]:
    return [node.id for node in _walk(tree) if isinstance(node, Name)]


def _walk(tree: Expr) -> Iterator[Expr]:
    yield tree
    for child in children(tree):
        yield from _walk(child)


__all__ = ["Data", "Outcome", "_either", "agree", "compile_formula", "engine", "reference"]
