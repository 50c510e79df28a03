"""A worker's dates, read as of one day: status, placement, and what is still to come. Pure, no I/O.

Everything a worker's view depends on is a dated record: employments (start, last day), leaves of absence (first
day, day back) and placement changes (:class:`~hirehub.hr.models.workforce.WorkerPlacement`). The view on a day is
a function of those records and the day alone, so the console, the CLI, the Web API's row columns, the daily
transition job and the lifecycle engine all read the same thing on every date. Dates are the tenant's calendar
dates; ranges include both ends (Dynamics 365 HR's ValidTo is the last day).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from hirehub.hr.models.options import PlacementChange, WorkerStatus


class Status(StrEnum):
    """A worker's status on a day (WorkerStatus by name, lower-case)."""

    PENDING = "pending"
    EMPLOYED = "employed"
    ON_LEAVE = "on_leave"
    TERMINATED = "terminated"
    RESCINDED = "rescinded"

    @property
    def option(self) -> WorkerStatus:
        """The option-set value the worker row's status column holds."""
        return WorkerStatus[self.name]


class ChangeKind(StrEnum):
    """What a scheduled change does on its effective day."""

    HIRE = "hire"
    REHIRE = "rehire"
    TRANSFER = "transfer"
    MANAGER_CHANGE = "manager_change"
    TERMINATION = "termination"
    LEAVE = "leave"
    RETURN = "return"


@dataclass(frozen=True)
class ScheduledChange:
    """A dated record that takes effect after the day of the view: ``id`` is the GUID of that record (the
    placement record, the employment, or the leave) and ``effective`` the first day it is in force."""

    id: uuid.UUID
    kind: ChangeKind
    effective: date
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Stint:
    """An employment: from ``start`` to ``end`` (the last day worked, None while open)."""

    id: uuid.UUID
    start: date
    end: date | None = None
    rescinded: bool = False

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Away:
    """A leave of absence: from ``start`` up to, not including, ``back`` (None while no return is recorded)."""

    id: uuid.UUID
    employment_id: uuid.UUID
    start: date
    back: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.back is None or day < self.back)

    @property
    def empty(self) -> bool:
        """A leave that ends on its first day never happened."""
        return self.back is not None and self.back <= self.start


@dataclass(frozen=True)
class Move:
    """A placement record (see :class:`~hirehub.hr.models.workforce.WorkerPlacement` for what each kind sets)."""

    id: uuid.UUID
    employment_id: uuid.UUID
    change: PlacementChange
    valid_from: date
    entry: int = 0
    position_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    title_id: uuid.UUID | None = None
    manager_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Seat:
    """Where a worker sits on a day: the position, and the department, title and manager given explicitly
    (None: what the position gives, and the worker in its reports-to position)."""

    position_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    title_id: uuid.UUID | None = None
    manager_id: uuid.UUID | None = None


def live(stints: Iterable[Stint]) -> list[Stint]:
    """The employments that were not rescinded, earliest first."""
    return sorted((s for s in stints if not s.rescinded), key=lambda s: s.start)


def employment_on(stints: Iterable[Stint], day: date) -> Stint | None:
    """The employment that decides the view on ``day``: the latest one started by then, unless it has ended and
    another is still to start (a rehire ahead, whose first day the worker is waiting for)."""
    ordered = live(stints)
    started = [s for s in ordered if s.start <= day]
    upcoming = [s for s in ordered if s.start > day]
    if started and (started[-1].end is None or day <= started[-1].end or not upcoming):
        return started[-1]
    return upcoming[0] if upcoming else None


def status_on(stints: Sequence[Stint], aways: Iterable[Away], day: date) -> Status:
    """Pending before the first day (of a hire or of a rehire ahead), employed from it, on leave while a leave
    covers the day, terminated after the last day; rescinded when every employment was rescinded."""
    current = employment_on(stints, day)
    if current is None:
        return Status.RESCINDED if stints else Status.PENDING
    if current.start > day:
        return Status.PENDING
    if current.end is not None and day > current.end:
        return Status.TERMINATED
    if any(a.employment_id == current.id and not a.empty and a.covers(day) for a in aways):
        return Status.ON_LEAVE
    return Status.EMPLOYED


def _ordered(moves: Iterable[Move], employment_id: uuid.UUID) -> list[Move]:
    return sorted((m for m in moves if m.employment_id == employment_id), key=lambda m: (m.valid_from, m.entry))


def apply(seat: Seat, move: Move) -> Seat:
    """The seat after one placement record."""
    change = PlacementChange(move.change)
    if change in (PlacementChange.HIRE, PlacementChange.REHIRE):
        return Seat(move.position_id, move.department_id, move.title_id, move.manager_id)
    if change is PlacementChange.MANAGER_CHANGE:
        return replace(seat, manager_id=move.manager_id)
    manager = move.manager_id or seat.manager_id
    if move.position_id is not None:
        return Seat(move.position_id, move.department_id, move.title_id, manager)
    return Seat(seat.position_id, move.department_id or seat.department_id, move.title_id or seat.title_id, manager)


def seat_on(moves: Iterable[Move], stint: Stint, day: date) -> Seat:
    """The placement on ``day`` within ``stint``: before its start, the placement it starts with; after its last
    day, the one it ended with."""
    ordered = _ordered(moves, stint.id)
    applicable = [m for m in ordered if m.valid_from <= day] or ordered[:1]
    seat = Seat()
    for move in applicable:
        seat = apply(seat, move)
    return seat


def change_days(moves: Iterable[Move], employment_id: uuid.UUID) -> list[date]:
    """The distinct days on which the employment's placement records take effect, in order."""
    return sorted({m.valid_from for m in moves if m.employment_id == employment_id})


def valid_to(moves: Sequence[Move], stint: Stint) -> dict[uuid.UUID, date | None]:
    """Each record's last day in force (inclusive): the day before the next later-dated record, else the
    employment's last day. Records of one day share their range; the later entry wins within it."""
    days = change_days(moves, stint.id)
    ends: dict[uuid.UUID, date | None] = {}
    for move in _ordered(moves, stint.id):
        later = [d for d in days if d > move.valid_from]
        ends[move.id] = later[0] - timedelta(days=1) if later else stint.end
    return ends


def position_runs(moves: Sequence[Move], stint: Stint) -> list[tuple[uuid.UUID, date, date | None]]:
    """The employment's position assignments, as (position, first day, last day or None): one per run of days in
    the same position, which is what the assignment table shows."""
    runs: list[tuple[uuid.UUID | None, date]] = []
    for day in change_days(moves, stint.id):
        position = seat_on(moves, stint, day).position_id
        if not runs or runs[-1][0] != position:
            runs.append((position, day))
    result: list[tuple[uuid.UUID, date, date | None]] = []
    for index, (position, start) in enumerate(runs):
        end = runs[index + 1][1] - timedelta(days=1) if index + 1 < len(runs) else stint.end
        if position is not None:
            result.append((position, start, end))
    return result


def scheduled(
    stints: Sequence[Stint], aways: Iterable[Away], moves: Iterable[Move], day: date
) -> list[ScheduledChange]:
    """Every dated record that takes effect after ``day``, earliest first."""
    ordered = live(stints)
    changes: list[ScheduledChange] = []
    for index, stint in enumerate(ordered):
        if stint.start > day:
            kind = ChangeKind.REHIRE if index > 0 or len(stints) > len(ordered) else ChangeKind.HIRE
            changes.append(ScheduledChange(stint.id, kind, stint.start, {"start": stint.start.isoformat()}))
        if stint.end is not None and stint.end >= day:
            effective = stint.end + timedelta(days=1)
            changes.append(
                ScheduledChange(stint.id, ChangeKind.TERMINATION, effective, {"last_day": stint.end.isoformat()})
            )
    kept = {s.id for s in ordered}
    for move in moves:
        change = PlacementChange(move.change)
        if move.valid_from <= day or move.employment_id not in kept:
            continue
        if change in (PlacementChange.TRANSFER, PlacementChange.MANAGER_CHANGE):
            kind = ChangeKind.TRANSFER if change is PlacementChange.TRANSFER else ChangeKind.MANAGER_CHANGE
            details = {
                name: str(value) if value is not None else None
                for name, value in (
                    ("position_id", move.position_id), ("department_id", move.department_id),
                    ("title_id", move.title_id), ("manager_id", move.manager_id),
                )
            }  # fmt: skip
            changes.append(ScheduledChange(move.id, kind, move.valid_from, details))
    for away in aways:
        if away.empty or away.employment_id not in kept:
            continue
        back = away.back.isoformat() if away.back else None
        if away.start > day:
            changes.append(ScheduledChange(away.id, ChangeKind.LEAVE, away.start, {"return": back}))
        if away.back is not None and away.back > day:
            changes.append(
                ScheduledChange(away.id, ChangeKind.RETURN, away.back, {"leave_start": away.start.isoformat()})
            )
    return sorted(changes, key=lambda c: (c.effective, c.kind.value))


def future_days(stints: Sequence[Stint], aways: Iterable[Away], moves: Iterable[Move], day: date) -> list[date]:
    """The days after ``day`` on which the view changes without anyone entering anything."""
    return sorted({change.effective for change in scheduled(stints, aways, moves, day)})
