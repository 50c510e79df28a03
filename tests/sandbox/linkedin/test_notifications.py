"""Enabling an integration: a push notification signed with the customer app's secret reaches the callback, and
its id finds the enabled integration. One test runs all of it over real loopback HTTP and HTTPS."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import trustme

from hirehub.outbound import async_client
from hirehub.restli import Protocol, encode_key, ids_query
from hirehub.sandbox.linkedin import LinkedInWorld, OnboardingStatus, create_app, integration_key
from hirehub.sandbox.linkedin.notifications import Notifier, notification_body, sign, verify_signature
from hirehub.sandbox.linkedin.world import DeveloperApplication
from tests.live_server import free_port, serving

from .conftest import API, ORG, Receiver, bearer, linkedin_routes

ONE_CLICK = integration_key(ORG, "ONE_CLICK_EXPORT")


def test_the_signature_test_vector() -> None:
    """Pinned with ``openssl dgst -sha256 -hmac``: hex HMAC-SHA256 of the exact compact body."""
    body = notification_body("7f1e2a90-1c1b-4c55-9a52-3e5d1b0c9f10", 0)
    assert body == b'{"id":"7f1e2a90-1c1b-4c55-9a52-3e5d1b0c9f10","type":"INTEGRATION_STATUS_CHANGE","expiresAt":0}'
    assert sign(body, "hirehub-test-secret") == "90b066f2db01891469ccc78cb3e7f73054f566ee72aff57f7034be4a97cb7e58"


def test_a_signature_verifies_bare_or_prefixed_and_not_with_another_secret() -> None:
    body = notification_body("n-1", 0)
    signature = sign(body, "s3cret")
    assert verify_signature(body, signature, "s3cret")
    assert verify_signature(body, f"hmacsha256={signature}", "s3cret")
    assert not verify_signature(body, signature, "other")
    assert not verify_signature(body + b" ", signature, "s3cret")


async def onboard(
    client: httpx.AsyncClient, customer: DeveloperApplication, callback: str, world: LinkedInWorld
) -> None:
    """What the product does: name the integration, then (a second later) send its CALLBACK_URL."""
    headers = await bearer(client, customer)
    await client.post(
        f"{API}/atsIntegrations?{ids_query([ONE_CLICK], Protocol.V1)}",
        json={
            "entities": {
                encode_key(ONE_CLICK, Protocol.V1): {"patch": {"$set": {"integrationName": "Contoso 1-Click"}}}
            }
        },
        headers={**headers, "x-restli-method": "batch_partial_update"},
    )
    world.clock.advance(1)
    response = await client.put(
        f"{API}/atsIntegrations/{encode_key(ONE_CLICK, Protocol.V1)}/configurations?ids=CALLBACK_URL",
        json={"entities": {"CALLBACK_URL": {"configurationValue": {"string": callback}}}},
        headers={**headers, "x-restli-method": "batch_update"},
    )
    assert response.json()["results"] == {"CALLBACK_URL": {"status": 204}}


@pytest.fixture
def receiver(world: LinkedInWorld) -> Receiver:
    receiver = Receiver()
    world.notifier = Notifier(httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver.app())))
    return receiver


async def test_enabling_sends_a_notification_signed_with_the_customer_apps_secret(
    client: httpx.AsyncClient, world: LinkedInWorld, customer: DeveloperApplication, receiver: Receiver
) -> None:
    await onboard(client, customer, "https://hub.example/linkedin/notifications/t1", world)
    notification = await world.enable(ONE_CLICK)
    assert notification is not None
    [(headers, body)] = receiver.received
    assert json.loads(body) == {
        "id": notification.id,
        "type": "INTEGRATION_STATUS_CHANGE",
        "expiresAt": notification.expires_at_ms,
    }
    assert headers["content-type"] == "application/json"
    assert verify_signature(body, headers["x-li-signature"], customer.current_secret)
    assert world.deliveries[-1].succeeded


async def test_the_notification_id_finds_the_enabled_integration(
    client: httpx.AsyncClient, world: LinkedInWorld, customer: DeveloperApplication, receiver: Receiver
) -> None:
    await onboard(client, customer, "https://hub.example/linkedin/notifications/t1", world)
    notification = await world.enable(ONE_CLICK)
    assert notification is not None
    response = await client.get(
        f"{API}/atsIntegrations?q=request&requestId={notification.id}", headers=await bearer(client, customer)
    )
    assert response.json() == {
        "elements": [
            {
                "dataProvider": "ATS",
                "integrationContext": ORG,
                "integrationName": "Contoso 1-Click",
                "integrationType": "ONE_CLICK_EXPORT",
                "onboardingStatus": "ENABLED",
                "tenantType": "RECRUITER",
            }
        ],
        "paging": {"count": 10, "links": [], "start": 0},
    }


async def test_only_a_partner_ready_integration_can_be_enabled(
    world: LinkedInWorld, customer: DeveloperApplication
) -> None:
    world.request_integrations(customer, ORG, ["RECRUITER_SYSTEM_CONNECT_COMPANY"])
    with pytest.raises(ValueError):
        await world.enable(ONE_CLICK)


async def test_a_notification_can_be_delivered_twice_with_identical_bytes(
    client: httpx.AsyncClient, world: LinkedInWorld, customer: DeveloperApplication, receiver: Receiver
) -> None:
    await onboard(client, customer, "https://hub.example/linkedin/notifications/t1", world)
    notification = await world.enable(ONE_CLICK)
    assert notification is not None
    await world.deliver(notification)
    assert len(receiver.received) == 2
    assert receiver.received[0][1] == receiver.received[1][1]


async def test_an_expired_notification_carries_a_past_expires_at(
    client: httpx.AsyncClient, world: LinkedInWorld, customer: DeveloperApplication, receiver: Receiver
) -> None:
    await onboard(client, customer, "https://hub.example/linkedin/notifications/t1", world)
    integration = world.integration(ONE_CLICK)
    assert integration is not None
    notification = await world.notify(integration, expired=True)
    assert notification is not None
    expires_at = json.loads(receiver.received[-1][1])["expiresAt"]
    assert expires_at < world.clock.now().timestamp() * 1000


async def test_a_non_2xx_answer_is_recorded_as_a_failed_delivery(
    client: httpx.AsyncClient, world: LinkedInWorld, customer: DeveloperApplication, receiver: Receiver
) -> None:
    receiver.status = 500
    await onboard(client, customer, "https://hub.example/linkedin/notifications/t1", world)
    await world.enable(ONE_CLICK)
    assert [d.status_code for d in world.deliveries] == [500]
    assert not world.deliveries[0].succeeded


@pytest.fixture
def tls_files(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file, ca_file = tmp_path / "server.pem", tmp_path / "server.key", tmp_path / "ca.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    ca.cert_pem.write_to_path(str(ca_file))
    yield str(cert_file), str(key_file), str(ca_file)


async def test_onboarding_over_real_loopback_http_delivers_over_https(
    world: LinkedInWorld, partner: DeveloperApplication, tls_files: tuple[str, str, str]
) -> None:
    cert_file, key_file, ca_file = tls_files
    receiver = Receiver()
    linkedin_port, receiver_port = free_port(), free_port()
    with (
        serving(create_app(world), linkedin_port),
        serving(receiver.app(), receiver_port, ssl_certfile=cert_file, ssl_keyfile=key_file),
    ):
        async with async_client(linkedin_routes(f"http://127.0.0.1:{linkedin_port}")) as client:
            partner_headers = await bearer(client, partner)
            created = await client.post(
                f"{API}/provisionedApplications",
                json={"uniqueForeignId": "t1", "name": "hirehub - Contoso", "description": "Contoso"},
                headers=partner_headers,
            )
            customer = world.applications[created.json()["credentials"]["client_id"]]
            await onboard(client, customer, f"https://127.0.0.1:{receiver_port}/linkedin/notifications/t1", world)
        async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=ca_file)) as delivery_client:
            world.notifier = Notifier(delivery_client)
            notification = await world.enable(ONE_CLICK)
    assert notification is not None
    [(headers, body)] = receiver.received
    assert verify_signature(body, headers["x-li-signature"], customer.current_secret)
    integration = world.integration(ONE_CLICK)
    assert integration is not None and integration.onboarding_status is OnboardingStatus.ENABLED
    assert datetime.now(UTC) < datetime.fromtimestamp(notification.expires_at_ms / 1000, UTC)
