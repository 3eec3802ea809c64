"""Reads of the callbacks (电话回访), always through the user's subtree (youfu.accounts.access): the
samples, one sample's calls, one call, the imports, and the results per outlet or teller over a period.
A sample is visible to the users whose subtree holds its outlet; a 404 otherwise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from youfu.accounts.access import WHOLE_BANK, scope_path
from youfu.feedback.choices import CallResult, CallStatus
from youfu.feedback.models import CallbackCall, CallbackDraw, CallbackImport
from youfu.feedback.selectors import percent
from youfu.org.models import Person, Unit


def _path(user: Any) -> str | None:
    return scope_path(user)


def draw_list(
    *, user: Any, month: dt.date | None = None, within: Unit | None = None
) -> QuerySet[CallbackDraw]:
    path = _path(user)
    if path is None:
        return CallbackDraw.objects.none()
    draws = CallbackDraw.objects.filter(unit_path__startswith=path).select_related("unit")
    if within is not None:
        draws = draws.filter(unit_path__startswith=within.path)
    if month is not None:
        draws = draws.filter(month=month.replace(day=1))
    return draws.annotate(
        n_calls=Count("calls", filter=~Q(calls__status=CallStatus.UNREACHABLE)),
        n_reached=Count("calls", filter=Q(calls__status=CallStatus.REACHED)),
        n_pending=Count("calls", filter=Q(calls__status=CallStatus.PENDING)),
        n_points=Sum("calls__points"),
    ).order_by("-month", "unit_path")


def draw_get(*, user: Any, pk: int | str) -> CallbackDraw:
    path = _path(user)
    draw = (
        CallbackDraw.objects.select_related("unit", "drawn_by").filter(pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    if path is None or draw is None or not draw.unit_path.startswith(path):
        raise Http404
    return draw


def draw_calls(*, draw: CallbackDraw) -> QuerySet[CallbackCall]:
    return draw.calls.select_related("contact", "teller", "called_by").order_by("position")


def call_get(*, user: Any, pk: int | str) -> CallbackCall:
    path = _path(user)
    call = (
        CallbackCall.objects.select_related("draw", "draw__unit", "contact", "teller", "contact__teller")
        .filter(pk=pk)
        .first()
        if str(pk).isdigit()
        else None
    )
    if path is None or call is None or not call.draw.unit_path.startswith(path):
        raise Http404
    return call


def import_list(*, user: Any) -> QuerySet[CallbackImport]:
    path = _path(user)
    if path is None:
        return CallbackImport.objects.none()
    return CallbackImport.objects.filter(scope_path__startswith=path).select_related("created_by")


@dataclass(frozen=True)
class CallbackLine:
    """One line of the callback results: an outlet or a teller over a period."""

    kind: str  # "outlet", "person" or "total"
    subject_id: int
    code: str
    name: str
    unit_name: str
    drawn: int  # calls in the samples, the replaced ones not counted
    reached: int
    pending: int
    unreachable: int
    satisfied: int
    neutral: int
    unsatisfied: int
    points: Decimal

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return percent(self.satisfied, self.reached)


def callback_results_for_path(
    *, path: str, start: dt.date, end: dt.date, grouping: str = "outlet", within: Unit | None = None
) -> list[CallbackLine]:
    calls = CallbackCall.objects.filter(
        draw__unit_path__startswith=path, draw__month__gte=start.replace(day=1), draw__month__lte=end
    )
    if within is not None:
        calls = calls.filter(draw__unit_path__startswith=within.path)
    key = "draw__unit" if grouping == "outlet" else "teller"
    if grouping != "outlet":
        calls = calls.filter(teller__isnull=False)
    rows = (
        calls.values(key)
        .annotate(
            drawn=Count("id", filter=~Q(status=CallStatus.UNREACHABLE)),
            reached=Count("id", filter=Q(status=CallStatus.REACHED)),
            pending=Count("id", filter=Q(status=CallStatus.PENDING)),
            unreachable=Count("id", filter=Q(status=CallStatus.UNREACHABLE)),
            satisfied=Count("id", filter=Q(result=CallResult.SATISFIED)),
            neutral=Count("id", filter=Q(result=CallResult.NEUTRAL)),
            unsatisfied=Count("id", filter=Q(result=CallResult.UNSATISFIED)),
            points=Sum("points"),
        )
        .order_by(key)
    )
    ids = [row[key] for row in rows]
    if grouping == "outlet":
        units = Unit.objects.in_bulk(ids)
        parents = dict(
            Unit.objects.filter(path__in={u.path[: -Unit.steplen] for u in units.values()}).values_list(
                "path", "name"
            )
        )
        names = {pk: (u.code, u.name, parents.get(u.path[: -Unit.steplen], "")) for pk, u in units.items()}
    else:
        people = Person.objects.select_related("unit").in_bulk(ids)
        names = {pk: (p.employee_no, p.name, p.unit.name) for pk, p in people.items()}
    lines = [
        CallbackLine(
            kind=grouping,
            subject_id=row[key],
            code=names[row[key]][0],
            name=names[row[key]][1],
            unit_name=names[row[key]][2],
            drawn=row["drawn"],
            reached=row["reached"],
            pending=row["pending"],
            unreachable=row["unreachable"],
            satisfied=row["satisfied"],
            neutral=row["neutral"],
            unsatisfied=row["unsatisfied"],
            points=Decimal(row["points"] or 0).quantize(Decimal("0.1")),
        )
        for row in rows
    ]
    return sorted(lines, key=lambda line: line.code)


def callback_results(
    *, user: Any, start: dt.date, end: dt.date, grouping: str = "outlet", within: Unit | None = None
) -> list[CallbackLine]:
    path = _path(user)
    if path is None:
        return []
    if within is not None and not within.path.startswith(path):
        return []
    return callback_results_for_path(path=path, start=start, end=end, grouping=grouping, within=within)


def callback_total(lines: list[CallbackLine]) -> CallbackLine:
    def add(name: str) -> Any:
        return sum((getattr(line, name) for line in lines), 0)

    return CallbackLine(
        kind="total",
        subject_id=0,
        code="",
        name="",
        unit_name="",
        drawn=add("drawn"),
        reached=add("reached"),
        pending=add("pending"),
        unreachable=add("unreachable"),
        satisfied=add("satisfied"),
        neutral=add("neutral"),
        unsatisfied=add("unsatisfied"),
        points=Decimal(add("points")),
    )


__all__ = ["WHOLE_BANK", "CallbackLine"]
