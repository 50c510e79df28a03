"""HR application services: load what a rule needs, take numbers, apply the rule, record its events.

Every service runs inside the caller's tenant transaction, so the change and its outbox events commit
together or not at all; a refusal (an :class:`~hirehub.hr.errors.HRError`) is raised before anything
is added to the session.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.sequences import CANDIDATE_ID, PARTY_NUMBER, PERSONNEL_NUMBER, take_numbers
from hirehub.events import outbox
from hirehub.hr import domain, errors
from hirehub.hr.as_of import WorkerAsOf, legacy_moves, load_records, move, stint, tenant_today, worker_as_of
from hirehub.hr.daily import ensure_daily
from hirehub.hr.domain import HireDetails, HireOutcome, Placement
from hirehub.hr.events import ManagerChanged, WorkerEvent
from hirehub.hr.locations import keep_work_location
from hirehub.hr.models import (
    CandidateToHire,
    Department,
    Employment,
    EmploymentLeave,
    LinkedInExportedCandidate,
    Person,
    Position,
    PositionWorkerAssignment,
    ReasonCode,
    Title,
    Worker,
    WorkerPlacement,
)
from hirehub.hr.models.options import ApplicantIntegrationResult
from hirehub.hr.organisation import refuse_retired
from hirehub.hr.timeline import live, position_runs, valid_to
from hirehub.tenancy.models import Company


@dataclass(frozen=True)
class NewCandidate:
    first_name: str
    last_name: str | None = None
    middle_name: str | None = None
    email: str | None = None
    phone: str | None = None
    availability_date: date | None = None
    recruiting_request_id: str | None = None
    position_id: str | None = None
    data_area_id: str | None = None


async def _one(
    session: AsyncSession, model: type[Any], row_id: uuid.UUID, what: str, *, field: str | None = None
) -> Any:
    found = await session.get(model, row_id)
    if found is None:
        raise errors.NotFound(f"no {what} {row_id}", field=field)
    return found


async def create_candidate(session: AsyncSession, new: NewCandidate) -> CandidateToHire:
    """A candidate to hire with its person; candidate id and party number come from the sequences."""
    if not (new.first_name or "").strip():
        raise errors.MissingRequiredField("first_name")
    person = await new_person(
        session, first_name=new.first_name.strip(), middle_name=new.middle_name, last_name=new.last_name,
        email=new.email, phone=new.phone,
    )  # fmt: skip
    (candidate_id,) = await take_numbers(session, CANDIDATE_ID.code)
    candidate = CandidateToHire(
        candidate_id=candidate_id,
        party_number=person.party_number,
        first_name=person.first_name,
        middle_name=new.middle_name,
        last_name=new.last_name,
        email=new.email,
        phone=new.phone,
        availability_date=new.availability_date,
        recruiting_request_id=new.recruiting_request_id,
        position_id=new.position_id,
        data_area_id=new.data_area_id,
        person_ref_id=person.id,
        applicant_integration_result=ApplicantIntegrationResult.NOT_PROCESSED,
    )
    session.add(candidate)
    return candidate


async def new_person(
    session: AsyncSession, *, first_name: str, middle_name: str | None = None, last_name: str | None = None,
    email: str | None = None, phone: str | None = None,
) -> Person:  # fmt: skip
    """A person with the tenant's next party number, added to the session (a candidate's, whichever way it came)."""
    (party_number,) = await take_numbers(session, PARTY_NUMBER.code)
    person = Person(
        id=uuid.uuid4(), party_number=party_number, first_name=first_name, middle_name=middle_name,
        last_name=last_name, primary_contact_email=email, primary_contact_phone=phone,
    )  # fmt: skip
    session.add(person)
    return person


async def _placement(
    session: AsyncSession,
    *,
    position_id: uuid.UUID | None = None,
    department_id: uuid.UUID | None = None,
    title_id: uuid.UUID | None = None,
    manager_id: uuid.UUID | None = None,
    ignore_worker: uuid.UUID | None = None,
    on: date | None = None,
) -> Placement:
    """The records a placement names; with a position, how many other workers hold it from ``on`` on."""
    placement = Placement()
    if position_id is not None:
        placement.position = await _one(session, Position, position_id, "position", field="position_id")
        still_held = (
            PositionWorkerAssignment.valid_to.is_(None)
            if on is None
            else or_(PositionWorkerAssignment.valid_to.is_(None), PositionWorkerAssignment.valid_to >= on)
        )
        occupied = (
            select(func.count())
            .select_from(PositionWorkerAssignment)
            .where(PositionWorkerAssignment.position_id == position_id, still_held)
        )
        if ignore_worker is not None:
            occupied = occupied.where(PositionWorkerAssignment.worker_id != ignore_worker)
        placement.position_headcount = int(await session.scalar(occupied) or 0)
        department_id = department_id or placement.position.department_id
        title_id = title_id or placement.position.title_id
    if department_id is not None:
        placement.department = await _one(session, Department, department_id, "department", field="department_id")
    if title_id is not None:
        placement.title = await _one(session, Title, title_id, "title", field="title_id")
    if manager_id is not None:
        placement.manager = await _one(session, Worker, manager_id, "manager", field="manager_id")
    return placement


async def _employments(session: AsyncSession, worker_id: uuid.UUID) -> list[Employment]:
    return list(await session.scalars(select(Employment).where(Employment.worker_id == worker_id)))


async def _assignments(session: AsyncSession, worker_id: uuid.UUID) -> list[PositionWorkerAssignment]:
    return list(
        await session.scalars(select(PositionWorkerAssignment).where(PositionWorkerAssignment.worker_id == worker_id))
    )


async def _company(session: AsyncSession, code: str | None) -> Company | None:
    if code is None:
        return None
    company = await session.scalar(select(Company).where(Company.code == code.upper()))
    if company is None:
        raise errors.NotFound(f"no company {code}", field="company")
    return company


async def hire(
    session: AsyncSession,
    candidate_row_id: uuid.UUID,
    details: HireDetails,
    *,
    position_id: uuid.UUID | None = None,
    manager_id: uuid.UUID | None = None,
    company_code: str | None = None,
    title_id: uuid.UUID | None = None,
    today: date | None = None,
) -> HireOutcome:
    """*Hire new worker* for one candidate (the console's dialog and the API's bound action); ``title_id`` is
    the worker's title when it is not the position's."""
    candidate: CandidateToHire = await _one(session, CandidateToHire, candidate_row_id, "candidate to hire")
    if candidate.person_ref_id is None:
        raise errors.MissingRequiredField("person")
    person: Person = await _one(session, Person, candidate.person_ref_id, "person")
    worker = await session.scalar(select(Worker).where(Worker.person_id == person.id))
    employments = await _employments(session, worker.id) if worker else []
    position_id = position_id or candidate.position_ref_id
    placement = await _placement(
        session, position_id=position_id, manager_id=manager_id, title_id=title_id,
        ignore_worker=worker.id if worker else None, on=details.start_date,
    )  # fmt: skip
    _refuse_retired_position(placement, on=details.start_date)
    company = await _company(session, company_code or candidate.data_area_id)
    # Check before taking a number, so a refusal leaves the sequence untouched.
    case = domain.HireCase(
        candidate=candidate, person=person, existing_worker=worker, existing_employments=employments,
        details=details, placement=placement,
    )  # fmt: skip
    domain.check_hire(case)
    number = None if worker else (await take_numbers(session, PERSONNEL_NUMBER.code))[0]
    outcome = domain.hire(
        case, personnel_number=number, company_code=company.code if company else None,
        company_id=company.id if company else None,
    )  # fmt: skip
    await _add(session, outcome, today=today, new_worker=worker is None)
    return outcome


async def _add(session: AsyncSession, outcome: HireOutcome, *, today: date | None, new_worker: bool = False) -> None:
    session.add(outcome.worker)
    session.add(outcome.employment)
    if outcome.assignment is not None:
        session.add(outcome.assignment)
    await session.flush()  # the placement record refers to the employment: written after it
    if outcome.record is not None:
        session.add(outcome.record)
    outbox.record(session, outcome.events)
    # A worker created in this transaction has no rows but the ones just added: nothing else can refer to it yet.
    rows = (
        WorkerRows(
            employments=[outcome.employment], placements=[outcome.record] if outcome.record else [],
            assignments=[outcome.assignment] if outcome.assignment else [], leaves=[],
        )
        if new_worker
        else None
    )  # fmt: skip
    await settle(session, outcome.worker, today=today, rows=rows)


async def _next_entry(session: AsyncSession, worker_id: uuid.UUID) -> int:
    """The order of a new placement record among the worker's (the later entry wins on the same day)."""
    latest = await session.scalar(select(func.max(WorkerPlacement.entry)).where(WorkerPlacement.worker_id == worker_id))
    return int(latest or 0) + 1


async def _placements(session: AsyncSession, worker: Worker) -> list[WorkerPlacement]:
    """The worker's placement records; a worker placed before they existed gets its hire record written now."""
    records = list(await session.scalars(select(WorkerPlacement).where(WorkerPlacement.worker_id == worker.id)))
    if records:
        return records
    stints = [stint(e) for e in await _employments(session, worker.id)]
    for legacy in legacy_moves(worker, stints, await _assignments(session, worker.id)):
        record = WorkerPlacement(
            id=uuid.uuid4(), worker_id=worker.id, employment_id=legacy.employment_id, change=legacy.change, entry=0,
            valid_from=legacy.valid_from, position_id=legacy.position_id, department_id=legacy.department_id,
            title_id=legacy.title_id, manager_id=legacy.manager_id,
        )  # fmt: skip
        session.add(record)
        records.append(record)
    return records


@dataclass(frozen=True, kw_only=True)
class WorkerRows:
    """Every dated row of one worker, when the caller knows them all without reading (a worker it just created)."""

    employments: list[Employment]
    placements: list[WorkerPlacement]
    assignments: list[PositionWorkerAssignment]
    leaves: list[EmploymentLeave]


async def settle(
    session: AsyncSession, worker: Worker, *, today: date | None = None, rows: WorkerRows | None = None
) -> WorkerAsOf:
    """Bring what the dated records imply up to date: each placement record's last day, the position
    assignments (one per run of days in a position, ValidTo inclusive), and the worker row as of ``today`` (the
    tenant's date unless given), which is what the Web API and the console's filters read. ``rows`` spares reading
    the worker's rows when the caller holds every one of them."""
    today = today or await tenant_today(session)
    await session.flush()
    if rows is None:
        records = list(await session.scalars(select(WorkerPlacement).where(WorkerPlacement.worker_id == worker.id)))
        employments = await _employments(session, worker.id)
    else:
        records, employments = rows.placements, rows.employments
    stints = [stint(e) for e in employments]
    moves = [move(r) for r in records]
    placed = {m.employment_id for m in moves}
    kept = [s for s in live(stints) if s.id in placed]
    ends: dict[uuid.UUID, date | None] = {}
    wanted: dict[tuple[uuid.UUID, date], date | None] = {}
    for employment in kept:
        ends.update(valid_to(moves, employment))
        for position, first, last in position_runs(moves, employment):
            wanted[(position, first)] = last
    for record in records:
        if record.id in ends and record.valid_to != ends[record.id]:
            record.valid_to = ends[record.id]
    unplaced = [s for s in live(stints) if s.id not in placed]
    for assignment in rows.assignments if rows else await _assignments(session, worker.id):
        key = (assignment.position_id, assignment.valid_from)
        if key in wanted:
            if assignment.valid_to != wanted[key]:
                assignment.valid_to = wanted.pop(key)
            else:
                wanted.pop(key)
        elif not any(s.covers(assignment.valid_from) for s in unplaced):
            await session.delete(assignment)
    for (position, first), last in wanted.items():
        session.add(
            PositionWorkerAssignment(worker_id=worker.id, position_id=position, valid_from=first, valid_to=last)
        )
    await session.flush()
    # The legacy path (no placement record yet) reads the assignments just settled: let it read for itself.
    loaded = (
        await load_records(
            session, worker, employments=employments, placements=records, leaves=rows.leaves if rows else None
        )
        if records
        else None
    )
    view = await worker_as_of(session, worker.id, as_of=today, records=loaded)
    worker.status = view.status.option
    worker.department_id = view.department.id if view.department else None
    worker.title_id = view.title.id if view.title else None
    worker.manager_id = view.manager.id if view.manager else None
    if view.scheduled:
        await ensure_daily(session, applied_through=today)
    return view


async def follow_derived_manager(session: AsyncSession, worker: Worker, *, today: date) -> None:
    """Settle a worker whose manager comes from the reports-to position, after that position's holder changed; when
    the manager did change, say so as a manager change effective ``today``, so the directory follows."""
    before = worker.manager_id
    view = await settle(session, worker, today=today)
    if worker.manager_id == before or view.employment is None:
        return
    placement = Placement(position=view.position, department=view.department, title=view.title, manager=view.manager)
    facts = domain.worker_facts(worker, view.employment, placement)
    outbox.record(session, [ManagerChanged(**facts, effective_date=today)])


async def rehire(
    session: AsyncSession,
    worker_id: uuid.UUID,
    start_date: date,
    *,
    position_id: uuid.UUID | None = None,
    manager_id: uuid.UUID | None = None,
    today: date | None = None,
) -> HireOutcome:
    """A former worker starts again on ``start_date`` (which may be ahead: then it is a scheduled rehire)."""
    worker: Worker = await _one(session, Worker, worker_id, "worker")
    placement = await _placement(
        session, position_id=position_id, manager_id=manager_id, ignore_worker=worker.id, on=start_date
    )
    _refuse_retired_position(placement, on=start_date)
    outcome = domain.rehire(worker, await _employments(session, worker.id), start_date=start_date, placement=placement)
    await _add(session, outcome, today=today)
    return outcome


async def transfer(
    session: AsyncSession,
    worker_id: uuid.UUID,
    effective: date,
    *,
    position_id: uuid.UUID | None = None,
    department_id: uuid.UUID | None = None,
    title_id: uuid.UUID | None = None,
    manager_id: uuid.UUID | None = None,
    today: date | None = None,
) -> list[WorkerEvent]:
    """A move from ``effective`` on, recorded as a dated placement record: a new position brings its own
    department and title; without one, the worker keeps theirs unless the change names others."""
    worker: Worker = await _one(session, Worker, worker_id, "worker")
    placement = await _placement(
        session, position_id=position_id, department_id=department_id, title_id=title_id, manager_id=manager_id,
        ignore_worker=worker.id, on=effective,
    )  # fmt: skip
    if position_id is not None:
        _refuse_retired_position(placement, on=effective)
    employments = await _employments(session, worker.id)
    record, events = domain.transfer(
        worker, employments, placement=placement, effective=effective, position_set=position_id is not None,
        entry=await _next_entry(session, worker.id),
    )  # fmt: skip
    await _placements(session, worker)
    session.add(record)
    outbox.record(session, events)
    await settle(session, worker, today=today)
    return events


async def change_manager(
    session: AsyncSession,
    worker_id: uuid.UUID,
    effective: date,
    *,
    manager_id: uuid.UUID | None,
    today: date | None = None,
) -> list[WorkerEvent]:
    """A new explicit manager from ``effective`` on; None hands the worker back to the reports-to position."""
    worker: Worker = await _one(session, Worker, worker_id, "worker")
    manager = await _one(session, Worker, manager_id, "manager", field="manager_id") if manager_id else None
    record, events = domain.change_manager(
        worker, await _employments(session, worker.id), manager=manager, effective=effective,
        entry=await _next_entry(session, worker.id),
    )  # fmt: skip
    await _placements(session, worker)
    session.add(record)
    outbox.record(session, events)
    await settle(session, worker, today=today)
    return events


def _refuse_retired_position(placement: Placement, *, on: date | None) -> None:
    """A position retired by ``on`` takes no one new (the hire, rehire or move that names it is refused)."""
    if placement.position is not None:
        refuse_retired(placement.position, field="position_id", on=on)


async def _placement_now(session: AsyncSession, worker: Worker) -> Placement:
    return await _placement(
        session, department_id=worker.department_id, title_id=worker.title_id, manager_id=worker.manager_id
    )


async def terminate(
    session: AsyncSession, worker_id: uuid.UUID, last_day: date, *, reason_id: uuid.UUID | None = None, today: date
) -> list[WorkerEvent]:
    """End the open employment after ``last_day``; changes recorded after that day must be cancelled first."""
    worker: Worker = await _one(session, Worker, worker_id, "worker")
    reason = await _one(session, ReasonCode, reason_id, "reason code", field="reason_id") if reason_id else None
    if reason is not None:
        refuse_retired(reason, field="reason_id")
    employments = await _employments(session, worker.id)
    current = domain.open_employment(employments)
    later = [r.valid_from for r in await _placements(session, worker) if current and r.employment_id == current.id]
    later += [
        leave.start_date for leave in await _leaves(session, worker.id) if current and leave.employment_id == current.id
    ]
    events = domain.terminate(
        worker, employments, last_day=last_day, reason=reason, today=today,
        placement=await _placement_now(session, worker), later_changes=later,
    )  # fmt: skip
    outbox.record(session, events)
    await settle(session, worker, today=today)
    return events


async def rescind_hire(session: AsyncSession, worker_id: uuid.UUID, *, today: date) -> list[WorkerEvent]:
    """Withdraw a hire before its first day: its placement records and position assignments go with it, so no
    range is left behind (let alone one that ends before it begins)."""
    worker: Worker = await _one(session, Worker, worker_id, "worker")
    employments = await _employments(session, worker.id)
    pending = domain.open_employment(employments)
    events = domain.rescind_hire(worker, employments, today=today, placement=Placement())
    if pending is not None:
        await session.execute(
            delete(WorkerPlacement).where(
                WorkerPlacement.worker_id == worker.id, WorkerPlacement.employment_id == pending.id
            )
        )
    outbox.record(session, events)
    await settle(session, worker, today=today)
    return events


async def _leaves(session: AsyncSession, worker_id: uuid.UUID) -> list[EmploymentLeave]:
    return list(
        await session.scalars(
            select(EmploymentLeave).where(EmploymentLeave.worker_id == worker_id).order_by(EmploymentLeave.start_date)
        )
    )


async def start_leave(
    session: AsyncSession,
    worker_id: uuid.UUID,
    *,
    first_day: date,
    expected_return: date | None = None,
    reason: str,
    today: date | None = None,
) -> EmploymentLeave:
    """A leave of absence from ``first_day``; provisioning is told through the outbox and acts on that day."""
    worker: Worker = await _one(session, Worker, worker_id, "worker")
    placement = await _placement_now(session, worker)
    leave, events = domain.start_leave(
        worker, await _employments(session, worker.id), leaves=await _leaves(session, worker.id), placement=placement,
        first_day=first_day, expected_return=expected_return, reason=reason,
    )  # fmt: skip
    session.add(leave)
    outbox.record(session, events)
    await settle(session, worker, today=today)
    return leave


async def end_leave(
    session: AsyncSession, worker_id: uuid.UUID, *, return_day: date, today: date | None = None
) -> EmploymentLeave:
    """The return from the open leave of absence, on ``return_day`` (the first day back at work)."""
    worker: Worker = await _one(session, Worker, worker_id, "worker")
    placement = await _placement_now(session, worker)
    leave, events = domain.end_leave(
        worker, await _employments(session, worker.id), leaves=await _leaves(session, worker.id), placement=placement,
        return_day=return_day,
    )  # fmt: skip
    outbox.record(session, events)
    await settle(session, worker, today=today)
    return leave


async def import_linkedin_export(session: AsyncSession, export: LinkedInExportedCandidate) -> CandidateToHire:
    """*Export to HRIS*: the export becomes a candidate to hire, or updates the one it made before. The job title
    it was recruited for stays on the candidate (proposed as the worker's title at the hire) and the job's
    location on the person's business address, which the person keeps as a worker."""
    if export.candidate_ref_id is not None:
        candidate: CandidateToHire = await _one(session, CandidateToHire, export.candidate_ref_id, "candidate")
        for attribute in ("first_name", "last_name", "email", "phone", "job_title"):
            setattr(candidate, attribute, getattr(export, attribute))
        candidate.availability_date = export.start_date
        if candidate.person_ref_id is not None:
            person: Person = await _one(session, Person, candidate.person_ref_id, "person")
            person.first_name, person.last_name = export.first_name, export.last_name
            person.primary_contact_email, person.primary_contact_phone = export.email, export.phone
            await keep_work_location(session, person.id, export.location)
        return candidate
    candidate = await create_candidate(
        session,
        NewCandidate(
            first_name=export.first_name,
            last_name=export.last_name,
            email=export.email,
            phone=export.phone,
            availability_date=export.start_date,
        ),
    )
    candidate.job_title = export.job_title
    await session.flush()
    export.candidate_ref_id = candidate.id
    if candidate.person_ref_id is not None:
        await keep_work_location(session, candidate.person_ref_id, export.location)
    return candidate
