"""A tenant of the hub provisioning into a directory of the Entra sandbox, and the job loop that drives it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from hirehub.bootstrap import event_routes, job_handlers
from hirehub.db.session import Database
from hirehub.directories.entra.connection_lifecycle import fingerprint
from hirehub.directories.entra.models import EntraConnection
from hirehub.events.dispatch import OutboxDispatcher
from hirehub.hr import services
from hirehub.hr.domain import HireDetails
from hirehub.hr.models import Department
from hirehub.jobs.models import DurableJob
from hirehub.jobs.runner import JobRunner
from hirehub.provisioning.connectors import Connectors
from hirehub.sandbox.entra.graph import directory_store
from hirehub.sandbox.entra.graph_store import GraphStore
from hirehub.sandbox.entra.world import Directory, EntraWorld

START = date(2027, 1, 4)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Hub:
    database: Database
    tenant_id: uuid.UUID
    clock: Clock
    world: EntraWorld
    directory: Directory
    connectors: Connectors

    @property
    def store(self) -> GraphStore:
        return directory_store(self.world, self.directory)

    def transaction(self) -> Any:
        return self.database.tenant_transaction(self.tenant_id)

    async def settle(self, horizon: timedelta = timedelta(minutes=30)) -> None:
        """Run every job due now or within ``horizon`` (retries after throttling), without reaching the
        scheduled ticks of later days."""
        worker = JobRunner(self.database, job_handlers(self.connectors), "e2e", self.clock, concurrency=4)
        start = self.clock.now
        for _ in range(400):
            await OutboxDispatcher(self.database, event_routes())(self.clock())
            if await worker.run_once():
                continue
            pending = [job for job in await self.jobs() if job.status in ("queued", "failed")]
            # Only a future run_at can become due: a past one that did not run waits behind another job.
            due = min((job.run_at for job in pending if job.run_at > self.clock.now), default=None)
            if due is None or due > start + horizon:
                return
            self.clock.now = max(self.clock.now, due)
        raise AssertionError("jobs kept coming")

    async def jobs(self) -> list[DurableJob]:
        async with self.database.tenant_session(self.tenant_id) as session:
            return list(await session.scalars(select(DurableJob)))

    async def department(self, number: str, name: str) -> uuid.UUID:
        async with self.transaction() as session:
            department = Department(department_number=number, name=name)
            session.add(department)
            await session.flush()
            return department.id

    async def hire(self, first: str, last: str, *, manager: uuid.UUID | None = None) -> uuid.UUID:
        async with self.transaction() as session:
            candidate = await services.create_candidate(
                session, services.NewCandidate(first_name=first, last_name=last)
            )
        async with self.transaction() as session:
            outcome = await services.hire(session, candidate.id, HireDetails(START), manager_id=manager)
        return outcome.worker.id

    def account(self, upn: str) -> dict[str, Any]:
        (user,) = [u.props for u in self.store.all("user") if u.props["userPrincipalName"] == upn]
        return user

    def groups_of(self, upn: str) -> set[str]:
        user_id = self.account(upn)["id"]
        return {str(g.props["displayName"]) for g in self.store.member_of(user_id)}


def mark_tested(connection: EntraConnection) -> None:
    """A connection as it is once it has passed *Test connection* (for a test whose subject is elsewhere, with no
    sandbox app to test against): only such a connection provisions."""
    connection.last_test = {"ok": True, "problems": [], "messages": []}
    connection.tested_fingerprint = fingerprint(connection)
