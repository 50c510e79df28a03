"""The attempts of a job: written where the runner records an outcome, in that transaction; read for display.

The job row keeps only where a job is now, so a job that failed twice and then succeeded shows success and
no error; why the earlier attempts failed lives here. Each job keeps its newest
:data:`~hirehub.jobs.models.HISTORY_LIMIT` attempts: the prune runs in the same transaction as the write.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, delete, insert, literal, null, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hirehub.db.base import UTCDateTime
from hirehub.jobs.models import HISTORY_LIMIT, AttemptOutcome, DurableJob, JobAttempt

_COLUMNS = ("tenant_id", "job_id", "attempt", "started_at", "finished_at", "outcome", "error", "runner_id")


def add_attempt(
    session: AsyncSession, job: DurableJob, outcome: AttemptOutcome, now: datetime, *, error: str | None = None
) -> None:
    """Add the history row of ``job``'s current attempt (a row loaded in ``session``, still under its lease)."""
    session.add(
        JobAttempt(
            tenant_id=job.tenant_id,
            job_id=job.id,
            attempt=job.attempts,
            started_at=job.started_at,
            finished_at=now,
            outcome=outcome.value,
            error=error,
            runner_id=job.lease_owner,
        )
    )


async def record_attempts(
    session: AsyncSession, job_ids: Collection[uuid.UUID], outcome: AttemptOutcome, now: datetime
) -> None:
    """Write the history rows of the current attempts of ``job_ids`` (one statement, from the job rows), then
    prune. For the batched completions, which never load the jobs."""
    if not job_ids:
        return
    source = select(
        DurableJob.tenant_id,
        DurableJob.id,
        DurableJob.attempts,
        DurableJob.started_at,
        literal(now, UTCDateTime()),
        literal(outcome.value, String()),
        null(),
        DurableJob.lease_owner,
    ).where(DurableJob.id.in_(list(job_ids)))
    await session.execute(insert(JobAttempt).from_select(list(_COLUMNS), source))
    await prune(session, job_ids)


async def prune(session: AsyncSession, job_ids: Collection[uuid.UUID]) -> None:
    """Delete the attempts of ``job_ids`` older than their newest :data:`HISTORY_LIMIT`.

    The boundary is the sequence of the attempt just past the limit; a job with fewer attempts has none, and
    the comparison with NULL deletes nothing.
    """
    if not job_ids:
        return
    newer = aliased(JobAttempt)
    boundary = (
        select(newer.sequence)
        .where(newer.job_id == JobAttempt.job_id)
        .order_by(newer.sequence.desc())
        .offset(HISTORY_LIMIT)
        .limit(1)
        .scalar_subquery()
    )
    statement = delete(JobAttempt).where(JobAttempt.job_id.in_(list(job_ids)), JobAttempt.sequence <= boundary)
    await session.execute(statement, execution_options={"synchronize_session": False})


async def attempts_of(session: AsyncSession, job_id: uuid.UUID) -> Sequence[JobAttempt]:
    """The kept attempts of the job, oldest first (a tenant session sees only its tenant's)."""
    statement = select(JobAttempt).where(JobAttempt.job_id == job_id).order_by(JobAttempt.sequence)
    return (await session.scalars(statement)).all()


def attempt_json(attempt: JobAttempt) -> dict[str, Any]:
    """One attempt for output: the CLI's ``job show``, the admin API and the console share it."""
    return {
        "attempt": attempt.attempt,
        "started_at": attempt.started_at.isoformat() if attempt.started_at else None,
        "finished_at": attempt.finished_at.isoformat(),
        "outcome": attempt.outcome,
        "error": attempt.error,
        "runner_id": attempt.runner_id,
    }
