"""`youfu performance_pay`: create, template, import (row errors, nothing saved; twice changes nothing),
compute, export (the total row equals the pool), pools; an S2 office is refused."""

from __future__ import annotations

import io
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from youfu.performance_pay.models import Allocation, PersonInput, Pool
from youfu.performance_pay.tests.conftest import (
    BALANCE_HEADER,
    SALARY_HEADER,
    Team,
    balance_rows,
    csv_bytes,
    salary_rows,
    xlsx,
)


def run(*args: str) -> str:
    out = StringIO()
    call_command("performance_pay", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_create_import_compute_export(
    bank: Any, s1_office: Any, outsider: Any, periods: Any, team: Team, tmp_path: Path
) -> None:
    out = run("create", "--unit", "S1", "--period", "2024Q1", "--total", "10000.00", "--as", "s1_office")
    pool = Pool.objects.get()
    assert f"pool {pool.pk}" in out and "R5 is rejected" in out and "open question" in out
    run("template", "balances", str(tmp_path / "t.xlsx"))
    assert (tmp_path / "t.xlsx").exists()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(BALANCE_HEADER, [*balance_rows(), ["999999", 1, 1, 1, 1, 1, 0, 0, "", 0, 0, 0]]))
    with pytest.raises(CommandError, match="nothing was imported"):
        run("import", str(pool.pk), "balances", str(bad), "--as", "s1_office")
    assert not PersonInput.objects.exists()
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(BALANCE_HEADER, balance_rows()))
    assert "3 rows, 3 changed" in run("import", str(pool.pk), "balances", str(good), "--as", "s1_office")
    assert "3 rows, 0 changed" in run("import", str(pool.pk), "balances", str(good), "--as", "s1_office")
    salaries = tmp_path / "s.xlsx"
    salaries.write_bytes(xlsx(SALARY_HEADER, salary_rows()))
    run("import", str(pool.pk), "salaries", str(salaries), "--as", "s1_office")
    out = run("compute", str(pool.pk), "--as", "s1_office")
    assert "stock_share\t10%\tbudget 1000.00\tpaid 1000.00" in out
    sheet = tmp_path / "payroll.xlsx"
    assert "pool column total 10000.00" in run("export", str(pool.pk), str(sheet), "--as", "s1_office")
    rows = list(load_workbook(io.BytesIO(sheet.read_bytes())).worksheets[0].iter_rows(values_only=True))
    assert Decimal(str(rows[-1][8])) == Decimal("10000.00")
    assert "2024Q1" in run("pools", "--as", "s1_office")
    with pytest.raises(CommandError, match="not found"):
        run("compute", str(pool.pk), "--as", "outsider")
    assert Allocation.objects.count() == 1
