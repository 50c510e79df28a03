"""Changing or cancelling a change entered ahead of its date, before it takes effect.

A scheduled change is one of the worker's dated records that is not in force yet (see
:func:`hirehub.hr.timeline.scheduled`). Cancelling removes what the change added and nothing else: a placement
record is deleted (the records around it read as before, since the placement is their fold), a termination's
last day is cleared, a leave that has not begun is deleted, a return's date is cleared, a hire or rehire ahead is
rescinded. Moving it re-checks the new date as if the change were entered anew.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.events import outbox
from hirehub.hr import domain, errors, services
from hirehub.hr.as_of import tenant_today, worker_as_of
from hirehub.hr.domain import Placement
from hirehub.hr.events import ScheduledChangeRevised
from hirehub.hr.models import Employment, EmploymentLeave, Position, Worker, WorkerPlacement
from hirehub.hr.timeline import ChangeKind, ScheduledChange

PLACEMENT_KINDS = (ChangeKind.TRANSFER, ChangeKind.MANAGER_CHANGE)


async def _find(
    session: AsyncSession, worker: Worker, change_id: uuid.UUID, kind: ChangeKind | None, today: date
) -> ScheduledChange:
    view = await worker_as_of(session, worker.id, as_of=today)
    matches = [c for c in view.scheduled if c.id == change_id and (kind is None or c.kind is kind)]
    if matches:
        return matches[0]
    models: tuple[type[Any], ...] = (WorkerPlacement, Employment, EmploymentLeave)
    for model in models:
        known = await session.get(model, change_id)
        if known is not None and getattr(known, "worker_id", None) == worker.id:
            raise errors.ChangeAlreadyEffective(
                "that change has taken effect already: enter a new change instead", field="change"
            )
    raise errors.NotFound(f"{worker.personnel_number} has no scheduled change {change_id}", field="change")


def _revised(
    worker: Worker, employment: Employment | None, change: ScheduledChange, new_effective: date | None
) -> ScheduledChangeRevised:
    return ScheduledChangeRevised(
        **domain.worker_facts(worker, employment, Placement()), change_id=change.id, change_kind=change.kind.value,
        effective_date=change.effective, new_effective_date=new_effective,
    )  # fmt: skip


async def cancel(
    session: AsyncSession,
    worker_id: uuid.UUID,
    change_id: uuid.UUID,
    *,
    kind: ChangeKind | None = None,
    today: date | None = None,
) -> ScheduledChange:
    """Cancel the worker's scheduled change ``change_id`` (``kind`` tells a leave from its return, which share the
    leave's id); refused once it has taken effect."""
    worker = await _worker(session, worker_id)
    today = today or await tenant_today(session)
    change = await _find(session, worker, change_id, kind, today)
    employment: Employment | None = None
    if change.kind in PLACEMENT_KINDS:
        record = await session.get(WorkerPlacement, change.id)
        assert record is not None
        employment = await session.get(Employment, record.employment_id)
        await session.delete(record)
    elif change.kind is ChangeKind.TERMINATION:
        employment = await session.get(Employment, change.id)
        assert employment is not None
        _no_rehire_after(employment, await services._employments(session, worker.id), None)
        employment.end_date, employment.termination_reason_id = None, None
    elif change.kind in (ChangeKind.LEAVE, ChangeKind.RETURN):
        leave = await session.get(EmploymentLeave, change.id)
        assert leave is not None
        employment = await session.get(Employment, leave.employment_id)
        if change.kind is ChangeKind.LEAVE:
            await session.delete(leave)
        else:
            leave.return_date = None
    else:
        await services.rescind_hire(session, worker.id, today=today)
        return change
    outbox.record(session, [_revised(worker, employment, change, None)])
    await services.settle(session, worker, today=today)
    return change


async def reschedule(
    session: AsyncSession,
    worker_id: uuid.UUID,
    change_id: uuid.UUID,
    *,
    effective: date | None = None,
    position_id: uuid.UUID | None = None,
    kind: ChangeKind | None = None,
    today: date | None = None,
) -> ScheduledChange:
    """Move the scheduled change ``change_id`` to ``effective`` (the first day it is in force; for a termination,
    the day after the last day) and, for a transfer, to another position. The new date must not be past."""
    worker = await _worker(session, worker_id)
    today = today or await tenant_today(session)
    change = await _find(session, worker, change_id, kind, today)
    new_day = effective or change.effective
    if new_day < today:
        raise errors.EffectiveDateInvalid(
            f"{new_day.isoformat()} is past: a change can be moved to today or later", field="effective"
        )
    if position_id is not None and change.kind is not ChangeKind.TRANSFER:
        raise errors.EffectiveDateInvalid("only a transfer goes to a position", field="position_id")
    employments = await services._employments(session, worker.id)
    employment: Employment | None
    if change.kind in PLACEMENT_KINDS:
        employment = await _move_placement(session, worker, change, new_day=new_day, position_id=position_id)
    elif change.kind is ChangeKind.TERMINATION:
        employment = await session.get(Employment, change.id)
        assert employment is not None
        last_day = new_day - timedelta(days=1)
        _no_rehire_after(employment, employments, last_day)
        reason_id, previous = employment.termination_reason_id, employment.end_date
        later = [r.valid_from for r in await services._placements(session, worker) if r.employment_id == employment.id]
        later += [
            leave.start_date
            for leave in await services._leaves(session, worker.id)
            if leave.employment_id == employment.id
        ]
        employment.end_date = None
        try:
            domain.terminate(
                worker, [employment], last_day=last_day, reason=None, today=today, placement=Placement(),
                later_changes=later,
            )  # fmt: skip
        except errors.HRError:
            employment.end_date = previous
            raise
        finally:
            employment.termination_reason_id = reason_id
    elif change.kind in (ChangeKind.LEAVE, ChangeKind.RETURN):
        employment = await _move_leave(session, change, new_day=new_day)
    else:
        employment = await _move_start(session, worker, change, new_day=new_day, employments=employments)
    moved = ScheduledChange(change.id, change.kind, new_day, change.details)
    outbox.record(session, [_revised(worker, employment, change, new_day)])
    await services.settle(session, worker, today=today)
    return moved


def _no_rehire_after(employment: Employment, employments: list[Employment], last_day: date | None) -> None:
    """A termination followed by a rehire keeps a last day before the rehire's first (None: no last day at all)."""
    following = [e for e in employments if not e.rescinded and e.start_date > employment.start_date]
    if following and (last_day is None or last_day >= min(e.start_date for e in following)):
        start = min(e.start_date for e in following)
        raise errors.RehireWhileEmployed(
            f"a rehire starts {start.isoformat()}: the employment before it must end first", field="effective"
        )


async def _worker(session: AsyncSession, worker_id: uuid.UUID) -> Worker:
    worker: Worker | None = await session.get(Worker, worker_id)
    if worker is None:
        raise errors.NotFound(f"no worker {worker_id}", field="worker")
    return worker


async def _move_placement(
    session: AsyncSession, worker: Worker, change: ScheduledChange, *, new_day: date, position_id: uuid.UUID | None
) -> Employment | None:
    record = await session.get(WorkerPlacement, change.id)
    assert record is not None
    employment = await session.get(Employment, record.employment_id)
    assert employment is not None
    if new_day < employment.start_date or (employment.end_date is not None and new_day > employment.end_date):
        raise errors.EffectiveDateInvalid(
            f"{new_day.isoformat()} is outside the employment "
            f"({employment.start_date.isoformat()} – {(employment.end_date or 'open')!s})",
            field="effective",
        )
    if position_id is not None:
        placement = await services._placement(session, position_id=position_id, ignore_worker=worker.id, on=new_day)
        position: Position | None = placement.position
        assert position is not None
        if position.max_workers <= placement.position_headcount:
            raise errors.PositionOccupied(
                f"position {position.position_id} already has {position.max_workers} worker(s)", field="position_id"
            )
        record.position_id, record.department_id, record.title_id = position.id, None, None
    record.valid_from = new_day
    return employment


async def _move_leave(session: AsyncSession, change: ScheduledChange, *, new_day: date) -> Employment | None:
    leave = await session.get(EmploymentLeave, change.id)
    assert leave is not None
    employment = await session.get(Employment, leave.employment_id)
    if change.kind is ChangeKind.LEAVE:
        if leave.return_date is not None and new_day >= leave.return_date:
            raise errors.LeaveDatesInvalid("the leave must start before the return", field="effective")
        if employment is not None and new_day < employment.start_date:
            raise errors.LeaveDatesInvalid("the leave cannot start before the employment", field="effective")
        leave.start_date = new_day
    else:
        if new_day <= leave.start_date:
            raise errors.LeaveDatesInvalid("the return must be after the first day of leave", field="effective")
        leave.return_date = new_day
    return employment


async def _move_start(
    session: AsyncSession, worker: Worker, change: ScheduledChange, *, new_day: date, employments: list[Employment]
) -> Employment | None:
    employment = await session.get(Employment, change.id)
    assert employment is not None
    earlier = [e.end_date for e in employments if e.id != employment.id and e.end_date and not e.rescinded]
    if earlier and new_day <= max(earlier):
        raise errors.RehireWhileEmployed(
            f"the previous employment ends {max(earlier).isoformat()}, after the new start", field="effective"
        )
    if employment.end_date is not None and new_day > employment.end_date:
        raise errors.EffectiveDateInvalid("the start must not be after the last day", field="effective")
    records = list(await session.scalars(select(WorkerPlacement).where(WorkerPlacement.employment_id == employment.id)))
    first = min(records, key=lambda r: (r.valid_from, r.entry), default=None)
    if any(r.valid_from < new_day for r in records if r is not first):
        raise errors.EffectiveDateInvalid(
            "a change is scheduled before the new start: cancel it first", field="effective"
        )
    if first is not None:
        first.valid_from = new_day
    employment.start_date = new_day
    return employment
