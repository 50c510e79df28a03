"""Dispatching the outbox: each pending event, typed again, goes to the handlers the routes name, once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.session import Database
from hirehub.events import DomainEvent, record
from hirehub.events.dispatch import EventHandler, OutboxDispatcher
from hirehub.hr.events import WorkerHired, WorkerTerminated
from tests.events.support import hired, outbox_rows

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


class Seen:
    """A handler that remembers the events it was given."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    async def __call__(self, session: AsyncSession, event: DomainEvent) -> None:
        self.events.append(event)


async def _record(database: Database, tenant_id: uuid.UUID, events: Sequence[DomainEvent]) -> None:
    async with database.tenant_transaction(tenant_id) as session:
        record(session, events)


async def test_a_routed_event_reaches_its_handlers_typed_and_in_the_order_recorded(
    database: Database, tenant_id: uuid.UUID
) -> None:
    events = [hired(), hired()]
    await _record(database, tenant_id, events)
    first, second = Seen(), Seen()
    routes: dict[type[DomainEvent], tuple[EventHandler, ...]] = {WorkerHired: (first, second)}

    assert await OutboxDispatcher(database, routes)(NOW) == 2

    assert first.events == events and second.events == events


async def test_a_dispatched_event_is_marked_and_not_dispatched_again(database: Database, tenant_id: uuid.UUID) -> None:
    await _record(database, tenant_id, [hired()])
    seen = Seen()
    dispatch = OutboxDispatcher(database, {WorkerHired: (seen,)})

    await dispatch(NOW)
    assert await dispatch(NOW) == 0

    assert len(seen.events) == 1
    assert [row.dispatched_at for row in await outbox_rows(database)] == [NOW]


async def test_an_event_no_route_names_is_marked_dispatched_untouched(database: Database, tenant_id: uuid.UUID) -> None:
    await _record(database, tenant_id, [hired()])
    seen = Seen()

    assert await OutboxDispatcher(database, {WorkerTerminated: (seen,)})(NOW) == 1

    assert seen.events == []
    assert [row.dispatched_at for row in await outbox_rows(database)] == [NOW]


async def test_a_handler_that_fails_leaves_the_event_pending_for_the_next_dispatch(
    database: Database, tenant_id: uuid.UUID
) -> None:
    await _record(database, tenant_id, [hired()])

    async def broken(session: AsyncSession, event: DomainEvent) -> None:
        raise ConnectionError("the queue is away")

    dispatch = OutboxDispatcher(database, {WorkerHired: (broken,)})
    with pytest.raises(ConnectionError):
        await dispatch(NOW)

    assert [row.dispatched_at for row in await outbox_rows(database)] == [None]
