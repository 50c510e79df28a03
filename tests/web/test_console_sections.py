"""Every HR section of the console: reachable only signed in, linked from the navigation, readable on a phone."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from hirehub.db.session import Database
from tests.web.console_support import tenant_with_hr
from tests.web.support import screenshot, sign_in

pytestmark = pytest.mark.browser
SECTIONS = {
    "/console/personnel/": "Personnel management",
    "/console/workers/": "Workers",
    "/console/lifecycle/": "Lifecycle policy",
    "/console/approvals/": "Approvals",
    "/console/jobs/": "Background jobs",
    "/console/audit/": "Audit log",
}


async def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_section(page: Page, live_hub: str) -> None:
    for path in [*SECTIONS, "/console/lifecycle/preview?personnel_number=000001"]:
        await page.goto(f"{live_hub}{path}")
        assert page.url.startswith(f"{live_hub}/console/sign-in?next=/console/"), path
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


async def test_every_section_is_in_the_navigation_and_marks_itself_current(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, _ = await tenant_with_hr(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)
    navigation = page.get_by_role("navigation", name="Console sections")
    for path, label in SECTIONS.items():
        await navigation.get_by_role("link", name=label).click()
        await expect(page).to_have_url(f"{live_hub}{path}")
        await expect(navigation.get_by_role("link", name=label)).to_have_attribute("aria-current", "page")
        await expect(page.get_by_role("heading", level=1)).to_have_text(label)


async def test_every_section_is_readable_at_a_phone_width(page: Page, live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Ada", "Lovelace")
    await page.set_viewport_size({"width": 360, "height": 740})
    await sign_in(page, live_hub, admin)
    for path in [*SECTIONS, f"/console/workers/{worker.id}"]:
        await page.goto(f"{live_hub}{path}")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide"
    await screenshot(page, "worker-narrow")
