"""The HR domain rules: pure functions over loaded records, with no I/O of their own.

Each function checks everything first and raises a specific :class:`~hirehub.hr.errors.HRError`
before touching anything, then changes the records it was given and returns the new ones and the
domain events (:mod:`hirehub.hr.events`) to record. Numbers (party, personnel) and the current date are
passed in, so the rules are deterministic and testable without a database.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hirehub.hr import errors
from hirehub.hr.events import (
    HireRescinded,
    LeaveEnded,
    LeaveEvent,
    LeaveStarted,
    ManagerChanged,
    WorkerEvent,
    WorkerHired,
    WorkerRehired,
    WorkerTerminated,
    WorkerTransferred,
)
from hirehub.hr.models import (
    CandidateToHire,
    Department,
    Employment,
    EmploymentLeave,
    Person,
    Position,
    PositionWorkerAssignment,
    ReasonCode,
    Title,
    Worker,
    WorkerPlacement,
)
from hirehub.hr.models.options import ApplicantIntegrationResult, PlacementChange, WorkerStatus


@dataclass(frozen=True)
class HireDetails:
    """What the *Hire new worker* pane lets the HR user review and complete."""

    start_date: date | None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass
class Placement:
    """Where a worker sits: a position (with how many workers it holds now), department, title, manager."""

    position: Position | None = None
    position_headcount: int = 0
    department: Department | None = None
    title: Title | None = None
    manager: Worker | None = None


@dataclass(frozen=True, kw_only=True)
class HireCase:
    """Everything a hire is decided from: the candidate and their person, the person's worker record and
    employments if they worked here before, what the HR user completed, and where the worker will sit."""

    candidate: CandidateToHire
    person: Person
    existing_worker: Worker | None
    existing_employments: Sequence[Employment]
    details: HireDetails
    placement: Placement


@dataclass
class HireOutcome:
    worker: Worker
    employment: Employment
    assignment: PositionWorkerAssignment | None
    events: list[WorkerEvent] = field(default_factory=list)
    rehire: bool = False
    record: WorkerPlacement | None = None


def _clean(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _check_position(placement: Placement) -> None:
    position = placement.position
    if position is not None and placement.position_headcount >= position.max_workers:
        raise errors.PositionOccupied(
            f"position {position.position_id} already has {position.max_workers} worker(s)", field="position_id"
        )


def worker_facts(worker: Worker, employment: Employment | None, placement: Placement) -> dict[str, Any]:
    """The fields every :class:`~hirehub.hr.events.WorkerEvent` carries, as of the change."""
    return {
        "worker_id": worker.id,
        "person_id": worker.person_id,
        "personnel_number": worker.personnel_number,
        "first_name": worker.first_name,
        "last_name": worker.last_name,
        "email": worker.email,
        "phone": worker.phone,
        "company": worker.data_area_id,
        "status": WorkerStatus(worker.status).name.lower(),
        "position_id": placement.position.position_id if placement.position else None,
        "job_title": (placement.title.title_id if placement.title else None)
        or (placement.position.description if placement.position else None),
        "department": placement.department.name if placement.department else None,
        "manager_personnel_number": placement.manager.personnel_number if placement.manager else None,
        "start_date": employment.start_date if employment else None,
        "end_date": employment.end_date if employment else None,
    }


def open_employment(employments: Sequence[Employment]) -> Employment | None:
    """The employment without an end date (there is at most one)."""
    return next((e for e in employments if e.end_date is None and not e.rescinded), None)


def _employed(worker: Worker, employments: Sequence[Employment]) -> Employment:
    """The worker's open employment, which the change needs."""
    employment = open_employment(employments)
    if employment is None:
        raise errors.WorkerNotEmployed(f"{worker.personnel_number} has no open employment")
    return employment


def check_hire(case: HireCase) -> tuple[str, str, date]:
    """Every reason a hire could be refused, checked without changing anything.

    Returns the first name, last name and start date the hire will use.
    """
    candidate, person, existing_worker, details = case.candidate, case.person, case.existing_worker, case.details
    existing_employments = case.existing_employments
    result = ApplicantIntegrationResult(candidate.applicant_integration_result)
    if result is ApplicantIntegrationResult.HIRED:
        raise errors.CandidateAlreadyHired(f"candidate {candidate.candidate_id} was hired already")
    if result in (ApplicantIntegrationResult.NOT_HIRED, ApplicantIntegrationResult.DISMISSED):
        raise errors.CandidateNotHireable(f"candidate {candidate.candidate_id} is marked {result.name.lower()}")
    first_name = _clean(details.first_name) or _clean(candidate.first_name)
    last_name = _clean(details.last_name) or _clean(candidate.last_name)
    if first_name is None:
        raise errors.MissingRequiredField("first_name")
    if last_name is None:
        raise errors.MissingRequiredField("last_name")
    if details.start_date is None:
        raise errors.MissingRequiredField("start_date")
    if existing_worker is not None and open_employment(existing_employments) is not None:
        raise errors.WorkerAlreadyEmployed(
            f"{person.full_name} is already employed ({existing_worker.personnel_number})"
        )
    last_end = max((e.end_date for e in existing_employments if e.end_date), default=None)
    if last_end is not None and details.start_date <= last_end:
        raise errors.RehireWhileEmployed(
            f"the previous employment ends {last_end.isoformat()}, after the new start", field="start_date"
        )
    _check_position(case.placement)
    return first_name, last_name, details.start_date


def hire(
    case: HireCase, *, personnel_number: str | None, company_code: str | None, company_id: Any = None
) -> HireOutcome:
    """*Hire new worker*: the candidate's person becomes a worker with a new employment.

    A person who was a worker before is rehired on the same worker record (same personnel number):
    never a second person, never a second worker.
    """
    first_name, last_name, start_date = check_hire(case)
    candidate, person, existing_worker, details, placement = (
        case.candidate, case.person, case.existing_worker, case.details, case.placement,
    )  # fmt: skip
    if existing_worker is None and personnel_number is None:
        raise ValueError("a first hire needs a personnel number")

    email = _clean(details.email) or _clean(candidate.email) or person.primary_contact_email
    phone = _clean(details.phone) or _clean(candidate.phone) or person.primary_contact_phone
    person.first_name, person.last_name = first_name, last_name
    person.primary_contact_email, person.primary_contact_phone = email, phone
    worker = existing_worker or Worker(id=uuid.uuid4(), person_id=person.id, personnel_number=personnel_number)
    worker.first_name, worker.last_name, worker.email, worker.phone = first_name, last_name, email, phone
    worker.status = WorkerStatus.PENDING
    worker.company_id, worker.data_area_id = company_id, company_code
    _place(worker, placement)
    employment = Employment(
        id=uuid.uuid4(), worker_id=worker.id, start_date=start_date, company_id=company_id,
        data_area_id=company_code,
    )  # fmt: skip
    assignment = _assign(worker, placement, start_date)
    candidate.applicant_integration_result = ApplicantIntegrationResult.HIRED
    candidate.worker_ref_id = worker.id
    rehire = existing_worker is not None
    event_type = WorkerRehired if rehire else WorkerHired
    event = event_type(**worker_facts(worker, employment, placement), candidate_id=candidate.candidate_id)
    record = _record(
        worker, employment, PlacementChange.REHIRE if rehire else PlacementChange.HIRE, start_date, placement
    )
    return HireOutcome(worker, employment, assignment, [event], rehire, record)


def _place(worker: Worker, placement: Placement) -> None:
    position = placement.position
    worker.department_id = (
        placement.department.id if placement.department else (position.department_id if position else None)
    )
    worker.title_id = placement.title.id if placement.title else (position.title_id if position else None)
    worker.manager_id = placement.manager.id if placement.manager else None


def _assign(worker: Worker, placement: Placement, start: date) -> PositionWorkerAssignment | None:
    if placement.position is None:
        return None
    return PositionWorkerAssignment(worker_id=worker.id, position_id=placement.position.id, valid_from=start)


def explicit(placement: Placement) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The department and title a placement gives beyond what its position gives (None: the position's)."""
    position = placement.position
    department = placement.department.id if placement.department else None
    title = placement.title.id if placement.title else None
    if position is not None and department == position.department_id:
        department = None
    if position is not None and title == position.title_id:
        title = None
    return department, title


def _record(
    worker: Worker, employment: Employment, change: PlacementChange, valid_from: date, placement: Placement, *,
    entry: int = 0, position_set: bool = True,
) -> WorkerPlacement:  # fmt: skip
    department, title = explicit(placement)
    return WorkerPlacement(
        id=uuid.uuid4(), worker_id=worker.id, employment_id=employment.id, change=change, entry=entry,
        valid_from=valid_from,
        position_id=placement.position.id if placement.position and position_set else None,
        department_id=department, title_id=title, manager_id=placement.manager.id if placement.manager else None,
    )  # fmt: skip


def current_employment(employments: Sequence[Employment]) -> Employment | None:
    """The latest employment that was not rescinded (open, ended, or ending on a recorded last day)."""
    return max((e for e in employments if not e.rescinded), key=lambda e: e.start_date, default=None)


def _in_force(worker: Worker, employments: Sequence[Employment], effective: date, what: str) -> Employment:
    """The employment a dated change on ``effective`` belongs to: it must have started by then and not ended."""
    employment = current_employment(employments)
    if employment is None:
        raise errors.WorkerNotEmployed(f"{worker.personnel_number} has no open employment")
    if employment.start_date > effective:
        raise errors.TerminationBeforeStart(
            f"a {what} cannot take effect before the employment starts ({employment.start_date.isoformat()}; "
            f"{effective.isoformat()} was asked)",
            field="effective",
        )
    if employment.end_date is not None and effective > employment.end_date:
        raise errors.WorkerNotEmployed(
            f"{worker.personnel_number}'s employment ends {employment.end_date.isoformat()}, "
            f"before {effective.isoformat()}"
        )
    return employment


def rehire(
    worker: Worker,
    employments: Sequence[Employment],
    *,
    start_date: date,
    placement: Placement,
) -> HireOutcome:
    """A former worker starts again: the same worker record, a new employment."""
    if open_employment(employments) is not None:
        raise errors.RehireWhileEmployed(f"{worker.personnel_number} is still employed: terminate first")
    last_end = max((e.end_date for e in employments if e.end_date), default=None)
    if last_end is not None and start_date <= last_end:
        raise errors.RehireWhileEmployed(
            f"the previous employment ends {last_end.isoformat()}, after the new start", field="start_date"
        )
    _check_position(placement)
    employment = Employment(
        id=uuid.uuid4(), worker_id=worker.id, start_date=start_date, company_id=worker.company_id,
        data_area_id=worker.data_area_id,
    )  # fmt: skip
    assignment = _assign(worker, placement, start_date)
    event = WorkerRehired(**worker_facts(worker, employment, placement))
    record = _record(worker, employment, PlacementChange.REHIRE, start_date, placement)
    return HireOutcome(worker, employment, assignment, [event], rehire=True, record=record)


def transfer(
    worker: Worker,
    employments: Sequence[Employment],
    *,
    placement: Placement,
    effective: date,
    position_set: bool = True,
    entry: int = 0,
) -> tuple[WorkerPlacement, list[WorkerEvent]]:
    """A move to another position, department, title or manager from ``effective`` on (past, today or ahead):
    recorded as a dated placement record, so nothing about the worker changes before that day.

    ``placement`` is what the change names; ``position_set`` False when it names no position (then only the
    department, title and manager it names change)."""
    employment = _in_force(worker, employments, effective, "transfer")
    if placement.manager is not None and placement.manager.id == worker.id:
        raise errors.SelfManagement("a worker cannot be their own manager", field="manager")
    if placement.position is not None and position_set:
        _check_position(placement)
    record = _record(
        worker, employment, PlacementChange.TRANSFER, effective, placement, entry=entry, position_set=position_set
    )
    return record, [WorkerTransferred(**worker_facts(worker, employment, placement), effective_date=effective)]


def change_manager(
    worker: Worker,
    employments: Sequence[Employment],
    *,
    manager: Worker | None,
    effective: date,
    entry: int = 0,
) -> tuple[WorkerPlacement, list[WorkerEvent]]:
    """A new explicit manager from ``effective`` on (None: back to the worker in the reports-to position)."""
    employment = _in_force(worker, employments, effective, "manager change")
    if manager is not None and manager.id == worker.id:
        raise errors.SelfManagement("a worker cannot be their own manager", field="manager")
    placement = Placement(manager=manager)
    record = WorkerPlacement(
        id=uuid.uuid4(), worker_id=worker.id, employment_id=employment.id, change=PlacementChange.MANAGER_CHANGE,
        entry=entry, valid_from=effective, manager_id=manager.id if manager else None,
    )  # fmt: skip
    return record, [ManagerChanged(**worker_facts(worker, employment, placement), effective_date=effective)]


def terminate(
    worker: Worker,
    employments: Sequence[Employment],
    *,
    last_day: date,
    reason: ReasonCode | None,
    today: date,
    placement: Placement,
    later_changes: Sequence[date] = (),
) -> list[WorkerEvent]:
    """End the open employment after ``last_day`` (which may be in the future). ``later_changes`` are the days
    of the employment's changes already recorded: one after the last day must be cancelled first."""
    employment = open_employment(employments)
    if employment is None:
        ended = [e for e in employments if e.end_date and not e.rescinded]
        if ended:
            raise errors.AlreadyTerminated(
                f"{worker.personnel_number} was terminated on {max(e.end_date for e in ended if e.end_date)}"
            )
        raise errors.WorkerNotEmployed(f"{worker.personnel_number} has no open employment")
    if last_day < employment.start_date:
        raise errors.TerminationBeforeStart(
            f"the last day {last_day.isoformat()} is before the start {employment.start_date.isoformat()}",
            field="last_day",
        )
    after = sorted(day for day in later_changes if day > last_day)
    if after:
        raise errors.ChangeScheduledAfter(
            f"a change is scheduled for {after[0].isoformat()}, after the last day: cancel it first",
            field="last_day",
        )
    employment.end_date = last_day
    employment.termination_reason_id = reason.id if reason else None
    reason_code = reason.reason_code_id if reason else None
    return [WorkerTerminated(**worker_facts(worker, employment, placement), reason=reason_code)]


def rescind_hire(
    worker: Worker, employments: Sequence[Employment], *, today: date, placement: Placement
) -> list[WorkerEvent]:
    """Undo a hire that has not started yet (the offer was withdrawn or declined)."""
    employment = open_employment(employments)
    if employment is None:
        raise errors.WorkerNotEmployed(f"{worker.personnel_number} has no pending hire")
    if employment.start_date <= today:
        raise errors.HireAlreadyStarted(f"the employment started on {employment.start_date.isoformat()}")
    employment.rescinded = True
    employment.end_date = employment.start_date
    if not any(e.end_date is not None and not e.rescinded for e in employments):
        worker.status = WorkerStatus.RESCINDED
    return [HireRescinded(**worker_facts(worker, employment, placement))]


def _leave_event(
    event_type: type[LeaveEvent],
    worker: Worker,
    *,
    employment: Employment,
    placement: Placement,
    leave: EmploymentLeave,
) -> LeaveEvent:
    return event_type(
        **worker_facts(worker, employment, placement), leave_start_date=leave.start_date,
        leave_expected_return_date=leave.expected_return_date, leave_return_date=leave.return_date,
        leave_reason=leave.reason,
    )  # fmt: skip


def start_leave(
    worker: Worker,
    employments: Sequence[Employment],
    *,
    leaves: Sequence[EmploymentLeave],
    placement: Placement,
    first_day: date,
    expected_return: date | None,
    reason: str,
) -> tuple[EmploymentLeave, list[WorkerEvent]]:
    """A leave of absence from ``first_day`` (which may be in the future) until the worker returns.

    The worker's status is left to the dates: a leave entered weeks ahead is not a leave yet, and the lifecycle
    engine, which reads the leave's days, acts on the morning it starts.
    """
    why = _clean(reason)
    if why is None:
        raise errors.MissingRequiredField("reason")
    employment = _employed(worker, employments)
    if first_day < employment.start_date:
        raise errors.LeaveDatesInvalid(
            f"the leave starts {first_day.isoformat()}, before the employment ({employment.start_date.isoformat()})",
            field="first_day",
        )
    if employment.end_date is not None and first_day > employment.end_date:
        raise errors.LeaveDatesInvalid(
            f"the employment ends {employment.end_date.isoformat()}, before the leave", field="first_day"
        )
    if expected_return is not None and expected_return <= first_day:
        raise errors.LeaveDatesInvalid(
            "the expected return must be after the first day of leave", field="expected_return"
        )
    for other in (item for item in leaves if item.employment_id == employment.id):
        if other.return_date is None or other.return_date > first_day:
            raise errors.LeaveOverlaps(
                f"{worker.personnel_number} has a leave from {other.start_date.isoformat()}"
                + (f" until {other.return_date.isoformat()}" if other.return_date else " with no return recorded")
            )
    leave = EmploymentLeave(
        id=uuid.uuid4(), worker_id=worker.id, employment_id=employment.id, start_date=first_day,
        expected_return_date=expected_return, reason=why,
    )  # fmt: skip
    return leave, [_leave_event(LeaveStarted, worker, employment=employment, placement=placement, leave=leave)]


def end_leave(
    worker: Worker,
    employments: Sequence[Employment],
    *,
    leaves: Sequence[EmploymentLeave],
    placement: Placement,
    return_day: date,
) -> tuple[EmploymentLeave, list[WorkerEvent]]:
    """The worker is back at work on ``return_day`` (which may be in the future). Returning on the first day of
    leave cancels a leave that never happened."""
    leave = max((item for item in leaves if item.return_date is None), key=lambda item: item.start_date, default=None)
    if leave is None:
        raise errors.NotOnLeave(f"{worker.personnel_number} has no open leave of absence")
    if return_day < leave.start_date:
        raise errors.LeaveDatesInvalid(
            f"the return {return_day.isoformat()} is before the leave started ({leave.start_date.isoformat()})",
            field="return_day",
        )
    employment = next((e for e in employments if e.id == leave.employment_id), None) or open_employment(employments)
    if employment is None:
        raise errors.WorkerNotEmployed(f"{worker.personnel_number} has no employment for this leave")
    leave.return_date = return_day
    return leave, [_leave_event(LeaveEnded, worker, employment=employment, placement=placement, leave=leave)]
