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
)
from hirehub.hr.models.options import ApplicantIntegrationResult, WorkerStatus


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
        worker_id=worker.id, start_date=start_date, company_id=company_id, data_area_id=company_code
    )
    assignment = _assign(worker, placement, start_date)
    candidate.applicant_integration_result = ApplicantIntegrationResult.HIRED
    candidate.worker_ref_id = worker.id
    rehire = existing_worker is not None
    event_type = WorkerRehired if rehire else WorkerHired
    event = event_type(**worker_facts(worker, employment, placement), candidate_id=candidate.candidate_id)
    return HireOutcome(worker, employment, assignment, [event], rehire)


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
    worker.status = WorkerStatus.PENDING
    _place(worker, placement)
    employment = Employment(
        worker_id=worker.id, start_date=start_date, company_id=worker.company_id, data_area_id=worker.data_area_id
    )
    assignment = _assign(worker, placement, start_date)
    event = WorkerRehired(**worker_facts(worker, employment, placement))
    return HireOutcome(worker, employment, assignment, [event], rehire=True)


def transfer(
    worker: Worker,
    employments: Sequence[Employment],
    *,
    current_assignments: Sequence[PositionWorkerAssignment],
    placement: Placement,
    effective: date,
) -> tuple[PositionWorkerAssignment | None, list[WorkerEvent]]:
    """A move: new position, department, title or manager from ``effective`` on."""
    employment = _employed(worker, employments)
    if effective < employment.start_date:
        raise errors.TerminationBeforeStart(
            "a transfer cannot take effect before the employment starts", field="effective"
        )
    if placement.manager is not None and placement.manager.id == worker.id:
        raise errors.SelfManagement("a worker cannot be their own manager", field="manager")
    new_position = placement.position
    moving = new_position is not None and all(
        a.position_id != new_position.id for a in current_assignments if a.valid_to is None
    )
    if moving:
        _check_position(placement)
    assignment = None
    if moving and new_position is not None:
        for current in current_assignments:
            if current.valid_to is None:
                current.valid_to = effective
        assignment = PositionWorkerAssignment(worker_id=worker.id, position_id=new_position.id, valid_from=effective)
    _place(worker, placement)
    return assignment, [WorkerTransferred(**worker_facts(worker, employment, placement), effective_date=effective)]


def terminate(
    worker: Worker,
    employments: Sequence[Employment],
    *,
    current_assignments: Sequence[PositionWorkerAssignment],
    last_day: date,
    reason: ReasonCode | None,
    today: date,
    placement: Placement,
) -> list[WorkerEvent]:
    """End the open employment after ``last_day`` (which may be in the future)."""
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
    employment.end_date = last_day
    employment.termination_reason_id = reason.id if reason else None
    for assignment in current_assignments:
        if assignment.valid_to is None:
            assignment.valid_to = last_day
    if last_day < today:
        worker.status = WorkerStatus.TERMINATED
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
    leave = next((item for item in leaves if item.return_date is None), None)
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
    if WorkerStatus(worker.status) is WorkerStatus.ON_LEAVE:
        worker.status = WorkerStatus.EMPLOYED
    return leave, [_leave_event(LeaveEnded, worker, employment=employment, placement=placement, leave=leave)]
