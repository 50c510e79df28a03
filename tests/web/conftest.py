"""Browser tests: a real hub on loopback HTTP, driven by Playwright in Debian's Chromium.

The hub runs in uvicorn on a thread with its own event loop (its database connections live there);
the test seeds data through its own connection to the same database. Screenshots of each page go to
``test-artifacts/screenshots/<engine>/`` so a run leaves a picture of every page it checked.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser, Page, async_playwright

from hirehub.api.app import create_app
from hirehub.settings import Settings
from tests.live_server import free_port, serving
from tests.sandbox.entra.conftest import entra_sandbox, entra_world, sandbox_certificate_authority  # noqa: F401
from tests.web.entra_support import entra_hub  # noqa: F401

CHROMIUM = os.environ.get("HIREHUB_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_hub(database_url: str) -> Iterator[str]:
    """The hub served on a free loopback port; yields its base URL."""
    port = free_port()
    settings = Settings(database_url=database_url, base_url=f"http://127.0.0.1:{port}", log_level="WARNING")
    with serving(create_app(settings), port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 - a one-off check before launching
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/install_chromium.sh (make test does)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1200, "height": 800})
    opened = await context.new_page()
    try:
        yield opened
    finally:
        await context.close()
