"""The real ``hirehub jobs run`` process: killed mid-run, another takes over, and every job finishes once.

The jobs are of the test-only ``noop`` kind (added to the hub's handlers by :mod:`tests.jobs.noop_runner`),
whose result records the runner and the attempt that completed it: a job completed by a stale attempt, or
completed twice, would show a result that does not match its final attempt count.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.testing.jobs import NOOP
from tests.jobs.support import add_job

pytestmark = pytest.mark.slow

JOBS = 32
KEYS = 8


COMMAND = str(Path(__file__).with_name("noop_runner.py"))


async def _start(url: str, runner_id: str, *options: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "HIREHUB_DATABASE_URL": url, "HIREHUB_LOG_LEVEL": "WARNING"}
    command = [sys.executable, COMMAND, "jobs", "run", "--runner-id", runner_id, "--json", *options]
    return await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )


async def _jobs(database: Database) -> Sequence[DurableJob]:
    async with database.system_session() as session:
        return (await session.scalars(select(DurableJob).order_by(DurableJob.sequence))).all()


async def _until(
    database: Database, description: str, ready: Callable[[Sequence[DurableJob]], bool], seconds: float = 90
) -> Sequence[DurableJob]:
    """Poll the job rows until ``ready(rows)`` holds."""
    for _ in range(int(seconds / 0.05)):
        rows = await _jobs(database)
        if ready(rows):
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting until {description}: {[(j.status, j.lease_owner) for j in rows]}")


def _count(rows: Sequence[DurableJob], status: JobStatus, owner: str | None = None) -> int:
    return sum(1 for j in rows if j.status == status and (owner is None or j.lease_owner == owner))


async def _stop(process: asyncio.subprocess.Process) -> dict[str, object]:
    process.send_signal(signal.SIGTERM)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    parsed: dict[str, object] = json.loads(stdout.decode())
    return parsed


async def test_the_jobs_of_a_killed_runner_are_taken_up_by_another_and_every_job_finishes_exactly_once(
    database: Database, database_url: str, tenant_id: uuid.UUID
) -> None:
    for n in range(JOBS):
        key = f"P{n % KEYS}"
        await add_job(database, tenant_id, utcnow(), NOOP, {"seconds": 0.15, "n": n}, ordering_key=key)
    options = ("--concurrency", "4", "--poll-interval", "0.05", "--lease-seconds", "2")

    first = await _start(database_url, "first", *options)
    try:
        await _until(
            database,
            "the first runner has finished some jobs and is running others",
            lambda rows: _count(rows, JobStatus.SUCCEEDED) >= 4 and _count(rows, JobStatus.RUNNING, "first") >= 1,
        )
    finally:
        first.kill()  # SIGKILL: no chance to give anything back
        await first.wait()
    interrupted = {j.id for j in await _jobs(database) if j.status == JobStatus.RUNNING}
    assert interrupted

    second = await _start(database_url, "second", *options)
    try:
        rows = await _until(database, "every job has succeeded", lambda r: _count(r, JobStatus.SUCCEEDED) == JOBS)
    finally:
        summary = await _stop(second)

    assert summary["worker_id"] == "second"
    for job in rows:
        assert job.result is not None and job.attempts >= 1
        assert job.result["attempt"] == job.attempts  # completed by its last attempt, and only by it
        assert job.result["worker_id"] == job.lease_owner
    assert {j.id for j in rows if j.attempts == 2} == interrupted
    assert {(j.result or {}).get("worker_id") for j in rows if j.id in interrupted} == {"second"}
    for person in (f"P{k}" for k in range(KEYS)):
        finished = [j.finished_at.timestamp() for j in rows if j.ordering_key == person and j.finished_at]
        assert len(finished) == JOBS // KEYS
        assert finished == sorted(finished)  # each person's jobs completed in enqueue order


async def test_sigterm_gives_a_job_that_cannot_finish_in_the_grace_period_back_to_the_queue(
    database: Database, database_url: str, tenant_id: uuid.UUID
) -> None:
    job_id = await add_job(database, tenant_id, utcnow(), NOOP, {"seconds": 120})

    runner = await _start(database_url, "graceful", "--poll-interval", "0.05", "--shutdown-grace", "0.2")
    try:
        await _until(database, "the job runs", lambda rows: _count(rows, JobStatus.RUNNING, "graceful") == 1)
    finally:
        summary = await _stop(runner)

    [job] = await _jobs(database)
    assert (job.id, job.status, job.attempts, job.lease_owner) == (job_id, JobStatus.QUEUED, 0, None)
    assert summary == {"worker_id": "graceful", "jobs_run": 0}
