"""Reads of scoring: policy versions, runs, rankings, charts, explanations and what-if diffs.

Policy versions and runs are bank-wide objects (a run scores the whole bank), visible to any user
with a subtree; a run's *lines* are not: every selector that returns lines, totals, charts or diffs
keeps only the lines whose ``unit_path`` lies in the user's subtree (youfu.accounts.access), so an
S2 user never sees an S1 outlet's number, not in a ranking, a total, a chart or an explanation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Count, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Round
from django.http import Http404
from django.utils.translation import get_language

from youfu.accounts.access import WHOLE_BANK, scope_path
from youfu.engine import period_context
from youfu.facts.selectors import FactEvidence, fact_evidence
from youfu.formula.ast import Call, Expr, Name, children, to_source
from youfu.formula.checker import Type
from youfu.formula.errors import EvaluationError, FormulaError
from youfu.formula.evaluator import Frame as EvalFrame
from youfu.formula.evaluator import evaluate
from youfu.ledger.choices import EvidenceType
from youfu.ledger.models import LedgerEntry
from youfu.org.models import Period, Unit
from youfu.policies.document import Formula, Policy, Rule
from youfu.scoring.choices import RunKind, RunStatus
from youfu.scoring.models import PolicyVersion, ScoreLine, ScoreRun
from youfu.scoring.services import load_version

POINTS_SCALE = 10_000  # ScoreLine.total_points has 4 decimal places
AMOUNT_SCALE = 100  # fen
CURRENT_OFFICIAL = (RunStatus.POSTED, RunStatus.PUBLISHED)  # an official run whose numbers stand
RANK_FUNCTIONS = frozenset({"rank", "top", "bottom"})


def _lines_in_scope(user: Any) -> Q:
    path = scope_path(user)
    if path is None:
        return Q(pk__in=[])
    if path == WHOLE_BANK:
        return Q()
    return Q(unit_path__startswith=path)


def _sees_anything(user: Any) -> bool:
    return scope_path(user) is not None


# -- policy versions -----------------------------------------------------------------------------------


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _named(item: Any) -> str:
    """An item's name in the active language: ``name_en`` on the English pages when the policy gives
    one, else ``name`` (Chinese first)."""
    english = getattr(item, "name_en", "")
    return english if english and _english() else item.name


def _described(item: Any) -> str:
    """An item's description in the active language (``description_en`` for English, when given)."""
    english = getattr(item, "description_en", "")
    return english if english and _english() else item.description


def policy_version_list(*, user: Any) -> QuerySet[PolicyVersion]:
    """Every stored version (policies are the bank's, not a subtree's), newest first per policy."""
    if not _sees_anything(user):
        return PolicyVersion.objects.none()
    return PolicyVersion.objects.select_related("uploaded_by").order_by("policy", "-version")


def policy_version_get(*, user: Any, pk: int | str) -> PolicyVersion:
    try:
        return policy_version_list(user=user).get(pk=pk)
    except (PolicyVersion.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class RuleSummary:
    id: str
    subject: str  # the subject's name
    description: str
    seed: str


@dataclass(frozen=True)
class PolicySummary:
    description: str
    rules: list[RuleSummary]


def policy_summary(*, version: PolicyVersion) -> PolicySummary:
    """What a policy version says, for its page: its description and each rule's, in the active
    language, with the plan's words."""
    policy = load_version(version)
    subjects = {subject.id: _named(subject) or subject.id for subject in policy.subjects}
    return PolicySummary(
        description=_described(policy),
        rules=[
            RuleSummary(rule.id, subjects.get(rule.subject, rule.subject), _described(rule), rule.seed)
            for rule in policy.rules
        ],
    )


def policy_ids(*, user: Any) -> list[str]:
    return sorted(set(policy_version_list(user=user).values_list("policy", flat=True)))


# -- runs ----------------------------------------------------------------------------------------------


def run_list(
    *,
    user: Any,
    policy: str | None = None,
    period: Period | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> QuerySet[ScoreRun]:
    """Runs, newest first, filtered by policy id, period, kind and status when given."""
    if not _sees_anything(user):
        return ScoreRun.objects.none()
    runs = ScoreRun.objects.select_related("policy_version", "period", "created_by")
    if policy:
        runs = runs.filter(policy_version__policy=policy)
    if period is not None:
        runs = runs.filter(period=period)
    if kind:
        runs = runs.filter(kind=kind)
    if status:
        runs = runs.filter(status=status)
    return runs.order_by("-created_at", "-id")


def run_get(*, user: Any, pk: int | str) -> ScoreRun:
    try:
        return run_list(user=user).get(pk=pk)
    except (ScoreRun.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def baseline_runs(*, user: Any) -> QuerySet[ScoreRun]:
    """Official runs whose numbers stand (posted or published): what a what-if is compared against."""
    return run_list(user=user, kind=RunKind.OFFICIAL).filter(status__in=CURRENT_OFFICIAL)


def _sum_scaled(field_name: str, scale: int) -> Sum:
    # As in youfu.ledger.selectors: SQLite sums decimals as floats; whole fen and ten-thousandths are exact.
    return Sum(Cast(Round(F(field_name) * Value(scale)), output_field=BigIntegerField()))


@dataclass(frozen=True)
class Totals:
    lines: int
    points: Decimal
    amount: Decimal


def _totals(lines: QuerySet[ScoreLine]) -> Totals:
    row = lines.order_by().aggregate(
        n=Count("id"),
        points=_sum_scaled("total_points", POINTS_SCALE),
        amount=_sum_scaled("total_amount", AMOUNT_SCALE),
    )
    return Totals(
        lines=row["n"] or 0,
        points=Decimal(row["points"] or 0).scaleb(-4),
        amount=Decimal(row["amount"] or 0).scaleb(-2),
    )


def line_list(*, user: Any, run: ScoreRun) -> QuerySet[ScoreLine]:
    """The run's lines in the user's subtree."""
    return (
        ScoreLine.objects.filter(_lines_in_scope(user), run=run)
        .select_related("unit", "person")
        .order_by("subject", "rank", "id")
    )


def line_get(*, user: Any, run: ScoreRun, pk: int | str) -> ScoreLine:
    """A line of the run in the user's subtree; 404 otherwise, so outsiders learn nothing of it."""
    try:
        return line_list(user=user, run=run).get(pk=pk)
    except (ScoreLine.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def run_totals(*, user: Any, run: ScoreRun, subject: str | None = None) -> Totals:
    """Lines, points and money of the run over the user's lines only (the run's own totals are the
    whole bank's)."""
    lines = line_list(user=user, run=run)
    if subject:
        lines = lines.filter(subject=subject)
    return _totals(lines)


# -- the policy of a run, as the pages name things --------------------------------------------------------


@dataclass(frozen=True)
class SubjectInfo:
    id: str
    name: str
    kind: str
    ranked_by: str  # the ranking's name or formula, "" for the default
    order: str  # "desc" or "asc"


@dataclass(frozen=True)
class ScopeInfo:
    id: str
    name: str
    level: str


def run_policy(run: ScoreRun) -> Policy:
    return load_version(run.policy_version)


def run_subjects(*, user: Any, run: ScoreRun, policy: Policy | None = None) -> list[SubjectInfo]:
    """The policy's subjects that have lines the user sees, in the policy's order."""
    policy = policy or run_policy(run)
    present = set(line_list(user=user, run=run).order_by().values_list("subject", flat=True).distinct())
    rankings = {ranking.subject: ranking for ranking in policy.rankings}
    found = []
    for subject in policy.subjects:
        if subject.id not in present:
            continue
        ranking = rankings.get(subject.id)
        by = ""
        if ranking is not None:
            by = _named(ranking) or (ranking.by.text if ranking.by is not None else "")
        found.append(
            SubjectInfo(
                id=subject.id,
                name=_named(subject) or subject.id,
                kind=subject.kind,
                ranked_by=by,
                order=ranking.order if ranking is not None else "desc",
            )
        )
    return found


def run_scopes(*, run: ScoreRun, policy: Policy | None = None) -> list[ScopeInfo]:
    policy = policy or run_policy(run)
    return [ScopeInfo(id=s.id, name=_named(s) or s.id, level=s.level) for s in policy.scopes]


def scope_units(*, user: Any, run: ScoreRun, subject: str, scope: str) -> list[Unit]:
    """The units of a scope (the regions, the provinces …) that hold lines the user sees."""
    ids: set[int] = set()
    lines = line_list(user=user, run=run).filter(subject=subject).order_by()
    for mapping in lines.values_list("scope_units", flat=True).iterator(chunk_size=5000):
        unit_id = (mapping or {}).get(scope)
        if unit_id is not None:
            ids.add(int(unit_id))
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))


# -- rankings ------------------------------------------------------------------------------------------

RANKING_SORTS = {
    "rank": "rank",
    "rank_value": "rank_value",
    "points": "total_points",
    "amount": "total_amount",
    "unit": "unit__path",
    "name": "person__name",
}


def _scope_rank(scope: str) -> Cast:
    return Cast(KeyTextTransform(scope, "ranks"), output_field=IntegerField())


def ranking(
    *,
    user: Any,
    run: ScoreRun,
    subject: str,
    scope: str | None = None,
    scope_unit: int | str | None = None,
    order: str = "rank",
) -> QuerySet[ScoreLine]:
    """The subject's lines the user sees, within one unit of a scope if given (``scope_unit``: its
    id), ordered by ``order`` (a key of RANKING_SORTS, "-" first for descending); "rank" is the rank
    within the scope when one is chosen, else in the whole bank. Each line carries ``scope_rank``."""
    lines = line_list(user=user, run=run).filter(subject=subject)
    if scope:
        lines = lines.annotate(scope_rank=_scope_rank(scope))
        if scope_unit not in (None, ""):
            try:
                lines = lines.filter(**{f"scope_units__{scope}": int(str(scope_unit))})
            except ValueError:
                return lines.none()
    else:
        lines = lines.annotate(scope_rank=F("rank"))
    descending = order.startswith("-")
    key = order.removeprefix("-")
    if key not in RANKING_SORTS:
        key, descending = "rank", False
    target: Any = F("scope_rank") if key == "rank" else F(RANKING_SORTS[key])
    ordering = target.desc(nulls_last=True) if descending else target.asc(nulls_last=True)
    return lines.order_by(ordering, "unit__path", "id")


# -- charts --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Histogram:
    labels: list[str]
    counts: list[int]


def _histogram(values: list[Decimal], buckets: int) -> Histogram:
    if not values:
        return Histogram(labels=[], counts=[])
    low, high = min(values), max(values)
    if low == high:
        return Histogram(labels=[_plain(low)], counts=[len(values)])
    width = (high - low) / buckets
    counts = [0] * buckets
    for value in values:
        index = min(int((value - low) / width), buckets - 1)
        counts[index] += 1
    labels = [f"{_plain(low + width * i)}–{_plain(low + width * (i + 1))}" for i in range(buckets)]
    return Histogram(labels=labels, counts=counts)


def _plain(value: Decimal) -> str:
    rounded = value.quantize(Decimal("0.01"))
    return format(rounded.normalize(), "f") if rounded else "0"


@dataclass(frozen=True)
class Distribution:
    ranked: Histogram  # the ranked value (the score …)
    amount: Histogram  # the money per subject


def distribution(
    *,
    user: Any,
    run: ScoreRun,
    subject: str,
    scope: str | None = None,
    scope_unit: int | str | None = None,
    buckets: int = 10,
) -> Distribution:
    """Histograms of the ranked value and of the money over the lines the user sees."""
    lines = ranking(user=user, run=run, subject=subject, scope=scope, scope_unit=scope_unit).order_by()
    ranked: list[Decimal] = []
    amounts: list[Decimal] = []
    for rank_value, amount in lines.values_list("rank_value", "total_amount").iterator(chunk_size=5000):
        if rank_value is not None:
            ranked.append(Decimal(rank_value))
        amounts.append(Decimal(amount))
    return Distribution(ranked=_histogram(ranked, buckets), amount=_histogram(amounts, buckets))


@dataclass(frozen=True)
class TrendPoint:
    run_id: int
    line_id: int
    period_code: str
    period_name: str
    rank_value: Decimal | None
    total_points: Decimal
    total_amount: Decimal
    rank: int | None


def trend(
    *, user: Any, policy: str, subject: str, unit: Unit | int | None = None, person: Any = None
) -> list[TrendPoint]:
    """A subject's ranked value, points, money and rank across the periods' standing official runs of
    the policy, oldest period first; nothing outside the user's subtree."""
    lines = ScoreLine.objects.filter(
        _lines_in_scope(user),
        run__policy_version__policy=policy,
        run__kind=RunKind.OFFICIAL,
        run__status__in=CURRENT_OFFICIAL,
        subject=subject,
    )
    if person is not None:
        lines = lines.filter(person=person)
    elif unit is not None:
        lines = lines.filter(unit=unit, person__isnull=True)
    else:
        return []
    lines = lines.select_related("run__period").order_by("run__period__start", "run__created_at")
    points: dict[int, TrendPoint] = {}
    for line in lines:
        period = line.run.period
        points[period.pk] = TrendPoint(  # the latest standing run of a period wins
            run_id=line.run_id,
            line_id=line.pk,
            period_code=period.code,
            period_name=period.name,
            rank_value=line.rank_value,
            total_points=line.total_points,
            total_amount=line.total_amount,
            rank=line.rank,
        )
    return list(points.values())


# -- explanation ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Used:
    """One name a rule's formulas use, with this line's value and where it came from."""

    name: str
    kind: str  # input, value, constant, phase, period, rule, other
    value: Any
    measure: str = ""
    description: str = ""
    formula: str = ""  # for a computed value: its formula
    evidence: FactEvidence | None = None
    fact_id: int | None = None
    default_used: bool = False  # an input without a fact: the policy's default applied


@dataclass(frozen=True)
class ScopePosition:
    scope: str
    name: str
    rank: int | None
    of: int
    unit: Unit | None


@dataclass(frozen=True)
class EntryView:
    entry: LedgerEntry
    reversed_by: LedgerEntry | None

    @property
    def reversed(self) -> bool:
        return self.reversed_by is not None


@dataclass(frozen=True)
class RuleExplanation:
    id: str
    description: str
    seed: str
    note: str
    subject: str
    fired: bool
    points: Decimal | None
    amount: Decimal | None
    formulas: list[tuple[str, str]]  # (what, formula text)
    multipliers: list[tuple[str, str, str, bool | None]]  # (when, factor, seed, applied; None: unknown)
    shares: list[tuple[str, str, str]]  # (subject, points, amount)
    used: list[Used]
    scopes: list[ScopePosition]
    entries: list[EntryView]
    history: list[HistoryUse] = field(default_factory=list)  # sum/mean/count over earlier periods
    # what the same event cost the subjects of the rule's ``also:`` (R2: the department, the outlet head)
    share_entries: list[LedgerEntry] = field(default_factory=list)


@dataclass(frozen=True)
class LineExplanation:
    line: ScoreLine
    run: ScoreRun
    policy: Policy
    subject_name: str
    phase: str
    phase_name: str
    phase_values: dict[str, Any]
    period_number: int
    ranked_by: str
    scopes: list[ScopePosition]
    inputs: list[Used]
    values: list[Used]
    rules: list[RuleExplanation]
    other_entries: list[EntryView]  # entries of this run for the subject not matched to a rule here
    entries_points: Decimal
    entries_amount: Decimal
    excluded: bool = False
    warnings: list[str] = field(default_factory=list)


def _walk_names(tree: Expr) -> Iterator[Name]:
    # Keyword values (within=region, over=months) name scopes and spans, not values of the line.
    if isinstance(tree, Name):
        yield tree
    elif isinstance(tree, Call):
        for arg in tree.args:
            yield from _walk_names(arg)
    else:
        for child in children(tree):
            yield from _walk_names(child)


def _walk_calls(tree: Expr) -> Iterator[Call]:
    if isinstance(tree, Call):
        yield tree
    for child in children(tree):
        yield from _walk_calls(child)


def _rule_formulas(rule: Rule) -> list[tuple[str, Formula]]:
    found: list[tuple[str, Formula | None]] = [
        ("when", rule.when),
        ("points", rule.points),
        ("amount", rule.amount),
    ]
    for multiplier in rule.multipliers:
        found += [("multiplier when", multiplier.when), ("multiplier factor", multiplier.factor)]
    for share in rule.also:
        found += [(f"{share.subject} points", share.points), (f"{share.subject} amount", share.amount)]
    return [(what, formula) for what, formula in found if formula is not None]


def _names_in(formulas: Iterable[Formula]) -> list[str]:
    names: list[str] = []
    for formula in formulas:
        if formula.tree is None:
            continue
        for node in _walk_names(formula.tree):
            if node.id not in names:
                names.append(node.id)
    return names


def _scopes_in(formulas: Iterable[Formula]) -> list[str]:
    scopes: list[str] = []
    for formula in formulas:
        if formula.tree is None:
            continue
        for call in _walk_calls(formula.tree):
            if call.func not in RANK_FUNCTIONS:
                continue
            for keyword in call.keywords:
                if (
                    keyword.name == "within"
                    and isinstance(keyword.value, Name)
                    and keyword.value.id not in scopes
                ):
                    scopes.append(keyword.value.id)
    return scopes


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


class _Namer:
    """Finds what a name in a formula is, and its value on this line."""

    def __init__(self, policy: Policy, line: ScoreLine, phase_values: dict[str, Any], number: int,
                 phase: str, evidence: dict[int, FactEvidence]) -> None:  # fmt: skip
        self.policy, self.line, self.evidence = policy, line, evidence
        self.inputs = {i.name: i for i in policy.inputs}
        self.values = {v.name: v for v in policy.values}
        self.constants = {c.name: c for c in policy.constants}
        self.phase_values, self.number, self.phase = phase_values, number, phase
        self.rules = {rule.id for rule in policy.rules}
        self.weights: set[str] = set()

    def used(self, name: str) -> Used:
        values = self.line.values
        if name in self.inputs:
            input_ = self.inputs[name]
            fact_id = self.line.facts.get(name)
            return Used(
                name=name,
                kind="input",
                value=values.get(name),
                measure=input_.unit,
                description=_described(input_),
                evidence=self.evidence.get(int(fact_id)) if fact_id is not None else None,
                fact_id=int(fact_id) if fact_id is not None else None,
                default_used=fact_id is None,
            )
        if name in self.values:
            value = self.values[name]
            return Used(
                name=name,
                kind="value",
                value=values.get(name),
                description=_described(value),
                formula=value.formula.text if value.formula is not None else "",
            )
        if name in self.constants:
            return Used(name=name, kind="constant", value=_literal(self.constants[name].value))
        if name in self.phase_values:
            return Used(name=name, kind="phase", value=self.phase_values[name])
        if name == "phase":
            return Used(name=name, kind="period", value=self.phase)
        if name == "period_number":
            return Used(name=name, kind="period", value=self.number)
        if name.removesuffix("_points").removesuffix("_amount") in self.rules:
            return Used(name=name, kind="rule", value=values.get(name))
        return Used(name=name, kind="other", value=values.get(name))

    def closure(self, names: list[str]) -> list[Used]:
        """The names and, for each computed value, the names its formula uses (so an explanation
        reaches down to the inputs and their evidence)."""
        seen: list[str] = []
        queue = list(names)
        while queue:
            name = queue.pop(0)
            if name in seen:
                continue
            seen.append(name)
            value = self.values.get(name)
            if value is not None and value.formula is not None:
                queue.extend(n for n in _names_in([value.formula]) if n not in seen)
        return [self.used(name) for name in seen]


def _literal(value: Any) -> Any:
    return value.value if hasattr(value, "value") and not isinstance(value, Decimal | bool | str) else value


def _entries_of(run: ScoreRun, line: ScoreLine, user: Any) -> list[EntryView]:
    """The ledger entries this run posted to the line's subject (and their reversals)."""
    entries = LedgerEntry.objects.filter(
        evidence_type=EvidenceType.SCORING_RUN, evidence_id=str(run.pk), reverses__isnull=True
    ).filter(_lines_in_scope(user))
    if line.person_id is not None:
        entries = entries.filter(person_id=line.person_id)
    else:
        entries = entries.filter(unit_id=line.unit_id, person__isnull=True, subject_role=line.role)
    entries = entries.select_related("period", "author").order_by("id")
    found = list(entries)
    reversals = {
        r.reverses_id: r
        for r in LedgerEntry.objects.filter(reverses__in=[e.pk for e in found]).select_related("author")
    }
    return [EntryView(entry=e, reversed_by=reversals.get(e.pk)) for e in found]


def _positions(
    run: ScoreRun, line: ScoreLine, policy: Policy, wanted: Iterable[str] | None = None
) -> list[ScopePosition]:
    scopes = {s.id: s for s in policy.scopes}
    ids = [s for s in (wanted if wanted is not None else scopes) if s in scopes]
    units = Unit.objects.in_bulk(
        [int(line.scope_units[s]) for s in ids if line.scope_units.get(s) is not None]
    )
    positions = []
    for scope in ids:
        unit_id = line.scope_units.get(scope)
        size = (
            ScoreLine.objects.filter(
                run=run, subject=line.subject, **{f"scope_units__{scope}": int(unit_id)}
            ).count()
            if unit_id is not None
            else 0
        )
        positions.append(
            ScopePosition(
                scope=scope,
                name=_named(scopes[scope]) or scope,
                rank=line.ranks.get(scope),
                of=size,
                unit=units.get(int(unit_id)) if unit_id is not None else None,
            )
        )
    return positions


# -- history: sum/mean/count over earlier periods ------------------------------------------------------

AGGREGATES = frozenset({"sum", "mean", "count"})


@dataclass(frozen=True)
class HistoryPeriod:
    """One period of a span, as the run saw it for this line: the inputs the aggregate's argument
    uses (with their facts), the argument's value there, and whether the period counted."""

    code: str
    name: str
    used: list[Used]
    value: Any  # the argument's value in that period (count: whether it held); None when not counted
    counted: bool
    missing: list[str]  # inputs without a default that had no fact: the period is not counted


@dataclass(frozen=True)
class HistoryUse:
    """``count(score >= 98, over=earlier_quarters)``: the periods it went over, and its result."""

    text: str
    func: str
    span: str
    span_name: str
    argument: str
    periods: list[HistoryPeriod]
    result: Decimal | None  # count / sum / mean over the counted periods; None for a mean over none
    recorded: bool  # the run recorded the periods' facts (runs before this was kept did not)


def _aggregate_calls(formulas: Iterable[Formula]) -> list[Call]:
    calls: list[Call] = []
    for formula in formulas:
        if formula.tree is None:
            continue
        for call in _walk_calls(formula.tree):
            if call.func in AGGREGATES and any(k.name == "over" for k in call.keywords) and call not in calls:
                calls.append(call)
    return calls


def _closure_formulas(policy: Policy, formulas: list[Formula]) -> list[Formula]:
    """The formulas and those of the values they use, down the chain."""
    values = {value.name: value.formula for value in policy.values if value.formula is not None}
    found = list(formulas)
    seen: set[str] = set()
    queue = _names_in(formulas)
    while queue:
        name = queue.pop(0)
        if name in seen or name not in values:
            continue
        seen.add(name)
        found.append(values[name])
        queue += _names_in([values[name]])
    return found


def _evaluate_one(tree: Expr, env: dict[str, Any]) -> Any:
    """The reference evaluator on one row; None when it cannot say (a name it lacks, a fault)."""
    try:
        return evaluate(tree, EvalFrame({name: [value] for name, value in env.items()}))[0]
    except (FormulaError, EvaluationError, TypeError, ValueError, ArithmeticError):
        return None


class _History:
    """The periods of the line's spans with the facts the run used (ScoreLine.history)."""

    def __init__(self, policy: Policy, line: ScoreLine, user: Any) -> None:
        self.policy, self.line = policy, line
        self.spans = {span.id: span for span in policy.periods.spans}
        self.inputs = {i.name: i for i in policy.inputs}
        ids = [
            int(i) for periods in line.history.values() for facts in periods.values() for i in facts.values()
        ]
        self.evidence = fact_evidence(fact_ids=ids, user=user) if ids else {}
        codes = {code for periods in line.history.values() for code in periods}
        self.periods = {p.code: p for p in Period.objects.filter(code__in=codes)} if codes else {}

    def env(self, period: Period, facts: dict[str, Any]) -> tuple[dict[str, Any], list[Used], list[str]]:
        """Inputs (fact, else default), constants, the period's phase values and number; and the
        inputs without default that had no fact."""
        context = period_context(self.policy, start=period.start, end=period.end, key=period.code)
        env: dict[str, Any] = {c.name: _literal(c.value) for c in self.policy.constants}
        env.update({name: _literal(value) for name, value in context.phase_values.items()})
        env["phase"], env["period_number"] = context.phase, context.number
        used: dict[str, Used] = {}
        missing: list[str] = []
        for name, input_ in self.inputs.items():
            fact_id = facts.get(name)
            evidence = self.evidence.get(int(fact_id)) if fact_id is not None else None
            if evidence is not None:
                env[name] = evidence.value
            elif input_.default is not None:
                env[name] = _literal(input_.default)
            else:
                missing.append(name)
                continue
            used[name] = Used(
                name=name,
                kind="input",
                value=env[name],
                measure=input_.unit,
                description=_described(input_),
                evidence=evidence,
                fact_id=int(fact_id) if fact_id is not None else None,
                default_used=evidence is None,
            )
        for value in self.policy.values:  # the values made of these alone, in order
            tree = value.formula.tree if value.formula is not None else None
            if tree is None or list(_walk_calls(tree)):
                continue
            if all(n in env for n in _names_in_tree(tree)):
                result = _evaluate_one(tree, env)
                if result is not None:
                    env[value.name] = result
        return env, list(used.values()), missing

    def use(self, call: Call) -> HistoryUse:
        span_id = next(k.value.id for k in call.keywords if k.name == "over" and isinstance(k.value, Name))
        span = self.spans.get(span_id)
        argument = call.args[0]
        needed = _names_in_tree(argument)
        recorded = self.line.history.get(span_id)
        periods: list[HistoryPeriod] = []
        total, counted = Decimal(0), 0
        for code, facts in (recorded or {}).items():
            period = self.periods.get(code)
            if period is None:
                continue
            env, inputs, missing = self.env(period, facts)
            shown = [u for u in inputs if u.name in needed or u.name in self._inputs_behind(needed)]
            lacking = [name for name in missing if name in needed or name in self._inputs_behind(needed)]
            value = None if lacking else _evaluate_one(argument, env)
            ok = not lacking and value is not None
            if ok:
                counted += 1
                if call.func == "count":
                    total += 1 if value is True else 0
                elif isinstance(value, Decimal | int) and not isinstance(value, bool):
                    total += Decimal(value)
            periods.append(HistoryPeriod(code, period.name, shown, value if ok else None, ok, lacking))
        if call.func == "mean":
            result = (total / counted).quantize(Decimal("0.0000000001")) if counted else None
        else:
            result = total
        if result is not None:
            result = Decimal(format(result.normalize(), "f"))  # 2, not 2E+0; 93.25, not 93.2500000000
        return HistoryUse(
            text=to_source(call),
            func=call.func,
            span=span_id,
            span_name=(_named(span) or span_id) if span is not None else span_id,
            argument=to_source(argument),
            periods=periods,
            result=result if recorded is not None else None,
            recorded=recorded is not None,
        )

    def _inputs_behind(self, names: set[str]) -> set[str]:
        values = {v.name: v.formula for v in self.policy.values if v.formula is not None}
        found: set[str] = set()
        queue = [n for n in names if n in values]
        seen: set[str] = set()
        while queue:
            name = queue.pop()
            if name in seen:
                continue
            seen.add(name)
            for inner in _names_in([values[name]]):
                if inner in values:
                    queue.append(inner)
                else:
                    found.add(inner)
        return found


def _line_env(
    policy: Policy, line: ScoreLine, phase_values: dict[str, Any], number: int, phase: str
) -> dict[str, Any]:
    """The line's stored values as the formula language's values (numbers are stored as text)."""
    types: dict[str, Type | None] = {i.name: i.type for i in policy.inputs}
    types.update({v.name: v.type for v in policy.values})
    env: dict[str, Any] = {c.name: _literal(c.value) for c in policy.constants}
    env.update(phase_values)
    env["phase"], env["period_number"] = phase, number
    for name, value in line.values.items():
        if value is None:
            continue
        if isinstance(value, str) and types.get(name) is not Type.TEXT:
            try:
                env[name] = Decimal(value)
            except ArithmeticError:
                env[name] = value
        else:
            env[name] = value
    return env


def _holds(formula: Formula | None, env: dict[str, Any]) -> bool | None:
    """Whether a condition held on the line (None: it cannot be said from the line alone, e.g. a rank)."""
    if formula is None or formula.tree is None:
        return None
    result = _evaluate_one(formula.tree, env)
    return result if isinstance(result, bool) else None


def _names_in_tree(tree: Expr) -> set[str]:
    return {node.id for node in _walk_names(tree)}


def _with_share_entries(rules: list[RuleExplanation], user: Any) -> list[RuleExplanation]:
    """The entries the same events posted to the rules' other subjects (one query for the line)."""
    own = {view.entry.pk for rule in rules for view in rule.entries}
    events = {view.entry.event_id for rule in rules if rule.shares for view in rule.entries}
    if not events:
        return rules
    others: dict[Any, list[LedgerEntry]] = {}
    for entry in (
        LedgerEntry.objects.filter(_lines_in_scope(user), event_id__in=events, reverses__isnull=True)
        .exclude(pk__in=own)
        .select_related("unit", "person")
        .order_by("id")
    ):
        others.setdefault(entry.event_id, []).append(entry)
    return [
        replace(rule, share_entries=[e for view in rule.entries for e in others.get(view.entry.event_id, [])])
        if rule.shares
        else rule
        for rule in rules
    ]


def line_explain(*, user: Any, line: ScoreLine) -> LineExplanation:
    """Why the line's numbers are what they are: each rule of the policy for its subject — fired or
    not, its seed, its formulas as written, the names they use with this line's values (down to the
    inputs and the facts behind them: file, sheet, row, who, when), its result and the ledger
    entries the run posted for it. The line must be one the user may see (line_get)."""
    line = line_get(user=user, run=line.run, pk=line.pk)
    run = line.run
    policy = run_policy(run)
    subject = next((s for s in policy.subjects if s.id == line.subject), None)
    period = run.period
    context = period_context(policy, start=period.start, end=period.end, key=period.code)
    phase_values = {name: _literal(value) for name, value in context.phase_values.items()}
    phase_name = next(
        (_named(p) or p.id for p in policy.periods.phases if p.id == context.phase), context.phase
    )
    evidence = fact_evidence(fact_ids=[int(v) for v in line.facts.values()], user=user)
    namer = _Namer(policy, line, phase_values, context.number, context.phase, evidence)
    entries = _entries_of(run, line, user)
    history = _History(policy, line, user)
    line_env = _line_env(policy, line, phase_values, context.number, context.phase)
    by_rule: dict[str, list[EntryView]] = {}
    for view in entries:
        by_rule.setdefault(view.entry.rule, []).append(view)
    rules = []
    for rule in policy.rules:
        shares_here = [share for share in rule.also if share.subject == line.subject]
        if rule.subject != line.subject and not shares_here:
            continue
        formulas = _rule_formulas(rule)
        points = _number(line.values.get(f"{rule.id}_points")) if rule.subject == line.subject else None
        amount = _number(line.values.get(f"{rule.id}_amount")) if rule.subject == line.subject else None
        rule_entries = by_rule.pop(rule.id, [])
        held = line.values.get(f"{rule.id}_fired") if rule.subject == line.subject else None
        fired = held if isinstance(held, bool) else bool(points) or bool(amount) or bool(rule_entries)
        rules.append(
            RuleExplanation(
                id=rule.id,
                description=_described(rule),
                seed=rule.seed,
                note=rule.note,
                subject=rule.subject,
                fired=fired,
                points=points,
                amount=amount,
                formulas=[(what, formula.text) for what, formula in formulas],
                multipliers=[
                    (
                        m.when.text if m.when else "",
                        m.factor.text if m.factor else "",
                        m.seed,
                        _holds(m.when, line_env) if rule.subject == line.subject and fired else None,
                    )
                    for m in rule.multipliers
                ],
                shares=[
                    (s.subject, s.points.text if s.points else "", s.amount.text if s.amount else "")
                    for s in rule.also
                ],
                used=namer.closure(_names_in(f for _, f in formulas)) if rule.subject == line.subject else [],
                scopes=_positions(run, line, policy, _scopes_in(f for _, f in formulas)),
                entries=rule_entries,
                history=[
                    history.use(call)
                    for call in _aggregate_calls(_closure_formulas(policy, [f for _, f in formulas]))
                ]
                if rule.subject == line.subject
                else [],
            )
        )
    rules = _with_share_entries(rules, user)
    rules.sort(key=lambda r: not r.fired)  # the rules that gave something first, in the policy's order
    other = [view for views in by_rule.values() for view in views]
    live = [view.entry for view in entries if not view.reversed]
    ranking_ = next((r for r in policy.rankings if r.subject == line.subject), None)
    return LineExplanation(
        line=line,
        run=run,
        policy=policy,
        subject_name=(_named(subject) or subject.id) if subject is not None else line.subject,
        phase=context.phase,
        phase_name=phase_name,
        phase_values=phase_values,
        period_number=context.number,
        ranked_by=(_named(ranking_) or (ranking_.by.text if ranking_.by else "")) if ranking_ else "",
        scopes=_positions(run, line, policy),
        inputs=[namer.used(i.name) for i in policy.inputs if i.name in line.values],
        values=[namer.used(v.name) for v in policy.values if v.name in line.values],
        rules=rules,
        other_entries=other,
        entries_points=sum((e.points for e in live), Decimal(0)),
        entries_amount=sum((e.amount for e in live), Decimal(0)),
    )


# -- what-if -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    subject: str
    unit: Unit
    person: Any
    line: ScoreLine | None  # in the what-if run
    base_line: ScoreLine | None  # in the baseline
    rank: int | None
    base_rank: int | None
    rank_value: Decimal | None
    base_rank_value: Decimal | None
    points: Decimal
    base_points: Decimal
    amount: Decimal
    base_amount: Decimal

    @property
    def rank_delta(self) -> int | None:
        # Positive: moved up (a smaller rank number).
        if self.rank is None or self.base_rank is None:
            return None
        return self.base_rank - self.rank

    @property
    def rank_value_delta(self) -> Decimal | None:
        if self.rank_value is None or self.base_rank_value is None:
            return None
        return self.rank_value - self.base_rank_value

    @property
    def points_delta(self) -> Decimal:
        return self.points - self.base_points

    @property
    def amount_delta(self) -> Decimal:
        return self.amount - self.base_amount

    @property
    def changed(self) -> bool:
        return bool(self.amount_delta or self.points_delta or self.rank_delta or self.line is None
                    or self.base_line is None)  # fmt: skip


@dataclass(frozen=True)
class WhatIfDiff:
    run: ScoreRun
    baseline: ScoreRun
    rows: list[DiffRow]
    points: Decimal
    base_points: Decimal
    amount: Decimal
    base_amount: Decimal
    changed: int

    @property
    def points_delta(self) -> Decimal:
        return self.points - self.base_points

    @property
    def amount_delta(self) -> Decimal:
        return self.amount - self.base_amount


def what_if_diff(*, user: Any, run: ScoreRun, baseline: ScoreRun, subject: str | None = None) -> WhatIfDiff:
    """Per subject in either run (within the user's subtree): rank, ranked value, points and money in
    both and the change, biggest change of money first; with the totals of both."""
    mine = line_list(user=user, run=run)
    theirs = line_list(user=user, run=baseline)
    if subject:
        mine, theirs = mine.filter(subject=subject), theirs.filter(subject=subject)
    keyed: dict[tuple[str, int, int | None], list[ScoreLine | None]] = {}
    for line in mine:
        keyed.setdefault((line.subject, line.unit_id, line.person_id), [None, None])[0] = line
    for line in theirs:
        keyed.setdefault((line.subject, line.unit_id, line.person_id), [None, None])[1] = line
    zero = Decimal(0)
    rows = []
    for (subject_id, _unit, _person), (new, old) in keyed.items():
        some = new or old
        assert some is not None
        rows.append(
            DiffRow(
                subject=subject_id,
                unit=some.unit,
                person=some.person,
                line=new,
                base_line=old,
                rank=new.rank if new else None,
                base_rank=old.rank if old else None,
                rank_value=new.rank_value if new else None,
                base_rank_value=old.rank_value if old else None,
                points=new.total_points if new else zero,
                base_points=old.total_points if old else zero,
                amount=new.total_amount if new else zero,
                base_amount=old.total_amount if old else zero,
            )
        )
    rows.sort(key=lambda r: (-abs(r.amount_delta), -abs(r.points_delta), r.subject, r.unit.path, r.unit.pk))
    return WhatIfDiff(
        run=run,
        baseline=baseline,
        rows=rows,
        points=sum((r.points for r in rows), zero),
        base_points=sum((r.base_points for r in rows), zero),
        amount=sum((r.amount for r in rows), zero),
        base_amount=sum((r.base_amount for r in rows), zero),
        changed=sum(1 for r in rows if r.changed),
    )
