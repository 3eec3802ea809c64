from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from youfu.complaints import imports, selectors, services
from youfu.complaints.choices import Channel, ComplaintStatus
from youfu.complaints.sla import CALENDAR_YEARS
from youfu.core.errors import ApplicationError
from youfu.org.management.commands._common import actor_for
from youfu.org.models import Period


class Command(BaseCommand):
    help = (
        "Complaints and praise: list (as a user, within their subtree), the SLA board, escalate late cases "
        "(the periodic job), import a complaint list, the complaint rate against a baseline year."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="list complaints, newest first")
        listing.add_argument("--status", choices=ComplaintStatus.values)
        listing.add_argument("--limit", type=int, default=50)
        listing.add_argument(
            "--as", dest="username", help="act as this user (default: the first administrator)"
        )
        board = sub.add_parser("board", help="open cases with their SLA timers, late ones first")
        board.add_argument("--as", dest="username", help="act as this user")
        sub.add_parser(
            "escalate", help="escalate late cases and notify (safe to run twice; also run by youfu tick)"
        )
        importing = sub.add_parser(
            "import", help="import a complaint list (.xlsx; all or nothing; safe to run twice)"
        )
        importing.add_argument("file")
        importing.add_argument("--dry-run", action="store_true", help="check only, save nothing")
        importing.add_argument("--as", dest="username", help="act as this user")
        rates = sub.add_parser("rates", help="complaints per outlet against a baseline year")
        rates.add_argument("--period", required=True, help="period code, e.g. 2026 or 2026Q1")
        rates.add_argument("--baseline", type=int, help="baseline year (default: the year before)")
        rates.add_argument("--channel", default=Channel.HOTLINE_95580, help="a channel, or 'all'")
        rates.add_argument("--as", dest="username", help="act as this user")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ApplicationError as exc:
            lines = [exc.message] + [
                f"  row {d.row}: {d.field or '-'}: {d.message}" for d in exc.details if d.row is not None
            ]
            raise CommandError("\n".join(lines)) from exc

    def _list(self, options: dict[str, Any]) -> None:
        rows = selectors.complaint_list(user=actor_for(options.get("username")))
        if options.get("status"):
            rows = rows.filter(status=options["status"])
        for c in rows[: options["limit"]]:
            self.stdout.write(
                f"{c.number}\t{timezone.localtime(c.received_at):%Y-%m-%d %H:%M}\t{c.channel}\t"
                f"{c.unit.code}\t{c.category}\t{c.status}\t{c.verdict or '-'}\t{c.owner.username}"
            )

    def _board(self, options: dict[str, Any]) -> None:
        board = selectors.sla_board(user=actor_for(options.get("username")))
        if board.unknown_years:
            self.stderr.write(
                f"warning: no holiday data for {', '.join(map(str, board.unknown_years))} "
                f"(chinesecalendar covers {CALENDAR_YEARS.start}–{CALENDAR_YEARS.stop - 1}); "
                "those days were counted Monday to Friday"
            )
        for t in board.timers:
            state = "PAUSED" if t.paused else ("LATE" if t.breached else "ok")
            self.stdout.write(
                f"{t.complaint.number}\t{t.complaint.unit.code}\t{t.which}\t"
                f"{timezone.localtime(t.deadline):%Y-%m-%d %H:%M}\t{t.left_text}\t{state}\t"
                f"level {t.complaint.level}"
            )

    def _escalate(self, options: dict[str, Any]) -> None:
        done = services.complaints_escalate_due()
        self.stdout.write(
            f"{len(done)} escalated" + (": " + ", ".join(c.number for c in done) if done else "")
        )

    def _import(self, options: dict[str, Any]) -> None:
        actor = actor_for(options.get("username"))
        with open(options["file"], "rb") as handle:
            result = imports.complaints_import(actor=actor, file=handle, dry_run=options["dry_run"])
        prefix = "dry run: would create" if result.dry_run else "created"
        self.stdout.write(f"{prefix} {result.created}, {result.unchanged} already there")

    def _rates(self, options: dict[str, Any]) -> None:
        period = Period.objects.filter(code=options["period"]).first()
        if period is None:
            raise CommandError(f"unknown period {options['period']}")
        channel = "" if options["channel"] == "all" else options["channel"]
        if channel and channel not in Channel.values:
            raise CommandError(f"unknown channel {channel}")
        rates = selectors.complaint_rates(
            user=actor_for(options.get("username")),
            period=period,
            baseline_year=options["baseline"] or period.start.year - 1,
            channel=channel,
        )
        self.stdout.write(f"outlet\tbaseline {rates.baseline_year}\t{period.code}\tchange %\ttarget met")
        for r in rates.rows:
            met = "-" if r.on_target is None else ("yes" if r.on_target else "no")
            self.stdout.write(f"{r.unit.code}\t{r.baseline}\t{r.current}\t{_dash(r.change)}\t{met}")
        self.stdout.write(f"total\t{rates.baseline_total}\t{rates.current_total}\t{_dash(rates.change)}")


def _dash(value: Any) -> str:
    return "-" if value is None else str(value)
