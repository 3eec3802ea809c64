"""Excel export of a standard version, in the layout offices already use and the import reads back:
one sheet, a header/rules area (label in column A, value in column B), a blank row, then the table —
one row per section (item code empty: its name and points, the cap) followed by its items."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from youfu.standards.models import StandardVersion
from youfu.standards.selectors import version_data

TITLE = "检查标准"
# Header area: key → Chinese label (the import also accepts the English key).
HEADER_LABELS = {
    "code": "标准代码",
    "name": "标准名称",
    "kind": "检查类型",
    "owner": "所属机构代码",
    "rule": "计分规则",
    "max_score": "满分",
    "version": "版本",
    "levels": "星级档次",
    "description": "说明",
    "warning": "警示",
}
# Table columns: key → Chinese header.
TABLE_COLUMNS = {
    "section": "分部代码",
    "parent": "上级分部",
    "code": "项目代码",
    "text": "检查内容",
    "kind": "类型",
    "points": "分值",
    "max_occurrences": "最多次数",
    "n": "满分档N",
    "na": "可不适用",
    "tags": "标签",
    "red_line": "红线",
    "red_line_cap": "封顶分",
    "note": "备注",
}
WIDTHS = {"parent": 18, "text": 48, "note": 36, "tags": 12, "red_line": 12}

KIND_ZH = {
    "mystery_shopper": "神秘人检查",
    "onsite": "现场检查",
    "video": "调阅监控",
    "star": "星级评价",
    "linkage_110": "110联动",
    "self_check": "自查",
}
RULE_ZH = {"deductions": "扣分制", "sum": "累加制", "share": "折算制"}
ITEM_KIND_ZH = {"deduction": "扣分", "pass_fail": "是否", "score_out_of_n": "评分"}
RED_LINE_ZH = {"none": "无", "zero_section": "本部分清零", "zero_total": "总分清零", "cap_total": "总分封顶"}
YES, NO = "是", "否"


def plain(value: Decimal | None) -> int | Decimal | None:
    """A number for a cell: whole numbers as int, others as the Decimal (a real number in Excel)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def levels_text(levels: tuple[tuple[Decimal, str], ...]) -> str:
    return "；".join(f"{label}>={format(minimum.normalize(), 'f')}" for minimum, label in levels)


def standard_export(*, version: StandardVersion) -> bytes:
    """The version as an .xlsx workbook (the caller has already checked the user may see it)."""
    data = version_data(version)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = TITLE
    sheet.append([TITLE, data.name])
    sheet["A1"].font = Font(bold=True, size=14)
    header = [
        ("code", data.code),
        ("name", data.name),
        ("kind", KIND_ZH.get(data.kind, data.kind)),
        ("owner", version.standard.owner.code),
        ("rule", RULE_ZH.get(data.rule, data.rule)),
        ("max_score", plain(data.max_score)),
        ("version", version.number),
        ("levels", levels_text(data.levels)),
        ("description", data.description),
        *(("warning", warning) for warning in data.warnings),
    ]
    for key, value in header:
        sheet.append([HEADER_LABELS[key], value])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append([])
    sheet.append(list(TABLE_COLUMNS.values()))
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.fill = fill
    items_by_section: dict[str, list] = {}
    for item in data.items:
        items_by_section.setdefault(item.section, []).append(item)
    for section in data.sections:
        sheet.append(
            [section.code, section.parent or None, None, section.name, None, plain(section.points)]
            + [None] * 6
            + [section.note or None]
        )
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for item in items_by_section.get(section.code, []):
            tags = (
                [{"hardware": "硬件", "software": "软件"}.get(item.aspect, item.aspect)]
                if item.aspect
                else []
            )
            if item.key_item:
                tags.append("重点")
            sheet.append(
                [
                    section.code,
                    None,
                    item.code,
                    item.text,
                    ITEM_KIND_ZH.get(item.kind, item.kind),
                    plain(item.points),
                    item.max_occurrences,
                    item.n,
                    YES if item.na_allowed else NO,
                    "、".join(tags) or None,
                    RED_LINE_ZH.get(item.red_line, item.red_line),
                    plain(item.red_line_cap),
                    item.note or None,
                ]
            )
    for index, key in enumerate(TABLE_COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = WIDTHS.get(key, 11)
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=cell.column in (2, 4, 13))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
