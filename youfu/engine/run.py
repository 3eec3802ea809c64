"""Run a checked policy over one period: every subject at once, as columnar expressions.

The caller (the Django scoring app, the benchmark, a test) gives one table per subject of the policy
(``frames``) and, for aggregates over spans, one table of earlier periods per subject and span
(``history``). The result is lazy Ibis tables, computed by whichever backend holds the frames
(DuckDB by default, PostgreSQL, Spark):

* ``scorecards[subject]``: one row per subject: its key, inputs, values, grades, tables and each rule's
  ``<rule>_points``/``<rule>_amount`` (0 when the rule did not fire), for a subject that rules on
  other subjects give ``also:`` shares to ``received_points``/``received_amount`` (built after them),
  then ``total_points`` and ``total_amount`` (all of these: what its ledger entries add up to);
* ``entries``: one row per rule share that fired with points or money: the rule, who it goes to
  (subject, subject_key) and whose row it was computed on (source_subject, source_key), points and
  amount. This is what the ledger receives.

Frame columns: ``subject_key`` (unique), ``scope__<scope>`` for each scope of the policy (the group key
for ``within=``), ``link__<subject>`` for each subject an ``also:`` share of a rule on this subject
goes to, then the inputs. An input column that is missing or NULL takes the input's default; a row
whose input has no default and is NULL is left out of the run and counted in ``excluded``.

Rounding, the one rule of youfu.core.money: rule amounts to the fen, points to 2 places, half up.
"""

from __future__ import annotations

import calendar
import re
import threading
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir

from youfu.engine.backends import store
from youfu.engine.compiler import Col, Compiler, Fault, Literal, Names, _either, literal
from youfu.engine.numbers import NUMBER, divide, multiply, number, round_to
from youfu.formula.ast import Call, Expr, Name, children
from youfu.formula.checker import Type
from youfu.formula.errors import EvaluationError
from youfu.policies.document import Formula, Policy, Rule

KEY = "subject_key"
PERIOD_KEY = "period_key"
SCOPE = "scope__"
LINK = "link__"
MONEY = dt.Decimal(38, 2)
POINTS_PLACES = 2
_INTERNAL = "__yf_"

# Columns of a subject's table that only formulas computed from them read (operands of × and ÷,
# narrow ranks, aggregates over spans): never stored. Fault and source columns are.
_INTERMEDIATE = re.compile(r"__yf_(x|operand|rank|agg)\d")


_UNFUSED_LOCK = threading.Lock()
_unfused_depth = 0  # runs compiling unfused now
_fuse_before = True  # the setting before the first of them


@contextmanager
def _unfused() -> Iterator[None]:
    """Compile without Ibis merging each column definition into the next (``fuse_selects``): a
    subject's table is a long chain of them and merging is quadratic in Python (about a second for
    R1); the backend's optimiser flattens the nested selects the same. The option is global to Ibis:
    runs in several threads share one setting, restored when the last of them is done."""
    global _unfused_depth, _fuse_before
    options = ibis.options.sql
    with _UNFUSED_LOCK:
        if _unfused_depth == 0:
            _fuse_before = options.fuse_selects
            options.fuse_selects = False
        _unfused_depth += 1
    try:
        yield
    finally:
        with _UNFUSED_LOCK:
            _unfused_depth -= 1
            if _unfused_depth == 0:
                options.fuse_selects = _fuse_before


_TYPES = {Type.NUMBER: NUMBER, Type.BOOL: dt.boolean, Type.TEXT: dt.string}


class PolicyRunError(EvaluationError):
    """A formula failed for some subjects: which policy item, where in the file, for whom."""

    def __init__(
        self, message: str, *, file: str, line: int, column: int, what: str, keys: Sequence[Any]
    ) -> None:
        super().__init__(message, line, column, rows=())
        self.file, self.what, self.keys = file, what, tuple(keys)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.problem}"


@dataclass(frozen=True)
class PeriodContext:
    """The period a run scores, as formulas see it: ``period_number``, ``phase`` and its values."""

    key: str
    start: date
    end: date
    number: int
    phase: str = ""
    phase_values: Mapping[str, Literal] = field(default_factory=dict)


@dataclass(frozen=True)
class HistoryFrame:
    """The earlier periods of a span for one subject: ``subject_key``, ``period_key`` and the inputs
    (and scope columns, if a per-period value ranks), one row per subject and period."""

    table: ir.Table | None
    periods: Sequence[PeriodContext]


@dataclass
class EngineResult:
    scorecards: dict[str, ir.Table]
    entries: ir.Table
    excluded: dict[str, ir.Table]  # subject → rows left out for want of an input without default
    checks: list[FaultCheck] = field(default_factory=list)

    def raise_for_faults(self) -> None:
        """Execute the fault checks (one query per subject): PolicyRunError for the first formula
        that failed for someone."""
        by_owner: dict[int, list[FaultCheck]] = {}
        for fault_check in self.checks:
            by_owner.setdefault(id(fault_check.owner), []).append(fault_check)
        for checks in by_owner.values():
            table = checks[0].owner.table
            counts = table.aggregate(
                **{f"c{i}": _count_true(table[check.column]) for i, check in enumerate(checks)}
            ).execute()
            for i, fault_check in enumerate(checks):
                if int(counts[f"c{i}"].iloc[0] or 0):
                    fault_check.run()


def period_number(unit: str, start: date) -> int:
    """The period's number in its year: 1–4 for quarters, 1–12 for months, 1–2 for halves, else 1."""
    return {
        "month": start.month,
        "quarter": (start.month - 1) // 3 + 1,
        "half": (start.month - 1) // 6 + 1,
    }.get(unit, 1)


def period_context(policy: Policy, *, start: date, end: date, key: str) -> PeriodContext:
    """The period [start, end] as the policy sees it: its number and the phase it belongs to."""
    phases = [phase for phase in policy.periods.phases if phase.start and phase.end]
    touched = [phase for phase in phases if phase.start <= end and phase.end >= start]  # type: ignore[operator]
    chosen = None
    if len(touched) == 1:
        chosen = touched[0]
    elif touched:
        how = policy.periods.phase_by
        if how == "start":
            chosen = next((p for p in touched if p.start <= start <= p.end), touched[0])  # type: ignore[operator]
        elif how == "end":
            chosen = next((p for p in touched if p.start <= end <= p.end), touched[-1])  # type: ignore[operator]
        else:

            def days(phase: Any) -> int:
                return (min(phase.end, end) - max(phase.start, start)).days + 1

            chosen = max(touched, key=days)  # most days; on a tie, the earlier phase
    if phases and chosen is None:
        raise ValueError(f"{policy.id}: the period {start} to {end} is in none of the policy's phases")
    return PeriodContext(
        key=key,
        start=start,
        end=end,
        number=period_number(policy.periods.unit, start),
        phase=chosen.id if chosen else "",
        phase_values={value.name: value.value for value in chosen.values} if chosen else {},
    )


def calendar_periods(unit: str, year: int) -> Iterator[tuple[date, date]]:
    """The months, quarters or halves of ``year``."""
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[unit]
    for first in range(1, 13, months):
        last = first + months - 1
        yield date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


# -- the run ------------------------------------------------------------------------------------------


def _aggregate_calls(tree: Expr) -> Iterator[Call]:
    if isinstance(tree, Call) and any(keyword.name == "over" for keyword in tree.keywords):
        yield tree
        return  # aggregates do not nest
    for child in children(tree):
        yield from _aggregate_calls(child)


def _rank_calls(tree: Expr) -> Iterator[Call]:
    """The rank/top/bottom calls of a formula, inner ones first, not those inside an aggregate over
    a span (they rank per period, in the history)."""
    if isinstance(tree, Call) and any(keyword.name == "over" for keyword in tree.keywords):
        return
    for child in children(tree):
        yield from _rank_calls(child)
    if isinstance(tree, Call) and tree.func in ("rank", "top", "bottom"):
        yield tree


def _per_period(tree: Expr, known: set[str]) -> bool:
    if any(True for _ in _aggregate_calls(tree)):
        return False
    return all(node.id in known for node in _walk_names(tree))


def _walk_names(tree: Expr) -> Iterator[Name]:
    if isinstance(tree, Name):
        yield tree
    elif isinstance(tree, Call):
        for arg in tree.args:
            yield from _walk_names(arg)
    else:
        for child in children(tree):
            yield from _walk_names(child)


class _Run:
    """One run: the policy, the period, the data; subject by subject (``_Subject``)."""

    def __init__(
        self,
        policy: Policy,
        period: PeriodContext,
        frames: Mapping[str, ir.Table],
        history: Mapping[str, Mapping[str, HistoryFrame]],
    ) -> None:
        self.policy = policy
        self.period = period
        self.frames = frames
        self.history = history
        self.scope_columns = {scope.id: f"{SCOPE}{scope.id}" for scope in policy.scopes}
        # ``also:`` shares computed on the subjects built so far, by the subject they go to: tables
        # of (key, points, amount), added to that subject's totals when it is built (see order()).
        self.received: dict[str, list[ir.Table]] = {}

    def order(self) -> list[str]:
        """The subjects in the order to build them: a subject that receives ``also:`` shares after
        every subject whose rules give them (so its totals and rank include them), else in the
        policy's order. Shares that go round in a circle cannot be ordered: ValueError."""
        givers: dict[str, set[str]] = {subject.id: set() for subject in self.policy.subjects}
        for rule in self.policy.rules:
            for share in rule.also:
                if share.subject != rule.subject:
                    givers.setdefault(share.subject, set()).add(rule.subject)
        ordered: list[str] = []
        waiting = [subject.id for subject in self.policy.subjects]
        while waiting:
            ready = next((s for s in waiting if givers.get(s, set()) <= set(ordered)), None)
            if ready is None:
                raise ValueError(
                    f"policy {self.policy.id}: the also: shares of subjects {', '.join(waiting)} go "
                    "round in a circle, so no total can be computed first"
                )
            ordered.append(ready)
            waiting.remove(ready)
        return ordered

    def literals(self, context: PeriodContext) -> dict[str, Literal]:
        """Constants, weights, the period's number, phase and phase values."""
        policy = self.policy
        values: dict[str, Literal] = {"period_number": Decimal(context.number)}
        if policy.periods.phases:
            values["phase"] = context.phase
            values.update(context.phase_values)
        for constant in policy.constants:
            values[constant.name] = constant.value
        for group in policy.weights:
            if group.total is not None:
                values[group.id] = group.total
            stack = list(group.parts)
            while stack:
                part = stack.pop()
                if part.weight is not None:
                    values[part.id] = part.weight
                stack.extend(part.parts)
        return values

    def with_inputs(
        self, subject: str, table: ir.Table, *, what: str, needed: set[str] | None = None
    ) -> tuple[ir.Table, ir.Table]:
        """Inputs cast to their type, defaults filled in; rows lacking a needed input without default
        apart. Inputs the subject's rules do not use may be missing."""
        columns = set(table.columns)
        wanted: dict[str, ir.Value] = {}
        missing: list[ir.BooleanValue] = []
        for input_ in self.policy.inputs:
            if needed is not None and input_.name not in needed and input_.name not in columns:
                continue
            kind = _TYPES[input_.type]
            default = literal(input_.default).cast(kind) if input_.default is not None else None
            if input_.name in columns:
                column = table[input_.name].cast(kind)
                if default is not None:
                    column = column.fill_null(default)
                elif needed is None or input_.name in needed:
                    missing.append(table[input_.name].isnull())
            elif default is not None:
                column = default
            else:
                raise ValueError(
                    f"{what} '{subject}': the input '{input_.name}' has no column and no default"
                )
            wanted[input_.name] = column
        lacking = _either(*missing)  # on the columns as given, before the casts replace them
        if lacking is None:
            table = table.mutate(**wanted) if wanted else table
            return table, table.filter(ibis.literal(False))
        kept, left_out = table.filter(~lacking), table.filter(lacking)
        return (kept.mutate(**wanted) if wanted else kept), left_out


def _closure(policy: Policy, names: set[str]) -> set[str]:
    """``names`` and everything the values, grades and tables among them are made of."""

    def names_in(formulas: Iterable[Formula | None]) -> set[str]:
        return {
            node.id
            for formula in formulas
            if formula is not None and formula.tree is not None
            for node in _walk_names(formula.tree)
        }

    uses: dict[str, set[str]] = {value.name: names_in([value.formula]) for value in policy.values}
    uses.update({grades.id: names_in([grades.score]) for grades in policy.grades})
    for table in policy.tables:
        uses[table.id] = names_in([*(row.value for row in table.rows), table.otherwise]) | {table.by}
    needed = set(names)
    stack = list(needed)
    while stack:
        for name in uses.get(stack.pop(), set()) - needed:
            needed.add(name)
            stack.append(name)
    return needed


def _needed(policy: Policy, subject: str) -> set[str]:
    """The names the subject's rules and ranking use, directly or through values, grades and tables."""
    direct: list[Formula | None] = []
    for rule in policy.rules:
        if rule.subject == subject:
            direct += [rule.when, rule.points, rule.amount]
            direct += [f for m in rule.multipliers for f in (m.when, m.factor)]
            direct += [f for share in rule.also for f in (share.points, share.amount)]
    direct += [ranking.by for ranking in policy.rankings if ranking.subject == subject]
    names = {
        node.id
        for formula in direct
        if formula is not None and formula.tree is not None
        for node in _walk_names(formula.tree)
    }
    return _closure(policy, names)


@dataclass
class _Joined:
    """A narrow table joined into a subject's table by key (see ``_Subject.join_ahead``): ranks, or
    an aggregate over a span with the fault source it adds (its condition set once joined)."""

    table: ir.Table
    key: str
    columns: Callable[[ir.Table], dict[str, ir.Value]]
    source: tuple[Call, str, str] | None = None  # an aggregate: its call, fault column and problem


def _formulas(policy: Policy, subject: str, needed: set[str]) -> list[Formula]:
    """The formulas ``_Subject.build`` compiles for ``subject``, in its order."""
    found: list[Formula | None] = [value.formula for value in policy.values if value.name in needed]
    found += [grades.score for grades in policy.grades if grades.id in needed]
    for table in policy.tables:
        if table.id in needed:
            found += [*(row.value for row in table.rows if not row.silent), table.otherwise]
    for rule in policy.rules:
        if rule.subject == subject:
            found.append(rule.when)
            found += [f for m in rule.multipliers for f in (m.when, m.factor)]
            found += [rule.points, rule.amount]
            found += [f for share in rule.also for f in (share.points, share.amount)]
    found += [ranking.by for ranking in policy.rankings if ranking.subject == subject]
    return [formula for formula in found if formula is not None and formula.tree is not None]


class _Subject:
    """The columns of one subject's frame, built formula by formula in the policy's order."""

    materialise_result = True

    def __init__(self, run: _Run, subject: str) -> None:
        self.run = run
        self.subject = subject
        self.needed = _needed(run.policy, subject)
        self.names = Names(literals=run.literals(run.period))
        for input_ in run.policy.inputs:
            self.names.columns[input_.name] = input_.name
        self.aggregated: dict[Call, tuple[str, str | None]] = {}
        # An aggregate's fault source, until the first formula that uses it is compiled (see compile).
        self.span_sources: dict[Call, tuple[str, Fault]] = {}
        self.ranked: dict[Call, str] = {}  # rank/top/bottom call → its column (see join_ahead)
        self.constant_ranks: set[Call] = set()  # calls ranking a constant: no column, all rank 1
        # (ranked value, group columns, descending) → the rank column: rank(x) and top(x, n) share it
        self.rank_columns: dict[tuple[Expr, tuple[str, ...], bool], str] = {}
        self.counter = 0
        # Every place a row can fail, materialised as a column: (column, fault, formula).
        self.sources: list[tuple[str, Fault, Formula | None]] = []
        self.eager: list[str] = []  # source columns checked whether their value is used or not
        self.checks: list[tuple[str, str]] = []  # (what, fault column) checked at the end
        # Columns not in the table yet: values, rules' outputs and fault sources (see flush).
        self.pending: dict[str, ir.Value] = {}
        self.operands: dict[Hashable, str] = {}  # as_column: the columns of values written alike
        frame = run.frames[subject]
        for column in frame.columns:
            if column.startswith(_INTERNAL):
                raise ValueError(f"frame '{subject}': column names starting with {_INTERNAL} are reserved")
        self.table, self.excluded = run.with_inputs(subject, frame, what="frame", needed=self.needed)
        self.formulas = _formulas(run.policy, subject, self.needed)

    def next_name(self, what: str) -> str:
        self.counter += 1
        return f"{_INTERNAL}{what}{self.counter}"

    # -- compiling ----------------------------------------------------------------------------------

    def compile(self, formula: Formula | None) -> Col | None:
        """Compile against the table as it stands; aggregates over spans are joined in first, and each
        place the formula can fail becomes a column of the table (for the error message)."""
        if formula is None or formula.tree is None:
            return None
        self.flush(formula)
        while self.unattached(formula.tree):
            self.join_ahead(formula)
        for call in dict.fromkeys(_aggregate_calls(formula.tree)):
            source = self.span_sources.pop(call, None)
            if source is not None:  # with the formula that first uses it, for the error message
                self.sources.append((*source, formula))
        eager: list[Fault] = []
        compiler = Compiler(
            self.table,
            self.names,
            scopes=self.run.scope_columns,
            aggregates=self.aggregated,
            eager=eager,
            ranks=self.ranked,
        )
        col = compiler.compile(formula.tree)
        self.table = compiler.table  # with the operands the compiler made columns of
        self.materialise(compiler.sources, eager, formula)
        return col

    def materialise(self, sources: Sequence[Fault], eager: Sequence[Fault], formula: Formula | None) -> None:
        new: dict[str, ir.Value] = {}
        for fault in [*sources, *eager]:
            name = self.next_name("src")
            new[name] = fault.condition
            self.sources.append((name, fault, formula))
            if fault in eager:
                self.eager.append(name)
        # No formula reads them: they wait to go into the table with other columns (see flush).
        self.pending.update(new)

    def unattached(self, tree: Expr) -> list[Call]:
        """The aggregates over spans and rank/top/bottom calls of ``tree`` not joined in yet."""
        return [call for call in _aggregate_calls(tree) if call not in self.aggregated] + [
            call for call in _rank_calls(tree) if call not in self.ranked and call not in self.constant_ranks
        ]

    def ready(self, call: Call, *, current: bool) -> bool:
        """Whether the table as it stands can rank ``call``'s value: what it ranks is joined in already
        and, for a formula other than the one being compiled (``current``), every name it reads is a
        column of the table or a constant (not a value or rule output still to come, or waiting)."""
        if self.unattached(call.args[0]):
            return False
        if current:
            return True
        waiting = set(self.pending)
        for name in _walk_names(call.args[0]):
            if name.id in self.names.literals:
                continue
            column = self.names.columns.get(name.id)
            if column is None or column in waiting or self.names.faults.get(name.id) in waiting:
                return False
        return True

    def join_ahead(self, formula: Formula | None) -> None:
        """Every aggregate over a span and every rank/top/bottom the table can compute now, of
        ``formula`` and of every other formula of the subject still to be compiled, joined in as
        columns in one join: each join repeats every column of the table as Ibis nodes, and building,
        compiling and rendering cost about the same per node (R1's outlet heads: six joins fewer).
        The compiler then reads the columns (``Compiler.aggregates``, ``Compiler.ranks``). At the
        start of ``build`` (``formula`` None), all of them made of inputs and constants."""
        upcoming = [f for f in self.formulas if f is not formula]
        trees = [(formula.tree, True)] if formula is not None and formula.tree is not None else []
        trees += [(f.tree, False) for f in upcoming if f.tree is not None]
        # Which ranks are ready is decided before the aggregates below are registered: a rank of an
        # aggregate waits for the next join, when the aggregate is a column.
        calls = dict.fromkeys(
            call
            for tree, current in trees
            for call in _rank_calls(tree)
            if call not in self.ranked
            and call not in self.constant_ranks
            and self.ready(call, current=current)
        )
        parts: list[_Joined] = []
        for tree, _ in trees:
            for call in dict.fromkeys(_aggregate_calls(tree)):
                if call not in self.aggregated:
                    part = self.aggregate(call)
                    if part is not None:
                        parts.append(part)
        ranks = self.rank_part(list(calls))
        if ranks is not None:
            parts.append(ranks)
        if not parts:
            return
        base = self.table
        joined = base
        for part in parts:
            joined = joined.left_join(part.table, base[KEY] == part.table[part.key])
        columns: dict[str, ir.Value] = {}
        for part in parts:
            columns.update(part.columns(joined))
        self.table = joined.select(*base.columns, **columns)
        for part in parts:
            if part.source is not None:
                call, column, problem = part.source
                self.span_sources[call] = (column, Fault(call, problem, self.table[column]))

    def rank_part(self, calls: Sequence[Call]) -> _Joined | None:
        """The ranks of ``calls`` computed on a narrow table (the key, the groups and the ranked
        values), one column per ranked value, group and direction: a window over the whole row would
        sort every column with it. The ranked value is compiled again in the formula, for its faults."""
        table = self.table
        values: dict[Expr, tuple[str, ir.Value]] = {}
        windows: dict[str, tuple[str, tuple[str, ...], bool]] = {}  # rank column → (value, group, desc)
        scopes = self.run.scope_columns
        for call in calls:
            words = {kw.name: kw.value.id for kw in call.keywords if isinstance(kw.value, Name)}
            descending = words.get("order", "desc") == "desc" if call.func == "rank" else call.func == "top"
            group: tuple[str, ...] = (scopes[words["within"]],) if "within" in words else ()
            signature = (call.args[0], group, descending)
            name = self.rank_columns.get(signature)
            if name is None:
                if call.args[0] not in values:  # each value compiled once
                    compiler = Compiler(
                        table, self.names, scopes=scopes, aggregates=self.aggregated, ranks=self.ranked
                    )
                    x = number(compiler.compile(call.args[0]).value)
                    if isinstance(x, ir.Scalar):  # a constant: the compiler ranks every row first
                        self.constant_ranks.add(call)
                        continue
                    table = compiler.table
                    values[call.args[0]] = (self.next_name("value"), x)
                name = self.rank_columns[signature] = self.next_name("rank")
                windows[name] = (values[call.args[0]][0], group, descending)
            self.ranked[call] = name
        self.table = table
        if not windows:
            return None
        groups = dict.fromkeys(g for _, group, _ in windows.values() for g in group)
        narrow = table.select(KEY, *groups, **dict(values.values()))
        key = self.next_name("key")
        ranks: dict[str, ir.Value] = {key: narrow[KEY]}
        for name, (value, group, descending) in windows.items():
            order = ibis.desc(narrow[value]) if descending else narrow[value]
            window = ibis.window(group_by=[narrow[g] for g in group] or None, order_by=[order])
            ranks[name] = (ibis.rank().over(window) + 1).cast(NUMBER)
        names = [name for name in ranks if name != key]
        return _Joined(narrow.select(**ranks), key, lambda joined: {n: joined[n] for n in names})

    def aggregate(self, call: Call) -> _Joined | None:
        """``call`` (sum, count or mean over ``span``) per subject from the span's history: the
        part to join in, or None when the span has no periods (the columns are constants then)."""
        run, subject = self.run, self.subject
        span = next(kw.value.id for kw in call.keywords if kw.name == "over" and isinstance(kw.value, Name))
        history = run.history.get(subject, {}).get(span)
        if history is None:
            raise ValueError(
                f"'{subject}' uses {call.func}(…, over={span}) but no history of span '{span}' was given"
            )
        value_column, fault_column = self.next_name("agg"), self.next_name("aggfault")
        if history.table is None or not history.periods:
            if call.func == "mean":
                self.table = self.table.mutate(**{value_column: number(0), fault_column: ibis.literal(True)})
                fault = Fault(call, f"mean() over '{span}', which has no periods", ibis.literal(True))
                self.span_sources[call] = (fault_column, fault)
                self.aggregated[call] = (value_column, fault_column)
                return None
            self.table = self.table.mutate(**{value_column: number(0)})
            self.aggregated[call] = (value_column, None)
            return None
        inside = _closure(run.policy, {node.id for node in _walk_names(call.args[0])})
        periods, _ = run.with_inputs(subject, history.table, what=f"history '{span}'", needed=inside)
        periods, names = self.per_period(periods, history.periods, inside)
        eager: list[Fault] = []
        compiler = Compiler(periods, names, scopes=run.scope_columns, partition=(PERIOD_KEY,), eager=eager)
        inner = compiler.compile(call.args[0])
        periods = compiler.table
        flag = _either(inner.fault, *(fault.condition for fault in eager))
        if flag is None:
            flag = ibis.literal(False)
        part = ibis.ifelse(inner.value, number(1), number(0)) if call.func == "count" else number(inner.value)
        per_subject = (
            periods.select(**{KEY: periods[KEY], "part": part, "flag": flag})
            .group_by(KEY)
            .aggregate(
                total=lambda t: t["part"].sum().cast(NUMBER),
                n=lambda t: t.count(),
                bad=lambda t: t["flag"].any(),
            )
        )
        # Named after the value column: several aggregates are joined in at once.
        total, n, bad, key = (f"{value_column}_{name}" for name in ("total", "n", "bad", "key"))
        per_subject = per_subject.select(
            **{
                total: per_subject["total"],
                n: per_subject["n"],
                bad: per_subject["bad"],
                key: per_subject[KEY],
            }
        )
        if call.func == "mean":
            problem = f"mean() over '{span}': no period for this subject, or a period fails"
        else:
            problem = f"{call.func}() over '{span}': a period fails"

        def columns(joined: ir.Table) -> dict[str, ir.Value]:
            sum_ = joined[total].fill_null(number(0)).cast(NUMBER)
            count = joined[n].fill_null(0)
            failed = joined[bad].fill_null(False)
            if call.func == "mean":
                return {value_column: divide(sum_, number(count)), fault_column: failed | (count == 0)}
            return {value_column: sum_, fault_column: failed}

        self.aggregated[call] = (value_column, fault_column)
        return _Joined(per_subject, key, columns, source=(call, fault_column, problem))

    def per_period(
        self, periods: ir.Table, contexts: Sequence[PeriodContext], needed: set[str]
    ) -> tuple[ir.Table, Names]:
        """Inside over=: inputs, constants, weights, each period's phase values and number, and the
        values made only of those, computed per row (subject × period)."""
        names = Names()
        for input_ in self.run.policy.inputs:
            names.columns[input_.name] = input_.name
        by_name: dict[str, list[tuple[str, Literal]]] = {}
        for context in contexts:
            for name, value in self.run.literals(context).items():
                by_name.setdefault(name, []).append((context.key, value))
        for name, pairs in by_name.items():
            if len({literal_value for _, literal_value in pairs}) == 1:
                names.literals[name] = pairs[0][1]
            else:
                names.expressions[name] = ibis.cases(
                    *((periods[PERIOD_KEY] == key, literal(given)) for key, given in pairs),
                    else_=literal(pairs[0][1]),
                )
        known = set(names.columns) | set(names.literals) | set(names.expressions)
        for definition in self.run.policy.values:
            tree = definition.formula.tree if definition.formula else None
            if definition.name not in needed or tree is None or not _per_period(tree, known):
                continue
            compiler = Compiler(periods, names, scopes=self.run.scope_columns, partition=(PERIOD_KEY,))
            col = compiler.compile(tree)
            periods = compiler.table.mutate(**{definition.name: col.value})
            names.columns[definition.name] = definition.name
            if col.fault is not None:
                fault_name = f"{_INTERNAL}fault_{definition.name}"
                periods = periods.mutate(**{fault_name: col.fault})
                names.faults[definition.name] = fault_name
            known.add(definition.name)
        return periods, names

    def as_column(self, value: ir.Value, same: Hashable | None = None) -> ir.Value:
        """``value`` as a column of the table: × repeats its operands about ten times over in SQL, so
        an amount (windows and products inside) times a factor would grow the query, and Spark's
        planning time, many times over. Values given the same ``same`` (formulas written alike)
        share one column."""
        op = value.op()
        while isinstance(op, ops.Cast):
            op = op.arg
        if isinstance(op, ops.Field | ops.Literal):
            return value
        name = self.operands.get(same) if same is not None else None
        if name is None:
            name = self.next_name("operand")  # not "x": the compiler names its operands __yf_x<n>
            self.table = self.table.mutate(**{name: value})
            if same is not None:
                self.operands[same] = name
        return self.table[name]

    def put(self, name: str, col: Col) -> None:
        """A value, grade, table or the ranking's value as a column: it waits (see flush) until a
        formula reads it."""
        self.pending[name] = col.value
        self.names.columns[name] = name
        if col.fault is not None:
            fault_name = f"{_INTERNAL}fault_{name}"
            self.pending[fault_name] = col.fault
            self.names.faults[name] = fault_name

    # -- the policy's parts -------------------------------------------------------------------------

    def build(self) -> tuple[ir.Table, ir.Table | None]:
        policy = self.run.policy
        self.join_ahead(None)
        for value in policy.values:
            if value.name not in self.needed:
                continue
            col = self.compile(value.formula)
            if col is not None:
                self.put(value.name, col)
        for grades in policy.grades:
            if grades.id not in self.needed:
                continue
            score = self.compile(grades.score)
            if score is not None:
                self.put(grades.id, Col(_band(grades, score.value), score.fault))
        for table_def in policy.tables:
            if table_def.id in self.needed:
                self.case_table(table_def)
        rules = [rule for rule in policy.rules if rule.subject == self.subject]
        outputs: list[str] = []
        for rule in rules:
            outputs.extend(self.rule(rule))
        self.flush()
        outputs.extend(self.receive())
        total_points: ir.Value = number(0)
        total_amount: ir.Value = number(0)
        for name in outputs:
            if name.endswith("_points"):
                total_points = total_points + self.table[name]
            else:
                total_amount = total_amount + self.table[name]
        self.table = self.table.mutate(
            total_points=number(total_points).cast(NUMBER), total_amount=total_amount.cast(MONEY)
        )
        self.names.columns["total_points"] = "total_points"
        self.names.columns["total_amount"] = "total_amount"
        self.rank(rules)
        self.flush()
        backends = self.table._find_backends()[0]
        if self.materialise_result and backends:
            # One compiled query for the whole subject; scorecards, entries and fault checks then
            # read the stored table (compiling the long expression again for each would cost more
            # than running it). Frames of in-memory tables only (no backend yet) stay lazy.
            name = f"yf_result_{self.subject}_{uuid.uuid4().hex[:12]}"
            # Only what scorecards, entries and fault checks read is stored: not the operands and
            # ranks that were columns only for the formulas computed from them.
            kept = [c for c in self.table.columns if not _INTERMEDIATE.match(c)]
            table = self.table.select(*kept)
            with _unfused():
                if backends[0].name == "pyspark":  # no temporary tables there: a cached DataFrame
                    self.table = table.cache()
                else:
                    self.table = store(backends[0], name, table)
        self.give(rules)
        return self.scorecard(), self.entries(rules)

    def give(self, rules: Sequence[Rule]) -> None:
        """Hand this subject's ``also:`` shares (where the rule fired) to the subjects they go to."""
        table = self.table
        for rule in rules:
            for index, share in enumerate(rule.also):
                if share.subject == self.subject:
                    continue
                prefix = f"{_INTERNAL}share{index}_{rule.id}"
                part = table.filter(table[f"{_INTERNAL}fired_{rule.id}"]).select(
                    key=table[f"{LINK}{share.subject}"],
                    points=table[f"{prefix}_points"].cast(NUMBER),
                    amount=table[f"{prefix}_amount"].cast(MONEY),
                )
                self.run.received.setdefault(share.subject, []).append(part)

    def receive(self) -> list[str]:
        """``received_points`` and ``received_amount``: the ``also:`` shares that rules on other
        subjects gave this one (seed 001: a person's video violation costs the department 5 points),
        part of its totals as they are of its ledger entries. Nothing when no rule gives it any."""
        parts = self.run.received.get(self.subject)
        if not parts:
            return []
        for name in ("received_points", "received_amount"):
            if name in self.table.columns:
                raise ValueError(f"subject '{self.subject}': the column {name} is reserved for shares")
        key_type = self.table[KEY].type()
        parts = [part.mutate(key=part.key.cast(key_type)) for part in parts]
        given = ibis.union(*parts) if len(parts) > 1 else parts[0]
        key = f"{_INTERNAL}given_key"
        sums = given.group_by(given.key).aggregate(
            **{
                key + "_p": given.points.sum(),
                key + "_a": given.amount.sum(),
            }
        )
        sums = sums.rename({key: "key"})
        base = self.table
        joined = base.left_join(sums, base[KEY] == sums[key])
        zero = number(0)
        self.table = joined.select(
            *base.columns,
            received_points=joined[key + "_p"].fill_null(zero).cast(NUMBER),
            received_amount=joined[key + "_a"].fill_null(zero).cast(MONEY),
        )
        return ["received_points", "received_amount"]

    def rank(self, rules: Sequence[Rule]) -> None:
        """``rank_value`` (the policy's ranking for this subject, else its total points, or its total
        amount when no rule gives points) and its competition rank in the whole run (``rank__all``) and
        within each scope (``rank__<scope>``)."""
        ranking = next((r for r in self.run.policy.rankings if r.subject == self.subject), None)
        descending = ranking is None or ranking.order == "desc"
        value: Col | None = self.compile(ranking.by) if ranking is not None else None
        if value is None:
            gives_points = any(rule.points is not None for rule in rules) or any(
                share.points is not None
                for rule in self.run.policy.rules
                for share in rule.also
                if share.subject == self.subject and rule.subject != self.subject
            )
            value = Col(self.table["total_points" if gives_points else "total_amount"])
        self.put("rank_value", Col(number(value.value), value.fault))
        self.flush()  # before the join below
        # Ranked on a narrow table (key, scopes, value) and joined back: see attach_ranks.
        scopes = {s: c for s, c in self.run.scope_columns.items() if c in self.table.columns}
        narrow = self.table.select(KEY, "rank_value", *scopes.values())
        x = narrow["rank_value"]
        order = [ibis.desc(x) if descending else x]
        key = f"{_INTERNAL}key"
        ranks: dict[str, ir.Value] = {
            key: narrow[KEY],
            "rank__all": ibis.rank().over(ibis.window(order_by=order)) + 1,
        }
        for scope, column in scopes.items():
            window = ibis.window(group_by=[narrow[column]], order_by=order)
            ranks[f"rank__{scope}"] = ibis.rank().over(window) + 1
        ranked = narrow.select(**ranks)
        base = self.table
        joined = base.left_join(ranked, base[KEY] == ranked[key])
        self.table = joined.select(*base.columns, *(name for name in ranks if name != key))
        if value.fault is not None:
            self.checks.append(("ranking", self.names.faults["rank_value"]))

    def case_table(self, table_def: Any) -> None:
        if table_def.by in self.pending:  # read as a column below
            self.flush()
        by = self.table[self.names.columns[table_def.by]]
        by_fault = self.table[self.names.faults[table_def.by]] if table_def.by in self.names.faults else None
        kind = _TYPES[table_def.type]
        branches: list[tuple[ir.BooleanValue, ir.Value]] = []
        faults: list[ir.BooleanValue | None] = [by_fault]
        silent: list[str] = []
        for row in table_def.rows:
            if row.silent:
                silent.append(row.case)
                continue
            col = self.compile(row.value)
            if col is None:
                continue
            is_case = self.table[self.names.columns[table_def.by]] == ibis.literal(row.case, type="string")
            branches.append((is_case, col.value.cast(kind)))
            if col.fault is not None:
                faults.append(is_case & col.fault)
        fallback: ir.Value = ibis.null().cast(kind)
        otherwise = self.compile(table_def.otherwise)
        if otherwise is not None:
            fallback = otherwise.value.cast(kind)
            faults.append(otherwise.fault)
        if silent:
            condition = self.table[self.names.columns[table_def.by]].isin(silent)
            name = self.next_name("src")
            self.table = self.table.mutate(**{name: condition})
            problem = (
                f"table '{table_def.id}': the plan is silent on {', '.join(silent)}, so the policy gives no "
                "value there; the office must write one"
            )
            self.sources.append((name, Fault(table_def, problem, condition), None))
            faults.append(self.table[name])
        del by
        value = ibis.cases(*branches, else_=fallback) if branches else fallback
        self.put(table_def.id, Col(value, _either(*faults)))

    def rule(self, rule: Rule) -> list[str]:
        when = self.compile(rule.when)
        fired = when.value if when is not None else ibis.literal(True)
        fault_parts: list[ir.BooleanValue | None] = []
        factor: ir.Value = number(1)
        written: tuple[Expr | None, ...] = ()  # the multipliers so far, as written
        for multiplier in rule.multipliers:
            m_when = self.compile(multiplier.when)
            m_factor = self.compile(multiplier.factor)
            if m_factor is None:
                continue
            applies = m_when.value if m_when is not None else ibis.literal(True)
            written += tuple(f.tree if f is not None else None for f in (multiplier.when, multiplier.factor))
            # × repeats its operands many times in SQL: each one a column first (see as_column); the
            # same multipliers on several rules (R1's "doubled on a repeated finding"), one column.
            factor = self.as_column(
                ibis.ifelse(applies, multiply(factor, self.as_column(m_factor.value)), factor),
                same=("factor", written),
            )
            fault_parts.append(m_when.fault if m_when is not None else None)
            if m_factor.fault is not None:
                fault_parts.append(applies & m_factor.fault)
        new: dict[str, ir.Value] = {}
        produced: list[str] = []
        parts = [("", "points", rule.points), ("", "amount", rule.amount)]
        parts += [
            (f"{_INTERNAL}share{i}_", output, getattr(share, output))
            for i, share in enumerate(rule.also)
            for output in ("points", "amount")
        ]
        for prefix, output, formula in parts:
            name = f"{prefix}{rule.id}_{output}"
            kind = NUMBER if output == "points" else MONEY
            col = self.compile(formula)
            if col is None:
                if prefix:
                    new[name] = number(0).cast(kind)
                continue
            places = POINTS_PLACES if output == "points" else 2
            value = multiply(self.as_column(col.value), factor) if rule.multipliers else col.value
            scaled = round_to(value, places)
            new[name] = ibis.ifelse(fired, scaled, number(0)).cast(kind)
            fault_parts.append(col.fault)
            if not prefix:
                produced.append(name)
        used = _either(*fault_parts)
        rule_fault = _either(
            when.fault if when is not None else None, fired & used if used is not None else None
        )
        new[f"{_INTERNAL}fired_{rule.id}"] = fired
        if rule_fault is not None:
            new[f"{_INTERNAL}fault_{rule.id}"] = rule_fault
            self.checks.append((f"rule '{rule.id}'", f"{_INTERNAL}fault_{rule.id}"))
        # A rule's columns wait for the next rules' (see flush): one selection for all of them.
        self.pending.update(new)
        for name in produced:
            self.names.columns[name] = name
        return produced

    def flush(self, formula: Formula | None = None) -> None:
        """The columns waiting (``pending``: rules' outputs, fault sources) added to the table in one
        selection, before ``formula`` when it reads one of them (a rule on an earlier rule's points)
        or joins (a rank, an aggregate over a span); without a formula, now. Every selection repeats
        every column of the table as Ibis nodes: one per rule or per formula's faults would cost
        R1's outlet heads a selection per step, about a third of its compile time."""
        if not self.pending:
            return
        if formula is not None:
            if formula.tree is None:
                return
            tree = formula.tree
            reads = any(n.id in self.pending for n in _walk_names(tree))
            if not reads and not self.unattached(tree):
                return
        self.table = self.table.mutate(**self.pending)
        self.pending = {}

    # -- outputs ------------------------------------------------------------------------------------

    def scorecard(self) -> ir.Table:
        """Public columns only; a value that failed for a row is NULL there."""
        keep: dict[str, ir.Value] = {}
        fired = f"{_INTERNAL}fired_"
        for column in self.table.columns:
            if column.startswith(fired):  # whether the rule's condition held: <rule>_fired
                keep[f"{column.removeprefix(fired)}_fired"] = self.table[column]
                continue
            if column.startswith(_INTERNAL):
                continue
            fault = self.names.faults.get(column)
            keep[column] = (
                ibis.ifelse(self.table[fault], ibis.null(), self.table[column])
                if fault
                else self.table[column]
            )
        return self.table.select(**keep)

    def entries(self, rules: Sequence[Rule]) -> ir.Table | None:
        table = self.table
        parts: list[ir.Table] = []
        for rule in rules:
            fired = table[f"{_INTERNAL}fired_{rule.id}"]
            if rule.points is not None or rule.amount is not None:
                points = table[f"{rule.id}_points"] if rule.points is not None else number(0)
                amount = table[f"{rule.id}_amount"] if rule.amount is not None else number(0)
                parts.append(
                    _entry_rows(table, fired, rule.id, self.subject, table[KEY], points, amount, self.subject)
                )
            for index, share in enumerate(rule.also):
                prefix = f"{_INTERNAL}share{index}_{rule.id}"
                target = table[f"{LINK}{share.subject}"]
                parts.append(
                    _entry_rows(
                        table,
                        fired,
                        rule.id,
                        share.subject,
                        target,
                        table[f"{prefix}_points"],
                        table[f"{prefix}_amount"],
                        self.subject,
                    )
                )
        if not parts:
            return None
        return ibis.union(*parts) if len(parts) > 1 else parts[0]

    def fault_checks(self) -> list[FaultCheck]:
        """What to execute before any result is used: each rule's fault and every eager source."""
        checks = [FaultCheck(self.subject, what, column, self) for what, column in self.checks]
        checks += [FaultCheck(self.subject, "ranking", column, self) for column in self.eager]
        return checks


@dataclass
class FaultCheck:
    subject: str
    what: str
    column: str
    owner: _Subject

    def run(self) -> None:
        table = self.owner.table
        failing = table.filter(table[self.column])
        sources = [
            (name, fault, formula) for name, fault, formula in self.owner.sources if name in table.columns
        ]
        counts = failing.aggregate(
            **{f"{_INTERNAL}n": failing.count()},
            **{f"c{i}": _count_true(failing[name]) for i, (name, _, _) in enumerate(sources)},
        ).execute()
        count = int(counts[f"{_INTERNAL}n"].iloc[0])
        if not count:
            return
        keys = failing.select(KEY).limit(5).execute()[KEY].tolist()
        shown = ", ".join(str(key) for key in keys) + (", …" if count > len(keys) else "")
        found = next(
            (
                (fault, formula)
                for i, (_, fault, formula) in enumerate(sources)
                if int(counts[f"c{i}"].iloc[0] or 0) > 0
            ),
            None,
        )
        line = column = 0
        problem, hint = f"{self.what} fails", ""
        if found is not None:
            fault, formula = found
            problem, hint = fault.problem, fault.hint
            line, column = getattr(fault.node, "line", 0), getattr(fault.node, "column", 0)
            if formula is not None and line:
                mark = formula.mark_at(line, column)
                line, column = mark.line, mark.column
            elif hasattr(fault.node, "at"):
                line, column = fault.node.at.line, fault.node.at.column
        hint_text = f"{hint}; " if hint else ""
        raise PolicyRunError(
            f"{self.what}: {problem}; {hint_text}fails for {count} of the {self.subject} subjects ({shown})",
            file=self.owner.run.policy.file,
            line=line,
            column=column,
            what=self.what,
            keys=keys,
        )


def _count_true(condition: ir.BooleanColumn) -> ir.IntegerScalar:
    """How many rows the condition holds in (PostgreSQL cannot cast a boolean to bigint)."""
    return ibis.ifelse(condition, 1, 0).sum()


def _band(grades: Any, score: ir.Value) -> ir.Value:
    x = number(score)
    branches = []
    for band in grades.bands:
        test: ir.BooleanValue = ibis.literal(True)
        if band.lower is not None:
            bound = number(band.lower.value)
            test = test & (x >= bound if band.lower.inclusive else x > bound)
        if band.upper is not None:
            bound = number(band.upper.value)
            test = test & (x <= bound if band.upper.inclusive else x < bound)
        branches.append((test, ibis.literal(band.label, type="string")))
    return ibis.cases(*branches, else_=ibis.literal("", type="string"))


def _entry_rows(
    table: ir.Table,
    fired: ir.Value,
    rule: str,
    subject: str,
    key: ir.Value,
    points: ir.Value,
    amount: ir.Value,
    source: str,
) -> ir.Table:
    points, amount = number(points), amount.cast(MONEY)
    # A share whose link is NULL (a teller with no department above them) has nobody to go to.
    moves = (points != number(0)) | (amount != number(0))
    return table.filter(fired & moves & key.notnull()).select(
        rule=ibis.literal(rule, type="string"),
        subject=ibis.literal(subject, type="string"),
        subject_key=key.cast("string"),
        source_subject=ibis.literal(source, type="string"),
        source_key=table[KEY].cast("string"),
        points=points,
        amount=amount,
    )


def evaluate_policy(
    policy: Policy,
    *,
    period: PeriodContext,
    frames: Mapping[str, ir.Table],
    history: Mapping[str, Mapping[str, HistoryFrame]] | None = None,
    check: bool = True,
) -> EngineResult:
    """Compile ``policy`` for ``period`` over ``frames``: lazy tables, computed where the frames live.

    With ``check`` (the default) the fault conditions are executed first and PolicyRunError is raised
    for the first formula that failed for some subject, so no result of a failed run is ever used.
    """
    run = _Run(policy, period, frames, history or {})
    missing = [s.id for s in policy.subjects if s.id not in frames and _has_rules(policy, s.id)]
    if missing:
        raise ValueError(f"no frame for subject(s) {', '.join(missing)} of policy {policy.id}")
    scorecards: dict[str, ir.Table] = {}
    excluded: dict[str, ir.Table] = {}
    entry_parts: list[ir.Table] = []
    checks: list[FaultCheck] = []
    for subject_id in run.order():
        if subject_id not in frames:
            continue
        builder = _Subject(run, subject_id)
        scorecard, entries = builder.build()
        scorecards[subject_id], excluded[subject_id] = scorecard, builder.excluded
        if entries is not None:
            entry_parts.append(entries)
        checks.extend(builder.fault_checks())
    if len(entry_parts) > 1:
        entries_table = ibis.union(*entry_parts)
    else:
        entries_table = entry_parts[0] if entry_parts else _empty_entries()
    result = EngineResult(scorecards=scorecards, entries=entries_table, excluded=excluded, checks=checks)
    if check:
        result.raise_for_faults()
    return result


def _has_rules(policy: Policy, subject: str) -> bool:
    return any(rule.subject == subject for rule in policy.rules)


def _empty_entries() -> ir.Table:
    return ibis.memtable(
        {
            "rule": [],
            "subject": [],
            "subject_key": [],
            "source_subject": [],
            "source_key": [],
            "points": [],
            "amount": [],
        },
        schema={
            "rule": "string",
            "subject": "string",
            "subject_key": "string",
            "source_subject": "string",
            "source_key": "string",
            "points": NUMBER,
            "amount": MONEY,
        },
    )
