"""The allocation of a performance-pay pool (绩效工资, seed 000 篇2) under R4. Plain Python, no Django.

The policy's values (stock_basis, increment_basis, department_score, own_pay …) and each share rule's
amount are evaluated with the formula language's reference evaluator (youfu.formula.evaluate), every
person of the pool at once (one column per input). The formula language has no sum across people, so
this module adds the pool's totals (pool_total, headcount, stock_total, increment_total,
department_total) as inputs: each rule's amount is then the person's EXACT share.

Money to the fen, summing exactly to the pool:

1. the pool is split into the shares of the weight group ``pool_shares`` (20/10/20/10/40) with
   ``youfu.core.money.allocate`` (largest remainder), so the shares' budgets add up to the pool;
2. stock, increment and department: each budget is split among the people by their exact amounts,
   again with ``allocate``: every person is within one fen of their exact share and the amounts add up
   to the budget (naive rounding of 3 × 33.333… gives 99.99, not 100.00);
3. priced products: the imported amounts (yuan, whole fen) are paid as they are; what they leave of
   their budget is undistributed (未分配) and shown; more than the budget stops the computation;
4. the democratic evaluation: its exact amounts add up to less than its budget when scores are below
   100 (the seed is silent on the rest): their sum, rounded to the fen, is split with ``allocate`` and
   the rest of the budget is undistributed and shown.

So Σ people + Σ undistributed = the pool, to the fen, always (tested).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from youfu.core.money import allocate, round_money
from youfu.formula import Frame, evaluate
from youfu.formula.errors import FormulaError
from youfu.policies.document import Policy, WeightPart

# The share rules of R4 and the weight each one takes of the pool (ids in the policy).
SHARES: tuple[tuple[str, str], ...] = (
    ("priced_products", "w_priced"),
    ("stock_share", "w_stock"),
    ("increment_share", "w_increment"),
    ("department_share", "w_department"),
    ("evaluation_share", "w_evaluation"),
)
PRICED, STOCK, INCREMENT, DEPARTMENT, EVALUATION = (rule for rule, _w in SHARES)
# Shares split by allocate() among the people in proportion to their exact amounts.
PROPORTIONAL = (STOCK, INCREMENT, DEPARTMENT)
# Per-person inputs (the import fills them); text inputs are kept as text.
PERSON_INPUTS = (
    "balance_m1",
    "balance_m2",
    "balance_m3",
    "daily_avg",
    "daily_avg_base",
    "payroll_credit",
    "priced_amount",
    "department_kind",
    "results_score",
    "duties_score",
    "evaluation_score",
)
# The sums across people this module passes in, and the value each one sums.
TOTALS = (
    ("stock_total", "stock_basis"),
    ("increment_total", "increment_basis"),
    ("department_total", "department_score"),
)
POOL_INPUTS = ("pool_total", "headcount")
ZERO = Decimal(0)


class PayPolicyError(ValueError):
    """The policy cannot allocate the pool, or the inputs break one of its limits (priced > budget)."""


@dataclass(frozen=True)
class Step:
    name: str
    formula: str
    seed: str
    value: str


@dataclass(frozen=True)
class Line:
    key: str
    inputs: Mapping[str, str]
    steps: tuple[Step, ...]  # the policy's values for this person
    exact: Mapping[str, Decimal]  # rule id → the exact amount
    amounts: Mapping[str, Decimal]  # rule id → the amount paid (fen)

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)


@dataclass(frozen=True)
class Share:
    rule: str
    weight: Decimal
    budget: Decimal  # the pool's part for this share (fen)
    paid: Decimal
    formula: str
    seed: str

    @property
    def undistributed(self) -> Decimal:
        return self.budget - self.paid


@dataclass(frozen=True)
class Allocation:
    pool_total: Decimal
    shares: tuple[Share, ...]
    lines: tuple[Line, ...]
    totals: Mapping[str, Decimal]
    warnings: tuple[str, ...] = field(default=())

    @property
    def paid(self) -> Decimal:
        return sum((line.total for line in self.lines), ZERO)

    @property
    def undistributed(self) -> Decimal:
        return sum((share.undistributed for share in self.shares), ZERO)


def _parts(parts: Sequence[WeightPart], into: dict[str, Decimal]) -> None:
    for part in parts:
        if part.weight is not None:
            into[part.id] = part.weight
        _parts(part.parts, into)


@dataclass(frozen=True)
class PayPolicy:
    """A checked R4-shaped policy: its weights, values and share rules."""

    policy: Policy
    weights: Mapping[str, Decimal]

    @classmethod
    def of(cls, policy: Policy) -> PayPolicy:
        weights: dict[str, Decimal] = {}
        for group in policy.weights:
            if group.total is not None:
                weights[group.id] = group.total
            _parts(group.parts, weights)
        rules = {rule.id for rule in policy.rules}
        missing = [w for _r, w in SHARES if w not in weights] + [r for r, _w in SHARES if r not in rules]
        if missing:
            raise PayPolicyError(f"the policy has no {', '.join(missing)}: it is not a pay-pool policy")
        leaves = [weights[w] for _r, w in SHARES]
        if sum(leaves, ZERO) != 100:
            raise PayPolicyError(
                "the shares " + " + ".join(str(v) for v in leaves) + f" = {sum(leaves, ZERO)}, not 100"
            )
        return cls(policy=policy, weights=weights)

    def _columns(self, n: int) -> dict[str, list[object]]:
        columns: dict[str, list[object]] = {name: [value] * n for name, value in self.weights.items()}
        for constant in self.policy.constants:
            columns[constant.name] = [constant.value] * n
        return columns

    def _values(self, columns: dict[str, list[object]]) -> list[tuple[str, str, str, list[object]]]:
        out: list[tuple[str, str, str, list[object]]] = []
        for value in self.policy.values:
            formula = value.formula
            if formula is None or formula.tree is None:
                continue
            result = evaluate(formula.tree, Frame(columns), source=formula.text)
            columns[value.name] = list(result)
            out.append((value.name, formula.text.strip(), value.seed, list(result)))
        return out

    def allocate(
        self, pool_total: Decimal, people: Sequence[tuple[str, Mapping[str, Decimal | str]]]
    ) -> Allocation:
        """Split ``pool_total`` (yuan, whole fen) among ``people`` (key, their R4 inputs)."""
        pool_total = Decimal(pool_total)
        if round_money(pool_total) != pool_total or pool_total <= 0:
            raise PayPolicyError(f"the pool {pool_total} must be a positive amount in whole fen")
        if not people:
            raise PayPolicyError("nobody to allocate to: import the balances first")
        n = len(people)
        columns = self._columns(n)
        defaults = {i.name: i.default for i in self.policy.inputs if i.default is not None}
        for name in PERSON_INPUTS:
            column: list[object] = []
            for key, inputs in people:
                value = inputs.get(name, defaults.get(name))
                if value is None:
                    raise PayPolicyError(f"{key}: no {name}")
                column.append(value)
            columns[name] = column
        columns["pool_total"] = [pool_total] * n
        columns["headcount"] = [Decimal(n)] * n
        for total, _of in TOTALS:
            columns[total] = [ZERO] * n
        try:
            first = {name: values for name, _f, _s, values in self._values(dict(columns))}  # the bases
            totals = {}
            for total, of in TOTALS:
                totals[total] = sum((Decimal(str(v)) for v in first[of]), ZERO)
                columns[total] = [totals[total]] * n
            steps = self._values(columns)
            exact: dict[str, list[Decimal]] = {}
            rules = {rule.id: rule for rule in self.policy.rules}
            for rule_id, _w in SHARES:
                amount = rules[rule_id].amount
                assert amount is not None and amount.tree is not None
                exact[rule_id] = [
                    Decimal(str(v)) for v in evaluate(amount.tree, Frame(columns), source=amount.text)
                ]
        except FormulaError as error:
            raise PayPolicyError(str(error)) from None
        budgets = dict(
            zip(
                (r for r, _w in SHARES),
                allocate(pool_total, [self.weights[w] for _r, w in SHARES]),
                strict=True,
            )
        )
        paid: dict[str, list[Decimal]] = {}
        warnings: list[str] = []
        for rule_id in PROPORTIONAL:
            if sum(exact[rule_id], ZERO) > 0:
                paid[rule_id] = allocate(budgets[rule_id], exact[rule_id])
            else:
                paid[rule_id] = [ZERO] * n
                warnings.append(
                    f"{rule_id}: nobody has a positive basis; its {budgets[rule_id]} is undistributed"
                )
        for i, value in enumerate(exact[PRICED]):
            if value < 0 or round_money(value) != value:
                raise PayPolicyError(f"{people[i][0]}: priced amount {value} is not a positive amount in fen")
        paid[PRICED] = [round_money(v) for v in exact[PRICED]]
        priced = sum(paid[PRICED], ZERO)
        if priced > budgets[PRICED]:
            raise PayPolicyError(
                f"priced products come to {priced}, more than their {self.weights['w_priced']}% of the pool "
                f"({budgets[PRICED]}): the seed caps them at 10-20%; the panel must adjust them"
            )
        floor = self.policy_constant("priced_floor")
        if floor is not None and priced < pool_total * floor / 100:
            warnings.append(
                f"priced products come to {priced}, less than {floor}% of the pool; the seed says 10-20%"
            )
        evaluation = round_money(sum(exact[EVALUATION], ZERO))
        if evaluation > budgets[EVALUATION]:
            raise PayPolicyError(f"the democratic evaluation comes to {evaluation}, more than its budget")
        paid[EVALUATION] = allocate(evaluation, exact[EVALUATION]) if evaluation > 0 else [ZERO] * n
        shares = []
        for rule_id, w in SHARES:
            rule = rules[rule_id]
            assert rule.amount is not None
            shares.append(
                Share(
                    rule=rule_id,
                    weight=self.weights[w],
                    budget=budgets[rule_id],
                    paid=sum(paid[rule_id], ZERO),
                    formula=rule.amount.text.strip(),
                    seed=rule.seed,
                )
            )
        lines = []
        for i, (key, inputs) in enumerate(people):
            lines.append(
                Line(
                    key=key,
                    inputs={k: str(inputs.get(k, defaults.get(k))) for k in PERSON_INPUTS},
                    steps=tuple(Step(name, text, seed, str(values[i])) for name, text, seed, values in steps),
                    exact={r: exact[r][i] for r, _w in SHARES},
                    amounts={r: paid[r][i] for r, _w in SHARES},
                )
            )
        result = Allocation(pool_total, tuple(shares), tuple(lines), totals, tuple(warnings))
        assert result.paid + result.undistributed == pool_total  # the invariant, always
        return result

    def policy_constant(self, name: str) -> Decimal | None:
        for constant in self.policy.constants:
            if constant.name == name and isinstance(constant.value, Decimal):
                return constant.value
        return None
