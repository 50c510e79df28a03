"""The LinkedIn sandbox's configuration plugin: LinkedIn's ``in.js`` and onboarding widget as the customer meets them.

The customer's Recruiter administrator signs in on LinkedIn's side, picks the bundles the partner's page supports,
and the integrations exist on LinkedIn's side as REQUESTED while the widget hands them to the partner's page; once
the partner has made one ready, *Enable* turns it ENABLED and sends the signed push notification.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from hirehub.sandbox.entra.world import SandboxClock
from hirehub.sandbox.linkedin import LinkedInWorld, create_app
from hirehub.sandbox.linkedin.notifications import Notifier, verify_signature
from hirehub.sandbox.linkedin.plugin_page import (
    IN_JS,
    MESSAGE_TYPE,
    SCRIPT_PATH,
    WIDGET_PATH,
    CustomerAdmin,
    context_for,
)
from hirehub.sandbox.linkedin.world import DeveloperApplication, OnboardingStatus, integration_key

PARTNER_ORIGIN = "https://hub.example"
ADMIN = CustomerAdmin(
    email="recruiter@contoso.example",
    password="plugin-password",
    organization="urn:li:organization:2414183",
    contract="urn:li:contract:77",
)
RSC_BUNDLES = "RECRUITER_SYSTEM_CONNECT_COMPANY,RECRUITER_SYSTEM_CONNECT_CONTRACT"
SESSION = re.compile(r'name="session" value="([^"]+)"')


class Receiver:
    """The partner's notification endpoint: what LinkedIn posted to it."""

    def __init__(self) -> None:
        self.received: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        return httpx.Response(200)


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def world(receiver: Receiver) -> LinkedInWorld:
    notifier = Notifier(httpx.AsyncClient(transport=httpx.MockTransport(receiver)))
    return LinkedInWorld(clock=SandboxClock(speed=0.0), notifier=notifier)


@pytest.fixture
def customer(world: LinkedInWorld) -> DeveloperApplication:
    partner = world.register_partner("hirehub")
    return world.provision(
        partner, unique_foreign_id="tenant-1", name="hirehub - Contoso", description="Contoso",
        valid_js_sdk_domains=[PARTNER_ORIGIN],
    )  # fmt: skip


@pytest.fixture
async def plugin(world: LinkedInWorld) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(world, ADMIN))
    async with httpx.AsyncClient(transport=transport, base_url="http://platform.linkedin.test") as client:
        yield client


def widget_query(customer: DeveloperApplication, origin: str = PARTNER_ORIGIN) -> dict[str, str]:
    return {"api_key": customer.client_id, "origin": origin, "bundles": RSC_BUNDLES}


async def signed_in(plugin: httpx.AsyncClient, customer: DeveloperApplication) -> str:
    """The session handle the widget carries after the administrator signs in."""
    answer = await plugin.post(
        f"{WIDGET_PATH}/sign-in", data={**widget_query(customer), "email": ADMIN.email, "password": ADMIN.password}
    )
    assert answer.status_code == 303, answer.text
    page = await plugin.get(answer.headers["location"])
    found = SESSION.search(page.text)
    assert found, page.text
    return found.group(1)


async def integrate(plugin: httpx.AsyncClient, customer: DeveloperApplication, *bundles: str) -> httpx.Response:
    session = await signed_in(plugin, customer)
    return await plugin.post(
        f"{WIDGET_PATH}/integrations", data={**widget_query(customer), "session": session, "bundle": list(bundles)}
    )


def posted_message(page: str) -> dict[str, object]:
    """The message the widget's page posts to the partner's page, and the origin it may go to."""
    found = re.search(r"window\.parent\.postMessage\((\{.*?\}), (\"[^\"]*\")\);", page)
    assert found, page
    return {"message": json.loads(found.group(1)), "origin": json.loads(found.group(2))}


async def test_in_js_is_served_as_javascript_that_renders_the_widget_and_relays_its_message(
    plugin: httpx.AsyncClient,
) -> None:
    answer = await plugin.get(SCRIPT_PATH)

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/javascript")
    assert answer.text == IN_JS
    assert 'script[type="IN/ATSIntegrationWidget"]' in answer.text
    assert f'data.type !== "{MESSAGE_TYPE}"' in answer.text


async def test_the_widget_asks_the_customer_to_sign_in_on_linkedins_side_first(
    plugin: httpx.AsyncClient, customer: DeveloperApplication
) -> None:
    answer = await plugin.get(WIDGET_PATH, params=widget_query(customer))

    assert answer.status_code == 200
    assert "Sign in to LinkedIn" in answer.text
    assert 'name="password"' in answer.text


async def test_a_wrong_password_shows_the_sign_in_again_and_opens_no_session(
    plugin: httpx.AsyncClient, customer: DeveloperApplication
) -> None:
    answer = await plugin.post(
        f"{WIDGET_PATH}/sign-in", data={**widget_query(customer), "email": ADMIN.email, "password": "guess"}
    )

    assert answer.status_code == 401
    assert "not the right email or password" in answer.text
    assert SESSION.search(answer.text) is None


async def test_a_key_that_is_no_customer_application_loads_no_plugin(
    plugin: httpx.AsyncClient, world: LinkedInWorld
) -> None:
    partner = world.register_partner("another")

    answer = await plugin.get(WIDGET_PATH, params={"api_key": partner.client_id, "origin": PARTNER_ORIGIN})

    assert answer.status_code == 400
    assert "not a LinkedIn customer application" in answer.text


async def test_a_page_on_a_domain_the_key_does_not_list_loads_no_plugin(
    plugin: httpx.AsyncClient, customer: DeveloperApplication
) -> None:
    answer = await plugin.get(WIDGET_PATH, params=widget_query(customer, origin="https://elsewhere.example"))

    assert answer.status_code == 400
    assert "not a valid JavaScript SDK domain" in answer.text


async def test_picking_bundles_requests_their_integrations_and_posts_them_to_the_partners_origin(
    plugin: httpx.AsyncClient, customer: DeveloperApplication, world: LinkedInWorld
) -> None:
    answer = await integrate(plugin, customer, "RECRUITER_SYSTEM_CONNECT_COMPANY", "RECRUITER_SYSTEM_CONNECT_CONTRACT")

    posted = posted_message(answer.text)
    message = posted["message"]
    assert isinstance(message, dict) and message["type"] == MESSAGE_TYPE
    assert posted["origin"] == PARTNER_ORIGIN
    assert sorted((i["integrationContext"], i["integrationType"]) for i in message["integrations"]) == [
        (ADMIN.contract, "CSA_API"),
        (ADMIN.organization, "IN_ATS_INDICATOR"),
        (ADMIN.organization, "ONE_CLICK_EXPORT"),
        (ADMIN.organization, "PROFILE_PLUGIN"),
    ]
    requested = world.integration(integration_key(ADMIN.organization, "ONE_CLICK_EXPORT"))
    assert requested is not None
    assert requested.onboarding_status is OnboardingStatus.REQUESTED
    assert requested.owner_client_id == customer.client_id


async def test_a_bundle_the_partners_page_does_not_offer_is_not_requested(
    plugin: httpx.AsyncClient, customer: DeveloperApplication, world: LinkedInWorld
) -> None:
    answer = await integrate(plugin, customer, "APPLY_WITH_LINKEDIN")

    assert posted_message(answer.text)["message"] == {"type": MESSAGE_TYPE, "integrations": []}
    assert world.integrations == {}


async def test_enabling_a_partner_ready_integration_sends_the_signed_push_to_its_callback(
    plugin: httpx.AsyncClient, customer: DeveloperApplication, world: LinkedInWorld, receiver: Receiver
) -> None:
    await integrate(plugin, customer, "RECRUITER_SYSTEM_CONNECT_COMPANY")
    key = integration_key(ADMIN.organization, "ONE_CLICK_EXPORT")
    world.update_integration(customer, key, {"integrationName": "Contoso's One-Click Export"})
    world.set_configuration(customer, key, "CALLBACK_URL", "https://hub.example/linkedin/push/abc")
    session = await signed_in(plugin, customer)
    listed = await plugin.get(f"{WIDGET_PATH}/status", params={**widget_query(customer), "session": session})
    assert 'data-enable="ONE_CLICK_EXPORT"' in listed.text

    answer = await plugin.post(
        f"{WIDGET_PATH}/enable",
        data={**widget_query(customer), "session": session, "context": ADMIN.organization,
              "integration_type": "ONE_CLICK_EXPORT", "tenant_type": "RECRUITER"},
    )  # fmt: skip

    assert answer.status_code == 303
    enabled = world.integration(key)
    assert enabled is not None and enabled.onboarding_status is OnboardingStatus.ENABLED
    [pushed] = receiver.received
    assert str(pushed.url) == "https://hub.example/linkedin/push/abc"
    assert verify_signature(pushed.content, pushed.headers["X-LI-Signature"], customer.current_secret)
    assert world.requests[json.loads(pushed.content)["id"]]


async def test_an_integration_the_partner_has_not_made_ready_cannot_be_enabled(
    plugin: httpx.AsyncClient, customer: DeveloperApplication, world: LinkedInWorld, receiver: Receiver
) -> None:
    await integrate(plugin, customer, "RECRUITER_SYSTEM_CONNECT_COMPANY")
    session = await signed_in(plugin, customer)

    answer = await plugin.post(
        f"{WIDGET_PATH}/enable",
        data={**widget_query(customer), "session": session, "context": ADMIN.organization,
              "integration_type": "ONE_CLICK_EXPORT", "tenant_type": "RECRUITER"},
    )  # fmt: skip

    assert answer.status_code == 400
    requested = world.integration(integration_key(ADMIN.organization, "ONE_CLICK_EXPORT"))
    assert requested is not None and requested.onboarding_status is OnboardingStatus.REQUESTED
    assert receiver.received == []


async def test_the_widget_lists_nothing_without_a_signed_in_session(
    plugin: httpx.AsyncClient, customer: DeveloperApplication
) -> None:
    answer = await plugin.get(f"{WIDGET_PATH}/status", params={**widget_query(customer), "session": "forged"})

    assert answer.status_code == 401


def test_the_contract_bundle_is_requested_for_the_contract_and_the_others_for_the_company() -> None:
    assert context_for("RECRUITER_SYSTEM_CONNECT_CONTRACT", ADMIN) == ADMIN.contract
    assert context_for("RECRUITER_SYSTEM_CONNECT_COMPANY", ADMIN) == ADMIN.organization
    assert context_for("APPLY_WITH_LINKEDIN", ADMIN) == ADMIN.organization
