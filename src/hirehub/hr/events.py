"""What the HR domain reports when a worker's employment changes: one event type per change.

Each carries what lifecycle automation needs to know about the worker at that moment (the same facts for
every change, in :class:`WorkerEvent`) and what is particular to the change; a type that adds no field is a
plain subclass of the dataclass it names. Their ``name`` is what the outbox row's ``type`` holds; it is kept
stable so rows already written read back as the same type.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from hirehub.events.event import DomainEvent


@dataclass(frozen=True, kw_only=True)
class WorkerEvent(DomainEvent):
    """The worker as of the change; ``person_id`` is the subject, so one person's events keep their order."""

    worker_id: uuid.UUID
    person_id: uuid.UUID
    personnel_number: str
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    company: str | None
    status: str
    """The worker's status name, lower-case (``pending``, ``employed``, …)."""
    position_id: str | None
    job_title: str | None
    department: str | None
    manager_personnel_number: str | None
    start_date: date | None
    end_date: date | None

    @property
    def subject_id(self) -> uuid.UUID:
        return self.person_id


@dataclass(frozen=True, kw_only=True)
class WorkerHired(WorkerEvent):
    """A candidate became a worker for the first time."""

    name = "worker.hired"
    candidate_id: str | None = None


class WorkerRehired(WorkerHired):
    """A former worker starts again on the same worker record (from a candidate, or directly): a hire too."""

    name = "worker.rehired"


class HireRescinded(WorkerEvent):
    """A hire withdrawn before its start date."""

    name = "worker.hire_rescinded"


@dataclass(frozen=True, kw_only=True)
class WorkerTransferred(WorkerEvent):
    """A move to another position, department, title or manager from ``effective_date`` on."""

    name = "worker.transferred"
    effective_date: date


@dataclass(frozen=True, kw_only=True)
class WorkerTerminated(WorkerEvent):
    """The employment ends after ``end_date``, for ``reason`` (the reason code's id) when one was given."""

    name = "worker.terminated"
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class LeaveEvent(WorkerEvent):
    """A leave of absence starting or ending: its days, as they stand after the change."""

    leave_start_date: date
    leave_expected_return_date: date | None
    leave_return_date: date | None
    leave_reason: str | None


class LeaveStarted(LeaveEvent):
    name = "worker.leave_started"


class LeaveEnded(LeaveEvent):
    name = "worker.leave_ended"


@dataclass(frozen=True, kw_only=True)
class ManagerChanged(WorkerEvent):
    """The worker's explicit manager changes from ``effective_date`` on (None: the reports-to position's)."""

    name = "worker.manager_changed"
    effective_date: date


@dataclass(frozen=True, kw_only=True)
class ScheduledChangeRevised(WorkerEvent):
    """A change entered ahead of its date was moved (``new_effective_date``) or cancelled (None) before it took
    effect: the dates the directory waits for are not the same any more."""

    name = "worker.scheduled_change_revised"
    change_id: uuid.UUID
    change_kind: str
    effective_date: date
    new_effective_date: date | None = None


WORKER_EVENTS: tuple[type[WorkerEvent], ...] = (
    WorkerHired, WorkerRehired, WorkerTransferred, WorkerTerminated, HireRescinded, LeaveStarted, LeaveEnded,
    ManagerChanged, ScheduledChangeRevised,
)  # fmt: skip
"""Every change to a worker's employment, for a consumer that acts on them all alike."""
