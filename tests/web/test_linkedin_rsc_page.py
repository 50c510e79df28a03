"""The LinkedIn RSC page against LinkedIn's emulator, in Chromium: turn RSC on, report integrations through the
configuration plugin, sync them, and see LinkedIn's status reach ENABLED after the customer enables one.

LinkedIn's ``in.js`` cannot be loaded in a test, so Playwright serves a stand-in for it: like the real plugin it
reads the key from its own script tag and, when the administrator picks integrations, calls the page's
``data-onintegrate`` callback with the seed's payload (integrationContext, integrationType, tenantType each). The
page's own script then posts them to the hub, exactly as with LinkedIn's plugin.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.async_api import Page, Route, expect

from hirehub.api.app import create_app
from hirehub.bootstrap import job_handlers
from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.jobs.runner import JobRunner
from hirehub.linkedin import operations
from hirehub.linkedin import runtime as linkedin_runtime
from hirehub.linkedin.runtime import LinkedInRuntime, linkedin_sealer
from hirehub.linkedin.tokens import TokenCache
from hirehub.outbound import HostMap, async_client
from hirehub.provisioning.connectors import Connectors
from hirehub.sandbox.linkedin import LinkedInWorld, integration_key
from hirehub.sandbox.linkedin import create_app as create_linkedin
from hirehub.sandbox.linkedin.notifications import Notifier
from hirehub.sandbox.linkedin.world import DeveloperApplication
from hirehub.settings import Settings
from hirehub.web.linkedin_rsc_pages import NO_PARTNER
from tests.live_server import free_port, serving
from tests.web.support import make_admin, screenshot, sign_in

pytestmark = pytest.mark.browser
SECRET_KEY = "linkedin-browser-tests-secret-key-0123456789"
PARTNER_ID, PARTNER_SECRET = "hub-partner-app", "partner-app-secret"
ORGANIZATION = "urn:li:organization:4gX03uw"
IN_JS = "https://platform.linkedin.com/xdoor/scripts/in.js"
STAND_IN = """(function () {
  var key = (document.currentScript.textContent.match(/api_key:\\s*(\\S+)/) || [])[1];
  document.addEventListener("DOMContentLoaded", function () { render(key); });
})();
function render(key) {
  var widget = document.querySelector('script[type="IN/ATSIntegrationWidget"]');
  var box = document.createElement("div");
  box.setAttribute("data-testid", "linkedin-widget");
  box.textContent = "LinkedIn configuration plugin for application " + key + " ";
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = "Add integrations";
  button.addEventListener("click", function () {
    window[widget.getAttribute("data-onintegrate")](%s);
  });
  box.appendChild(button);
  widget.parentNode.insertBefore(box, widget);
}"""


@dataclass
class RSC:
    url: str
    database: Database
    world: LinkedInWorld
    partner: DeveloperApplication

    async def run_jobs(self) -> int:
        worker = JobRunner(self.database, job_handlers(Connectors()), "test-runner", clock=utcnow)
        total = 0
        for _ in range(20):
            ran = await worker.run_once()
            total += ran
            if ran == 0:
                break
        return total


@pytest.fixture
async def rsc(database: Database, database_url: str) -> AsyncIterator[RSC]:
    """A hub on loopback whose LinkedIn calls reach the emulator, and whose notifications arrive over HTTP."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=database_url, base_url=url, secret_key=SECRET_KEY, log_level="WARNING")
    async with httpx.AsyncClient(timeout=10) as delivering:
        world = LinkedInWorld(notifier=Notifier(delivering))
        partner = world.register_partner("hirehub", client_id=PARTNER_ID, client_secret=PARTNER_SECRET)
        origins = dict.fromkeys(("https://www.linkedin.com", "https://api.linkedin.com"), "http://linkedin.test")
        http = async_client(HostMap(origins), inner=httpx.ASGITransport(app=create_linkedin(world)))
        runtime = LinkedInRuntime(http=http, sealer=linkedin_sealer(SECRET_KEY), base_url=url, tokens=TokenCache())
        linkedin_runtime.install(runtime)
        try:
            await operations.partner_set(database, runtime, client_id=PARTNER_ID, client_secret=PARTNER_SECRET)
            with serving(create_app(settings), port):
                yield RSC(url, database, world, partner)
        finally:
            linkedin_runtime.install(None)
            await http.aclose()


async def serve_plugin_stand_in(page: Page, payload: list[dict[str, str]]) -> None:
    async def answer(route: Route) -> None:
        await route.fulfill(status=200, content_type="text/javascript", body=STAND_IN % json.dumps(payload))

    await page.context.route(IN_JS, answer)


async def test_rsc_is_turned_on_integrations_are_reported_by_the_plugin_and_reach_enabled(
    page: Page, rsc: RSC, database: Database
) -> None:
    admin = await make_admin(database, "contoso.example", "Contoso")
    await sign_in(page, rsc.url, admin)
    await page.get_by_role("link", name="LinkedIn RSC").click()
    await expect(page.get_by_role("heading", name="Turn on LinkedIn RSC")).to_be_visible()
    await screenshot(page, "linkedin-rsc-off")

    await page.get_by_role("button", name="Turn on LinkedIn RSC").click()

    await expect(page.get_by_role("status")).to_have_text("LinkedIn RSC is on")
    [customer] = rsc.world.children_of(rsc.partner)
    await expect(page.get_by_test_id("customer-app-key")).to_have_text(customer.client_id)
    await expect(page.get_by_test_id("contract")).to_have_text("Development")
    await screenshot(page, "linkedin-rsc-on")

    payload = rsc.world.request_integrations(customer, ORGANIZATION, ["RECRUITER_SYSTEM_CONNECT_COMPANY"])
    await serve_plugin_stand_in(page, payload)
    await page.get_by_role("link", name="Open the configuration plugin").click()
    await expect(page.get_by_test_id("linkedin-widget")).to_contain_text(customer.client_id)
    await page.get_by_role("button", name="Add integrations").click()
    await expect(page.locator("#linkedin-plugin-status")).to_have_text(
        "Integrations saved; the hub is syncing them with LinkedIn."
    )
    await screenshot(page, "linkedin-rsc-plugin")
    assert await rsc.run_jobs() > 0

    await page.goto(f"{rsc.url}/console/linkedin/")
    for row in payload:
        await expect(page.get_by_test_id(f"integration-{row['integrationType']}")).to_contain_text("synced")
    await page.get_by_role("button", name="Refresh status").click()
    await expect(page.get_by_role("status")).to_contain_text("Status refreshed")
    await expect(page.get_by_test_id("status-ONE_CLICK_EXPORT")).to_have_text("PARTNER_READY")
    await screenshot(page, "linkedin-rsc-partner-ready")

    notification = await rsc.world.enable(integration_key(ORGANIZATION, "ONE_CLICK_EXPORT"))
    assert notification is not None and rsc.world.deliveries[-1].status_code == 202
    await rsc.run_jobs()
    await page.reload()

    await expect(page.get_by_test_id("status-ONE_CLICK_EXPORT")).to_have_text("ENABLED")
    await expect(page.get_by_test_id("status-PROFILE_PLUGIN")).to_have_text("PARTNER_READY")
    await screenshot(page, "linkedin-rsc-enabled")

    await page.get_by_role("button", name="Sync now").click()
    await expect(page.get_by_role("status")).to_have_text(f"Sync queued for {len(payload)} integrations")


async def test_a_plugin_width_out_of_range_is_explained_next_to_the_field_and_rsc_stays_off(
    page: Page, rsc: RSC, database: Database
) -> None:
    admin = await make_admin(database, "contoso.example", "Contoso")
    await sign_in(page, rsc.url, admin)
    await page.goto(f"{rsc.url}/console/linkedin/")

    await page.get_by_label("Plugin width (pixels)").fill("50")
    await page.get_by_role("button", name="Turn on LinkedIn RSC").click()

    await expect(page.locator("#widget_width-error")).to_contain_text("between 200 and 2000 pixels, not 50")
    await expect(page.get_by_label("Plugin width (pixels)")).to_have_attribute("aria-invalid", "true")
    await screenshot(page, "linkedin-rsc-width-error")
    assert rsc.world.children_of(rsc.partner) == []


async def test_without_the_hubs_partner_app_the_page_says_what_to_do_in_words_and_offers_no_button(
    page: Page, live_hub: str, database: Database
) -> None:
    admin = await make_admin(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)

    await page.goto(f"{live_hub}/console/linkedin/")

    explained = page.get_by_test_id("no-partner")
    await expect(explained).to_have_text(NO_PARTNER)
    await expect(page.get_by_role("button", name="Turn on LinkedIn RSC")).to_have_count(0)
    assert "`" not in NO_PARTNER and "hirehub linkedin" not in NO_PARTNER
    await screenshot(page, "linkedin-rsc-no-partner")
