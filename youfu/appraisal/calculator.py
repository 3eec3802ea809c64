"""The quarter score of 员工绩效考核, computed from the policy (R3) itself. Plain Python, no Django.

Each of the policy's values (self_counted, monthly_score, comprehensive, quarter_score, …) is evaluated
with the formula language's reference evaluator (youfu.formula.evaluate, the semantics the scoring
engine is tested against row by row): first each month's values on that month's inputs, then the
quarter's values with the months as the span ``months``. The grade comes from the policy's grade
bands, the bonus items (a, b, c) from its bonus table; a case the policy marks ``silent`` gives no
bonus items and is reported, never guessed. Values that need what this module does not have (the
payroll inputs of bonus a/b/c, R4/R5's business) are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from youfu.core.money import round_points
from youfu.formula import Frame, evaluate
from youfu.formula.ast import Call, Expr, Name, children
from youfu.formula.errors import FormulaError
from youfu.policies.document import Band, Formula, GradeScale, Policy, Table, WeightPart

# The policy's inputs the appraisal fills, month by month and once a quarter (R3's names).
MONTH_INPUTS = (
    "self_score",
    "dept_score",
    "supervisor_score",
    "other_items",
    "adopted_suggestions",
    "leave_days",
    "trainings_attended",
    "trainings_missed",
    "plan_days_late",
)
QUARTER_INPUTS = ("comp_self", "comp_peers", "comp_panel")
MONTHLY_SCORE = "monthly_score"
COMPREHENSIVE = "comprehensive"
SPAN = "months"
# Weight groups an appraisal policy must have (raters of the month, of the quarter, and the mix).
WEIGHT_GROUPS = ("monthly_raters", "quarterly_raters", "quarter_parts")
# Formula failures that mean "this value needs something the appraisal does not have" (payroll).
_UNAVAILABLE = frozenset({"unknown_name", "keyword"})


class AppraisalPolicyError(ValueError):
    """The policy cannot run the staff appraisal (a weight group missing or not adding up …)."""


@dataclass(frozen=True)
class Step:
    """One value of the policy for one month or the quarter: its formula, the seed, the result."""

    name: str
    formula: str
    seed: str
    value: Decimal | bool | str


@dataclass(frozen=True)
class MonthOutcome:
    key: str
    inputs: Mapping[str, Decimal]
    steps: tuple[Step, ...]

    @property
    def monthly_score(self) -> Decimal:
        return next(Decimal(s.value) for s in self.steps if s.name == MONTHLY_SCORE)


@dataclass(frozen=True)
class Outcome:
    months: tuple[MonthOutcome, ...]
    inputs: Mapping[str, Decimal]
    steps: tuple[Step, ...]
    monthly_mean: Decimal
    comprehensive: Decimal
    score: Decimal  # exact (10 places): the grade is read from this
    grade: str
    bonus_items: tuple[str, ...] | None  # None: the policy is silent on this grade
    bonus_formula: str
    bonus_seed: str
    rules: tuple[tuple[str, str], ...] = field(default=())  # pay rules whose condition holds: (id, seed)

    @property
    def score_shown(self) -> Decimal:
        return round_points(self.score, 2)


def _parts(parts: Sequence[WeightPart], into: dict[str, Decimal]) -> None:
    for part in parts:
        if part.weight is not None:
            into[part.id] = part.weight
        _parts(part.parts, into)


def _sum_problems(name: str, total: Decimal | None, parts: Sequence[WeightPart]) -> list[str]:
    problems = []
    given = [p.weight for p in parts if p.weight is not None]
    if parts and total is not None and sum(given, Decimal(0)) != total:
        shown = " + ".join(str(w) for w in given)
        problems.append(f"weights '{name}': {shown} = {sum(given, Decimal(0))}, not {total}")
    for part in parts:
        problems += _sum_problems(f"{name} › {part.id}", part.weight, part.parts)
    return problems


def _names(tree: Expr | None) -> list[str]:
    if tree is None:
        return []
    found = [tree.id] if isinstance(tree, Name) else []
    if isinstance(tree, Call):
        found = [n for a in tree.args for n in _names(a)]
        return found
    for child in children(tree):
        found += _names(child)
    return found


def _in_band(score: Decimal, band: Band) -> bool:
    low, high = band.lower, band.upper
    if low is not None and not (score > low.value or (low.inclusive and score == low.value)):
        return False
    return high is None or score < high.value or (high.inclusive and score == high.value)


@dataclass(frozen=True)
class AppraisalPolicy:
    """A checked policy read for the appraisal: its weights, grade scale and bonus table."""

    policy: Policy
    weights: Mapping[str, Decimal]
    grade_scale: GradeScale
    bonus_table: Table | None

    @classmethod
    def of(cls, policy: Policy) -> AppraisalPolicy:
        groups = {g.id: g for g in policy.weights}
        missing = [g for g in WEIGHT_GROUPS if g not in groups]
        if missing:
            raise AppraisalPolicyError(f"the policy has no weights {', '.join(missing)}")
        problems: list[str] = []
        weights: dict[str, Decimal] = {}
        for group in policy.weights:
            problems += _sum_problems(group.id, group.total, group.parts)
            if group.total is not None:
                weights[group.id] = group.total
            _parts(group.parts, weights)
        if problems:
            raise AppraisalPolicyError("; ".join(problems))
        if not policy.grades:
            raise AppraisalPolicyError("the policy has no grade bands")
        scale = policy.grades[0]
        values = {v.name for v in policy.values}
        for name in (MONTHLY_SCORE, COMPREHENSIVE):
            if name not in values:
                raise AppraisalPolicyError(f"the policy has no value '{name}'")
        table = next((t for t in policy.tables if t.by == scale.id), None)
        return cls(policy=policy, weights=weights, grade_scale=scale, bonus_table=table)

    @property
    def silent_cases(self) -> tuple[str, ...]:
        """Grades whose bonus the policy is silent on (a warning until the office writes them)."""
        if self.bonus_table is None:
            return ()
        return tuple(row.case for row in self.bonus_table.rows if row.silent)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(band.label for band in self.grade_scale.bands)

    def band_text(self) -> list[tuple[str, str]]:
        """Each grade with its bounds in words (≥ 85, 80 ≤ … < 85)."""
        out = []
        for band in self.grade_scale.bands:
            parts = []
            if band.lower is not None:
                parts.append(f"{'≥' if band.lower.inclusive else '>'} {band.lower.value}")
            if band.upper is not None:
                parts.append(f"{'≤' if band.upper.inclusive else '<'} {band.upper.value}")
            out.append((band.label, ", ".join(parts)))
        return out

    def bonus_of(self, grade: str) -> tuple[tuple[str, ...] | None, str, str]:
        """(items, formula, seed) of a grade's bonus: items such as ("a", "b"); None when silent."""
        if self.bonus_table is None:
            return (), "", ""
        for row in self.bonus_table.rows:
            if row.case == grade:
                if row.silent:
                    return None, "", row.seed
                text = row.value.text if row.value is not None else ""
                tree = row.value.tree if row.value is not None else None
                items = tuple(
                    sorted({n.removeprefix("bonus_") for n in _names(tree) if n.startswith("bonus_")})
                )
                return items, text, self.bonus_table.seed
        return (), "", ""

    # -- evaluation ---------------------------------------------------------------------------------

    def _constants(self) -> dict[str, object]:
        columns: dict[str, object] = {name: [value] for name, value in self.weights.items()}
        for constant in self.policy.constants:
            columns[constant.name] = [constant.value]
        return columns

    def _run(self, columns: dict[str, object], history: list[dict[str, list[object]]] | None) -> list[Step]:
        steps = []
        columns = dict(columns)
        for value in self.policy.values:
            formula: Formula | None = value.formula
            if formula is None or formula.tree is None:
                continue
            frame = Frame(columns, history={SPAN: history} if history is not None else None)  # type: ignore[arg-type]
            try:
                (result,) = evaluate(formula.tree, frame, source=formula.text)
            except FormulaError as error:
                if error.code in _UNAVAILABLE:
                    continue
                raise
            columns[value.name] = [result]
            steps.append(Step(value.name, formula.text.strip(), value.seed, result))
        return steps

    def month(self, key: str, inputs: Mapping[str, Decimal]) -> MonthOutcome:
        columns = self._constants()
        columns.update({name: [Decimal(inputs[name])] for name in MONTH_INPUTS})
        steps = self._run(columns, None)
        if not any(step.name == MONTHLY_SCORE for step in steps):
            raise AppraisalPolicyError(f"the policy's {MONTHLY_SCORE} needs more than the monthly form")
        return MonthOutcome(key=key, inputs=dict(inputs), steps=tuple(steps))

    def appraise(
        self, months: Sequence[tuple[str, Mapping[str, Decimal]]], quarter: Mapping[str, Decimal]
    ) -> Outcome:
        """The quarter of one person: their counted months (key, inputs) and the review's three scores."""
        if not months:
            raise AppraisalPolicyError("no month to count")
        done = [self.month(key, inputs) for key, inputs in months]
        history: list[dict[str, list[object]]] = []
        for month in done:
            period: dict[str, list[object]] = {n: [Decimal(month.inputs[n])] for n in MONTH_INPUTS}
            period.update({s.name: [s.value] for s in month.steps})
            history.append(period)
        columns = self._constants()
        columns.update({name: [Decimal(quarter[name])] for name in QUARTER_INPUTS})
        steps = self._run(columns, history)
        got = {s.name: s.value for s in steps}
        scale = self.grade_scale
        assert scale.score is not None and scale.score.tree is not None
        frame_columns = dict(columns)
        frame_columns.update({k: [v] for k, v in got.items()})
        frame = Frame(frame_columns, history={SPAN: history})  # type: ignore[arg-type]
        (score,) = evaluate(scale.score.tree, frame, source=scale.score.text)
        (mean,) = evaluate(f"mean({MONTHLY_SCORE}, over={SPAN})", frame)
        assert isinstance(score, Decimal) and isinstance(mean, Decimal)
        grade = next((band.label for band in scale.bands if _in_band(score, band)), "")
        if not grade:
            raise AppraisalPolicyError(f"the score {score} is in no grade band")
        items, formula, seed = self.bonus_of(grade)
        rules = []
        for rule in self.policy.rules:
            if rule.when is None or rule.when.tree is None:
                continue
            try:
                (fired,) = evaluate(rule.when.tree, frame, source=rule.when.text)
            except FormulaError as error:
                if error.code in _UNAVAILABLE:
                    continue
                raise
            if fired is True:
                rules.append((rule.id, rule.seed))
        return Outcome(
            months=tuple(done),
            inputs=dict(quarter),
            steps=tuple(steps),
            monthly_mean=mean,
            comprehensive=Decimal(got[COMPREHENSIVE]),
            score=score,
            grade=grade,
            bonus_items=items,
            bonus_formula=formula,
            bonus_seed=seed,
            rules=tuple(rules),
        )
