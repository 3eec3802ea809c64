"""Periodic jobs (定时任务): apps register a function from their AppConfig.ready(); `youfu tick` (cron,
every 5 minutes) and `youfu serve` (a daemon thread, every TICK_SECONDS) run them all.

A job takes the current time and returns a small dict saying what it did (printed by `youfu tick`). A job
must be safe to run twice and at any frequency: it decides itself what is due at `now`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)

TICK_SECONDS = 300

Job = Callable[[datetime], dict[str, Any]]

_jobs: dict[str, Job] = {}


def register_job(name: str, func: Job) -> None:
    """Add (or replace, by name) a periodic job."""
    _jobs[name] = func


def unregister_job(name: str) -> None:
    _jobs.pop(name, None)


def registered_jobs() -> dict[str, Job]:
    return dict(sorted(_jobs.items()))


def run_jobs(now: datetime | None = None) -> dict[str, dict[str, Any]]:
    """Run every registered job once, in name order. A failing job is logged and reported as
    {"error": …}; the others still run."""
    now = now or timezone.now()
    results: dict[str, dict[str, Any]] = {}
    for name, func in registered_jobs().items():
        try:
            results[name] = dict(func(now))
        except Exception as exc:
            logger.exception("job %s failed", name)
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    return results


def start_ticker(interval: float = TICK_SECONDS) -> threading.Thread:
    """Run the jobs every `interval` seconds in a daemon thread (for `youfu serve`)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            try:
                run_jobs(timezone.now())
            finally:
                close_old_connections()

    thread = threading.Thread(target=loop, name="youfu-tick", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread
