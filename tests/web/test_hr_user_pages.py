"""HR users and their HR roles: create, disable and enable, assign and remove roles."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from hirehub.db.session import Database
from hirehub.security.privileges import HR_MANAGER_ROLE_ID, RECRUITING_ROLE_ID
from tests.web.console_support import post_form, signed_in
from tests.web.security_setup import tenant_with_security
from tests.web.support import screenshot, sign_in

pytestmark = pytest.mark.browser


async def test_an_hr_user_is_created_with_the_recruiting_application_role(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)

    await page.get_by_role("link", name="HR users").click()
    await page.get_by_label("User ID").fill("RecruitingIntegration")
    await page.get_by_label("User name").fill("Recruiting integration")
    await page.get_by_label(f"Recruiting application ({RECRUITING_ROLE_ID})").check()
    await screenshot(page, "hr-users-list")
    await page.get_by_role("button", name="Create HR user").click()

    await expect(page.get_by_role("status")).to_contain_text("The HR user RecruitingIntegration was created")
    await expect(page.get_by_test_id("hr-user-roles")).to_contain_text("Recruiting application")
    await expect(page.get_by_test_id("hr-user-state")).to_have_text("Enabled")
    await screenshot(page, "hr-user-detail")
    assert (await setup.state())["HRUser"] == [("RecruitingIntegration", "Recruiting integration", "True")]


async def test_an_hr_user_is_disabled_enabled_and_given_and_relieved_of_roles(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    await setup.hr_user("ats-integration", RECRUITING_ROLE_ID)
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/hr-users/ats-integration")

    await page.get_by_role("button", name="Disable").click()
    await expect(page.get_by_test_id("hr-user-state")).to_have_text("Disabled")
    assert (await setup.state())["HRUser"] == [("ats-integration", "ats-integration", "False")]
    await page.get_by_role("button", name="Enable").click()
    await expect(page.get_by_test_id("hr-user-state")).to_have_text("Enabled")

    await page.get_by_label("HR role to assign").select_option(HR_MANAGER_ROLE_ID)
    await page.get_by_role("button", name="Assign role").click()
    await expect(page.get_by_test_id("hr-user-roles")).to_contain_text("Human resource manager")
    await page.get_by_role("button", name="Remove the role Recruiting application").click()
    await expect(page.get_by_test_id("hr-user-roles")).not_to_contain_text("Recruiting application")
    assert await setup.audit_actions() == [
        "security.hr_user.disable", "security.hr_user.enable", "security.hr_user.role.assign",
        "security.hr_user.role.remove",
    ]  # fmt: skip


async def test_a_taken_user_id_is_refused_at_the_field_and_nothing_is_created(
    live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    await setup.hr_user("ats-integration", RECRUITING_ROLE_ID)
    before = await setup.state()
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(
            client, "/console/hr-users/", "/console/hr-users/",
            {"user_id": "ats-integration", "name": "Again", "roles": RECRUITING_ROLE_ID},
        )  # fmt: skip
    assert answer.status_code == 409
    assert 'id="hr-user_id-error">an HR user &#39;ats-integration&#39; already exists' in answer.text
    assert await setup.state() == before


async def test_a_missing_user_id_is_refused_at_the_field(live_hub: str, database: Database) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    before = await setup.state()
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(client, "/console/hr-users/", "/console/hr-users/", {"user_id": " ", "name": "X"})
    assert answer.status_code == 400
    assert 'id="hr-user_id-error">User ID is required' in answer.text
    assert await setup.state() == before


async def test_a_disable_with_a_forged_csrf_token_is_refused_and_changes_nothing(
    live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    await setup.hr_user("ats-integration", RECRUITING_ROLE_ID)
    before = await setup.state()
    async with signed_in(live_hub, admin) as client:
        answer = await client.post("/console/hr-users/ats-integration/disable", data={"csrf_token": "forged"})
    assert answer.status_code == 403
    assert await setup.state() == before


async def test_another_tenants_hr_users_are_invisible_and_cannot_be_disabled(
    page: Page, live_hub: str, database: Database
) -> None:
    contoso, _ = await tenant_with_security(database, "contoso.example", "Contoso")
    _, fabrikam = await tenant_with_security(database, "fabrikam.example", "Fabrikam")
    await fabrikam.hr_user("fabrikam-payroll", RECRUITING_ROLE_ID)
    await sign_in(page, live_hub, contoso)

    await page.goto(f"{live_hub}/console/hr-users/")
    assert "fabrikam-payroll" not in await page.content()
    answer = await page.goto(f"{live_hub}/console/hr-users/fabrikam-payroll")
    assert answer is not None and answer.status == 404

    before = await fabrikam.state()
    async with signed_in(live_hub, contoso) as client:
        disabled = await post_form(client, "/console/hr-users/", "/console/hr-users/fabrikam-payroll/disable", {})
    assert disabled.status_code == 404
    assert await fabrikam.state() == before


@pytest.mark.parametrize("path", ["/console/hr-users/", "/console/hr-users/ats-integration"])
async def test_an_anonymous_visitor_is_sent_to_sign_in(page: Page, live_hub: str, path: str) -> None:
    await page.goto(f"{live_hub}{path}")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.url.startswith(f"{live_hub}/console/sign-in?next=")
