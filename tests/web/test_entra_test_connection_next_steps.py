"""The console shows each problem *Test connection* found with the step that fixes it."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from hirehub.db.session import Database
from tests.web.entra_support import DOMAIN, EntraHub, customer_owned_connection, grant_what_the_seed_lists
from tests.web.support import make_admin, screenshot, sign_in

pytestmark = pytest.mark.browser


async def test_each_problem_is_shown_with_its_next_step(page: Page, entra_hub: EntraHub, database: Database) -> None:
    admin = await make_admin(database, DOMAIN, "Contoso")
    app = entra_hub.sandbox.world.register_application(entra_hub.directory, "hirehub provisioning")
    grant_what_the_seed_lists(entra_hub, app.app_id, leaving_out=frozenset({"User.EnableDisableAccount.All"}))
    await customer_owned_connection(entra_hub, admin.tenant_id, app)
    await sign_in(page, entra_hub.url, admin)
    await page.get_by_role("link", name="Entra ID connection").click()

    await page.get_by_role("button", name="Test connection").click()

    missing = page.get_by_role("list", name="What is missing")
    await expect(missing.get_by_role("listitem")).to_have_count(1)
    await expect(missing.get_by_test_id("next-step")).to_contain_text(
        "API permissions > Add a permission > Microsoft Graph > Application permissions, add "
        "User.EnableDisableAccount.All"
    )
    await screenshot(page, "entra-test-connection-next-step")
