from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from youfu.core.demo import demo_create, demo_exists, demo_steps
from youfu.core.errors import ApplicationError


def build_demo(command: BaseCommand, *, seed: int, reset: bool) -> None:
    """Build the demo with a progress bar and print each part's summary (shared with `serve`)."""
    with tqdm(total=demo_steps(), unit="step", leave=False, disable=None) as bar:

        def progress(message: str) -> None:
            bar.set_description(message)
            bar.update(1)

        try:
            summaries = demo_create(seed=seed, reset=reset, progress=progress)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
    for summary in summaries:
        command.stdout.write(command.style.SUCCESS(_("Demo built: %(summary)s") % {"summary": summary}))


class Command(BaseCommand):
    help = (
        "Build the demo bank (a fictional bank with ~600 staff and one login per role); --reset rebuilds it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="delete the existing demo data and build it again"
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="random seed: the same seed gives the same bank"
        )

    def handle(self, *args: Any, reset: bool, seed: int, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if demo_exists() and not reset:
            self.stdout.write(
                _("The demo bank already exists; nothing changed. Use --reset to build it again.")
            )
            return
        build_demo(self, seed=seed, reset=reset)
