"""End to end against LinkedIn's emulator: a tenant turns RSC on, its administrator onboards integrations in the
plugin page, the hub syncs them, the customer enables one in LinkedIn, and the signed notification makes it ENABLED;
forged, altered, replayed and expired notifications change nothing."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import func, select

from hirehub.linkedin import operations
from hirehub.linkedin.apps import EnableOptions
from hirehub.linkedin.models import Integration, ReceivedNotification
from hirehub.linkedin.notifications import HANDLE_NOTIFICATION
from hirehub.linkedin.push import MAX_BODY
from hirehub.linkedin.signatures import sign
from hirehub.sandbox.linkedin import integration_key
from hirehub.sandbox.linkedin.notifications import build_notification
from tests.linkedin.conftest import PARTNER_ID, PARTNER_SECRET, PASSWORD, LinkedIn

ORGANIZATION = "urn:li:organization:4gX03uw"
EXPORT = integration_key(ORGANIZATION, "ONE_CLICK_EXPORT")


async def _sign_in(linkedin: LinkedIn, email: str) -> None:
    page = await linkedin.hub.get("/console/sign-in")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    form = {"email": email, "password": PASSWORD, "csrf_token": csrf.group(1), "next": "/console/"}
    answer = await linkedin.hub.post("/console/sign-in", data=form)
    assert answer.status_code == 303


async def _onboarded(linkedin: LinkedIn) -> uuid.UUID:
    """A tenant with RSC on, whose administrator reported the plugin's integrations, all synced."""
    async with linkedin.database.system_transaction() as session:
        await operations.apps.set_partner(session, linkedin.runtime, client_id=PARTNER_ID,
                                          client_secret=PARTNER_SECRET)  # fmt: skip
    tenant_id = await linkedin.tenant()
    await operations.enable(linkedin.database, tenant_id, linkedin.runtime, EnableOptions())
    await linkedin.admin(tenant_id, "admin@contoso.example")
    await _sign_in(linkedin, "admin@contoso.example")
    page = await linkedin.hub.get("/console/linkedin/plugin")
    customer = linkedin.world.children_of(linkedin.partner)[0]
    assert f"api_key: {customer.client_id}\n" in page.text
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert csrf is not None
    reported = linkedin.world.request_integrations(customer, ORGANIZATION, ["RECRUITER_SYSTEM_CONNECT_COMPANY"])
    answer = await linkedin.hub.post("/console/linkedin/integrations", json={"integrations": reported},
                                     headers={"X-CSRF-Token": csrf.group(1)})  # fmt: skip
    assert answer.status_code == 202, answer.text
    await linkedin.run_jobs()
    return tenant_id


async def _statuses(linkedin: LinkedIn, tenant_id: uuid.UUID) -> dict[str, str | None]:
    async with linkedin.database.tenant_session(tenant_id) as session:
        return {row.integration_type: row.onboarding_status for row in await session.scalars(select(Integration))}


async def _notifications(linkedin: LinkedIn, tenant_id: uuid.UUID) -> int:
    async with linkedin.database.tenant_session(tenant_id) as session:
        return int(await session.scalar(select(func.count()).select_from(ReceivedNotification)) or 0)


async def test_a_customer_enabling_an_integration_in_linkedin_makes_it_enabled_in_the_hub(linkedin: LinkedIn) -> None:
    tenant_id = await _onboarded(linkedin)
    customer = linkedin.world.children_of(linkedin.partner)[0]
    assert customer.name == "hirehub - Contoso" and customer.unique_foreign_id == str(tenant_id)
    emulated = linkedin.world.integration(EXPORT)
    assert emulated is not None and str(emulated.onboarding_status) == "PARTNER_READY"

    notification = await linkedin.world.enable(EXPORT)

    assert notification is not None and linkedin.world.deliveries[-1].status_code == 202
    await linkedin.run_jobs()
    statuses = await _statuses(linkedin, tenant_id)
    assert statuses["ONE_CLICK_EXPORT"] == "ENABLED"
    assert not linkedin.world.violations


async def test_the_manual_status_retrieval_reads_every_integrations_status(linkedin: LinkedIn) -> None:
    tenant_id = await _onboarded(linkedin)
    emulated = linkedin.world.integration(EXPORT)
    assert emulated is not None
    emulated.onboarding_status = type(emulated.onboarding_status)("ENABLED")  # enabled before notifications existed

    result = await operations.refresh_status(linkedin.database, tenant_id, linkedin.runtime)

    assert result["updated"] == 3 and result["calls"] == 1
    assert await _statuses(linkedin, tenant_id) == {
        "ONE_CLICK_EXPORT": "ENABLED", "IN_ATS_INDICATOR": "PARTNER_READY", "PROFILE_PLUGIN": "PARTNER_READY",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("tamper", "status"),
    [
        ("forged", 401),
        ("altered", 401),
        ("unsigned", 401),
        ("partner-signed", 401),
        ("unknown-callback", 403),
    ],
)
async def test_a_notification_not_signed_by_the_customer_app_is_refused_and_changes_nothing(
    linkedin: LinkedIn, tamper: str, status: int
) -> None:
    tenant_id = await _onboarded(linkedin)
    emulated = linkedin.world.integration(EXPORT)
    assert emulated is not None
    emulated.onboarding_status = type(emulated.onboarding_status)("ENABLED")
    genuine = linkedin.world.new_notification(emulated)
    assert genuine is not None
    body, headers, url = genuine.body, dict(genuine.headers), genuine.callback_url
    if tamper == "forged":
        headers["X-LI-Signature"] = sign(body, "a guess")
    elif tamper == "altered":
        body = body.replace(b'"id":"', b'"id":"x')
    elif tamper == "unsigned":
        del headers["X-LI-Signature"]
    elif tamper == "partner-signed":
        headers["X-LI-Signature"] = sign(body, PARTNER_SECRET)
    else:
        url = url.rsplit("/", 1)[0] + "/not-a-customer"
    jobs_before = await linkedin.jobs(tenant_id)

    answer = await linkedin.hub.post(url, content=body, headers=headers)

    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json" and answer.json()["status"] == status
    assert await linkedin.jobs(tenant_id) == jobs_before
    assert await _notifications(linkedin, tenant_id) == 0
    await linkedin.run_jobs()
    assert (await _statuses(linkedin, tenant_id))["ONE_CLICK_EXPORT"] is None  # never told ENABLED


async def test_a_replayed_notification_is_acknowledged_and_changes_nothing(linkedin: LinkedIn) -> None:
    tenant_id = await _onboarded(linkedin)
    notification = await linkedin.world.enable(EXPORT)
    assert notification is not None
    jobs_after_first = await linkedin.jobs(tenant_id, HANDLE_NOTIFICATION)

    replay = await linkedin.world.deliver(notification)

    assert replay.status_code == 200
    assert await linkedin.jobs(tenant_id, HANDLE_NOTIFICATION) == jobs_after_first == 1
    assert await _notifications(linkedin, tenant_id) == 1


async def test_an_expired_notification_is_ignored(linkedin: LinkedIn) -> None:
    tenant_id = await _onboarded(linkedin)
    emulated = linkedin.world.integration(EXPORT)
    assert emulated is not None
    emulated.onboarding_status = type(emulated.onboarding_status)("ENABLED")

    expired = await linkedin.world.notify(emulated, expired=True)

    assert expired is not None and linkedin.world.deliveries[-1].status_code == 200
    assert await linkedin.jobs(tenant_id, HANDLE_NOTIFICATION) == 0
    assert await _notifications(linkedin, tenant_id) == 0
    assert (await _statuses(linkedin, tenant_id))["ONE_CLICK_EXPORT"] is None  # never told ENABLED


async def test_a_signed_body_that_is_not_a_notification_is_a_bad_request(linkedin: LinkedIn) -> None:
    await _onboarded(linkedin)
    emulated = linkedin.world.integration(EXPORT)
    assert emulated is not None
    genuine = build_notification("n-1", emulated.configurations["CALLBACK_URL"],
                                 linkedin.world.children_of(linkedin.partner)[0].current_secret,
                                 now=linkedin.world.clock.now())  # fmt: skip
    body = json.dumps(["not", "an", "object"]).encode()
    secret = linkedin.world.children_of(linkedin.partner)[0].current_secret
    answer = await linkedin.hub.post(genuine.callback_url, content=body, headers={"X-LI-Signature": sign(body, secret)})
    assert answer.status_code == 400
    assert answer.json()["detail"] == "a notification is a JSON object"


async def test_an_oversized_push_is_refused_before_it_is_read_as_a_notification(linkedin: LinkedIn) -> None:
    await _onboarded(linkedin)
    emulated = linkedin.world.integration(EXPORT)
    assert emulated is not None
    secret = linkedin.world.children_of(linkedin.partner)[0].current_secret
    body = json.dumps({"id": "n-1", "type": "INTEGRATION_STATUS_CHANGE", "padding": "x" * MAX_BODY}).encode()

    answer = await linkedin.hub.post(emulated.configurations["CALLBACK_URL"], content=body,
                                     headers={"X-LI-Signature": sign(body, secret)})  # fmt: skip

    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"


async def test_the_plugin_page_allows_linkedin_in_its_content_security_policy_and_nothing_broader(
    linkedin: LinkedIn,
) -> None:
    await _onboarded(linkedin)
    page = await linkedin.hub.get("/console/linkedin/plugin")
    policy = page.headers["Content-Security-Policy"]
    script_src = next(part for part in policy.split("; ") if part.startswith("script-src"))
    assert "https://platform.linkedin.com" in script_src and "https://www.linkedin.com" in script_src
    assert "*" not in policy and "'unsafe-inline'" not in script_src
    assert 'data-supported-bundled-integration-types="RECRUITER_SYSTEM_CONNECT_COMPANY,' in page.text
    assert 'data-onintegrate="handleIntegrations"' in page.text and 'data-width="600"' in page.text


async def test_the_plugin_callback_refuses_without_csrf_or_sign_in_and_bad_integrations(linkedin: LinkedIn) -> None:
    tenant_id = await _onboarded(linkedin)
    jobs_before = await linkedin.jobs(tenant_id)
    item = {"integrationContext": "urn:li:organization:9", "integrationType": "ONE_CLICK_EXPORT",
            "tenantType": "RECRUITER"}  # fmt: skip
    assert (await linkedin.hub.post("/console/linkedin/integrations", json={"integrations": [item]})).status_code == 403
    page = await linkedin.hub.get("/console/linkedin/plugin")
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert csrf is not None
    bad = await linkedin.hub.post("/console/linkedin/integrations", headers={"X-CSRF-Token": csrf.group(1)},
                                  json={"integrations": [item, {**item, "integrationType": "NOPE"}]})  # fmt: skip
    assert bad.status_code == 400 and "integration 2" in bad.json()["detail"]
    linkedin.hub.cookies.clear()
    anonymous = await linkedin.hub.post("/console/linkedin/integrations", json={"integrations": [item]})
    assert anonymous.status_code == 401
    assert await linkedin.jobs(tenant_id) == jobs_before
