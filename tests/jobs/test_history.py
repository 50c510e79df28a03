"""A job's history: every attempt kept (number, start, end, outcome, error, runner), written with the outcome."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from hirehub.db.session import Database
from hirehub.jobs import Paused, PermanentFailure, RetryLater
from hirehub.jobs.claiming import claim, complete, fail
from hirehub.jobs.context import JobContext
from hirehub.jobs.history import attempts_of
from hirehub.jobs.models import HISTORY_LIMIT, AttemptOutcome, JobAttempt, JobStatus
from hirehub.jobs.queue import get_job, retry
from hirehub.jobs.runner import JobRunner
from hirehub.jobs.serialize import job_with_history
from tests.jobs.conftest import ManualClock, make_tenant
from tests.jobs.support import add_job, load


async def _history(database: Database, job_id: uuid.UUID) -> Sequence[JobAttempt]:
    async with database.system_session() as session:
        return await attempts_of(session, job_id)


def _outcomes(attempts: Sequence[JobAttempt]) -> list[tuple[int, str, str | None]]:
    return [(a.attempt, a.outcome, a.error) for a in attempts]


async def test_a_job_that_fails_twice_then_succeeds_shows_success_with_its_failures_as_history(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    calls = 0

    async def flaky(context: JobContext) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise RetryLater(1, f"directory busy ({calls})")
        return {"done": True}

    job_id = await add_job(database, tenant_id, clock())
    runner = JobRunner(database, {"test.job": flaky}, "runner-a", clock)
    starts = []
    for _ in range(3):
        starts.append(clock())
        await runner.run_once()
        clock.advance(3600)

    job = await load(database, job_id)
    history = await _history(database, job_id)
    assert (job.status, job.last_error, job.result) == (JobStatus.SUCCEEDED, None, {"done": True})
    assert _outcomes(history) == [
        (1, "failed", "RetryLater: directory busy (1)"),
        (2, "failed", "RetryLater: directory busy (2)"),
        (3, "succeeded", None),
    ]
    assert [(a.started_at, a.finished_at, a.runner_id) for a in history] == [(s, s, "runner-a") for s in starts]
    assert {a.tenant_id for a in history} == {tenant_id}


async def test_a_dead_job_keeps_every_failed_attempt_and_its_last_error(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    async def broken(context: JobContext) -> None:
        if context.attempt == 1:
            raise ConnectionError("reset by peer")
        raise PermanentFailure("UPN taken")

    job_id = await add_job(database, tenant_id, clock(), max_attempts=5)
    runner = JobRunner(database, {"test.job": broken}, "runner-a", clock)
    await runner.run_once()
    clock.advance(3600)
    await runner.run_once()

    job = await load(database, job_id)
    assert (job.status, job.last_error) == (JobStatus.DEAD, "PermanentFailure: UPN taken")
    assert _outcomes(await _history(database, job_id)) == [
        (1, "failed", "ConnectionError: reset by peer"),
        (2, "dead", "PermanentFailure: UPN taken"),
    ]


async def test_a_job_out_of_attempts_records_its_last_failure_as_dead(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    async def failing(context: JobContext) -> None:
        raise RuntimeError("no")

    job_id = await add_job(database, tenant_id, clock(), max_attempts=2)
    runner = JobRunner(database, {"test.job": failing}, "runner-a", clock)
    await runner.run_once()
    clock.advance(3600)
    await runner.run_once()

    assert [a.outcome for a in await _history(database, job_id)] == ["failed", "dead"]
    assert (await load(database, job_id)).status == JobStatus.DEAD


async def test_a_paused_attempt_is_kept_with_its_reason(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    async def unlinked(context: JobContext) -> None:
        raise Paused("the connection needs Link account")

    job_id = await add_job(database, tenant_id, clock())
    await JobRunner(database, {"test.job": unlinked}, "runner-a", clock).run_once()

    assert _outcomes(await _history(database, job_id)) == [(1, "paused", "paused: the connection needs Link account")]


async def test_an_attempt_whose_runner_vanished_is_kept_as_abandoned_and_the_job_runs_again(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock())
    started = clock()
    await claim(database, "runner-gone", started, timedelta(seconds=60))
    clock.advance(120)

    [taken] = await claim(database, "runner-b", clock(), timedelta(seconds=60))
    assert await complete(database, job_id, "runner-b", {"ok": 1}, now=clock())

    history = await _history(database, job_id)
    assert [(a.attempt, a.outcome, a.runner_id, a.started_at) for a in history] == [
        (1, "abandoned", "runner-gone", started),
        (2, "succeeded", "runner-b", clock()),
    ]
    assert "the lease of runner-gone expired" in (history[0].error or "")
    assert taken.attempt == 2


async def test_an_orphan_on_its_last_attempt_is_kept_as_dead(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock(), max_attempts=1)
    await claim(database, "runner-gone", clock(), timedelta(seconds=60))
    clock.advance(120)

    assert await claim(database, "runner-b", clock(), timedelta(seconds=60)) == []

    assert [(a.outcome, a.runner_id) for a in await _history(database, job_id)] == [("dead", "runner-gone")]


async def test_the_history_keeps_the_newest_attempts_only(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock(), max_attempts=HISTORY_LIMIT + 5)
    for number in range(1, HISTORY_LIMIT + 6):
        await claim(database, "runner-a", clock())
        await fail(database, job_id, "runner-a", f"failure {number}", clock(), permanent=False)
        clock.advance(10_000)

    history = await _history(database, job_id)
    assert len(history) == HISTORY_LIMIT
    assert (history[0].error, history[-1].error) == ("failure 6", f"failure {HISTORY_LIMIT + 5}")
    assert history[-1].outcome == AttemptOutcome.DEAD


async def test_an_operators_retry_keeps_the_earlier_history(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    calls: list[int] = []

    async def once_broken(context: JobContext) -> None:
        calls.append(context.attempt)
        if len(calls) == 1:
            raise PermanentFailure("bad payload")

    job_id = await add_job(database, tenant_id, clock())
    runner = JobRunner(database, {"test.job": once_broken}, "runner-a", clock)
    await runner.run_once()
    async with database.tenant_transaction(tenant_id) as session:
        await retry(session, job_id, now=clock())
    await runner.run_once()

    assert _outcomes(await _history(database, job_id)) == [(1, "dead", "PermanentFailure: bad payload"),
                                                            (1, "succeeded", None)]  # fmt: skip
    assert (await load(database, job_id)).last_error is None


async def test_another_tenant_sees_neither_the_job_nor_its_history(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    async def failing(context: JobContext) -> None:
        raise RuntimeError("no")

    job_id = await add_job(database, tenant_id, clock())
    await JobRunner(database, {"test.job": failing}, "runner-a", clock).run_once()
    other = await make_tenant(database, "fabrikam.example")

    async with database.tenant_session(other) as session:
        assert await attempts_of(session, job_id) == []
    async with database.tenant_session(tenant_id) as session:
        shown = await job_with_history(session, await get_job(session, job_id))
    assert [(a["attempt"], a["outcome"], a["error"]) for a in shown["history"]] == [(1, "failed", "RuntimeError: no")]
    assert set(shown["history"][0]) == {"attempt", "started_at", "finished_at", "outcome", "error", "runner_id"}
    assert shown["attempts"] == 1
