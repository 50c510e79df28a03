"""Keeping exactly one reconciliation pending per tenant: the scheduled one, brought forward when someone asks.

A tenant's reconciliation is one durable job, ``provisioning.reconcile``, that reschedules itself when it ends.
Every way in (the policy saved, an administrator's "run now", the job rescheduling itself) goes through
:func:`ensure_scheduled` or :func:`request_run`, which look for the pending job first and change it rather than
add a second one. Looking and enqueueing happen under the job queue's lock on the reconcile ordering key
(PostgreSQL; SQLite runs write transactions one at a time anyway), so two callers at once still leave one
pending job. The same ordering key means two reconciliations of a tenant never run at the same time.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.jobs.queue import enqueue, lock_ordering_key
from hirehub.lifecycle.policy import LifecyclePolicy
from hirehub.provisioning.models import ReconciliationRun, RunStatus

RECONCILE = "provisioning.reconcile"
ORDERING_KEY = "provisioning.reconcile"
PENDING = (JobStatus.QUEUED.value, JobStatus.FAILED.value, JobStatus.HELD.value)
"""A reconcile job in one of these states will still run: it is the tenant's pending one."""
MOVABLE = (JobStatus.QUEUED.value, JobStatus.FAILED.value)


async def pending_job(session: AsyncSession) -> DurableJob | None:
    """The tenant's pending reconcile job (the earliest, should there ever be more than one)."""
    found: DurableJob | None = await session.scalar(
        select(DurableJob)
        .where(DurableJob.ordering_key == ORDERING_KEY, DurableJob.kind == RECONCILE, DurableJob.status.in_(PENDING))
        .order_by(DurableJob.sequence)
        .limit(1)
    )
    return found


async def ensure_scheduled(session: AsyncSession, policy: LifecyclePolicy, now: datetime) -> DurableJob | None:
    """Make sure a reconciliation is pending within the policy's ``every_hours`` of ``now``: the pending one,
    brought forward if the schedule got shorter, or a new one. None when the policy schedules none."""
    hours = policy.reconciliation.every_hours
    if hours <= 0:
        return None
    due = now + timedelta(hours=hours)
    await lock_ordering_key(session, ORDERING_KEY)
    pending = await pending_job(session)
    if pending is None:
        return await enqueue(session, RECONCILE, {}, ordering_key=ORDERING_KEY, run_at=due, now=now)
    if pending.status in MOVABLE and pending.run_at > due:
        pending.run_at = due
    return pending


async def request_run(session: AsyncSession, *, by: str, now: datetime) -> ReconciliationRun:
    """A reconciliation as soon as possible, on someone's request: the pending job is brought forward to
    ``now`` (a new one is queued when there is none) and a run is recorded for it, in state queued, so the
    requester can follow it. Asking again before it starts answers with the same run."""
    await lock_ordering_key(session, ORDERING_KEY)
    pending = await pending_job(session)
    if pending is not None and pending.payload.get("run_id"):
        existing = await session.get(ReconciliationRun, uuid.UUID(str(pending.payload["run_id"])))
        if existing is not None and existing.status == RunStatus.QUEUED:
            _bring_forward(pending, now)
            return existing
    run = ReconciliationRun(id=uuid.uuid4(), status=RunStatus.QUEUED, requested_by=by)
    session.add(run)
    if pending is None:
        pending = await enqueue(session, RECONCILE, {"run_id": str(run.id)}, ordering_key=ORDERING_KEY, now=now)
    else:
        pending.payload = {**pending.payload, "run_id": str(run.id)}
        _bring_forward(pending, now)
    run.job_id = pending.id
    await session.flush()
    return run


def _bring_forward(job: DurableJob, now: datetime) -> None:
    """Due now, unless an operator held it (then it runs when they resume it)."""
    if job.status in MOVABLE and job.run_at > now:
        job.run_at = now
