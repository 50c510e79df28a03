"""``/admin/v1/linkedin/…``: the same operations as the commands, for a tenant's System Administrator."""

from __future__ import annotations

import json
import uuid

from hirehub.linkedin import operations
from hirehub.security.privileges import SYSTEM_ADMINISTRATOR_ROLE_NAME
from tests.linkedin.conftest import HUB, PARTNER_ID, PARTNER_SECRET, LinkedIn
from tests.security.conftest import set_up_integration
from tests.tokens import client_credentials_token


async def _administrator(linkedin: LinkedIn) -> tuple[dict[str, str], uuid.UUID]:
    """The tenant contoso.example and a bearer token of its System Administrator automation app."""
    admin = await set_up_integration(linkedin.database, "contoso.example", roles=(SYSTEM_ADMINISTRATOR_ROLE_NAME,))
    token = await client_credentials_token(linkedin.hub, admin.tenant_id, admin.client_id, admin.secret, HUB)
    return {"Authorization": f"Bearer {token}"}, admin.tenant_id


def _plugin(count: int) -> list[dict[str, object]]:
    return [{"integrationContext": f"urn:li:organization:{n}", "integrationType": "ONE_CLICK_EXPORT",
             "tenantType": "RECRUITER"} for n in range(count)]  # fmt: skip


async def test_rsc_is_turned_on_listed_synced_and_refreshed_through_the_admin_api(linkedin: LinkedIn) -> None:
    headers, tenant_id = await _administrator(linkedin)
    refused = await linkedin.hub.post("/admin/v1/linkedin/enable", json={}, headers=headers)
    assert refused.status_code == 409 and "partner application" in refused.json()["detail"]
    async with linkedin.database.system_transaction() as session:
        await operations.apps.set_partner(session, linkedin.runtime, client_id=PARTNER_ID,
                                          client_secret=PARTNER_SECRET)  # fmt: skip

    enabled = await linkedin.hub.post("/admin/v1/linkedin/enable", json={"widget_width": 700}, headers=headers)

    assert enabled.status_code == 200, enabled.text
    customer = linkedin.world.children_of(linkedin.partner)[0]
    assert enabled.json()["client_id"] == customer.client_id and customer.current_secret not in enabled.text
    shown = (await linkedin.hub.get("/admin/v1/linkedin", headers=headers)).json()
    assert shown["linkedin"]["widget_width"] == 700 and customer.current_secret not in json.dumps(shown)
    async with linkedin.database.tenant_transaction(tenant_id) as session:
        await operations.record_plugin_integrations(session, _plugin(2))
    await linkedin.run_jobs()

    listed = (await linkedin.hub.get("/admin/v1/linkedin/integrations", headers=headers)).json()
    assert [row["sync"] for row in listed["integrations"]] == ["synced", "synced"]
    queued = (await linkedin.hub.post("/admin/v1/linkedin/integrations/sync", headers=headers)).json()
    assert queued["queued"] is True and queued["integrations"] == 2
    await linkedin.run_jobs()
    refreshed = (await linkedin.hub.post("/admin/v1/linkedin/status/refresh", headers=headers)).json()
    assert refreshed["updated"] == 2
    assert {row["onboarding_status"] for row in refreshed["integrations"]} == {"PARTNER_READY"}


async def test_bad_input_is_a_400_and_changes_nothing(linkedin: LinkedIn) -> None:
    headers, _tenant_id = await _administrator(linkedin)
    for body, words in [
        ({"widget_width": "wide"}, "widget_width"),
        ({"integration_types": ["APPLY_CONNECT"]}, "RECRUITER_SYSTEM_CONNECT"),
        ({"client_id": "only-the-id"}, "both"),
        ({"colour": "blue"}, "unknown fields"),
    ]:
        answer = await linkedin.hub.post("/admin/v1/linkedin/enable", json=body, headers=headers)
        assert answer.status_code == 400 and words in answer.json()["detail"], answer.text
    assert (await linkedin.hub.get("/admin/v1/linkedin", headers=headers)).json()["linkedin"] is None
    assert not linkedin.world.children_of(linkedin.partner)


async def test_the_development_contract_warning_appears_above_ten_integrations(linkedin: LinkedIn) -> None:
    headers, tenant_id = await _administrator(linkedin)
    brought = {"client_id": "existing-key", "client_secret": "existing-secret"}
    assert (await linkedin.hub.post("/admin/v1/linkedin/enable", json=brought, headers=headers)).status_code == 200
    shown = await linkedin.hub.get("/admin/v1/linkedin/integrations", headers=headers)
    assert shown.json()["warnings"] == []
    async with linkedin.database.tenant_transaction(tenant_id) as session:
        await operations.record_plugin_integrations(session, _plugin(11))

    listed = (await linkedin.hub.get("/admin/v1/linkedin/integrations", headers=headers)).json()
    assert len(listed["warnings"]) == 1 and "development contract" in listed["warnings"][0]
    production = {**brought, "contract": "production"}
    assert (await linkedin.hub.post("/admin/v1/linkedin/enable", json=production, headers=headers)).status_code == 200
    assert (await linkedin.hub.get("/admin/v1/linkedin/integrations", headers=headers)).json()["warnings"] == []


async def test_the_admin_api_needs_an_administrator(linkedin: LinkedIn) -> None:
    assert (await linkedin.hub.get("/admin/v1/linkedin")).status_code == 401
    assert (await linkedin.hub.post("/admin/v1/linkedin/enable", json={})).status_code == 401
