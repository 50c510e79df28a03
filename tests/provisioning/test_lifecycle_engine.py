"""The lifecycle engine end to end, in one process: HR changes → outbox → jobs → plans → the directory.

HR changes go through the domain services, the outbox dispatcher queues syncs, a job worker runs them with a
controllable clock, and an in-memory directory stands in for Entra ID (the Entra connector has its own tests).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hirehub.audit.models import AuditEntry
from hirehub.bootstrap import event_routes, job_handlers
from hirehub.db.session import Database
from hirehub.events.dispatch import OutboxDispatcher
from hirehub.hr import services
from hirehub.hr.domain import HireDetails
from hirehub.hr.models import ReasonCode
from hirehub.hr.models import Worker as HRWorker
from hirehub.jobs.models import DurableJob
from hirehub.jobs.runner import JobRunner
from hirehub.lifecycle.connector import Connector
from hirehub.lifecycle.policy import policy_to_json, starter_policy
from hirehub.provisioning import approvals
from hirehub.provisioning.connectors import Connectors
from hirehub.provisioning.models import HeldPlan
from hirehub.provisioning.policies import set_policy
from hirehub.provisioning.sync import queue_sync
from hirehub.tenancy import service as tenancy
from hirehub.testing.memory_connector import InMemoryConnector

MONDAY = date(2027, 1, 4)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Engine:
    database: Database
    tenant_id: uuid.UUID
    clock: Clock
    directory: InMemoryConnector
    connectors: Connectors

    def transaction(self) -> Any:
        return self.database.tenant_transaction(self.tenant_id)

    async def settle(self) -> None:
        """Dispatch the outbox and run every job that is due, until nothing more is due now."""
        worker = JobRunner(self.database, job_handlers(self.connectors), "test-worker", self.clock, concurrency=4)
        for _ in range(20):
            await OutboxDispatcher(self.database, event_routes())(self.clock())
            if await worker.run_once() == 0:
                return
        raise AssertionError("jobs kept coming")

    async def hire(self, first: str, last: str, start: date) -> uuid.UUID:
        async with self.transaction() as session:
            candidate = await services.create_candidate(
                session, services.NewCandidate(first_name=first, last_name=last)
            )
        async with self.transaction() as session:
            outcome = await services.hire(session, candidate.id, HireDetails(start), today=self.clock().date())
        return outcome.worker.id

    async def jobs(self, status: str | None = None) -> list[DurableJob]:
        async with self.database.tenant_session(self.tenant_id) as session:
            query = select(DurableJob)
            if status is not None:
                query = query.where(DurableJob.status == status)
            return list(await session.scalars(query))

    async def audited(self) -> int:
        async with self.database.tenant_session(self.tenant_id) as session:
            entries = await session.scalars(select(AuditEntry).where(AuditEntry.actor == "lifecycle"))
            return len(list(entries))

    def account_of(self, first: str) -> Any:
        (account,) = [a for a in self.directory.accounts() if a.attributes.get("givenName") == first]
        return account


@pytest.fixture
async def engine(database: Database) -> AsyncIterator[Engine]:
    async with database.system_transaction() as session:
        tenant = await tenancy.create_tenant(session, name="Contoso", domain="contoso.example")
    clock = Clock(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    directory = InMemoryConnector(clock=clock)

    async def factory(tenant_id: uuid.UUID) -> Connector | None:
        return directory if tenant_id == tenant.id else None

    yield Engine(database, tenant.id, clock, directory, Connectors([factory]))


async def test_a_hire_starting_today_gets_an_enabled_account_with_an_audited_trail(engine: Engine) -> None:
    await engine.hire("José", "Núñez", MONDAY)
    await engine.settle()
    account = engine.account_of("José")
    assert account.user_principal_name == "jose.nunez@contoso.example"
    assert account.enabled is True
    assert "All staff" in account.groups
    async with engine.database.tenant_session(engine.tenant_id) as session:
        entries = list(await session.scalars(select(AuditEntry).where(AuditEntry.actor == "lifecycle")))
    assert entries and all(e.job_id is not None and e.outcome == "ok" for e in entries)
    assert {e.action for e in entries} >= {"directory.create_account"}
    assert [(j.kind, j.status) for j in await engine.jobs()] == [
        ("provisioning.sync", "succeeded"),
        ("provisioning.notify_reports", "succeeded"),  # tells the new account's reports, should there be any
    ]


async def test_namesakes_get_the_next_name_and_a_second_sync_changes_nothing(engine: Engine) -> None:
    await engine.hire("José", "Núñez", MONDAY)
    await engine.settle()
    await engine.hire("José", "Núñez", MONDAY)
    await engine.settle()
    names = sorted(a.user_principal_name for a in engine.directory.accounts())
    assert names == ["jnunez@contoso.example", "jose.nunez@contoso.example"]
    before = (engine.directory.accounts(), await engine.audited())
    async with engine.transaction() as session:
        for person_id in await session.scalars(select(HRWorker.person_id)):
            await queue_sync(session, person_id, reason="again")
    await engine.settle()
    assert (engine.directory.accounts(), await engine.audited()) == before  # converged: empty plans


async def test_a_future_hire_is_provisioned_in_its_window_disabled_then_enabled_on_the_start_date(
    engine: Engine,
) -> None:
    start = MONDAY + timedelta(days=30)
    await engine.hire("Ann", "Lee", start)
    await engine.settle()
    assert engine.directory.accounts() == []  # outside the 14-day window
    engine.clock.now = datetime.combine(start - timedelta(days=14), datetime.min.time(), tzinfo=UTC)
    await engine.settle()
    assert engine.account_of("Ann").enabled is False  # disabled until the start date
    engine.clock.now = datetime.combine(start, datetime.min.time(), tzinfo=UTC) + timedelta(minutes=1)
    await engine.settle()
    assert engine.account_of("Ann").enabled is True


async def test_a_leaver_is_disabled_at_the_end_of_the_last_day_in_the_tenants_zone(engine: Engine) -> None:
    async with engine.database.system_transaction() as session:
        tenant = await tenancy.find_tenant(session, str(engine.tenant_id))
        tenant.time_zone = "Pacific/Auckland"
    worker_id = await engine.hire("Ann", "Lee", MONDAY - timedelta(days=100))
    await engine.settle()
    last_day = MONDAY + timedelta(days=3)
    async with engine.transaction() as session:
        reason = ReasonCode(reason_code_id="RESIGN", description="Resigned")
        session.add(reason)
        await session.flush()
        await services.terminate(session, worker_id, last_day, reason_id=reason.id, today=MONDAY)
    await engine.settle()
    assert engine.account_of("Ann").enabled is True  # still working until the day ends
    # Auckland is UTC+13 in January: the last day ends at 11:00 UTC that same date.
    engine.clock.now = datetime(2027, 1, 7, 10, 59, tzinfo=UTC)
    await engine.settle()
    assert engine.account_of("Ann").enabled is True
    engine.clock.now = datetime(2027, 1, 7, 11, 0, 1, tzinfo=UTC)
    await engine.settle()
    assert engine.account_of("Ann").enabled is False


async def test_a_rehire_brings_back_the_same_account(engine: Engine) -> None:
    worker_id = await engine.hire("Ann", "Lee", MONDAY - timedelta(days=100))
    await engine.settle()
    first = engine.account_of("Ann").object_id
    async with engine.transaction() as session:
        await services.terminate(session, worker_id, MONDAY - timedelta(days=10), today=MONDAY - timedelta(days=20))
    await engine.settle()
    assert engine.account_of("Ann").enabled is False
    async with engine.transaction() as session:
        await services.rehire(session, worker_id, MONDAY)
    await engine.settle()
    account = engine.account_of("Ann")
    assert (account.object_id, account.enabled) == (first, True)
    assert len(engine.directory.accounts()) == 1


async def test_a_directory_that_is_down_is_waited_for_and_nothing_is_lost(engine: Engine) -> None:
    engine.directory.down_until(engine.clock.now + timedelta(minutes=5))
    await engine.hire("Ann", "Lee", MONDAY)
    await engine.settle()
    assert engine.directory.accounts() == []
    (waiting,) = await engine.jobs("failed")
    assert waiting.run_at > engine.clock.now  # retried later, honouring the directory's wait
    engine.clock.advance(hours=2)
    await engine.settle()
    assert engine.account_of("Ann").enabled is True


async def test_supervised_mode_holds_plans_until_a_person_approves(engine: Engine) -> None:
    async with engine.transaction() as session:
        await set_policy(session, policy_to_json(starter_policy("contoso.example", supervised=True)), by="test")
    await engine.hire("Ann", "Lee", MONDAY)
    await engine.settle()
    assert engine.directory.accounts() == []
    async with engine.database.tenant_session(engine.tenant_id) as session:
        (held,) = await approvals.held_plans(session)
    assert held.plan["steps"][0]["kind"] == "create_account"
    async with engine.transaction() as session:
        await approvals.approve(session, held.id, by="console:admin@contoso.example")
    await engine.settle()
    assert engine.account_of("Ann").enabled is True
    async with engine.transaction() as session:
        with pytest.raises(approvals.ApprovalError):
            await approvals.reject(session, held.id, by="console:admin@contoso.example")


async def test_a_rejected_plan_changes_nothing(engine: Engine) -> None:
    async with engine.transaction() as session:
        await set_policy(session, policy_to_json(starter_policy("contoso.example", supervised=True)), by="test")
    await engine.hire("Ann", "Lee", MONDAY)
    await engine.settle()
    async with engine.database.tenant_session(engine.tenant_id) as session:
        (held,) = await approvals.held_plans(session)
    async with engine.transaction() as session:
        rejected = await approvals.reject(session, held.id, by="console:admin@contoso.example")
        assert rejected.status == "rejected"
    await engine.settle()
    assert engine.directory.accounts() == []
    async with engine.database.tenant_session(engine.tenant_id) as session:
        assert (await session.get(HeldPlan, held.id)).status == "rejected"  # type: ignore[union-attr]
