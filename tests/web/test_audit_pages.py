"""The audit log: newest first, a page at a time, filtered by actor and action; only the tenant's own entries."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from hirehub.audit import log as audit
from hirehub.db.session import Database
from tests.hr.conftest import HR
from tests.web.confirming import accept_the_confirmation
from tests.web.console_support import tenant_with_hr
from tests.web.support import screenshot, sign_in

pytestmark = pytest.mark.browser


async def _entries(hr: HR, count: int, *, actor: str, action: str) -> None:
    async with hr.transaction() as session:
        for number in range(1, count + 1):
            audit.record(session, actor=actor, action=action, subject_type="worker", subject_id=f"W-{number:03}")


async def test_entries_are_shown_newest_first_a_page_at_a_time(page: Page, live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await _entries(hr, 30, actor="hirehub.sync", action="directory.create_account")
    await sign_in(page, live_hub, admin)

    await page.get_by_role("link", name="Audit log").click()
    rows = page.locator("tbody tr")
    await expect(rows).to_have_count(25)
    await expect(rows.first).to_contain_text("W-030")
    await screenshot(page, "audit-log")
    await page.get_by_role("link", name="Older →").click()
    await expect(rows).to_have_count(5)
    await expect(rows.first).to_contain_text("W-005")
    await expect(rows.last).to_contain_text("W-001")
    await expect(page.get_by_role("link", name="Older →")).to_have_count(0)


async def test_entries_are_filtered_by_actor_and_action(page: Page, live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await _entries(hr, 2, actor="hirehub.sync", action="directory.create_account")
    await _entries(hr, 1, actor="console:grace@contoso.example", action="worker.terminated")
    await _entries(hr, 1, actor="console:grace@contoso.example", action="job.retry")
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/audit/")

    await page.get_by_label("Actor").fill("grace@")
    await page.get_by_label("Action").select_option("worker.terminated")
    await page.get_by_role("button", name="Filter").click()

    rows = page.locator("tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows).to_contain_text("console:grace@contoso.example")
    await expect(rows).to_contain_text("worker.terminated")


async def test_a_change_made_in_the_console_is_in_the_audit_log_with_its_administrator(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Ada", "Lovelace")
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/workers/{worker.id}")
    await page.get_by_label("Last day worked").fill("2027-06-30")
    accept_the_confirmation(page)
    await page.get_by_role("button", name="Terminate").click()
    await expect(page.get_by_role("status")).to_be_visible()

    await page.get_by_role("link", name="Audit log").click()
    newest = page.locator("tbody tr").first
    await expect(newest).to_contain_text(f"console:{admin.email}")
    await expect(newest).to_contain_text("worker.terminated")
    await expect(newest).to_contain_text(worker.personnel_number)


async def test_another_tenants_entries_are_never_shown(page: Page, live_hub: str, database: Database) -> None:
    contoso, contoso_hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    _, fabrikam_hr = await tenant_with_hr(database, "fabrikam.example", "Fabrikam")
    await _entries(contoso_hr, 1, actor="hirehub.sync", action="directory.create_account")
    await _entries(fabrikam_hr, 3, actor="console:admin@fabrikam.example", action="fabrikam.only")
    await sign_in(page, live_hub, contoso)

    await page.goto(f"{live_hub}/console/audit/?action=fabrikam.only")
    assert "fabrikam" not in (await page.locator("main").inner_text()).lower()
    await page.goto(f"{live_hub}/console/audit/")
    await expect(page.locator("tbody tr")).to_have_count(1)
