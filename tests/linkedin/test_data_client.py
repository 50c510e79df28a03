"""The data-sync calls against LinkedIn's emulator: what the mapping produces is what LinkedIn takes — job postings
through their tasks, candidates and their matches, applications (update replaces) and stages — and LinkedIn's
limits come back as the hub's kinds of error; each resource of each customer app is paced on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hirehub.hr.models.options import ApplicantIntegrationResult, RecruitingRequestStatus
from hirehub.linkedin.data_client import (
    APPLICATIONS,
    CANDIDATES,
    JOB_POSTINGS,
    RECORD_LIMITED_INTERVAL,
    DataSyncClient,
    data_sync_client,
)
from hirehub.linkedin.errors import LinkedInRefused, LinkedInUnavailable
from hirehub.linkedin.pacer import Pacer
from hirehub.linkedin.sync_data.applications import ApplicationSnapshot, ats_application, current_stage
from hirehub.linkedin.sync_data.candidates import CandidateSnapshot, ats_candidate
from hirehub.linkedin.sync_data.outcomes import Mapped
from hirehub.linkedin.sync_data.postings import (
    PostingOperation,
    PostingSettings,
    RequestLocation,
    RequestSnapshot,
    job_posting,
)
from hirehub.restli import freeze_key
from hirehub.sandbox.linkedin import OnboardingStatus, data_world, integration_key

from .conftest import LinkedIn

ORG = "urn:li:organization:2414183"
CREATED = datetime(2025, 3, 1, tzinfo=UTC)
ADA = CandidateSnapshot("CAND-000001", "Ada", CREATED, CREATED, last_name="Lovelace", email="ada@example.com")
REQUEST = RequestSnapshot(
    "REQ-000001",
    RecruitingRequestStatus.APPROVED,
    CREATED,
    description="Design and build the data platform.",
    title="Data Engineer",
    locations=(RequestLocation("Redmond, WA"),),
)
SETTINGS = PostingSettings(ORG, "https://careers.contoso.example/jobs/{id}")
PACERS: list[tuple[str, timedelta]] = []


def quick_pacer(name: str, interval: timedelta) -> Pacer:
    """The hub-wide pacer with the rule's interval noted and shortened, so tests do not wait out LinkedIn's pace."""
    PACERS.append((name, interval))
    return Pacer(name, timedelta(milliseconds=1))


def mapped(outcome: object) -> Mapped:
    assert isinstance(outcome, Mapped), outcome
    return outcome


@pytest.fixture
async def client(linkedin: LinkedIn) -> DataSyncClient:
    customer = linkedin.world.provision(
        linkedin.partner, unique_foreign_id="tenant-1", name="hirehub - Contoso", description="Contoso"
    )
    integration = linkedin.world.update_integration(
        customer, integration_key(ORG, "ONE_CLICK_EXPORT"), {"integrationName": "Contoso"}
    )
    integration.onboarding_status = OnboardingStatus.ENABLED
    PACERS.clear()
    return await data_sync_client(
        linkedin.runtime, linkedin.database, customer.client_id, customer.current_secret, pacer_factory=quick_pacer
    )


async def test_each_resource_of_each_customer_app_has_its_own_pacer_at_linkedins_pace(client: DataSyncClient) -> None:
    names = {name.split(":")[0]: interval for name, interval in PACERS}
    assert names == {
        JOB_POSTINGS: timedelta(0),
        CANDIDATES: RECORD_LIMITED_INTERVAL,
        APPLICATIONS: RECORD_LIMITED_INTERVAL,
    }
    assert timedelta(seconds=0.6) == RECORD_LIMITED_INTERVAL
    assert all(name.endswith(":" + PACERS[0][0].split(":", 1)[1]) for name, _ in PACERS)


async def test_a_mapped_request_becomes_a_posting_through_its_task(linkedin: LinkedIn, client: DataSyncClient) -> None:
    (task,) = await client.create_job_postings([mapped(job_posting(REQUEST, SETTINGS)).payload])
    answer = await client.job_posting_tasks([task])
    assert answer.results[freeze_key(task)]["status"] == "IN_PROGRESS"
    linkedin.world.clock.advance(linkedin.world.data.task_delay)
    done = (await client.job_posting_tasks([task])).results[freeze_key(task)]
    posting = linkedin.world.data.posting(ORG, "REQ-000001")
    assert posting is not None
    assert (done["status"], done["jobPosting"], posting.state) == ("SUCCEEDED", posting.urn, "LISTED")

    (closing,) = await client.create_job_postings(
        [mapped(job_posting(REQUEST, SETTINGS, PostingOperation.CLOSE)).payload]
    )
    linkedin.world.clock.advance(linkedin.world.data.task_delay)
    assert (await client.job_posting_tasks([closing])).results[freeze_key(closing)]["status"] == "SUCCEEDED"
    assert posting.state == "CLOSED"


async def test_a_mapped_candidate_is_stored_and_its_linkedin_match_read_back(
    linkedin: LinkedIn, client: DataSyncClient
) -> None:
    member = linkedin.world.data.add_member("Ada", "Lovelace", emails=["ada@example.com"])
    candidate = mapped(ats_candidate(ADA, ORG))
    answer = await client.sync_candidates([(candidate.key, candidate.payload)])
    assert answer.results == {freeze_key(candidate.key): {"status": 204}}
    matches = await client.candidate_matches([candidate.key])
    assert matches.results[freeze_key(candidate.key)]["matchedMembers"] == [member.urn]
    deleted = await client.delete_candidates([candidate.key])
    assert deleted.results == {freeze_key(candidate.key): {"status": 204}}
    assert linkedin.world.data.candidate(ORG, "CAND-000001") is None


async def test_a_mapped_application_and_its_stage_are_stored_and_an_update_replaces_the_record(
    linkedin: LinkedIn, client: DataSyncClient
) -> None:
    hired = ApplicationSnapshot(ADA, "REQ-000001", "Data Engineer", ApplicantIntegrationResult.NOT_HIRED, "NOSHOW")
    application = mapped(ats_application(hired, ORG))
    await client.sync_applications([(application.key, application.payload)])
    assert linkedin.world.data.application(ORG, "REQ-000001/CAND-000001")["dispositionReason"] == "NOSHOW"  # type: ignore[index]
    stage = current_stage(hired)
    assert stage is not None
    answer = await client.sync_application_stages(application.key, {stage.stage_id: stage.payload})
    assert answer.errors == {}
    assert linkedin.world.data.stages[(ORG, "REQ-000001/CAND-000001")][stage.stage_id]["stage"] == "Not hired"

    waiting = mapped(ats_application(ApplicationSnapshot(ADA, "REQ-000001", "Data Engineer"), ORG))
    await client.sync_applications([(waiting.key, waiting.payload)])
    assert linkedin.world.data.application(ORG, "REQ-000001/CAND-000001")["dispositionReason"] is None  # type: ignore[index]


async def test_linkedins_429_is_unavailable_with_its_retry_after_and_a_403_a_refusal(
    linkedin: LinkedIn, client: DataSyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data_world, "RECORDS_PER_MINUTE_PER_APP", 1)
    candidate = mapped(ats_candidate(ADA, ORG))
    other = mapped(ats_candidate(CandidateSnapshot("CAND-2", "Grace", CREATED, CREATED, last_name="Hopper"), ORG))
    with pytest.raises(LinkedInUnavailable) as throttled:
        await client.sync_candidates([(candidate.key, candidate.payload), (other.key, other.payload)])
    assert throttled.value.retry_after is not None and 1 <= throttled.value.retry_after <= 60
    elsewhere = mapped(ats_candidate(ADA, "urn:li:organization:999"))
    with pytest.raises(LinkedInRefused):
        await client.sync_candidates([(elsewhere.key, elsewhere.payload)])


async def test_more_than_100_records_are_refused_before_any_call(linkedin: LinkedIn, client: DataSyncClient) -> None:
    candidate = mapped(ats_candidate(ADA, ORG))
    sent = len(linkedin.wire.sent)
    with pytest.raises(ValueError):
        await client.sync_candidates([(candidate.key, candidate.payload)] * 101)
    assert len(linkedin.wire.sent) == sent
