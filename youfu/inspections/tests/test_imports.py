"""Mystery-shopping results import (layout (a): one row per outlet × item)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from youfu.accounts.choices import Role
from youfu.core.errors import ApplicationError
from youfu.inspections.choices import InspectionKind, InspectionStatus
from youfu.inspections.imports import inspections_import
from youfu.inspections.models import Finding, Inspection, ItemResult
from youfu.testing.factories import UserFactory

HEADER = ["网点代码", "网点名称", "检查日期", "访问编号", "检查项编号", "结果", "备注", "时间"]


def visit(ref: str, outlet: str = "O1A", date: Any = "2025-05-12", **changes: Any) -> list[list[Any]]:
    results = {"A1": "1次", "A2": "不适用", "B1": 0, "B2": 3, "C1": "合格", "C2": "2分", **changes}
    return [[outlet, "", date, ref, code, value, "", "09:30-09:55"] for code, value in results.items()]


def xlsx(rows: list[list[Any]], title: bool = True) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.append(["2025年二季度神秘人检查结果"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def run(actor: Any, rows: list[list[Any]], **kw: Any) -> Any:
    kw.setdefault("today", dt.date(2025, 6, 30))
    return inspections_import(actor=actor, file=xlsx(rows), standard="CHK", firm="明镜调研", **kw)


def test_good_file_creates_submitted_checks(version: Any, s1_office: Any) -> None:
    # given two visits of outlets in S1
    rows = visit("V-001") + visit("V-002", outlet="O1B", C1="不合格")
    # when imported
    result = run(s1_office, rows)
    # then two submitted mystery-shopper checks, the firm in the notes, findings from the results
    assert (result.created, result.unchanged) == (2, 0)
    first = Inspection.objects.get(external_ref="V-001")
    assert first.kind == InspectionKind.MYSTERY_SHOPPER
    assert first.status == InspectionStatus.SUBMITTED
    assert first.created_by == s1_office and first.submitted_by == s1_office
    assert "明镜调研" in first.notes
    assert (first.visit_start, first.visit_end) == (dt.time(9, 30), dt.time(9, 55))
    assert ItemResult.objects.filter(inspection=first).count() == 6
    lost = {f.item.code: f.points_lost for f in Finding.objects.filter(inspection=first)}
    assert lost == {"A1": 4, "B2": 2.5, "C2": 2}
    second = Inspection.objects.get(external_ref="V-002")
    assert "C1" in {f.item.code for f in second.findings.all()}


def test_dry_run_saves_nothing(version: Any, s1_office: Any) -> None:
    result = run(s1_office, visit("V-001"), dry_run=True)
    assert result.created == 1 and result.visits[0].findings == 3
    assert not Inspection.objects.exists()


def test_reimport_creates_nothing_twice(version: Any, s1_office: Any) -> None:
    run(s1_office, visit("V-001"))
    again = run(s1_office, visit("V-001") + visit("V-003"))
    assert (again.created, again.unchanged) == (1, 1)
    assert Inspection.objects.filter(external_ref="V-001").count() == 1
    assert Inspection.objects.count() == 2


def test_bad_file_changes_nothing_and_lists_every_row(version: Any, s1_office: Any) -> None:
    rows = [
        *visit("V-001"),
        ["O9Z", "", "2025-05-12", "V-002", "A1", 1, "", ""],  # unknown outlet
        ["O1A", "", "2025-13-40", "V-003", "A1", 1, "", ""],  # bad date
        ["O1A", "", "2025-05-12", "V-004", "ZZ", 1, "", ""],  # unknown item
        ["O1A", "", "2025-05-12", "V-005", "A1", 9, "", ""],  # above the maximum
        ["O1A", "", "2025-05-12", "V-006", "C1", "不适用", "", ""],  # N/A not allowed
        ["O1A", "", "2025-05-12", "V-001", "A1", 1, "", ""],  # duplicate row
    ]
    with pytest.raises(ApplicationError) as caught:
        run(s1_office, rows)
    by_row = {(d.row, d.code) for d in caught.value.details}
    assert {(9, "unknown_outlet"), (10, "invalid_date"), (11, "unknown_item"), (14, "duplicate")} <= by_row
    assert {d.row for d in caught.value.details} >= {12, 13}
    assert all(d.field and "(Sheet)" in d.field for d in caught.value.details if d.row)
    assert not Inspection.objects.exists()


def test_outlet_outside_subtree_reads_as_unknown(version: Any, s1_office: Any) -> None:
    with pytest.raises(ApplicationError) as caught:
        run(s1_office, visit("V-009", outlet="O2A"))
    unknown = [d for d in caught.value.details if d.code == "unknown_outlet"]
    assert len(unknown) == 6 and "does not exist or is outside" in unknown[0].message
    assert not Inspection.objects.exists()


def test_without_the_right_nothing_is_imported(version: Any, bank: Any) -> None:
    inspector = UserFactory.create(username="insp", unit=bank.s1, roles=[Role.INSPECTOR])
    with pytest.raises(ApplicationError):
        run(inspector, visit("V-001"))
    assert not Inspection.objects.exists()


def test_imported_check_needs_a_second_person(version: Any, s1_office: Any, branch_office: Any) -> None:
    from youfu.inspections import services

    run(s1_office, visit("V-001"))
    check = Inspection.objects.get()
    with pytest.raises(ApplicationError):
        services.inspection_approve(actor=s1_office, inspection=check)
    services.inspection_approve(actor=branch_office, inspection=check)
    assert Inspection.objects.get().status == InspectionStatus.APPROVED


def test_cli_dry_run_then_import(version: Any, s1_office: Any, tmp_path: Path) -> None:
    path = tmp_path / "results.xlsx"
    path.write_bytes(xlsx(visit("V-001", date="2025-05-12")).getvalue())
    out = io.StringIO()
    call_command(
        "inspections", "import", str(path), "--standard", "CHK", "--dry-run", "--as", "s1_office", stdout=out
    )
    assert "dry run: 1 created, 0 unchanged" in out.getvalue()
    assert not Inspection.objects.exists()
    call_command(
        "inspections", "import", str(path), "--standard", "CHK", "--as", "s1_office", stdout=io.StringIO()
    )
    out = io.StringIO()
    call_command("inspections", "import", str(path), "--standard", "CHK", "--as", "s1_office", stdout=out)
    assert "0 created, 1 unchanged" in out.getvalue()
    assert Inspection.objects.count() == 1


def test_cli_bad_file_fails(version: Any, s1_office: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx(visit("V-001", outlet="O2A")).getvalue())
    with pytest.raises(CommandError):
        call_command(
            "inspections", "import", str(path), "--standard", "CHK", "--as", "s1_office", stderr=io.StringIO()
        )
    assert not Inspection.objects.exists()
