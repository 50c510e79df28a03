"""Putting work on the queue, and what an operator does with it: list, inspect, retry, hold, cancel.

:func:`enqueue` adds the job to the caller's session, so it commits with the domain change that caused
it, or not at all. Every function here works in whatever session it is given: in a tenant session it sees
only that tenant's jobs (the session filters every statement), in a system session it sees them all.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import utcnow
from hirehub.db.session import TENANT_KEY, TenantScopeError
from hirehub.jobs.errors import PAUSED_PREFIX, InvalidJob, JobNotFound, JobStateConflict
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.jobs.wakeups import announce


def _ordering_lock_key(tenant_id: uuid.UUID, ordering_key: str) -> int:
    """A signed 64-bit advisory-lock key for one (tenant, ordering key)."""
    digest = hashlib.blake2b(f"hirehub.job:{tenant_id}:{ordering_key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def _serialise_ordering_key(session: AsyncSession, tenant_id: uuid.UUID, ordering_key: str) -> None:
    """On PostgreSQL, hold a transaction lock on the ordering key until the enqueuing transaction ends.

    ``sequence`` comes from an identity counter, taken at INSERT, not at COMMIT: without this lock, two
    transactions enqueueing for the same person could commit in the opposite order of their sequence
    numbers, and a runner could run the later job before the earlier one is even visible. With it, the
    second transaction waits for the first to commit before it inserts. (SQLite needs nothing: its write
    transactions already run one at a time.)
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ordering_lock_key(tenant_id, ordering_key)}
    )


async def lock_ordering_key(session: AsyncSession, ordering_key: str) -> None:
    """Serialise the caller's transaction with every other one that enqueues for ``ordering_key`` (until it
    ends), so a "look for a pending job, enqueue one if there is none" stays one job under concurrency."""
    tenant_id = session.info.get(TENANT_KEY)
    if tenant_id is None:
        raise TenantScopeError("jobs are enqueued in a tenant session")
    await _serialise_ordering_key(session, tenant_id, ordering_key)


async def enqueue(
    session: AsyncSession,
    kind: str,
    payload: Mapping[str, Any],
    *,
    ordering_key: str | None = None,
    run_at: datetime | None = None,
    max_attempts: int = 8,
    now: datetime | None = None,
) -> DurableJob:
    """Add a job to the session's transaction (it is written with the next flush and commits with it).

    ``ordering_key`` (say, a person's id) makes the job wait until every earlier job of the same key in the
    tenant has finished; ``run_at`` schedules it (by default it is due at once). The session must be a
    tenant session: the job belongs to that tenant.
    """
    tenant_id = session.info.get(TENANT_KEY)
    if tenant_id is None:
        raise TenantScopeError("jobs are enqueued in a tenant session")
    if not kind:
        raise InvalidJob("a job needs a kind", field="kind")
    if max_attempts < 1:
        raise InvalidJob("max_attempts must be at least 1", field="max_attempts")
    if ordering_key is not None:
        await _serialise_ordering_key(session, tenant_id, ordering_key)
    created_at = now or utcnow()
    job = DurableJob(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        kind=kind,
        payload=dict(payload),
        ordering_key=ordering_key,
        status=JobStatus.QUEUED.value,
        run_at=run_at or created_at,
        attempts=0,
        max_attempts=max_attempts,
        created_at=created_at,
    )
    session.add(job)
    if job.run_at <= created_at:
        await announce(session)
    return job


async def get_job(session: AsyncSession, job_id: uuid.UUID, *, for_update: bool = False) -> DurableJob:
    """The job with that id, or :class:`JobNotFound` (also for another tenant's job in a tenant session)."""
    statement = select(DurableJob).where(DurableJob.id == job_id)
    if for_update:
        # Row-locked on PostgreSQL so a claimer cannot start it in between; SQLite's write lock does the same.
        statement = statement.with_for_update()
    job = await session.scalar(statement)
    if job is None:
        raise JobNotFound(f"no job has the id {job_id}")
    return job


async def list_jobs(session: AsyncSession, status: str | None = None, limit: int = 100) -> Sequence[DurableJob]:
    """The newest jobs first, optionally only those in one ``status``."""
    statement = select(DurableJob).order_by(DurableJob.sequence.desc()).limit(limit)
    if status is not None:
        statement = statement.where(DurableJob.status == JobStatus(status).value)
    return (await session.scalars(statement)).all()


def _refuse(job: DurableJob, action: str, allowed: Sequence[JobStatus]) -> None:
    if job.status not in allowed:
        states = ", ".join(s.value for s in allowed)
        raise JobStateConflict(f"job {job.id} is {job.status}: only a job that is {states} can be {action}")


async def retry(session: AsyncSession, job_id: uuid.UUID, *, now: datetime | None = None) -> DurableJob:
    """Queue a dead, failed or cancelled job again, due now, with a fresh budget of attempts.

    A failed job waiting for its backoff is simply brought forward. The last error is kept until the next
    attempt replaces it, so the operator can still see why it had stopped.
    """
    job = await get_job(session, job_id, for_update=True)
    _refuse(job, "retried", (JobStatus.DEAD, JobStatus.FAILED, JobStatus.CANCELLED))
    job.status = JobStatus.QUEUED.value
    job.run_at = now or utcnow()
    job.attempts = 0
    job.finished_at = None
    job.lease_owner = None
    job.lease_expires_at = None
    await session.flush()
    await announce(session)
    return job


async def cancel(session: AsyncSession, job_id: uuid.UUID, *, now: datetime | None = None) -> DurableJob:
    """Cancel a job that has not started (queued, failed waiting for a retry, or held).

    A running job is refused: its handler may be half-way through a change, and pulling the row from
    under it would hide whether the change happened. Cancelling unblocks later jobs of its ordering key.
    """
    job = await get_job(session, job_id, for_update=True)
    _refuse(job, "cancelled", (JobStatus.QUEUED, JobStatus.FAILED, JobStatus.HELD))
    job.status = JobStatus.CANCELLED.value
    job.finished_at = now or utcnow()
    await session.flush()
    return job


async def hold(session: AsyncSession, job_id: uuid.UUID) -> DurableJob:
    """Set a waiting job aside: it will not run, and later jobs of its ordering key wait behind it."""
    job = await get_job(session, job_id, for_update=True)
    _refuse(job, "held", (JobStatus.QUEUED, JobStatus.FAILED))
    job.status = JobStatus.HELD.value
    await session.flush()
    return job


async def resume(session: AsyncSession, job_id: uuid.UUID) -> DurableJob:
    """Let a held job run again (at its ``run_at``, or at once if that has passed)."""
    job = await get_job(session, job_id, for_update=True)
    _refuse(job, "resumed", (JobStatus.HELD,))
    job.status = JobStatus.QUEUED.value
    await session.flush()
    await announce(session)
    return job


async def resume_paused(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Run again every job of the session's tenant that a handler paused (:class:`~hirehub.jobs.errors.Paused`):
    the cause was removed (the connection was linked again). Returns how many were resumed."""
    paused = await session.scalars(
        select(DurableJob)
        .where(DurableJob.status == JobStatus.HELD.value, DurableJob.last_error.startswith(PAUSED_PREFIX))
        .with_for_update()
    )
    resumed = 0
    for job in paused:
        job.status = JobStatus.QUEUED.value
        job.run_at = now or utcnow()
        resumed += 1
    await session.flush()
    if resumed:
        await announce(session)
    return resumed


@dataclass(frozen=True)
class QueueStats:
    """How much work is waiting and how late the queue is running."""

    depth: dict[str, int]
    """Number of jobs in each status (every status is present, zero included)."""
    oldest_queued_age_seconds: float | None
    """How long the oldest due queued job has waited past its ``run_at`` (None when none is due)."""

    def as_json(self) -> dict[str, Any]:
        return {"depth": dict(self.depth), "oldest_queued_age_seconds": self.oldest_queued_age_seconds}


async def queue_stats(session: AsyncSession, *, now: datetime | None = None) -> QueueStats:
    """Depth per status and the age of the oldest due queued job (across tenants in a system session).

    Age counts from ``run_at``, not from creation: a job scheduled for next month is not late today.
    """
    current = now or utcnow()
    rows = (await session.execute(select(DurableJob.status, func.count()).group_by(DurableJob.status))).all()
    depth = {status.value: 0 for status in JobStatus}
    depth.update({status: count for status, count in rows})
    oldest = await session.scalar(
        select(func.min(DurableJob.run_at)).where(
            DurableJob.status == JobStatus.QUEUED.value, DurableJob.run_at <= current
        )
    )
    age = None if oldest is None else max(0.0, (current - oldest).total_seconds())
    return QueueStats(depth=depth, oldest_queued_age_seconds=age)
