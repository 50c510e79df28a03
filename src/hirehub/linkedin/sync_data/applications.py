"""A candidate's application to a recruiting request → one ``atsApplications`` record and its current stage.

An application is either a :class:`~hirehub.hr.models.JobApplication` row (a candidate may apply to several
requests, once each) or *implied*: the request a candidate to hire names (at most one, once) when no application
row exists for that pair. Both get the id ``{request id}/{candidate id}`` — stable, unique in the tenant, readable
back to both records — so the row that later joins an implied application updates the same LinkedIn record.

*Sync Applications* requires ``atsCreatedAt`` and ``atsLastModifiedAt``; the sandbox also holds
``atsJobPostingId`` required. On update every available field must be sent — an omitted field becomes null — so
the payload always carries all of: ``atsCandidateId``, ``atsJobPostingId``, ``atsJobPostingName``, the names and
``candidateEmail``, ``source`` when the application row has one, and ``dispositionReason``: the row's when set,
else the do-not-hire reason when the candidate was not hired. An application row dates the record by
``applied_at`` (else by when it was recorded); an implied one by the candidate.

The stage (*Sync Application Stages*: ``atsCreatedAt`` and a ``stage`` of at least one character, not "Not
Available") is the application row's ``stage`` when it has one; otherwise it follows the candidate's applicant
integration result: a candidate waiting in *Candidates to hire* has "Offer accepted"; then "Hired", "Not hired" or
"Dismissed". Its id is the application's and the stage's name, so a stage reached once is sent once. The HR model
keeps no date for the result: a derived stage is dated by the last change of the candidate (or of the row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hirehub.hr.models.options import ApplicantIntegrationResult
from hirehub.linkedin.sync_data.candidates import CandidateSnapshot, last_name
from hirehub.linkedin.sync_data.outcomes import DATA_PROVIDER, Mapped, Outcome, Problem, Refused, Skipped, epoch_millis

STAGE_NAMES: dict[ApplicantIntegrationResult, str] = {
    ApplicantIntegrationResult.NOT_PROCESSED: "Offer accepted",
    ApplicantIntegrationResult.HIRED: "Hired",
    ApplicantIntegrationResult.NOT_HIRED: "Not hired",
    ApplicantIntegrationResult.DISMISSED: "Dismissed",
}


UNAVAILABLE_STAGE = "Not Available"
"""LinkedIn's placeholder, refused as a stage: an application row's stage written so is taken as no stage."""


@dataclass(frozen=True)
class ApplicationRow:
    """What a :class:`~hirehub.hr.models.JobApplication` row adds to the candidate and request it links."""

    application_id: str
    created_at: datetime
    modified_at: datetime
    applied_at: datetime | None = None
    source: str | None = None
    stage: str | None = None
    disposition_reason: str | None = None


@dataclass(frozen=True)
class ApplicationSnapshot:
    """A candidate to hire with the request it applied to (None when it came through none), and the application
    row when the ATS recorded one (None: the application is implied by the candidate's own request)."""

    candidate: CandidateSnapshot
    recruiting_request_id: str | None
    posting_title: str | None
    """The title the request's job posting carries (see :func:`~.postings.posting_title`)."""
    result: ApplicantIntegrationResult = ApplicantIntegrationResult.NOT_PROCESSED
    do_not_hire_reason: str | None = None
    row: ApplicationRow | None = None

    @property
    def record(self) -> str:
        if self.row is not None:
            return f"application {self.row.application_id}"
        return f"application of candidate {self.candidate.candidate_id}"


@dataclass(frozen=True)
class MappedStage:
    stage_id: str
    payload: dict[str, Any]


def application_id(recruiting_request_id: str, candidate_id: str) -> str:
    return f"{recruiting_request_id}/{candidate_id}"


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def row_stage(row: ApplicationRow | None) -> str | None:
    """The stage an application row names, if it names a usable one."""
    stage = _text(row.stage) if row is not None else None
    return stage if stage is not None and stage != UNAVAILABLE_STAGE else None


def application_key(integration_context: str, ats_job_application_id: str) -> dict[str, str]:
    return {
        "atsJobApplicationId": ats_job_application_id,
        "dataProvider": DATA_PROVIDER,
        "integrationContext": integration_context,
    }


def ats_application(application: ApplicationSnapshot, integration_context: str) -> Outcome:
    """The ``atsApplications`` record for ``application``, or why it is not sent."""
    candidate = application.candidate
    if application.recruiting_request_id is None:
        return Skipped(application.record, "the candidate came through no recruiting request")
    problems: list[Problem] = []
    if not application.posting_title:
        problems.append(Problem("atsJobPostingName", "the request's job posting has no title"))
    first, last = (candidate.first_name or "").strip(), last_name(candidate)
    if not first:
        problems.append(Problem("firstName", "the candidate has no first name"))
    if last is None:
        problems.append(Problem("lastName", "the candidate has no last name"))
    if problems:
        return Refused(application.record, tuple(problems))
    row = application.row
    created = candidate.created_at if row is None else (row.applied_at or row.created_at)
    modified = candidate.modified_at if row is None else max(candidate.modified_at, row.modified_at)
    payload: dict[str, Any] = {
        "atsCandidateId": candidate.candidate_id,
        "atsCreatedAt": epoch_millis(created),
        "atsLastModifiedAt": epoch_millis(modified),
        "atsJobPostingId": application.recruiting_request_id,
        "atsJobPostingName": application.posting_title,
        "firstName": first,
        "lastName": last,
    }
    email = (candidate.email or "").strip() or (candidate.person.primary_email if candidate.person else None)
    if email:
        payload["candidateEmail"] = email
    source = _text(row.source) if row is not None else None
    if source is not None:
        payload["source"] = source
    disposition = _text(row.disposition_reason) if row is not None else None
    if disposition is None and application.result is ApplicantIntegrationResult.NOT_HIRED:
        disposition = _text(application.do_not_hire_reason)
    if disposition is not None:
        payload["dispositionReason"] = disposition
    ats_id = application_id(application.recruiting_request_id, candidate.candidate_id)
    return Mapped(application.record, application_key(integration_context, ats_id), payload)


def current_stage(application: ApplicationSnapshot) -> MappedStage | None:
    """The application's stage now (None for a candidate with no request: there is no application)."""
    if application.recruiting_request_id is None:
        return None
    ats_id = application_id(application.recruiting_request_id, application.candidate.candidate_id)
    row, candidate = application.row, application.candidate
    named = row_stage(row)
    if named is not None and row is not None:
        return MappedStage(f"{ats_id}/{named}", {"atsCreatedAt": epoch_millis(row.modified_at), "stage": named})
    changed = candidate.modified_at if row is None else max(candidate.modified_at, row.modified_at)
    return MappedStage(
        f"{ats_id}/{application.result.name}",
        {"atsCreatedAt": epoch_millis(changed), "stage": STAGE_NAMES[application.result]},
    )
