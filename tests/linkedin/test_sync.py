"""Integration and configuration sync against LinkedIn's emulator: batches, pacing, per-entity outcomes."""

from __future__ import annotations

from sqlalchemy import select

from hirehub.linkedin import operations
from hirehub.linkedin.apps import EnableOptions
from hirehub.linkedin.models import Integration
from hirehub.linkedin.sync import sync_integrations
from hirehub.sandbox.linkedin import integration_key
from tests.linkedin.conftest import PARTNER_ID, PARTNER_SECRET, LinkedIn, later


async def _customer(linkedin: LinkedIn, **options: object) -> object:
    async with linkedin.database.system_transaction() as session:
        await operations.apps.set_partner(session, linkedin.runtime, client_id=PARTNER_ID,
                                          client_secret=PARTNER_SECRET)  # fmt: skip
    tenant_id = await linkedin.tenant()
    await operations.enable(linkedin.database, tenant_id, linkedin.runtime, EnableOptions(**options))  # type: ignore[arg-type]
    return tenant_id


def _plugin(count: int) -> list[dict[str, object]]:
    return [
        {"integrationContext": f"urn:li:organization:{1000 + n}", "integrationType": "ONE_CLICK_EXPORT",
         "tenantType": "RECRUITER"}
        for n in range(count)
    ]  # fmt: skip


async def _report(linkedin: LinkedIn, tenant_id: object, count: int) -> None:
    async with linkedin.database.tenant_transaction(tenant_id) as session:  # type: ignore[arg-type]
        await operations.record_plugin_integrations(session, _plugin(count))


async def _rows(linkedin: LinkedIn, tenant_id: object) -> list[Integration]:
    async with linkedin.database.tenant_session(tenant_id) as session:  # type: ignore[arg-type]
        return list(await session.scalars(select(Integration)))


async def test_250_integrations_go_in_three_paced_calls_of_at_most_100(linkedin: LinkedIn) -> None:
    tenant_id = await _customer(linkedin)
    await _report(linkedin, tenant_id, 250)

    await linkedin.run_jobs()

    calls = linkedin.wire.batch_updates()
    assert [len(call.body["entities"]) for call in calls] == [100, 100, 50]
    assert all(call.headers["x-restli-method"] == "batch_partial_update" for call in calls)
    assert "ids[0].integrationContext=urn%3Ali%3Aorganization%3A1000" in calls[0].url.replace("%5B", "[").replace(
        "%5D", "]"
    )
    assert not linkedin.world.violations  # neither too many entities nor too fast
    rows = await _rows(linkedin, tenant_id)
    assert {(row.sync_state, row.configuration_state, row.onboarding_status) for row in rows} == {
        ("synced", "synced", None)
    }
    emulated = linkedin.world.integration(integration_key("urn:li:organization:1000", "ONE_CLICK_EXPORT"))
    assert emulated is not None and emulated.integration_name == "Contoso Recruiter One-Click Export (hirehub)"
    assert emulated.configurations == {
        "CALLBACK_URL": f"http://hub.test/linkedin/push/{(await _push_token(linkedin, tenant_id))}",
        "JOB_POSTING_VIEWERS": "ALL_PRODUCT_USERS",
        "APPLICATION_VIEWERS": "ALL_PRODUCT_USERS",
    }
    assert str(emulated.onboarding_status) == "PARTNER_READY"


async def _push_token(linkedin: LinkedIn, tenant_id: object) -> str:
    async with linkedin.database.tenant_session(tenant_id) as session:  # type: ignore[arg-type]
        app = await operations.apps.get_customer_app(session)
        assert app is not None
        return app.push_token


async def test_an_entity_linkedin_failed_is_retried_alone_and_the_others_are_kept(linkedin: LinkedIn) -> None:
    tenant_id = await _customer(linkedin)
    failing = integration_key("urn:li:organization:1001", "ONE_CLICK_EXPORT")
    linkedin.world.fail_next_update_for(failing, 500)
    await _report(linkedin, tenant_id, 3)

    await linkedin.run_jobs()

    states = {row.integration_context: row.sync_state for row in await _rows(linkedin, tenant_id)}
    assert states == {"urn:li:organization:1000": "synced", "urn:li:organization:1001": "pending",
                      "urn:li:organization:1002": "synced"}  # fmt: skip
    await linkedin.run_jobs(at=later())  # the retry, once its backoff has passed
    resent = linkedin.wire.batch_updates()[-1]
    assert list(resent.body["entities"]) == [
        "integrationContext=urn%3Ali%3Aorganization%3A1001&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER"
        "&dataProvider=ATS"
    ]
    assert {row.sync_state for row in await _rows(linkedin, tenant_id)} == {"synced"}


async def test_a_refused_entity_is_marked_refused_with_linkedins_reason_and_not_retried(linkedin: LinkedIn) -> None:
    tenant_id = await _customer(linkedin)
    linkedin.world.fail_next_update_for(integration_key("urn:li:organization:1000", "ONE_CLICK_EXPORT"), 400, "bad")
    await _report(linkedin, tenant_id, 2)

    await linkedin.run_jobs()
    await linkedin.run_jobs(at=later())

    rows = {row.integration_context: row for row in await _rows(linkedin, tenant_id)}
    assert rows["urn:li:organization:1000"].sync_state == "refused"
    assert "400: bad" in (rows["urn:li:organization:1000"].last_error or "")
    assert rows["urn:li:organization:1001"].sync_state == "synced"
    assert len(linkedin.wire.batch_updates()) == 1


async def test_customers_with_acls_get_only_their_callback_url(linkedin: LinkedIn) -> None:
    tenant_id = await _customer(linkedin, acl_based_visibility=True)
    await _report(linkedin, tenant_id, 1)

    await linkedin.run_jobs()

    emulated = linkedin.world.integration(integration_key("urn:li:organization:1000", "ONE_CLICK_EXPORT"))
    assert emulated is not None and set(emulated.configurations) == {"CALLBACK_URL"}


async def test_one_token_serves_a_whole_sync(linkedin: LinkedIn) -> None:
    tenant_id = await _customer(linkedin)
    await _report(linkedin, tenant_id, 150)

    await linkedin.run_jobs()

    token_requests = [s for s in linkedin.wire.sent if s.url.endswith("/oauth/v2/accessToken")]
    assert len(token_requests) == 2  # the partner's (provisioning) and the customer's, each once


async def test_the_integrations_job_leaves_each_accepted_integration_partner_ready(linkedin: LinkedIn) -> None:
    """An integration is ready for the customer only once its configurations are sent: the integrations job sends
    them for each accepted call while the next call waits for its turn, not after the last one, and the
    configuration job it queued finds nothing left to send."""
    tenant_id = await _customer(linkedin)
    await _report(linkedin, tenant_id, 150)

    report = await sync_integrations(linkedin.database, tenant_id, linkedin.runtime)  # the job's work, alone

    assert (report.calls, report.accepted) == (2, 150)
    keys = [integration_key(f"urn:li:organization:{1000 + n}", "ONE_CLICK_EXPORT") for n in range(150)]
    emulated = [linkedin.world.integration(key) for key in keys]
    statuses = {str(item.onboarding_status) if item else None for item in emulated}
    assert statuses == {"PARTNER_READY"}
    assert {row.configuration_state for row in await _rows(linkedin, tenant_id)} == {"synced"}
    configurations = [s for s in linkedin.wire.sent if s.method == "PUT" and "/configurations" in s.url]
    assert len(configurations) == 150

    await linkedin.run_jobs()

    assert len([s for s in linkedin.wire.sent if s.method == "PUT" and "/configurations" in s.url]) == 150
