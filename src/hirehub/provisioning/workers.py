"""The worker as HR knows it now, loaded into the planner's plain :class:`~hirehub.lifecycle.worker_view.WorkerView`.

Jobs plan from the current HR state rather than from the event that queued them: jobs of one person run in order,
and the freshest state is always the right one to converge to.

One loader serves both a single worker (a sync) and every worker of the tenant (a reconciliation), so the two
can never see a worker differently: a handful of column queries, whatever the number of workers, rather than
a few queries per worker, which a reconciliation of 100,000 workers could not afford.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hirehub.db.base import record_of, utcnow
from hirehub.hr.models import Department, Employment, EmploymentLeave, Title, Worker
from hirehub.hr.models.options import WorkerStatus
from hirehub.lifecycle.worker_view import WorkerView, local_date, tenant_zone


async def worker_of_person(session: AsyncSession, person_id: uuid.UUID) -> Worker | None:
    found: Worker | None = await session.scalar(select(Worker).where(Worker.person_id == person_id))
    return found


@dataclass(frozen=True)
class _Employment:
    start_date: date
    end_date: date | None
    rescinded: bool
    employment_id: uuid.UUID


@dataclass(frozen=True)
class _Leave:
    employment_id: uuid.UUID
    start_date: date
    return_date: date | None


def _today(time_zone: str, today: date | None) -> date:
    return today if today is not None else local_date(utcnow(), tenant_zone(time_zone))


def _relevant_leave(leaves: Iterable[_Leave], employment_id: uuid.UUID, today: date) -> _Leave | None:
    """The leave that covers ``today``, else the next one to begin; past leaves no longer matter."""
    current = [
        leave
        for leave in leaves
        if leave.employment_id == employment_id and (leave.return_date is None or leave.return_date > today)
    ]
    return min(current, key=lambda leave: leave.start_date, default=None)


def _status(stored: int, leave: _Leave | None, today: date) -> str:
    """The HR status as of ``today``: a recorded leave's days decide on_leave, either way."""
    status = WorkerStatus(stored).name.lower()
    if leave is None:
        return status
    away = leave.start_date <= today and (leave.return_date is None or today < leave.return_date)
    if away and status in ("employed", "pending", "on_leave"):
        return "on_leave"
    return "employed" if status == "on_leave" else status


async def _views(
    session: AsyncSession, time_zone: str, today: date, only: Sequence[uuid.UUID] | None = None
) -> list[WorkerView]:
    manager = aliased(Worker)
    workers = (
        select(
            Worker.id, Worker.personnel_number, Worker.first_name, Worker.last_name, Worker.status, Worker.email,
            Worker.phone, Worker.data_area_id, Department.name, Title.title_id, manager.personnel_number,
        )
        .outerjoin(Department, record_of(Department, Worker.department_id))
        .outerjoin(Title, record_of(Title, Worker.title_id))
        .outerjoin(manager, record_of(manager, Worker.manager_id))
        .order_by(Worker.personnel_number)
    )  # fmt: skip
    employments = select(
        Employment.worker_id, Employment.start_date, Employment.end_date, Employment.rescinded, Employment.id
    )
    leaves = select(
        EmploymentLeave.worker_id, EmploymentLeave.employment_id, EmploymentLeave.start_date,
        EmploymentLeave.return_date,
    ).where(or_(EmploymentLeave.return_date.is_(None), EmploymentLeave.return_date > today))  # fmt: skip
    if only is not None:
        workers = workers.where(Worker.id.in_(only))
        employments = employments.where(Employment.worker_id.in_(only))
        leaves = leaves.where(EmploymentLeave.worker_id.in_(only))
    by_worker: dict[uuid.UUID, list[_Employment]] = {}
    for worker_id, start, end, rescinded, employment_id in await session.execute(employments):
        by_worker.setdefault(worker_id, []).append(_Employment(start, end, rescinded, employment_id))
    leaves_of: dict[uuid.UUID, list[_Leave]] = {}
    for worker_id, employment_id, start, returned in await session.execute(leaves):
        leaves_of.setdefault(worker_id, []).append(_Leave(employment_id, start, returned))
    views: list[WorkerView] = []
    for row in await session.execute(workers):
        worker_id, number, first, last, stored, email, phone, company, department, title, manager_number = row
        history = sorted(by_worker.get(worker_id, []), key=lambda e: e.start_date, reverse=True)
        current = next((e for e in history if not e.rescinded), None)
        rescinded = WorkerStatus(stored) is WorkerStatus.RESCINDED
        if rescinded and current is None and history:
            current = history[0]
        leave = _relevant_leave(leaves_of.get(worker_id, []), current.employment_id, today) if current else None
        views.append(
            WorkerView(
                worker_id=str(worker_id),
                personnel_number=number,
                first_name=first,
                last_name=last,
                status=_status(stored, leave, today),  # type: ignore[arg-type]
                start_date=current.start_date if current else None,
                last_day=current.end_date if current and not rescinded else None,
                time_zone=time_zone,
                email=email,
                phone=phone,
                department=department,
                job_title=title,
                company_code=company,
                manager_personnel_number=manager_number,
                leave_from=leave.start_date if leave else None,
                leave_until=leave.return_date if leave else None,
            )
        )
    return views


async def worker_view(
    session: AsyncSession, worker: Worker, time_zone: str, *, today: date | None = None
) -> WorkerView:
    """One worker as of the tenant's date ``today`` (by default, today in ``time_zone``), which decides
    whether a recorded leave of absence has begun or ended."""
    (view,) = await _views(session, time_zone, _today(time_zone, today), [worker.id])
    return view


async def all_worker_views(session: AsyncSession, time_zone: str, *, today: date | None = None) -> list[WorkerView]:
    """Every worker of the session's tenant as of ``today``, in personnel number order (for a reconciliation)."""
    return await _views(session, time_zone, _today(time_zone, today))
