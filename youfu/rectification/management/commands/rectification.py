from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date

from youfu.core.errors import ApplicationError
from youfu.inspections import selectors as inspections
from youfu.org.management.commands._common import actor_for
from youfu.org.selectors import person_list, unit_list
from youfu.rectification import selectors, services
from youfu.rectification.choices import Handling, RectificationStatus


class Command(BaseCommand):
    help = (
        "Rectification (整改): list (as a user, in their subtree), open one for a finding, send reminders "
        "and escalate now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="list rectifications, earliest deadline first")
        listing.add_argument("--status", choices=[*RectificationStatus.values, "overdue"])
        listing.add_argument("--unit", help="outlet code")
        listing.add_argument("--limit", type=int, default=50)
        listing.add_argument(
            "--as", dest="username", help="act as this user (default: the first administrator)"
        )
        opening = sub.add_parser("open", help="open the rectification of a published finding")
        opening.add_argument(
            "--finding", type=int, required=True, help="finding id (see the check's page or API)"
        )
        opening.add_argument("--unit", required=True, help="responsible unit code")
        opening.add_argument("--person", help="responsible person's employee number")
        opening.add_argument("--deadline", required=True, help="YYYY-MM-DD, today or later")
        opening.add_argument("--evidence", required=True, help="the evidence required")
        opening.add_argument("--handling", choices=Handling.values, default=Handling.FEEDBACK_MEETING)
        opening.add_argument(
            "--as", dest="username", help="act as this user (default: the first administrator)"
        )
        remind = sub.add_parser(
            "remind", help="send due reminders and escalate overdue rectifications now (safe to run twice)"
        )
        remind.add_argument("--today", help="pretend today is YYYY-MM-DD")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            if action == "open":
                self._open(**options)
            elif action == "remind":
                self._remind(**options)
            else:
                self._list(**options)
        except ApplicationError as exc:
            raise CommandError("; ".join(d.message for d in exc.details)) from exc

    def _list(
        self, *, status: str | None, unit: str | None, limit: int, username: str | None, **_o: Any
    ) -> None:
        actor = actor_for(username)
        rows = selectors.rectification_list(user=actor)
        if status == "overdue":
            rows = selectors.overdue(rows)
        elif status:
            rows = rows.filter(status=status)
        if unit:
            rows = rows.filter(unit__code=unit)
        for r in rows[:limit]:
            flag = " OVERDUE 逾期" if r.is_overdue else ""
            escalated = f" → {r.escalated_to.code} L{r.escalation_level}" if r.escalated_to else ""
            self.stdout.write(
                f"#{r.pk}\t{r.unit.code}\t{r.finding.item.code}\t{r.deadline}\t{r.status}{flag}{escalated}"
            )

    def _open(
        self,
        *,
        finding: int,
        unit: str,
        person: str | None,
        deadline: str,
        evidence: str,
        handling: str,
        username: str | None,
        **_o: Any,
    ) -> None:
        actor = actor_for(username)
        day = parse_date(deadline)
        if day is None:
            raise CommandError(f"--deadline: not a date: {deadline}")
        try:
            found = inspections.finding_get(user=actor, pk=finding)
        except Http404 as exc:
            raise CommandError(f"--finding: no finding {finding} in your part of the organisation") from exc
        responsible = unit_list(user=actor).filter(code=unit).first()
        if responsible is None:
            raise CommandError(f"--unit: no unit {unit} in your part of the organisation")
        who = None
        if person:
            who = person_list(user=actor).filter(employee_no=person).first()
            if who is None:
                raise CommandError(f"--person: no person {person} in your part of the organisation")
        rect = services.rectification_open(
            actor=actor,
            finding=found,
            responsible_unit=responsible,
            responsible_person=who,
            deadline=day,
            required_evidence=evidence,
            handling=handling,
        )
        self.stdout.write(f"opened #{rect.pk} (deadline {rect.deadline})")

    def _remind(self, *, today: str | None, **_o: Any) -> None:
        now = timezone.now()
        if today:
            day = parse_date(today)
            if day is None:
                raise CommandError(f"--today: not a date: {today}")
            now = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        reminded = services.rectifications_remind(now=now)
        escalated = services.rectifications_escalate(now=now)
        self.stdout.write(
            f"reminded before the deadline: {reminded.reminded_before}, "
            f"after it: {reminded.reminded_overdue}, "
            f"escalated: {escalated.escalated}"
        )
