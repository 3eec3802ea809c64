"""Queue and diversion imports (all or nothing, reports, idempotency), the KPI board to the exact Decimal
on hand-worked data, target inheritance, facts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from youfu.core.errors import ApplicationError
from youfu.facts.models import Fact
from youfu.reports import selectors
from youfu.reports.choices import Kpi
from youfu.reports.models import DiversionBatch, DiversionRecord, KpiTarget, QueueBatch
from youfu.reports.services import (
    diversion_import_file,
    kpi_facts_record,
    queue_ingest_file,
    target_clear,
    target_set,
)
from youfu.reports.tests.conftest import csv_of, s1_tickets, s2_tickets

OCT = (dt.date(2025, 10, 1), dt.date(2025, 10, 31))


def xlsx(rows: list[list[object]], header=("网点号", "日期", "超柜笔数", "柜面笔数")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_hand_worked_waits_and_diversion(bank, branch_office):
    queue_ingest_file(actor=branch_office, file=s1_tickets(), file_name="s1.csv")
    diversion_import_file(
        actor=branch_office, file=xlsx([["O1A", "2025-10-08", 9, 1], ["O1B", "2025-10", 2, 1]])
    )
    board = selectors.board(user=branch_office, unit=bank.s1, start=OCT[0], end=OCT[1])
    rows = {r.unit.code: r for r in board.outlets}
    o1a = rows["O1A"].values
    assert o1a[Kpi.WAIT_AVG].value == Decimal("6.50")
    assert o1a[Kpi.WAIT_AVG].inputs == {"tickets": 11, "called": 10, "wait_seconds": 3900}
    assert o1a[Kpi.WAIT_P90].value == Decimal("9.00")
    assert o1a[Kpi.WAIT_P90].inputs["p90_rank"] == 9 and o1a[Kpi.WAIT_P90].inputs["p90_seconds"] == 540
    assert o1a[Kpi.DIVERSION_RATE].value == Decimal("90.00") and o1a[Kpi.DIVERSION_RATE].rag == "green"
    assert rows["O1B"].values[Kpi.WAIT_AVG].value == Decimal("1.67")
    assert rows["O1B"].values[Kpi.DIVERSION_RATE].value == Decimal("66.67")
    assert rows["O1B"].values[Kpi.DIVERSION_RATE].rag == "red"
    # the scope: 11 called waits 3900 + 100 = 4000 s → 6.06 min; p90 rank ⌈9.9⌉ = 10 → 540 s; 11 ÷ 13
    assert board.tile(Kpi.WAIT_AVG).value == Decimal("6.06")
    assert board.tile(Kpi.WAIT_P90).value == Decimal("9.00")
    assert board.tile(Kpi.DIVERSION_RATE).value == Decimal("84.62")
    assert board.tile(Kpi.DIVERSION_RATE).rag == "red"  # 84.62 < 90 − 5
    people = selectors.tellers(user=branch_office, outlet=bank.o1a, start=OCT[0], end=OCT[1])
    assert [(p.employee_no, p.wait.called, p.wait.average) for p in people] == [
        ("100001", 10, Decimal("6.50"))
    ]


def test_a_bad_file_changes_nothing_and_reports_rows(bank, branch_office):
    bad = csv_of(
        [
            "A001,O1A,个人存取款,2025-10-08 09:00:00,2025-10-08 08:59:00,,100001,1",  # called before drawn
            "A002,NOPE,个人存取款,2025-10-08 09:00:00,,,,",  # unknown outlet
            "A003,O1A,个人存取款,not a time,,,,",  # bad time
            "A004,O1A,个人存取款,2025-10-08 09:00:00,2025-10-08 09:05:00,,999999,1",  # unknown teller
            "A005,O1A,个人存取款,2025-10-08 09:00:00,2025-10-08 09:05:00,,,1",  # called, no teller
            "A006,O1A,个人存取款,2099-10-08 09:00:00,,,,",  # future
            "A007,O1A,个人存取款,2025-10-08 09:00:00,,,,",
            "A007,O1A,个人存取款,2025-10-08 09:30:00,,,,",  # the same ticket twice
            "A008,O1A,个人存取款,2025-10-08 09:30:00,,,,",  # good
        ]
    )
    with pytest.raises(ApplicationError) as caught:
        queue_ingest_file(actor=branch_office, file=bad, file_name="bad.csv")
    assert caught.value.code == "queue_rejected"
    listed = {(d.row, d.code) for d in caught.value.details if d.row is not None}
    assert listed == {
        (2, "bad_order"),
        (3, "unknown_unit"),
        (4, "bad_time"),
        (5, "unknown_teller"),
        (6, "missing_value"),
        (7, "future_time"),
        (8, "duplicate"),
        (9, "duplicate"),
    }
    assert not QueueBatch.objects.exists()


def test_a_malformed_file_is_refused(bank, branch_office):
    with pytest.raises(ApplicationError) as caught:
        queue_ingest_file(actor=branch_office, file=b"a,b\n1,2\n", file_name="x.csv")
    assert caught.value.code == "malformed"


def test_reimport_is_idempotent_and_a_ticket_is_never_loaded_twice(bank, branch_office):
    first = queue_ingest_file(actor=branch_office, file=s1_tickets(), file_name="s1.csv")
    again = queue_ingest_file(actor=branch_office, file=s1_tickets(), file_name="s1.csv")
    assert first.created and not again.created and again.batch.pk == first.batch.pk
    assert QueueBatch.objects.count() == 1
    # the same tickets under another key (another file) are refused: already loaded
    with pytest.raises(ApplicationError) as caught:
        queue_ingest_file(actor=branch_office, file=s1_tickets(), file_name="s1.csv", idempotency_key="other")
    assert {d.code for d in caught.value.details} == {"already_loaded"}
    board = selectors.board(user=branch_office, unit=bank.s1, start=OCT[0], end=OCT[1])
    assert board.tile(Kpi.WAIT_AVG).inputs["called"] == 11


def test_the_loader_loads_only_its_subtree(bank, s1_office):
    with pytest.raises(ApplicationError) as caught:
        queue_ingest_file(actor=s1_office, file=s2_tickets(), file_name="s2.csv")
    assert {d.code for d in caught.value.details} == {"outside_scope"}


def test_excel_and_parquet_queue_files(bank, branch_office):
    book = Workbook()
    sheet = book.active
    sheet.append(["票号", "网点号", "业务类型", "取号时间", "叫号时间", "完成时间", "柜员号"])
    sheet.append(
        ["A1", "O1A", "开户", dt.datetime(2025, 10, 8, 9, 0), dt.datetime(2025, 10, 8, 9, 2), None, "100001"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    result = queue_ingest_file(actor=branch_office, file=buffer.getvalue(), file_name="q.xlsx")
    assert result.batch.row_count == 1 and result.batch.source == "xlsx"
    tile = selectors.board(user=branch_office, unit=bank.o1a, start=OCT[0], end=OCT[1]).tile(Kpi.WAIT_AVG)
    assert tile.value == Decimal("2.00")


def test_diversion_bad_rows_change_nothing(bank, branch_office):
    good = xlsx([["O1A", "2025-10-08", 9, 1]])
    diversion_import_file(actor=branch_office, file=good)
    with pytest.raises(ApplicationError) as caught:
        diversion_import_file(
            actor=branch_office,
            file=xlsx(
                [
                    ["O1B", "2025-10-09", 5, 5],
                    ["NOPE", "2025-10-09", 1, 1],
                    ["O1A", "2025-13", 1, 1],
                    ["O1A", "2025-10-10", -1, 1],
                    ["O1A", "2025-10-11", 1.5, 1],
                ]
            ),
        )
    assert {(d.row, d.code) for d in caught.value.details} == {
        (3, "unknown_unit"),
        (4, "bad_date"),
        (5, "bad_count"),
        (6, "bad_count"),
    }
    assert DiversionRecord.objects.count() == 1 and DiversionBatch.objects.count() == 1
    # a month figure beside stored day figures of that month would count twice: refused
    with pytest.raises(ApplicationError) as caught:
        diversion_import_file(actor=branch_office, file=xlsx([["O1A", "2025-10", 100, 10]]))
    assert caught.value.details[0].code == "mixed_granularity"


def test_diversion_reimport_is_idempotent_and_a_new_figure_replaces(bank, branch_office):
    file = xlsx([["O1A", "2025-10-08", 9, 1]])
    assert diversion_import_file(actor=branch_office, file=file).created
    assert not diversion_import_file(actor=branch_office, file=file).created
    result = diversion_import_file(
        actor=branch_office, file=xlsx([["O1A", "2025-10-08", 8, 2], ["O1B", "2025-10-08", 1, 0]])
    )
    assert result.batch.changed_count == 2
    assert DiversionRecord.objects.get(unit=bank.o1a).smart == 8
    assert selectors.diversion_counts(outlet_ids=[bank.o1a.pk], start=OCT[0], end=OCT[1]) == {
        bank.o1a.pk: (8, 2)
    }


def test_targets_inherit_down_the_tree_unless_overridden(bank, branch_office, s1_office):
    assert selectors.targets_for(bank.o1a)[Kpi.DIVERSION_RATE].target == Decimal("90")  # the seed's default
    target_set(
        actor=branch_office, unit=bank.branch, kpi=Kpi.WAIT_AVG, target=Decimal("10"), amber_band=Decimal("3")
    )
    target_set(
        actor=branch_office, unit=bank.s1, kpi=Kpi.WAIT_AVG, target=Decimal("12"), amber_band=Decimal("2")
    )
    assert selectors.targets_for(bank.o1a)[Kpi.WAIT_AVG].target == Decimal("12.00")
    assert selectors.targets_for(bank.o1a)[Kpi.WAIT_AVG].unit == bank.s1
    assert selectors.targets_for(bank.o2a)[Kpi.WAIT_AVG].target == Decimal("10.00")
    assert selectors.targets_for(bank.o2a)[Kpi.WAIT_AVG].band == Decimal("3.00")
    target_clear(actor=branch_office, unit=bank.s1, kpi=Kpi.WAIT_AVG)
    assert selectors.targets_for(bank.o1a)[Kpi.WAIT_AVG].target == Decimal("10.00")
    # S1's office cannot set the branch's (or S2's) targets
    with pytest.raises(ApplicationError):
        target_set(
            actor=s1_office, unit=bank.s2, kpi=Kpi.WAIT_AVG, target=Decimal("1"), amber_band=Decimal("1")
        )
    assert not KpiTarget.objects.filter(unit=bank.s2).exists()


def test_colours_follow_the_inherited_target(bank, branch_office):
    queue_ingest_file(actor=branch_office, file=s1_tickets(), file_name="s1.csv")
    target_set(
        actor=branch_office, unit=bank.s1, kpi=Kpi.WAIT_AVG, target=Decimal("6.50"), amber_band=Decimal("1")
    )
    rows = {
        r.unit.code: r
        for r in selectors.board(user=branch_office, unit=bank.s1, start=OCT[0], end=OCT[1]).outlets
    }
    assert rows["O1A"].values[Kpi.WAIT_AVG].rag == "green"  # 6.50 ≤ 6.50
    target_set(
        actor=branch_office, unit=bank.o1a, kpi=Kpi.WAIT_AVG, target=Decimal("5.49"), amber_band=Decimal("1")
    )
    rows = {
        r.unit.code: r
        for r in selectors.board(user=branch_office, unit=bank.s1, start=OCT[0], end=OCT[1]).outlets
    }
    assert rows["O1A"].values[Kpi.WAIT_AVG].rag == "red"  # 6.50 > 5.49 + 1


def test_kpi_facts_recorded_and_safe_to_repeat(bank, branch_office, october):
    queue_ingest_file(actor=branch_office, file=s1_tickets(), file_name="s1.csv")
    diversion_import_file(actor=branch_office, file=xlsx([["O1A", "2025-10-08", 9, 1]]))
    result = kpi_facts_record(actor=branch_office, period=october)
    assert result.created > 0
    fact = Fact.objects.get(unit=bank.o1a, name="kpi_wait_p90", period=october)
    assert fact.value == Decimal("9.00")
    assert Fact.objects.get(unit=bank.o1a, name="kpi_diversion_rate", period=october).value == Decimal(
        "90.00"
    )
    again = kpi_facts_record(actor=branch_office, period=october)
    assert again.created == 0 and again.changed == 0
