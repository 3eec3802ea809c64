"""`youfu score` and `youfu explain` on the conftest bank and the tiny policy (worked in conftest.py)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from youfu.ledger.models import LedgerEntry
from youfu.scoring.models import PolicyVersion, ScoreRun
from youfu.scoring.tests.conftest import tiny_text


def score(*args: str) -> str:
    out = StringIO()
    call_command("score", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_dry_run_writes_the_results_and_stores_nothing(
    version: PolicyVersion, scores: Any, tmp_path: Path
) -> None:
    out = tmp_path / "q1.json"
    summary = json.loads(
        score("--policy", "tiny_shopper", "--period", "2025Q1", "--out", str(out)).splitlines()[-1]
    )
    assert summary == {
        "policy": "tiny_shopper",
        "version": 1,
        "period": "2025Q1",
        "subjects": {"outlet_head": 3},
        "entries": 4,
        "amount": "-2200.00",
    }
    data = json.loads(out.read_text(encoding="utf-8"))
    by_code = {line["code"]: line for line in data["scorecards"]["outlet_head"]}
    assert by_code["O1B"]["total_amount"] == "-1800"
    assert by_code["O1B"]["target_missed_amount"] == "-1800"
    assert by_code["O1A"]["rank__all"] == 1
    assert not ScoreRun.objects.exists() and not LedgerEntry.objects.exists()


def test_a_policy_file_runs_without_being_uploaded(scores: Any, tmp_path: Path) -> None:
    policy = tmp_path / "plan.yaml"
    policy.write_text(tiny_text(per_point=300), encoding="utf-8")
    out = tmp_path / "q1.csv"
    score("--policy", str(policy), "--period", "2025Q1", "--out", str(out))
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    amounts = {(row["rule"], row["code"]): Decimal(row["amount"]) for row in rows}
    # O1B: −(1000 + 4 × 300); O2A: −(1000 + 2 × 300); region bests O1A and O2A +500.
    assert amounts == {
        ("target_missed", "O1B"): Decimal("-2200.00"),
        ("target_missed", "O2A"): Decimal("-1600.00"),
        ("region_best", "O1A"): Decimal("500.00"),
        ("region_best", "O2A"): Decimal("500.00"),
    }
    assert not PolicyVersion.objects.exists()


def test_excel_output_has_the_entries_and_a_sheet_per_subject(
    version: PolicyVersion, scores: Any, tmp_path: Path
) -> None:
    out = tmp_path / "q1.xlsx"
    score("--policy", "tiny_shopper", "--period", "2025Q1", "--out", str(out))
    book = load_workbook(out)
    assert book.sheetnames == ["entries", "outlet_head"]
    entries = list(book["entries"].iter_rows(values_only=True))
    header = entries[0]
    amount = header.index("amount")
    assert sum(Decimal(str(row[amount])) for row in entries[1:]) == Decimal("-2200")
    codes = [row[1] for row in book["outlet_head"].iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == ["O1A", "O1B", "O2A"]


def test_post_stores_an_official_run_and_its_ledger_entries(version: PolicyVersion, scores: Any) -> None:
    printed = score("--policy", "tiny_shopper", "--period", "2025Q1", "--post")
    run = ScoreRun.objects.get()
    assert f"run {run.pk}" in printed and "amount -2200.00" in printed
    assert run.entries == 4
    assert sum(entry.amount for entry in LedgerEntry.objects.all()) == Decimal("-2200.00")


def test_bad_arguments_are_refused_with_a_clear_message(version: PolicyVersion, scores: Any) -> None:
    with pytest.raises(CommandError, match="no period"):
        score("--policy", "tiny_shopper", "--period", "2031Q9")
    with pytest.raises(CommandError, match="no stored policy 'nope'"):
        score("--policy", "nope", "--period", "2025Q1")
    with pytest.raises(CommandError, match=r"\.xlsx, \.csv or \.json"):
        score("--policy", "tiny_shopper", "--period", "2025Q1", "--out", "x.txt")


def test_explain_prints_the_rules_values_and_evidence(run: ScoreRun, admin: Any) -> None:
    out = StringIO()
    call_command("explain", "--policy", "tiny_shopper", "--period", "2025Q1", "--unit", "O1B", stdout=out)
    text = out.getvalue()
    assert "amount -1800.00 yuan" in text
    assert "✔ target_missed" in text
    assert "amount: -(1000 + points_short * per_point)" in text
    assert "省行神秘人检查2025Q1.xlsx" in text  # where the score came from
    assert "points_short = 4" in text


def test_explain_as_a_user_outside_the_subtree_is_refused(run: ScoreRun, bank: Any, outsider: Any) -> None:
    with pytest.raises(CommandError, match="outside"):
        call_command(
            "explain", "--run", str(run.pk), "--unit", "O1B", "--as", outsider.username, stdout=StringIO()
        )


def test_policy_upload_stores_a_checked_version_and_refuses_errors(db: None, tmp_path: Path) -> None:
    good = tmp_path / "tiny.yaml"
    good.write_text(tiny_text(), encoding="utf-8")
    out = StringIO()
    call_command("policy", "upload", str(good), "--draft", stdout=out)
    assert "stored tiny_shopper version 1" in out.getvalue()
    assert PolicyVersion.objects.get().status == "draft"
    bad = tmp_path / "bad.yaml"
    bad.write_text(tiny_text(version=2).replace("score < target", "scroe < target"), encoding="utf-8")
    errors = StringIO()
    with pytest.raises(CommandError):
        call_command("policy", "upload", str(bad), stdout=StringIO(), stderr=errors)
    assert "unknown name 'scroe'" in errors.getvalue()
    assert PolicyVersion.objects.count() == 1
