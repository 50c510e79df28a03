"""A job as the command line and the admin API show it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.jobs.history import attempt_json, attempts_of
from hirehub.jobs.models import HISTORY_LIMIT, DurableJob


def job_json(job: DurableJob, *, full: bool = False) -> dict[str, Any]:
    """A job for output; ``full`` adds the payload and the result."""
    data: dict[str, Any] = {
        "id": str(job.id),
        "tenant_id": str(job.tenant_id),
        "sequence": job.sequence,
        "kind": job.kind,
        "status": job.status,
        "ordering_key": job.ordering_key,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "run_at": job.run_at.isoformat(),
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "lease_owner": job.lease_owner,
        "lease_expires_at": job.lease_expires_at.isoformat() if job.lease_expires_at else None,
        "last_error": job.last_error,
    }
    if full:
        data["payload"] = job.payload
        data["result"] = job.result
        data["heartbeat_at"] = job.heartbeat_at.isoformat() if job.heartbeat_at else None
    return data


async def job_with_history(session: AsyncSession, job: DurableJob) -> dict[str, Any]:
    """A job in full with its kept attempts, oldest first, as ``job show``, the admin API's job view and the
    console's job page give it.

    ``attempts`` stays the job's attempt count, as every other job view gives it (scripts read it); the kept
    attempts are ``history``.
    """
    data = job_json(job, full=True)
    data["history"] = [attempt_json(attempt) for attempt in await attempts_of(session, job.id)]
    data["history_limit"] = HISTORY_LIMIT
    return data
