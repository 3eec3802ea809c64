"""The payroll sheet (绩效工资发放表) of a pool: per person the R4 shares, the R3 bonus items a/b/c of
their grade (from the closed appraisal cycle's current results) and R3's percentage deductions
(leave, missed trainings), and the totals.

* The R4 columns sum exactly to the pool: the people's amounts plus the undistributed rows (未分配:
  what the seed leaves unallocated, see R4's open questions) make the total row, equal to the pool.
* R3's money is computed from the cycle's own policy version (its bonus_a/b/c values and its rules
  with a condition) on the salaries imported into the pool, rounded to the fen (half up).
* 良 and 一般: R3 is silent on their bonus. Their a/b/c cells are left blank with the reason, never a
  guessed amount. A person without a result or without salaries gets blanks with the reason too.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from youfu.appraisal.choices import CycleStatus
from youfu.appraisal.models import Cycle, QuarterResult
from youfu.core.money import round_money
from youfu.formula import Frame, evaluate
from youfu.formula.errors import FormulaError
from youfu.performance_pay import selectors
from youfu.performance_pay.calculator import SHARES
from youfu.performance_pay.models import Allocation, Pool, Salary
from youfu.performance_pay.services import LINE_FIELDS
from youfu.policies.document import Policy
from youfu.scoring.services import load_version

ITEMS = ("a", "b", "c")
ZERO = Decimal("0.00")


@dataclass
class PayrollRow:
    person_id: int
    employee_no: str
    name: str
    unit: str
    shares: dict[str, Decimal]
    r4_total: Decimal
    grade: str = ""
    bonus: dict[str, Decimal | None] = field(default_factory=dict)  # None: blank, see notes
    deductions: dict[str, Decimal] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def bonus_total(self) -> Decimal:
        return sum((v for v in self.bonus.values() if v is not None), ZERO)

    @property
    def deduction_total(self) -> Decimal:
        return sum(self.deductions.values(), ZERO)

    @property
    def total(self) -> Decimal:
        return self.r4_total + self.bonus_total + self.deduction_total


@dataclass
class Payroll:
    pool: Pool
    allocation: Allocation
    rows: list[PayrollRow]
    full: bool  # the whole pool (False: the user's own line only)
    undistributed: dict[str, Decimal]  # rule → the rest of its budget (only when full)
    cycle: Cycle | None
    deduction_rules: list[str]
    warnings: list[str]

    def column_total(self, rule: str) -> Decimal:
        return sum((r.shares[rule] for r in self.rows), ZERO) + self.undistributed.get(rule, ZERO)

    @property
    def pool_column_total(self) -> Decimal:
        """Σ R4 of the people + Σ undistributed: the pool, to the fen."""
        return sum((r.r4_total for r in self.rows), ZERO) + sum(self.undistributed.values(), ZERO)

    @property
    def bonus_total(self) -> Decimal:
        return sum((r.bonus_total for r in self.rows), ZERO)

    @property
    def deduction_total(self) -> Decimal:
        return sum((r.deduction_total for r in self.rows), ZERO)

    @property
    def grand_total(self) -> Decimal:
        return self.pool_column_total + self.bonus_total + self.deduction_total


def appraisal_cycle(pool: Pool) -> Cycle | None:
    """The closed appraisal cycle of the pool's quarter for its unit (or a unit above it)."""
    ancestors = [pool.unit.path[:i] for i in range(len(pool.unit.path), 0, -1)]
    return (
        Cycle.objects.filter(period=pool.period, status=CycleStatus.CLOSED, unit__path__in=ancestors)
        .select_related("policy_version")
        .order_by("-unit__depth")
        .first()
    )


def _evaluate(policy: Policy, text_tree: Any, text: str, columns: dict[str, list[object]]) -> Any:
    (value,) = evaluate(text_tree, Frame(columns), source=text)
    return value


def _r3_money(row: PayrollRow, policy: Policy, result: QuarterResult | None, salary: Salary | None) -> None:
    if result is None:
        row.notes.append(_("No appraisal result for this quarter: no bonus items, no deductions."))
        row.bonus = dict.fromkeys(ITEMS)
        return
    row.grade = result.grade
    items = [i for i in result.bonus_items.split("+") if i]
    if result.bonus_silent:
        row.bonus = dict.fromkeys(ITEMS)
        row.notes.append(
            _(
                "R3 (seed 000 篇6) is silent on the bonus of %(grade)s: left blank until the office "
                "writes it into the policy."
            )
            % {"grade": result.grade}
        )
    if salary is None:
        row.bonus = dict.fromkeys(ITEMS)
        row.notes.append(_("No salaries imported: the bonus items and deductions cannot be computed."))
        return
    columns: dict[str, list[object]] = {
        "quarter_post_salary": [salary.quarter_post_salary],
        "month13_salary": [salary.month13_salary],
        "annual_post_salary": [salary.annual_post_salary],
        "performance_pay": [salary.performance_pay],
    }
    for step in result.explanation.get("steps", []):
        try:
            columns.setdefault(step["name"], [Decimal(step["value"])])
        except (ArithmeticError, ValueError, TypeError):
            continue
    if not result.bonus_silent:
        values = {v.name: v for v in policy.values}
        for item in ITEMS:
            value = values.get(f"bonus_{item}")
            if item not in items:
                row.bonus[item] = ZERO
            elif value is None or value.formula is None or value.formula.tree is None:
                row.bonus[item] = None
                row.notes.append(_("The policy has no bonus_%(item)s.") % {"item": item})
            else:
                amount = _evaluate(policy, value.formula.tree, value.formula.text, columns)
                row.bonus[item] = round_money(Decimal(amount))
    for rule in policy.rules:
        if rule.when is None or rule.when.tree is None or rule.amount is None or rule.amount.tree is None:
            continue
        try:
            fired = _evaluate(policy, rule.when.tree, rule.when.text, columns)
            if fired is True:
                amount = round_money(Decimal(_evaluate(policy, rule.amount.tree, rule.amount.text, columns)))
                row.deductions[rule.id] = amount
                row.notes.append(f"{rule.id}: {rule.seed}")
            else:
                row.deductions[rule.id] = ZERO
        except FormulaError as error:
            row.notes.append(f"{rule.id}: {error}")


def payroll_build(*, user: Any, pool: Pool) -> Payroll | None:
    allocation = selectors.current_allocation(pool=pool)
    if allocation is None:
        return None
    full = selectors.sees_all(user, pool)
    lines = list(
        selectors.line_list(user=user, allocation=allocation).order_by("unit__path", "person__employee_no")
    )
    cycle = appraisal_cycle(pool)
    policy = load_version(cycle.policy_version) if cycle is not None else None
    results = (
        {r.person_id: r for r in QuarterResult.objects.filter(cycle=cycle, is_current=True)} if cycle else {}
    )
    salaries = {s.person_id: s for s in Salary.objects.filter(pool=pool)}
    warnings = list(allocation.warnings)
    if cycle is None:
        warnings.append(
            _("No closed appraisal cycle for this quarter: R3's bonus items and deductions are blank.")
        )
    rows = []
    for line in lines:
        shares = {rule: getattr(line, LINE_FIELDS[rule]) for rule, _w in SHARES}
        row = PayrollRow(
            person_id=line.person_id,
            employee_no=line.person.employee_no,
            name=line.person.name,
            unit=line.unit.name,
            shares=shares,
            r4_total=line.total,
        )
        if policy is not None:
            _r3_money(row, policy, results.get(line.person_id), salaries.get(line.person_id))
        else:
            row.bonus = dict.fromkeys(ITEMS)
        rows.append(row)
    deduction_rules = [r.id for r in policy.rules if r.when is not None] if policy is not None else []
    undistributed = (
        {s["rule"]: Decimal(s["undistributed"]) for s in allocation.shares if Decimal(s["undistributed"])}
        if full
        else {}
    )
    return Payroll(pool, allocation, rows, full, undistributed, cycle, deduction_rules, warnings)


def share_labels() -> dict[str, str]:
    return {
        "priced_products": _("Priced products"),
        "stock_share": _("Stock share"),
        "increment_share": _("Increment share"),
        "department_share": _("Department share"),
        "evaluation_share": _("Democratic evaluation"),
    }


def payroll_workbook(payroll: Payroll) -> bytes:
    labels = share_labels()
    rules = [rule for rule, _w in SHARES]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "绩效工资"
    sheet.append(
        [f"{payroll.pool.period.name} {payroll.pool.unit.name} · {_('pool total')} {payroll.pool.total}"]
    )
    header = [
        _("Employee no."),
        pgettext("person", "Name"),
        _("Unit"),
        *[labels[r] for r in rules],
        _("R4 total"),
        _("Grade"),
    ]
    header += [_("Bonus %(item)s") % {"item": i} for i in ITEMS]
    header += [*payroll.deduction_rules, _("Total"), _("Notes")]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    blank = PatternFill("solid", fgColor="FFF3CD")
    for row in payroll.rows:
        values: list[Any] = [
            row.employee_no,
            row.name,
            row.unit,
            *[row.shares[r] for r in rules],
            row.r4_total,
            row.grade,
        ]
        values += [row.bonus.get(i) for i in ITEMS]
        values += [row.deductions.get(r, ZERO) for r in payroll.deduction_rules]
        values += [row.total, "; ".join(row.notes)]
        sheet.append(values)
        for offset, item in enumerate(ITEMS):
            if row.bonus.get(item) is None:
                sheet.cell(row=sheet.max_row, column=len(rules) + 6 + offset).fill = blank
    if payroll.full:
        for rule, amount in payroll.undistributed.items():
            values = ["", _("Undistributed: %(share)s") % {"share": labels[rule]}, ""]
            values += [amount if r == rule else None for r in rules] + [amount]
            values += [""] * (1 + len(ITEMS) + len(payroll.deduction_rules)) + [amount]
            values += [_("The seed does not say where this goes (R4 open questions).")]
            sheet.append(values)
        values = (
            ["", _("Total"), ""] + [payroll.column_total(r) for r in rules] + [payroll.pool_column_total, ""]
        )
        values += [sum((r.bonus.get(i) or ZERO for r in payroll.rows), ZERO) for i in ITEMS]
        values += [
            sum((r.deductions.get(d, ZERO) for r in payroll.rows), ZERO) for d in payroll.deduction_rules
        ]
        values += [payroll.grand_total, _("R4 total = the pool %(pool)s") % {"pool": payroll.pool.total}]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    for column in sheet.iter_cols(min_row=3, min_col=4, max_col=len(header) - 1):
        for cell in column:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    notes = book.create_sheet("说明")
    notes.append([_("Warnings")])
    for warning in payroll.warnings:
        notes.append([warning])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
