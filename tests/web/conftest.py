"""Browser tests: a real hub on loopback HTTP, driven by Playwright in Debian's Chromium.

The hub runs in uvicorn on a thread with its own event loop (its database connections live there);
the test seeds data through its own connection to the same database. Screenshots of each page go to
``test-artifacts/screenshots/<engine>/`` so a run leaves a picture of every page it checked.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator

import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright

from hirehub.api.app import create_app
from hirehub.settings import Settings

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_hub(database_url: str) -> Iterator[str]:
    """The hub served on a free loopback port; yields its base URL."""
    port = _free_port()
    settings = Settings(database_url=database_url, base_url=f"http://127.0.0.1:{port}", log_level="WARNING")
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the hub did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


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
