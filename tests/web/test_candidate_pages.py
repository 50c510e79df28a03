"""*Add candidate to hire* on *Personnel management*: a candidate entered by hand, then hired like any other."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from hirehub.audit.models import AuditEntry
from hirehub.db.session import Database
from hirehub.hr.models import CandidateToHire
from tests.web.console_support import post_form, signed_in, tenant_with_hr
from tests.web.support import screenshot, sign_in

pytestmark = pytest.mark.browser


async def test_a_candidate_added_by_hand_waits_in_candidates_to_hire(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)

    await page.get_by_role("link", name="Personnel management").click()
    await page.get_by_role("link", name="Add candidate to hire").click()
    await page.get_by_label("First name").fill("Grace")
    await page.get_by_label("Last name").fill("Hopper")
    await page.get_by_label("E-mail address").fill("grace@mail.example")
    await page.get_by_label("Job title").fill("Data Engineer")
    await page.get_by_label("Start date").fill("2026-12-14")
    await screenshot(page, "candidate-add")
    await page.get_by_role("button", name="Add candidate").click()

    await expect(page.get_by_role("status")).to_have_text("Grace Hopper was added as CAND-000001")
    row = page.get_by_role("row").filter(has_text="Grace Hopper")
    await expect(row).to_contain_text("2026-12-14")
    await expect(row).to_contain_text("Entered in hirehub or the API")
    await expect(row.get_by_role("link", name="Hire Grace Hopper")).to_be_visible()
    (candidate,) = await hr.rows(CandidateToHire)
    assert (candidate.email, candidate.job_title) == ("grace@mail.example", "Data Engineer")
    async with hr.database.tenant_session(hr.tenant_id) as session:
        (entry,) = await session.scalars(select(AuditEntry))
    assert (entry.action, entry.subject_id, entry.actor) == ("candidate.added", "CAND-000001", f"console:{admin.email}")


async def test_a_malformed_email_is_shown_beside_its_field_and_nobody_is_added(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/personnel/candidates/new")

    await page.get_by_label("First name").fill("Grace")
    await page.get_by_role("button", name="Add candidate").click()
    await expect(page.locator("#last_name-error")).to_have_text("last name is required")
    await page.get_by_label("Last name").fill("Hopper")
    await page.get_by_label("E-mail address").fill("grace-at-mail")
    await page.get_by_role("button", name="Add candidate").click()

    await expect(page.locator("#email-error")).to_have_text("'grace-at-mail' is not an e-mail address")
    await expect(page.get_by_label("First name")).to_have_value("Grace")
    assert await hr.rows(CandidateToHire) == []


async def test_a_bad_start_date_is_refused_over_http_with_nothing_added(live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    async with signed_in(live_hub, admin) as client:
        page = "/console/personnel/candidates/new"
        answer = await post_form(
            client, page, page, {"first_name": "Grace", "last_name": "Hopper", "availability_date": "14/12/2026"}
        )
    assert answer.status_code == 400
    assert "is not a date" in answer.text
    assert await hr.rows(CandidateToHire) == []
