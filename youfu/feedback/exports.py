"""Excel export of a rates table, as shown on the page (only what the user may see: the lines come from
youfu.feedback.selectors.rates)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from youfu.feedback.callback_selectors import CallbackLine, callback_total
from youfu.feedback.choices import Grouping
from youfu.feedback.models import Survey, SurveyResponse
from youfu.feedback.selectors import RateLine, total_line
from youfu.feedback.survey_selectors import SurveyResults

PERCENT = "0.00"


def rates_export(*, lines: Sequence[RateLine], grouping: str, start: dt.date, end: dt.date) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Satisfaction")[:31])
    bold = Font(bold=True)
    person = grouping == Grouping.PERSON
    title = WriteOnlyCell(sheet, _("Evaluator ratings %(start)s – %(end)s") % {"start": start, "end": end})
    title.font = bold
    sheet.append([title])
    header = [
        _("Employee number") if person else _("Unit code"),
        _("Name"),
        _("Unit") if person else _("Parent unit"),
        _("Transactions"),
        _("Rated"),
        _("Very satisfied"),
        _("Satisfied"),
        _("Neutral"),
        _("Unsatisfied"),
        _("Evaluation rate (%)"),
        _("Satisfaction rate (%)"),
    ]
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for line in [*lines, total_line(lines)]:
        row: list[object] = [
            line.code or _("Total"),
            line.name,
            line.unit_name,
            line.transactions,
            line.rated,
            line.very_satisfied,
            line.satisfied,
            line.neutral,
            line.unsatisfied,
        ]
        for rate in (line.evaluation_rate, line.satisfaction_rate):
            cell = WriteOnlyCell(sheet, rate)  # a Decimal: written as the exact number
            cell.number_format = PERCENT
            row.append(cell)
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _bold_row(sheet: object, texts: Sequence[str]) -> list[WriteOnlyCell]:
    cells = []
    for text in texts:
        cell = WriteOnlyCell(sheet, text)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def callback_results_export(
    *, lines: Sequence[CallbackLine], grouping: str, start: dt.date, end: dt.date
) -> bytes:
    """The callback results as on the page (lines from callback_selectors.callback_results)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Callbacks")[:31])
    sheet.append(_bold_row(sheet, [_("Callbacks %(start)s – %(end)s") % {"start": start, "end": end}]))
    person = grouping == "person"
    sheet.append(
        _bold_row(
            sheet,
            [
                _("Employee number") if person else _("Unit code"),
                _("Name"),
                _("Unit") if person else _("Parent unit"),
                _("Drawn"),
                _("Reached"),
                _("To call"),
                _("Not reached (replaced)"),
                _("Satisfied"),
                _("Neutral"),
                _("Unsatisfied"),
                _("Points"),
                _("Satisfaction rate (%)"),
            ],
        )
    )
    for line in [*lines, callback_total(list(lines))]:
        rate = WriteOnlyCell(sheet, line.satisfaction_rate)
        rate.number_format = PERCENT
        sheet.append(
            [
                line.code or _("Total"),
                line.name,
                line.unit_name,
                line.drawn,
                line.reached,
                line.pending,
                line.unreachable,
                line.satisfied,
                line.neutral,
                line.unsatisfied,
                line.points,
                rate,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def survey_export(*, survey: Survey, results: SurveyResults, responses: Sequence[SurveyResponse]) -> bytes:
    """A survey's results in the user's view: per unit, per question, and every response with its answers."""
    book = Workbook(write_only=True)
    units = book.create_sheet(title=_("Per unit")[:31])
    units.append(_bold_row(units, [survey.title]))
    units.append(_bold_row(units, [_("Unit code"), _("Name"), _("Responses"), _("Mean score")]))
    for line in results.units:
        units.append([line.code, line.name, line.responses, line.mean])
    units.append([_("Total"), "", results.responses, results.mean])
    questions = book.create_sheet(title=_("Questions")[:31])
    questions.append(_bold_row(questions, [_("Question"), _("Answer"), _("Count"), _("Mean score")]))
    for item in results.questions:
        for label, count in zip(item.labels, item.counts, strict=True):
            questions.append([item.question.text, label, count, item.mean])
        for text in item.texts:
            questions.append([item.question.text, text, None, None])
    sheet = book.create_sheet(title=_("Responses")[:31])
    current = {q.pk: q for q in survey.questions.all()}
    order = sorted(current.values(), key=lambda q: (q.version, q.position))
    sheet.append(
        _bold_row(
            sheet,
            [
                _("Answered at"),
                _("Unit code"),
                _("Channel"),
                _("Version"),
                _("Score"),
                *[f"v{q.version} {q.position}. {q.text}" for q in order],
            ],
        )
    )
    for response in responses:
        given = {a.question_id: a for a in response.answers.all()}
        row: list[object] = [
            timezone.localtime(response.created_at).replace(tzinfo=None),
            response.unit.code,
            response.get_channel_display(),
            response.version,
            response.score,
        ]
        for question in order:
            answer = given.get(question.pk)
            if answer is None:
                row.append(None)
            elif answer.choice is not None:
                row.append(question.options[answer.choice]["label"])
            elif answer.value is not None:
                row.append(answer.value)
            else:
                row.append(answer.text)
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
