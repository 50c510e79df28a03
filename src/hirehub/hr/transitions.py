"""The daily transition: at the start of each of the tenant's days, what became effective is applied to the rows.

The worker row's status, department, title and manager are the view as of the tenant's today, because the Web API
and the console's filters read rows. A change entered with a date up to today is applied at once (by
:func:`hirehub.hr.services.settle`); one entered ahead of its date is applied by this job on the morning it takes
effect. One durable job per tenant, ``hr.daily_transitions``, reschedules itself for the next day's start
(:mod:`hirehub.hr.daily`). The job is idempotent: it settles every worker with a dated record in the days since
it last ran, which a second run of the same day finds settled already.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.hr import services
from hirehub.hr.as_of import tenant_today
from hirehub.hr.daily import DAILY, ensure_daily
from hirehub.hr.models import (
    Employment,
    EmploymentLeave,
    Position,
    PositionWorkerAssignment,
    Worker,
    WorkerPlacement,
)
from hirehub.jobs.context import JobContext


def _dated_between(after: date, through: date) -> list[Select[Any]]:
    """The workers with a dated record taking effect on a day in (``after``, ``through``]."""
    last_day_after, last_day_through = after - timedelta(days=1), through - timedelta(days=1)
    return [
        select(Employment.worker_id).where(Employment.start_date > after, Employment.start_date <= through),
        select(Employment.worker_id).where(
            Employment.end_date > last_day_after, Employment.end_date <= last_day_through
        ),
        select(EmploymentLeave.worker_id).where(
            EmploymentLeave.start_date > after, EmploymentLeave.start_date <= through
        ),
        select(EmploymentLeave.worker_id).where(
            EmploymentLeave.return_date > after, EmploymentLeave.return_date <= through
        ),
        select(WorkerPlacement.worker_id).where(
            WorkerPlacement.valid_from > after, WorkerPlacement.valid_from <= through
        ),
    ]


async def apply_through(session: AsyncSession, *, after: date, today: date) -> int:
    """Settle every worker whose records take effect after ``after`` up to ``today``, then the workers who report to
    a position those workers left or took; how many workers were settled."""
    worker_ids: set[Any] = set()
    for query in _dated_between(after, today):
        worker_ids.update(await session.scalars(query))
    for worker_id in sorted(worker_ids):
        worker = await session.get(Worker, worker_id)
        if worker is not None:
            await services.settle(session, worker, today=today)
    reports = await _reports_of_positions_held_by(session, worker_ids) - worker_ids
    for worker_id in sorted(reports):
        worker = await session.get(Worker, worker_id)
        if worker is not None:
            await services.follow_derived_manager(session, worker, today=today)
    return len(worker_ids) + len(reports)


async def _reports_of_positions_held_by(session: AsyncSession, worker_ids: set[Any]) -> set[Any]:
    """The workers whose position reports to a position any of ``worker_ids`` has held: when its holder changes,
    their manager (the reports-to position's holder, unless one is named) changes with no record of their own."""
    if not worker_ids:
        return set()
    held = select(PositionWorkerAssignment.position_id).where(PositionWorkerAssignment.worker_id.in_(worker_ids))
    below = select(Position.id).where(Position.reports_to_id.in_(held))
    return set(
        await session.scalars(
            select(PositionWorkerAssignment.worker_id).where(PositionWorkerAssignment.position_id.in_(below))
        )
    )


async def daily_transitions(context: JobContext) -> Mapping[str, Any]:
    """The ``hr.daily_transitions`` handler: apply what took effect since the last run, then schedule the next."""
    async with context.tenant_transaction() as session:
        today = await tenant_today(session, context.clock())
        through = context.payload.get("applied_through")
        after = date.fromisoformat(str(through)) if through else today - timedelta(days=1)
        settled = await apply_through(session, after=min(after, today), today=today) if after < today else 0
        await ensure_daily(session, applied_through=max(after, today))
    return {"day": today.isoformat(), "settled": settled}


JOB_HANDLERS = {DAILY: daily_transitions}
"""The HR job kinds → their handlers, merged into the hub's map by the composition root."""
