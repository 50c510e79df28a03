"""Idle runners are woken by PostgreSQL notifications: a job due at once starts without waiting for a poll.

Every runner here polls once an hour, so a job that runs within the test was claimed because of a
notification (or of the listener's (re)connection, which the tests wait past before enqueueing).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from hirehub.db.session import Database
from hirehub.jobs import enqueue
from hirehub.jobs.context import ClaimedJob, JobContext
from hirehub.jobs.runner import JobRunner
from hirehub.jobs.wakeups import APPLICATION_NAME, CHANNEL, Wakeups, connector_for
from tests.conftest import ENGINE
from tests.jobs.conftest import ManualClock
from tests.jobs.support import add_job

pytestmark = pytest.mark.skipif(ENGINE != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's; SQLite runners poll")

AN_HOUR = 3600.0
PATIENCE = 30.0
"""How long a test waits for what must happen before it calls it a failure (a guard against hanging, not a
measurement: the runners poll hourly, so without a notification nothing happens at all)."""


class WatchedRunner(JobRunner):
    """A runner that tells the test each time it has looked for jobs, so the test knows it is idle."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.looks: asyncio.Queue[int] = asyncio.Queue()

    async def _claim(self, limit: int, *, orphans: bool | None = None) -> list[ClaimedJob]:
        claimed = await super()._claim(limit, orphans=orphans)
        self.looks.put_nowait(len(claimed))
        return claimed


async def _looks(runner: WatchedRunner, count: int) -> None:
    """Wait until the runner has looked for jobs ``count`` more times."""
    for _ in range(count):
        await asyncio.wait_for(runner.looks.get(), PATIENCE)


def _recording(ran: asyncio.Queue[uuid.UUID]) -> Callable[[JobContext], Awaitable[None]]:
    async def handler(context: JobContext) -> None:
        ran.put_nowait(context.job.id)

    return handler


@asynccontextmanager
async def _running(runner: JobRunner) -> AsyncIterator[None]:
    stop = asyncio.Event()
    serving = asyncio.create_task(runner.run_forever(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(serving, PATIENCE)


def _listening_runner(
    database: Database, clock: ManualClock, ran: asyncio.Queue[uuid.UUID], wakeups: Wakeups
) -> WatchedRunner:
    return WatchedRunner(database, {"test.job": _recording(ran)}, "w1", clock, poll_interval=AN_HOUR, wakeups=wakeups)


async def test_a_job_enqueued_while_the_runner_is_idle_starts_without_waiting_for_the_poll(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    ran: asyncio.Queue[uuid.UUID] = asyncio.Queue()
    wakeups = Wakeups(connector_for(database))
    runner = _listening_runner(database, clock, ran, wakeups)
    async with _running(runner):
        await asyncio.wait_for(wakeups.connected.wait(), PATIENCE)
        await _looks(runner, 2)  # its first look, and the one its listener's connection asked for: now idle

        job_id = await add_job(database, tenant_id, clock())

        assert await asyncio.wait_for(ran.get(), PATIENCE) == job_id


async def test_the_listener_reconnects_when_its_connection_is_dropped_and_wakes_the_runner_again(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    ran: asyncio.Queue[uuid.UUID] = asyncio.Queue()
    wakeups = Wakeups(connector_for(database), reconnect_delay=0.01)
    runner = _listening_runner(database, clock, ran, wakeups)
    async with _running(runner):
        await asyncio.wait_for(wakeups.connected.wait(), PATIENCE)
        await _looks(runner, 2)

        async with database.engine.connect() as conn:
            dropped = await conn.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": APPLICATION_NAME},
            )
        assert dropped == 1
        await _looks(runner, 1)  # nothing but a new connection wakes the runner before the hourly poll
        assert wakeups.connections == 2

        job_id = await add_job(database, tenant_id, clock())

        assert await asyncio.wait_for(ran.get(), PATIENCE) == job_id


async def test_a_runner_without_a_connection_to_listen_on_keeps_trying_and_listens_once_it_gets_one(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    attempts = 0
    real = connector_for(database)

    async def flaky() -> asyncpg.Connection:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise OSError("connection refused")
        return await real()

    ran: asyncio.Queue[uuid.UUID] = asyncio.Queue()
    wakeups = Wakeups(flaky, reconnect_delay=0.01)
    runner = _listening_runner(database, clock, ran, wakeups)
    async with _running(runner):
        await asyncio.wait_for(wakeups.connected.wait(), PATIENCE)
        await _looks(runner, 2)

        job_id = await add_job(database, tenant_id, clock())

        assert await asyncio.wait_for(ran.get(), PATIENCE) == job_id
    assert (attempts, wakeups.connections) == (3, 1)


async def test_only_a_committed_transaction_with_a_job_due_now_notifies_and_it_does_so_once(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    heard: asyncio.Queue[str] = asyncio.Queue()
    listener = await connector_for(database)()
    try:
        await listener.add_listener(CHANNEL, lambda _conn, _pid, _channel, payload: heard.put_nowait(payload))

        async with database.tenant_transaction(tenant_id) as session:  # three jobs due now: one notification
            for _ in range(3):
                await enqueue(session, "test.job", {}, now=clock())
        await add_job(database, tenant_id, clock(), run_at=clock() + timedelta(hours=1))  # due later: none
        with pytest.raises(RuntimeError):
            async with database.tenant_transaction(tenant_id) as session:  # rolled back: none
                await enqueue(session, "test.job", {}, now=clock())
                raise RuntimeError("the enqueuing transaction fails")
        await listener.execute(f"NOTIFY {CHANNEL}, 'end of test'")

        received = [await asyncio.wait_for(heard.get(), PATIENCE)]
        while received[-1] != "end of test":
            received.append(await asyncio.wait_for(heard.get(), PATIENCE))
    finally:
        await listener.close()

    assert received == ["", "end of test"]
