from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from youfu.core.demo import demo_exists
from youfu.core.management.commands.demo import build_demo
from youfu.org.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_bank_exists
from youfu.org.models import Unit


def run_server(*, host: str, port: int, threads: int) -> None:
    """Serve the WSGI app with waitress (a real threaded server; whitenoise serves the static files)."""
    from django.core.wsgi import get_wsgi_application
    from waitress import serve

    serve(get_wsgi_application(), host=host, port=port, threads=threads, ident="youfu")


class Command(BaseCommand):
    help = (
        "Start youfu: migrate, build the demo bank if the database is empty, print the address and demo "
        "logins, serve.\n\nCreates the data folder (YOUFU_DATA_DIR) first; serves with waitress."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
        parser.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
        parser.add_argument(
            "--no-demo", action="store_true", help="do not build the demo bank in an empty database"
        )
        parser.add_argument(
            "--no-tick",
            action="store_true",
            help="do not run the periodic jobs (reminders, escalations) every 5 minutes in the background",
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        threads: int,
        no_demo: bool,
        no_tick: bool = False,
        **options: Any,
    ) -> None:
        data_dir = Path(settings.DATA_DIR)
        for folder in (data_dir, Path(settings.STATIC_ROOT), Path(settings.MEDIA_ROOT)):
            folder.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"Data folder 数据目录: {data_dir}")
        self.stdout.write("Preparing the database 正在准备数据库 …")
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo and not Unit.objects.exists() and not demo_exists():
            self.stdout.write("Building the demo bank 正在生成演示银行 …")
            build_demo(self, seed=2026, reset=False)
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
        url = f"http://{shown_host}:{port}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"youfu 优服 is running at 已启动: {url}"))
        if demo_bank_exists():
            self.stdout.write(f"Demo logins 演示账号 — password 密码: {DEMO_PASSWORD}")
            width = max(len(login.username) for login in DEMO_LOGINS) + 2
            for login in DEMO_LOGINS:
                self.stdout.write(f"  {login.username.ljust(width)}{login.zh} / {login.en}")
        if not no_tick:
            from youfu.notifications.jobs import TICK_SECONDS, start_ticker

            start_ticker(TICK_SECONDS)
            self.stdout.write(
                f"Periodic jobs every {TICK_SECONDS // 60} minutes 定时任务已启动 (--no-tick to turn off)"
            )
        self.stdout.write("Press Ctrl+C to stop. 按 Ctrl+C 停止。")
        self.stdout.flush()
        run_server(host=host, port=port, threads=threads)
