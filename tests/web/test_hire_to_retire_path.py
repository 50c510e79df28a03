"""Issue 8's headline check: candidate → hire → account in the Entra sandbox → terminate → disabled, in Chromium.

An administrator does every HR step in the console; between the browser's steps the jobs run as a worker process
would run them (outbox dispatch, then the job worker), on a clock the test moves past the end of the last day
worked. The account is checked where it lives (the sandbox's Graph store) and where the administrator sees it
(the worker page's *Directory account* panel).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from playwright.async_api import Page, expect

from hirehub.db.session import Database
from hirehub.hr.models import Worker
from hirehub.lifecycle.policy import policy_to_json, starter_policy
from hirehub.provisioning.policies import set_policy
from hirehub.sandbox.entra.graph import directory_store
from tests.entra.support import Hub
from tests.web.confirming import accept_the_confirmation
from tests.web.console_support import linkedin_candidate, tenant_with_hr
from tests.web.entra_support import (
    DOMAIN,
    EntraHub,
    customer_owned_connection,
    grant_what_the_seed_lists,
)
from tests.web.support import screenshot, sign_in

pytestmark = pytest.mark.browser


def account_of(hub: EntraHub, personnel_number: str) -> dict[str, Any]:
    """The worker's user in the sandbox's directory, found by the anchor the hub writes (employeeId)."""
    store = directory_store(hub.sandbox.world, hub.directory)
    found = [user.props for user in store.all("user") if user.props.get("employeeId") == personnel_number]
    assert len(found) == 1, f"expected one account for {personnel_number}, found {len(found)}"
    return found[0]


def until_midnight(now: datetime) -> timedelta:
    """How far jobs may be run ahead today without reaching the leaver's tick at the end of the day."""
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=UTC)
    return min(timedelta(minutes=30), midnight - now - timedelta(minutes=1))


async def test_a_candidate_hired_in_the_console_gets_an_account_that_terminating_disables(
    page: Page, entra_hub: EntraHub, database: Database
) -> None:
    # Given a tenant provisioning into the sandbox through a customer-owned connection with everything granted
    admin, hr = await tenant_with_hr(database, DOMAIN, "Contoso")
    app = entra_hub.sandbox.world.register_application(entra_hub.directory, "hirehub provisioning")
    grant_what_the_seed_lists(entra_hub, app.app_id)
    directory_store(entra_hub.sandbox.world, entra_hub.directory).create_group(
        {"displayName": "All staff", "mailEnabled": False, "mailNickname": "Allstaff", "securityEnabled": True}
    )
    entra_hub.sandbox.world.clock.advance(60)  # the group has settled before anyone looks for it
    await customer_owned_connection(entra_hub, admin.tenant_id, app)
    async with database.tenant_transaction(admin.tenant_id) as session:
        await set_policy(session, policy_to_json(starter_policy(DOMAIN)), by="test")
    await hr.position("SALES-1")
    today = entra_hub.clock.now.date()
    await linkedin_candidate(hr, "Ada", "Lovelace", start=today)
    jobs = Hub(
        database, admin.tenant_id, entra_hub.clock, entra_hub.sandbox.world, entra_hub.directory, entra_hub.connectors
    )

    # When the administrator tests the connection (it provisions only once it has passed) and hires the candidate
    await sign_in(page, entra_hub.url, admin)
    await page.get_by_role("link", name="Entra ID connection").click()
    await page.get_by_role("button", name="Test connection").click()
    await expect(page.get_by_role("status")).to_have_text("Test connection passed")
    await page.get_by_role("link", name="Personnel management").click()
    await screenshot(page, "h2r-1-candidates")
    await page.get_by_role("row").filter(has_text="Ada Lovelace").get_by_role("link", name="Hire Ada Lovelace").click()
    await page.get_by_label("Company").select_option("USMF")
    await page.get_by_label("Position").select_option(label="SALES-1 – Seat SALES-1")
    await screenshot(page, "h2r-2-hire-dialog")
    await page.get_by_role("button", name="Hire", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("Ada Lovelace was hired as")
    await expect(page.get_by_test_id("directory-state")).to_contain_text("No account yet")
    await screenshot(page, "h2r-3-hired")
    [worker] = await hr.rows(Worker)

    # Then, once the jobs ran, the account exists, enabled, and the worker page shows it
    await jobs.settle(horizon=until_midnight(entra_hub.clock.now))
    account = account_of(entra_hub, worker.personnel_number)
    assert account["accountEnabled"] is True
    await page.reload()
    panel = page.get_by_test_id("directory-account")
    await expect(panel.get_by_test_id("directory-upn")).to_have_text(account["userPrincipalName"])
    await expect(panel.get_by_test_id("directory-state")).to_have_text("Enabled")
    await expect(panel).to_contain_text("Account created")
    await screenshot(page, "h2r-4-account-enabled")

    # When the administrator terminates the worker with today as the last day worked
    await page.get_by_label("Last day worked").fill(today.isoformat())
    accept_the_confirmation(page)
    await page.get_by_role("button", name="Terminate").click()
    await expect(page.get_by_role("status")).to_have_text("The worker was terminated")
    await screenshot(page, "h2r-5-terminated")
    await jobs.settle(horizon=until_midnight(entra_hub.clock.now))
    assert account_of(entra_hub, worker.personnel_number)["accountEnabled"] is True  # still working today

    # Then after the day ends the account is disabled in the directory, and the page says so
    entra_hub.clock.now = datetime.combine(today + timedelta(days=1), time(0, 5), tzinfo=UTC)
    await jobs.settle()
    assert account_of(entra_hub, worker.personnel_number)["accountEnabled"] is False
    await page.reload()
    await expect(panel.get_by_test_id("directory-state")).to_have_text("Disabled")
    await expect(panel).to_contain_text("Account disabled")
    await screenshot(page, "h2r-6-account-disabled")
