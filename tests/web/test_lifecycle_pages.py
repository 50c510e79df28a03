"""Lifecycle policy and approvals: the policy shown and edited (validated whole), a plan previewed, plans decided."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from hirehub.audit.models import AuditEntry
from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.hr.daily import DAILY
from hirehub.hr.models import Worker
from hirehub.jobs.models import DurableJob
from hirehub.lifecycle.planning import plan
from hirehub.provisioning.approvals import APPLY_APPROVED
from hirehub.provisioning.models import HeldPlan, ProvisioningPolicy
from hirehub.provisioning.policies import current_policy, tenant_of
from hirehub.provisioning.workers import worker_view
from tests.hr.conftest import HR
from tests.web.console_support import post_form, signed_in, tenant_with_hr
from tests.web.support import screenshot, sign_in

pytestmark = pytest.mark.browser


async def _stored_policy(hr: HR) -> list[ProvisioningPolicy]:
    return await hr.rows(ProvisioningPolicy)


async def test_the_policy_is_shown_and_an_invalid_edit_lists_every_problem_at_the_editor(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)
    await page.locator("nav").get_by_role("link", name="Lifecycle policy").click()
    await expect(page.get_by_role("row").filter(has_text="displayName")).to_contain_text("[FirstName]")
    await expect(page.get_by_role("heading", name="userPrincipalName")).to_contain_text("@contoso.example")
    await screenshot(page, "lifecycle-policy")

    document = page.get_by_label("Policy (JSON)")
    text = await document.input_value()
    await document.fill(text.replace('"surname": "[LastName]"', '"accountEnabled": "[LastName]"', 1))
    await page.get_by_role("button", name="Save policy").click()

    await expect(page.locator("#document-error")).to_contain_text("attributes.accountEnabled: accountEnabled follows")
    await expect(page.get_by_label("Policy (JSON)")).to_have_attribute("aria-invalid", "true")
    await screenshot(page, "lifecycle-policy-error")
    assert await _stored_policy(hr) == []


async def test_a_valid_edit_is_saved_through_the_shared_operation(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/lifecycle/")
    document = page.get_by_label("Policy (JSON)")
    text = await document.input_value()
    await document.fill(text.replace('"supervised": false', '"supervised": true', 1))
    await page.get_by_role("button", name="Save policy").click()

    await expect(page.get_by_role("status")).to_have_text("The lifecycle policy was saved")
    await expect(page.get_by_text("Supervised:")).to_be_visible()
    [stored] = await _stored_policy(hr)
    assert stored.document["supervised"] is True
    assert stored.updated_by == f"console:{admin.email}"


async def test_json_that_does_not_parse_is_pointed_at_and_nothing_is_saved(live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(client, "/console/lifecycle/", "/console/lifecycle/policy", {"document": '{"a": }'})
    assert answer.status_code == 400
    assert "line 1, column 7: Expecting value" in answer.text
    assert await _stored_policy(hr) == []


async def test_a_policy_posted_with_a_forged_csrf_token_is_refused(live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    async with signed_in(live_hub, admin) as client:
        answer = await client.post(
            "/console/lifecycle/policy", data={"document": '{"supervised": true}', "csrf_token": "forged"}
        )
    assert answer.status_code == 403
    assert await _stored_policy(hr) == []


async def test_the_plan_preview_shows_the_steps_for_the_chosen_worker(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Ada", "Lovelace")
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/lifecycle/")

    await page.get_by_label("Worker").select_option(worker.personnel_number)
    await page.get_by_role("button", name="Preview plan").click()

    steps = page.get_by_role("list", name="Plan steps")
    await expect(steps).to_contain_text("create account ada.lovelace@contoso.example")
    await expect(steps).to_contain_text("add to group 'All staff'")
    await screenshot(page, "lifecycle-preview")


async def _held_plan(hr: HR, worker: Worker) -> HeldPlan:
    """A plan held for approval, as a supervised sync holds one for a worker the directory does not know yet.

    Planned here with the planner itself (no connector): the hub's connector factory belongs to the server's
    event loop, not the test's."""
    async with hr.transaction() as session:
        tenant = await tenant_of(session)
        view = await worker_view(session, worker, tenant.time_zone)
        the_plan = plan(view, await current_policy(session), None, utcnow(), lambda name: False)
        held = HeldPlan(person_id=worker.person_id, personnel_number=worker.personnel_number, plan=the_plan.to_json())
        session.add(held)
    return held


async def test_a_held_plan_is_approved_and_its_apply_job_queued(page: Page, live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Ada", "Lovelace")
    held = await _held_plan(hr, worker)
    await sign_in(page, live_hub, admin)

    await page.get_by_role("link", name="Approvals").click()
    await expect(page.get_by_role("list", name=f"Steps of the plan for {worker.personnel_number}")).to_contain_text(
        "create account ada.lovelace@contoso.example"
    )
    await screenshot(page, "approvals")
    await page.get_by_role("button", name=f"Approve the plan for {worker.personnel_number}").click()

    await expect(page.get_by_role("status")).to_contain_text("was approved")
    await expect(page.get_by_text("No plans wait for approval")).to_be_visible()
    assert (await hr.get(HeldPlan, held.id)).status == "approved"
    [job] = [job for job in await hr.rows(DurableJob) if job.kind != DAILY]  # HR's own daily job aside
    assert (job.kind, job.payload) == (APPLY_APPROVED, {"plan_id": str(held.id)})
    async with database.tenant_session(admin.tenant_id) as session:
        actors = list(await session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "plan.approved")))
    assert actors == [f"console:{admin.email}"]


async def test_a_held_plan_is_rejected_and_nothing_is_queued(page: Page, live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Ada", "Lovelace")
    held = await _held_plan(hr, worker)
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/approvals/")

    await page.get_by_role("button", name=f"Reject the plan for {worker.personnel_number}").click()

    await expect(page.get_by_role("status")).to_contain_text("was rejected")
    assert (await hr.get(HeldPlan, held.id)).status == "rejected"
    assert [job for job in await hr.rows(DurableJob) if job.kind != DAILY] == []


async def test_a_plan_decided_already_cannot_be_decided_again(live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Ada", "Lovelace")
    held = await _held_plan(hr, worker)
    async with signed_in(live_hub, admin) as client:
        await post_form(client, "/console/approvals/", f"/console/approvals/{held.id}/reject", {})
        again = await post_form(client, "/console/approvals/", f"/console/approvals/{held.id}/approve", {})
        shown = await client.get(again.headers["location"])
    assert f"plan {held.id} is rejected, not held" in shown.text
    assert (await hr.get(HeldPlan, held.id)).status == "rejected"
    assert [job for job in await hr.rows(DurableJob) if job.kind != DAILY] == []
