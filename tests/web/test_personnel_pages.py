"""Personnel management: *Candidates to hire* and the *Hire new worker* dialog, in a real browser and over HTTP."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.async_api import Page, expect

from hirehub.db.session import Database
from hirehub.hr import services
from hirehub.hr.models import CandidateToHire, Employment, LinkedInExportedCandidate, Title, Worker
from hirehub.hr.models.options import ApplicantIntegrationResult, EmploymentType
from tests.hr.conftest import HR
from tests.web.console_support import linkedin_candidate, post_form, signed_in, tenant_with_hr
from tests.web.support import screenshot, sign_in

pytestmark = pytest.mark.browser
START = date(2026, 12, 1)


async def test_a_linkedin_candidate_is_hired_through_the_hire_new_worker_dialog(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await hr.position("SALES-1")
    candidate = await linkedin_candidate(hr, "Ada", "Lovelace", start=START, job_title="Sales Manager")
    await sign_in(page, live_hub, admin)

    await page.get_by_role("link", name="Personnel management").click()
    row = page.get_by_role("row").filter(has_text="Ada Lovelace")
    await expect(row).to_contain_text("ada.lovelace@mail.example")
    await expect(row).to_contain_text("Sales Manager")
    await expect(row).to_contain_text("2026-12-01")
    await expect(row).to_contain_text("LinkedIn Talent Hub export")
    await screenshot(page, "personnel-candidates")

    await row.get_by_role("link", name="Hire Ada Lovelace").click()
    await expect(page.get_by_role("heading", name="Hire new worker")).to_be_visible()
    await expect(page.get_by_label("First name")).to_have_value("Ada")
    await expect(page.get_by_label("Start date")).to_have_value("2026-12-01")
    await page.get_by_label("Company").select_option("USMF")
    await page.get_by_label("Employment type").select_option("PART_TIME")
    await page.get_by_label("Position").select_option(label="SALES-1 – Seat SALES-1")
    await screenshot(page, "personnel-hire-dialog")
    await page.get_by_role("button", name="Hire", exact=True).click()

    await expect(page.get_by_role("status")).to_contain_text("Ada Lovelace was hired as")
    await expect(page.get_by_test_id("assignment")).to_contain_text("SALES-1")
    [worker] = await hr.rows(Worker)
    assert (worker.first_name, worker.last_name, worker.data_area_id) == ("Ada", "Lovelace", "USMF")
    [employment] = await hr.rows(Employment, worker_id=worker.id)
    assert (employment.start_date, employment.employment_type) == (START, EmploymentType.PART_TIME)
    hired = await hr.get(CandidateToHire, candidate.id)
    assert hired.applicant_integration_result == ApplicantIntegrationResult.HIRED
    await page.get_by_role("link", name="Personnel management").click()
    await expect(page.get_by_text("No candidates are waiting to be hired")).to_be_visible()


async def test_a_missing_start_date_is_explained_next_to_the_field_and_nothing_is_hired(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    candidate = await linkedin_candidate(hr, "Grace", "Hopper", start=None)
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/personnel/candidates/{candidate.id}/hire")

    await page.get_by_role("button", name="Hire", exact=True).click()

    await expect(page.locator("#start_date-error")).to_have_text("Start date is required")
    await expect(page.get_by_label("Start date")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Last name")).to_have_value("Hopper")
    await screenshot(page, "personnel-hire-error")
    assert await hr.rows(Worker) == []


async def test_the_hire_dialog_works_from_the_keyboard(page: Page, live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    candidate = await linkedin_candidate(hr, "Ada", "Lovelace", start=START)
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/personnel/candidates/{candidate.id}/hire")

    await page.get_by_label("Position").focus()
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Title", exact=True)).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Hire", exact=True)).to_be_focused()
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("status")).to_contain_text("was hired as")
    assert len(await hr.rows(Worker)) == 1


async def test_a_hire_posted_without_the_csrf_token_is_refused_and_changes_nothing(
    live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    candidate = await linkedin_candidate(hr, "Ada", "Lovelace", start=START)
    before = await hr.state()
    async with signed_in(live_hub, admin) as client:
        answer = await client.post(
            f"/console/personnel/candidates/{candidate.id}/hire",
            data={"start_date": "2026-12-01", "first_name": "Ada", "last_name": "Lovelace", "csrf_token": "forged"},
        )
    assert answer.status_code == 403
    assert await hr.state() == before


async def test_an_invalid_start_date_is_shown_at_the_field_and_changes_nothing(
    live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    candidate = await linkedin_candidate(hr, "Ada", "Lovelace", start=START)
    before = await hr.state()
    dialog = f"/console/personnel/candidates/{candidate.id}/hire"
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(
            client, dialog, dialog, {"first_name": "Ada", "last_name": "Lovelace", "start_date": "1/12/2026"}
        )
    assert answer.status_code == 400
    assert 'id="start_date-error">Start date &#39;1/12/2026&#39; is not a date (YYYY-MM-DD)' in answer.text
    assert await hr.state() == before


async def test_a_refusal_of_the_hire_service_is_shown_at_its_field_and_changes_nothing(
    live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    seat = await hr.position("SEAT-1")
    await hr.hired("Grace", "Hopper", position_id=seat.id)
    candidate = await linkedin_candidate(hr, "Ada", "Lovelace", start=START)
    before = await hr.state()
    dialog = f"/console/personnel/candidates/{candidate.id}/hire"
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(
            client, dialog, dialog,
            {"first_name": "Ada", "last_name": "Lovelace", "start_date": "2026-12-01", "position_id": str(seat.id)},
        )  # fmt: skip
    assert answer.status_code == 409
    assert 'id="position_id-error">position SEAT-1 already has 1 worker(s)' in answer.text
    assert await hr.state() == before


async def test_another_tenants_candidates_are_neither_listed_nor_hireable(
    page: Page, live_hub: str, database: Database
) -> None:
    contoso, _ = await tenant_with_hr(database, "contoso.example", "Contoso")
    _, fabrikam_hr = await tenant_with_hr(database, "fabrikam.example", "Fabrikam")
    theirs = await linkedin_candidate(fabrikam_hr, "Fabian", "Fabrikam", start=START)
    await sign_in(page, live_hub, contoso)

    await page.goto(f"{live_hub}/console/personnel/")
    assert "Fabian" not in await page.content()
    answer = await page.goto(f"{live_hub}/console/personnel/candidates/{theirs.id}/hire")
    assert answer is not None and answer.status == 404

    before = await fabrikam_hr.state()
    dialog = f"/console/personnel/candidates/{theirs.id}/hire"
    async with signed_in(live_hub, contoso) as client:
        token_page = "/console/personnel/"
        # The list has no form; any of the administrator's pages carries the session's token (sign-out form).
        answer2 = await post_form(client, token_page, dialog, {"start_date": "2026-12-01"})
    assert answer2.status_code == 404
    assert await fabrikam_hr.state() == before


async def exported_with_title_and_location(hr: HR) -> CandidateToHire:
    async with hr.transaction() as session:
        export = LinkedInExportedCandidate(
            linkedin_candidate_urn="urn:li:ts_hire_candidate:77", first_name="Ada", last_name="Lovelace",
            start_date=START, job_title="Data Engineer", location="Redmond, WA",
        )  # fmt: skip
        session.add(export)
        await session.flush()
        return await services.import_linkedin_export(session, export)


async def test_the_exports_title_is_proposed_kept_on_the_worker_and_its_location_shown(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    candidate = await exported_with_title_and_location(hr)
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/personnel/candidates/{candidate.id}/hire")

    await expect(page.get_by_label("Title", exact=True)).to_have_value("Data Engineer")
    await expect(page.get_by_text("Redmond, WA")).to_be_visible()
    await page.get_by_label("Company").select_option("USMF")
    await page.get_by_role("button", name="Hire", exact=True).click()

    await expect(page.get_by_role("status")).to_contain_text("Ada Lovelace was hired as")
    await expect(page.get_by_test_id("worker-title")).to_have_text("Data Engineer")
    [worker] = await hr.rows(Worker)
    [title] = await hr.rows(Title)
    assert (title.title_id, worker.title_id) == ("Data Engineer", title.id)


async def test_a_title_no_title_can_hold_is_shown_at_its_field_and_changes_nothing(
    live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    candidate = await exported_with_title_and_location(hr)
    before = await hr.state()
    dialog = f"/console/personnel/candidates/{candidate.id}/hire"
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(
            client, dialog, dialog,
            {"first_name": "Ada", "last_name": "Lovelace", "start_date": "2026-12-01", "title": "T" * 61},
        )  # fmt: skip
    assert answer.status_code == 400
    assert 'id="title-error"' in answer.text
    assert await hr.state() == before
    assert await hr.rows(Title) == []
