"""Excel exports of the dashboard: every tile and every chart has one, built from the same selectors as
the page (so only what the user may see). One sheet: a title line, a header, the rows; numbers as exact
Decimals."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from youfu.reports.choices import Kpi, Rag
from youfu.reports.selectors import Board, KpiValue, OutletRow, TellerRow, TrendPoint

INPUT_LABELS = {
    "smart": gettext_lazy("at smart counters"),
    "counter": gettext_lazy("at the counter"),
    "tickets": gettext_lazy("tickets"),
    "called": gettext_lazy("tickets called"),
    "wait_seconds": gettext_lazy("total wait (s)"),
    "p90_rank": gettext_lazy("P90 rank"),
    "p90_seconds": gettext_lazy("P90 wait (s)"),
    "complaints": gettext_lazy("complaints"),
    "baseline": gettext_lazy("base year's complaints"),
    "baseline_year": gettext_lazy("base year"),
    "counted_to": gettext_lazy("counted to"),
    "satisfied": gettext_lazy("satisfied"),
    "rated": gettext_lazy("rated"),
    "transactions": gettext_lazy("transactions"),
}


def workbook(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31].replace("/", "-") or "KPI")
    bold = Font(bold=True)
    cell = WriteOnlyCell(sheet, title)
    cell.font = bold
    sheet.append([cell])
    heads = []
    for text in header:
        head = WriteOnlyCell(sheet, str(text))
        head.font = bold
        heads.append(head)
    sheet.append(heads)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rag(value: str | None) -> str:
    return str(dict(Rag.choices).get(value, "—")) if value else "—"


def _inputs(value: KpiValue) -> str:
    return "; ".join(f"{k} {v}" for k, v in value.input_items)


def tiles_table(board: Board) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("KPI"),
        _("Value"),
        _("Unit of measure"),
        _("Target"),
        _("Amber band"),
        _("Status"),
        _("Inputs"),
    ]
    rows = [
        [t.label, t.value, t.measure, t.target.target, t.target.band, _rag(t.rag), _inputs(t)]
        for t in board.tiles
    ]
    return header, rows


def kpi_table(board: Board, kpi: str) -> tuple[list[str], list[list[Any]]]:
    keys = list(board.tile(kpi).inputs)
    header = [_("Unit code"), _("Outlet"), _("Parent unit"), Kpi(kpi).label, _("Target"), _("Status")]
    header += [str(INPUT_LABELS.get(k, k)) for k in keys]
    rows = []
    for r in board.outlets:
        v = r.values[kpi]
        rows.append(
            [r.unit.code, r.unit.name, r.parent_name, v.value, v.target.target, _rag(v.rag)]
            + [v.inputs.get(k) for k in keys]
        )
    t = board.tile(kpi)
    rows.append([_("Total"), "", "", t.value, t.target.target, _rag(t.rag)] + [t.inputs.get(k) for k in keys])
    return [str(h) for h in header], rows


def ranking_table(rows: Sequence[OutletRow]) -> tuple[list[str], list[list[Any]]]:
    header = [_("Rank"), _("Unit code"), _("Outlet"), _("Parent unit"), _("Score")] + [
        str(label) for label in Kpi.labels
    ]
    table = []
    for n, r in enumerate(rows, start=1):
        table.append(
            [n, r.unit.code, r.unit.name, r.parent_name, r.score] + [r.values[k].value for k in Kpi.values]
        )
    return [str(h) for h in header], table


def map_table(board: Board) -> tuple[list[str], list[list[Any]]]:
    header = [_("Unit code"), _("Outlet"), _("Latitude"), _("Longitude"), _("Score")]
    rows = [[r.unit.code, r.unit.name, r.latitude, r.longitude, r.score] for r in board.outlets]
    return [str(h) for h in header], rows


def trend_table(points: Sequence[TrendPoint]) -> tuple[list[str], list[list[Any]]]:
    header = [_("Month")] + [str(label) for label in Kpi.labels]
    rows = [[p.month] + [p.values[k].value for k in Kpi.values] for p in points]
    return [str(h) for h in header], rows


def tellers_table(rows: Sequence[TellerRow]) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("Employee number"),
        pgettext("person", "Name"),
        _("Tickets called"),
        _("Average wait (min)"),
        _("P90 wait (min)"),
        _("Transactions"),
        _("Rated"),
        _("Evaluation rate (%)"),
        _("Satisfaction rate (%)"),
    ]
    table = [
        [
            r.employee_no,
            r.name,
            r.wait.called,
            r.wait.average,
            r.wait.p90,
            r.rating.transactions if r.rating else 0,
            r.rating.rated if r.rating else 0,
            r.evaluation_rate,
            r.satisfaction_rate,
        ]
        for r in rows
    ]
    return [str(h) for h in header], table
