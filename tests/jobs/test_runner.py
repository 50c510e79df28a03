"""The job runner: runs each claimed job's handler and turns what happened into the job's next state."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import pytest

from hirehub.db.session import Database
from hirehub.jobs import Paused, PermanentFailure, RetryLater, list_jobs
from hirehub.jobs.claiming import claim
from hirehub.jobs.context import Handler, JobContext
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.jobs.queue import resume_paused
from hirehub.jobs.runner import JobRunner
from tests.jobs.conftest import ManualClock
from tests.jobs.support import add_job, load

LEASE = timedelta(seconds=60)


async def list_jobs_of(database: Database) -> list[DurableJob]:
    async with database.system_session() as session:
        return list(await list_jobs(session))


def _runner(database: Database, clock: ManualClock, handlers: Mapping[str, Handler], **options: Any) -> JobRunner:
    return JobRunner(database, handlers, "w1", clock, **options)


async def _until_lease_ends_at(database: Database, job_id: uuid.UUID, target: datetime) -> None:
    """Wait (up to five seconds) for a heartbeat to have moved the job's lease to ``target``."""
    for _ in range(500):
        if (await load(database, job_id)).lease_expires_at == target:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the lease never reached {target}")


async def test_a_handlers_result_is_stored_on_the_succeeded_job(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    async def joiner(context: JobContext) -> dict[str, Any]:
        return {"upn": f"{context.payload['name']}@contoso.example", "attempt": context.attempt}

    job_id = await add_job(database, tenant_id, clock(), "lifecycle.joiner", {"name": "ada"})

    assert await _runner(database, clock, {"lifecycle.joiner": joiner}).run_once() == 1

    stored = await load(database, job_id)
    assert (stored.status, stored.result, stored.finished_at) == (
        JobStatus.SUCCEEDED,
        {"upn": "ada@contoso.example", "attempt": 1},
        clock(),
    )


async def test_a_handler_can_work_in_its_jobs_tenant(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    seen: list[uuid.UUID] = []

    async def handler(context: JobContext) -> None:
        async with context.tenant_transaction() as session:
            seen.append(session.info["hirehub.tenant_id"])

    await add_job(database, tenant_id, clock())
    await _runner(database, clock, {"test.job": handler}).run_once()

    assert seen == [tenant_id]


async def test_a_transient_error_is_retried_later_with_the_error_kept(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    async def flaky(context: JobContext) -> None:
        raise ConnectionError("graph.microsoft.com unreachable")

    job_id = await add_job(database, tenant_id, clock())
    await _runner(database, clock, {"test.job": flaky}).run_once()

    stored = await load(database, job_id)
    assert stored.status == JobStatus.FAILED
    assert stored.last_error == "ConnectionError: graph.microsoft.com unreachable"
    assert clock() <= stored.run_at <= clock() + timedelta(seconds=2)


async def test_retry_later_waits_at_least_the_requested_time(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    async def throttled(context: JobContext) -> None:
        raise RetryLater(120, "throttled by Graph")

    job_id = await add_job(database, tenant_id, clock())
    await _runner(database, clock, {"test.job": throttled}).run_once()

    stored = await load(database, job_id)
    assert stored.status == JobStatus.FAILED
    assert stored.run_at >= clock() + timedelta(seconds=120)
    assert stored.last_error == "RetryLater: throttled by Graph"


async def test_a_permanent_failure_goes_dead_at_once(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    async def refused(context: JobContext) -> None:
        raise PermanentFailure("the UPN is taken by an unmanaged account")

    job_id = await add_job(database, tenant_id, clock())
    await _runner(database, clock, {"test.job": refused}).run_once()

    stored = await load(database, job_id)
    assert (stored.status, stored.attempts) == (JobStatus.DEAD, 1)
    assert stored.last_error == "PermanentFailure: the UPN is taken by an unmanaged account"


async def test_a_job_of_an_unknown_kind_goes_dead_saying_so(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock(), "lifecycle.teleport")

    await _runner(database, clock, {}).run_once()

    stored = await load(database, job_id)
    assert stored.status == JobStatus.DEAD
    assert stored.last_error == "no handler is registered for job kind 'lifecycle.teleport'"


async def test_a_result_that_is_not_json_fails_the_job_for_good(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    async def careless(context: JobContext) -> dict[str, Any]:
        return {"when": object()}

    job_id = await add_job(database, tenant_id, clock())
    await _runner(database, clock, {"test.job": careless}).run_once()

    stored = await load(database, job_id)
    assert stored.status == JobStatus.DEAD
    assert stored.last_error is not None and "not JSON" in stored.last_error


async def test_jobs_of_different_keys_run_at_the_same_time(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    started = {"P1": asyncio.Event(), "P2": asyncio.Event()}

    async def meet(context: JobContext) -> None:
        mine, other = context.payload["me"], context.payload["other"]
        started[mine].set()
        await asyncio.wait_for(started[other].wait(), timeout=5)  # only returns if the other runs meanwhile

    await add_job(database, tenant_id, clock(), payload={"me": "P1", "other": "P2"}, ordering_key="P1")
    await add_job(database, tenant_id, clock(), payload={"me": "P2", "other": "P1"}, ordering_key="P2")

    assert await _runner(database, clock, {"test.job": meet}, concurrency=2).run_once() == 2

    async with database.system_session() as session:
        assert {job.status for job in await list_jobs(session)} == {JobStatus.SUCCEEDED}


async def test_a_heartbeat_keeps_the_lease_of_a_long_handler(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    running, finish = asyncio.Event(), asyncio.Event()

    async def long(context: JobContext) -> None:
        running.set()
        await finish.wait()

    job_id = await add_job(database, tenant_id, clock())
    runner = _runner(database, clock, {"test.job": long}, lease=LEASE, heartbeat_interval=0.02)
    task = asyncio.create_task(runner.run_once())
    await running.wait()

    for _ in range(3):  # three minutes pass, more than a lease, with heartbeats in between
        clock.advance(60 - 1)
        target = clock() + LEASE
        await _until_lease_ends_at(database, job_id, target)
    assert await claim(database, "w2", clock(), LEASE) == []

    finish.set()
    await task
    assert (await load(database, job_id)).status == JobStatus.SUCCEEDED


async def test_a_runner_that_lost_its_lease_stops_the_handler_and_leaves_the_job_to_its_new_owner(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    running = asyncio.Event()
    cancelled = asyncio.Event()

    async def stalled(context: JobContext) -> dict[str, str]:
        running.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return {"by": "w1"}

    job_id = await add_job(database, tenant_id, clock())
    runner = _runner(database, clock, {"test.job": stalled}, lease=LEASE, heartbeat_interval=0.5)
    task = asyncio.create_task(runner.run_once())
    await running.wait()

    clock.advance(61)  # w1's lease ran out before its first heartbeat
    [taken] = await claim(database, "w2", clock(), LEASE)
    await asyncio.wait_for(task, timeout=10)

    assert taken.id == job_id
    assert cancelled.is_set()
    stored = await load(database, job_id)
    assert (stored.status, stored.lease_owner, stored.attempts, stored.result) == (JobStatus.RUNNING, "w2", 2, None)


async def test_run_forever_works_through_the_queue_keeping_each_keys_order_and_stops_when_asked(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    ran: list[tuple[str, int]] = []
    all_ran = asyncio.Event()
    active: dict[str, int] = {}
    overlaps: list[str] = []

    async def record(context: JobContext) -> None:
        key = context.payload["key"]
        active[key] = active.get(key, 0) + 1
        if active[key] > 1:
            overlaps.append(key)
        await asyncio.sleep(0.001)
        ran.append((key, context.payload["n"]))
        active[key] -= 1
        if len(ran) == 15:
            all_ran.set()

    for n in range(5):
        for key in ("P1", "P2", "P3"):
            await add_job(database, tenant_id, clock(), payload={"key": key, "n": n}, ordering_key=key)
    runner = _runner(database, clock, {"test.job": record}, concurrency=4)
    stop = asyncio.Event()
    serving = asyncio.create_task(runner.run_forever(stop, poll_interval=0.01))

    await asyncio.wait_for(all_ran.wait(), timeout=30)
    stop.set()
    await asyncio.wait_for(serving, timeout=10)

    assert overlaps == []
    for key in ("P1", "P2", "P3"):
        assert [n for k, n in ran if k == key] == [0, 1, 2, 3, 4]
    assert runner.jobs_run == 15


async def test_on_stop_a_job_that_does_not_finish_in_the_grace_period_goes_back_to_the_queue(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    running = asyncio.Event()

    async def endless(context: JobContext) -> None:
        running.set()
        await asyncio.sleep(3600)

    job_id = await add_job(database, tenant_id, clock())
    runner = _runner(database, clock, {"test.job": endless}, shutdown_grace=0.05)
    stop = asyncio.Event()
    serving = asyncio.create_task(runner.run_forever(stop, poll_interval=0.01))
    await running.wait()

    stop.set()
    await asyncio.wait_for(serving, timeout=10)

    stored = await load(database, job_id)
    assert (stored.status, stored.attempts, stored.lease_owner) == (JobStatus.QUEUED, 0, None)


async def test_on_stop_a_job_that_finishes_in_the_grace_period_completes(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    running, finish = asyncio.Event(), asyncio.Event()

    async def brief(context: JobContext) -> dict[str, bool]:
        running.set()
        await finish.wait()
        return {"done": True}

    job_id = await add_job(database, tenant_id, clock())
    runner = _runner(database, clock, {"test.job": brief}, shutdown_grace=10)
    stop = asyncio.Event()
    serving = asyncio.create_task(runner.run_forever(stop, poll_interval=0.01))
    await running.wait()

    stop.set()
    await asyncio.sleep(0.05)
    finish.set()
    await asyncio.wait_for(serving, timeout=10)

    stored = await load(database, job_id)
    assert (stored.status, stored.result) == (JobStatus.SUCCEEDED, {"done": True})


async def test_a_paused_job_is_held_without_spending_an_attempt_until_its_cause_is_removed(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    calls: list[int] = []

    async def provision(context: JobContext) -> None:
        calls.append(context.attempt)
        if len(calls) == 1:
            raise Paused("the connection needs Link account again")

    job_id = await add_job(database, tenant_id, clock(), "provisioning.sync", {})
    later = await add_job(database, tenant_id, clock(), "provisioning.sync", {})
    runner = _runner(database, clock, {"provisioning.sync": provision})
    assert await runner.run_once() == 2

    paused = await load(database, job_id)
    assert (paused.status, paused.attempts) == (JobStatus.HELD, 0)
    assert paused.last_error == "paused: the connection needs Link account again"
    async with database.tenant_transaction(tenant_id) as session:
        assert await resume_paused(session, now=clock()) == 1
        assert await resume_paused(session, now=clock()) == 0
    assert await runner.run_once() == 1
    resumed = await load(database, job_id)
    assert (resumed.status, resumed.attempts, calls) == (JobStatus.SUCCEEDED, 1, [1, 1, 1])  # the pause was free
    assert (await load(database, later)).status == JobStatus.SUCCEEDED


async def test_jobs_that_finish_together_are_completed_in_one_transaction(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    for n in range(8):
        await add_job(database, tenant_id, clock(), payload={"n": n})

    async def echo(context: JobContext) -> dict[str, Any]:
        return {"n": context.payload["n"]}

    runner = _runner(database, clock, {"test.job": echo}, concurrency=8)
    assert await runner.run_once() == 8

    assert runner.completions.batches == 1
    jobs = await list_jobs_of(database)
    assert sorted((job.status, job.result["n"]) for job in jobs) == [(JobStatus.SUCCEEDED, n) for n in range(8)]


async def test_when_the_database_refuses_a_batch_of_results_each_job_runs_again_after_its_lease(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        await add_job(database, tenant_id, clock(), payload={"n": n})

    async def refused(*_args: Any, **_kwargs: Any) -> set[uuid.UUID]:
        raise ConnectionError("the database went away")

    async def noop(context: JobContext) -> None:
        return None

    runner = _runner(database, clock, {"test.job": noop}, concurrency=3)
    monkeypatch.setattr("hirehub.jobs.claiming.complete_many", refused)
    assert await runner.run_once() == 3
    assert {job.status for job in await list_jobs_of(database)} == {JobStatus.RUNNING}

    monkeypatch.undo()
    clock.advance(LEASE.total_seconds())
    assert await runner.run_once() == 3
    jobs = await list_jobs_of(database)
    assert [(job.status, job.attempts) for job in jobs] == [(JobStatus.SUCCEEDED, 2)] * 3


async def test_a_polling_runner_looks_for_orphans_every_tenth_of_a_lease_not_at_every_claim(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    orphan = await add_job(database, tenant_id, clock())
    await claim(database, "gone", clock(), LEASE)
    runner = _runner(database, clock, {}, lease=LEASE)
    assert runner.orphan_interval == LEASE / 10

    clock.advance(59)
    assert await runner._claim(8) == []  # the first claim looks, a second before the lease expires
    clock.advance(1)
    assert await runner._claim(8) == []  # expired now, but the last look was only a second ago
    clock.advance(5)
    assert [job.id for job in await runner._claim(8)] == [orphan]  # a tenth of the lease since the last look
