from __future__ import annotations

from decimal import Decimal

import pytest

from youfu.core.errors import ApplicationError
from youfu.facts.exports import facts_export
from youfu.facts.imports import facts_import
from youfu.facts.models import Fact, FactBatch
from youfu.facts.selectors import fact_evidence
from youfu.facts.tests.conftest import SCORES, Upload
from youfu.ledger.models import PeriodLock


def _code(fact: Fact) -> str:
    return fact.unit.code if fact.unit else fact.person.employee_no if fact.person else ""


def _values() -> dict[tuple[str, str], Decimal | bool | str]:
    return {(_code(f), f.name): f.value for f in Fact.objects.filter(is_current=True)}


def test_a_good_file_is_imported_exactly(bank, branch_office, q3, xlsx):
    result = facts_import(actor=branch_office, file=xlsx(SCORES))

    assert (result.period, result.rows, result.created, result.changed, result.unchanged) == (
        "2025Q3",
        2,
        4,
        0,
        0,
    )
    assert _values() == {
        ("O1A", "score"): Decimal("93.35"),  # an Excel number cell (a double) stays 93.35
        ("O1A", "complaint_tickets"): Decimal(0),
        ("O1B", "score"): Decimal("88.5"),  # a text cell
        ("O1B", "complaint_tickets"): Decimal(2),
    }
    fact = Fact.objects.get(unit=bank.o1a, name="score")
    assert str(fact.value) == "93.35" and fact.measure == "分"
    batch = FactBatch.objects.get()
    assert (batch.file_name, batch.sheet, batch.row_count, batch.created_by) == (
        "省行神秘人检查2025Q3.xlsx",
        "Sheet1",
        2,
        branch_office,
    )
    assert len(batch.sha256) == 64
    evidence = fact_evidence(fact_ids=[fact.pk])[fact.pk]
    assert (evidence.file_name, evidence.row_number, evidence.recorded_by) == (
        "省行神秘人检查2025Q3.xlsx",
        2,
        "branch_office",
    )
    assert "第 2 行" in str(evidence) and "branch_office" in str(evidence)


@pytest.mark.parametrize("number", [93.35, 0.1 + 0.2, 88.05, 99.99, 1234567.89, 0.07])
def test_excel_numbers_are_read_as_excel_shows_them(bank, branch_office, q3, xlsx, number):
    facts_import(actor=branch_office, file=xlsx([["机构号", "期间", "score"], ["O1A", "2025Q3", number]]))
    assert Fact.objects.get().value == Decimal(format(number, ".15g"))
    assert str(Fact.objects.get().value) == {0.1 + 0.2: "0.3"}.get(number, str(number))


def test_the_period_may_be_chosen_instead_of_a_column(bank, branch_office, q3, xlsx):
    result = facts_import(actor=branch_office, file=xlsx([["机构号", "score"], ["O1A", 90]]), period="2025Q3")
    assert result.period == "2025Q3" and Fact.objects.get().period == q3


def test_a_label_row_is_skipped(bank, branch_office, q3, xlsx):
    rows = [["机构号", "期间", "score"], ["说明", "", "省行神秘人得分"], ["O1A", "2025Q3", 90]]
    assert facts_import(actor=branch_office, file=xlsx(rows)).created == 1


def test_a_bad_file_changes_nothing_and_lists_every_error(bank, branch_office, q3, xlsx):
    facts_import(actor=branch_office, file=xlsx(SCORES))
    before = list(Fact.objects.values())
    rows = [
        ["机构号", "期间", "score", "complaint_tickets"],
        ["O1A", "2025Q3", 99, 1],  # valid, yet not written: the file is refused whole
        ["NOPE", "2025Q3", 90, 0],  # unknown unit
        ["O2A", "2025Q3", 90, 0],  # outside the importer's subtree (S1 office)
        ["S1", "2025Q3", "九十", 0],  # not a number
        ["O1A", "2025Q3", 91, 0],  # duplicate row
        ["O1B", "2025Q3", 90, "1.5.2"],  # not a number
    ]
    with pytest.raises(ApplicationError) as error:
        facts_import(actor=_s1_office(bank), file=xlsx(rows))

    found = {(d.row, d.field, d.code) for d in error.value.details}
    assert found == {
        (3, "机构号", "unknown_subject"),
        (4, "机构号", "unknown_subject"),
        (5, "score", "invalid_value"),
        (6, "机构号", "duplicate"),
        (7, "complaint_tickets", "invalid_value"),
    }
    assert error.value.code == "import_invalid"
    assert list(Fact.objects.values()) == before and FactBatch.objects.count() == 1


def _s1_office(bank):
    from youfu.accounts.choices import Role
    from youfu.testing.factories import UserFactory

    return UserFactory.create(username="s1_importer", unit=bank.s1, roles=[Role.SERVICE_OFFICE])


def test_an_unknown_period_is_an_error(bank, branch_office, q3, xlsx):
    with pytest.raises(ApplicationError) as error:
        facts_import(actor=branch_office, file=xlsx([["机构号", "期间", "score"], ["O1A", "2031Q9", 90]]))
    assert [(d.row, d.code) for d in error.value.details] == [(2, "unknown_period")]
    with pytest.raises(ApplicationError):
        facts_import(actor=branch_office, file=xlsx([["机构号", "score"], ["O1A", 90]]), period="2031Q9")
    assert not Fact.objects.exists()


def test_a_period_column_disagreeing_with_the_chosen_one_is_an_error(bank, branch_office, q3, q4, xlsx):
    with pytest.raises(ApplicationError) as error:
        facts_import(actor=branch_office, file=xlsx(SCORES), period=q4)
    assert {d.code for d in error.value.details} == {"period_mismatch"}


def test_headers_are_checked(bank, branch_office, q3, xlsx):
    with pytest.raises(ApplicationError) as error:
        facts_import(
            actor=branch_office, file=xlsx([["机构号", "员工号", "score"], ["O1A", "100001", 1]]), period=q3
        )
    assert error.value.details[0].code == "subject_column"
    with pytest.raises(ApplicationError) as error:
        facts_import(actor=branch_office, file=xlsx([["机构号", "备注"], ["O1A", "x"]]), period=q3)
    assert error.value.details[0].code == "no_fact_columns"
    with pytest.raises(ApplicationError) as error:
        facts_import(actor=branch_office, file=Upload(b"not a workbook", "x.xlsx"), period=q3)
    assert error.value.details[0].code == "not_xlsx"


def test_reimporting_the_same_file_creates_nothing(bank, branch_office, q3, xlsx):
    # The very same bytes uploaded twice (two builds of a workbook differ: openpyxl stamps the time).
    content = xlsx(SCORES).getvalue()
    first = facts_import(actor=branch_office, file=Upload(content, "省行神秘人检查2025Q3.xlsx"))

    again = facts_import(actor=branch_office, file=Upload(content, "省行神秘人检查2025Q3.xlsx"))

    assert (again.created, again.changed, again.unchanged, again.batch_id) == (0, 0, 4, None)
    assert again.same_file_batch_id == first.batch_id
    assert Fact.objects.count() == 4 and FactBatch.objects.count() == 1


def test_a_changed_value_supersedes_the_earlier_one(bank, branch_office, q3, xlsx):
    facts_import(actor=branch_office, file=xlsx(SCORES))
    changed = [row[:] for row in SCORES]
    changed[1][3] = 95  # O1A's score corrected

    result = facts_import(actor=branch_office, file=xlsx(changed, name="更正.xlsx"))

    assert (result.created, result.changed, result.unchanged) == (0, 1, 3)
    old, new = Fact.objects.filter(unit=bank.o1a, name="score").order_by("id")
    assert (old.value, old.is_current, new.value, new.is_current, new.supersedes_id) == (
        Decimal("93.35"),
        False,
        Decimal(95),
        True,
        old.pk,
    )
    assert new.batch.file_name == "更正.xlsx"


def test_dry_run_counts_and_writes_nothing(bank, branch_office, q3, xlsx):
    facts_import(actor=branch_office, file=xlsx(SCORES))
    changed = [row[:] for row in SCORES] + [["O1A-NEW", "", "2025Q3", 1, 1]]
    changed[2][4] = 3
    changed = changed[:3]

    result = facts_import(actor=branch_office, file=xlsx(changed), dry_run=True)

    assert (result.created, result.changed, result.unchanged, result.batch_id) == (0, 1, 3, None)
    assert Fact.objects.count() == 4 and FactBatch.objects.count() == 1


def test_a_locked_period_refuses_the_import(bank, branch_office, q3, xlsx):
    PeriodLock.objects.create(period=q3, policy="r1_mystery_shopper")
    with pytest.raises(ApplicationError) as error:
        facts_import(actor=branch_office, file=xlsx(SCORES))
    assert error.value.code == "period_locked"
    assert not Fact.objects.exists()


def test_a_locked_period_accepts_a_file_that_changes_nothing(bank, branch_office, q3, xlsx):
    facts_import(actor=branch_office, file=xlsx(SCORES))
    PeriodLock.objects.create(period=q3, policy="r1_mystery_shopper")
    changed = [row[:] for row in SCORES]
    changed[1][3] = 95

    result = facts_import(actor=branch_office, file=xlsx(SCORES))
    with pytest.raises(ApplicationError) as error:
        facts_import(actor=branch_office, file=xlsx(changed), dry_run=True)

    assert (result.unchanged, result.batch_id) == (4, None)
    assert error.value.code == "period_locked" and Fact.objects.count() == 4


def test_people_facts(bank, branch_office, q3, xlsx):
    rows = [
        ["员工号", "姓名", "期间", "onsite_points_first", "onsite_points_repeat"],
        ["100001", "张伟", "2025Q3", 2, ""],
    ]
    result = facts_import(actor=branch_office, file=xlsx(rows))
    assert result.subject_kind == "person" and result.created == 1
    assert Fact.objects.get().person == bank.teller_1a


def test_export_then_import_changes_nothing(bank, branch_office, q3, xlsx):
    facts_import(actor=branch_office, file=xlsx(SCORES))
    facts_import(
        actor=branch_office,
        file=xlsx(
            [["机构号", "期间", "note_text", "flag"], ["O1A", "2025Q3", "备注文字", "是"]], name="b.xlsx"
        ),
    )
    data = facts_export(user=branch_office, period=q3)

    result = facts_import(actor=branch_office, file=Upload(data, "export.xlsx"))

    assert (result.created, result.changed, result.unchanged, result.batch_id) == (0, 0, 6, None)
    values = _values()
    assert values[("O1A", "flag")] is True and values[("O1A", "note_text")] == "备注文字"


def test_export_holds_only_the_users_subtree(bank, admin, outsider, q3, xlsx):
    facts_import(actor=admin, file=xlsx([*SCORES, ["O2A", "西湖网点", "2025Q3", 91, 1]]))
    import io

    from openpyxl import load_workbook

    cells = {
        str(c)
        for row in load_workbook(io.BytesIO(facts_export(user=outsider, period=q3))).active.iter_rows(
            values_only=True
        )
        for c in row
    }
    assert "O2A" in cells and "O1A" not in cells and "东城营业部" not in cells
