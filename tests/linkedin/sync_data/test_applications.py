"""A candidate's application to a recruiting request → a job application and its stage: every available field each
time (an omitted one would become null); an application row adds its source, date, disposition and stage, and an
application implied by the candidate's own request has the stage of the applicant integration result."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from hirehub.hr.models.options import ApplicantIntegrationResult
from hirehub.linkedin.sync_data.applications import ApplicationRow, ApplicationSnapshot, ats_application, current_stage
from hirehub.linkedin.sync_data.candidates import CandidateSnapshot
from hirehub.linkedin.sync_data.outcomes import Mapped, Refused, Skipped
from hirehub.sandbox.linkedin.data_world import application_problems, stage_problems

ORG = "urn:li:organization:2414183"
CREATED = datetime(2025, 3, 1, tzinfo=UTC)
APPLIED = datetime(2025, 2, 20, tzinfo=UTC)
RECORDED = datetime(2025, 3, 2, tzinfo=UTC)


def a_row(**changes: Any) -> ApplicationRow:
    values: dict[str, Any] = {"application_id": "APP-1", "created_at": RECORDED, "modified_at": RECORDED}
    values.update(changes)
    return ApplicationRow(**values)


def an_application(candidate: dict[str, Any] | None = None, **changes: Any) -> ApplicationSnapshot:
    person: dict[str, Any] = {
        "candidate_id": "CAND-000001",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "created_at": CREATED,
        "modified_at": CREATED,
        "email": "ada@example.com",
    }
    person.update(candidate or {})
    values: dict[str, Any] = {
        "candidate": CandidateSnapshot(**person),
        "recruiting_request_id": "REQ-000001",
        "posting_title": "Data Engineer",
    }
    values.update(changes)
    return ApplicationSnapshot(**values)


def test_the_link_is_an_application_keyed_by_request_and_candidate_that_linkedin_accepts() -> None:
    outcome = ats_application(an_application(), ORG)
    assert isinstance(outcome, Mapped)
    assert outcome.key == {
        "atsJobApplicationId": "REQ-000001/CAND-000001",
        "dataProvider": "ATS",
        "integrationContext": ORG,
    }
    assert outcome.payload == {
        "atsCandidateId": "CAND-000001",
        "atsCreatedAt": 1_740_787_200_000,
        "atsLastModifiedAt": 1_740_787_200_000,
        "atsJobPostingId": "REQ-000001",
        "atsJobPostingName": "Data Engineer",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "candidateEmail": "ada@example.com",
    }
    assert application_problems(outcome.payload) == []


def test_a_candidate_not_hired_carries_the_reason_as_the_disposition() -> None:
    outcome = ats_application(
        an_application(result=ApplicantIntegrationResult.NOT_HIRED, do_not_hire_reason="NOSHOW"), ORG
    )
    assert isinstance(outcome, Mapped)
    assert outcome.payload["dispositionReason"] == "NOSHOW"


def test_a_candidate_without_a_request_has_no_application_nor_stage() -> None:
    application = an_application(recruiting_request_id=None)
    assert isinstance(ats_application(application, ORG), Skipped)
    assert current_stage(application) is None


def test_an_application_whose_posting_has_no_title_is_refused() -> None:
    outcome = ats_application(an_application(posting_title=None, candidate={"last_name": None}), ORG)
    assert isinstance(outcome, Refused)
    assert [p.field for p in outcome.problems] == ["atsJobPostingName", "lastName"]


@pytest.mark.parametrize(
    ("result", "stage"),
    [
        (ApplicantIntegrationResult.NOT_PROCESSED, "Offer accepted"),
        (ApplicantIntegrationResult.HIRED, "Hired"),
        (ApplicantIntegrationResult.NOT_HIRED, "Not hired"),
        (ApplicantIntegrationResult.DISMISSED, "Dismissed"),
    ],
)
def test_the_stage_follows_the_applicant_integration_result_and_passes_linkedins_rules(
    result: ApplicantIntegrationResult, stage: str
) -> None:
    mapped = current_stage(an_application(result=result))
    assert mapped is not None
    assert mapped.stage_id == f"REQ-000001/CAND-000001/{result.name}"
    assert mapped.payload == {"atsCreatedAt": 1_740_787_200_000, "stage": stage}
    assert stage_problems(mapped.payload) == []


def test_an_application_row_has_the_implied_applications_id_and_adds_its_source_and_applied_date() -> None:
    implied = ats_application(an_application(), ORG)
    explicit = ats_application(an_application(row=a_row(source=" LinkedIn ", applied_at=APPLIED)), ORG)
    assert isinstance(implied, Mapped) and isinstance(explicit, Mapped)
    assert explicit.key == implied.key  # one LinkedIn record per candidate and request, however it is known
    assert explicit.record == "application APP-1"
    assert explicit.payload == {
        **implied.payload,
        "source": "LinkedIn",
        "atsCreatedAt": 1_740_009_600_000,
        "atsLastModifiedAt": 1_740_873_600_000,
    }
    assert application_problems(explicit.payload) == []


def test_an_application_row_without_an_applied_date_is_dated_by_when_it_was_recorded() -> None:
    outcome = ats_application(an_application(row=a_row()), ORG)
    assert isinstance(outcome, Mapped)
    assert outcome.payload["atsCreatedAt"] == 1_740_873_600_000
    assert "source" not in outcome.payload


def test_the_rows_disposition_reason_is_sent_whatever_the_candidates_result() -> None:
    outcome = ats_application(an_application(row=a_row(disposition_reason="Position filled")), ORG)
    assert isinstance(outcome, Mapped)
    assert outcome.payload["dispositionReason"] == "Position filled"


def test_a_row_without_a_disposition_reason_carries_the_do_not_hire_reason_of_a_candidate_not_hired() -> None:
    application = an_application(row=a_row(), result=ApplicantIntegrationResult.NOT_HIRED, do_not_hire_reason="NOSHOW")
    outcome = ats_application(application, ORG)
    assert isinstance(outcome, Mapped)
    assert outcome.payload["dispositionReason"] == "NOSHOW"


def test_the_stage_a_row_names_is_sent_instead_of_the_results() -> None:
    application = an_application(row=a_row(stage="Phone screen"), result=ApplicantIntegrationResult.HIRED)
    mapped = current_stage(application)
    assert mapped is not None
    assert mapped.stage_id == "REQ-000001/CAND-000001/Phone screen"
    assert mapped.payload == {"atsCreatedAt": 1_740_873_600_000, "stage": "Phone screen"}
    assert stage_problems(mapped.payload) == []


@pytest.mark.parametrize("stage", [None, "  ", "Not Available"])
def test_a_row_naming_no_usable_stage_has_the_stage_of_the_candidates_result(stage: str | None) -> None:
    application = an_application(row=a_row(stage=stage), result=ApplicantIntegrationResult.HIRED)
    mapped = current_stage(application)
    assert mapped is not None
    assert mapped.stage_id == "REQ-000001/CAND-000001/HIRED"
    assert mapped.payload == {"atsCreatedAt": 1_740_873_600_000, "stage": "Hired"}
