"""A candidate's link to a recruiting request → one ``atsApplications`` record and its current stage.

The HR model has no application of its own: a candidate to hire names (at most, and once) the recruiting request
it was recruited through. That link is the application, so its id is ``{request id}/{candidate id}`` — stable,
unique in the tenant, and readable back to both records.

*Sync Applications* requires ``atsCreatedAt`` and ``atsLastModifiedAt``; the sandbox also holds
``atsJobPostingId`` required. On update every available field must be sent — an omitted field becomes null — so
the payload always carries all of: ``atsCandidateId``, ``atsJobPostingId``, ``atsJobPostingName``, the names and
``candidateEmail``, and ``dispositionReason`` (the do-not-hire reason) when the candidate was not hired. The HR
model has no application ``source``: it is never sent, and so stays null on LinkedIn.

The stage (*Sync Application Stages*: ``atsCreatedAt`` and a ``stage`` of at least one character, not "Not
Available") follows the candidate's applicant integration result: a candidate waiting in *Candidates to hire* has
"Offer accepted"; then "Hired", "Not hired" or "Dismissed". Its id is the application's and the stage's name, so a
stage reached once is sent once. The HR model keeps no date for the result: the stage is dated by the candidate's
last change.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class ApplicationSnapshot:
    """A candidate to hire with the request it came through (None when it came through none)."""

    candidate: CandidateSnapshot
    recruiting_request_id: str | None
    posting_title: str | None
    """The title the request's job posting carries (see :func:`~.postings.posting_title`)."""
    result: ApplicantIntegrationResult = ApplicantIntegrationResult.NOT_PROCESSED
    do_not_hire_reason: str | None = None

    @property
    def record(self) -> str:
        return f"application of candidate {self.candidate.candidate_id}"


@dataclass(frozen=True)
class MappedStage:
    stage_id: str
    payload: dict[str, Any]


def application_id(recruiting_request_id: str, candidate_id: str) -> str:
    return f"{recruiting_request_id}/{candidate_id}"


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
    payload: dict[str, Any] = {
        "atsCandidateId": candidate.candidate_id,
        "atsCreatedAt": epoch_millis(candidate.created_at),
        "atsLastModifiedAt": epoch_millis(candidate.modified_at),
        "atsJobPostingId": application.recruiting_request_id,
        "atsJobPostingName": application.posting_title,
        "firstName": first,
        "lastName": last,
    }
    email = (candidate.email or "").strip() or (candidate.person.primary_email if candidate.person else None)
    if email:
        payload["candidateEmail"] = email
    if application.result is ApplicantIntegrationResult.NOT_HIRED and application.do_not_hire_reason:
        payload["dispositionReason"] = application.do_not_hire_reason
    ats_id = application_id(application.recruiting_request_id, candidate.candidate_id)
    return Mapped(application.record, application_key(integration_context, ats_id), payload)


def current_stage(application: ApplicationSnapshot) -> MappedStage | None:
    """The application's stage now (None for a candidate with no request: there is no application)."""
    if application.recruiting_request_id is None:
        return None
    name = STAGE_NAMES[application.result]
    ats_id = application_id(application.recruiting_request_id, application.candidate.candidate_id)
    return MappedStage(
        f"{ats_id}/{application.result.name}",
        {"atsCreatedAt": epoch_millis(application.candidate.modified_at), "stage": name},
    )
