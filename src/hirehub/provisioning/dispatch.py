"""From the outbox to jobs: every worker event queues a sync of that person, in the order the events happened.

The dispatcher runs in every ``hirehub worker`` before it looks for jobs. It takes a batch of undispatched events
of one tenant (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share the outbox; SQLite's write lock
does the same on one machine), queues the syncs and marks the events dispatched in the same transaction: an event
is turned into a job exactly once, or not at all.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime

from sqlalchemy import select

from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.events.outbox import OutboxEvent
from hirehub.hr import domain
from hirehub.provisioning.sync import queue_sync

WORKER_EVENTS = frozenset(
    {
        domain.HIRED,
        domain.REHIRED,
        domain.TRANSFERRED,
        domain.TERMINATED,
        domain.HIRE_RESCINDED,
        domain.LEAVE_STARTED,
        domain.LEAVE_ENDED,
    }
)
BATCH = 500


async def dispatch_outbox(database: Database, now: datetime | None = None) -> int:
    """Turn pending outbox events into jobs; returns how many events were dispatched."""
    async with database.system_session() as session:
        tenants = list(
            await session.scalars(select(OutboxEvent.tenant_id).where(OutboxEvent.dispatched_at.is_(None)).distinct())
        )
    dispatched = 0
    for tenant_id in tenants:
        dispatched += await _dispatch_tenant(database, tenant_id, now or utcnow())
    return dispatched


async def _dispatch_tenant(database: Database, tenant_id: uuid.UUID, now: datetime) -> int:
    async with database.tenant_transaction(tenant_id) as session:
        query = (
            select(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None)).order_by(OutboxEvent.position).limit(BATCH)
        )
        if database.is_postgresql:
            query = query.with_for_update(skip_locked=True)
        events = list(await session.scalars(query))
        for event in events:
            if event.type in WORKER_EVENTS:
                await queue_sync(session, event.subject_id, reason=event.type)
            event.dispatched_at = now
        return len(events)


class OutboxDispatcher:
    """:func:`dispatch_outbox` at most every ``min_interval`` seconds: a busy worker looks for jobs many times a
    second, and the outbox need not be read that often."""

    def __init__(self, database: Database, min_interval: float = 0.5) -> None:
        self.database = database
        self.min_interval = min_interval
        self._last = -min_interval

    async def __call__(self) -> int:
        moment = time.monotonic()
        if moment - self._last < self.min_interval:
            return 0
        self._last = moment
        return await dispatch_outbox(self.database)
