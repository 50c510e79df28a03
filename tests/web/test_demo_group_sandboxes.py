"""The sandboxes as a person meets them through ``make run``'s group, in Chromium: LinkedIn's configuration plugin
played by the LinkedIn sandbox, *Link account* signing in and consenting at the Entra sandbox, and time travel
moving the sandboxes' calendars with the hub's.

One group serves the whole module (starting it is the slow part). Nothing is arranged behind its back: the
browser follows the console's links and the redirects the hub hands it, the browser host map sends it to the
sandboxes, and the hub's job runner does the syncing in the background.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from playwright.async_api import Page, expect

from hirehub.demo import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, SandboxIdentity, sandbox_identity_file
from tests.web.demo_group import DemoGroup, demo_group, reload_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT_MS = 120_000
"""The job runner syncs each integration a paced second apart, then takes the push; a loaded machine is slow."""
PLUGIN_SIGN_IN = "LinkedIn plugin sign-in:"


@pytest.fixture(scope="module")
def group(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoGroup]:
    with demo_group(tmp_path_factory.mktemp("group") / "var") as started:
        yield started


def plugin_sign_in(group: DemoGroup) -> tuple[str, str]:
    """The plugin's e-mail and password, from the lines the group printed at start-up."""
    at = next(i for i, line in enumerate(group.lines) if line.startswith(PLUGIN_SIGN_IN))
    email = group.lines[at].removeprefix(PLUGIN_SIGN_IN).strip()
    password = group.lines[at + 1].split("password:", 1)[1].strip()
    return email, password


def sandbox_details(group: DemoGroup, name: str) -> dict[str, str]:
    """What a sandbox wrote about itself when it started (``--details-file``)."""
    details: dict[str, str] = json.loads((group.data_dir / "sandbox" / f"{name}.json").read_text(encoding="utf-8"))
    return details


async def sign_in_to_the_console(page: Page, group: DemoGroup) -> None:
    await page.goto(f"{group.url}/")
    await page.get_by_label("E-mail address").fill(DEMO_ADMIN_EMAIL)
    await page.get_by_label("Password").fill(DEMO_ADMIN_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{group.url}/console/")


async def test_rsc_is_turned_on_integrations_are_picked_in_the_sandbox_plugin_and_one_becomes_enabled(
    page: Page, group: DemoGroup
) -> None:
    await sign_in_to_the_console(page, group)
    await page.goto(f"{group.url}/console/linkedin/")
    await page.get_by_role("button", name="Turn on LinkedIn RSC").click()
    await expect(page.get_by_role("status")).to_have_text("LinkedIn RSC is on")

    # The plugin comes from the LinkedIn sandbox (platform.linkedin.com, rerouted): sign in on LinkedIn's side
    await page.get_by_role("link", name="Open the configuration plugin").click()
    plugin = page.frame_locator("iframe[data-li-widget]")
    email, password = plugin_sign_in(group)
    await plugin.get_by_label("Email").fill(email)
    await plugin.get_by_label("Password").fill(password)
    await plugin.get_by_role("button", name="Sign in").click()
    await expect(plugin.get_by_label("Recruiter System Connect (company)")).to_be_checked()

    # Picking the integrations hands them to the console's callback, which has the hub sync them with LinkedIn
    await plugin.get_by_role("button", name="Integrate").click()
    await expect(page.locator("#linkedin-plugin-status")).to_have_text(
        "Integrations saved; the hub is syncing them with LinkedIn.", timeout=30_000
    )

    # Once the hub has made One-Click Export ready, the customer enables it in LinkedIn (Recruiter's step)
    enable = plugin.locator("button[data-enable='ONE_CLICK_EXPORT']")
    await expect(enable).to_be_visible(timeout=WAIT_MS)
    await enable.click()
    await expect(plugin.locator("tr[data-integration='ONE_CLICK_EXPORT'] [data-status]")).to_have_text("ENABLED")

    # LinkedIn's signed push reaches the hub, which asks LinkedIn about it: the RSC page says ENABLED
    await page.goto(f"{group.url}/console/linkedin/")
    status = page.get_by_test_id("status-ONE_CLICK_EXPORT")
    await reload_until(page, lambda: expect(status).to_have_text("ENABLED", timeout=1_000), within_ms=WAIT_MS)


async def test_link_account_signs_in_and_consents_at_the_entra_sandbox_and_the_connection_passes(
    page: Page, group: DemoGroup
) -> None:
    identity = SandboxIdentity.load(sandbox_identity_file(group.data_dir))
    assert identity is not None
    await sign_in_to_the_console(page, group)
    await page.goto(f"{group.url}/console/entra/")
    await page.get_by_label("Name").fill("Sandbox delegated")
    await page.get_by_label("Service-provider application (Link account)").check()
    await page.get_by_label("Tenant ID").fill(identity.tenant_id)
    await page.get_by_role("button", name="Create connection").click()
    await expect(page.get_by_role("status")).to_contain_text("Connection Sandbox delegated created")

    await page.get_by_role("button", name="Link account").click()

    # The browser host map sent the browser to the sandbox's sign-in page, not to login.microsoftonline.com
    await page.wait_for_url(f"{sandbox_details(group, 'entra')['browser_base_url']}/**")
    await page.get_by_label("Email").fill(identity.admin)
    await page.get_by_label("Password").fill(identity.admin_password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Permissions requested")).to_be_visible()
    await page.get_by_role("button", name="Accept").click()

    await page.wait_for_url(f"{group.url}/console/entra/**")
    await expect(page.get_by_role("status")).to_have_text("Account linked for Sandbox delegated")
    await page.get_by_test_id("connection-Sandbox delegated").get_by_role("button", name="Test connection").click()
    await expect(page.get_by_role("status")).to_have_text("Test connection passed")


def entra_calendar(group: DemoGroup) -> datetime:
    """The Entra sandbox's calendar, as it stamps Entra's error answers (a token request for no such tenant)."""
    answer = httpx.post(
        f"{sandbox_details(group, 'entra')['browser_base_url']}/no-such-tenant.example/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
        timeout=30,
    )
    assert answer.status_code == 400, answer.text
    return datetime.strptime(answer.json()["timestamp"], "%Y-%m-%d %H:%M:%SZ")


def test_demo_clock_advance_moves_the_entra_sandboxs_calendar_with_the_hubs(group: DemoGroup) -> None:
    before = entra_calendar(group)
    shifted = group.hirehub("demo", "clock", "advance", "--days", "2")["offset_seconds"]
    assert shifted >= timedelta(days=2).total_seconds()

    moved = entra_calendar(group)
    for _ in range(100):  # the sandbox looks at the clock file again within half a second
        if moved - before >= timedelta(days=2):
            break
        time.sleep(0.1)
        moved = entra_calendar(group)

    assert timedelta(days=2) <= moved - before < timedelta(days=2, minutes=5)
