"""Several job runners at once: no job runs twice, and each key's jobs still run one at a time, in order.

On PostgreSQL the claimers are separate engines racing through ``FOR UPDATE SKIP LOCKED``; on SQLite the
same test runs on the one-machine guarantee (``BEGIN IMMEDIATE`` serialises the claims).
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from hirehub.db.session import Database
from hirehub.jobs import enqueue
from hirehub.jobs.claiming import claim
from hirehub.jobs.context import JobContext
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.jobs.runner import JobRunner
from tests.jobs.conftest import ManualClock

KEYS = 20
PER_KEY = 10
CLAIMERS = 4


@pytest.fixture
async def claimers(database_url: str) -> AsyncIterator[list[Database]]:
    """Four independent connections pools on the same database, as four job runner processes would have."""
    databases = [Database(database_url) for _ in range(CLAIMERS)]
    try:
        yield databases
    finally:
        for database in databases:
            await database.dispose()


async def test_concurrent_claimers_never_take_the_same_job(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock, claimers: list[Database], engine_name: str
) -> None:
    async with database.tenant_transaction(tenant_id) as session:
        for n in range(200):
            await enqueue(session, "test.job", {"n": n}, now=clock())

    batches = await asyncio.gather(
        *(claim(db, f"w{i}", clock(), limit=60) for i, db in enumerate(claimers) for _ in range(2))
    )

    taken = [job.id for batch in batches for job in batch]
    assert len(taken) == len(set(taken)) == 200


async def test_four_runners_over_two_hundred_jobs_in_twenty_keys_run_each_once_and_each_key_in_order(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock, claimers: list[Database]
) -> None:
    async with database.tenant_transaction(tenant_id) as session:
        for n in range(PER_KEY):
            for key in range(KEYS):
                await enqueue(session, "test.job", {"key": f"P{key}", "n": n}, ordering_key=f"P{key}", now=clock())
    executed: list[tuple[uuid.UUID, str, int]] = []
    running: Counter[str] = Counter()
    overlaps: list[str] = []
    draws = random.Random(11)

    async def record(context: JobContext) -> None:
        key = context.payload["key"]
        running[key] += 1
        if running[key] > 1:
            overlaps.append(key)
        await asyncio.sleep(draws.random() / 500)
        executed.append((context.job.id, key, context.payload["n"]))
        running[key] -= 1

    async def work(db: Database, index: int) -> None:
        runner = JobRunner(db, {"test.job": record}, f"w{index}", clock, concurrency=5)
        while len(executed) < KEYS * PER_KEY:
            if await runner.run_once() == 0:
                await asyncio.sleep(0.005)

    await asyncio.wait_for(asyncio.gather(*(work(db, i) for i, db in enumerate(claimers))), timeout=120)

    ids = [job_id for job_id, _, _ in executed]
    assert len(ids) == len(set(ids)) == KEYS * PER_KEY
    assert overlaps == []
    for key in range(KEYS):
        assert [n for _, k, n in executed if k == f"P{key}"] == list(range(PER_KEY))
    async with database.system_session() as session:
        rows = (await session.scalars(select(DurableJob))).all()
    assert {(job.status, job.attempts) for job in rows} == {(JobStatus.SUCCEEDED, 1)}
    assert len({job.lease_owner for job in rows}) > 1  # the work was shared, not done by one
