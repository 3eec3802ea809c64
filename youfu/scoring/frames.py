"""The engine's input for one policy and period, read from the org tree and the facts (youfu.facts).

One frame per subject of the policy (see youfu/engine/run.py for the columns):

* ``unit`` and ``head`` subjects: the units of the subject's level; key = the unit's id (the head is
  found when the ledger entry is posted: the entry goes to the unit, role ``unit_head``);
* ``person`` subjects: people in service (of the listed positions); key = the person's id.

Scope columns hold the id of the unit at the scope's level above (or at) the subject's unit; link
columns (for ``also:`` shares) the key of the subject the share goes to: a unit or head subject's key
is the unit of its level above (or at) the row's unit. Inputs come from the period's current facts:
unit facts for unit and head subjects, person facts for people; a missing fact is NULL, and the
policy's default applies (or the subject is left out and reported).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from youfu.core.money import SCALE
from youfu.engine import KEY, LINK, PERIOD_KEY, SCOPE, HistoryFrame, PeriodContext, period_context
from youfu.facts.selectors import FactRow, facts_for_period, facts_for_periods
from youfu.formula.ast import Call, Name, children
from youfu.formula.checker import Type
from youfu.org.models import Period, Person, Unit
from youfu.policies.document import Policy, Span, Subject

_TYPES = {Type.NUMBER: pa.decimal128(38, SCALE), Type.BOOL: pa.bool_(), Type.TEXT: pa.string()}


@dataclass
class SubjectRows:
    """A subject's rows as plain Python, before they become a table: the keys, the unit of each
    row, and the columns."""

    subject: Subject
    keys: list[int]
    units: list[int]
    columns: dict[str, list[Any]] = field(default_factory=dict)
    facts: list[dict[str, int]] = field(default_factory=list)  # per row: input name → fact id
    # per row, for each span the subject's formulas aggregate over: period code → input name → fact id
    # (every period of the span, {} where the subject had no fact), so an explanation shows them
    history: list[dict[str, dict[str, dict[str, int]]]] = field(default_factory=list)


@dataclass
class Frames:
    frames: dict[str, ir.Table]
    history: dict[str, dict[str, HistoryFrame]]
    rows: dict[str, SubjectRows]
    context: PeriodContext


class _Tree:
    """Every unit's id, kind and path, to find the unit at a level above any unit in memory."""

    def __init__(self) -> None:
        self.by_path: dict[str, tuple[int, str]] = {}
        self.path_of: dict[int, str] = {}
        for pk, path, kind in Unit.objects.values_list("pk", "path", "kind"):
            self.by_path[path] = (pk, kind)
            self.path_of[pk] = path
        self.step = Unit.steplen

    def at_level(self, unit_id: int, level: str) -> int | None:
        """The unit itself or its nearest ancestor of kind ``level``."""
        path = self.path_of[unit_id]
        for end in range(len(path), 0, -self.step):
            pk, kind = self.by_path[path[:end]]
            if kind == level:
                return pk
        return None


def _subject_rows(subject: Subject, tree: _Tree) -> SubjectRows:
    if subject.kind == "person":
        people = Person.objects.filter(is_active=True)
        if subject.positions:
            people = people.filter(position__in=subject.positions)
        pairs = list(people.order_by("pk").values_list("pk", "unit_id"))
        return SubjectRows(subject, [pk for pk, _ in pairs], [unit for _, unit in pairs])
    units = list(
        Unit.objects.filter(kind=subject.level, is_active=True).order_by("pk").values_list("pk", flat=True)
    )
    return SubjectRows(subject, units, list(units))


def _links(policy: Policy, subject_id: str) -> set[str]:
    return {share.subject for rule in policy.rules if rule.subject == subject_id for share in rule.also}


def _fact_index(rows: Iterable[FactRow]) -> dict[tuple[str, int], dict[str, FactRow]]:
    index: dict[tuple[str, int], dict[str, FactRow]] = defaultdict(dict)
    for row in rows:
        key = ("person", row.person_id) if row.subject_kind == "person" else ("unit", row.unit_id)
        index[key][row.name] = row  # type: ignore[index]
    return index


def _values(
    subject_rows: SubjectRows, policy: Policy, facts: dict[tuple[str, int], dict[str, FactRow]]
) -> None:
    kind = "person" if subject_rows.subject.kind == "person" else "unit"
    for input_ in policy.inputs:
        column: list[Any] = []
        for key in subject_rows.keys:
            fact = facts.get((kind, key), {}).get(input_.name)
            column.append(_typed(fact.value, input_.type) if fact is not None else None)
        subject_rows.columns[input_.name] = column
    subject_rows.facts = [
        {name: fact.fact_id for name, fact in facts.get((kind, key), {}).items()} for key in subject_rows.keys
    ]


def _typed(value: Decimal | bool | str, type_: Type) -> Any:
    if type_ is Type.NUMBER:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    if type_ is Type.BOOL:
        return bool(value)
    return str(value)


def _arrow(policy: Policy, columns: dict[str, list[Any]]) -> pa.Table:
    """The columns as an Arrow table (exact decimals, NULL where a fact is missing)."""
    types = {input_.name: _TYPES[input_.type] for input_ in policy.inputs}
    fields = []
    for name in columns:
        if name == KEY or name.startswith((SCOPE, LINK)):
            fields.append(pa.field(name, pa.int64()))
        elif name == PERIOD_KEY:
            fields.append(pa.field(name, pa.string()))
        else:
            fields.append(pa.field(name, types[name]))
    return pa.table(columns, schema=pa.schema(fields))


def spans_used(policy: Policy, subject_id: str) -> set[str]:
    """The spans that the formulas of the subject's rules aggregate over (sum/mean/count(…, over=…)),
    directly or through the values they use."""

    def walk(tree: Any) -> Iterable[Any]:
        yield tree
        for child in children(tree):
            yield from walk(child)

    values = {value.name: value.formula for value in policy.values}
    formulas = [
        formula
        for rule in policy.rules
        if rule.subject == subject_id
        for formula in (
            rule.when,
            rule.points,
            rule.amount,
            *(f for m in rule.multipliers for f in (m.when, m.factor)),
            *(f for share in rule.also for f in (share.points, share.amount)),
        )
        if formula is not None
    ]
    found: set[str] = set()
    seen: set[str] = set()
    while formulas:
        formula = formulas.pop()
        if formula.tree is None:
            continue
        for node in walk(formula.tree):
            if isinstance(node, Call):
                found |= {
                    kw.value.id for kw in node.keywords if kw.name == "over" and isinstance(kw.value, Name)
                }
            elif isinstance(node, Name) and node.id in values and node.id not in seen:
                seen.add(node.id)
                value_formula = values[node.id]
                if value_formula is not None:
                    formulas.append(value_formula)
    return found


def span_periods(span: Span, period: Period) -> list[Period]:
    """The periods of ``span`` for ``period``: the earlier ones of its year, the year so far, or the
    shorter periods inside it."""
    same_kind = Period.objects.filter(kind=span.unit)
    if span.which == "this_period":
        periods = same_kind.filter(start__gte=period.start, end__lte=period.end)
    else:
        periods = same_kind.filter(start__year=period.start.year)
        if span.which == "earlier_this_year":
            periods = periods.filter(end__lt=period.start)
        else:
            periods = periods.filter(end__lte=period.end)
    return list(periods.order_by("start"))


def build_frames(policy: Policy, period: Period, con: BaseBackend) -> Frames:
    """The frames (and histories, for the spans the policy uses) of every subject with rules."""
    context = period_context(policy, start=period.start, end=period.end, key=period.code)
    # Table names unique to this run: Ibis shares equal expression nodes between connections, and an
    # in-memory DuckDB looks the same to it in every run.
    run_id = uuid.uuid4().hex[:12]
    tree = _Tree()
    names = [input_.name for input_ in policy.inputs]
    facts = _fact_index(facts_for_period(period=period, names=names))
    wanted = {rule.subject for rule in policy.rules}
    frames: dict[str, ir.Table] = {}
    rows_by_subject: dict[str, SubjectRows] = {}
    spans = {span.id: span for span in policy.periods.spans}
    history: dict[str, dict[str, HistoryFrame]] = {}
    levels = {subject.id: subject.level for subject in policy.subjects}
    for subject in policy.subjects:
        if subject.id not in wanted:
            continue
        rows = _subject_rows(subject, tree)
        _values(rows, policy, facts)
        for scope in policy.scopes:
            rows.columns[f"{SCOPE}{scope.id}"] = [tree.at_level(unit, scope.level) for unit in rows.units]
        for target in sorted(_links(policy, subject.id)):
            rows.columns[f"{LINK}{target}"] = [tree.at_level(unit, levels[target]) for unit in rows.units]
        columns = {KEY: rows.keys, **rows.columns}
        frames[subject.id] = con.create_table(
            f"frame_{subject.id}_{run_id}", ibis.memtable(_arrow(policy, columns)), overwrite=True
        )
        rows_by_subject[subject.id] = rows
        history[subject.id] = {
            span_id: _history(policy, spans[span_id], period, rows, con, run_id) for span_id in spans
        }
        used = spans_used(policy, subject.id)
        rows.history = [{span: found for span, found in h.items() if span in used} for h in rows.history]
    return Frames(frames=frames, history=history, rows=rows_by_subject, context=context)


def _history(
    policy: Policy, span: Span, period: Period, rows: SubjectRows, con: BaseBackend, run_id: str
) -> HistoryFrame:
    periods = span_periods(span, period)
    if not periods:
        return HistoryFrame(table=None, periods=[])
    contexts = [period_context(policy, start=p.start, end=p.end, key=p.code) for p in periods]
    names = [input_.name for input_ in policy.inputs]
    by_name = facts_for_periods(periods=periods, names=names)
    code_of = {p.pk: p.code for p in periods}
    kind = "person" if rows.subject.kind == "person" else "unit"
    per_period: dict[str, dict[tuple[str, int], dict[str, FactRow]]] = defaultdict(lambda: defaultdict(dict))
    for facts in by_name.values():
        for fact in facts:
            subject_key = (
                ("person", fact.person_id) if fact.subject_kind == "person" else ("unit", fact.unit_id)
            )
            per_period[code_of[fact.period_id]][subject_key][fact.name] = fact  # type: ignore[index]
    columns: dict[str, list[Any]] = {KEY: [], PERIOD_KEY: []}
    for input_ in policy.inputs:
        columns[input_.name] = []
    scope_columns = [name for name in rows.columns if name.startswith(SCOPE)]
    for name in scope_columns:
        columns[name] = []
    if not rows.history:
        rows.history = [{} for _key in rows.keys]
    for code in [p.code for p in periods]:
        for index, key in enumerate(rows.keys):
            got = per_period[code].get((kind, key), {})
            rows.history[index].setdefault(span.id, {})[code] = {name: f.fact_id for name, f in got.items()}
            columns[KEY].append(key)
            columns[PERIOD_KEY].append(code)
            for input_ in policy.inputs:
                found = got.get(input_.name)
                columns[input_.name].append(_typed(found.value, input_.type) if found is not None else None)
            for name in scope_columns:
                columns[name].append(rows.columns[name][index])
    table = con.create_table(
        f"history_{rows.subject.id}_{span.id}_{run_id}",
        ibis.memtable(_arrow(policy, columns)),
        overwrite=True,
    )
    return HistoryFrame(table=table, periods=contexts)
