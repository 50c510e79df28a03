"""Tokens and the Provisioning API: customer apps created, found, updated and their secrets rolled by the partner."""

from __future__ import annotations

import httpx

from hirehub.sandbox.linkedin import LinkedInWorld
from hirehub.sandbox.linkedin.world import DeveloperApplication

from .conftest import API, TOKEN_URL, bearer

NEW_APP = {
    "uniqueForeignId": "tenant-42",
    "name": "hirehub - Fabrikam",
    "description": "Fabrikam's hirehub tenant",
    "oauth2AuthorizedCallbackUrls": ["https://hub.example/oauth"],
    "validJsSdkDomains": ["https://hub.example"],
}


async def test_client_credentials_give_a_30_minute_token(
    client: httpx.AsyncClient, partner: DeveloperApplication
) -> None:
    response = await client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "client_id": partner.client_id, "client_secret": "partner-secret"},
    )
    assert response.status_code == 200
    assert response.json()["expires_in"] == 1800
    assert response.json()["access_token"]


async def test_a_wrong_secret_is_an_oauth_invalid_client(
    client: httpx.AsyncClient, partner: DeveloperApplication
) -> None:
    response = await client.post(
        TOKEN_URL, data={"grant_type": "client_credentials", "client_id": partner.client_id, "client_secret": "nope"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_an_expired_token_is_refused_with_65601(
    client: httpx.AsyncClient, world: LinkedInWorld, partner: DeveloperApplication
) -> None:
    headers = await bearer(client, partner)
    world.clock.advance(1801)
    response = await client.get(
        f"{API}/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId=x", headers=headers
    )
    assert response.status_code == 401
    assert response.headers["X-RestLi-Error-Response"] == "true"
    assert response.json()["serviceErrorCode"] == 65601


async def test_the_partner_provisions_a_customer_app_with_its_own_credentials(
    client: httpx.AsyncClient, world: LinkedInWorld, partner: DeveloperApplication
) -> None:
    response = await client.post(f"{API}/provisionedApplications", json=NEW_APP, headers=await bearer(client, partner))
    assert response.status_code == 201
    body = response.json()
    assert body["key"].startswith("urn:li:developerApplication:")
    child = world.applications[body["credentials"]["client_id"]]
    assert child.parent_client_id == partner.client_id
    assert await bearer(client, child, body["credentials"]["client_secret"])


async def test_a_repeated_unique_foreign_id_is_a_conflict_and_creates_nothing(
    client: httpx.AsyncClient, world: LinkedInWorld, partner: DeveloperApplication
) -> None:
    headers = await bearer(client, partner)
    await client.post(f"{API}/provisionedApplications", json=NEW_APP, headers=headers)
    again = await client.post(
        f"{API}/provisionedApplications", json={**NEW_APP, "name": "hirehub - Other"}, headers=headers
    )
    assert again.status_code == 409
    assert len(world.children_of(partner)) == 1


async def test_names_over_50_characters_or_mentioning_linkedin_are_refused(
    client: httpx.AsyncClient, partner: DeveloperApplication
) -> None:
    headers = await bearer(client, partner)
    too_long = await client.post(f"{API}/provisionedApplications", json={**NEW_APP, "name": "x" * 51}, headers=headers)
    branded = await client.post(
        f"{API}/provisionedApplications", json={**NEW_APP, "name": "hirehub - LinkedIn Fans"}, headers=headers
    )
    assert (too_long.status_code, branded.status_code) == (400, 400)


async def test_a_customer_token_cannot_provision(client: httpx.AsyncClient, customer: DeveloperApplication) -> None:
    response = await client.post(f"{API}/provisionedApplications", json=NEW_APP, headers=await bearer(client, customer))
    assert response.status_code == 403


async def test_the_credentials_finder_returns_the_customer_app_by_unique_foreign_id(
    client: httpx.AsyncClient, partner: DeveloperApplication, customer: DeveloperApplication
) -> None:
    response = await client.get(
        f"{API}/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId=tenant-1",
        headers=await bearer(client, partner),
    )
    [element] = response.json()["elements"]
    assert element["key"] == customer.urn
    assert element["credentials"] == {"client_id": customer.client_id, "client_secret": customer.current_secret}


async def test_a_partial_update_sets_the_js_sdk_domains(
    client: httpx.AsyncClient, partner: DeveloperApplication, customer: DeveloperApplication
) -> None:
    response = await client.post(
        f"{API}/provisionedApplications/{customer.urn}",
        json={"patch": {"$set": {"validJsSdkDomains": ["https://hub.example"]}}},
        headers=await bearer(client, partner),
    )
    assert response.status_code == 204
    assert customer.valid_js_sdk_domains == ["https://hub.example"]


async def test_a_rolled_secret_works_beside_the_old_one_and_a_third_is_refused(
    client: httpx.AsyncClient, partner: DeveloperApplication, customer: DeveloperApplication
) -> None:
    old = customer.current_secret
    headers = await bearer(client, partner)
    url = f"{API}/developerApplicationsSecurity?action=rollDeveloperApplicationSecret"
    rolled = await client.post(url, json={"childDeveloperApplication": customer.urn}, headers=headers)
    new = rolled.json()["value"]["client_secret"]
    assert await bearer(client, customer, old) and await bearer(client, customer, new)
    third = await client.post(url, json={"childDeveloperApplication": customer.urn}, headers=headers)
    assert third.status_code == 400
    assert customer.secrets == [old, new]
