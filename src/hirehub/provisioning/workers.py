"""The worker as HR knows it now, loaded into the planner's plain :class:`~hirehub.lifecycle.worker_view.WorkerView`.

Jobs plan from the current HR state rather than from the event that queued them: jobs of one person run in order,
and the freshest state is always the right one to converge to.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.hr.models import Department, Employment, Title, Worker
from hirehub.hr.models.options import WorkerStatus
from hirehub.lifecycle.worker_view import WorkerView


async def worker_of_person(session: AsyncSession, person_id: uuid.UUID) -> Worker | None:
    found: Worker | None = await session.scalar(select(Worker).where(Worker.person_id == person_id))
    return found


async def worker_view(session: AsyncSession, worker: Worker, time_zone: str) -> WorkerView:
    employments = list(
        await session.scalars(
            select(Employment)
            .where(Employment.worker_id == worker.id, Employment.rescinded.is_(False))
            .order_by(Employment.start_date.desc())
        )
    )
    current = employments[0] if employments else None
    department = await session.get(Department, worker.department_id) if worker.department_id else None
    title = await session.get(Title, worker.title_id) if worker.title_id else None
    manager = await session.get(Worker, worker.manager_id) if worker.manager_id else None
    status = WorkerStatus(worker.status).name.lower()
    if status == "rescinded" and current is None:
        latest = await session.scalar(
            select(Employment).where(Employment.worker_id == worker.id).order_by(Employment.start_date.desc())
        )
        current = latest
    return WorkerView(
        worker_id=str(worker.id),
        personnel_number=worker.personnel_number,
        first_name=worker.first_name,
        last_name=worker.last_name,
        status=status,  # type: ignore[arg-type]
        start_date=current.start_date if current else None,
        last_day=current.end_date if current and status != "rescinded" else None,
        time_zone=time_zone,
        email=worker.email,
        phone=worker.phone,
        department=department.name if department else None,
        job_title=title.title_id if title else None,
        company_code=worker.data_area_id,
        manager_personnel_number=manager.personnel_number if manager else None,
    )
