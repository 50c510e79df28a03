"""``hirehub demo run`` (what ``make run`` calls): one supervised group — the hub, a job runner and both
sandboxes — that answers on the port it is given, sends ``/`` to the console, and stops entirely on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hirehub.demo import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD
from hirehub.sandbox.serving import free_port
from tests.web.console_support import CSRF

pytestmark = pytest.mark.slow

START_SECONDS = 240
"""Generous: migrating and seeding on a loaded machine, then four programs starting."""
READY_LINE = "Ctrl-C stops everything."


def _session_processes(session_id: int) -> set[int]:
    """Every live process of the session ``session_id`` (the group's leader and all it started)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == session_id and fields[0] != "Z":
            found.add(int(entry.name))
    return found


@pytest.fixture
def group(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = free_port()
    env = {
        **os.environ, "HIREHUB_ENV": "development", "HIREHUB_DATA_DIR": str(tmp_path / "var"),
        "HIREHUB_DATABASE_URL": "",
    }  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "hirehub", "demo", "run", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        yield process, port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_started(process: subprocess.Popen[str], port: int) -> list[str]:
    """The lines the group printed up to the end of its start-up; by then the hub answers ``/healthz``."""
    lines: list[str] = []
    started = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith(READY_LINE):
                started.set()

    threading.Thread(target=read, daemon=True).start()
    assert started.wait(START_SECONDS), "\n".join(lines)
    assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    return lines


def _sandbox_directory_page(hub: str) -> httpx.Response:
    """Sign in as the demo administrator and open the sandbox directory page."""
    with httpx.Client(base_url=hub, timeout=30) as client:
        form = client.get("/console/sign-in")
        token = CSRF.search(form.text)
        assert token, form.text
        signed = client.post(
            "/console/sign-in",
            data={"email": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD, "csrf_token": token.group(1)},
        )
        assert signed.status_code == 303, signed.text
        return client.get("/console/sandbox/directory/")


def test_the_group_serves_the_console_at_the_root_and_ctrl_c_stops_every_part(
    group: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = group
    lines = _wait_until_started(process, port)
    root = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
    directory = _sandbox_directory_page(f"http://127.0.0.1:{port}")
    parts = _session_processes(process.pid) - {process.pid}

    os.kill(process.pid, signal.SIGINT)
    process.wait(timeout=60)
    time.sleep(0.5)

    # The hub reached the Entra sandbox over TLS (its CA, the host map, the app's credentials) and listed it.
    assert directory.status_code == 200
    assert 'data-group="All staff"' in directory.text
    assert root.status_code in (302, 303, 307)
    assert root.headers["location"] == "/console/"
    assert len(parts) >= 4, f"hub, runner and two sandboxes expected, found {parts}"
    assert process.returncode == 0, "\n".join(lines)
    assert _session_processes(process.pid) == set(), "a part of the group outlived Ctrl-C"
    assert f"Console:   http://127.0.0.1:{port}/console/" in lines
    assert "E-mail:    admin@contoso.example" in lines
    assert "Password:  demo-password-change-me" in lines
    start_up = lines[: lines.index(READY_LINE)]
    assert [line for line in start_up if line.lstrip().startswith("{")] == [], "plain lines, not dicts"
