"""The lifecycle engine of one tenant in one process, for tests: HR services → outbox → jobs run by the real job
worker on a controllable clock → a directory (the in-memory connector, or anything wrapping it)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from hirehub.bootstrap import event_routes, job_handlers
from hirehub.db.session import Database
from hirehub.events.dispatch import OutboxDispatcher
from hirehub.hr import services
from hirehub.hr.domain import HireDetails
from hirehub.hr.models import Worker as HRWorker
from hirehub.jobs.models import DurableJob
from hirehub.jobs.runner import JobRunner
from hirehub.lifecycle.connector import Connector
from hirehub.lifecycle.directory_state import DirectoryAccount
from hirehub.lifecycle.planning import Phase, Plan, Step
from hirehub.lifecycle.policy import policy_to_json, starter_policy
from hirehub.provisioning.connectors import Connectors
from hirehub.provisioning.policies import set_policy
from hirehub.tenancy import service as tenancy
from hirehub.testing.memory_connector import InMemoryConnector

MONDAY = date(2027, 1, 4)
DOMAIN = "contoso.example"


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def to(self, day: date, *, minutes: int = 1) -> None:
        """A minute into ``day`` (UTC, the tenant's zone in these tests)."""
        self.now = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(minutes=minutes)


@dataclass
class Engine:
    database: Database
    tenant_id: uuid.UUID
    clock: Clock
    directory: InMemoryConnector
    connector: Connector
    connectors: Connectors
    workers: int = 1

    def transaction(self) -> Any:
        return self.database.tenant_transaction(self.tenant_id)

    def session(self) -> Any:
        return self.database.tenant_session(self.tenant_id)

    async def settle(self, *, retry_within: timedelta = timedelta(0), rounds: int = 400) -> None:
        """Dispatch the outbox and run every due job until none is due. With ``retry_within``, time also moves on
        to each retry that falls due within that span (a failed attempt's backoff), until nothing is waiting."""
        handlers = job_handlers(self.connectors)
        runners = [
            JobRunner(self.database, handlers, f"test-worker-{n}", self.clock, concurrency=4)
            for n in range(self.workers)
        ]
        for _ in range(rounds):
            await OutboxDispatcher(self.database, event_routes())(self.clock())
            ran = sum(await asyncio.gather(*(runner.run_once() for runner in runners)))  # side by side
            if ran:
                continue
            retry = min((j.run_at for j in await self.jobs("failed")), default=None)
            if retry is None or retry > self.clock() + retry_within:
                return
            self.clock.now = max(self.clock.now, retry)
        raise AssertionError("jobs kept coming")

    async def hire(self, first: str, last: str, start: date, *, manager: uuid.UUID | None = None) -> uuid.UUID:
        async with self.transaction() as session:
            candidate = await services.create_candidate(
                session, services.NewCandidate(first_name=first, last_name=last)
            )
        async with self.transaction() as session:
            outcome = await services.hire(
                session, candidate.id, HireDetails(start), manager_id=manager, today=self.clock().date()
            )
        return outcome.worker.id

    async def set_policy(self, **changes: Any) -> None:
        async with self.transaction() as session:
            await set_policy(session, policy_to_json(starter_policy(DOMAIN, **changes)), by="test", now=self.clock())

    async def jobs(self, status: str | None = None, kind: str | None = None) -> list[DurableJob]:
        async with self.session() as session:
            query = select(DurableJob).order_by(DurableJob.sequence)
            if status is not None:
                query = query.where(DurableJob.status == status)
            if kind is not None:
                query = query.where(DurableJob.kind == kind)
            return list(await session.scalars(query))

    async def person_of(self, worker_id: uuid.UUID) -> uuid.UUID:
        async with self.session() as session:
            worker = await session.get(HRWorker, worker_id)
            assert worker is not None
            return worker.person_id

    async def personnel_number(self, worker_id: uuid.UUID) -> str:
        async with self.session() as session:
            worker = await session.get(HRWorker, worker_id)
            assert worker is not None
            return worker.personnel_number

    def account_of(self, first: str) -> DirectoryAccount:
        (account,) = [a for a in self.directory.accounts() if a.attributes.get("givenName") == first]
        return account

    async def tamper(self, account: DirectoryAccount, *steps: Step) -> DirectoryAccount:
        """Change the directory behind the engine's back, as an administrator in the Entra portal would."""
        plan = Plan("", account.anchor or "", Phase.ACTIVE, account.object_id, steps)
        result = await self.directory.apply(plan, account)
        assert result.ok and result.account is not None
        return result.account


@asynccontextmanager
async def running_engine(
    database: Database,
    *,
    name: str = "Contoso",
    domain: str = DOMAIN,
    clock: Clock | None = None,
    wrap: Any = None,
    workers: int = 1,
) -> AsyncIterator[Engine]:
    """A tenant whose directory is an in-memory one, seen through ``wrap(directory)`` when given."""
    async with database.system_transaction() as session:
        tenant = await tenancy.create_tenant(session, name=name, domain=domain)
    clock = clock or Clock(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    directory = InMemoryConnector(clock=clock)
    connector: Connector = wrap(directory) if wrap is not None else directory

    async def factory(tenant_id: uuid.UUID) -> Connector | None:
        return connector if tenant_id == tenant.id else None

    yield Engine(database, tenant.id, clock, directory, connector, Connectors([factory]), workers)
