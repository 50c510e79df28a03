"""*Hire new worker*: a candidate to hire becomes a person with a worker and an employment.

Every refusal is a specific error raised before anything changes: no row, no event, no number taken.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from hirehub.hr import errors, services
from hirehub.hr.domain import HireDetails
from hirehub.hr.models import CandidateToHire, Employment, Person, PositionWorkerAssignment, Worker
from hirehub.hr.models.options import ApplicantIntegrationResult, WorkerStatus
from tests.hr.conftest import HR, START, TODAY


async def test_hiring_a_candidate_creates_the_worker_and_employment_and_marks_the_candidate_hired(hr: HR) -> None:
    candidate = await hr.candidate("Ada", "Lovelace", email="ada@contoso.example", phone="+1 555 0100")
    position = await hr.position("POS-1")

    async with hr.transaction() as session:
        outcome = await services.hire(
            session, candidate.id, HireDetails(START), position_id=position.id, company_code="usmf", today=TODAY
        )

    worker = await hr.get(Worker, outcome.worker.id)
    assert (worker.personnel_number, worker.first_name, worker.last_name) == ("HR000001", "Ada", "Lovelace")
    assert (worker.email, worker.phone, worker.data_area_id) == ("ada@contoso.example", "+1 555 0100", "USMF")
    assert worker.person_id == candidate.person_ref_id
    assert worker.status == WorkerStatus.PENDING
    assert worker.department_id == position.department_id and worker.title_id == position.title_id
    [employment] = await hr.rows(Employment, worker_id=worker.id)
    assert (employment.start_date, employment.end_date, employment.data_area_id) == (START, None, "USMF")
    [assignment] = await hr.rows(PositionWorkerAssignment, worker_id=worker.id)
    assert (assignment.position_id, assignment.valid_from, assignment.valid_to) == (position.id, START, None)
    hired = await hr.get(CandidateToHire, candidate.id)
    assert hired.applicant_integration_result == ApplicantIntegrationResult.HIRED
    assert hired.worker_ref_id == worker.id
    event = (await hr.events())[-1]
    assert event.type == "worker.hired"
    assert event.subject_id == candidate.person_ref_id
    assert event.payload | {"worker_id": None, "person_id": None} == {
        "worker_id": None,
        "person_id": None,
        "candidate_id": "CAND-000001",
        "personnel_number": "HR000001",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@contoso.example",
        "phone": "+1 555 0100",
        "company": "USMF",
        "status": "pending",
        "position_id": "POS-1",
        "job_title": "Title of POS-1",
        "department": "Dept of POS-1",
        "manager_personnel_number": None,
        "start_date": "2026-12-01",
        "end_date": None,
    }


async def test_what_the_hr_user_completes_in_the_dialog_wins_over_the_candidate(hr: HR) -> None:
    candidate = await hr.candidate("Ada", None, email="old@contoso.example")
    details = HireDetails(START, first_name=" Augusta ", last_name="King", email="augusta@contoso.example")
    async with hr.transaction() as session:
        outcome = await services.hire(session, candidate.id, details)
    worker = await hr.get(Worker, outcome.worker.id)
    person = await hr.get(Person, worker.person_id)
    assert (worker.first_name, worker.last_name, worker.email) == ("Augusta", "King", "augusta@contoso.example")
    assert (person.first_name, person.last_name, person.primary_contact_email) == (
        "Augusta",
        "King",
        "augusta@contoso.example",
    )


async def test_a_manager_is_set_on_hire(hr: HR) -> None:
    manager = await hr.hired("Grace", "Hopper")
    worker = await hr.hired("Ada", "Lovelace", manager_id=manager.id)
    assert (await hr.get(Worker, worker.id)).manager_id == manager.id
    assert (await hr.events())[-1].payload["manager_personnel_number"] == manager.personnel_number


async def test_a_former_worker_hired_again_from_a_new_candidate_keeps_person_worker_and_number(hr: HR) -> None:
    worker = await hr.hired("Ada", "Lovelace", start=date(2020, 1, 6))
    async with hr.transaction() as session:
        await services.terminate(session, worker.id, date(2024, 6, 30), today=date(2026, 11, 23))
    person_id = worker.person_id
    candidate = await hr.candidate("Ada", "Lovelace")
    async with hr.transaction() as session:
        # The ATS matched the returning person: the new candidate points at the same person.
        row = await session.get(CandidateToHire, candidate.id)
        assert row is not None
        row.person_ref_id = person_id
    async with hr.transaction() as session:
        outcome = await services.hire(session, candidate.id, HireDetails(START))

    assert outcome.rehire
    assert outcome.worker.id == worker.id
    assert outcome.worker.personnel_number == worker.personnel_number
    assert [e.start_date for e in await hr.rows(Employment, worker_id=worker.id)] == [date(2020, 1, 6), START]
    assert len(await hr.rows(Worker)) == 1
    assert (await hr.events())[-1].type == "worker.rehired"


# --- refusals -----------------------------------------------------------------------------------------


async def _refused(hr: HR, error: type[Exception], candidate_id: uuid.UUID, details: HireDetails, **kw: Any) -> str:
    before = await hr.state()
    with pytest.raises(error) as refused:
        async with hr.transaction() as session:
            await services.hire(session, candidate_id, details, **kw)
    assert await hr.state() == before, "a refused hire changed something"
    return str(refused.value)


async def test_an_unknown_candidate_is_not_found(hr: HR) -> None:
    await _refused(hr, errors.NotFound, uuid.uuid4(), HireDetails(START))


async def test_a_candidate_of_another_tenant_is_not_found(hr: HR) -> None:
    other = HR(hr.database, await _another_tenant(hr))
    theirs = await other.candidate("Eve", "Intruder")
    await _refused(hr, errors.NotFound, theirs.id, HireDetails(START))


async def _another_tenant(hr: HR) -> uuid.UUID:
    from hirehub.tenancy import service

    async with hr.database.system_transaction() as session:
        return (await service.create_tenant(session, name="Fabrikam", domain="fabrikam.example")).id


async def test_a_candidate_cannot_be_hired_twice(hr: HR) -> None:
    candidate = await hr.candidate()
    async with hr.transaction() as session:
        await services.hire(session, candidate.id, HireDetails(START))
    message = await _refused(hr, errors.CandidateAlreadyHired, candidate.id, HireDetails(START))
    assert "CAND-000001" in message


@pytest.mark.parametrize("result", [ApplicantIntegrationResult.NOT_HIRED, ApplicantIntegrationResult.DISMISSED])
async def test_a_candidate_the_ats_did_not_hire_cannot_be_hired(hr: HR, result: ApplicantIntegrationResult) -> None:
    candidate = await hr.candidate()
    async with hr.transaction() as session:
        row = await session.get(CandidateToHire, candidate.id)
        assert row is not None
        row.applicant_integration_result = result
    message = await _refused(hr, errors.CandidateNotHireable, candidate.id, HireDetails(START))
    assert result.name.lower() in message


async def test_a_last_name_is_required(hr: HR) -> None:
    candidate = await hr.candidate("Ada", None)
    assert "last name" in await _refused(hr, errors.MissingRequiredField, candidate.id, HireDetails(START))


async def test_a_start_date_is_required(hr: HR) -> None:
    candidate = await hr.candidate()
    assert "start date" in await _refused(hr, errors.MissingRequiredField, candidate.id, HireDetails(None))


async def test_a_full_position_is_refused(hr: HR) -> None:
    position = await hr.position("POS-1", max_workers=1)
    await hr.hired("Grace", "Hopper", position_id=position.id)
    candidate = await hr.candidate()
    message = await _refused(hr, errors.PositionOccupied, candidate.id, HireDetails(START), position_id=position.id)
    assert "POS-1" in message


async def test_a_position_with_room_takes_a_second_worker(hr: HR) -> None:
    position = await hr.position("POS-2", max_workers=2)
    await hr.hired("Grace", "Hopper", position_id=position.id)
    await hr.hired("Ada", "Lovelace", position_id=position.id)
    assert len(await hr.rows(PositionWorkerAssignment, position_id=position.id)) == 2


@pytest.mark.parametrize("missing", ["position_id", "manager_id"])
async def test_an_unknown_position_or_manager_is_not_found(hr: HR, missing: str) -> None:
    candidate = await hr.candidate()
    await _refused(hr, errors.NotFound, candidate.id, HireDetails(START), **{missing: uuid.uuid4()})


async def test_an_unknown_company_is_not_found(hr: HR) -> None:
    candidate = await hr.candidate()
    assert "XXXX" in await _refused(hr, errors.NotFound, candidate.id, HireDetails(START), company_code="XXXX")


async def test_a_person_already_employed_is_not_hired_a_second_time(hr: HR) -> None:
    worker = await hr.hired("Ada", "Lovelace")
    candidate = await hr.candidate("Ada", "Lovelace")
    async with hr.transaction() as session:
        row = await session.get(CandidateToHire, candidate.id)
        assert row is not None
        row.person_ref_id = worker.person_id
    assert "HR000001" in await _refused(hr, errors.WorkerAlreadyEmployed, candidate.id, HireDetails(START))


# --- crashes ------------------------------------------------------------------------------------------


async def test_a_crash_after_the_hire_but_before_commit_leaves_nothing_behind(hr: HR) -> None:
    candidate = await hr.candidate()
    before = await hr.state()
    with pytest.raises(RuntimeError, match="power cut"):
        async with hr.transaction() as session:
            await services.hire(session, candidate.id, HireDetails(START))
            await session.flush()  # the rows reached the database…
            raise RuntimeError("power cut")  # …and the process died before COMMIT
    assert await hr.state() == before
    assert (await hr.get(CandidateToHire, candidate.id)).applicant_integration_result == (
        ApplicantIntegrationResult.NOT_PROCESSED
    )


async def test_a_crash_inside_the_hire_service_leaves_nothing_behind(hr: HR, monkeypatch: pytest.MonkeyPatch) -> None:
    candidate = await hr.candidate()
    before = await hr.state()

    def explode(*_: Any) -> None:
        raise OSError("disk full while recording the event")

    monkeypatch.setattr(services.outbox, "record", explode)
    with pytest.raises(OSError, match="disk full"):
        async with hr.transaction() as session:
            await services.hire(session, candidate.id, HireDetails(START))
    assert await hr.state() == before
