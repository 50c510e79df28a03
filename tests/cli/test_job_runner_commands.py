"""``hirehub jobs run``, and ``hirehub worker``, its deprecated old name: real processes that run the queue's due
jobs until SIGTERM and then print one JSON object saying how many they ran.

The job is one the product queues itself: ``hirehub reconcile run`` asks for a reconciliation, which on a
tenant without a directory connection ends at once ("nothing to compare with") and schedules the next one for
later, so exactly one job is due.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.cli.support import hirehub

POLLS = 600
"""How many times, 0.1 s apart, a test looks for the job to have run before it gives up."""


@dataclass
class Stopped:
    summary: dict[str, object]
    stderr: str


@pytest.fixture
def queued_reconciliation(hub_database: str) -> Iterator[str]:
    """A tenant with one due job: the reconciliation ``reconcile run`` queued. Yields the run's id."""
    hirehub("db", "upgrade")
    hirehub("tenant", "create", "--name", "Contoso", "--domain", "contoso.example")
    yield str(hirehub("reconcile", "run", "--tenant", "contoso.example")["id"])


def _run_until_the_job_is_done(hub_database: str, run_id: str, *command: str) -> Stopped:
    """Start ``hirehub <command> --json``, wait until the reconciliation ran, stop it with SIGTERM."""
    env = {**os.environ, "HIREHUB_DATABASE_URL": hub_database, "HIREHUB_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, "-m", "hirehub", *command, "--poll-interval", "0.05", "--json"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for _ in range(POLLS):
            if hirehub("reconcile", "show", "--tenant", "contoso.example", "--id", run_id)["finished_at"]:
                break
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    return Stopped(json.loads(stdout), stderr)


def test_jobs_run_runs_the_due_jobs_until_sigterm_and_says_how_many(
    hub_database: str, queued_reconciliation: str
) -> None:
    stopped = _run_until_the_job_is_done(hub_database, queued_reconciliation, "jobs", "run", "--runner-id", "r1")

    assert stopped.summary == {"worker_id": "r1", "jobs_run": 1}
    assert "deprecated" not in stopped.stderr


def test_the_worker_command_says_it_is_deprecated_on_stderr_and_still_runs_jobs(
    hub_database: str, queued_reconciliation: str
) -> None:
    stopped = _run_until_the_job_is_done(hub_database, queued_reconciliation, "worker", "--worker-id", "old")

    assert stopped.summary == {"worker_id": "old", "jobs_run": 1}
    assert "`hirehub worker` is deprecated" in stopped.stderr
    assert "hirehub jobs run" in stopped.stderr
