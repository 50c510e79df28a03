"""The HR rows → the mapping's snapshots: pure, over rows whose relationships the caller loaded.

The HR models load nothing lazily (``lazy="raise"``), so a sender selects its page of rows with
:data:`REQUEST_LOADS`, :data:`CANDIDATE_LOADS` or :data:`JOB_APPLICATION_LOADS` and hands them here; what a
snapshot needs is then already in memory, one query per relationship for the whole page rather than one per row.

Titles and jobs are read through their codes as the request keeps them (``title_id``, ``job_id``: a D365 title's
id *is* its name), so a request needs no join for its own title; its job's description and its positions' titles
do need theirs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from hirehub.hr.models.options import ApplicantIntegrationResult, ContactType, RecruitingRequestStatus
from hirehub.hr.models.organisation import Position
from hirehub.hr.models.parties import Person
from hirehub.hr.models.recruiting import (
    CandidateToHire,
    JobApplication,
    RecruitingRequest,
    RecruitingRequestLocation,
    RecruitingRequestPosition,
)
from hirehub.linkedin.sync_data.applications import ApplicationRow, ApplicationSnapshot
from hirehub.linkedin.sync_data.candidates import AddressSnapshot, CandidateSnapshot, PersonSnapshot
from hirehub.linkedin.sync_data.postings import RequestLocation, RequestSnapshot, posting_title

REQUEST_LOADS = (
    selectinload(RecruitingRequest.job),
    selectinload(RecruitingRequest.positions)
    .selectinload(RecruitingRequestPosition.position)
    .selectinload(Position.title),
    selectinload(RecruitingRequest.locations).selectinload(RecruitingRequestLocation.country_region),
)
"""What :func:`request_snapshot` reads of a recruiting request."""

PERSON_LOADS = (selectinload(Person.contacts), selectinload(Person.addresses))
"""What :func:`person_snapshot` reads of the person behind a candidate."""

CANDIDATE_LOADS: tuple[LoaderOption, ...] = (
    selectinload(CandidateToHire.person).options(*PERSON_LOADS),
    selectinload(CandidateToHire.recruiting_request).options(*REQUEST_LOADS),
)
"""What :func:`candidate_snapshot` and :func:`application_snapshot` read of a candidate to hire."""

JOB_APPLICATION_LOADS: tuple[LoaderOption, ...] = (
    selectinload(JobApplication.candidate).selectinload(CandidateToHire.person).options(*PERSON_LOADS),
    selectinload(JobApplication.recruiting_request).options(*REQUEST_LOADS),
)
"""What :func:`job_application_snapshot` reads of a job application (its candidate's own request is not read)."""


def request_snapshot(request: RecruitingRequest) -> RequestSnapshot:
    """A recruiting request loaded with :data:`REQUEST_LOADS`."""
    return RequestSnapshot(
        recruiting_request_id=request.recruiting_request_id,
        status=RecruitingRequestStatus(request.status),
        created_at=request.created_at,
        description=request.description,
        title=request.title_id,
        job_name=request.job_id,
        job_description=request.job.description if request.job is not None else None,
        position_titles=tuple(
            link.position.title.title_id for link in request.positions if link.position.title is not None
        ),
        locations=tuple(
            RequestLocation(
                loc.location,
                loc.country_region.iso_code if loc.country_region is not None else None,
                loc.postal_code,
            )
            for loc in request.locations
        ),
    )


def person_snapshot(person: Person, countries: Mapping[uuid.UUID, str | None]) -> PersonSnapshot:
    """A person loaded with its contacts and addresses; ``countries`` gives the ISO code of each country an address
    names by id (an address has no relationship to its country, so the sender reads the tenant's countries once)."""
    contacts = sorted(person.contacts, key=lambda c: not c.is_primary)

    def locators(kind: ContactType) -> tuple[str, ...]:
        return tuple(c.locator for c in contacts if c.type == kind)

    addresses = sorted(person.addresses, key=lambda a: not a.is_primary)
    return PersonSnapshot(
        modified_at=person.modified_at,
        primary_email=person.primary_contact_email,
        primary_phone=person.primary_contact_phone,
        emails=locators(ContactType.EMAIL),
        phones=locators(ContactType.PHONE),
        urls=locators(ContactType.URL),
        addresses=tuple(
            AddressSnapshot(
                a.street,
                a.city,
                a.state,
                a.zip_code,
                countries.get(a.country_region_id) if a.country_region_id is not None else None,
            )
            for a in addresses
        ),
    )


def candidate_snapshot(
    candidate: CandidateToHire, countries: Mapping[uuid.UUID, str | None] | None = None
) -> CandidateSnapshot:
    """A candidate to hire loaded with :data:`CANDIDATE_LOADS` (``countries``: see :func:`person_snapshot`)."""
    return CandidateSnapshot(
        candidate_id=candidate.candidate_id,
        first_name=candidate.first_name,
        created_at=candidate.created_at,
        modified_at=candidate.modified_at,
        middle_name=candidate.middle_name,
        last_name_prefix=candidate.last_name_prefix,
        last_name=candidate.last_name,
        email=candidate.email,
        phone=candidate.phone,
        person=person_snapshot(candidate.person, countries or {}) if candidate.person is not None else None,
    )


def application_snapshot(
    candidate: CandidateToHire, countries: Mapping[uuid.UUID, str | None] | None = None
) -> ApplicationSnapshot:
    """The candidate's link to its recruiting request (loaded with :data:`CANDIDATE_LOADS`)."""
    request = candidate.recruiting_request
    return ApplicationSnapshot(
        candidate=candidate_snapshot(candidate, countries),
        recruiting_request_id=request.recruiting_request_id if request is not None else None,
        posting_title=posting_title(request_snapshot(request)) if request is not None else None,
        result=ApplicantIntegrationResult(candidate.applicant_integration_result),
        do_not_hire_reason=candidate.do_not_hire_reason_code_id,
    )


def job_application_snapshot(
    application: JobApplication, countries: Mapping[uuid.UUID, str | None] | None = None
) -> ApplicationSnapshot:
    """A job application row (loaded with :data:`JOB_APPLICATION_LOADS`) with its candidate and request."""
    candidate, request = application.candidate, application.recruiting_request
    return ApplicationSnapshot(
        candidate=candidate_snapshot(candidate, countries),
        recruiting_request_id=request.recruiting_request_id,
        posting_title=posting_title(request_snapshot(request)),
        result=ApplicantIntegrationResult(candidate.applicant_integration_result),
        do_not_hire_reason=candidate.do_not_hire_reason_code_id,
        row=ApplicationRow(
            application_id=application.application_id,
            created_at=application.created_at,
            modified_at=application.modified_at,
            applied_at=application.applied_at,
            source=application.source,
            stage=application.stage,
            disposition_reason=application.disposition_reason,
        ),
    )
