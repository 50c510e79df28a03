"""The composition root: the one place the hub is assembled.

The API (:func:`hirehub.api.app.create_app`), the job runner, the CLI and the tests all build the hub here, so
what runs in production is what the tests run. Nothing registers itself at import time: the database is made
with the outbox's session class, every job kind is mapped to its handler, every domain event type to what it
sets off, and each tenant's directory is found through a :class:`~hirehub.provisioning.connectors.Connectors`
object that belongs to this hub alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db import clock_offset
from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.directories.entra.connections import ConnectionRuntime
from hirehub.directories.entra.connector_factory import EntraConnectors
from hirehub.directories.entra.runtime import runtime_from_settings
from hirehub.events.dispatch import EventHandler, EventRoutes, OutboxDispatcher, ThrottledDispatch
from hirehub.events.event import DomainEvent
from hirehub.events.outbox import OutboxSession
from hirehub.hr.events import WORKER_EVENTS
from hirehub.hr.record_changes import RecordChanged
from hirehub.hr.transitions import JOB_HANDLERS as HR_JOB_HANDLERS
from hirehub.jobs.claiming import DEFAULT_LEASE
from hirehub.jobs.context import Clock, Handler
from hirehub.jobs.heartbeat import Heartbeat
from hirehub.jobs.runner import JobRunner, default_runner_id
from hirehub.linkedin.data_queue import queue_record_change
from hirehub.linkedin.jobs import JOB_HANDLERS as LINKEDIN_JOB_HANDLERS
from hirehub.provisioning.connectors import Connectors
from hirehub.provisioning.handlers import job_handlers as provisioning_job_handlers
from hirehub.provisioning.sync import queue_sync
from hirehub.settings import Environment, Settings, get_settings


def open_database(url: str, **engine_kwargs: Any) -> Database:
    """The hub's database at ``url``: its sessions are tenant-scoped and write the outbox."""
    return Database(url, session_class=OutboxSession, **engine_kwargs)


async def queue_directory_sync(session: AsyncSession, event: DomainEvent) -> None:
    """A change to a worker is carried to the directory by a sync of that person, queued in the dispatch's
    transaction and ordered with the person's other jobs."""
    await queue_sync(session, event.subject_id, reason=event.name)


def event_routes() -> EventRoutes:
    """Every domain event type → what it sets off: a worker's change, a directory sync; a recruiting record's
    change, LinkedIn's data sync for the customer's enabled organizations."""
    routes: dict[type[DomainEvent], tuple[EventHandler, ...]] = {
        event_type: (queue_directory_sync,) for event_type in WORKER_EVENTS
    }
    routes[RecordChanged] = (queue_record_change,)
    return routes


def job_handlers(connectors: Connectors) -> dict[str, Handler]:
    """Every job kind the product enqueues → its handler; provisioning's reach a directory through ``connectors``."""
    return {**provisioning_job_handlers(connectors), **LINKEDIN_JOB_HANDLERS, **HR_JOB_HANDLERS}


@dataclass
class Hub:
    """One assembled hub: its settings, database and the maps that wire its parts together.

    ``connectors`` starts with the tenants' Entra ID connections; a test adds its own directory with
    ``hub.connectors.add(factory)`` (the handlers look connectors up when they run, so that is seen at once).
    """

    settings: Settings
    database: Database
    entra_runtime: ConnectionRuntime
    connectors: Connectors
    job_handlers: Mapping[str, Handler]
    event_routes: EventRoutes
    owns_database: bool = field(default=False, repr=False)

    def outbox_dispatcher(self) -> OutboxDispatcher:
        """Turns the outbox's pending events into their handlers' work (``await dispatcher(now)``)."""
        return OutboxDispatcher(self.database, self.event_routes)

    async def dispatch_outbox(self, now: datetime | None = None) -> int:
        """Dispatch every pending event once, now; returns how many there were."""
        return await self.outbox_dispatcher()(now)

    def job_runner(
        self,
        *,
        runner_id: str | None = None,
        concurrency: int = 8,
        poll_interval: float = 1.0,
        clock: Clock = utcnow,
        lease: timedelta = DEFAULT_LEASE,
        shutdown_grace: float = 30.0,
        handlers: Mapping[str, Handler] | None = None,
    ) -> JobRunner:
        """A job runner on this hub's database and handlers (or ``handlers``, a test's or a benchmark's), which
        dispatches the outbox before it looks for jobs, at most twice a second, and says it is alive (its
        heartbeat, which the console's dashboard reads)."""
        runner_id = runner_id or default_runner_id()
        return JobRunner(
            self.database,
            self.job_handlers if handlers is None else handlers,
            runner_id,
            clock,
            concurrency=concurrency,
            poll_interval=poll_interval,
            lease=lease,
            shutdown_grace=shutdown_grace,
            before_claim=[ThrottledDispatch(self.outbox_dispatcher()), Heartbeat(self.database, runner_id, clock)],
        )

    async def aclose(self) -> None:
        """Release what the hub opened: the Entra HTTP client, and the database when the hub made it."""
        if self.entra_runtime.http is not None:
            await self.entra_runtime.http.aclose()
        if self.owns_database:
            await self.database.dispose()


def build_hub(settings: Settings | None = None, *, database: Database | None = None) -> Hub:
    """Assemble a hub from ``settings`` (the environment's by default), on ``database`` when given.

    A database given must be the hub's kind (:func:`open_database`): a plain one would lose every domain event
    recorded in it. One the hub opens itself is disposed of by :meth:`Hub.aclose`.
    """
    settings = settings or get_settings()
    # Development's time travel (`hirehub demo clock advance`) shifts every process of the group on its embedded
    # database; production, and a hub on a database named by URL (the tests', a server's), never.
    travels = settings.env is Environment.DEVELOPMENT and not settings.database_url
    clock_offset.follow(clock_offset.offset_file(settings.data_dir) if travels else None)
    owns_database = database is None
    if database is None:
        database = open_database(settings.effective_database_url)
    elif not issubclass(database.session_class, OutboxSession):
        raise TypeError("the hub's database must write the outbox: open it with hirehub.bootstrap.open_database")
    entra_runtime = runtime_from_settings(settings, database)
    connectors = Connectors([EntraConnectors(database, entra_runtime)])
    return Hub(
        settings=settings,
        database=database,
        entra_runtime=entra_runtime,
        connectors=connectors,
        job_handlers=job_handlers(connectors),
        event_routes=event_routes(),
        owns_database=owns_database,
    )


@asynccontextmanager
async def running_hub(settings: Settings | None = None, *, database: Database | None = None) -> AsyncIterator[Hub]:
    """:func:`build_hub` for the length of a block, closed at its end (a command, a runner process, a test)."""
    hub = build_hub(settings, database=database)
    try:
        yield hub
    finally:
        await hub.aclose()
