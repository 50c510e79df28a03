"""From the outbox to its consumers: each event, read back typed, goes to the handlers its type is routed to.

The routes are an explicit map built by the composition root (say, every worker event → queue a directory
sync); this module knows no event type of its own. A dispatch takes a batch of undispatched events of one
tenant (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several job runners share the outbox; SQLite's write lock
does the same on one machine), runs their handlers and marks the events dispatched in the same transaction:
an event's handlers run to a commit exactly once, or not at all. Events no route names are marked dispatched
untouched.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.events.event import DomainEvent, decode
from hirehub.events.outbox import OutboxEvent

EventHandler = Callable[[AsyncSession, DomainEvent], Awaitable[None]]
"""Acts on one event inside the dispatching tenant transaction (typically: enqueue a job in ``session``)."""

EventRoutes = Mapping[type[DomainEvent], Sequence[EventHandler]]
"""Which handlers each event type goes to, in order."""

BATCH = 500


class OutboxDispatcher:
    """Dispatches the outbox of ``database`` along ``routes``."""

    def __init__(self, database: Database, routes: EventRoutes) -> None:
        self.database = database
        self.routes = routes
        self._types = {event_type.name: event_type for event_type in routes}

    async def __call__(self, now: datetime | None = None) -> int:
        """Turn every pending event into its handlers' work; returns how many events were dispatched."""
        async with self.database.system_session() as session:
            tenants = list(
                await session.scalars(
                    select(OutboxEvent.tenant_id).where(OutboxEvent.dispatched_at.is_(None)).distinct()
                )
            )
        dispatched = 0
        for tenant_id in tenants:
            dispatched += await self._dispatch_tenant(tenant_id, now or utcnow())
        return dispatched

    async def _dispatch_tenant(self, tenant_id: uuid.UUID, now: datetime) -> int:
        async with self.database.tenant_transaction(tenant_id) as session:
            query = (
                select(OutboxEvent)
                .where(OutboxEvent.dispatched_at.is_(None))
                .order_by(OutboxEvent.position)
                .limit(BATCH)
            )
            if self.database.is_postgresql:
                query = query.with_for_update(skip_locked=True)
            rows = list(await session.scalars(query))
            for row in rows:
                event_type = self._types.get(row.type)
                if event_type is not None:
                    event = decode(event_type, row.payload)
                    for handler in self.routes[event_type]:
                        await handler(session, event)
                row.dispatched_at = now
            return len(rows)


class ThrottledDispatch:
    """A dispatcher called at most every ``min_interval`` seconds: a busy job runner looks for jobs many times a
    second, and the outbox need not be read that often."""

    def __init__(self, dispatch: OutboxDispatcher, min_interval: float = 0.5) -> None:
        self.dispatch = dispatch
        self.min_interval = min_interval
        self._last = -min_interval

    async def __call__(self) -> int:
        moment = time.monotonic()
        if moment - self._last < self.min_interval:
            return 0
        self._last = moment
        return await self.dispatch()
