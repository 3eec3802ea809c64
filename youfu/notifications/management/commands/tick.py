from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from youfu.notifications.jobs import run_jobs


class Command(BaseCommand):
    help = (
        "Run every periodic job once (reminders, escalations …) and print what each did; "
        "cron it every 5 minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="pretend it is this time (ISO 8601), for tests and catch-up")

    def handle(self, *args: Any, now: str | None, **options: Any) -> None:
        when = timezone.now()
        if now:
            parsed = parse_datetime(now)
            if parsed is None:
                from django.core.management.base import CommandError

                raise CommandError(f"--now: not a date-time: {now}")
            when = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        results = run_jobs(when)
        if not results:
            self.stdout.write("no jobs registered")
        for name, result in results.items():
            self.stdout.write(f"{name}: {json.dumps(result, ensure_ascii=False, default=str)}")
