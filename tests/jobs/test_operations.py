"""What an operator does with jobs: retry the dead, cancel what has not started, read the queue's state."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from hirehub.db.session import Database
from hirehub.errors import Conflict, NotFound
from hirehub.jobs import JobError, JobNotFound, cancel, queue_stats, retry
from hirehub.jobs.claiming import claim, complete, fail
from hirehub.jobs.models import JobStatus
from tests.jobs.conftest import ManualClock, make_tenant
from tests.jobs.support import add_job, load

LEASE = timedelta(seconds=60)


async def _dead_job(database: Database, tenant_id: uuid.UUID, clock: ManualClock) -> uuid.UUID:
    job_id = await add_job(database, tenant_id, clock(), max_attempts=1)
    await claim(database, "w1", clock(), LEASE)
    assert await fail(database, job_id, "w1", "mailbox quota exceeded", clock())
    return job_id


async def test_retrying_a_dead_job_queues_it_now_with_a_fresh_budget_of_attempts(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await _dead_job(database, tenant_id, clock)
    clock.advance(600)

    async with database.system_transaction() as session:
        await retry(session, job_id, now=clock())

    stored = await load(database, job_id)
    assert (stored.status, stored.attempts, stored.run_at, stored.finished_at) == (
        JobStatus.QUEUED,
        0,
        clock(),
        None,
    )
    assert stored.last_error == "mailbox quota exceeded"  # kept until the next attempt tells more
    [claimed] = await claim(database, "w2", clock(), LEASE)
    assert (claimed.id, claimed.attempt) == (job_id, 1)


async def test_a_succeeded_or_running_job_cannot_be_retried(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock())
    await claim(database, "w1", clock(), LEASE)

    async with database.system_transaction() as session:
        with pytest.raises(JobError, match="is running"):
            await retry(session, job_id)
    await complete(database, job_id, "w1", now=clock())
    async with database.system_transaction() as session:
        with pytest.raises(JobError, match="is succeeded: only a job that is dead, failed, cancelled"):
            await retry(session, job_id)


async def test_cancelling_a_queued_job_means_it_never_runs(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock())

    async with database.tenant_transaction(tenant_id) as session:
        await cancel(session, job_id, now=clock())

    stored = await load(database, job_id)
    assert (stored.status, stored.finished_at) == (JobStatus.CANCELLED, clock())
    assert await claim(database, "w1", clock(), LEASE) == []


async def test_a_running_job_cannot_be_cancelled(database: Database, tenant_id: uuid.UUID, clock: ManualClock) -> None:
    job_id = await add_job(database, tenant_id, clock())
    await claim(database, "w1", clock(), LEASE)

    async with database.system_transaction() as session:
        with pytest.raises(JobError, match="is running: only a job that is queued, failed, held can be cancelled"):
            await cancel(session, job_id)
    assert (await load(database, job_id)).status == JobStatus.RUNNING


async def test_a_cancelled_job_can_be_retried(database: Database, tenant_id: uuid.UUID, clock: ManualClock) -> None:
    job_id = await add_job(database, tenant_id, clock())
    async with database.system_transaction() as session:
        await cancel(session, job_id)
        await retry(session, job_id, now=clock())

    assert (await load(database, job_id)).status == JobStatus.QUEUED


async def test_a_tenant_cannot_touch_another_tenants_job(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    other = await make_tenant(database, "fabrikam.example")
    theirs = await add_job(database, other, clock())

    async with database.tenant_transaction(tenant_id) as session:
        with pytest.raises(JobNotFound):
            await cancel(session, theirs)
    assert (await load(database, theirs)).status == JobStatus.QUEUED


async def test_queue_stats_count_every_status_and_age_the_oldest_due_queued_job(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    other = await make_tenant(database, "fabrikam.example")
    await _dead_job(database, tenant_id, clock)
    await add_job(database, other, clock())
    clock.advance(30)
    await add_job(database, tenant_id, clock())
    await add_job(database, tenant_id, clock(), run_at=clock() + timedelta(days=30))  # not due: not late
    clock.advance(15)

    async with database.system_session() as session:
        stats = await queue_stats(session, now=clock())

    assert stats.depth == {
        "queued": 3,
        "running": 0,
        "succeeded": 0,
        "failed": 0,
        "dead": 1,
        "cancelled": 0,
        "held": 0,
    }
    assert stats.oldest_queued_age_seconds == 45


async def test_queue_stats_of_an_idle_queue_report_no_age(database: Database, clock: ManualClock) -> None:
    async with database.system_session() as session:
        stats = await queue_stats(session, now=clock())

    assert sum(stats.depth.values()) == 0
    assert stats.oldest_queued_age_seconds is None


async def test_an_operation_the_jobs_state_does_not_allow_is_a_conflict(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock())
    await claim(database, "w1", clock(), LEASE)

    with pytest.raises(Conflict):
        async with database.system_transaction() as session:
            await cancel(session, job_id)


async def test_an_unknown_job_is_not_found(database: Database) -> None:
    with pytest.raises(NotFound):
        async with database.system_session() as session:
            await retry(session, uuid.uuid4())
