"""From HR rows to what LinkedIn is sent: rows selected with the snapshots' loads hold all the mapping reads (the
HR models load nothing lazily), and the payloads pass LinkedIn's rules as the sandbox holds them."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from hirehub.db.session import Database
from hirehub.hr.models.options import ApplicantIntegrationResult, ContactType, RecruitingRequestStatus
from hirehub.hr.models.organisation import Job, Position, Title
from hirehub.hr.models.parties import PartyContact, Person, PersonAddress
from hirehub.hr.models.recruiting import (
    CandidateToHire,
    RecruitingRequest,
    RecruitingRequestLocation,
    RecruitingRequestPosition,
)
from hirehub.hr.models.reference import CountryRegion
from hirehub.linkedin.sync_data.applications import ats_application, current_stage
from hirehub.linkedin.sync_data.candidates import ats_candidate
from hirehub.linkedin.sync_data.outcomes import Mapped
from hirehub.linkedin.sync_data.postings import PostingSettings, job_posting
from hirehub.linkedin.sync_data.snapshots import (
    CANDIDATE_LOADS,
    REQUEST_LOADS,
    application_snapshot,
    candidate_snapshot,
    request_snapshot,
)
from hirehub.sandbox.linkedin.data_world import application_problems, candidate_problems, posting_problems
from hirehub.tenancy import service as tenancy

from ...rows import make_row

ORG = "urn:li:organization:2414183"
SETTINGS = PostingSettings(ORG, "https://careers.contoso.example/jobs/{id}")


async def arrange(database: Database) -> tuple[uuid.UUID, uuid.UUID]:
    """A tenant with one approved request (a job, a position with a title, a location) and Ada recruited through
    it, with her person's contacts and address: (tenant, the country's id)."""
    async with database.system_transaction() as session:
        tenant = await tenancy.create_tenant(session, name="Contoso", domain=f"c{uuid.uuid4().hex[:10]}.example")
    async with database.tenant_transaction(tenant.id) as session:
        country = await make_row(session, CountryRegion, iso_code="GB")
        title = await make_row(session, Title, title_id="Data Engineer", retired=False)
        job = await make_row(session, Job, job_id="DE", description="Builds the data platform.", title_id=None)
        position = await make_row(session, Position, position_id="POS-1", title_id=title.id, job_id=job.id)
        request = await make_row(
            session,
            RecruitingRequest,
            recruiting_request_id="REQ-1",
            status=int(RecruitingRequestStatus.APPROVED),
            description=None,
            title_id=None,
            job_id="DE",
            job_ref_id=job.id,
        )
        await make_row(session, RecruitingRequestPosition, recruiting_request_id=request.id, position_id=position.id)
        await make_row(session, RecruitingRequestLocation, recruiting_request_id=request.id, location="London, UK")
        person = await make_row(session, Person, first_name="Ada", last_name="Lovelace", primary_contact_email=None)
        await make_row(
            session, PartyContact, person_id=person.id, type=int(ContactType.EMAIL), locator="ada@example.com"
        )
        await make_row(
            session,
            PartyContact,
            person_id=person.id,
            type=int(ContactType.URL),
            locator="https://www.linkedin.com/in/ada",
        )
        await make_row(
            session, PersonAddress, person_id=person.id, city="London", zip_code="SW1Y", country_region_id=country.id
        )
        await make_row(
            session,
            CandidateToHire,
            candidate_id="CAND-1",
            first_name="Ada",
            last_name="Lovelace",
            email=None,
            phone=None,
            person_ref_id=person.id,
            recruiting_request_id="REQ-1",
            recruiting_request_ref_id=request.id,
            applicant_integration_result=int(ApplicantIntegrationResult.HIRED),
        )
    return tenant.id, country.id


def mapped(outcome: object) -> Mapped:
    assert isinstance(outcome, Mapped), outcome
    return outcome


async def test_a_request_row_becomes_a_posting_linkedin_accepts(database: Database) -> None:
    tenant_id, _ = await arrange(database)
    async with database.tenant_session(tenant_id) as session:
        request = (await session.scalars(select(RecruitingRequest).options(*REQUEST_LOADS))).one()
        snapshot = request_snapshot(request)
    posting = mapped(job_posting(snapshot, SETTINGS)).payload
    assert (posting["title"], posting["description"], posting["location"]) == (
        "Data Engineer",
        "Builds the data platform.",
        "London, UK",
    )
    assert posting_problems(posting) == []


async def test_a_candidate_row_becomes_a_candidate_and_an_application_linkedin_accepts(database: Database) -> None:
    tenant_id, country_id = await arrange(database)
    async with database.tenant_session(tenant_id) as session:
        candidate = (await session.scalars(select(CandidateToHire).options(*CANDIDATE_LOADS))).one()
        ada = candidate_snapshot(candidate, {country_id: "GB"})
        link = application_snapshot(candidate, {country_id: "GB"})
    record = mapped(ats_candidate(ada, ORG)).payload
    assert record["emailAddresses"] == ["ada@example.com"]
    assert record["linkedInProfileUrl"] == "https://www.linkedin.com/in/ada"
    assert record["addresses"] == [{"city": "London", "postalCode": "SW1Y", "country": "gb"}]
    assert candidate_problems(record) == []
    application = mapped(ats_application(link, ORG))
    assert application.payload["atsJobPostingName"] == "Data Engineer"
    assert application_problems(application.payload) == []
    stage = current_stage(link)
    assert stage is not None and stage.payload["stage"] == "Hired"
