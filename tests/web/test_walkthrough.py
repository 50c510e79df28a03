"""Issue 20's proof: the README's five-minute walk-through, driven in Chromium on the ``make run`` configuration.

``hirehub demo run`` runs as a newcomer starts it (the hub, a job runner, the Entra and LinkedIn sandboxes, the
demo tenant seeded); the test then does what the README tells a person to do, in the console, and looks where the
person looks. LinkedIn Talent Hub's export arrives through the Web API with the demo ATS app's credentials; the
candidate is hired in the console; the account appears in the sandbox directory; a transfer scheduled for tomorrow
takes effect once the clock is moved a day on; a termination with today as the last day disables the account once
the clock is moved again, and the leaver's mailbox is made shared. Then RSC is turned on, the integrations are
picked in LinkedIn's configuration plugin (played by the LinkedIn sandbox) and One-Click Export becomes ENABLED.
Nothing is reached behind the group's back: the directory is read through the console's sandbox directory page,
which asks the sandbox over Microsoft Graph.

Each step leaves a screenshot (the browser's 1200×800 viewport). With ``HIREHUB_UPDATE_SCREENSHOTS=1`` they replace
the README's pictures in ``docs/walkthrough/``; otherwise they go with the other browser tests' artefacts, so that
``make test`` leaves the working tree as it found it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from hirehub.demo import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD
from tests.web.confirming import accept_the_confirmation
from tests.web.demo_group import DemoGroup, demo_group, reload_until
from tests.web.support import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WALKTHROUGH = (
    Path(__file__).resolve().parents[2] / "docs" / "walkthrough"
    if os.environ.get("HIREHUB_UPDATE_SCREENSHOTS") == "1"
    else ARTIFACTS / "walkthrough"
)
TENANT = "contoso.example"
ZONE = ZoneInfo("Europe/Berlin")
"""The demo tenant's time zone: its "today" decides when a start, a transfer and a last day take effect."""
EXPORTS = "/api/data/v9.2/mshr_hcmlinkedinexportedcandidateentities"
EXPORTED = {
    "mshr_linkedincandidateurn": "urn:li:ts_hire_candidate:walkthrough-mary-jackson",
    "mshr_firstname": "Mary",
    "mshr_lastname": "Jackson",
    "mshr_email": "mary.jackson@mail.example",
    "mshr_jobtitle": "Software Engineer",
}
WAIT_MS = 60_000
"""What the contract scripts allow between a change and the directory following it."""
RSC_WAIT_MS = 90_000
"""The job runner syncs each integration a paced second apart before the plugin offers *Enable*."""


@pytest.fixture
def group(tmp_path: Path) -> Iterator[DemoGroup]:
    with demo_group(tmp_path / "var") as started:
        yield started


async def snap(page: Page, name: str, focus: Locator | None = None) -> None:
    """The viewport as the person sees it at this step, scrolled to ``focus``; kept for the README."""
    if focus is not None:
        await focus.scroll_into_view_if_needed()
    WALKTHROUGH.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(WALKTHROUGH / f"{name}.png"))


def hub_today(group: DemoGroup) -> date:
    """The demo tenant's today on the hub's clock (which time travel moves)."""
    now = datetime.fromisoformat(group.hirehub("demo", "clock", "show")["now"])
    return now.astimezone(ZONE).date()


def export_from_talent_hub(group: DemoGroup, start: date) -> None:
    """LinkedIn Talent Hub's *Export to HRIS*, as its adapter sends it: a token for the ATS app, then a POST."""
    ats = group.ats_app()
    token = httpx.post(
        f"{group.url}/{TENANT}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": ats["client_id"],
              "client_secret": ats["client_secret"], "scope": f"{group.url}/.default"},
        timeout=30,
    )  # fmt: skip
    assert token.status_code == 200, token.text
    created = httpx.post(
        f"{group.url}{EXPORTS}",
        json={**EXPORTED, "mshr_startdate": start.isoformat()},
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=30,
    )
    assert created.status_code == 204, created.text


async def move_the_clock_a_day_on(page: Page, group: DemoGroup, name: str) -> None:
    """The dashboard's time-travel control, answering its question with yes."""
    await page.goto(f"{group.url}/console/")
    control = page.get_by_test_id("time-travel")
    await control.get_by_label("Days").fill("1")
    await snap(page, name, control)
    accept_the_confirmation(page)
    await control.get_by_role("button", name="Move the clock forward").click()
    await expect(page.get_by_role("status")).to_contain_text("The clock moved 1 day forward")


async def test_the_readme_walkthrough_from_a_talent_hub_export_to_a_leaver_and_linkedin_rsc_enabled(
    page: Page, group: DemoGroup
) -> None:
    hub = group.url
    directory = f"{hub}/console/sandbox/directory/"
    upn_row = page.locator("tr[data-upn^='mary.jackson@']")

    # A person signs in with what `make run` printed and finds the dashboard's checklist
    await page.goto(f"{hub}/")
    await page.get_by_label("E-mail address").fill(DEMO_ADMIN_EMAIL)
    await page.get_by_label("Password").fill(DEMO_ADMIN_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{hub}/console/")
    await snap(page, "01-dashboard")

    # LinkedIn Talent Hub exports a hired candidate; she waits in Personnel management
    today = hub_today(group)
    export_from_talent_hub(group, today)
    await page.goto(f"{hub}/console/personnel/")
    candidate = page.get_by_role("row").filter(has_text="Mary Jackson")
    await expect(candidate).to_contain_text("LinkedIn")
    await snap(page, "02-candidates", candidate)

    # The administrator hires her from today into a software engineer's seat
    await candidate.get_by_role("link", name="Hire Mary Jackson").click()
    await expect(page.get_by_label("Start date")).to_have_value(today.isoformat())
    await page.get_by_label("Company").select_option("USMF")
    await page.get_by_label("Position").select_option(
        await page.get_by_label("Position").locator("option", has_text="ENG-2").get_attribute("value") or ""
    )
    await snap(page, "03-hire")
    await page.get_by_role("button", name="Hire", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("Mary Jackson was hired as")
    worker_page = page.url
    await snap(page, "04-hired", page.get_by_test_id("account-timing"))

    # The job runner creates her account: the sandbox directory lists it, enabled, in Engineering
    await page.goto(directory)
    await reload_until(page, lambda: expect(upn_row).to_have_count(1, timeout=1_000), within_ms=WAIT_MS)
    await expect(upn_row.get_by_test_id("enabled")).to_have_text("yes")
    await expect(upn_row).to_contain_text("Engineering")
    await snap(page, "05-directory-joiner", upn_row)

    # A transfer to sales is scheduled for tomorrow: nothing changes in the directory today
    await page.goto(worker_page)
    tomorrow = date.fromordinal(today.toordinal() + 1)
    await page.get_by_label("Effective date").fill(tomorrow.isoformat())
    positions = page.get_by_label("New position")
    await positions.select_option(await positions.locator("option", has_text="SALES-2").get_attribute("value") or "")
    await page.get_by_role("button", name="Transfer", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text("The worker was transferred")
    scheduled = page.get_by_test_id("scheduled-changes")
    await expect(scheduled).to_contain_text("Transfer to SALES-2")
    await snap(page, "06-transfer-scheduled", scheduled)

    # Time travel: the clock moves a day on, and the transfer takes effect in the directory
    await move_the_clock_a_day_on(page, group, "07-time-travel")
    await page.goto(directory)
    await reload_until(page, lambda: expect(upn_row).to_contain_text("Sales", timeout=1_000), within_ms=WAIT_MS)
    await expect(upn_row).to_contain_text("Account Executive")
    await expect(upn_row.get_by_test_id("enabled")).to_have_text("yes")
    await snap(page, "08-directory-mover", upn_row)

    # She leaves: terminated with today (the hub's new today) as her last day worked
    last_day = hub_today(group)
    assert last_day == tomorrow
    await page.goto(worker_page)
    await page.get_by_label("Last day worked").fill(last_day.isoformat())
    accept_the_confirmation(page)
    await page.get_by_role("button", name="Terminate").click()
    await expect(page.get_by_role("status")).to_have_text("The worker was terminated")
    timing = page.get_by_test_id("account-timing")
    await expect(timing).to_contain_text("disabled at the end of")
    await snap(page, "09-terminated", timing)
    await page.goto(directory)
    await expect(upn_row.get_by_test_id("enabled")).to_have_text("yes")  # still working today

    # The clock moves past her last day: the account is disabled and her mailbox made shared
    await move_the_clock_a_day_on(page, group, "10-time-travel")
    await page.goto(directory)
    await reload_until(
        page,
        lambda: expect(upn_row.get_by_test_id("enabled")).to_have_text("no (disabled)", timeout=1_000),
        within_ms=WAIT_MS,
    )
    await snap(page, "11-directory-leaver", upn_row)
    await page.goto(worker_page)
    panel = page.get_by_test_id("directory-account")
    await reload_until(
        page, lambda: expect(panel).to_contain_text("Mailbox converted to shared", timeout=1_000), within_ms=WAIT_MS
    )
    await expect(panel.get_by_test_id("directory-state")).to_have_text("Disabled")
    await snap(page, "12-worker-leaver", panel)
    for status in ("dead", "failed"):
        assert group.hirehub("jobs", "list", "--tenant", TENANT, "--status", status)["jobs"] == [], status

    # LinkedIn RSC: turned on in the console, then the plugin (the LinkedIn sandbox plays it) asks the customer's
    # Recruiter administrator to sign in on LinkedIn's side and offers the integrations
    await page.goto(f"{hub}/console/linkedin/")
    await page.get_by_role("button", name="Turn on LinkedIn RSC").click()
    await expect(page.get_by_role("status")).to_have_text("LinkedIn RSC is on")
    await snap(page, "13-rsc-on")
    await page.get_by_role("link", name="Open the configuration plugin").click()
    plugin = page.frame_locator("iframe[data-li-widget]")
    email, password = group.linkedin_plugin_sign_in()
    await plugin.get_by_label("Email").fill(email)
    await plugin.get_by_label("Password").fill(password)
    await plugin.get_by_role("button", name="Sign in").click()
    await expect(plugin.get_by_label("Recruiter System Connect (company)")).to_be_checked()
    await snap(page, "14-plugin-integrations")

    # Picking them hands them to the console, whose hub syncs them with LinkedIn; then the customer enables
    # One-Click Export on LinkedIn's side, and LinkedIn's signed push tells the hub
    await plugin.get_by_role("button", name="Integrate").click()
    await expect(page.locator("#linkedin-plugin-status")).to_have_text(
        "Integrations saved; the hub is syncing them with LinkedIn.", timeout=30_000
    )
    enable = plugin.locator("button[data-enable='ONE_CLICK_EXPORT']")
    await expect(enable).to_be_visible(timeout=RSC_WAIT_MS)
    await enable.click()
    await expect(plugin.locator("tr[data-integration='ONE_CLICK_EXPORT'] [data-status]")).to_have_text("ENABLED")
    await snap(page, "15-plugin-enabled")
    await page.goto(f"{hub}/console/linkedin/")
    status = page.get_by_test_id("status-ONE_CLICK_EXPORT")
    await reload_until(page, lambda: expect(status).to_have_text("ENABLED", timeout=1_000), within_ms=WAIT_MS)
    await snap(page, "16-rsc-enabled", status)
