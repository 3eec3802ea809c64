"""What every browser test shares: headless Debian Chromium driven by Playwright against a live
server. A test module marks itself with ``pytestmark = BROWSER_TEST`` and asks for the ``browser``
fixture (youfu/conftest.py); run them alone with ``pytest -m browser``. Set YOUFU_SHOTS_DIR (for
example /tmp/yf-shots) to keep screenshots."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's: .ci/run installs it; Playwright downloads no browser
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = os.environ.get("YOUFU_SHOTS_DIR")

BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),  # the live server must see committed rows
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.usefixtures("role_groups"),
]


@contextmanager
def launch() -> Iterator[Any]:
    """Headless Chromium, closed on the way out."""
    sync_api = pytest.importorskip("playwright.sync_api")
    # The sync Playwright API runs an asyncio loop in this thread; Django's ORM calls from the test
    # body (fixtures, assertions on the database) are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def shot(page: Any, name: str, *, full_page: bool = True) -> None:
    """A screenshot named ``name`` in YOUFU_SHOTS_DIR, when it is set."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full_page)
