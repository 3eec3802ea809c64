"""`youfu appraisal`: open, import (row errors, nothing saved; twice changes nothing), close, results."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from youfu.appraisal.imports import template_workbook
from youfu.appraisal.models import Adjustment, Cycle


def run(*args: str) -> str:
    out = StringIO()
    call_command("appraisal", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_open_import_close_results(bank, s1_office, periods, team, tmp_path: Path) -> None:
    out = run(
        "open",
        "--unit",
        "S1",
        "--period",
        "2024Q1",
        "--finance",
        "caiwu",
        "--admin",
        "xingzheng",
        "--as",
        "s1_office",
    )
    cycle = Cycle.objects.get()
    assert out.startswith(f"cycle {cycle.pk}:") and "silent" in out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(template_workbook([("100001", "2024-01", 1, 0, 0, 0), ("999999", "2024-01", 1, 0, 0, 0)]))
    with pytest.raises(CommandError):
        run("import", str(cycle.pk), str(bad), "--as", "s1_office")
    assert not Adjustment.objects.exists()
    good = tmp_path / "good.xlsx"
    good.write_bytes(template_workbook([("100001", "2024-01", 1, 0, 0, 0)]))
    assert run("import", str(cycle.pk), str(good), "--as", "s1_office").strip() == "1 rows, 1 changed"
    assert run("import", str(cycle.pk), str(good), "--as", "s1_office").strip() == "1 rows, 0 changed"
    closed = run("close", str(cycle.pk), "--as", "s1_office")
    assert "0 results" in closed and "100001" in closed
    assert "silent" in run("results", str(cycle.pk), "--as", "s1_office")
    with pytest.raises(CommandError):
        run("close", str(cycle.pk), "--as", "outsider_nobody")
