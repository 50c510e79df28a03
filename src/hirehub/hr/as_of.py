"""The worker as of a date: the read every protocol shows (console, CLI, Web API rows, lifecycle engine).

:func:`worker_as_of` loads a worker's dated records (employments, leaves of absence, placement records) and reads
them on one day with :mod:`hirehub.hr.timeline`; the names here are an interface other packages build on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import utcnow
from hirehub.db.session import TENANT_KEY
from hirehub.hr import errors
from hirehub.hr.models import (
    Department,
    Employment,
    EmploymentLeave,
    Job,
    Position,
    PositionWorkerAssignment,
    Title,
    Worker,
    WorkerPlacement,
)
from hirehub.hr.models.options import PlacementChange
from hirehub.hr.timeline import (
    Away,
    ChangeKind,
    Move,
    ScheduledChange,
    Seat,
    Status,
    Stint,
    employment_on,
    scheduled,
    seat_on,
    status_on,
)
from hirehub.tenancy.models import Tenant

__all__ = [
    "ChangeKind",
    "Records",
    "ScheduledChange",
    "Status",
    "WorkerAsOf",
    "load_records",
    "manager_on",
    "tenant_today",
    "worker_as_of",
]


@dataclass(frozen=True)
class WorkerAsOf:
    """One worker as HR knows them on ``as_of``: status and placement that day, the employment that decides
    them, and every dated change still to come after that day."""

    worker: Worker
    as_of: date
    status: Status
    position: Position | None
    department: Department | None
    job: Job | None
    title: Title | None
    manager: Worker | None
    employment_start: date | None
    last_day: date | None
    scheduled: list[ScheduledChange] = field(default_factory=list)
    employment: Employment | None = None


@dataclass(frozen=True)
class Records:
    """A worker's dated records as plain values."""

    stints: list[Stint]
    aways: list[Away]
    moves: list[Move]


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


_TENANT_ROW = "hirehub.hr.tenant_row"


async def tenant_zone(session: AsyncSession) -> ZoneInfo:
    """The session's tenant's time zone.

    The session holds on to the tenant's row: its identity map keeps only rows someone references, so without
    that every date computed in one unit of work (a hire asks three times) would read the tenant again. Holding
    the row rather than the zone keeps a change of zone made in the same session visible.
    """
    tenant = await session.get(Tenant, session.info[TENANT_KEY])
    session.info[_TENANT_ROW] = tenant
    return zone_of(tenant.time_zone if tenant is not None else "UTC")


async def tenant_today(session: AsyncSession, now: datetime | None = None) -> date:
    """The session's tenant's calendar date at ``now`` (by default, the present instant)."""
    return (now or utcnow()).astimezone(await tenant_zone(session)).date()


def stint(employment: Employment) -> Stint:
    return Stint(employment.id, employment.start_date, employment.end_date, employment.rescinded)


def away(leave: EmploymentLeave) -> Away:
    return Away(leave.id, leave.employment_id, leave.start_date, leave.return_date)


def move(record: WorkerPlacement) -> Move:
    return Move(
        record.id, record.employment_id, PlacementChange(record.change), record.valid_from, record.entry,
        record.position_id, record.department_id, record.title_id, record.manager_id,
    )  # fmt: skip


def legacy_moves(worker: Worker, stints: list[Stint], assignments: list[PositionWorkerAssignment]) -> list[Move]:
    """A worker placed before placement records existed: one hire record at the current employment's start, from
    the latest position assignment and the row's department, title and manager."""
    current = employment_on(stints, date.max)
    if current is None:
        return []
    latest = max(assignments, key=lambda a: a.valid_from, default=None)
    return [
        Move(
            uuid.uuid5(worker.id, "legacy-placement"), current.id, PlacementChange.HIRE, current.start, 0,
            latest.position_id if latest else None, worker.department_id, worker.title_id, worker.manager_id,
        )
    ]  # fmt: skip


async def load_records(
    session: AsyncSession,
    worker: Worker,
    *,
    employments: list[Employment] | None = None,
    placements: list[WorkerPlacement] | None = None,
    leaves: list[EmploymentLeave] | None = None,
) -> Records:
    """The worker's employments, leaves and placement records (placement synthesised for a legacy worker).

    A caller that has just read (and flushed) some of the worker's rows passes them, rather than having them read
    again."""
    if employments is None:
        employments = list(await session.scalars(select(Employment).where(Employment.worker_id == worker.id)))
    if leaves is None:
        leaves = list(await session.scalars(select(EmploymentLeave).where(EmploymentLeave.worker_id == worker.id)))
    if placements is None:
        placements = list(await session.scalars(select(WorkerPlacement).where(WorkerPlacement.worker_id == worker.id)))
    stints = [stint(e) for e in employments]
    moves = [move(p) for p in placements]
    if not moves:
        assignments = list(
            await session.scalars(
                select(PositionWorkerAssignment).where(PositionWorkerAssignment.worker_id == worker.id)
            )
        )
        moves = legacy_moves(worker, stints, assignments)
    return Records(stints, [away(leave) for leave in leaves], moves)


async def manager_on(
    session: AsyncSession, *, worker_id: uuid.UUID, seat: Seat, position: Position | None, day: date
) -> Worker | None:
    """The explicit manager, else the worker assigned on ``day`` to the position this one reports to."""
    if seat.manager_id is not None:
        found: Worker | None = await session.get(Worker, seat.manager_id)
        return found
    if position is None or position.reports_to_id is None:
        return None
    manager_id = await session.scalar(
        select(PositionWorkerAssignment.worker_id)
        .where(
            PositionWorkerAssignment.position_id == position.reports_to_id,
            PositionWorkerAssignment.worker_id != worker_id,
            PositionWorkerAssignment.valid_from <= day,
            or_(PositionWorkerAssignment.valid_to.is_(None), PositionWorkerAssignment.valid_to >= day),
        )
        .order_by(PositionWorkerAssignment.valid_from)
        .limit(1)
    )
    if manager_id is None:
        return None
    manager: Worker | None = await session.get(Worker, manager_id)
    return manager


async def worker_as_of(
    session: AsyncSession, worker_id: uuid.UUID, *, as_of: date, records: Records | None = None
) -> WorkerAsOf:
    """The worker ``worker_id`` of the session's tenant as of the tenant's date ``as_of``; NotFound otherwise.
    ``records`` are the worker's, when the caller has them (see :func:`load_records`)."""
    worker: Worker | None = await session.get(Worker, worker_id)
    if worker is None:
        raise errors.NotFound(f"no worker {worker_id}", field="worker")
    if records is None:
        records = await load_records(session, worker)
    current = employment_on(records.stints, as_of)
    seat = seat_on(records.moves, current, as_of) if current is not None else Seat()
    position = await session.get(Position, seat.position_id) if seat.position_id else None
    department_id = seat.department_id or (position.department_id if position else None)
    title_id = seat.title_id or (position.title_id if position else None)
    department = await session.get(Department, department_id) if department_id else None
    title = await session.get(Title, title_id) if title_id else None
    job = await session.get(Job, position.job_id) if position and position.job_id else None
    manager = await manager_on(session, worker_id=worker.id, seat=seat, position=position, day=as_of)
    employment = await session.get(Employment, current.id) if current is not None else None
    return WorkerAsOf(
        worker=worker,
        as_of=as_of,
        status=status_on(records.stints, records.aways, as_of),
        position=position,
        department=department,
        job=job,
        title=title,
        manager=manager,
        employment_start=current.start if current else None,
        last_day=current.end if current else None,
        scheduled=scheduled(records.stints, records.aways, records.moves, as_of),
        employment=employment,
    )
