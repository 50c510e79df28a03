"""atsIntegrations and their configurations: per-entity batch answers in Rest.li 1.0 and 2.0, the platform's
rules (100 entities, one second, 5,000 a day) refused and counted, the onboarding states and the request finder."""

from __future__ import annotations

import httpx
import pytest

from hirehub.restli import Protocol, encode_key, freeze_key, ids_query, parse_batch_response
from hirehub.sandbox.linkedin import LinkedInWorld, OnboardingStatus, Violation, integration_key
from hirehub.sandbox.linkedin.world import DeveloperApplication

from .conftest import API, ORG, bearer

ONE_CLICK = integration_key(ORG, "ONE_CLICK_EXPORT")
INDICATOR = integration_key(ORG, "IN_ATS_INDICATOR")
V2 = {"X-RestLi-Protocol-Version": "2.0.0"}
UPDATE = {"x-restli-method": "batch_partial_update"}
SEED_KEY = (
    "integrationContext=urn:li:organization:4gX03uw&integrationType=ONE_CLICK_EXPORT"
    "&tenantType=RECRUITER&dataProvider=ATS"
)
SEED_QUERY = (
    "ids[0].integrationContext=urn:li:organization:4gX03uw&ids[0].integrationType=ONE_CLICK_EXPORT"
    "&ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS"
)
SEED_ANSWER_KEY = (
    "integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS"
    "&integrationContext=urn%3Ali%3Aorganization%3A4gX03uw"
)


def named(name: str) -> dict[str, object]:
    return {"patch": {"$set": {"integrationName": name}}}


async def update(
    client: httpx.AsyncClient, headers: dict[str, str], keys: list[dict[str, str]], protocol: Protocol = Protocol.V1
) -> httpx.Response:
    extra = V2 if protocol is Protocol.V2 else {}
    body = {"entities": {encode_key(k, protocol): named(f"Contoso {k['integrationType']}") for k in keys}}
    return await client.post(
        f"{API}/atsIntegrations?{ids_query(keys, protocol)}", json=body, headers={**headers, **UPDATE, **extra}
    )


@pytest.fixture
async def customer_headers(client: httpx.AsyncClient, customer: DeveloperApplication) -> dict[str, str]:
    return await bearer(client, customer)


async def test_the_seeds_sample_request_names_the_integration(
    client: httpx.AsyncClient, world: LinkedInWorld, customer_headers: dict[str, str]
) -> None:
    raw_key = SEED_KEY
    query = SEED_QUERY
    response = await client.post(
        f"{API}/atsIntegrations?{query}",
        json={"entities": {raw_key: named("My Customer's LinkedIn Recruiter One-Click Export Integration")}},
        headers={**customer_headers, **UPDATE},
    )
    assert response.status_code == 200
    assert response.json() == {
        "errors": {},
        "results": {SEED_ANSWER_KEY: {"status": 204}},
    }
    integration = world.integration(ONE_CLICK)
    assert integration is not None
    assert integration.integration_name == "My Customer's LinkedIn Recruiter One-Click Export Integration"


@pytest.mark.parametrize("protocol", list(Protocol))
async def test_each_entity_gets_its_own_status(
    client: httpx.AsyncClient, world: LinkedInWorld, customer_headers: dict[str, str], protocol: Protocol
) -> None:
    world.fail_next_update_for(INDICATOR, status=500)
    response = await update(client, customer_headers, [ONE_CLICK, INDICATOR], protocol)
    results, errors = parse_batch_response(response.json(), protocol)
    assert results == {freeze_key(ONE_CLICK): {"status": 204}}
    assert errors[freeze_key(INDICATOR)]["status"] == 500
    indicator = world.integration(INDICATOR)
    assert indicator is None or indicator.integration_name is None


async def test_a_failed_entity_succeeds_when_retried(
    client: httpx.AsyncClient, world: LinkedInWorld, customer_headers: dict[str, str]
) -> None:
    world.fail_next_update_for(ONE_CLICK)
    first = await update(client, customer_headers, [ONE_CLICK])
    world.clock.advance(1)
    second = await update(client, customer_headers, [ONE_CLICK])
    assert parse_batch_response(first.json(), Protocol.V1)[1]
    assert parse_batch_response(second.json(), Protocol.V1)[0] == {freeze_key(ONE_CLICK): {"status": 204}}


async def test_more_than_100_entities_are_refused_counted_and_change_nothing(
    client: httpx.AsyncClient, world: LinkedInWorld, customer_headers: dict[str, str]
) -> None:
    keys = [integration_key(f"urn:li:organization:{n}", "ONE_CLICK_EXPORT") for n in range(101)]
    response = await update(client, customer_headers, keys)
    assert response.status_code == 400
    assert response.headers["X-RestLi-Error-Response"] == "true"
    assert world.violations[Violation.TOO_MANY_ENTITIES] == 1
    assert world.integrations == {}


async def test_100_entities_are_accepted(
    client: httpx.AsyncClient, world: LinkedInWorld, customer_headers: dict[str, str]
) -> None:
    keys = [integration_key(f"urn:li:organization:{n}", "ONE_CLICK_EXPORT") for n in range(100)]
    response = await update(client, customer_headers, keys, Protocol.V2)
    assert len(response.json()["results"]) == 100
    assert sum(world.violations.values()) == 0


async def test_two_calls_less_than_a_second_apart_the_second_is_refused_and_counted(
    client: httpx.AsyncClient, world: LinkedInWorld, customer_headers: dict[str, str]
) -> None:
    await update(client, customer_headers, [ONE_CLICK])
    world.clock.advance(0.5)
    too_soon = await update(client, customer_headers, [INDICATOR])
    world.clock.advance(0.5)
    in_time = await update(client, customer_headers, [INDICATOR])
    assert (too_soon.status_code, in_time.status_code) == (429, 200)
    assert world.violations[Violation.TOO_FAST] == 1


async def test_the_one_second_rule_is_per_partner_across_its_customers(
    client: httpx.AsyncClient, world: LinkedInWorld, partner: DeveloperApplication, customer_headers: dict[str, str]
) -> None:
    other = world.provision(partner, unique_foreign_id="tenant-2", name="hirehub - Fabrikam", description="Fabrikam")
    await update(client, customer_headers, [ONE_CLICK])
    response = await update(
        client, await bearer(client, other), [integration_key("urn:li:organization:9", "ONE_CLICK_EXPORT")]
    )
    assert response.status_code == 429


async def test_the_5000th_call_of_a_day_is_the_last(
    client: httpx.AsyncClient, world: LinkedInWorld, customer: DeveloperApplication, customer_headers: dict[str, str]
) -> None:
    for _ in range(4_999):
        world.admit_integrations_call(customer, entities=0, batch=False)
    last = await client.get(f"{API}/atsIntegrations?q=request&requestId=none", headers=customer_headers)
    over = await client.get(f"{API}/atsIntegrations?q=request&requestId=none", headers=customer_headers)
    world.clock.advance(86_400)
    tomorrow_headers = await bearer(client, customer)
    next_day = await client.get(f"{API}/atsIntegrations?q=request&requestId=none", headers=tomorrow_headers)
    assert (last.status_code, over.status_code, next_day.status_code) == (200, 429, 200)
    assert world.violations[Violation.DAILY_LIMIT] == 1


async def test_a_batch_update_without_the_method_header_is_refused(
    client: httpx.AsyncClient, customer_headers: dict[str, str]
) -> None:
    response = await client.post(
        f"{API}/atsIntegrations?{ids_query([ONE_CLICK], Protocol.V1)}",
        json={"entities": {encode_key(ONE_CLICK, Protocol.V1): named("x")}},
        headers=customer_headers,
    )
    assert response.status_code == 400


async def test_the_partner_token_cannot_call_ats_integrations(
    client: httpx.AsyncClient, partner: DeveloperApplication
) -> None:
    response = await update(client, await bearer(client, partner), [ONE_CLICK])
    assert response.status_code == 403


async def test_one_click_export_is_partner_ready_only_with_its_callback_url(
    client: httpx.AsyncClient, world: LinkedInWorld, customer_headers: dict[str, str]
) -> None:
    await update(client, customer_headers, [ONE_CLICK])
    integration = world.integration(ONE_CLICK)
    assert integration is not None and integration.onboarding_status is OnboardingStatus.REQUESTED
    path = f"{API}/atsIntegrations/{encode_key(ONE_CLICK, Protocol.V2)}/configurations?ids=List(CALLBACK_URL)"
    response = await client.put(
        path,
        json={"entities": {"CALLBACK_URL": {"configurationValue": {"string": "https://hub.example/cb/t1"}}}},
        headers={**customer_headers, **V2, "x-restli-method": "batch_update"},
    )
    assert response.json() == {"errors": {}, "results": {"CALLBACK_URL": {"status": 204}}}
    assert integration.onboarding_status is OnboardingStatus.PARTNER_READY


async def test_the_seeds_configuration_upsert_and_a_read_back(
    client: httpx.AsyncClient, world: LinkedInWorld, customer_headers: dict[str, str]
) -> None:
    await update(client, customer_headers, [ONE_CLICK])
    path = f"{API}/atsIntegrations/{SEED_KEY}/configurations"
    await client.put(
        f"{path}?ids=CALLBACK_URL",
        json={
            "entities": {"CALLBACK_URL": {"configurationValue": {"string": "https://customer.callback.com/goes/here"}}}
        },
        headers={**customer_headers, "x-restli-method": "batch_update"},
    )
    read = await client.get(f"{path}?ids=CALLBACK_URL", headers=customer_headers)
    assert read.json()["results"]["CALLBACK_URL"] == {
        "configurationValue": {"string": "https://customer.callback.com/goes/here"}
    }
    deleted = await client.delete(f"{path}?ids=CALLBACK_URL", headers=customer_headers)
    assert deleted.json()["results"] == {"CALLBACK_URL": {"status": 204}}
    integration = world.integration(ONE_CLICK)
    assert integration is not None and integration.configurations == {}


async def test_batch_get_reports_name_and_onboarding_status(
    client: httpx.AsyncClient, world: LinkedInWorld, customer_headers: dict[str, str]
) -> None:
    await update(client, customer_headers, [INDICATOR])
    world.clock.advance(1)
    response = await client.get(
        f"{API}/atsIntegrations?{ids_query([INDICATOR, ONE_CLICK], Protocol.V1)}", headers=customer_headers
    )
    results, errors = parse_batch_response(response.json(), Protocol.V1)
    assert results[freeze_key(INDICATOR)] == {
        "integrationName": "Contoso IN_ATS_INDICATOR",
        "onboardingStatus": "PARTNER_READY",
    }
    assert errors[freeze_key(ONE_CLICK)]["status"] == 404


async def test_another_customers_integration_is_out_of_reach(
    client: httpx.AsyncClient, world: LinkedInWorld, partner: DeveloperApplication, customer_headers: dict[str, str]
) -> None:
    await update(client, customer_headers, [INDICATOR])
    world.clock.advance(1)
    other = world.provision(partner, unique_foreign_id="tenant-2", name="hirehub - Fabrikam", description="Fabrikam")
    response = await update(client, await bearer(client, other), [INDICATOR])
    assert parse_batch_response(response.json(), Protocol.V1)[1][freeze_key(INDICATOR)]["status"] == 403


async def test_the_plugin_request_is_requested_and_hands_the_seeds_payload(
    world: LinkedInWorld, customer: DeveloperApplication
) -> None:
    payload = world.request_integrations(customer, ORG, ["RECRUITER_SYSTEM_CONNECT_COMPANY"])
    assert {"integrationContext": ORG, "integrationType": "ONE_CLICK_EXPORT", "tenantType": "RECRUITER"} in payload
    integration = world.integration(ONE_CLICK)
    assert integration is not None and integration.onboarding_status is OnboardingStatus.REQUESTED
