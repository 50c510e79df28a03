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
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import utcnow
from hirehub.hr.as_of import away, legacy_moves, move, stint
from hirehub.hr.models import (
    Department,
    Employment,
    EmploymentLeave,
    Position,
    PositionWorkerAssignment,
    Title,
    Worker,
    WorkerPlacement,
)
from hirehub.hr.timeline import Away, Move, Seat, Stint, employment_on, future_days, seat_on, status_on
from hirehub.lifecycle.worker_view import WorkerView, local_date, tenant_zone


async def worker_of_person(session: AsyncSession, person_id: uuid.UUID) -> Worker | None:
    found: Worker | None = await session.scalar(select(Worker).where(Worker.person_id == person_id))
    return found


@dataclass(frozen=True)
class _Leave:
    employment_id: uuid.UUID
    start_date: date
    return_date: date | None


def _today(time_zone: str, today: date | None) -> date:
    return today if today is not None else local_date(utcnow(), tenant_zone(time_zone))


def _relevant_leave(leaves: Iterable[Away], employment_id: uuid.UUID, today: date) -> _Leave | None:
    """The leave that covers ``today``, else the next one to begin; past leaves no longer matter."""
    current = [
        leave
        for leave in leaves
        if leave.employment_id == employment_id and not leave.empty and (leave.back is None or leave.back > today)
    ]
    chosen = min(current, key=lambda leave: leave.start, default=None)
    return _Leave(chosen.employment_id, chosen.start, chosen.back) if chosen else None


@dataclass(frozen=True)
class _Organisation:
    """What a placement resolves through: positions, department names, title codes, and who holds each position
    on the day (for the manager a position's reports-to gives)."""

    positions: dict[uuid.UUID, tuple[uuid.UUID | None, uuid.UUID | None, uuid.UUID | None]]
    departments: dict[uuid.UUID, str]
    titles: dict[uuid.UUID, str]
    holders: dict[uuid.UUID, uuid.UUID]


async def _organisation(session: AsyncSession, today: date) -> _Organisation:
    positions = {
        row[0]: (row[1], row[2], row[3])
        for row in await session.execute(
            select(Position.id, Position.department_id, Position.title_id, Position.reports_to_id)
        )
    }
    departments = {row[0]: row[1] for row in await session.execute(select(Department.id, Department.name))}
    titles = {row[0]: row[1] for row in await session.execute(select(Title.id, Title.title_id))}
    holders: dict[uuid.UUID, uuid.UUID] = {}
    held = (
        select(PositionWorkerAssignment.position_id, PositionWorkerAssignment.worker_id)
        .where(
            PositionWorkerAssignment.valid_from <= today,
            or_(PositionWorkerAssignment.valid_to.is_(None), PositionWorkerAssignment.valid_to >= today),
        )
        .order_by(PositionWorkerAssignment.valid_from)
    )
    for position_id, holder in await session.execute(held):
        holders.setdefault(position_id, holder)
    return _Organisation(positions, departments, titles, holders)


def _placement_on(
    seat: Seat, organisation: _Organisation, worker_id: uuid.UUID
) -> tuple[uuid.UUID | None, uuid.UUID | None, uuid.UUID | None]:
    """The department, title and manager (ids) a seat gives on the organisation's day."""
    department, title, reports_to = organisation.positions.get(seat.position_id, (None, None, None)) if (
        seat.position_id
    ) else (None, None, None)  # fmt: skip
    manager = seat.manager_id
    if manager is None and reports_to is not None:
        holder = organisation.holders.get(reports_to)
        manager = holder if holder != worker_id else None
    return seat.department_id or department, seat.title_id or title, manager


async def _views(
    session: AsyncSession, time_zone: str, today: date, only: Sequence[uuid.UUID] | None = None
) -> list[WorkerView]:
    """The views, each derived from the worker's dated records as of ``today`` (not from the row's columns, which
    the daily transition may not have brought up to ``today`` yet)."""
    workers = select(
        Worker.id, Worker.personnel_number, Worker.first_name, Worker.last_name, Worker.email, Worker.phone,
        Worker.data_area_id, Worker.department_id, Worker.title_id, Worker.manager_id,
    ).order_by(Worker.personnel_number)  # fmt: skip
    employments = select(Employment)
    leaves = select(EmploymentLeave)
    placements = select(WorkerPlacement)
    assignments = select(PositionWorkerAssignment)
    if only is not None:
        workers = workers.where(Worker.id.in_(only))
        employments = employments.where(Employment.worker_id.in_(only))
        leaves = leaves.where(EmploymentLeave.worker_id.in_(only))
        placements = placements.where(WorkerPlacement.worker_id.in_(only))
        assignments = assignments.where(PositionWorkerAssignment.worker_id.in_(only))
    stints: dict[uuid.UUID, list[Stint]] = {}
    for employment in await session.scalars(employments):
        stints.setdefault(employment.worker_id, []).append(stint(employment))
    aways: dict[uuid.UUID, list[Away]] = {}
    for leave_row in await session.scalars(leaves):
        aways.setdefault(leave_row.worker_id, []).append(away(leave_row))
    moves: dict[uuid.UUID, list[Move]] = {}
    for record in await session.scalars(placements):
        moves.setdefault(record.worker_id, []).append(move(record))
    held: dict[uuid.UUID, list[PositionWorkerAssignment]] = {}
    for assignment in await session.scalars(assignments):
        held.setdefault(assignment.worker_id, []).append(assignment)
    organisation = await _organisation(session, today)
    rows = list(await session.execute(workers))
    placed: dict[uuid.UUID, tuple[uuid.UUID | None, uuid.UUID | None, uuid.UUID | None]] = {}
    for row in rows:
        worker_id = row[0]
        history = stints.get(worker_id, [])
        current = employment_on(history, today)
        worker_moves = moves.get(worker_id) or _legacy(row, history, held.get(worker_id, []))
        seat = seat_on(worker_moves, current, today) if current else Seat()
        placed[worker_id] = _placement_on(seat, organisation, worker_id)
        moves[worker_id] = worker_moves
    managers = {m for (_, _, m) in placed.values() if m is not None}
    numbers = (
        {
            row[0]: row[1]
            for row in await session.execute(select(Worker.id, Worker.personnel_number).where(Worker.id.in_(managers)))
        }
        if managers
        else {}
    )
    views: list[WorkerView] = []
    for row in rows:
        worker_id, number, first, last, email, phone, company = row[:7]
        history = stints.get(worker_id, [])
        current = employment_on(history, today)
        status = status_on(history, aways.get(worker_id, []), today)
        start: date | None
        last_day: date | None
        if current is None and history:
            latest = max(history, key=lambda s: s.start)
            start, last_day = latest.start, None
        else:
            start = current.start if current else None
            last_day = current.end if current else None
        leave = _relevant_leave(aways.get(worker_id, []), current.id, today) if current else None
        department, title, manager = placed[worker_id]
        changes = future_days(history, aways.get(worker_id, []), moves.get(worker_id, []), today)
        views.append(
            WorkerView(
                worker_id=str(worker_id),
                personnel_number=number,
                first_name=first,
                last_name=last,
                status=status.value,  # type: ignore[arg-type]
                start_date=start,
                last_day=last_day,
                time_zone=time_zone,
                email=email,
                phone=phone,
                department=organisation.departments.get(department) if department else None,
                job_title=organisation.titles.get(title) if title else None,
                company_code=company,
                manager_personnel_number=numbers.get(manager) if manager else None,
                leave_from=leave.start_date if leave else None,
                leave_until=leave.return_date if leave else None,
                changes_on=tuple(changes),
            )
        )
    return views


def _legacy(row: Any, history: list[Stint], assignments: list[PositionWorkerAssignment]) -> list[Move]:
    """A worker placed before placement records existed reads as placed by its row's columns."""
    worker = Worker(id=row[0], department_id=row[7], title_id=row[8], manager_id=row[9])
    return legacy_moves(worker, history, assignments)


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
