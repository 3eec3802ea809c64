import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from django.utils import translation
from openpyxl import Workbook

from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.org.choices import Gender, Position, UnitKind
from youfu.org.imports import ImportResult, people_import, units_import
from youfu.org.models import Person, PersonMove, Unit

UNIT_HEADER = ["机构代码", "机构名称", "机构类型", "上级机构代码", "片区", "省份", "地址"]
PEOPLE_HEADER = ["工号", "姓名", "所属机构代码", "岗位", "性别", "入职日期", "出生日期", "柜员等级", "电话"]


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted on their English msgids, whatever translations exist.
    with translation.override("en"):
        yield


def xlsx(*rows: list) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def snapshot() -> tuple:
    """Everything an import may write; equal before and after means nothing was written."""
    return (
        list(Unit.objects.order_by("path").values_list("code", "name", "path", "numchild", "region")),
        list(
            Person.objects.order_by("employee_no").values_list(
                "employee_no", "name", "unit__code", "position"
            )
        ),
        PersonMove.objects.count(),
        LogEntry.objects.count(),
    )


def import_error(call, **kwargs) -> ApplicationError:
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        call(**kwargs)
    assert snapshot() == before
    assert err.value.code == "import_invalid"
    return err.value


def rows_of(error: ApplicationError) -> list[tuple[int | None, str | None, str]]:
    return [(d.row, d.field, d.code) for d in error.details]


# --- people -----------------------------------------------------------------------------------------


def test_people_import_creates_people_through_the_service(bank, branch_office):
    # given a sheet with two new people, labels in Chinese and a date as text
    sheet = xlsx(
        PEOPLE_HEADER,
        [
            "300001",
            "赵敏",
            "O1B",
            "大堂经理",
            "女",
            dt.date(2018, 3, 1),
            dt.date(1994, 6, 2),
            None,
            "13900000001",
        ],
        ["300002", "钱进", "O2A", "柜员", "男", "2020/9/1", "1998-01-20", 4, ""],
    )
    # when the branch office imports it
    result = people_import(actor=branch_office, file=sheet)
    # then both are created with mapped codes, each with a joining move and audit entries by the actor
    assert result == ImportResult(created=2, updated=0, unchanged=0, errors=[], warnings=[])
    zhao = Person.objects.get(employee_no="300001")
    assert (zhao.name, zhao.unit, zhao.position, zhao.gender) == (
        "赵敏",
        bank.o1b,
        Position.LOBBY_MANAGER,
        "F",
    )
    assert (zhao.hire_date, zhao.birth_date, zhao.teller_grade, zhao.phone) == (
        dt.date(2018, 3, 1),
        dt.date(1994, 6, 2),
        None,
        "13900000001",
    )
    qian = Person.objects.get(employee_no="300002")
    assert (qian.gender, qian.hire_date, qian.teller_grade) == (Gender.MALE, dt.date(2020, 9, 1), 4)
    assert PersonMove.objects.filter(person=zhao, from_unit=None, to_unit=bank.o1b).count() == 1
    assert LogEntry.objects.get_for_object(zhao).get().actor == branch_office


def test_people_import_accepts_english_headers_labels_and_codes(bank, branch_office):
    sheet = xlsx(
        ["Employee No", "Name", "Unit", "Position", "Gender", "Hire date", "Teller grade"],
        [300010, "Li Lei", "O1A", "Wealth manager", "Male", "2019-05-06", None],
        ["300011", "Han Meimei", "O1A", "teller", "F", "20200102", 3.0],
    )
    result = people_import(actor=branch_office, file=sheet)
    assert (result.created, result.warnings) == (2, [])
    assert Person.objects.get(employee_no="300010").position == Position.WEALTH_MANAGER
    han = Person.objects.get(employee_no="300011")
    assert (han.position, han.gender, han.hire_date, han.teller_grade) == (
        "teller",
        "F",
        dt.date(2020, 1, 2),
        3,
    )


def test_people_reimport_of_the_same_file_changes_nothing(bank, branch_office):
    rows: list[list] = [
        PEOPLE_HEADER,
        ["300001", "赵敏", "O1B", "大堂经理", "女", dt.date(2018, 3, 1), None, None, ""],
    ]
    people_import(actor=branch_office, file=xlsx(*rows))
    before = snapshot()
    result = people_import(actor=branch_office, file=xlsx(*rows))
    assert result == ImportResult(created=0, updated=0, unchanged=1)
    assert snapshot() == before


def test_people_import_updates_changed_details_only(bank, s1_office):
    sheet = xlsx(
        ["工号", "姓名", "所属机构代码", "岗位", "柜员等级"],
        ["100001", "张伟", "O1A", "柜员", 5],
        ["100002", "李娜", "O1B", "柜员", None],
    )
    result = people_import(actor=s1_office, file=sheet)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    zhang = Person.objects.get(employee_no="100001")
    assert zhang.teller_grade == 5
    # columns not in the file keep their values
    assert (zhang.hire_date, zhang.birth_date) == (dt.date(2015, 7, 1), dt.date(1990, 5, 20))
    entry = LogEntry.objects.get_for_object(zhang).get(action=LogEntry.Action.UPDATE)
    assert (entry.actor, entry.changes_dict["teller_grade"]) == (s1_office, ["3", "5"])


def test_people_import_records_a_move_when_the_unit_changes(bank, s1_office):
    sheet = xlsx(
        ["工号", "姓名", "所属机构代码", "岗位", "调动日期"],
        ["100001", "张伟", "O1B", "大堂经理", "2026-03-01"],
        ["100002", "李娜", "O1A", "柜员", None],
    )
    result = people_import(actor=s1_office, file=sheet)
    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    zhang = PersonMove.objects.get(person=bank.teller_1a, from_unit=bank.o1a)
    assert (zhang.to_unit, zhang.to_position, zhang.effective_date) == (
        bank.o1b,
        Position.LOBBY_MANAGER,
        dt.date(2026, 3, 1),
    )
    li = PersonMove.objects.get(person=bank.teller_1b, from_unit=bank.o1b)
    assert (li.to_unit, li.effective_date, li.created_by) == (bank.o1a, dt.date.today(), s1_office)
    assert Person.objects.get(pk=bank.teller_1a.pk).position == Position.LOBBY_MANAGER


def test_people_dry_run_counts_but_writes_nothing(bank, branch_office):
    before = snapshot()
    sheet = xlsx(PEOPLE_HEADER, ["300001", "赵敏", "O1B", "柜员", "", None, None, None, ""])
    result = people_import(actor=branch_office, file=sheet, dry_run=True)
    assert result == ImportResult(created=1, updated=0, unchanged=0)
    assert snapshot() == before


def test_unknown_columns_are_ignored_with_a_warning(bank, branch_office):
    sheet = xlsx(["工号", "姓名", "所属机构代码", "岗位", "备注"], ["300001", "赵敏", "O1B", "柜员", "新人"])
    result = people_import(actor=branch_office, file=sheet)
    assert result.created == 1
    assert result.warnings == ["Column “备注” is not part of the layout and was ignored."]


def test_not_an_xlsx_file_is_refused(bank, branch_office):
    error = import_error(people_import, actor=branch_office, file=io.BytesIO(b"employee_no,name\n1,x\n"))
    assert rows_of(error) == [(None, None, "not_xlsx")]
    assert ".xlsx" in error.details[0].message


def test_missing_required_column_is_named(bank, branch_office):
    sheet = xlsx(["工号", "姓名", "岗位"], ["300001", "赵敏", "柜员"])
    error = import_error(people_import, actor=branch_office, file=sheet)
    assert rows_of(error) == [(1, "所属机构代码", "missing_column")]
    assert "所属机构代码" in error.details[0].message


def test_unknown_unit_code_is_reported_by_row(bank, branch_office):
    sheet = xlsx(
        PEOPLE_HEADER,
        ["300001", "赵敏", "O1B", "柜员", "", None, None, None, ""],
        ["300002", "钱进", "NOPE", "柜员", "", None, None, None, ""],
    )
    error = import_error(people_import, actor=branch_office, file=sheet)
    assert rows_of(error) == [(3, "所属机构代码", "unknown_unit")]
    assert "NOPE" in error.details[0].message


def test_duplicate_employee_number_names_both_rows(bank, branch_office):
    sheet = xlsx(
        ["工号", "姓名", "所属机构代码", "岗位"],
        ["300001", "赵敏", "O1B", "柜员"],
        ["300002", "钱进", "O1B", "柜员"],
        ["300001", "孙丽", "O1A", "柜员"],
    )
    error = import_error(people_import, actor=branch_office, file=sheet)
    assert rows_of(error) == [(4, "工号", "duplicate")]
    assert "rows 2 and 4" in error.details[0].message


def test_bad_cells_are_each_reported(bank, branch_office):
    sheet = xlsx(
        PEOPLE_HEADER,
        ["300001", "赵敏", "O1B", "柜员", "", "2020-13-45", None, None, ""],
        ["300002", "钱进", "O1B", "柜员", "", None, None, 7, ""],
        ["300003", "孙丽", "O1B", "行长助理", "", None, None, None, ""],
        ["300004", "周杰", "O1B", "柜员", "X", None, None, None, ""],
        ["300005", "吴用", "O1B", "柜员", "", "2010-01-01", "2012-01-01", None, ""],
        ["300006", "", "O1B", "柜员", "", None, None, None, ""],
    )
    error = import_error(people_import, actor=branch_office, file=sheet)
    assert rows_of(error) == [
        (2, "入职日期", "invalid_date"),
        (3, "柜员等级", "invalid_grade"),
        (4, "岗位", "invalid_choice"),
        (5, "性别", "invalid_choice"),
        (6, "入职日期", "invalid"),
        (7, "姓名", "required"),
    ]
    messages = [d.message for d in error.details]
    assert "YYYY-MM-DD" in messages[0]
    assert "1 to 6" in messages[1]
    assert "柜员" in messages[2]


def test_move_before_the_previous_move_is_reported_with_its_row(bank, s1_office):
    header = ["工号", "姓名", "所属机构代码", "岗位", "调动日期"]
    people_import(actor=s1_office, file=xlsx(header, ["100001", "张伟", "O1B", "柜员", "2026-03-01"]))
    # moving back with a date before that move is refused by person_move, reported on the row
    sheet = xlsx(
        header, ["100002", "李娜", "O1B", "柜员", None], ["100001", "张伟", "O1A", "柜员", "2026-01-01"]
    )
    error = import_error(people_import, actor=s1_office, file=sheet)
    assert rows_of(error) == [(3, "调动日期", "invalid")]
    assert "2026-03-01" in error.details[0].message


def test_outsider_touching_s1_is_refused_whole(bank, outsider):
    # given a file with one valid row in the outsider's own outlet and rows touching S1
    sheet = xlsx(
        ["工号", "姓名", "所属机构代码", "岗位"],
        ["200002", "新员工", "O2A", "柜员"],
        ["300001", "赵敏", "O1A", "柜员"],
        ["100001", "张伟", "O2A", "柜员"],
    )
    # when the outsider imports it, then nothing at all is written (not even the valid row)
    error = import_error(people_import, actor=outsider, file=sheet)
    assert rows_of(error) == [(3, "所属机构代码", "unknown_unit"), (4, "工号", "out_of_scope")]
    assert "张伟" not in error.details[1].message


def test_role_without_import_right_is_refused(bank, auditor):
    before = snapshot()
    with pytest.raises(PermissionDeniedError):
        people_import(
            actor=auditor, file=xlsx(["工号", "姓名", "所属机构代码", "岗位"], ["1", "x", "O1A", "柜员"])
        )
    assert snapshot() == before


def test_numbers_typed_as_numbers_stay_codes(bank, branch_office):
    sheet = xlsx(["工号", "姓名", "所属机构代码", "岗位"], [100001.0, "张伟", "O1A", "柜员"])
    result = people_import(actor=branch_office, file=sheet)
    assert (result.created, result.unchanged) == (0, 1)


# --- units ------------------------------------------------------------------------------------------


def test_units_import_creates_children_after_parents_listed_later(bank, branch_office):
    # given a new outlet listed before its new sub-branch
    sheet = xlsx(
        UNIT_HEADER,
        ["S3-1", "南湖网点", "网点", "S3", "南片", "江南省", "南湖路1号"],
        ["S3", "南城支行", "支行", "BR", "南片", "江南省", ""],
        ["S3-T", "南城支行综合部", "部门/团队", "S3", "", "", ""],
    )
    result = units_import(actor=branch_office, file=sheet)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    s3 = Unit.objects.get(code="S3")
    assert Unit.objects.get_parent(s3) == bank.branch
    assert {u.code for u in Unit.objects.get_children(s3)} == {"S3-1", "S3-T"}
    outlet = Unit.objects.get(code="S3-1")
    assert (outlet.kind, outlet.region, outlet.address) == (UnitKind.OUTLET, "南片", "南湖路1号")
    assert Unit.objects.get(code="S3-T").kind == UnitKind.DEPARTMENT
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    assert LogEntry.objects.get_for_object(s3).get().actor == branch_office


def test_units_reimport_changes_nothing_and_edits_update(bank, s1_office):
    rows = [
        UNIT_HEADER,
        ["O1A", "东城营业部", "网点", "S1", "东片", "", ""],
        ["O1B", "东湖网点", "网点", "S1", "东片", "", ""],
    ]
    before = snapshot()
    assert units_import(actor=s1_office, file=xlsx(*rows)) == ImportResult(created=0, updated=0, unchanged=2)
    assert snapshot() == before
    rows[2][1] = "东湖路网点"
    assert units_import(actor=s1_office, file=xlsx(*rows)) == ImportResult(created=0, updated=1, unchanged=1)
    assert Unit.objects.get(code="O1B").name == "东湖路网点"


def test_unknown_parent_code_is_reported(bank, branch_office):
    sheet = xlsx(UNIT_HEADER, ["X1", "新网点", "网点", "NOWHERE", "", "", ""])
    error = import_error(units_import, actor=branch_office, file=sheet)
    assert rows_of(error) == [(2, "上级机构代码", "unknown_parent")]


def test_duplicate_unit_code_names_both_rows(bank, branch_office):
    sheet = xlsx(
        UNIT_HEADER, ["X1", "甲网点", "网点", "S1", "", "", ""], ["X1", "乙网点", "网点", "S2", "", "", ""]
    )
    error = import_error(units_import, actor=branch_office, file=sheet)
    assert rows_of(error) == [(3, "机构代码", "duplicate")]
    assert "rows 2 and 3" in error.details[0].message


def test_unit_placement_rules_apply_per_row(bank, branch_office):
    sheet = xlsx(
        UNIT_HEADER,
        ["X1", "错支行", "支行", "O1A", "", "", ""],
        ["X2", "新网点", "网点", "S1", "", "", ""],
        ["X3", "坏类型", "营业厅", "S1", "", "", ""],
    )
    error = import_error(units_import, actor=branch_office, file=sheet)
    assert rows_of(error) == [(2, "机构类型", "invalid"), (4, "机构类型", "invalid_choice")]


def test_children_of_a_bad_row_are_reported_too(bank, branch_office):
    sheet = xlsx(
        UNIT_HEADER,
        ["S3", "南城支行", "坏", "BR", "", "", ""],
        ["S3-1", "南湖网点", "网点", "S3", "", "", ""],
    )
    error = import_error(units_import, actor=branch_office, file=sheet)
    assert rows_of(error) == [(2, "机构类型", "invalid_choice"), (3, "上级机构代码", "parent_invalid")]


def test_circular_parents_are_reported(bank, branch_office):
    sheet = xlsx(UNIT_HEADER, ["A", "甲", "网点", "B", "", "", ""], ["B", "乙", "网点", "A", "", "", ""])
    error = import_error(units_import, actor=branch_office, file=sheet)
    assert rows_of(error) == [(2, "上级机构代码", "circular_parent"), (3, "上级机构代码", "circular_parent")]


def test_import_cannot_move_or_retype_a_unit(bank, branch_office):
    sheet = xlsx(
        UNIT_HEADER,
        ["O1A", "东城营业部", "网点", "S2", "", "", ""],
        ["O1B", "东湖网点", "支行", "S1", "", "", ""],
    )
    error = import_error(units_import, actor=branch_office, file=sheet)
    assert rows_of(error) == [(2, "上级机构代码", "parent_changed"), (3, "机构类型", "kind_changed")]


def test_outsider_touching_s1_units_is_refused_whole(bank, outsider):
    sheet = xlsx(
        UNIT_HEADER,
        ["O2B", "西湖二网点", "网点", "S2", "", "", ""],
        ["S1", "被改名", "支行", "BR", "", "", ""],
        ["O1C", "东城新网点", "网点", "S1", "", "", ""],
    )
    error = import_error(units_import, actor=outsider, file=sheet)
    assert rows_of(error) == [(3, "机构代码", "out_of_scope"), (4, "上级机构代码", "parent_invalid")]
    assert "东城" not in error.details[0].message


def test_only_an_administrator_creates_a_top_level_unit(bank, branch_office, admin):
    rows = [UNIT_HEADER, ["HO2", "第二总行", "总行", "", "", "", ""]]
    error = import_error(units_import, actor=branch_office, file=xlsx(*rows))
    assert rows_of(error) == [(2, "上级机构代码", "permission_denied")]
    assert units_import(actor=admin, file=xlsx(*rows)).created == 1
    assert Unit.objects.get(code="HO2").is_root()


def test_user_may_name_the_parent_of_their_own_unit(bank, s1_office):
    # S1 hangs under BR, which s1_office cannot see: naming it unchanged is fine, hanging new units there
    # is not
    ok = xlsx(UNIT_HEADER, ["S1", "东城支行", "支行", "BR", "东片", "", ""])
    assert units_import(actor=s1_office, file=ok).unchanged == 1
    bad = xlsx(UNIT_HEADER, ["S9", "新支行", "支行", "BR", "", "", ""])
    error = import_error(units_import, actor=s1_office, file=bad)
    assert rows_of(error) == [(2, "上级机构代码", "unknown_parent")]


def test_every_problem_of_a_row_is_reported_at_once(bank, branch_office):
    sheet = xlsx(PEOPLE_HEADER, ["300001", "赵敏", "NOPE", "行长助理", "", "someday", None, 9, ""])
    error = import_error(people_import, actor=branch_office, file=sheet)
    assert rows_of(error) == [
        (2, "岗位", "invalid_choice"),
        (2, "入职日期", "invalid_date"),
        (2, "柜员等级", "invalid_grade"),
        (2, "所属机构代码", "unknown_unit"),
    ]


def test_checking_a_file_costs_no_query_per_row(bank, branch_office, django_assert_max_num_queries):
    # given 300 people already imported
    rows: list[list] = [PEOPLE_HEADER]
    rows += [
        [f"4{i:05d}", f"员工{i}", "O1A", "柜员", "女", dt.date(2015, 7, 1), None, 3, ""] for i in range(300)
    ]
    assert people_import(actor=branch_office, file=xlsx(*rows)).created == 300
    # when the same file is imported again, then validation answers from prefetched rows
    with django_assert_max_num_queries(10):
        result = people_import(actor=branch_office, file=xlsx(*rows))
    assert result.unchanged == 300


def test_units_dry_run_counts_but_writes_nothing(bank, branch_office):
    before = snapshot()
    sheet = xlsx(
        UNIT_HEADER,
        ["S3", "南城支行", "支行", "BR", "", "", ""],
        ["S3-1", "南湖网点", "网点", "S3", "", "", ""],
    )
    assert units_import(actor=branch_office, file=sheet, dry_run=True) == ImportResult(
        created=2, updated=0, unchanged=0
    )
    assert snapshot() == before


def test_every_import_records_its_actor_not_only_the_first(bank, s1_office):
    # auditlog leaves its context behind when a block ends; a later import must not mistake it for a live one
    header = ["工号", "姓名", "所属机构代码", "岗位"]
    people_import(actor=s1_office, file=xlsx(header, ["300001", "赵敏", "O1A", "柜员"]))
    people_import(actor=s1_office, file=xlsx(header, ["300002", "钱进", "O1B", "柜员"]))
    entries = LogEntry.objects.filter(object_repr__in=["赵敏 (300001)", "钱进 (300002)"])
    assert [e.actor for e in entries] == [s1_office, s1_office]


def test_progress_reports_every_row_twice(bank, branch_office):
    # validated, then written: the CLI's progress bar runs from 0 to 2 × rows
    calls: list[tuple[int, int]] = []
    book = xlsx(PEOPLE_HEADER[:4], ["300001", "赵敏", "O1A", "柜员"], ["300002", "钱多", "O1B", "保安"])
    people_import(actor=branch_office, file=book, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
