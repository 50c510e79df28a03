"""A report's manager is set even when the report's sync runs before the manager has an account."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from hirehub.bootstrap import event_routes
from hirehub.db.session import Database
from hirehub.events.dispatch import OutboxDispatcher
from hirehub.jobs import queue
from hirehub.jobs.models import JobStatus
from hirehub.provisioning.sync import SYNC
from tests.provisioning.support import MONDAY, Engine, running_engine


@pytest.fixture
async def engine(database: Database) -> AsyncIterator[Engine]:
    async with running_engine(database) as engine:
        yield engine


async def test_a_report_synced_before_the_manager_gets_the_manager_once_the_managers_account_exists(
    engine: Engine,
) -> None:
    # Given a manager and their report hired in the same batch
    manager = await engine.hire("Maria", "Garcia", MONDAY)
    report = await engine.hire("Ann", "Lee", MONDAY, manager=manager)
    await OutboxDispatcher(engine.database, event_routes())(engine.clock())
    manager_job, report_job = await engine.jobs("queued", kind=SYNC)
    assert manager_job.payload["person_id"] == str(await engine.person_of(manager))
    assert report_job.payload["person_id"] == str(await engine.person_of(report))
    async with engine.transaction() as session:
        await queue.hold(session, manager_job.id)

    # When the report's job runs first
    await engine.settle()
    (done,) = [job for job in await engine.jobs() if job.id == report_job.id]
    assert done.status == JobStatus.SUCCEEDED  # nothing to retry in a loop: it waits for the manager's account
    assert done.result is not None and done.result["waiting_for_manager"] == await engine.personnel_number(manager)
    assert engine.account_of("Ann").manager_anchor is None

    # and the manager's only afterwards
    async with engine.transaction() as session:
        await queue.resume(session, manager_job.id)
    await engine.settle()

    # Then both accounts exist and the report's manager is set
    assert engine.account_of("Ann").manager_anchor == engine.account_of("Maria").anchor
    assert len(engine.directory.accounts()) == 2
    assert {job.status for job in await engine.jobs(kind=SYNC)} == {JobStatus.SUCCEEDED}


async def test_a_manager_whose_account_is_created_queues_a_sync_of_each_report_once(engine: Engine) -> None:
    manager = await engine.hire("Maria", "Garcia", MONDAY)
    await engine.hire("Ann", "Lee", MONDAY, manager=manager)
    await engine.hire("Bo", "Chen", MONDAY, manager=manager)
    # a report's sync may race the manager's creation and be retried: let the retries' backoff pass
    await engine.settle(retry_within=timedelta(minutes=10))
    reasons = [job.payload["reason"] for job in await engine.jobs(kind=SYNC)]
    assert reasons.count("manager account created") == 2
    assert {engine.account_of(first).manager_anchor for first in ("Ann", "Bo")} == {engine.account_of("Maria").anchor}
    before = len(await engine.jobs())
    await engine.settle()
    assert len(await engine.jobs()) == before  # converged: no job queues another
