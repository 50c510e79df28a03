"""A worker event to record, and the outbox rows a test reads back."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from hirehub.db.session import Database
from hirehub.events.outbox import OutboxEvent
from hirehub.hr.events import WorkerHired


def hired(person_id: uuid.UUID | None = None, *, start: date = date(2027, 1, 4)) -> WorkerHired:
    return WorkerHired(
        worker_id=uuid.uuid4(), person_id=person_id or uuid.uuid4(), personnel_number="HR000001", first_name="Ada",
        last_name="Lovelace", email="ada@contoso.example", phone=None, company="USMF", status="pending",
        position_id="POS-1", job_title="Engineer", department="R&D", manager_personnel_number=None,
        start_date=start, end_date=None, candidate_id="CAND-000001",
    )  # fmt: skip


async def outbox_rows(database: Database) -> Sequence[OutboxEvent]:
    async with database.system_session() as session:
        return (await session.scalars(select(OutboxEvent).order_by(OutboxEvent.position))).all()
