"""Writes of the pay pools (绩效工资, seed 000 篇2 under R4): create a pool, import balances and salaries
(all or nothing, every row's error listed, twice = nothing changed), compute the allocation (a new,
current version each time; the previous stays)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from youfu.accounts.access import require_perm, require_unit_in_scope
from youfu.core.errors import ApplicationError, ErrorDetail
from youfu.core.money import round_money
from youfu.org.choices import PeriodKind
from youfu.org.models import Period, Person, Unit
from youfu.performance_pay.calculator import SHARES, PayPolicy, PayPolicyError
from youfu.performance_pay.choices import DepartmentKind, ImportKind
from youfu.performance_pay.imports import BALANCE_COLUMNS, SALARY_COLUMNS, Row
from youfu.performance_pay.models import Allocation, AllocationLine, ImportBatch, PersonInput, Pool, Salary
from youfu.policies.checker import check_policy
from youfu.policies.findings import Severity
from youfu.scoring.models import PolicyVersion
from youfu.scoring.services import load_version

REFERENCE = Path(__file__).resolve().parent.parent / "policies" / "reference"
REFERENCE_POLICY = REFERENCE / "r4_deposit_performance_pay.yaml"
R5_POLICY = REFERENCE / "r5_department_weights.yaml"
# The line's columns, by R4 rule id.
LINE_FIELDS = {
    "priced_products": "priced",
    "stock_share": "stock",
    "increment_share": "increment",
    "department_share": "department",
    "evaluation_share": "evaluation",
}
MONEY_FIELDS = (
    "balance_m1",
    "balance_m2",
    "balance_m3",
    "daily_avg",
    "daily_avg_base",
    "payroll_credit",
    "priced_amount",
    *SALARY_COLUMNS,
)
SCORE_FIELDS = ("results_score", "duties_score", "evaluation_score")
DEPARTMENT_WORDS = {
    "": DepartmentKind.BUSINESS,
    "business": DepartmentKind.BUSINESS,
    "业务部门": DepartmentKind.BUSINESS,
    "业务": DepartmentKind.BUSINESS,
    "functional": DepartmentKind.FUNCTIONAL,
    "职能部门": DepartmentKind.FUNCTIONAL,
    "职能": DepartmentKind.FUNCTIONAL,
}
MAX_MONEY = Decimal("99999999999999.99")


def reference_policy_version() -> PolicyVersion:
    """R4 (seed 000 篇2) as a stored policy version: uploaded once, the same version afterwards."""
    from youfu.scoring.services import policy_version_upload

    return policy_version_upload(
        author=None, text=REFERENCE_POLICY.read_text(encoding="utf-8"), file_name=REFERENCE_POLICY.name
    )


def r5_errors() -> list[str]:
    """What the checker says against R5 (篇13/篇14): it is rejected (15+20+5+5 = 45, not 55), so only its
    consistent 7:3 / 3:7 part is used, copied into R4; the pages show this every time."""
    return [
        f"{R5_POLICY.name}:{f.line}:{f.column}: {f.message}"
        for f in check_policy(R5_POLICY)
        if f.severity is Severity.ERROR
    ]


def pay_policy(pool: Pool) -> PayPolicy:
    try:
        return PayPolicy.of(load_version(pool.policy_version))
    except PayPolicyError as error:
        raise ApplicationError(
            _("Policy %(policy)s cannot allocate a pay pool: %(problem)s")
            % {"policy": pool.policy_version.policy, "problem": error},
            code="policy",
            field="policy_version",
        ) from None


@transaction.atomic
def pool_create(
    *,
    actor: Any,
    unit: Unit,
    period: Period,
    total: Decimal | str,
    comparison: str = "",
    policy_version: PolicyVersion | None = None,
) -> Pool:
    require_perm(actor, "performance_pay.add_pool")
    require_unit_in_scope(actor, unit, field="unit")
    if period.kind != PeriodKind.QUARTER:
        raise ApplicationError(_("A pay pool is for a quarter."), field="period")
    errors: list[ErrorDetail] = []
    amount = _decimal(total, "total", None, errors, money=True)
    if errors:
        raise ApplicationError(errors[0].message, code="total", field="total", details=errors)
    if amount <= 0:
        raise ApplicationError(_("The pool total must be more than 0."), code="total", field="total")
    if Pool.objects.filter(unit=unit, period=period).exists():
        raise ApplicationError(
            _("%(unit)s already has a pay pool for %(period)s.") % {"unit": unit.name, "period": period.name},
            code="duplicate",
            field="period",
        )
    version = policy_version or reference_policy_version()
    pool = Pool(
        unit=unit,
        period=period,
        total=amount,
        policy_version=version,
        comparison=comparison,
        created_by=actor,
    )
    pay_policy(pool)  # refuse a policy that cannot allocate a pool before storing anything
    pool.save()
    return pool


def _decimal(
    value: Any, field: str, row: int | None, errors: list[ErrorDetail], *, money: bool = False
) -> Decimal:
    text = "" if value is None else str(value).strip().replace(",", "").replace("，", "")
    if isinstance(value, bool):
        text = "?"
    try:
        number = Decimal(text) if text else Decimal(0)
        if not number.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors.append(
            ErrorDetail(
                "bad_number",
                _("%(field)s: %(value)s is not a number.") % {"field": field, "value": value},
                field,
                row,
            )
        )
        return Decimal(0)
    if number < 0:
        errors.append(
            ErrorDetail("negative", _("%(field)s must not be negative.") % {"field": field}, field, row)
        )
    if money and (round_money(number) != number or abs(number) > MAX_MONEY):
        errors.append(
            ErrorDetail(
                "bad_amount",
                _("%(field)s: %(value)s is not an amount in yuan to the fen.")
                % {"field": field, "value": value},
                field,
                row,
            )
        )
    return number


@dataclass(frozen=True)
class ImportOutcome:
    rows: int
    changed: int
    batch: ImportBatch | None


def _require_manage(actor: Any, pool: Pool, perm: str) -> None:
    require_perm(actor, perm)
    require_unit_in_scope(actor, pool.unit)


@transaction.atomic
def inputs_import(
    *,
    actor: Any,
    pool: Pool,
    kind: str,
    rows: list[Row],
    file_name: str,
    content: bytes = b"",
    dry_run: bool = False,
) -> ImportOutcome:
    """Balances and scores, or salaries, of the pool's people: all rows or none; every row's error is
    listed; importing the same file again changes nothing (0 rows changed)."""
    _require_manage(actor, pool, "performance_pay.import_pay_inputs")
    if kind not in ImportKind.values:
        raise ApplicationError(_("Unknown import kind %(kind)s.") % {"kind": kind}, field="kind")
    if not rows:
        raise ApplicationError(_("The file has no rows."), code="empty", field="file")
    Pool.objects.select_for_update().filter(pk=pool.pk).first()
    numbers = [str(r.values.get("employee_no") or "").strip() for r in rows]
    people = {p.employee_no: p for p in Person.objects.filter(employee_no__in=numbers).select_related("unit")}
    errors: list[ErrorDetail] = []
    seen: set[str] = set()
    wanted: list[tuple[Person, dict[str, Any]]] = []
    fields = list(BALANCE_COLUMNS) if kind == ImportKind.BALANCES else list(SALARY_COLUMNS)
    for line, no in zip(rows, numbers, strict=True):
        person = people.get(no)
        if person is None:
            errors.append(
                ErrorDetail(
                    "unknown_person",
                    _("No one has employee number %(no)s.") % {"no": no or "—"},
                    "employee_no",
                    line.row,
                )
            )
        elif not person.unit.path.startswith(pool.unit.path):
            errors.append(
                ErrorDetail(
                    "out_of_scope",
                    _("%(no)s (%(unit)s) is not in %(pool)s.")
                    % {"no": no, "unit": person.unit.name, "pool": pool.unit.name},
                    "employee_no",
                    line.row,
                )
            )
        if no in seen:
            errors.append(
                ErrorDetail("duplicate", _("%(no)s appears twice.") % {"no": no}, "employee_no", line.row)
            )
        seen.add(no)
        values: dict[str, Any] = {}
        for field in fields:
            raw = line.values.get(field)
            if field == "department_kind":
                word = str(raw or "").strip()
                if word.lower() in DEPARTMENT_WORDS or word in DEPARTMENT_WORDS:
                    values[field] = DEPARTMENT_WORDS.get(word.lower(), DEPARTMENT_WORDS.get(word))
                else:
                    errors.append(
                        ErrorDetail(
                            "bad_choice",
                            _("部门类别 %(value)s: write 业务部门 or 职能部门.") % {"value": word},
                            field,
                            line.row,
                        )
                    )
                continue
            if field == "balance_m1" or field == "balance_m2":
                # A quarter-end-only sheet fills the three month-ends with the quarter end (R4's reading).
                raw = raw if raw not in (None, "") else line.values.get("balance_m3")
            number = _decimal(raw, field, line.row, errors, money=field in MONEY_FIELDS)
            if field in SCORE_FIELDS and number > 100:
                errors.append(
                    ErrorDetail(
                        "out_of_range", _("%(field)s is out of 100.") % {"field": field}, field, line.row
                    )
                )
            values[field] = number
        if person is not None:
            wanted.append((person, values))
    if errors:
        raise ApplicationError(
            _("%(count)d error(s) in the file; nothing was imported.") % {"count": len(errors)},
            code="import_invalid",
            field="file",
            details=errors,
        )
    model: type[PersonInput] | type[Salary] = PersonInput if kind == ImportKind.BALANCES else Salary
    existing = {row.person_id: row for row in model.objects.filter(pool=pool)}
    changed = [
        (person, values)
        for person, values in wanted
        if person.pk not in existing
        or any(getattr(existing[person.pk], k) != v for k, v in values.items())
        or existing[person.pk].unit_id != person.unit_id
    ]
    if dry_run:
        transaction.set_rollback(True)
        return ImportOutcome(rows=len(rows), changed=len(changed), batch=None)
    batch = ImportBatch.objects.create(
        pool=pool,
        kind=kind,
        file_name=file_name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        rows=len(rows),
        changed=len(changed),
        imported_by=actor,
    )
    for person, values in changed:
        model.objects.update_or_create(
            pool=pool, person=person, defaults={**values, "unit": person.unit, "batch": batch}
        )
    return ImportOutcome(rows=len(rows), changed=len(changed), batch=batch)


@transaction.atomic
def pool_compute(*, actor: Any, pool: Pool) -> Allocation:
    """Allocate the pool under its policy: a new current allocation (the previous stays, not current)."""
    _require_manage(actor, pool, "performance_pay.compute_pool")
    pool = Pool.objects.select_for_update().select_related("policy_version", "unit").get(pk=pool.pk)
    policy = pay_policy(pool)
    inputs = list(PersonInput.objects.filter(pool=pool).select_related("person", "unit", "batch"))
    people = [
        (
            str(row.person_id),
            {
                "balance_m1": row.balance_m1,
                "balance_m2": row.balance_m2,
                "balance_m3": row.balance_m3,
                "daily_avg": row.daily_avg,
                "daily_avg_base": row.daily_avg_base,
                "payroll_credit": row.payroll_credit,
                "priced_amount": row.priced_amount,
                "department_kind": row.department_kind,
                "results_score": row.results_score,
                "duties_score": row.duties_score,
                "evaluation_score": row.evaluation_score,
            },
        )
        for row in inputs
    ]
    try:
        outcome = policy.allocate(pool.total, people)
    except PayPolicyError as error:
        raise ApplicationError(
            _("The pool cannot be allocated: %(problem)s") % {"problem": error},
            code="allocation",
            field="pool",
        ) from None
    last = Allocation.objects.filter(pool=pool).order_by("-version").first()
    Allocation.objects.filter(pool=pool, is_current=True).update(is_current=False)
    allocation = Allocation.objects.create(
        pool=pool,
        version=(last.version + 1) if last else 1,
        shares=[
            {
                "rule": s.rule,
                "weight": str(s.weight),
                "budget": str(s.budget),
                "paid": str(s.paid),
                "undistributed": str(s.undistributed),
                "formula": s.formula,
                "seed": s.seed,
            }
            for s in outcome.shares
        ],
        totals={k: str(v) for k, v in outcome.totals.items()},
        warnings=list(outcome.warnings),
        batches=sorted({row.batch_id for row in inputs}),
        computed_by=actor,
    )
    by_key = {str(row.person_id): row for row in inputs}
    formulas = {s.rule: (s.formula, s.seed) for s in outcome.shares}
    AllocationLine.objects.bulk_create(
        AllocationLine(
            allocation=allocation,
            person_id=int(line.key),
            unit_id=by_key[line.key].unit_id,
            total=line.total,
            explanation={
                "policy": {"id": pool.policy_version.policy, "version": pool.policy_version.version},
                "inputs": dict(line.inputs),
                "steps": [
                    {"name": s.name, "formula": s.formula, "seed": s.seed, "value": s.value}
                    for s in line.steps
                ],
                "shares": [
                    {
                        "rule": rule,
                        "formula": formulas[rule][0],
                        "seed": formulas[rule][1],
                        "exact": str(line.exact[rule]),
                        "amount": str(line.amounts[rule]),
                    }
                    for rule, _w in SHARES
                ],
                "totals": {k: str(v) for k, v in outcome.totals.items()},
                "batch": {
                    "id": by_key[line.key].batch_id,
                    "file_name": by_key[line.key].batch.file_name,
                    "imported_at": by_key[line.key].batch.imported_at.isoformat(),
                },
            },
            **{LINE_FIELDS[rule]: line.amounts[rule] for rule, _w in SHARES},
        )
        for line in outcome.lines
    )
    return allocation
