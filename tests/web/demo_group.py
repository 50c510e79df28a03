"""``hirehub demo run`` (what ``make run`` calls) as a browser test's hub: the whole group on a free port.

The walk-through test drives the group as a newcomer does after ``make run``: the hub, its job runner and both
sandboxes as separate programs on loopback, the demo tenant seeded, the embedded SQLite database under a data
directory of the test's own. It starts the group the way ``tests/cli/test_dev_run.py`` does (a new session, so
one signal reaches every part) and stops it with Ctrl-C's SIGINT, killing what outlives it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.async_api import Page

from hirehub.demo import DEMO_ATS_APP_FILE
from hirehub.sandbox.serving import free_port

START_SECONDS = 240
"""Generous: migrating and seeding on a loaded machine, then four programs starting."""
READY_LINE = "Ctrl-C stops everything."
PLUGIN_SIGN_IN = "LinkedIn plugin sign-in:"


@dataclass(frozen=True)
class DemoGroup:
    """A running group: where its hub answers, its data directory, and what it printed while starting."""

    url: str
    data_dir: Path
    lines: list[str]

    def env(self) -> dict[str, str]:
        return group_env(self.data_dir)

    def hirehub(self, *arguments: str) -> dict[str, Any]:
        """``hirehub … --json`` on the group's database, as a person types it in a second terminal."""
        done = subprocess.run(
            [sys.executable, "-m", "hirehub", *arguments, "--json"],
            env={**self.env(), "HIREHUB_LOG_LEVEL": "WARNING"}, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        answer: dict[str, Any] = json.loads(done.stdout)
        return answer

    def linkedin_plugin_sign_in(self) -> tuple[str, str]:
        """The Recruiter administrator's e-mail and password for LinkedIn's plugin, as the group printed them."""
        at = next(i for i, line in enumerate(self.lines) if line.startswith(PLUGIN_SIGN_IN))
        email = self.lines[at].removeprefix(PLUGIN_SIGN_IN).strip()
        password = self.lines[at + 1].split("password:", 1)[1].strip()
        return email, password

    def ats_app(self) -> dict[str, str]:
        """The demo ATS app's client ID and secret, kept by the seed (``make run`` prints them too)."""
        kept: dict[str, str] = json.loads((self.data_dir / DEMO_ATS_APP_FILE).read_text(encoding="utf-8"))
        return kept


def group_env(data_dir: Path) -> dict[str, str]:
    """Development mode on the embedded database under ``data_dir``, as ``make run`` sets it."""
    return {**os.environ, "HIREHUB_ENV": "development", "HIREHUB_DATA_DIR": str(data_dir), "HIREHUB_DATABASE_URL": ""}


@contextmanager
def demo_group(data_dir: Path) -> Iterator[DemoGroup]:
    """``hirehub demo run`` on a free port, yielded once it has printed the end of its start-up."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "hirehub", "demo", "run", "--port", str(port)],
        env=group_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith(READY_LINE):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(START_SECONDS), "\n".join(lines)
        yield DemoGroup(f"http://127.0.0.1:{port}", data_dir, lines)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


async def reload_until(page: Page, shown: Callable[[], Awaitable[None]], *, within_ms: int) -> None:
    """Reload ``page`` every two seconds until ``shown`` passes (the group's runner works in the background), for
    up to ``within_ms``."""
    waited = 0
    while True:
        try:
            await shown()
            return
        except AssertionError:
            if waited >= within_ms:
                raise
        await page.wait_for_timeout(2_000)
        waited += 2_000
        await page.reload()
