"""Keeping exactly one daily transition pending per tenant, due at the start of the tenant's next day.

Every way in (an HR change with a date ahead, the job rescheduling itself) goes through :func:`ensure_daily`,
which changes the pending job rather than adding a second one, under the job queue's lock on its ordering key.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.hr.as_of import tenant_zone
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.jobs.queue import enqueue, lock_ordering_key

DAILY = "hr.daily_transitions"
ORDERING_KEY = "hr.daily_transitions"
PENDING = (JobStatus.QUEUED.value, JobStatus.FAILED.value, JobStatus.HELD.value)
MOVABLE = (JobStatus.QUEUED.value, JobStatus.FAILED.value)


async def _start_of(session: AsyncSession, day: date) -> datetime:
    """The instant ``day`` begins in the session's tenant's zone."""
    return datetime.combine(day, datetime.min.time(), tzinfo=await tenant_zone(session))


async def pending_job(session: AsyncSession) -> DurableJob | None:
    """The tenant's pending daily transition (the earliest, should there ever be more than one)."""
    found: DurableJob | None = await session.scalar(
        select(DurableJob)
        .where(DurableJob.ordering_key == ORDERING_KEY, DurableJob.kind == DAILY, DurableJob.status.in_(PENDING))
        .order_by(DurableJob.sequence)
        .limit(1)
    )
    return found


async def ensure_daily(session: AsyncSession, *, applied_through: date) -> DurableJob:
    """Make sure a daily transition is pending for the start of the day after ``applied_through`` (the last day
    whose changes are on the rows) or earlier: the pending one, brought forward, or a new one."""
    due = await _start_of(session, applied_through + timedelta(days=1))
    await lock_ordering_key(session, ORDERING_KEY)
    pending = await pending_job(session)
    if pending is None:
        return await enqueue(
            session, DAILY, {"applied_through": applied_through.isoformat()}, ordering_key=ORDERING_KEY, run_at=due
        )
    through = pending.payload.get("applied_through")
    if through is None or date.fromisoformat(str(through)) > applied_through:
        pending.payload = {**pending.payload, "applied_through": applied_through.isoformat()}
    if pending.status in MOVABLE and pending.run_at > due:
        pending.run_at = due
    return pending
