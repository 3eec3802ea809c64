import datetime as dt
import io

from auditlog.models import LogEntry
from openpyxl import load_workbook

from youfu.org.exports import people_export, units_export
from youfu.org.imports import ImportResult, people_import, units_import
from youfu.org.models import Person, PersonMove, Unit
from youfu.testing.factories import PersonFactory


def sheet_rows(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def test_units_export_is_the_import_layout_in_tree_order(bank, branch_office):
    rows = sheet_rows(units_export(user=branch_office))
    assert rows[0] == ("机构代码", "机构名称", "机构类型", "上级机构代码", "片区", "省份", "地址")
    assert rows[1:] == [
        ("BR", "江州分行", "分行", "HO", None, "江南省", None),
        ("BR-OFF", "分行办公室", "部门", "BR", None, None, None),
        ("S1", "东城支行", "支行", "BR", "东片", None, None),
        ("O1A", "东城营业部", "网点", "S1", "东片", None, None),
        ("O1B", "东湖网点", "网点", "S1", "东片", None, None),
        ("S2", "西城支行", "支行", "BR", "西片", None, None),
        ("O2A", "西湖网点", "网点", "S2", "西片", None, None),
    ]


def test_people_export_has_chinese_labels_and_real_dates(bank, s1_office):
    data = people_export(user=s1_office)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["B"].width == 10
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "工号",
        "姓名",
        "所属机构代码",
        "岗位",
        "性别",
        "入职日期",
        "出生日期",
        "柜员等级",
        "电话",
    )
    assert rows[1] == (
        "100001",
        "张伟",
        "O1A",
        "柜员",
        None,
        dt.datetime(2015, 7, 1),
        dt.datetime(1990, 5, 20),
        3,
        None,
    )
    assert sheet["F2"].is_date
    assert sheet["F2"].number_format == "yyyy-mm-dd"
    # only S1's people: 王芳 (O2A) is outside the sub-branch
    assert [row[0] for row in rows[1:]] == ["100001", "100002", "100009"]
    assert rows[3][3] == "网点负责人"


def test_outsider_exports_nothing_of_s1(bank, outsider):
    units = [row[0] for row in sheet_rows(units_export(user=outsider))[1:]]
    people = [row[0] for row in sheet_rows(people_export(user=outsider))[1:]]
    assert (units, people) == (["S2", "O2A"], ["200001"])


def test_people_export_narrows_a_given_queryset_to_the_user(bank, outsider):
    data = people_export(user=outsider, queryset=Person.objects.all())
    assert [row[0] for row in sheet_rows(data)[1:]] == ["200001"]


def test_export_then_import_round_trips_with_zero_changes(bank, branch_office):
    # given people with every column filled, including a leading-zero number and the other gender
    PersonFactory(
        unit=bank.o2a, employee_no="000123", name="孙丽", gender="F", phone="0571-8888", teller_grade=6
    )
    before = (
        list(Unit.objects.values_list("code", "name", "kind", "path", "region", "province", "address")),
        list(Person.objects.values_list()),
        PersonMove.objects.count(),
        LogEntry.objects.count(),
    )
    # when both exports are imported again
    units = units_import(actor=branch_office, file=io.BytesIO(units_export(user=branch_office)))
    people = people_import(actor=branch_office, file=io.BytesIO(people_export(user=branch_office)))
    # then nothing changed and nothing was written
    assert units == ImportResult(created=0, updated=0, unchanged=7)
    assert people == ImportResult(created=0, updated=0, unchanged=5)
    after = (
        list(Unit.objects.values_list("code", "name", "kind", "path", "region", "province", "address")),
        list(Person.objects.values_list()),
        PersonMove.objects.count(),
        LogEntry.objects.count(),
    )
    assert after == before


def test_sub_branch_office_round_trips_its_own_subtree(bank, s1_office):
    units = units_import(actor=s1_office, file=io.BytesIO(units_export(user=s1_office)))
    people = people_import(actor=s1_office, file=io.BytesIO(people_export(user=s1_office)))
    assert (units.unchanged, people.unchanged) == (3, 3)
    assert (units.created + units.updated, people.created + people.updated) == (0, 0)
