"""Claiming: due jobs, oldest first, one at a time per ordering key, under a lease only its holder can use."""

from __future__ import annotations

import uuid
from datetime import timedelta

from hirehub.db.session import Database
from hirehub.jobs import cancel, hold, resume
from hirehub.jobs.claiming import claim, complete, complete_many, fail, heartbeat, release
from hirehub.jobs.models import JobStatus
from tests.jobs.conftest import ManualClock, make_tenant
from tests.jobs.support import add_job, load

LEASE = timedelta(seconds=60)


def _upper(low: float, high: float) -> float:
    """A 'random' draw that always takes the longest wait, so backoff is predictable."""
    return high


def _lower(low: float, high: float) -> float:
    return low


async def _claim_ids(database: Database, clock: ManualClock, worker: str = "w1", limit: int = 10) -> list[uuid.UUID]:
    return [job.id for job in await claim(database, worker, clock(), LEASE, limit)]


async def test_claim_takes_due_jobs_oldest_first_up_to_the_limit(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    other = await make_tenant(database, "fabrikam.example")
    first = await add_job(database, tenant_id, clock())
    second = await add_job(database, other, clock())
    third = await add_job(database, tenant_id, clock())

    assert await _claim_ids(database, clock, limit=2) == [first, second]
    assert await _claim_ids(database, clock, limit=2) == [third]
    assert await _claim_ids(database, clock) == []


async def test_claiming_marks_the_job_running_under_the_workers_lease(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock(), payload={"person": "P1"}, ordering_key="P1")

    [claimed] = await claim(database, "w1", clock(), LEASE)

    assert (claimed.id, claimed.kind, claimed.payload, claimed.attempt) == (job_id, "test.job", {"person": "P1"}, 1)
    assert claimed.tenant_id == tenant_id
    stored = await load(database, job_id)
    assert stored.status == JobStatus.RUNNING
    assert stored.lease_owner == "w1"
    assert stored.lease_expires_at == clock() + LEASE
    assert stored.attempts == 1


async def test_a_scheduled_job_waits_for_its_run_at(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock(), run_at=clock() + timedelta(hours=2))

    assert await _claim_ids(database, clock) == []
    clock.advance(2 * 3600 - 1)
    assert await _claim_ids(database, clock) == []
    clock.advance(1)
    assert await _claim_ids(database, clock) == [job_id]


async def test_a_later_job_of_the_same_key_waits_while_the_earlier_one_runs_but_other_keys_do_not(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    p1_first = await add_job(database, tenant_id, clock(), ordering_key="P1")
    p1_second = await add_job(database, tenant_id, clock(), ordering_key="P1")
    p2 = await add_job(database, tenant_id, clock(), ordering_key="P2")
    unkeyed = await add_job(database, tenant_id, clock())

    assert await _claim_ids(database, clock) == [p1_first, p2, unkeyed]
    assert await _claim_ids(database, clock, "w2") == []

    assert await complete(database, p1_first, "w1", {"ok": True}, now=clock())
    assert await _claim_ids(database, clock, "w2") == [p1_second]


async def test_a_later_job_of_the_same_key_waits_while_the_earlier_one_waits_for_a_retry(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    first = await add_job(database, tenant_id, clock(), ordering_key="P1")
    second = await add_job(database, tenant_id, clock(), ordering_key="P1")
    await _claim_ids(database, clock)
    assert await fail(database, first, "w1", "directory unavailable", clock(), uniform=_upper)

    assert await _claim_ids(database, clock) == []  # first waits 2 s; second waits behind it
    clock.advance(2)
    assert await _claim_ids(database, clock) == [first]
    assert await complete(database, first, "w1", None, now=clock())
    assert await _claim_ids(database, clock) == [second]


async def test_a_cancelled_or_dead_earlier_job_no_longer_holds_up_its_key(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    doomed = await add_job(database, tenant_id, clock(), ordering_key="P1", max_attempts=1)
    cancelled = await add_job(database, tenant_id, clock(), ordering_key="P1")
    last = await add_job(database, tenant_id, clock(), ordering_key="P1")
    await _claim_ids(database, clock)
    assert await fail(database, doomed, "w1", "refused", clock())
    async with database.system_transaction() as session:
        await cancel(session, cancelled, now=clock())

    assert (await load(database, doomed)).status == JobStatus.DEAD
    assert await _claim_ids(database, clock) == [last]


async def test_a_held_job_does_not_run_and_holds_up_its_key_until_resumed(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    held = await add_job(database, tenant_id, clock(), ordering_key="P1")
    behind = await add_job(database, tenant_id, clock(), ordering_key="P1")
    async with database.tenant_transaction(tenant_id) as session:
        await hold(session, held)

    assert await _claim_ids(database, clock) == []

    async with database.tenant_transaction(tenant_id) as session:
        await resume(session, held)
    assert await _claim_ids(database, clock) == [held]
    assert await complete(database, held, "w1", now=clock())
    assert await _claim_ids(database, clock) == [behind]


async def test_the_same_ordering_key_in_another_tenant_is_another_key(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    other = await make_tenant(database, "fabrikam.example")
    mine = await add_job(database, tenant_id, clock(), ordering_key="P1")
    theirs = await add_job(database, other, clock(), ordering_key="P1")

    assert await _claim_ids(database, clock) == [mine, theirs]


async def test_after_the_lease_expires_another_worker_takes_the_job_and_the_first_can_no_longer_report(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock())
    await _claim_ids(database, clock, "w1")

    clock.advance(59)
    assert await _claim_ids(database, clock, "w2") == []
    clock.advance(1)
    [taken] = await claim(database, "w2", clock(), LEASE)

    assert (taken.id, taken.attempt, taken.lease_owner) == (job_id, 2, "w2")
    assert not await complete(database, job_id, "w1", {"by": "w1"}, now=clock())
    assert not await fail(database, job_id, "w1", "late", clock())
    assert not await heartbeat(database, job_id, "w1", clock(), LEASE)
    assert not await release(database, job_id, "w1")
    stored = await load(database, job_id)
    assert (stored.status, stored.lease_owner, stored.last_error) == (JobStatus.RUNNING, "w2", None)

    assert await complete(database, job_id, "w2", {"by": "w2"}, now=clock())
    stored = await load(database, job_id)
    assert (stored.status, stored.result, stored.finished_at) == (JobStatus.SUCCEEDED, {"by": "w2"}, clock())


async def test_a_heartbeat_extends_the_lease(database: Database, tenant_id: uuid.UUID, clock: ManualClock) -> None:
    job_id = await add_job(database, tenant_id, clock())
    await _claim_ids(database, clock, "w1")

    clock.advance(50)
    assert await heartbeat(database, job_id, "w1", clock(), LEASE)

    clock.advance(50)  # 100 s after the claim, 50 s after the heartbeat
    assert await _claim_ids(database, clock, "w2") == []
    assert (await load(database, job_id)).lease_expires_at == clock() + timedelta(seconds=10)
    clock.advance(10)
    assert await _claim_ids(database, clock, "w2") == [job_id]


async def test_a_failed_job_backs_off_exponentially(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock())
    waits = []
    for _ in range(4):
        clock.now = (await load(database, job_id)).run_at
        assert await _claim_ids(database, clock) == [job_id]
        assert await fail(database, job_id, "w1", "timeout", clock(), uniform=_upper)
        stored = await load(database, job_id)
        assert stored.status == JobStatus.FAILED
        waits.append((stored.run_at - clock()).total_seconds())

    assert waits == [2, 4, 8, 16]


async def test_a_failed_job_waits_at_least_as_long_as_the_service_asked(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock())
    await _claim_ids(database, clock)

    assert await fail(database, job_id, "w1", "429 Too Many Requests", clock(), retry_after=30, uniform=_lower)

    stored = await load(database, job_id)
    assert stored.run_at == clock() + timedelta(seconds=30)
    assert stored.last_error == "429 Too Many Requests"


async def test_a_job_goes_dead_with_its_last_error_after_max_attempts(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock(), max_attempts=3)
    for attempt in range(1, 4):
        clock.now = (await load(database, job_id)).run_at
        assert await _claim_ids(database, clock) == [job_id]
        assert await fail(database, job_id, "w1", f"error {attempt}", clock(), uniform=_upper)

    stored = await load(database, job_id)
    assert (stored.status, stored.attempts, stored.last_error) == (JobStatus.DEAD, 3, "error 3")
    assert stored.finished_at == clock()
    clock.advance(3600 * 24)
    assert await _claim_ids(database, clock) == []


async def test_a_job_whose_worker_vanished_on_its_last_attempt_goes_dead_rather_than_run_again(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock(), max_attempts=1)
    await _claim_ids(database, clock, "w1")

    clock.advance(61)
    assert await _claim_ids(database, clock, "w2") == []

    stored = await load(database, job_id)
    assert stored.status == JobStatus.DEAD
    assert stored.last_error is not None and "lease of w1 expired" in stored.last_error


async def test_a_released_job_is_queued_again_without_counting_the_attempt(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    job_id = await add_job(database, tenant_id, clock())
    await _claim_ids(database, clock, "w1")

    assert await release(database, job_id, "w1")

    stored = await load(database, job_id)
    assert (stored.status, stored.attempts, stored.lease_owner) == (JobStatus.QUEUED, 0, None)
    assert await _claim_ids(database, clock, "w2") == [job_id]


async def _orphaned_job(database: Database, tenant_id: uuid.UUID, clock: ManualClock) -> uuid.UUID:
    """A job claimed by w1, whose lease has just expired (w1 died)."""
    job_id = await add_job(database, tenant_id, clock())
    await _claim_ids(database, clock, "w1")
    clock.advance(LEASE.total_seconds())
    return job_id


async def test_a_claim_without_orphans_leaves_expired_leases_alone_but_still_takes_due_jobs(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    orphan = await _orphaned_job(database, tenant_id, clock)
    due = await add_job(database, tenant_id, clock())

    assert [job.id for job in await claim(database, "w2", clock(), LEASE, 10, orphans=False)] == [due]
    assert (await load(database, orphan)).lease_owner == "w1"
    assert [job.id for job in await claim(database, "w2", clock(), LEASE, 10, orphans=True)] == [orphan]


async def test_orphans_are_taken_up_before_due_jobs_and_count_towards_the_limit(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    orphan = await _orphaned_job(database, tenant_id, clock)
    first_due = await add_job(database, tenant_id, clock())
    second_due = await add_job(database, tenant_id, clock())

    assert await _claim_ids(database, clock, "w2", limit=2) == [orphan, first_due]
    assert await _claim_ids(database, clock, "w2", limit=2) == [second_due]


async def test_completing_many_at_once_marks_only_the_jobs_whose_lease_the_worker_still_holds(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    taken_over = await _orphaned_job(database, tenant_id, clock)
    await _claim_ids(database, clock, "w2")
    first, second = await add_job(database, tenant_id, clock()), await add_job(database, tenant_id, clock())
    await _claim_ids(database, clock, "w1")

    done = await complete_many(database, "w1", {taken_over: {"by": "w1"}, first: {"n": 1}, second: None}, now=clock())

    assert done == {first, second}
    stored = [await load(database, job_id) for job_id in (taken_over, first, second)]
    assert [(job.status, job.result) for job in stored] == [
        (JobStatus.RUNNING, None),
        (JobStatus.SUCCEEDED, {"n": 1}),
        (JobStatus.SUCCEEDED, None),
    ]
    assert [job.finished_at for job in stored] == [None, clock(), clock()]
    assert all(job.lease_expires_at is None for job in stored[1:])
