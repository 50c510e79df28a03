"""Claiming due jobs under a lease, keeping the lease alive, and reporting how a job went.

A claim is one system transaction that picks due jobs and marks them running under the runner's lease.
On PostgreSQL the pick is ``SELECT … FOR UPDATE SKIP LOCKED``, so any number of runners on any number of
machines claim side by side without waiting on each other or taking the same job. On SQLite (one
machine) each transaction starts with ``BEGIN IMMEDIATE``, which already runs claimers one at a time, so
a plain select and update is safe.

Every later step names the runner: heartbeat, complete, fail and release change a job only while that
runner still holds its lease. A runner whose lease expired and was taken over (it stalled, or the
database was unreachable) therefore cannot overwrite what the new owner does: its calls return False.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Row, and_, bindparam, exists, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hirehub.db.base import UTCDateTime, utcnow
from hirehub.db.session import Database
from hirehub.jobs.backoff import Uniform, backoff_delay
from hirehub.jobs.context import ClaimedJob
from hirehub.jobs.errors import PAUSED_PREFIX
from hirehub.jobs.history import add_attempt, prune, record_attempts
from hirehub.jobs.models import UNFINISHED, AttemptOutcome, DurableJob, JobStatus

DEFAULT_LEASE = timedelta(seconds=60)
MAX_ERROR_LENGTH = 10_000

_WAITING = (JobStatus.QUEUED.value, JobStatus.FAILED.value)
_UNFINISHED = tuple(status.value for status in UNFINISHED)


def _unblocked(job: type[DurableJob]) -> ColumnElement[bool]:
    """Not behind an unfinished earlier job of its ordering key.

    The ordering rule counts failed and held jobs as unfinished, so a person's later changes wait behind
    an earlier one that is retrying until it succeeds, is cancelled or goes dead.
    """
    earlier = aliased(DurableJob)
    blocked = exists().where(
        earlier.tenant_id == job.tenant_id,
        earlier.ordering_key == job.ordering_key,
        earlier.sequence < job.sequence,
        earlier.status.in_(_UNFINISHED),
    )
    return or_(job.ordering_key.is_(None), ~blocked)


def _snapshot(job: DurableJob | Row[Any]) -> ClaimedJob:
    assert job.lease_owner is not None and job.lease_expires_at is not None
    return ClaimedJob(
        id=job.id,
        sequence=job.sequence,
        tenant_id=job.tenant_id,
        kind=job.kind,
        payload=dict(job.payload or {}),
        ordering_key=job.ordering_key,
        attempt=job.attempts,
        max_attempts=job.max_attempts,
        lease_owner=job.lease_owner,
        lease_expires_at=job.lease_expires_at,
    )


_CLAIMED_COLUMNS = (
    DurableJob.id,
    DurableJob.sequence,
    DurableJob.tenant_id,
    DurableJob.kind,
    DurableJob.payload,
    DurableJob.ordering_key,
    DurableJob.attempts,
    DurableJob.max_attempts,
    DurableJob.lease_owner,
    DurableJob.lease_expires_at,
)


async def claim(
    database: Database,
    worker_id: str,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
    limit: int = 1,
    *,
    orphans: bool = True,
) -> list[ClaimedJob]:
    """Claim up to ``limit`` claimable jobs for ``worker_id`` until ``now + lease``: orphans first (running
    jobs whose lease expired, when ``orphans``), then due jobs, oldest first.

    A batch never holds two jobs of one ordering key: the second is behind the first, which is still
    unfinished when the batch is chosen. Orphans exist only once a lease has expired, so a runner that
    polls often need not look for them every time (see :class:`~hirehub.jobs.runner.JobRunner`).
    """
    if limit < 1:
        return []
    async with database.system_transaction() as session:
        claimed = await _claim_orphans(session, database, worker_id, now, lease, limit) if orphans else []
        if len(claimed) < limit:
            claimed += await _claim_due(session, database, worker_id, now, lease, limit - len(claimed))
        return claimed


async def _claim_due(
    session: AsyncSession, database: Database, worker_id: str, now: datetime, lease: timedelta, limit: int
) -> list[ClaimedJob]:
    """One statement: mark the oldest due jobs running under the lease, and return them.

    The inner select walks the partial index of waiting jobs in ``sequence`` order; on PostgreSQL it
    locks what it picks with SKIP LOCKED, so concurrent claimers pass each other instead of waiting.
    """
    candidate = aliased(DurableJob)
    picked = (
        select(candidate.sequence)
        .where(candidate.status.in_(_WAITING), candidate.run_at <= now, _unblocked(candidate))
        .order_by(candidate.sequence)
        .limit(limit)
    )
    if database.is_postgresql:
        picked = picked.with_for_update(skip_locked=True, of=candidate)
    statement = (
        update(DurableJob)
        .where(DurableJob.sequence.in_(picked.scalar_subquery()))
        .values(
            status=JobStatus.RUNNING.value,
            lease_owner=worker_id,
            lease_expires_at=now + lease,
            heartbeat_at=now,
            started_at=now,
            attempts=DurableJob.attempts + 1,
        )
        .returning(*_CLAIMED_COLUMNS)
    )
    rows = (await session.execute(statement, execution_options={"synchronize_session": False})).all()
    return sorted((_snapshot(row) for row in rows), key=lambda job: job.sequence)


async def _claim_orphans(
    session: AsyncSession, database: Database, worker_id: str, now: datetime, lease: timedelta, limit: int
) -> list[ClaimedJob]:
    """Take up running jobs whose lease expired (their runner died or stalled), burying those on their last
    attempt."""
    statement = (
        select(DurableJob)
        .where(
            DurableJob.status == JobStatus.RUNNING.value,
            DurableJob.lease_expires_at <= now,
            _unblocked(DurableJob),
        )
        .order_by(DurableJob.sequence)
        .limit(limit)
    )
    if database.is_postgresql:
        statement = statement.with_for_update(skip_locked=True, of=DurableJob)
    claimed = []
    orphans = (await session.scalars(statement)).all()
    for job in orphans:
        if job.attempts >= job.max_attempts:
            _bury_orphan(session, job, now)
            continue
        add_attempt(session, job, AttemptOutcome.ABANDONED, now, error=_lease_expired(job))
        job.lease_owner = worker_id
        job.lease_expires_at = now + lease
        job.heartbeat_at = now
        job.started_at = now
        job.attempts += 1
        claimed.append(_snapshot(job))
    if orphans:
        await session.flush()
        await prune(session, [job.id for job in orphans])
    return claimed


def _lease_expired(job: DurableJob) -> str:
    return (
        f"the lease of {job.lease_owner} expired during attempt {job.attempts} of {job.max_attempts}"
        " (the runner stopped or stalled without reporting)"
    )


def _bury_orphan(session: AsyncSession, job: DurableJob, now: datetime) -> None:
    """A job whose runner vanished on its last attempt goes dead instead of running again.

    Without this, a job that kills its runner (out of memory, a crash in native code) would be taken up
    forever: only a reported failure counts towards ``max_attempts``, and a dead runner reports nothing.
    """
    job.status = JobStatus.DEAD.value
    job.last_error = _lease_expired(job)
    add_attempt(session, job, AttemptOutcome.DEAD, now, error=job.last_error)
    job.lease_expires_at = None
    job.finished_at = now


def _owned(job_id: uuid.UUID, worker_id: str) -> ColumnElement[bool]:
    return and_(
        DurableJob.id == job_id, DurableJob.status == JobStatus.RUNNING.value, DurableJob.lease_owner == worker_id
    )


async def _update_owned(database: Database, job_id: uuid.UUID, worker_id: str, values: Mapping[str, Any]) -> bool:
    async with database.system_transaction() as session:
        return await _update_owned_in(session, job_id, worker_id, values)


async def _update_owned_in(session: AsyncSession, job_id: uuid.UUID, worker_id: str, values: Mapping[str, Any]) -> bool:
    """Change the job in ``session``'s transaction if ``worker_id`` still holds its lease; whether it did."""
    statement = update(DurableJob).where(_owned(job_id, worker_id)).values(**values)
    result = await session.execute(statement, execution_options={"synchronize_session": False})
    return cast(CursorResult[Any], result).rowcount == 1


async def pause(
    database: Database, job_id: uuid.UUID, worker_id: str, reason: str, *, now: datetime | None = None
) -> bool:
    """Hold a running job, if ``worker_id`` still holds its lease, giving its attempt back: it waits for a person,
    keeping ``reason`` (see :class:`~hirehub.jobs.errors.Paused`) on the job and in its history."""
    async with database.system_transaction() as session:
        job = await _locked_owned(session, database, job_id, worker_id)
        if job is None:
            return False
        job.last_error = (PAUSED_PREFIX + reason)[:MAX_ERROR_LENGTH]
        add_attempt(session, job, AttemptOutcome.PAUSED, now or utcnow(), error=job.last_error)
        job.status = JobStatus.HELD.value
        job.attempts -= 1
        job.lease_owner = None
        job.lease_expires_at = None
        await session.flush()
        await prune(session, [job.id])
        return True


async def _locked_owned(
    session: AsyncSession, database: Database, job_id: uuid.UUID, worker_id: str
) -> DurableJob | None:
    """The job, row-locked on PostgreSQL, if ``worker_id`` still holds its lease."""
    statement = select(DurableJob).where(_owned(job_id, worker_id))
    if database.is_postgresql:
        statement = statement.with_for_update()
    return await session.scalar(statement)


async def heartbeat(
    database: Database, job_id: uuid.UUID, worker_id: str, now: datetime, lease: timedelta = DEFAULT_LEASE
) -> bool:
    """Extend the lease to ``now + lease`` if ``worker_id`` still holds it; False tells the runner to stop."""
    return await _update_owned(database, job_id, worker_id, {"lease_expires_at": now + lease, "heartbeat_at": now})


async def complete(
    database: Database,
    job_id: uuid.UUID,
    worker_id: str,
    result: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> bool:
    """Mark the job succeeded with its ``result``, if ``worker_id`` still holds the lease."""
    return job_id in await complete_many(database, worker_id, {job_id: result}, now=now)


_COMPLETE_MANY_POSTGRESQL = text(
    """
    UPDATE job SET status = :succeeded, result = CAST(done.result AS json), finished_at = :now,
                   lease_expires_at = NULL, last_error = NULL
    FROM unnest(CAST(:ids AS uuid[]), CAST(:results AS text[])) AS done (id, result)
    WHERE job.id = done.id AND job.status = :running AND job.lease_owner = :worker_id
    RETURNING job.id
    """
).bindparams(bindparam("now", type_=UTCDateTime()))


async def complete_many(
    database: Database,
    worker_id: str,
    results: Mapping[uuid.UUID, Mapping[str, Any] | None],
    *,
    now: datetime | None = None,
) -> set[uuid.UUID]:
    """Mark every job of ``results`` succeeded with its result in one transaction, where ``worker_id`` still
    holds the lease; returns the jobs it did mark (the others are no longer this runner's).

    A succeeded job shows no error any more: the errors of its earlier attempts stay in its history, where
    this attempt is recorded too. A runner finishing many short jobs would otherwise pay a transaction per
    job, which bounded its throughput well below what claiming allows; on PostgreSQL the update is a single
    statement (the history adds its rows and its prune).
    """
    if not results:
        return set()
    finished_at = now or utcnow()
    async with database.system_transaction() as session:
        if database.is_postgresql:
            parameters = {
                "ids": list(results),
                "results": [json.dumps(None if value is None else dict(value)) for value in results.values()],
                "now": finished_at,
                "worker_id": worker_id,
                "succeeded": JobStatus.SUCCEEDED.value,
                "running": JobStatus.RUNNING.value,
            }
            done = set((await session.execute(_COMPLETE_MANY_POSTGRESQL, parameters)).scalars())
            await record_attempts(session, done, AttemptOutcome.SUCCEEDED, finished_at)
            return done
        done = set()
        for job_id, value in results.items():
            values = {
                "status": JobStatus.SUCCEEDED.value,
                "result": None if value is None else dict(value),
                "finished_at": finished_at,
                "lease_expires_at": None,
                "last_error": None,
            }
            if await _update_owned_in(session, job_id, worker_id, values):
                done.add(job_id)
        await record_attempts(session, done, AttemptOutcome.SUCCEEDED, finished_at)
        return done


def goes_dead(attempt: int, max_attempts: int, *, permanent: bool = False) -> bool:
    """Whether a failure of attempt number ``attempt`` is the job's last: out of attempts, or hopeless."""
    return permanent or attempt >= max_attempts


async def fail(
    database: Database,
    job_id: uuid.UUID,
    worker_id: str,
    error: str,
    now: datetime,
    retry_after: float | None = None,
    *,
    permanent: bool = False,
    uniform: Uniform | None = None,
) -> bool:
    """Record a failed attempt, if ``worker_id`` still holds the lease.

    The job waits for its next attempt with exponential backoff (at least ``retry_after`` seconds when the
    service gave a hint), or goes dead, keeping the error, when that was its last attempt or ``permanent``.
    """
    async with database.system_transaction() as session:
        job = await _locked_owned(session, database, job_id, worker_id)
        if job is None:
            return False
        job.last_error = error[:MAX_ERROR_LENGTH]
        last = goes_dead(job.attempts, job.max_attempts, permanent=permanent)
        add_attempt(session, job, AttemptOutcome.DEAD if last else AttemptOutcome.FAILED, now, error=job.last_error)
        job.lease_expires_at = None
        if last:
            job.status = JobStatus.DEAD.value
            job.finished_at = now
        else:
            delay = backoff_delay(job.attempts, retry_after, uniform=uniform or random.uniform)
            job.status = JobStatus.FAILED.value
            job.run_at = now + timedelta(seconds=delay)
        await session.flush()
        await prune(session, [job.id])
        return True


async def release(database: Database, job_id: uuid.UUID, worker_id: str) -> bool:
    """Give a claimed job back without counting the attempt (a runner shutting down, or not starting it).

    It is queued again at once for any runner to take, as though it had never been claimed.
    """
    values = {
        "status": JobStatus.QUEUED.value,
        "attempts": DurableJob.attempts - 1,
        "lease_owner": None,
        "lease_expires_at": None,
    }
    return await _update_owned(database, job_id, worker_id, values)
