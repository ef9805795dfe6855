"""Debian's Chromium, driven by playwright (its own browser download is never used).

`make test` installs the `chromium` package when /usr/bin/chromium is missing. Each browser gets a
new profile directory, and the flags keep it from reaching any service of its own.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import BrowserContext, sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Tall enough that every chart of the dashboard is on screen (charts are drawn as they near it).
WHOLE_PAGE = {"width": 1400, "height": 6000}


@contextmanager
def chromium(*extra_flags: str, viewport: dict[str, int] | None = None) -> Iterator[BrowserContext]:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=[*FLAGS, *extra_flags],
            viewport=viewport or WHOLE_PAGE,
        )
        try:
            yield context
        finally:
            context.close()
