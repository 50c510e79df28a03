"""Recruiting requests → job postings: where each RSC required field comes from, LISTED or CLOSED by the request's
status, and a request that cannot be posted correctly refused with every reason — never sent wrong."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from hirehub.hr.models.options import RecruitingRequestStatus
from hirehub.linkedin.sync_data.outcomes import Mapped, Refused, Skipped
from hirehub.linkedin.sync_data.postings import (
    PostingOperation,
    PostingSettings,
    RequestLocation,
    RequestSnapshot,
    job_posting,
)
from hirehub.sandbox.linkedin.data_world import posting_problems

ORG = "urn:li:organization:2414183"
SETTINGS = PostingSettings(ORG, "https://careers.contoso.example/jobs/{id}")
CREATED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def a_request(**changes: Any) -> RequestSnapshot:
    values: dict[str, Any] = {
        "recruiting_request_id": "REQ-000001",
        "status": RecruitingRequestStatus.APPROVED,
        "created_at": CREATED,
        "description": "Design and build the data platform.",
        "title": "Data Engineer",
        "job_name": "DE",
        "locations": (RequestLocation("Redmond, WA", "USA"),),
    }
    values.update(changes)
    return RequestSnapshot(**values)


def mapped(outcome: object) -> Mapped:
    assert isinstance(outcome, Mapped), outcome
    return outcome


def test_an_approved_request_is_a_listed_posting_that_passes_rscs_required_fields() -> None:
    posting = mapped(job_posting(a_request(), SETTINGS))
    assert posting.payload == {
        "integrationContext": ORG,
        "externalJobPostingId": "REQ-000001",
        "jobPostingOperationType": "CREATE",
        "title": "Data Engineer",
        "description": "Design and build the data platform.",
        "location": "Redmond, WA",
        "state": "LISTED",
        "companyApplyUrl": "https://careers.contoso.example/jobs/REQ-000001",
        "listedAt": 1_740_821_400_000,
        "availability": "PRIVATE_TO_ATS_INTEGRATION",
    }
    assert posting_problems(posting.payload) == []


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (RecruitingRequestStatus.APPROVED, "LISTED"),
        (RecruitingRequestStatus.STARTED, "LISTED"),
        (RecruitingRequestStatus.CLOSED, "CLOSED"),
        (RecruitingRequestStatus.CANCELLED, "CLOSED"),
    ],
)
def test_open_requests_are_listed_and_finished_ones_closed(status: RecruitingRequestStatus, state: str) -> None:
    posting = mapped(job_posting(a_request(status=status), SETTINGS, PostingOperation.UPDATE))
    assert posting.payload["state"] == state
    assert posting.payload["jobPostingOperationType"] == "UPDATE"


def test_a_request_not_yet_approved_is_no_job_posting() -> None:
    assert isinstance(job_posting(a_request(status=RecruitingRequestStatus.CREATED), SETTINGS), Skipped)


def test_the_title_falls_back_to_the_first_position_then_the_job_and_the_description_to_the_job() -> None:
    by_position = mapped(job_posting(a_request(title=None, position_titles=("Lead", "Other")), SETTINGS))
    assert by_position.payload["title"] == "Lead"
    by_job = mapped(job_posting(a_request(title=" ", description=None, job_description="The job."), SETTINGS))
    assert (by_job.payload["title"], by_job.payload["description"]) == ("DE", "The job.")


def test_the_first_location_in_linkedins_form_is_taken() -> None:
    locations = (RequestLocation("Head office"), RequestLocation("Berlin, Germany", "DEU"))
    assert mapped(job_posting(a_request(locations=locations), SETTINGS)).payload["location"] == "Berlin, Germany"


def test_a_location_with_a_postal_code_and_a_country_stands_in_for_city_and_region() -> None:
    locations = (RequestLocation("Head office"), RequestLocation("Campus", "DE", " 10115 "))
    posting = mapped(job_posting(a_request(locations=locations), SETTINGS))
    assert "location" not in posting.payload
    assert (posting.payload["postalCode"], posting.payload["countryCode"]) == ("10115", "de")
    assert posting_problems(posting.payload) == []


def test_a_location_written_city_and_region_is_preferred_to_a_postal_code() -> None:
    locations = (RequestLocation("Campus", "DE", "10115"), RequestLocation("Berlin, Germany", "DE"))
    posting = mapped(job_posting(a_request(locations=locations), SETTINGS))
    assert posting.payload["location"] == "Berlin, Germany" and "postalCode" not in posting.payload


@pytest.mark.parametrize("location", [RequestLocation("Campus", None, "10115"), RequestLocation("Campus", "DEU", "1")])
def test_a_postal_code_without_a_two_letter_country_is_no_location(location: RequestLocation) -> None:
    outcome = job_posting(a_request(locations=(location,)), SETTINGS)
    assert isinstance(outcome, Refused)
    assert [p.field for p in outcome.problems] == ["location"]


def test_the_apply_url_escapes_the_request_id() -> None:
    posting = mapped(job_posting(a_request(recruiting_request_id="REQ 1/2"), SETTINGS))
    assert posting.payload["companyApplyUrl"] == "https://careers.contoso.example/jobs/REQ%201%2F2"


def test_a_request_missing_what_linkedin_requires_is_refused_with_every_reason() -> None:
    request = a_request(title=None, job_name=None, description=None, locations=(RequestLocation("Remote"),))
    outcome = job_posting(request, PostingSettings(ORG, None))
    assert isinstance(outcome, Refused)
    assert outcome.record == "recruiting request REQ-000001"
    assert [p.field for p in outcome.problems] == ["title", "description", "location", "companyApplyUrl"]


@pytest.mark.parametrize("template", ["careers.contoso.example/{id}", "ftp://contoso.example/{id}", ""])
def test_an_apply_url_template_that_is_no_absolute_http_url_is_refused(template: str) -> None:
    outcome = job_posting(a_request(), PostingSettings(ORG, template))
    assert isinstance(outcome, Refused)
    assert [p.field for p in outcome.problems] == ["companyApplyUrl"]


def test_a_title_longer_than_200_characters_is_refused_not_cut() -> None:
    outcome = job_posting(a_request(title="x" * 201), SETTINGS)
    assert isinstance(outcome, Refused)
    assert [p.field for p in outcome.problems] == ["title"]


def test_closing_names_the_posting_only_whatever_the_request_lacks() -> None:
    posting = mapped(job_posting(a_request(title=None, job_name=None), SETTINGS, PostingOperation.CLOSE))
    assert posting.payload == {
        "integrationContext": ORG,
        "externalJobPostingId": "REQ-000001",
        "jobPostingOperationType": "CLOSE",
    }
