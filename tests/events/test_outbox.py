"""The outbox: events recorded in a hub session are written with its transaction, typed, and nowhere else."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.session import TENANT_KEY, Database
from hirehub.events import decode, record
from hirehub.events.outbox import PENDING_KEY, NoOutbox
from hirehub.hr.events import WorkerHired
from tests.events.support import hired, outbox_rows


async def test_an_event_recorded_in_a_hub_session_commits_with_its_transaction(
    database: Database, tenant_id: uuid.UUID
) -> None:
    event = hired()

    async with database.tenant_transaction(tenant_id) as session:
        record(session, [event])

    [row] = await outbox_rows(database)
    assert (row.tenant_id, row.type, row.subject_id, row.dispatched_at) == (
        tenant_id, "worker.hired", event.person_id, None,
    )  # fmt: skip


async def test_an_event_recorded_in_a_transaction_that_rolls_back_is_not_written(
    database: Database, tenant_id: uuid.UUID
) -> None:
    with pytest.raises(RuntimeError, match="changed its mind"):
        async with database.tenant_transaction(tenant_id) as session:
            record(session, [hired()])
            raise RuntimeError("the caller changed its mind")

    assert await outbox_rows(database) == []


async def test_an_event_reads_back_from_its_row_as_the_same_typed_event(
    database: Database, tenant_id: uuid.UUID
) -> None:
    event = hired(start=date(2027, 2, 1))
    async with database.tenant_transaction(tenant_id) as session:
        record(session, [event])

    [row] = await outbox_rows(database)

    assert decode(WorkerHired, row.payload) == event
    assert row.payload["start_date"] == "2027-02-01"  # the row holds JSON, not Python objects


async def test_events_of_one_transaction_keep_the_order_they_were_recorded_in(
    database: Database, tenant_id: uuid.UUID
) -> None:
    events = [hired() for _ in range(3)]
    async with database.tenant_transaction(tenant_id) as session:
        record(session, events[:2])
        await session.flush()
        record(session, events[2:])

    assert [row.subject_id for row in await outbox_rows(database)] == [e.person_id for e in events]


async def test_recording_in_a_session_that_does_not_write_the_outbox_is_refused(
    database_url: str, database: Database, tenant_id: uuid.UUID
) -> None:
    plain = Database(database_url)  # tenant-scoped, but not the hub's kind of session
    try:
        async with plain.tenant_transaction(tenant_id) as session:
            with pytest.raises(NoOutbox):
                record(session, [hired()])
    finally:
        await plain.dispose()

    assert await outbox_rows(database) == []


async def test_a_session_that_is_not_the_hubs_writes_nothing_to_the_outbox(
    database: Database, tenant_id: uuid.UUID
) -> None:
    pending = {"id": uuid.uuid4(), "tenant_id": tenant_id, "type": "worker.hired", "subject_id": uuid.uuid4(),
               "payload": {}}  # fmt: skip

    async with AsyncSession(database.engine, info={TENANT_KEY: tenant_id}) as session, session.begin():
        session.sync_session.info[PENDING_KEY] = [pending]  # what record() would leave for the hub's session
        await session.flush()

    assert await outbox_rows(database) == []
