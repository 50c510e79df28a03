"""*Microsoft Entra applications* (client ID → HR user), and the whole set-up of an ATS integration through the
console: an app set up only through these pages gets a token and reads HR data through the Dataverse API."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Page, expect

from hirehub.db.session import Database
from hirehub.security import operations
from hirehub.security.privileges import ATS_ROLE_NAME, RECRUITING_ROLE_ID
from tests.tokens import client_credentials_token
from tests.web.console_support import post_form, signed_in, tenant_with_hr
from tests.web.security_setup import SecuritySetup, certificate, tenant_with_security
from tests.web.support import screenshot, sign_in

pytestmark = pytest.mark.browser


async def test_an_ats_integration_set_up_through_the_console_reads_workers_through_the_api(
    page: Page, live_hub: str, database: Database
) -> None:
    """The seed's set-up, page by page: register the app, add a secret (shown once) and a certificate, create the
    HR user with the Recruiting application role, link the client ID to it, give the app's user the ATS
    integration role — and the app then gets a token and reads a table."""
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    worker = await hr.hired("Grace", "Hopper")
    setup = SecuritySetup(database, admin.tenant_id)
    await sign_in(page, live_hub, admin)

    # App registrations: register, add a secret (copied now: it is never shown again), upload a certificate.
    await page.get_by_role("link", name="App registrations").click()
    await page.get_by_label("Name").fill("ATS integration")
    await page.get_by_role("button", name="Register").click()
    client_id = (await page.get_by_test_id("client-id").inner_text()).strip()
    await page.get_by_role("button", name="Add client secret").click()
    secret = await page.get_by_label("Value").input_value()
    await page.reload()
    await expect(page.get_by_test_id("secret-gone")).to_be_visible()
    assert secret not in await page.content()
    await page.get_by_role("link", name="Back to ATS integration").click()
    cert = certificate()
    await page.get_by_label("Certificate file (PEM)").set_input_files(
        {"name": "ats.pem", "mimeType": "application/x-pem-file", "buffer": cert.certificate_pem.encode()}
    )
    await page.get_by_role("button", name="Upload certificate").click()
    await expect(page.get_by_test_id("certificate-row")).to_contain_text(cert.thumbprint_sha1)
    await screenshot(page, "flow-app-registration")

    # HR users: the user the app acts as, with the Recruiting application role.
    await page.get_by_role("link", name="HR users").click()
    await page.get_by_label("User ID").fill("RecruitingIntegration")
    await page.get_by_label(f"Recruiting application ({RECRUITING_ROLE_ID})").check()
    await page.get_by_role("button", name="Create HR user").click()
    await expect(page.get_by_test_id("hr-user-roles")).to_contain_text("Recruiting application")

    # Microsoft Entra applications: Client ID, Name, User ID.
    await page.get_by_role("link", name="Microsoft Entra applications").click()
    await page.get_by_label("Client ID").fill(client_id)
    await page.get_by_label("Name").fill("ATS integration")
    await page.get_by_label("User ID").select_option("RecruitingIntegration")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_test_id("entra-app-link")).to_contain_text(client_id)
    await expect(page.get_by_test_id("entra-app-link")).to_contain_text("RecruitingIntegration")
    await screenshot(page, "flow-entra-applications")

    # Security roles: the app's user in this organisation, with the ATS integration role.
    await page.get_by_role("link", name="Security roles").click()
    await page.get_by_label("Application (required)").select_option(client_id)
    await page.get_by_label("Security role (required)").select_option(ATS_ROLE_NAME)
    await page.get_by_role("button", name="Create application user").click()
    await expect(page.get_by_test_id("app-user-roles")).to_contain_text(ATS_ROLE_NAME)
    await screenshot(page, "flow-application-user")

    async with httpx.AsyncClient(base_url=live_hub) as api:
        token = await client_credentials_token(api, admin.tenant_id, client_id, secret, live_hub)
        answer = await api.get(
            "/api/data/v9.2/mshr_hcmworkerentities?$select=mshr_personnelnumber,mshr_firstname",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 200, answer.text
    assert [(w["mshr_personnelnumber"], w["mshr_firstname"]) for w in answer.json()["value"]] == [
        (worker.personnel_number, "Grace")
    ]
    assert await setup.audit_actions() == [
        "security.app.create", "security.app.secret.add", "security.app.certificate.add", "security.hr_user.create",
        "security.entra_app_link.create", "security.application_user.create",
    ]  # fmt: skip


async def test_removing_the_link_stops_the_apps_calls(page: Page, live_hub: str, database: Database) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    client_id = await setup.app("ATS integration")
    await setup.hr_user("ats-integration", RECRUITING_ROLE_ID)
    async with setup.transaction() as session:
        secret = (await operations.add_secret(session, client_id, 30, None))["secret"]
        await operations.create_application_user(session, client_id, [ATS_ROLE_NAME], None)
        await operations.create_entra_app_link(session, client_id, "ATS", "ats-integration")
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/entra-apps/")
    await screenshot(page, "entra-applications")

    await page.get_by_role("button", name="Remove the link of ATS").click()

    await expect(page.get_by_role("status")).to_contain_text(f"The link of ATS ({client_id}) was removed")
    await expect(page.get_by_text("No apps are linked yet.")).to_be_visible()
    async with httpx.AsyncClient(base_url=live_hub) as api:
        token = await client_credentials_token(api, admin.tenant_id, client_id, secret, live_hub)
        refused = await api.get("/api/data/v9.2/mshr_hcmworkerentities", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403, refused.text
    assert (await setup.audit_actions())[-1] == "security.entra_app_link.delete"


async def test_a_malformed_client_id_and_an_unknown_user_are_shown_at_their_fields_and_nothing_is_linked(
    live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    await setup.hr_user("ats-integration", RECRUITING_ROLE_ID)
    client_id = await setup.app()
    before = await setup.state()
    async with signed_in(live_hub, admin) as client:
        malformed = await post_form(
            client, "/console/entra-apps/", "/console/entra-apps/",
            {"client_id": "not-a-guid", "name": "ATS", "user_id": "ats-integration"},
        )  # fmt: skip
        unknown = await post_form(
            client, "/console/entra-apps/", "/console/entra-apps/",
            {"client_id": client_id, "name": "ATS", "user_id": "nobody"},
        )  # fmt: skip
    assert (malformed.status_code, unknown.status_code) == (400, 404)  # malformed input; an HR user not found
    assert 'id="link-client_id-error">&#39;not-a-guid&#39; is not a client ID (a GUID)' in malformed.text
    assert 'id="link-user_id-error">no HR user &#39;nobody&#39;' in unknown.text
    assert await setup.state() == before


async def test_a_link_posted_with_a_forged_csrf_token_is_refused_and_nothing_is_linked(
    live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    await setup.hr_user("ats-integration", RECRUITING_ROLE_ID)
    client_id = await setup.app()
    before = await setup.state()
    async with signed_in(live_hub, admin) as client:
        answer = await client.post(
            "/console/entra-apps/",
            data={"client_id": client_id, "name": "ATS", "user_id": "ats-integration", "csrf_token": "forged"},
        )
    assert answer.status_code == 403
    assert await setup.state() == before


async def test_another_tenants_links_are_invisible_and_cannot_be_removed(
    page: Page, live_hub: str, database: Database
) -> None:
    contoso, _ = await tenant_with_security(database, "contoso.example", "Contoso")
    _, fabrikam = await tenant_with_security(database, "fabrikam.example", "Fabrikam")
    await fabrikam.hr_user("fabrikam-payroll", RECRUITING_ROLE_ID)
    theirs = await fabrikam.app("Fabrikam payroll")
    async with fabrikam.transaction() as session:
        await operations.create_entra_app_link(session, theirs, "Fabrikam payroll", "fabrikam-payroll")
    await sign_in(page, live_hub, contoso)

    await page.goto(f"{live_hub}/console/entra-apps/")
    content = await page.content()
    assert theirs not in content and "fabrikam-payroll" not in content

    before = await fabrikam.state()
    async with signed_in(live_hub, contoso) as client:
        removed = await post_form(client, "/console/entra-apps/", f"/console/entra-apps/{theirs}/remove", {})
    assert removed.status_code == 404
    assert await fabrikam.state() == before


async def test_an_anonymous_visitor_is_sent_to_sign_in(page: Page, live_hub: str) -> None:
    await page.goto(f"{live_hub}/console/entra-apps/")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.url == f"{live_hub}/console/sign-in?next=/console/entra-apps/"
