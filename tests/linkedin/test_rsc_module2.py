"""RSC certification, Module 2 (data sync), as a checklist run against LinkedIn's emulator.

* RSC-201 — historical jobs: every job of the last two years, open **and closed**, reaches LinkedIn once the
  customer's integration is ENABLED; older ones do not.
* RSC-202 — historical candidates of the last two years, with the required fields (ATS dates in epoch
  milliseconds, names, e-mail).
* RSC-203 — historical applications: each candidate's link to the job it came through, naming both.
* Incremental: every create, update and delete after enablement reaches LinkedIn as it happens.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from hirehub.db.base import utcnow
from hirehub.hr.models import CandidateToHire, RecruitingRequest, RecruitingRequestLocation
from hirehub.hr.models.options import RecruitingRequestStatus
from hirehub.linkedin.data_models import SyncKind
from hirehub.linkedin.models import CustomerApp
from tests.linkedin.conftest import LinkedIn
from tests.linkedin.test_data_send import APPLY_URL, _settle, _states
from tests.linkedin.test_end_to_end import EXPORT, ORGANIZATION, _onboarded

TWO_YEARS = timedelta(days=730)


async def _job(linkedin: LinkedIn, tenant_id: uuid.UUID, number: str, *, age: timedelta,
               status: RecruitingRequestStatus = RecruitingRequestStatus.APPROVED) -> uuid.UUID:  # fmt: skip
    async with linkedin.database.tenant_transaction(tenant_id) as session:
        request = RecruitingRequest(recruiting_request_id=number, title_id="Payroll specialist", status=status,
                                    description=f"Job {number}", created_at=utcnow() - age)  # fmt: skip
        session.add(request)
        await session.flush()
        session.add(RecruitingRequestLocation(recruiting_request_id=request.id, location="Berlin, Germany"))
        return request.id


async def _candidate(linkedin: LinkedIn, tenant_id: uuid.UUID, number: str, *, age: timedelta,
                     job: tuple[uuid.UUID, str] | None = None) -> uuid.UUID:  # fmt: skip
    async with linkedin.database.tenant_transaction(tenant_id) as session:
        candidate = CandidateToHire(candidate_id=number, first_name="Amara", last_name=f"Okafor {number}",
                                    email=f"{number.lower()}@mail.example", created_at=utcnow() - age)  # fmt: skip
        if job is not None:
            candidate.recruiting_request_ref_id, candidate.recruiting_request_id = job
        session.add(candidate)
        await session.flush()
        return candidate.id


async def _customer(linkedin: LinkedIn) -> uuid.UUID:
    tenant_id = await _onboarded(linkedin)
    async with linkedin.database.tenant_transaction(tenant_id) as session:
        app = await session.scalar(select(CustomerApp))
        assert app is not None
        app.apply_url_template = APPLY_URL
    linkedin.world.data.task_delay = 0
    return tenant_id


async def _enable(linkedin: LinkedIn) -> None:
    await linkedin.world.enable(EXPORT)
    await _settle(linkedin)


async def test_rsc_201_historical_jobs_of_two_years_open_and_closed_reach_linkedin(linkedin: LinkedIn) -> None:
    tenant_id = await _customer(linkedin)
    await _job(linkedin, tenant_id, "RR-OPEN", age=TWO_YEARS - timedelta(days=5))
    await _job(linkedin, tenant_id, "RR-CLOSED", age=timedelta(days=400), status=RecruitingRequestStatus.CLOSED)
    await _job(linkedin, tenant_id, "RR-OLD", age=TWO_YEARS + timedelta(days=30))

    await _enable(linkedin)

    open_posting = linkedin.world.data.posting(ORGANIZATION, "RR-OPEN")
    closed_posting = linkedin.world.data.posting(ORGANIZATION, "RR-CLOSED")
    assert open_posting is not None and open_posting.state == "LISTED"
    assert closed_posting is not None and closed_posting.state == "CLOSED"
    assert linkedin.world.data.posting(ORGANIZATION, "RR-OLD") is None


async def test_rsc_202_historical_candidates_reach_linkedin_with_the_required_fields(linkedin: LinkedIn) -> None:
    tenant_id = await _customer(linkedin)
    await _candidate(linkedin, tenant_id, "C-RECENT", age=timedelta(days=700))
    await _candidate(linkedin, tenant_id, "C-OLD", age=TWO_YEARS + timedelta(days=30))

    await _enable(linkedin)

    held = linkedin.world.data.candidate(ORGANIZATION, "C-RECENT")
    assert held is not None
    assert isinstance(held["atsCreatedAt"], int) and isinstance(held["atsLastModifiedAt"], int)
    assert held["atsCreatedAt"] < held["atsLastModifiedAt"]  # epoch milliseconds, from the HR row's own dates
    assert (held["firstName"], held["lastName"]) == ("Amara", "Okafor C-RECENT")
    assert "c-recent@mail.example" in str(held["emailAddresses"])
    assert linkedin.world.data.candidate(ORGANIZATION, "C-OLD") is None


async def test_rsc_203_historical_applications_name_their_job_and_candidate(linkedin: LinkedIn) -> None:
    tenant_id = await _customer(linkedin)
    job = await _job(linkedin, tenant_id, "RR-1", age=timedelta(days=300))
    applicant = await _candidate(linkedin, tenant_id, "C-1", age=timedelta(days=200), job=(job, "RR-1"))
    await _candidate(linkedin, tenant_id, "C-2", age=timedelta(days=100))  # came through no job: no application

    await _enable(linkedin)

    states = await _states(linkedin, tenant_id)
    application = states[(SyncKind.APPLICATION, applicant)]
    held = linkedin.world.data.application(ORGANIZATION, str(application.ats_id))
    assert held is not None
    assert (held["atsJobPostingId"], held["atsCandidateId"]) == ("RR-1", "C-1")
    assert len(linkedin.world.data.applications) == 1


async def test_incremental_creates_updates_and_deletes_reach_linkedin_as_they_happen(linkedin: LinkedIn) -> None:
    tenant_id = await _customer(linkedin)
    await _enable(linkedin)

    job = await _job(linkedin, tenant_id, "RR-NEW", age=timedelta(0))
    candidate = await _candidate(linkedin, tenant_id, "C-NEW", age=timedelta(0), job=(job, "RR-NEW"))
    await _settle(linkedin)
    posting = linkedin.world.data.posting(ORGANIZATION, "RR-NEW")
    assert posting is not None and posting.state == "LISTED"  # created
    assert linkedin.world.data.candidate(ORGANIZATION, "C-NEW") is not None
    assert len(linkedin.world.data.applications) == 1

    async with linkedin.database.tenant_transaction(tenant_id) as session:
        request = await session.get(RecruitingRequest, job)
        person = await session.get(CandidateToHire, candidate)
        assert request is not None and person is not None
        request.description = "Senior payroll specialist"
        person.last_name = "Okafor-Hale"
    await _settle(linkedin)
    posting = linkedin.world.data.posting(ORGANIZATION, "RR-NEW")
    held = linkedin.world.data.candidate(ORGANIZATION, "C-NEW")
    assert posting is not None and "Senior payroll specialist" in str(posting.element["description"])  # updated
    assert held is not None and held["lastName"] == "Okafor-Hale"

    async with linkedin.database.tenant_transaction(tenant_id) as session:
        request = await session.get(RecruitingRequest, job)
        assert request is not None
        request.status = RecruitingRequestStatus.CLOSED
    await _settle(linkedin)
    posting = linkedin.world.data.posting(ORGANIZATION, "RR-NEW")
    assert posting is not None and posting.state == "CLOSED"  # a closed job is taken down

    async with linkedin.database.tenant_transaction(tenant_id) as session:
        await session.delete(await session.get(CandidateToHire, candidate))
    await _settle(linkedin)
    assert linkedin.world.data.candidate(ORGANIZATION, "C-NEW") is None  # deleted
    assert linkedin.world.data.applications == {}
