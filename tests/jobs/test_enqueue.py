"""Enqueueing: a job commits with the change that caused it, belongs to its tenant, and waits its turn."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select

from hirehub.db.session import Database, TenantScopeError
from hirehub.jobs import enqueue, list_jobs
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.tenancy.models import Company
from tests.jobs.conftest import ManualClock, make_tenant
from tests.jobs.support import add_job, load


async def _all_jobs(database: Database) -> list[DurableJob]:
    async with database.system_session() as session:
        return list((await session.scalars(select(DurableJob).order_by(DurableJob.sequence))).all())


async def test_a_job_commits_with_the_domain_change_that_enqueued_it(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    async with database.tenant_transaction(tenant_id) as session:
        session.add(Company(code="USMF", name="Contoso US"))
        job = await enqueue(session, "lifecycle.joiner", {"person": "P1"}, ordering_key="P1", now=clock())

    stored = await load(database, job.id)
    assert (stored.kind, stored.payload, stored.ordering_key) == ("lifecycle.joiner", {"person": "P1"}, "P1")
    assert stored.tenant_id == tenant_id
    assert stored.status == JobStatus.QUEUED
    assert stored.run_at == clock()
    assert (stored.attempts, stored.max_attempts) == (0, 8)


async def test_a_rolled_back_transaction_leaves_no_job(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    with pytest.raises(RuntimeError, match="hire refused"):
        async with database.tenant_transaction(tenant_id) as session:
            await enqueue(session, "lifecycle.joiner", {"person": "P1"}, ordering_key="P1", now=clock())
            await session.flush()
            raise RuntimeError("hire refused")

    assert await _all_jobs(database) == []


async def test_jobs_enqueued_in_one_transaction_get_increasing_sequence_numbers_in_enqueue_order(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    async with database.tenant_transaction(tenant_id) as session:
        ids = [(await enqueue(session, "test.job", {"n": n}, ordering_key="P1", now=clock())).id for n in range(5)]

    stored = await _all_jobs(database)
    assert [job.id for job in stored] == ids
    assert [job.payload["n"] for job in stored] == [0, 1, 2, 3, 4]


async def test_a_job_is_enqueued_only_in_a_tenant_session(database: Database, clock: ManualClock) -> None:
    async with database.system_session() as session:
        with pytest.raises(TenantScopeError):
            await enqueue(session, "test.job", {}, now=clock())


async def test_a_tenant_session_lists_only_its_own_tenants_jobs(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    other = await make_tenant(database, "fabrikam.example")
    mine = await add_job(database, tenant_id, clock())
    theirs = await add_job(database, other, clock())

    async with database.tenant_session(tenant_id) as session:
        assert [job.id for job in await list_jobs(session)] == [mine]
    async with database.tenant_session(other) as session:
        assert [job.id for job in await list_jobs(session)] == [theirs]
    async with database.system_session() as session:
        assert {job.id for job in await list_jobs(session)} == {mine, theirs}


async def test_listing_filters_by_status_and_shows_the_newest_first(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    first = await add_job(database, tenant_id, clock())
    second = await add_job(database, tenant_id, clock())

    async with database.tenant_session(tenant_id) as session:
        assert [job.id for job in await list_jobs(session)] == [second, first]
        assert [job.id for job in await list_jobs(session, status="queued", limit=1)] == [second]
        assert list(await list_jobs(session, status="dead")) == []


async def test_a_transaction_enqueueing_for_a_key_waits_until_an_earlier_one_for_that_key_has_committed(
    database: Database, database_url: str, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    """Otherwise the later sequence number could commit first, and run before the earlier job exists."""
    second = Database(database_url)

    async def enqueue_later() -> uuid.UUID:
        async with second.tenant_transaction(tenant_id) as session:
            return (await enqueue(session, "test.job", {"n": 2}, ordering_key="P1", now=clock())).id

    try:
        async with database.tenant_transaction(tenant_id) as session:
            earlier = await enqueue(session, "test.job", {"n": 1}, ordering_key="P1", now=clock())
            await session.flush()
            later = asyncio.create_task(enqueue_later())
            await asyncio.sleep(0.3)
            assert not later.done()
        later_id = await asyncio.wait_for(later, timeout=30)
    finally:
        await second.dispose()

    assert [job.id for job in await _all_jobs(database)] == [earlier.id, later_id]
