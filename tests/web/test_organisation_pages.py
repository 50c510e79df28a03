"""The organisation in the console: each section's list, New, edit and Retire, in a real browser and over HTTP."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from hirehub.audit.models import AuditEntry
from hirehub.db.session import Database
from hirehub.hr import organisation as org
from hirehub.hr.models import Department, Job, Position, ReasonCode, Title
from hirehub.hr.organisation import PositionFields
from tests.hr.conftest import HR
from tests.web.console_support import post_form, signed_in, tenant_with_hr
from tests.web.support import screenshot, sign_in

pytestmark = pytest.mark.browser
ADMIN = "test"


async def _actions(hr: HR) -> list[str]:
    async with hr.database.tenant_session(hr.tenant_id) as session:
        return [e.action for e in await session.scalars(select(AuditEntry).order_by(AuditEntry.position))]


async def _seed(hr: HR) -> None:
    """An organisation to choose from: a title, a job with it, and a department."""
    async with hr.transaction() as session:
        await org.create_title(session, name="Data Engineer", actor=ADMIN)
        await org.create_job(session, name="DE", description="Data engineering", title="Data Engineer", actor=ADMIN)
        await org.create_department(session, name="Engineering", actor=ADMIN)


async def test_a_department_is_created_renamed_and_retired_after_confirmation(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)

    await page.get_by_role("link", name="Departments", exact=True).click()
    await page.get_by_role("link", name="New department").click()
    await page.get_by_role("button", name="Create department").click()
    await expect(page.locator("#name-error")).to_have_text("name is required")
    await page.get_by_label("Name").fill("Engineering")
    await page.get_by_role("button", name="Create department").click()
    await expect(page.get_by_role("status")).to_have_text("The department DEP000001 was created")
    await screenshot(page, "organisation-departments")

    await page.get_by_role("link", name="Edit department DEP000001").click()
    await expect(page.get_by_test_id("code")).to_have_text("DEP000001")
    await page.get_by_label("Name").fill("Research and development")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("row").filter(has_text="DEP000001")).to_contain_text("Research and development")

    await page.get_by_role("link", name="Edit department DEP000001").click()
    await page.get_by_role("link", name="Retire").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Retire department DEP000001 – Research and development?"
    )
    await page.get_by_role("button", name="Retire").click()
    await expect(page.get_by_role("status")).to_have_text("The department DEP000001 was retired")
    await expect(page.get_by_test_id("retired")).to_contain_text("DEP000001")
    assert [d.retired for d in await hr.rows(Department)] == [True]
    assert await _actions(hr) == ["department.created", "department.updated", "department.retired"]


async def test_a_job_is_created_with_a_title_and_a_duplicate_is_refused_beside_its_field(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await _seed(hr)
    await sign_in(page, live_hub, admin)

    await page.get_by_role("link", name="Organisation jobs", exact=True).click()
    await page.get_by_role("link", name="New job").click()
    await page.locator("#job_id").fill("de")
    await page.get_by_role("button", name="Create job").click()
    await expect(page.locator("#job_id-error")).to_contain_text("exists")

    await page.locator("#job_id").fill("SE")
    await page.get_by_label("Description").fill("Software engineering")
    await page.get_by_label("Title").select_option(label="Data Engineer")
    await page.get_by_role("button", name="Create job").click()
    await expect(page.get_by_role("row").filter(has_text="SE")).to_contain_text("Data Engineer")
    assert sorted(j.job_id for j in await hr.rows(Job)) == ["DE", "SE"]


async def test_a_title_is_created_and_retired_titles_are_no_longer_offered(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await _seed(hr)
    await sign_in(page, live_hub, admin)

    await page.get_by_role("link", name="Titles", exact=True).click()
    await page.get_by_role("link", name="New title").click()
    await page.get_by_label("Title").fill("Account Executive")
    await page.get_by_role("button", name="Create title").click()
    await expect(page.get_by_role("status")).to_have_text("The title Account Executive was created")
    await page.get_by_role("link", name="Edit title Account Executive").click()
    await page.get_by_role("link", name="Retire").click()
    await page.get_by_role("button", name="Retire").click()
    await expect(page.get_by_test_id("retired")).to_contain_text("Account Executive")

    await page.goto(f"{live_hub}/console/hr-jobs/new")
    offered = await page.get_by_label("Title").locator("option").all_text_contents()
    assert "Data Engineer – Data Engineer" not in offered and "Account Executive" not in offered
    assert "Data Engineer" in offered
    assert {t.title_id: t.retired for t in await hr.rows(Title)} == {"Data Engineer": False, "Account Executive": True}


async def test_a_position_reports_to_another_and_a_cycle_is_refused_beside_reports_to(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await _seed(hr)
    await sign_in(page, live_hub, admin)

    await page.get_by_role("link", name="Positions", exact=True).click()
    for description, reports_to in (("Head of data", None), ("Data engineer", "POS000001 – Head of data")):
        await page.get_by_role("link", name="New position").click()
        await page.get_by_label("Description").fill(description)
        await page.get_by_label("Job").select_option(label="DE – Data engineering")
        await page.get_by_label("Department").select_option(label="DEP000001 – Engineering")
        if reports_to:
            await page.get_by_label("Reports to position").select_option(label=reports_to)
        await page.get_by_role("button", name="Create position").click()
        await expect(page.get_by_role("status")).to_contain_text("was created")
    row = page.get_by_role("row").filter(has_text="POS000002")
    await expect(row).to_contain_text("POS000001 – Head of data")
    await expect(row).to_contain_text("Data Engineer")
    await screenshot(page, "organisation-positions")

    await page.get_by_role("link", name="Edit position POS000001").click()
    await page.get_by_label("Reports to position").select_option(label="POS000002 – Data engineer")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("#reports_to-error")).to_contain_text("report to itself")
    head = next(p for p in await hr.rows(Position) if p.position_id == "POS000001")
    assert head.reports_to_id is None


async def test_a_position_is_retired_from_a_date_and_not_while_a_worker_holds_it(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await _seed(hr)
    async with hr.transaction() as session:
        held = await org.create_position(session, PositionFields(job="DE", department="DEP000001"), actor=ADMIN)
        free = await org.create_position(session, PositionFields(job="DE", department="DEP000001"), actor=ADMIN)
    await hr.hired(start=date(2026, 12, 1), position_id=held.id)
    await sign_in(page, live_hub, admin)

    await page.goto(f"{live_hub}/console/positions/{held.id}/retire")
    await page.get_by_label("Retire from").fill("2027-01-01")
    await page.get_by_role("button", name="Retire").click()
    await expect(page.locator("#on-error")).to_contain_text("has a worker")

    await page.goto(f"{live_hub}/console/positions/{free.id}/retire")
    await page.get_by_label("Retire from").fill("2020-01-01")
    await page.get_by_role("button", name="Retire").click()
    await expect(page.get_by_test_id("retired")).to_contain_text("POS000002")
    retired = {p.position_id: p.retirement for p in await hr.rows(Position)}
    assert retired == {"POS000001": None, "POS000002": date(2020, 1, 1)}


async def test_a_termination_reason_is_created_edited_and_offered_again_after_retiring(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)

    await page.get_by_role("link", name="Termination reasons", exact=True).click()
    await page.get_by_role("link", name="New termination reason").click()
    await page.get_by_label("Reason code").fill("RESIGN")
    await page.get_by_role("button", name="Create termination reason").click()
    await expect(page.locator("#description-error")).to_have_text("description is required")
    await page.get_by_label("Description").fill("Resignation")
    await page.get_by_role("button", name="Create termination reason").click()
    await page.get_by_role("link", name="Edit termination reason RESIGN").click()
    await page.get_by_label("Description").fill("Resigned")
    await page.get_by_role("button", name="Save").click()
    await page.get_by_role("link", name="Edit termination reason RESIGN").click()
    await page.get_by_role("link", name="Retire").click()
    await page.get_by_role("button", name="Retire").click()
    async with hr.transaction() as session:
        assert await org.termination_reasons(session) == []
    await page.get_by_test_id("retired").get_by_role("link", name="RESIGN").click()
    await expect(page.get_by_test_id("retired-state")).to_be_visible()
    await page.get_by_role("button", name="Offer again").click()
    await expect(page.get_by_role("status")).to_have_text("The termination reason RESIGN is offered again")
    assert [(r.description, r.retired) for r in await hr.rows(ReasonCode)] == [("Resigned", False)]


@pytest.mark.parametrize("section", ["departments", "hr-jobs", "titles", "positions", "termination-reasons"])
async def test_another_tenants_record_is_not_found_and_cannot_be_changed(
    live_hub: str, database: Database, section: str
) -> None:
    contoso, _ = await tenant_with_hr(database, "contoso.example", "Contoso")
    _, fabrikam = await tenant_with_hr(database, "fabrikam.example", "Fabrikam")
    await _seed(fabrikam)
    async with fabrikam.transaction() as session:
        await org.create_reason(session, code="RESIGN", description="Resignation", actor=ADMIN)
        await org.create_position(session, PositionFields(job="DE", department="DEP000001"), actor=ADMIN)
    model: Any = {"departments": Department, "hr-jobs": Job, "titles": Title, "positions": Position,
                  "termination-reasons": ReasonCode}[section]  # fmt: skip
    (theirs,) = await fabrikam.rows(model)
    path = f"/console/{section}/{theirs.id}"

    async with signed_in(live_hub, contoso) as client:
        assert (await client.get(path)).status_code == 404
        assert (await client.get(f"{path}/retire")).status_code == 404
        retire = await post_form(client, f"/console/{section}/new", f"{path}/retire", {"on": "2027-01-01"})
        update = await post_form(client, f"/console/{section}/new", path, {"name": "Mine", "description": "Mine"})
    assert (retire.status_code, update.status_code) == (404, 404)
    (after,) = await fabrikam.rows(model)
    assert after.version == theirs.version


async def test_a_change_without_the_forms_csrf_token_is_refused(live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    async with signed_in(live_hub, admin) as client:
        answer = await client.post("/console/departments/new", data={"name": "Engineering"})
    assert answer.status_code == 403
    assert await hr.rows(Department) == []


async def test_the_hire_form_offers_open_positions_and_terminate_offers_reasons_not_retired(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await _seed(hr)
    async with hr.transaction() as session:
        await org.create_position(
            session, PositionFields(job="DE", department="DEP000001", description="Open seat"), actor=ADMIN
        )
        await org.create_position(
            session, PositionFields(job="DE", department="DEP000001", description="Gone"), actor=ADMIN
        )
        await org.retire(session, Position, "POS000002", actor=ADMIN, on=date(2020, 1, 1))
        await org.create_reason(session, code="RESIGN", description="Resignation", actor=ADMIN)
        await org.create_reason(session, code="OLD", description="Old reason", actor=ADMIN)
        await org.retire(session, ReasonCode, "OLD", actor=ADMIN, on=date(2020, 1, 1))
    candidate = await hr.candidate("Grace", "Hopper")
    worker = await hr.hired("Ada", "Lovelace", start=date(2026, 12, 1))
    await sign_in(page, live_hub, admin)

    await page.goto(f"{live_hub}/console/personnel/candidates/{candidate.id}/hire")
    positions = await page.get_by_label("Position").locator("option").all_text_contents()
    assert [p for p in positions if p.startswith("POS")] == ["POS000001 – Open seat"]

    async with signed_in(live_hub, admin) as client:
        worker_page = (await client.get(f"/console/workers/{worker.id}")).text
    assert "RESIGN – Resignation" in worker_page and "OLD – Old reason" not in worker_page
