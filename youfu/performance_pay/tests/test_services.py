"""The pay pool end to end through the services: create, import (all or nothing, idempotent, CSV too),
compute (the hand-worked example on real people), the payroll sheet with R3's bonus items, blanks and
deductions, and the total row equal to the pool."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from youfu.accounts.models import User
from youfu.appraisal.models import QuarterResult
from youfu.core.errors import ApplicationError
from youfu.org.models import Period
from youfu.performance_pay import payroll, services
from youfu.performance_pay.imports import read_rows
from youfu.performance_pay.models import Allocation, AllocationLine, ImportBatch, PersonInput, Pool, Salary
from youfu.performance_pay.tests.conftest import (
    BALANCE_HEADER,
    SALARY_HEADER,
    Team,
    balance_rows,
    csv_bytes,
    salary_rows,
    xlsx,
)

D = Decimal


def load(pool: Pool, actor: User, kind: str, content: bytes, name: str = "x.xlsx", **kw: Any) -> Any:
    return services.inputs_import(
        actor=actor,
        pool=pool,
        kind=kind,
        rows=read_rows(content, kind, name),
        file_name=name,
        content=content,
        **kw,
    )


@pytest.fixture
def loaded(pool: Pool, s1_office: User, team: Team) -> Pool:
    load(pool, s1_office, "balances", xlsx(BALANCE_HEADER, balance_rows()))
    load(pool, s1_office, "salaries", xlsx(SALARY_HEADER, salary_rows()))
    return pool


def test_the_pool_is_computed_to_the_fen_and_sums_exactly(loaded: Pool, s1_office: User, bank: Any) -> None:
    allocation = services.pool_compute(actor=s1_office, pool=loaded)

    lines = {line.person.employee_no: line for line in AllocationLine.objects.filter(allocation=allocation)}
    assert [str(lines["100001"].stock), str(lines["100009"].stock), str(lines["100003"].stock)] == [
        "333.34",
        "333.33",
        "333.33",
    ]
    assert [str(lines[n].total) for n in ("100001", "100009", "100003")] == ["4052.24", "2769.36", "1578.40"]
    undistributed = sum((D(s["undistributed"]) for s in allocation.shares), D(0))
    assert sum((line.total for line in lines.values()), D(0)) + undistributed == loaded.total == D("10000.00")
    explained = lines["100001"].explanation
    assert explained["batch"]["file_name"] == "x.xlsx"
    assert any(s["rule"] == "stock_share" and "stock_basis" in s["formula"] for s in explained["shares"])
    assert {s["name"] for s in explained["steps"]} >= {"stock_basis", "increment_basis", "department_score"}


def test_computing_again_adds_a_version_and_keeps_the_old(loaded: Pool, s1_office: User) -> None:
    first = services.pool_compute(actor=s1_office, pool=loaded)
    second = services.pool_compute(actor=s1_office, pool=loaded)

    first.refresh_from_db()
    assert (first.version, first.is_current, second.version, second.is_current) == (1, False, 2, True)
    assert AllocationLine.objects.filter(allocation=first).count() == 3


def test_reimporting_the_same_file_changes_nothing(pool: Pool, s1_office: User, team: Team) -> None:
    content = xlsx(BALANCE_HEADER, balance_rows())
    first = load(pool, s1_office, "balances", content)
    before = list(PersonInput.objects.values_list("person_id", "daily_avg", "batch_id"))

    again = load(pool, s1_office, "balances", content)

    assert (first.rows, first.changed, again.rows, again.changed) == (3, 3, 3, 0)
    assert list(PersonInput.objects.values_list("person_id", "daily_avg", "batch_id")) == before


def test_a_csv_in_gbk_imports_like_the_excel(pool: Pool, s1_office: User, team: Team) -> None:
    outcome = load(
        pool, s1_office, "balances", csv_bytes(BALANCE_HEADER, balance_rows(), "gb18030"), "余额.csv"
    )

    assert outcome.changed == 3
    assert PersonInput.objects.get(person__employee_no="100009").department_kind == "functional"


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (["999999", 1, 1, 1, 1, 1, 0, 0, "", 0, 0, 0], "unknown_person"),
        (["200001", 1, 1, 1, 1, 1, 0, 0, "", 0, 0, 0], "out_of_scope"),  # 王芳 of S2
        (["100002", "abc", 1, 1, 1, 1, 0, 0, "", 0, 0, 0], "bad_number"),
        (["100002", -5, 1, 1, 1, 1, 0, 0, "", 0, 0, 0], "negative"),
        (["100002", 1, 1, 1, 1, 1, 0, "1.005", "", 0, 0, 0], "bad_amount"),
        (["100002", 1, 1, 1, 1, 1, 0, 0, "后勤", 0, 0, 0], "bad_choice"),
        (["100002", 1, 1, 1, 1, 1, 0, 0, "", 0, 0, 101], "out_of_range"),
        (["100001", 1, 1, 1, 1, 1, 0, 0, "", 0, 0, 0], "duplicate"),
    ],
)
def test_a_bad_row_imports_nothing(
    pool: Pool, s1_office: User, team: Team, row: list[object], code: str
) -> None:
    rows = [*balance_rows(), row]

    with pytest.raises(ApplicationError) as error:
        load(pool, s1_office, "balances", xlsx(BALANCE_HEADER, rows))

    assert code in [d.code for d in error.value.details]
    assert all(d.row == 5 for d in error.value.details if d.code == code)
    assert not PersonInput.objects.exists() and not ImportBatch.objects.exists()


def test_missing_columns_and_foreign_files_are_refused(pool: Pool, s1_office: User) -> None:
    with pytest.raises(ApplicationError, match="Missing columns"):
        load(pool, s1_office, "salaries", xlsx(["工号", "季度岗位工资"], [["100001", 1]]))
    with pytest.raises(ApplicationError, match="Excel"):
        load(pool, s1_office, "salaries", b"PK\x03\x04 not really a zip")
    assert not Salary.objects.exists()


def test_a_dry_run_saves_nothing(pool: Pool, s1_office: User, team: Team) -> None:
    outcome = load(pool, s1_office, "balances", xlsx(BALANCE_HEADER, balance_rows()), dry_run=True)

    assert (outcome.changed, outcome.batch) == (3, None)
    assert not PersonInput.objects.exists()


def test_a_pool_is_one_per_unit_and_quarter_and_positive(
    pool: Pool, s1_office: User, bank: Any, periods: dict[str, Period]
) -> None:
    with pytest.raises(ApplicationError, match="already has"):
        services.pool_create(actor=s1_office, unit=bank.s1, period=periods["2024Q1"], total="1.00")
    with pytest.raises(ApplicationError, match="more than 0"):
        services.pool_create(actor=s1_office, unit=bank.o1a, period=periods["2024Q1"], total="0")
    with pytest.raises(ApplicationError, match="fen"):
        services.pool_create(actor=s1_office, unit=bank.o1a, period=periods["2024Q1"], total="1.001")
    with pytest.raises(ApplicationError, match="quarter"):
        services.pool_create(actor=s1_office, unit=bank.o1a, period=periods["2024-01"], total="1.00")
    assert Pool.objects.count() == 1


def test_computing_without_balances_is_refused(pool: Pool, s1_office: User) -> None:
    with pytest.raises(ApplicationError, match="import the balances"):
        services.pool_compute(actor=s1_office, pool=pool)
    assert not Allocation.objects.exists()


def test_r5_is_reported_as_rejected() -> None:
    errors = services.r5_errors()

    assert len(errors) == 1 and "add up to 45, not 55" in errors[0]


def test_the_payroll_sheet_with_r3_bonus_items(
    loaded: Pool, s1_office: User, closed: QuarterResult, team: Team
) -> None:
    """张伟 is 优 (86.00) in the closed cycle: a = 10% × 36000, b = 12000/4, c = 144000 × 10% / 4.
    刘强 and 赵敏 have no result: blanks with the reason, never a guessed amount."""
    services.pool_compute(actor=s1_office, pool=loaded)

    sheet = payroll.payroll_build(user=s1_office, pool=loaded)

    assert sheet is not None and sheet.full
    zhang = next(r for r in sheet.rows if r.employee_no == "100001")
    assert zhang.grade == "优"
    assert zhang.bonus == {"a": D("3600.00"), "b": D("3000.00"), "c": D("3600.00")}
    assert zhang.total == D("4052.24") + D("10200.00")
    liu = next(r for r in sheet.rows if r.employee_no == "100009")
    assert liu.bonus == {"a": None, "b": None, "c": None} and "No appraisal result" in liu.notes[0]
    assert sheet.pool_column_total == loaded.total
    book = load_workbook(io.BytesIO(payroll.payroll_workbook(sheet)), data_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    total_row = rows[-1]
    assert total_row[1] == "Total" and D(str(total_row[8])) == D("10000.00")
    people = [r for r in rows[2:] if r[0]]
    undistributed = [r for r in rows[2:] if not r[0] and r[1] != "Total"]
    r4_column = [D(str(r[8])) for r in people + undistributed]
    assert sum(r4_column, D(0)) == D("10000.00")
    assert sum((D(str(r[3])) if r[3] is not None else D(0) for r in people + undistributed), D(0)) == D(
        "2000.00"
    )


def test_a_silent_grade_is_left_blank_and_deductions_apply(
    loaded: Pool, s1_office: User, closed: QuarterResult, team: Team
) -> None:
    """An upheld-looking version graded 良 (R3 is silent) and 4 days of leave: a/b/c blank with the
    reason; the leave deduction is 1% of the imported quarter performance pay (15000 → −150.00)."""
    steps = [
        {**s, "value": "4"} if s["name"] == "leave_days_quarter" else s for s in closed.explanation["steps"]
    ]
    QuarterResult.objects.filter(pk=closed.pk).update(
        grade="良", bonus_items="", bonus_silent=True, explanation={**closed.explanation, "steps": steps}
    )
    services.pool_compute(actor=s1_office, pool=loaded)

    sheet = payroll.payroll_build(user=s1_office, pool=loaded)

    assert sheet is not None
    zhang = next(r for r in sheet.rows if r.employee_no == "100001")
    assert zhang.bonus == {"a": None, "b": None, "c": None}
    assert any("silent on the bonus of 良" in n for n in zhang.notes)
    assert zhang.deductions["leave_deduction"] == D("-150.00")
    assert zhang.deductions["training_deduction"] == 0
    assert zhang.total == D("4052.24") - D("150.00")
