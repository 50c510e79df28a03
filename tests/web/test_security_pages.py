"""Security roles and application users: built-in roles read-only, custom roles, an app's user and its roles."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from hirehub.db.session import Database
from hirehub.security import operations
from hirehub.security.privileges import ATS_ROLE_NAME
from tests.web.console_support import post_form, signed_in
from tests.web.security_setup import tenant_with_security
from tests.web.support import screenshot, sign_in

pytestmark = pytest.mark.browser


async def test_an_apps_user_is_created_with_the_ats_integration_role(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    client_id = await setup.app("ATS integration")
    await sign_in(page, live_hub, admin)

    await page.get_by_role("link", name="Security roles").click()
    await page.get_by_label("Application (required)").select_option(client_id)
    await page.get_by_label("User name").fill("Recruiting integration")
    await page.get_by_label("Security role (required)").select_option(ATS_ROLE_NAME)
    await screenshot(page, "security-overview")
    await page.get_by_role("button", name="Create application user").click()

    await expect(page.get_by_role("status")).to_contain_text("was created with the role ATS integration")
    await expect(page.get_by_test_id("app-user-roles")).to_contain_text(ATS_ROLE_NAME)
    await screenshot(page, "security-application-user")
    assert (await setup.state())["ApplicationUser"] == [(client_id, "Recruiting integration", "True")]
    assert await setup.audit_actions() == ["security.application_user.create"]


async def test_a_built_in_role_shows_its_privileges_and_offers_no_change(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, _ = await tenant_with_security(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/security/")

    await page.get_by_role("link", name=ATS_ROLE_NAME).click()

    grid = page.get_by_test_id("privilege-grid")
    worker = grid.get_by_role("row").filter(has_text="mshr_hcmcandidatetohireentity")
    await expect(worker).to_contain_text("Organization")
    await expect(page.get_by_text("A built-in role: it cannot be changed")).to_be_visible()
    await expect(page.get_by_role("button", name="Grant")).to_have_count(0)
    await screenshot(page, "security-role-built-in")


async def test_a_custom_role_is_built_privilege_by_privilege_and_granted_then_revoked(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    client_id = await setup.app("Reporting")
    async with setup.transaction() as session:
        await operations.create_application_user(session, client_id, [ATS_ROLE_NAME], "Reporting")
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/security/")

    await page.get_by_label("Role name").fill("Worker readers")
    await page.get_by_role("button", name="Create role").click()
    await page.get_by_label("Table (required)").select_option("mshr_hcmworkerentity")
    await page.get_by_label("Privilege (required)").select_option("Read")
    await page.get_by_label("Access level (required)").select_option("Organization")
    await page.get_by_role("button", name="Grant").click()

    await expect(page.get_by_role("status")).to_contain_text("Read on mshr_hcmworkerentity at Organization level")
    row = page.get_by_test_id("privilege-grid").get_by_role("row").filter(has_text="mshr_hcmworkerentity")
    await expect(row.get_by_role("cell")).to_have_text(
        ["—", "Organization", "—", "—", "—", "—", "—", "—"]
    )  # Create, Read, …
    await screenshot(page, "security-role-custom")

    await page.goto(f"{live_hub}/console/security/application-users/{client_id}")
    await page.get_by_label("Security role to add").select_option("Worker readers")
    await page.get_by_role("button", name="Add role").click()
    await expect(page.get_by_test_id("app-user-roles")).to_contain_text("Worker readers")
    await page.get_by_role("button", name=f"Revoke the role {ATS_ROLE_NAME}").click()
    await expect(page.get_by_role("status")).to_contain_text(f"The role {ATS_ROLE_NAME} was revoked")
    await expect(page.get_by_test_id("app-user-roles")).not_to_contain_text(ATS_ROLE_NAME)
    assert (await setup.audit_actions())[-4:] == [
        "security.role.create", "security.role.grant", "security.application_user.role.grant",
        "security.application_user.role.revoke",
    ]  # fmt: skip


async def test_a_grant_on_a_built_in_role_is_refused_in_the_banner_and_changes_nothing(
    live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    async with setup.transaction() as session:
        roles = (await operations.list_roles(session))["roles"]
    ats = next(r for r in roles if r["name"] == ATS_ROLE_NAME)
    before = await setup.state()
    role_page = f"/console/security/roles/{ats['id']}"
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(
            client, "/console/security/", f"{role_page}/privileges",
            {"table": "mshr_hcmworkerentity", "privilege": "Delete", "level": "Organization"},
        )  # fmt: skip
    assert answer.status_code == 400
    assert '<p class="error banner" role="alert">&#39;ATS integration&#39; is built in' in answer.text
    assert await setup.state() == before


async def test_a_role_without_a_name_is_refused_at_the_field_and_nothing_is_created(
    live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    before = await setup.state()
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(client, "/console/security/", "/console/security/roles", {"name": "  "})
    assert answer.status_code == 400
    assert 'id="role-name-error">Role name is required' in answer.text
    assert await setup.state() == before


async def test_a_role_grant_with_a_forged_csrf_token_is_refused_and_changes_nothing(
    live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    client_id = await setup.app()
    before = await setup.state()
    async with signed_in(live_hub, admin) as client:
        answer = await client.post(
            "/console/security/application-users",
            data={"client_id": client_id, "role": ATS_ROLE_NAME, "csrf_token": "forged"},
        )
    assert answer.status_code == 403
    assert await setup.state() == before


async def test_another_tenants_application_users_and_roles_are_invisible(
    page: Page, live_hub: str, database: Database
) -> None:
    contoso, _ = await tenant_with_security(database, "contoso.example", "Contoso")
    _, fabrikam = await tenant_with_security(database, "fabrikam.example", "Fabrikam")
    theirs = await fabrikam.app("Fabrikam payroll")
    async with fabrikam.transaction() as session:
        await operations.create_application_user(session, theirs, [ATS_ROLE_NAME], "Fabrikam payroll user")
        their_role = await operations.create_role(session, "Fabrikam secret role")
    await sign_in(page, live_hub, contoso)

    await page.goto(f"{live_hub}/console/security/")
    content = await page.content()
    assert "Fabrikam payroll" not in content and "Fabrikam secret role" not in content
    for path in (f"/console/security/application-users/{theirs}", f"/console/security/roles/{their_role['id']}"):
        answer = await page.goto(f"{live_hub}{path}")
        assert answer is not None and answer.status == 404, path

    before = await fabrikam.state()
    async with signed_in(live_hub, contoso) as client:
        revoked = await post_form(
            client, "/console/security/", f"/console/security/application-users/{theirs}/roles/revoke",
            {"role": ATS_ROLE_NAME},
        )  # fmt: skip
    assert revoked.status_code == 404
    assert await fabrikam.state() == before


@pytest.mark.parametrize("path", ["/console/security/", "/console/security/roles/0d6c9f8e-0000-4000-8000-000000000000"])
async def test_an_anonymous_visitor_is_sent_to_sign_in(page: Page, live_hub: str, path: str) -> None:
    await page.goto(f"{live_hub}{path}")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.url.startswith(f"{live_hub}/console/sign-in?next=")


# --- trusted issuers (issue 18, finding 2): this organisation's own, listed, added and deleted -----------------

ISSUER = "https://login.microsoftonline.com/8a3c0f8e-0000-4000-8000-000000000001/v2.0"
JWKS = "https://login.microsoftonline.com/8a3c0f8e-0000-4000-8000-000000000001/discovery/v2.0/keys"


async def test_a_trusted_issuer_is_added_listed_and_deleted_here_without_touching_another_organisation(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    _, fabrikam = await tenant_with_security(database, "fabrikam.example", "Fabrikam")
    async with fabrikam.transaction() as session:  # the same issuer and audience, trusted by another organisation
        await operations.add_trusted_issuer(session, ISSUER, JWKS, ["api://hirehub"])
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/security/")

    await page.get_by_role("link", name="Trusted issuers").click()
    await expect(page.get_by_test_id("trusted-issuer")).to_have_count(0)
    await page.get_by_role("textbox", name="Issuer").fill(ISSUER)
    await page.get_by_role("textbox", name="Key set URL (JWKS)").fill(JWKS)
    await page.get_by_role("textbox", name="Audiences").fill("api://hirehub\n")
    await page.get_by_role("button", name="Add issuer").click()

    await expect(page.get_by_role("status")).to_contain_text(f"Tokens from {ISSUER} are trusted here")
    await expect(page.get_by_test_id("trusted-issuer")).to_contain_text("api://hirehub")
    await expect(page.get_by_test_id("issuer-address")).to_have_text(
        f"{live_hub}/{setup.tenant_id}/api/data/v9.2/"
    )
    await screenshot(page, "security-trusted-issuers")
    await page.get_by_role("button", name=f"Delete {ISSUER}").click()

    await expect(page.get_by_role("status")).to_contain_text(f"Tokens from {ISSUER} are no longer trusted")
    await expect(page.get_by_test_id("trusted-issuer")).to_have_count(0)
    assert await setup.audit_actions() == ["security.trusted_issuer.add", "security.trusted_issuer.delete"]
    async with fabrikam.transaction() as session:
        assert len((await operations.list_trusted_issuers(session))["trusted_issuers"]) == 1


async def test_another_organisations_trusted_issuer_cannot_be_deleted_from_here(
    live_hub: str, database: Database
) -> None:
    admin, _ = await tenant_with_security(database, "contoso.example", "Contoso")
    _, fabrikam = await tenant_with_security(database, "fabrikam.example", "Fabrikam")
    async with fabrikam.transaction() as session:
        theirs = (await operations.add_trusted_issuer(session, ISSUER, JWKS, ["api://hirehub"]))["id"]
    before = await fabrikam.audit_actions()
    async with signed_in(live_hub, admin) as client:
        listed = await client.get("/console/security/trusted-issuers")
        answer = await post_form(
            client, "/console/security/trusted-issuers", f"/console/security/trusted-issuers/{theirs}/delete", {}
        )
    assert ISSUER not in listed.text
    assert answer.status_code == 404
    async with fabrikam.transaction() as session:
        assert [t["id"] for t in (await operations.list_trusted_issuers(session))["trusted_issuers"]] == [theirs]
    assert await fabrikam.audit_actions() == before


async def test_an_over_long_issuer_is_refused_at_the_field_and_nothing_is_trusted(
    live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    long_issuer = "https://login.example/" + "i" * 300
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(
            client, "/console/security/trusted-issuers", "/console/security/trusted-issuers",
            {"issuer": long_issuer, "jwks_uri": JWKS, "audiences": "api://hirehub"},
        )  # fmt: skip
    assert answer.status_code == 400
    assert 'id="issuer-issuer-error">the issuer is 322 characters long; at most 300 are allowed' in answer.text
    assert await setup.audit_actions() == []
