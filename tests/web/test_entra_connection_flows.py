"""The Entra ID connection page against the Entra sandbox: *Test connection* names what is missing and passes once
it is granted; *Link account* takes the administrator through Microsoft's sign-in and consent pages and back."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from hirehub.db.session import Database
from hirehub.directories.entra.models import EntraConnection
from tests.sandbox.entra.graph_support import GRAPH_APP_ID
from tests.web.entra_support import (
    DOMAIN,
    EntraHub,
    customer_owned_connection,
    grant_what_the_seed_lists,
    route_microsoft_to_sandbox,
)
from tests.web.support import make_admin, screenshot, sign_in

pytestmark = pytest.mark.browser


async def test_test_connection_names_a_missing_permission_and_passes_once_it_is_granted(
    page: Page, entra_hub: EntraHub, database: Database
) -> None:
    admin = await make_admin(database, DOMAIN, "Contoso")
    app = entra_hub.sandbox.world.register_application(entra_hub.directory, "hirehub provisioning")
    grant_what_the_seed_lists(entra_hub, app.app_id, leaving_out=frozenset({"User.EnableDisableAccount.All"}))
    await customer_owned_connection(entra_hub, admin.tenant_id, app)
    await sign_in(page, entra_hub.url, admin)
    await page.get_by_role("link", name="Entra ID connection").click()

    await page.get_by_role("button", name="Test connection").click()

    await expect(page.get_by_role("status")).to_have_text("Test connection found problems")
    missing = page.get_by_role("list", name="What is missing")
    await expect(missing).to_contain_text(
        "Missing application permission User.EnableDisableAccount.All (needed to enable and disable accounts)"
    )
    await expect(missing.get_by_role("listitem")).to_have_count(1)
    await screenshot(page, "entra-test-connection-missing")

    entra_hub.sandbox.world.grant_application_permissions(
        entra_hub.directory, app.app_id, {"User.EnableDisableAccount.All"}, GRAPH_APP_ID
    )
    await page.get_by_role("button", name="Test connection").click()

    await expect(page.get_by_role("status")).to_have_text("Test connection passed")
    await expect(page.get_by_test_id("test-ok")).to_have_text("Everything the hub needs is granted.")
    await expect(page.get_by_role("list", name="What is missing")).to_have_count(0)
    await screenshot(page, "entra-test-connection-ok")


async def test_link_account_signs_in_and_consents_at_microsoft_and_links_the_connection(
    page: Page, entra_hub: EntraHub, database: Database
) -> None:
    admin = await make_admin(database, DOMAIN, "Contoso")
    entra_hub.sandbox.world.add_person(entra_hub.directory, f"it.admin@{DOMAIN}", "Entra-Passw0rd!")
    forwarding = await route_microsoft_to_sandbox(page.context, entra_hub.sandbox)
    try:
        await sign_in(page, entra_hub.url, admin)
        await page.goto(f"{entra_hub.url}/console/entra/")
        await page.get_by_label("Name").fill("Contoso delegated")
        await page.get_by_label("Service-provider application (Link account)").check()
        await page.get_by_label("Tenant ID").fill(entra_hub.directory.tenant_id)
        await page.get_by_role("button", name="Create connection").click()
        await expect(page.get_by_role("status")).to_contain_text("Connection Contoso delegated created")

        await page.get_by_role("button", name="Link account").click()

        await page.wait_for_url("https://login.microsoftonline.com/**")
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        await page.get_by_label("Email").fill(f"it.admin@{DOMAIN}")
        await page.get_by_label("Password").fill("Entra-Passw0rd!")
        await screenshot(page, "entra-link-account-sign-in")
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("heading", name="Permissions requested")).to_be_visible()
        await expect(page.locator("#scopes")).to_contain_text("User.ReadWrite.All")
        await screenshot(page, "entra-link-account-consent")
        await page.get_by_role("button", name="Accept").click()

        await page.wait_for_url(f"{entra_hub.url}/console/entra/**")
        await expect(page.get_by_role("status")).to_have_text("Account linked for Contoso delegated")
        await expect(page.get_by_text(f"it.admin@{DOMAIN}")).to_be_visible()
        await screenshot(page, "entra-link-account-linked")
        async with database.tenant_session(admin.tenant_id) as session:
            [connection] = list(await session.scalars(select(EntraConnection)))
        assert connection.linked_account == f"it.admin@{DOMAIN}" and connection.token_cache_encrypted

        await page.get_by_role("button", name="Test connection").click()
        await expect(page.get_by_role("status")).to_have_text("Test connection passed")
    finally:
        await forwarding.aclose()
