"""The shell pages: the dashboard (overview of the user's subtree)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from youfu.complaints.selectors import RATE_TARGET, complaint_rate_this_year
from youfu.org.choices import Position, UnitKind
from youfu.org.selectors import person_counts_by_position, unit_counts_by_kind, unit_roots


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    units_by_kind = unit_counts_by_kind(user=request.user)
    people_by_position = person_counts_by_position(user=request.user)
    # The seed's complaint-rate target (000 篇3), for those who read complaints.
    complaint_rate = (
        complaint_rate_this_year(user=request.user)
        if request.user.has_perm("complaints.view_complaint")
        else None
    )
    return render(
        request,
        "web/dashboard.html",
        {
            "roots": unit_roots(user=request.user),
            "unit_rows": [(kind, units_by_kind.get(kind.value, 0)) for kind in UnitKind],
            "unit_total": sum(units_by_kind.values()),
            "position_rows": [
                (position, people_by_position[position.value])
                for position in Position
                if people_by_position.get(position.value)
            ],
            "people_total": sum(people_by_position.values()),
            "complaint_rate": complaint_rate,
            "complaint_rate_target": RATE_TARGET,
        },
    )
