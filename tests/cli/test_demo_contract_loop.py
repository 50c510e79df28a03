"""The contract scripts' loop on ``hirehub demo run`` (what ``make run`` calls): the demo tenant arrives ready, so a
hire made with the CLI gets an account in the sandbox directory, and a termination disables it once the development
clock has moved past the last day worked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hirehub.sandbox.serving import free_port

pytestmark = pytest.mark.slow

START_SECONDS = 240
READY_LINE = "Ctrl-C stops everything."
TENANT = "contoso.example"
WITHIN = 60.0
"""What the contract scripts allow between a change and the account following it."""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "HIREHUB_ENV": "development", "HIREHUB_DATA_DIR": str(data_dir), "HIREHUB_DATABASE_URL": ""}


@pytest.fixture
def started(data_dir: Path) -> Iterator[tuple[list[str], int]]:
    """``hirehub demo run`` on a free port, up to the end of its start-up; its printed lines and the port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "hirehub", "demo", "run", "--port", str(port)],
        env=_env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
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
        yield lines, port
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _hirehub(data_dir: Path, *arguments: str) -> Any:
    """``hirehub … --json`` as the contract scripts run it, on the group's data directory; its JSON object."""
    done = subprocess.run(
        [sys.executable, "-m", "hirehub", *arguments, "--json"],
        env={**_env(data_dir), "HIREHUB_LOG_LEVEL": "WARNING"}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.splitlines()[0] if done.stdout.startswith("{") else done.stdout)


def _eventually(read: Callable[[], Any], wanted: Callable[[Any], bool]) -> Any:
    deadline = time.monotonic() + WITHIN
    seen = read()
    while not wanted(seen) and time.monotonic() < deadline:
        time.sleep(1)
        seen = read()
    return seen


def _account_enabled(worker: Any) -> bool | None:
    account = worker.get("directory_account")
    return None if account is None else bool(account.get("enabled"))


def test_a_cli_hire_gets_an_enabled_account_and_terminating_then_advancing_the_clock_disables_it(
    started: tuple[list[str], int], data_dir: Path
) -> None:
    lines, _ = started
    # Given the demo tenant as `demo run` left it: its candidates, one of them LinkedIn's export
    candidates = _hirehub(data_dir, "hr", "candidate", "list", "--tenant", TENANT)["candidates"]
    names = {f"{c['first_name']} {c['last_name']}" for c in candidates}
    assert {"Grace Hopper", "Ada Lovelace"} <= names
    assert not [line for line in lines if "did not pass" in line], "\n".join(lines)
    today = _hirehub(data_dir, "demo", "clock", "show")["today"]

    # When a candidate is hired from today
    candidate = next(c for c in candidates if c["first_name"] == "Grace")
    hired = _hirehub(
        data_dir, "hr", "hire", "--tenant", TENANT, "--candidate", candidate["candidate_id"], "--start", today
    )
    show = ["hr", "worker", "show", "--tenant", TENANT, "--personnel-number", hired["personnel_number"]]

    # Then within a minute the worker has an enabled account in the sandbox directory
    worker = _eventually(lambda: _hirehub(data_dir, *show), lambda w: _account_enabled(w) is True)
    assert _account_enabled(worker) is True, worker

    # When the worker is terminated with today as the last day, and the clock moves a day on. "Today" is the
    # tenant's (its time zone's), which the hire reports: in the hour before midnight UTC it is already tomorrow in
    # Europe/Berlin, and a last day of yesterday would disable the account at once.
    last_day = hired["as_of"]
    _hirehub(
        data_dir, "hr", "terminate", "--tenant", TENANT, "--personnel-number", hired["personnel_number"],
        "--last-day", last_day,
    )  # fmt: skip
    assert _account_enabled(_hirehub(data_dir, *show)) is True  # still working today
    _hirehub(data_dir, "demo", "clock", "advance", "--days", "1")

    # Then within a minute the account is disabled
    worker = _eventually(lambda: _hirehub(data_dir, *show), lambda w: _account_enabled(w) is False)
    assert _account_enabled(worker) is False, worker
    # and nothing on the way failed for good (the leaver's mailbox conversion included)
    for status in ("dead", "failed"):
        assert _hirehub(data_dir, "jobs", "list", "--tenant", TENANT, "--status", status)["jobs"] == [], status


def test_the_ats_app_credentials_printed_at_start_up_read_the_demo_candidates_through_the_web_api(
    started: tuple[list[str], int],
) -> None:
    lines, port = started
    ats_line = lines.index(next(line for line in lines if line.startswith("ATS app (Web API):")))
    client_id = lines[ats_line].split()[-1]
    assert lines[ats_line + 1].strip().startswith("client secret:")
    secret = lines[ats_line + 1].split()[-1]
    base = f"http://127.0.0.1:{port}"

    token = httpx.post(
        f"{base}/{TENANT}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
              "scope": f"{base}/.default"},
        timeout=30,
    )  # fmt: skip
    assert token.status_code == 200, token.text
    answer = httpx.get(
        f"{base}/api/data/v9.2/mshr_hcmcandidatetohireentities?$select=mshr_firstname",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert "Ada" in {row["mshr_firstname"] for row in answer.json()["value"]}
    assert any("hirehub hr candidate list" in line for line in lines)
    assert any("hirehub demo clock advance" in line for line in lines)
