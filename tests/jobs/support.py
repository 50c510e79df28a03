"""Small helpers the job tests share: enqueue in one transaction, read a job back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from hirehub.db.session import Database
from hirehub.jobs import enqueue, get_job
from hirehub.jobs.models import DurableJob


async def add_job(
    database: Database,
    tenant_id: uuid.UUID,
    now: datetime,
    kind: str = "test.job",
    payload: dict[str, Any] | None = None,
    **options: Any,
) -> uuid.UUID:
    """Enqueue one job in its own committed transaction and return its id."""
    async with database.tenant_transaction(tenant_id) as session:
        job = await enqueue(session, kind, payload or {}, now=now, **options)
        return job.id


async def load(database: Database, job_id: uuid.UUID) -> DurableJob:
    async with database.system_session() as session:
        return await get_job(session, job_id)
