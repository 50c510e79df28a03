"""The data-sync endpoints of the LinkedIn sandbox: job postings and their asynchronous tasks, ATS candidates and
their matches, job applications and their stages, in Rest.li 1.0 and 2.0, with LinkedIn's required fields, its
per-call and per-minute/per-day limits (429 with Retry-After, reset at midnight UTC) and the customer's own data
only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hirehub.restli import Protocol, encode_key, freeze_key, ids_query, parse_batch_response
from hirehub.sandbox.linkedin import LinkedInWorld, OnboardingStatus, data_world, integration_key
from hirehub.sandbox.linkedin.data_world import DataViolation
from hirehub.sandbox.linkedin.world import DeveloperApplication

from .conftest import API, ORG, bearer

OTHER_ORG = "urn:li:organization:999"
V2 = {"X-RestLi-Protocol-Version": "2.0.0"}
UPDATE = {"x-restli-method": "batch_update"}
CREATED_MS = 1_700_000_000_000


def enable(world: LinkedInWorld, customer: DeveloperApplication, context: str = ORG) -> None:
    """The customer's ONE_CLICK_EXPORT integration for ``context``, enabled (arranged as LinkedIn would hold it)."""
    integration = world.update_integration(
        customer, integration_key(context, "ONE_CLICK_EXPORT"), {"integrationName": "Contoso"}
    )
    integration.onboarding_status = OnboardingStatus.ENABLED


def candidate_key(candidate_id: str, context: str = ORG) -> dict[str, str]:
    return {"atsCandidateId": candidate_id, "dataProvider": "ATS", "integrationContext": context}


def application_key(application_id: str, context: str = ORG) -> dict[str, str]:
    return {"atsJobApplicationId": application_id, "dataProvider": "ATS", "integrationContext": context}


def a_candidate(**changes: Any) -> dict[str, Any]:
    """The RSC Postman collection's sample candidate."""
    record: dict[str, Any] = {
        "addresses": [
            {
                "line1": "31 Spooner St",
                "city": "Quahog",
                "geographicArea": "RI",
                "geographicAreaType": "STATE",
                "postalCode": "02802",
                "country": "us",
            }
        ],
        "atsCreatedAt": CREATED_MS,
        "atsLastModifiedAt": CREATED_MS,
        "currentCompanyName": "Candidate Test Company",
        "currentJobTitle": "Quality Assurance",
        "emailAddresses": ["johndoe999986@outlook.com"],
        "externalProfileUrl": "https://example.com/p-griffin",
        "firstName": "john",
        "lastName": "doe",
        "middleInitial": "L",
        "phoneNumbers": [{"number": "555-555-5555", "extension": "1234"}],
        "prefix": "Mr",
        "suffix": "Jr",
    }
    record.update(changes)
    return {k: v for k, v in record.items() if v is not None}


def an_application(**changes: Any) -> dict[str, Any]:
    """The RSC Postman collection's sample job application."""
    record: dict[str, Any] = {
        "atsCandidateId": "CAND-1",
        "atsCreatedAt": CREATED_MS,
        "atsLastModifiedAt": CREATED_MS,
        "atsJobPostingId": "REQ-1",
        "atsJobPostingName": "Senior Software Engineer",
        "candidateEmail": "johndoe999986@outlook.com",
        "firstName": "John",
        "lastName": "Doe",
        "source": "Referral",
        "dispositionReason": "",
    }
    record.update(changes)
    return {k: v for k, v in record.items() if v is not None}


def a_posting(external_id: str = "REQ-1", **changes: Any) -> dict[str, Any]:
    """The RSC Postman collection's sample private job."""
    element: dict[str, Any] = {
        "integrationContext": ORG,
        "externalJobPostingId": external_id,
        "title": "General Manager",
        "description": "Runs the place.",
        "location": "San Francisco, CA",
        "availability": "PRIVATE_TO_ATS_INTEGRATION",
        "state": "LISTED",
        "companyApplyUrl": "https://careers.contoso.example/jobs/REQ-1",
        "listedAt": CREATED_MS,
    }
    element.update(changes)
    return {k: v for k, v in element.items() if v is not None}


@pytest.fixture
async def headers(client: httpx.AsyncClient, world: LinkedInWorld, customer: DeveloperApplication) -> dict[str, str]:
    enable(world, customer)
    return await bearer(client, customer)


async def put(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    resource: str,
    records: dict[str, dict[str, Any]],
    key_of: Any,
    protocol: Protocol = Protocol.V1,
) -> httpx.Response:
    keys = [key_of(record_id) for record_id in records]
    body = {"entities": {encode_key(key_of(i), protocol): record for i, record in records.items()}}
    extra = V2 if protocol is Protocol.V2 else {}
    return await client.put(
        f"{API}/{resource}?{ids_query(keys, protocol)}", json=body, headers={**headers, **UPDATE, **extra}
    )


# candidates -------------------------------------------------------------------------------------------------------
async def test_the_postman_sample_candidate_is_stored_as_sent_in_the_samples_raw_1_0_syntax(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str]
) -> None:
    raw_key = f"atsCandidateId=CAND-1&dataProvider=ATS&integrationContext={ORG}"
    response = await client.put(
        f"{API}/atsCandidates?ids[0].atsCandidateId=CAND-1&ids[0].dataProvider=ATS&ids[0].integrationContext={ORG}",
        json={"entities": {raw_key: a_candidate()}},
        headers={**headers, **UPDATE},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"results": {raw_key: {"status": 204}}, "errors": {}}
    stored = world.data.candidate(ORG, "CAND-1")
    assert stored is not None
    assert stored["firstName"] == "john"
    assert stored["atsCreatedAt"] == CREATED_MS
    assert stored["linkedInProfileUrl"] is None


@pytest.mark.parametrize("protocol", list(Protocol))
async def test_each_candidate_is_judged_alone_and_a_refused_one_is_not_stored(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str], protocol: Protocol
) -> None:
    response = await put(
        client,
        headers,
        "atsCandidates",
        {"GOOD": a_candidate(), "NO-NAME": a_candidate(firstName=None)},
        candidate_key,
        protocol,
    )
    results, errors = parse_batch_response(response.json(), protocol)
    assert results == {freeze_key(candidate_key("GOOD")): {"status": 204}}
    assert errors[freeze_key(candidate_key("NO-NAME"))]["status"] == 422
    assert "/firstName" in errors[freeze_key(candidate_key("NO-NAME"))]["message"]
    assert world.data.candidate(ORG, "NO-NAME") is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"atsCreatedAt": None}, "/atsCreatedAt"),
        ({"atsLastModifiedAt": 0}, "/atsLastModifiedAt"),
        ({"atsCreatedAt": "2024-01-01"}, "/atsCreatedAt"),
        ({"lastName": " "}, "/lastName"),
        ({"addresses": None}, "/addresses"),
        ({"phoneNumbers": None}, "/phoneNumbers"),
        ({"phoneNumbers": [{"extension": "1"}]}, "/phoneNumbers/0/number"),
        ({"emailAddresses": ["not-an-address"]}, "/emailAddresses/0"),
        ({"linkedinProfileUrl": "https://www.linkedin.com/in/x"}, "/linkedinProfileUrl"),
    ],
)
async def test_a_candidate_missing_a_required_field_or_carrying_an_unknown_one_is_refused(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str], change: dict[str, Any], field: str
) -> None:
    record = a_candidate()
    for name, value in change.items():
        if value is None:
            record.pop(name)
        else:
            record[name] = value
    response = await put(client, headers, "atsCandidates", {"C": record}, candidate_key)
    _, errors = parse_batch_response(response.json(), Protocol.V1)
    assert field in errors[freeze_key(candidate_key("C"))]["message"]
    assert world.data.candidate(ORG, "C") is None


async def test_empty_addresses_and_phone_numbers_are_accepted(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str]
) -> None:
    response = await put(
        client, headers, "atsCandidates", {"C": a_candidate(addresses=[], phoneNumbers=[])}, candidate_key
    )
    assert parse_batch_response(response.json(), Protocol.V1)[1] == {}
    assert world.data.candidate(ORG, "C") is not None


async def test_a_batch_update_without_its_method_header_is_refused_whole(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str]
) -> None:
    key = candidate_key("C")
    response = await client.put(
        f"{API}/atsCandidates?{ids_query([key], Protocol.V1)}",
        json={"entities": {encode_key(key, Protocol.V1): a_candidate()}},
        headers=headers,
    )
    assert response.status_code == 400
    assert response.headers["X-RestLi-Error-Response"] == "true"
    assert world.data.candidates == {}


async def test_data_for_an_organization_without_an_enabled_integration_is_forbidden(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str], partner: DeveloperApplication
) -> None:
    response = await put(client, headers, "atsCandidates", {"C": a_candidate()}, lambda i: candidate_key(i, OTHER_ORG))
    assert response.status_code == 403
    partner_headers = await bearer(client, partner)
    response = await put(client, partner_headers, "atsCandidates", {"C": a_candidate()}, candidate_key)
    assert response.status_code == 403
    response = await put(client, {}, "atsCandidates", {"C": a_candidate()}, candidate_key)
    assert response.status_code == 401
    assert world.data.candidates == {}


async def test_another_customer_cannot_write_or_read_this_customers_candidates(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str], partner: DeveloperApplication
) -> None:
    await put(client, headers, "atsCandidates", {"C": a_candidate()}, candidate_key)
    other = world.provision(partner, unique_foreign_id="tenant-2", name="hirehub - Fabrikam", description="Fabrikam")
    enable(world, other, OTHER_ORG)
    other_headers = await bearer(client, other)
    read = await client.get(
        f"{API}/atsCandidates?{ids_query([candidate_key('C')], Protocol.V1)}", headers=other_headers
    )
    assert read.status_code == 403
    write = await put(client, other_headers, "atsCandidates", {"C": a_candidate(firstName="x")}, candidate_key)
    assert write.status_code == 403
    assert world.data.candidate(ORG, "C")["firstName"] == "john"  # type: ignore[index]


async def test_more_than_100_records_in_one_call_are_refused_whole_and_counted(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str]
) -> None:
    records = {f"C{i}": a_candidate() for i in range(101)}
    response = await put(client, headers, "atsCandidates", records, candidate_key)
    assert response.status_code == 400
    assert world.data.candidates == {}
    assert world.data.violations[DataViolation.TOO_MANY_RECORDS] == 1


async def test_a_candidate_read_returns_the_members_linkedin_matched_and_the_manual_match(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str]
) -> None:
    by_email = world.data.add_member("John", "Doe", emails=["JohnDoe999986@outlook.com"])
    by_profile = world.data.add_member("Jon", "Doe", profile_url="https://www.linkedin.com/in/jdoe/")
    world.data.add_member("Jane", "Roe", emails=["jane@example.com"])
    candidate = a_candidate(linkedInProfileUrl="http://linkedin.com/in/jdoe")
    await put(client, headers, "atsCandidates", {"C": candidate}, candidate_key, Protocol.V2)
    query = ids_query([candidate_key("C")], Protocol.V2)
    read = await client.get(f"{API}/atsCandidates?{query}", headers={**headers, **V2})
    results, _ = parse_batch_response(read.json(), Protocol.V2)
    found = results[freeze_key(candidate_key("C"))]
    assert sorted(found["matchedMembers"]) == sorted([by_email.urn, by_profile.urn])
    assert "manualMatchedMember" not in found

    patch = {"patch": {"$set": {"manualMatchedMember": by_email.urn}}}
    response = await client.post(
        f"{API}/atsCandidates?{ids_query([candidate_key('C')], Protocol.V1)}",
        json={"entities": {encode_key(candidate_key("C"), Protocol.V1): patch}},
        headers={**headers, "x-restli-method": "batch_partial_update"},
    )
    assert parse_batch_response(response.json(), Protocol.V1)[1] == {}
    read = await client.get(f"{API}/atsCandidates?{ids_query([candidate_key('C')], Protocol.V1)}", headers=headers)
    found = parse_batch_response(read.json(), Protocol.V1)[0][freeze_key(candidate_key("C"))]
    assert found["manualMatchedMember"] == by_email.urn


async def test_reading_or_deleting_an_unknown_candidate_is_a_404_for_that_key(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str]
) -> None:
    await put(client, headers, "atsCandidates", {"C": a_candidate()}, candidate_key)
    query = ids_query([candidate_key("C"), candidate_key("NOPE")], Protocol.V1)
    deleted = await client.delete(f"{API}/atsCandidates?{query}", headers=headers)
    results, errors = parse_batch_response(deleted.json(), Protocol.V1)
    assert results == {freeze_key(candidate_key("C")): {"status": 204}}
    assert errors[freeze_key(candidate_key("NOPE"))]["status"] == 404
    assert world.data.candidate(ORG, "C") is None


# quotas -----------------------------------------------------------------------------------------------------------
async def test_over_10000_records_a_minute_is_a_429_until_the_next_minute(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data_world, "RECORDS_PER_MINUTE_PER_APP", 3)
    first = await put(client, headers, "atsCandidates", {"A": a_candidate(), "B": a_candidate()}, candidate_key)
    assert first.status_code == 200
    refused = await put(client, headers, "atsCandidates", {"C": a_candidate(), "D": a_candidate()}, candidate_key)
    assert refused.status_code == 429
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert world.data.candidate(ORG, "C") is None
    assert world.data.violations[DataViolation.RECORDS_PER_MINUTE] == 1
    world.clock.advance(retry_after)
    again = await put(client, headers, "atsCandidates", {"C": a_candidate(), "D": a_candidate()}, candidate_key)
    assert again.status_code == 200


async def test_the_daily_request_quota_is_a_429_until_midnight_utc_and_each_resource_counts_its_own(
    client: httpx.AsyncClient,
    world: LinkedInWorld,
    customer: DeveloperApplication,
    headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(data_world, "DAILY_REQUESTS_PER_APP", 2)
    for name in ("A", "B"):
        assert (await put(client, headers, "atsCandidates", {name: a_candidate()}, candidate_key)).status_code == 200
    refused = await put(client, headers, "atsCandidates", {"C": a_candidate()}, candidate_key)
    assert refused.status_code == 429
    assert world.data.violations[DataViolation.DAILY_REQUESTS] == 1
    applications = await put(client, headers, "atsApplications", {"APP": an_application()}, application_key)
    assert applications.status_code == 200
    now = world.clock.now()
    retry_after = int(refused.headers["Retry-After"])
    assert (now.replace(hour=0, minute=0, second=0, microsecond=0) - now).total_seconds() + 86_400 <= retry_after
    world.clock.advance(retry_after)
    assert world.data.requests_today(customer.client_id, "atsCandidates") == 0
    fresh = await bearer(client, customer)  # the day's first token expired on the way to midnight
    assert (await put(client, fresh, "atsCandidates", {"C": a_candidate()}, candidate_key)).status_code == 200


# applications -----------------------------------------------------------------------------------------------------
async def test_an_application_update_replaces_the_record_so_an_omitted_field_becomes_null(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str]
) -> None:
    await put(client, headers, "atsApplications", {"APP": an_application()}, application_key)
    assert world.data.application(ORG, "APP")["source"] == "Referral"  # type: ignore[index]
    update = an_application(source=None, atsLastModifiedAt=CREATED_MS + 1)
    response = await put(client, headers, "atsApplications", {"APP": update}, application_key, Protocol.V2)
    assert parse_batch_response(response.json(), Protocol.V2)[1] == {}
    stored = world.data.application(ORG, "APP")
    assert stored is not None
    assert stored["source"] is None
    assert stored["atsLastModifiedAt"] == CREATED_MS + 1


async def test_an_application_without_its_times_or_job_is_refused(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str]
) -> None:
    records = {"NO-JOB": an_application(atsJobPostingId=None), "NO-TIME": an_application(atsLastModifiedAt=None)}
    response = await put(client, headers, "atsApplications", records, application_key)
    _, errors = parse_batch_response(response.json(), Protocol.V1)
    assert "/atsJobPostingId" in errors[freeze_key(application_key("NO-JOB"))]["message"]
    assert "/atsLastModifiedAt" in errors[freeze_key(application_key("NO-TIME"))]["message"]
    assert world.data.applications == {}


@pytest.mark.parametrize("protocol", list(Protocol))
async def test_application_stages_are_kept_per_application_and_not_available_is_refused(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str], protocol: Protocol
) -> None:
    await put(client, headers, "atsApplications", {"APP": an_application()}, application_key)
    extra = V2 if protocol is Protocol.V2 else {}
    path_key = encode_key(application_key("APP"), protocol)
    body = {
        "entities": {
            "STAGE001": {"atsCreatedAt": CREATED_MS, "stage": "Offer Extended"},
            "STAGE002": {"atsCreatedAt": CREATED_MS, "stage": "Not Available"},
        }
    }
    response = await client.put(
        f"{API}/atsApplications/{path_key}/stages?{ids_query(['STAGE001', 'STAGE002'], protocol)}",
        json=body,
        headers={**headers, **UPDATE, **extra},
    )
    assert response.status_code == 200, response.text
    assert set(response.json()["results"]) == {"STAGE001"}
    assert response.json()["errors"]["STAGE002"]["status"] == 422
    assert world.data.stages[(ORG, "APP")] == {"STAGE001": {"atsCreatedAt": CREATED_MS, "stage": "Offer Extended"}}


# job postings -----------------------------------------------------------------------------------------------------
async def create_postings(
    client: httpx.AsyncClient, headers: dict[str, str], elements: list[dict[str, Any]]
) -> list[str]:
    response = await client.post(
        f"{API}/simpleJobPostings", json={"elements": elements}, headers={**headers, "x-restli-method": "batch_create"}
    )
    assert response.status_code == 200, response.text
    return [element["id"] for element in response.json()["elements"]]


async def tasks(client: httpx.AsyncClient, headers: dict[str, str], urns: list[str]) -> dict[Any, Any]:
    response = await client.get(f"{API}/simpleJobPostingTasks?{ids_query(urns, Protocol.V1)}", headers=headers)
    assert response.status_code == 200, response.text
    results, errors = parse_batch_response(response.json(), Protocol.V1)
    return {**results, **errors}


async def test_a_job_posting_is_asynchronous_its_task_tells_the_outcome_of_each_element(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str]
) -> None:
    good, bad = await create_postings(
        client, headers, [a_posting("REQ-1"), a_posting("REQ-2", location="San Francisco", companyApplyUrl=None)]
    )
    assert good.startswith("urn:li:simpleJobPostingTask:")
    assert (await tasks(client, headers, [good]))[good]["status"] == "IN_PROGRESS"
    world.clock.advance(world.data.task_delay)
    found = await tasks(client, headers, [good, bad])
    assert found[good]["status"] == "SUCCEEDED"
    posting = world.data.posting(ORG, "REQ-1")
    assert posting is not None
    assert found[good]["jobPosting"] == posting.urn
    assert found[bad]["status"] == "FAILED"
    assert "/location" in found[bad]["message"]
    assert "/companyApplyUrl" in found[bad]["message"]
    assert world.data.posting(ORG, "REQ-2") is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "x" * 201}, "/title"),
        ({"description": None}, "/description"),
        ({"state": "OPEN"}, "/state"),
        ({"location": None}, "/location"),
        ({"integrationContext": "urn:li:contract:1"}, "/integrationContext"),
    ],
)
async def test_rsc_required_job_fields_fail_the_task(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str], change: dict[str, Any], field: str
) -> None:
    (task,) = await create_postings(client, headers, [a_posting(**change)])
    world.clock.advance(world.data.task_delay)
    found = (await tasks(client, headers, [task]))[task]
    assert found["status"] == "FAILED"
    assert field in found["message"]


async def test_a_country_and_postal_code_stand_in_for_the_location(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str]
) -> None:
    (task,) = await create_postings(client, headers, [a_posting(location=None, countryCode="us", postalCode="94105")])
    world.clock.advance(world.data.task_delay)
    assert (await tasks(client, headers, [task]))[task]["status"] == "SUCCEEDED"


async def test_a_posting_is_created_once_then_updated_and_closed(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str]
) -> None:
    await create_postings(client, headers, [a_posting()])
    (duplicate,) = await create_postings(client, headers, [a_posting()])
    (update,) = await create_postings(client, headers, [a_posting(title="GM", jobPostingOperationType="UPDATE")])
    close = {"integrationContext": ORG, "externalJobPostingId": "REQ-1", "jobPostingOperationType": "CLOSE"}
    (closed,) = await create_postings(client, headers, [close])
    (unknown,) = await create_postings(client, headers, [{**close, "externalJobPostingId": "NEVER"}])
    world.clock.advance(world.data.task_delay)
    found = await tasks(client, headers, [duplicate, update, closed, unknown])
    assert [found[t]["status"] for t in (duplicate, update, closed, unknown)] == [
        "FAILED",
        "SUCCEEDED",
        "SUCCEEDED",
        "FAILED",
    ]
    posting = world.data.posting(ORG, "REQ-1")
    assert posting is not None
    assert (posting.state, posting.element["title"]) == ("CLOSED", "GM")


async def test_a_create_call_is_refused_whole_without_its_method_with_a_repeated_id_or_over_100(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str]
) -> None:
    url = f"{API}/simpleJobPostings"
    create = {**headers, "x-restli-method": "batch_create"}
    assert (await client.post(url, json={"elements": [a_posting()]}, headers=headers)).status_code == 400
    twice = {"elements": [a_posting(), a_posting()]}
    assert (await client.post(url, json=twice, headers=create)).status_code == 400
    many = {"elements": [a_posting(f"R{i}") for i in range(101)]}
    assert (await client.post(url, json=many, headers=create)).status_code == 400
    assert world.data.tasks == {}


async def test_another_customers_tasks_are_not_found(
    client: httpx.AsyncClient, world: LinkedInWorld, headers: dict[str, str], partner: DeveloperApplication
) -> None:
    (task,) = await create_postings(client, headers, [a_posting()])
    other = world.provision(partner, unique_foreign_id="tenant-2", name="hirehub - Fabrikam", description="Fabrikam")
    enable(world, other, OTHER_ORG)
    found = await tasks(client, await bearer(client, other), [task])
    assert found[task]["status"] == 404
