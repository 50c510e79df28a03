"""The contract scripts' loop on ``hirehub demo run`` (what ``make run`` calls): the demo tenant arrives ready, so a
hire made with the CLI gets an account in the sandbox directory, and a termination disables it once the development
clock has moved past the last day worked."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.demo_group import DemoGroup, demo_group

pytestmark = pytest.mark.slow

TENANT = "contoso.example"
WITHIN = 60.0
"""What the contract scripts allow between a change and the account following it."""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def group(data_dir: Path) -> Iterator[DemoGroup]:
    """``hirehub demo run`` on a free port, up to the end of its start-up."""
    with demo_group(data_dir) as started:
        yield started


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
    group: DemoGroup,
) -> None:
    lines = group.lines
    # Given the demo tenant as `demo run` left it: its candidates, one of them LinkedIn's export
    candidates = group.hirehub("hr", "candidate", "list", "--tenant", TENANT)["candidates"]
    names = {f"{c['first_name']} {c['last_name']}" for c in candidates}
    assert {"Grace Hopper", "Ada Lovelace"} <= names
    assert not [line for line in lines if "did not pass" in line], "\n".join(lines)
    today = group.hirehub("demo", "clock", "show")["today"]

    # When a candidate is hired from today
    candidate = next(c for c in candidates if c["first_name"] == "Grace")
    hired = group.hirehub("hr", "hire", "--tenant", TENANT, "--candidate", candidate["candidate_id"], "--start", today)
    show = ["hr", "worker", "show", "--tenant", TENANT, "--personnel-number", hired["personnel_number"]]

    # Then within a minute the worker has an enabled account in the sandbox directory
    worker = _eventually(lambda: group.hirehub(*show), lambda w: _account_enabled(w) is True)
    assert _account_enabled(worker) is True, worker

    # When the worker is terminated with today as the last day, and the clock moves a day on. "Today" is the
    # tenant's (its time zone's), which the hire reports: in the hour before midnight UTC it is already tomorrow in
    # Europe/Berlin, and a last day of yesterday would disable the account at once.
    last_day = hired["as_of"]
    group.hirehub(
        "hr", "terminate", "--tenant", TENANT, "--personnel-number", hired["personnel_number"],
        "--last-day", last_day,
    )  # fmt: skip
    assert _account_enabled(group.hirehub(*show)) is True  # still working today
    group.hirehub("demo", "clock", "advance", "--days", "1")

    # Then within a minute the account is disabled
    worker = _eventually(lambda: group.hirehub(*show), lambda w: _account_enabled(w) is False)
    assert _account_enabled(worker) is False, worker
    # and nothing on the way failed for good (the leaver's mailbox conversion included)
    for status in ("dead", "failed"):
        assert group.hirehub("jobs", "list", "--tenant", TENANT, "--status", status)["jobs"] == [], status


def test_the_ats_app_credentials_printed_at_start_up_read_the_demo_candidates_through_the_web_api(
    group: DemoGroup,
) -> None:
    lines = group.lines
    ats_line = lines.index(next(line for line in lines if line.startswith("ATS app (Web API):")))
    client_id = lines[ats_line].split()[-1]
    assert lines[ats_line + 1].strip().startswith("client secret:")
    secret = lines[ats_line + 1].split()[-1]
    base = group.url

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
