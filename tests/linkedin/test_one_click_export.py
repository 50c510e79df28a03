"""One-Click Export: a member a recruiter exports from LinkedIn Recruiter becomes a candidate to hire.

LinkedIn's emulator plays the recruiter; the signed EXPORT_CANDIDATE_PROFILE notification reaches the hub's callback
in process, and the job reads ``exportedCandidates`` with the customer's token, as the hub does in production."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from hirehub.audit.models import AuditEntry
from hirehub.hr.models import CandidateToHire, LinkedInExportedCandidate, Person, RecruitingRequest
from hirehub.linkedin.one_click_export import ExportRefused, parse_export, parse_exports
from hirehub.sandbox.linkedin.one_click_export import ExportRefused as NotExportable
from hirehub.sandbox.linkedin.one_click_export import export_member
from tests.linkedin.conftest import LinkedIn
from tests.linkedin.test_end_to_end import EXPORT, ORGANIZATION, _onboarded

MEMBER: dict[str, Any] = {
    "person": "urn:li:person:Rk3PZ1a9",
    "firstName": "Amara",
    "lastName": "Okafor",
    "headline": "Payroll specialist",
    "emailAddresses": ["amara.okafor@mail.example"],
    "phoneNumbers": [{"number": "+49 30 1234567", "type": "MOBILE"}],
    "location": {"city": "Berlin", "country": "Germany"},
    "linkedInProfileUrl": "https://www.linkedin.com/in/amara-okafor",
}


async def _enabled(linkedin: LinkedIn) -> uuid.UUID:
    """A customer whose One-Click Export integration is ENABLED in LinkedIn and in the hub."""
    tenant_id = await _onboarded(linkedin)
    await linkedin.world.enable(EXPORT)
    await linkedin.run_jobs()
    return tenant_id


async def _candidates(linkedin: LinkedIn, tenant_id: uuid.UUID) -> list[CandidateToHire]:
    async with linkedin.database.tenant_session(tenant_id) as session:
        return list(await session.scalars(select(CandidateToHire).order_by(CandidateToHire.candidate_id)))


async def test_an_exported_member_becomes_a_candidate_to_hire_with_its_person(linkedin: LinkedIn) -> None:
    tenant_id = await _enabled(linkedin)

    notification = await export_member(linkedin.world, ORGANIZATION, MEMBER)

    assert notification is not None and linkedin.world.deliveries[-1].status_code == 202
    await linkedin.run_jobs()
    [candidate] = await _candidates(linkedin, tenant_id)
    assert (candidate.first_name, candidate.last_name, candidate.email, candidate.phone) == (
        "Amara", "Okafor", "amara.okafor@mail.example", "+49 30 1234567",
    )  # fmt: skip
    async with linkedin.database.tenant_session(tenant_id) as session:
        export = await session.scalar(select(LinkedInExportedCandidate))
        person = await session.get(Person, {"tenant_id": tenant_id, "id": candidate.person_ref_id})
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert export is not None and export.candidate_ref_id == candidate.id
    assert export.linkedin_member_urn == MEMBER["person"]
    assert export.linkedin_profile_url == MEMBER["linkedInProfileUrl"]
    assert export.location == "Berlin, Germany"
    assert person is not None and person.first_name == "Amara"
    assert "candidate.exported" in actions
    assert ("GET", "/v2/exportedCandidates") in {(method, path) for _, method, path in linkedin.world.calls}


async def test_exporting_the_same_member_again_updates_the_candidate(linkedin: LinkedIn) -> None:
    tenant_id = await _enabled(linkedin)
    await export_member(linkedin.world, ORGANIZATION, MEMBER)
    await linkedin.run_jobs()

    await export_member(linkedin.world, ORGANIZATION, {**MEMBER, "lastName": "Okafor-Berg", "emailAddresses": []})
    await linkedin.run_jobs()

    [candidate] = await _candidates(linkedin, tenant_id)
    assert (candidate.last_name, candidate.email) == ("Okafor-Berg", None)


async def test_an_export_for_a_job_links_the_candidate_to_that_recruiting_request(linkedin: LinkedIn) -> None:
    tenant_id = await _enabled(linkedin)
    async with linkedin.database.tenant_transaction(tenant_id) as session:
        session.add(RecruitingRequest(recruiting_request_id="RR-000042", description="Payroll specialist"))

    await export_member(linkedin.world, ORGANIZATION, MEMBER, job_posting_id="RR-000042")
    await linkedin.run_jobs()

    [candidate] = await _candidates(linkedin, tenant_id)
    assert candidate.recruiting_request_id == "RR-000042" and candidate.recruiting_request_ref_id is not None


async def test_an_export_that_does_not_fit_the_hr_columns_is_reported_and_changes_nothing(linkedin: LinkedIn) -> None:
    tenant_id = await _enabled(linkedin)

    await export_member(linkedin.world, ORGANIZATION, {**MEMBER, "firstName": "A" * 60})
    await linkedin.run_jobs()

    assert await _candidates(linkedin, tenant_id) == []
    async with linkedin.database.tenant_session(tenant_id) as session:
        assert await session.scalar(select(LinkedInExportedCandidate)) is None


async def test_no_export_happens_before_the_customer_enables_one_click_export(linkedin: LinkedIn) -> None:
    await _onboarded(linkedin)  # PARTNER_READY, not ENABLED

    with pytest.raises(NotExportable):
        await export_member(linkedin.world, ORGANIZATION, MEMBER)


def test_an_export_made_for_another_organization_is_refused() -> None:
    element = {"integrationContext": "urn:li:organization:999", "candidate": MEMBER}

    with pytest.raises(ExportRefused):
        parse_export(element, contexts=[ORGANIZATION])


def test_an_export_without_the_members_urn_is_refused_without_hiding_the_others() -> None:
    good = {"integrationContext": ORGANIZATION, "candidate": MEMBER}
    anonymous = {"integrationContext": ORGANIZATION, "candidate": {"firstName": "No", "lastName": "Urn"}}

    parsed = parse_exports([anonymous, good], contexts=[ORGANIZATION])

    refused, member = parsed
    assert getattr(refused, "refused", None) == "the exported profile names no member (urn:li:person:…)"
    assert getattr(member, "person_urn", None) == MEMBER["person"]


def test_single_valued_contact_fields_are_read_too() -> None:
    profile = {**MEMBER, "emailAddress": "a@mail.example", "phoneNumber": "+1 555", "location": "Lagos, Nigeria"}
    del profile["emailAddresses"], profile["phoneNumbers"]

    member = parse_export({"integrationContext": ORGANIZATION, "candidate": profile}, contexts=[ORGANIZATION])

    assert (member.email, member.phone, member.location) == ("a@mail.example", "+1 555", "Lagos, Nigeria")
