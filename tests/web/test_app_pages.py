"""App registrations: registering an app, a client secret shown once, certificates, revocation, consent."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from hirehub.db.session import Database
from tests.tokens import client_credentials_token
from tests.web.console_support import csrf_of, post_form, signed_in
from tests.web.security_setup import certificate, tenant_with_security
from tests.web.support import screenshot, sign_in

pytestmark = pytest.mark.browser
TALENT_HUB = "3a225c96-d62a-44ce-b3ec-bd4e8e9befef"


async def test_an_app_is_registered_and_its_new_secret_is_shown_once_and_never_again(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)

    await page.get_by_role("link", name="App registrations").click()
    await page.get_by_label("Name").fill("ATS integration")
    await screenshot(page, "apps-list")
    await page.get_by_role("button", name="Register").click()
    await expect(page.get_by_role("status")).to_contain_text("ATS integration was registered with client ID")
    client_id = (await page.get_by_test_id("client-id").inner_text()).strip()
    await page.get_by_label("Description").fill("Recruiting sync")
    await page.get_by_role("button", name="Add client secret").click()

    await expect(page.get_by_role("heading", name="New client secret")).to_be_visible()
    await expect(page.get_by_role("alert")).to_contain_text("Copy the value now")
    secret = await page.get_by_label("Value").input_value()
    await screenshot(page, "apps-secret-shown-once")
    [stored] = await setup.credentials(client_id)
    assert len(secret) >= 40 and secret.startswith(stored["hint"])
    assert secret not in str(await setup.state())  # only its hash is kept, and the audit entry omits it

    await page.reload()
    await expect(page.get_by_test_id("secret-gone")).to_contain_text("shown only once")
    assert secret not in await page.content()
    await screenshot(page, "apps-secret-gone")
    await page.get_by_role("link", name="Back to ATS integration").click()
    assert secret not in await page.content()
    await expect(page.get_by_test_id("secret-row")).to_contain_text("Recruiting sync")
    await expect(page.get_by_test_id("secret-row")).to_contain_text(f"{secret[:3]}********")
    assert await setup.audit_actions() == ["security.app.create", "security.app.secret.add"]


async def test_a_certificate_is_uploaded_as_a_pem_file_and_listed_with_its_thumbprint_and_expiry(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    client_id = await setup.app("ATS integration")
    cert = certificate("ats-integration")
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/apps/{client_id}")

    await page.get_by_label("Certificate file (PEM)").set_input_files(
        {"name": "ats.pem", "mimeType": "application/x-pem-file", "buffer": cert.certificate_pem.encode()}
    )
    await page.get_by_role("button", name="Upload certificate").click()

    await expect(page.get_by_role("status")).to_contain_text(f"The certificate {cert.thumbprint_sha1} was added")
    row = page.get_by_test_id("certificate-row")
    await expect(row).to_contain_text(cert.thumbprint_sha1)
    await expect(row).to_contain_text(cert.not_after.strftime("%Y-%m-%d"))
    await expect(row).to_contain_text("CN=ats-integration")
    await screenshot(page, "apps-certificate")
    [stored] = await setup.credentials(client_id)
    assert (stored["kind"], stored["thumbprint"]) == ("certificate", cert.thumbprint_sha1)


async def test_a_revoked_secret_stops_getting_tokens_at_once(live_hub: str, database: Database) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    client_id = await setup.app()
    async with signed_in(live_hub, admin) as client:
        added = await post_form(client, f"/console/apps/{client_id}", f"/console/apps/{client_id}/secrets", {})
        assert added.status_code == 303
        shown = await client.get(added.headers["location"])
        secret = shown.text.split('data-testid="secret-value"')[0].rsplit('value="', 1)[1].split('"')[0]
        await client_credentials_token(client, admin.tenant_id, client_id, secret, live_hub)
        [credential] = await setup.credentials(client_id)

        revoke = f"/console/apps/{client_id}/credentials/{credential['key_id']}/revoke"
        revoked = await post_form(client, f"/console/apps/{client_id}", revoke, {})
        assert revoked.status_code == 303
        refused = await client.post(
            f"/{admin.tenant_id}/oauth2/v2.0/token",
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
                  "scope": f"{live_hub}/.default"},
        )  # fmt: skip
    assert refused.status_code == 401, refused.text
    [after] = await setup.credentials(client_id)
    assert after["revoked"] is not None
    assert (await setup.audit_actions())[-1] == "security.app.credential.revoke"


async def test_registering_works_from_the_keyboard(page: Page, live_hub: str, database: Database) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/apps/")

    await page.get_by_label("Name").focus()
    await page.keyboard.type("Keyboard app")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("checkbox", name="Multitenant")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Register")).to_be_focused()
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("status")).to_contain_text("Keyboard app was registered")
    assert [row[1] for row in (await setup.state())["AppRegistration"]] == ["Keyboard app"]


async def test_an_app_page_is_readable_at_360_pixels_without_sideways_scrolling(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    client_id = await setup.app("A registration with a rather long display name")
    await sign_in(page, live_hub, admin)
    await page.set_viewport_size({"width": 360, "height": 740})

    await page.goto(f"{live_hub}/console/apps/{client_id}")

    await expect(page.get_by_role("button", name="Add client secret")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(page, "apps-detail-360px")


async def test_a_client_id_chosen_in_the_console_is_refused_and_nothing_is_registered(
    live_hub: str, database: Database
) -> None:
    """Issue 18, finding 1: a tenant administrator registers LinkedIn Talent Hub's published adapter ID to
    receive what other organisations consent to. The form offers no client ID; a posted one is refused."""
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    before = await setup.state()
    squat = {"name": "LinkedIn Talent Hub", "client_id": TALENT_HUB, "multi_tenant": "yes"}
    async with signed_in(live_hub, admin) as client:
        form = await client.get("/console/apps/")
        answer = await post_form(client, "/console/apps/", "/console/apps/", squat)
    assert 'name="client_id"' not in form.text.split('id="register-heading"')[1].split("</form>")[0]
    assert answer.status_code == 400
    assert "registering a published app under its known client ID is the operator&#39;s act" in answer.text
    assert await setup.state() == before


async def test_an_over_long_app_name_is_refused_at_the_field_and_nothing_is_registered(
    live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    before = await setup.state()
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(client, "/console/apps/", "/console/apps/", {"name": "A" * 121})
    assert answer.status_code == 400
    assert 'id="app-name-error">the name is 121 characters long; at most 120 are allowed' in answer.text
    assert await setup.state() == before


async def test_a_file_that_is_not_a_certificate_is_refused_at_the_field_and_nothing_is_added(
    live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    client_id = await setup.app()
    before = await setup.state()
    page_path = f"/console/apps/{client_id}"
    async with signed_in(live_hub, admin) as client:
        token = csrf_of((await client.get(page_path)).text)
        answer = await client.post(
            f"{page_path}/certificates",
            data={"csrf_token": token},
            files={"certificate": ("key.pem", b"-----BEGIN PRIVATE KEY-----\nnope\n", "application/x-pem-file")},
        )
    assert answer.status_code == 400
    assert 'id="certificate-file-error">the file is not a PEM certificate' in answer.text
    assert await setup.state() == before


async def test_a_secret_posted_with_a_forged_csrf_token_is_refused_and_nothing_is_added(
    live_hub: str, database: Database
) -> None:
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    client_id = await setup.app()
    before = await setup.state()
    async with signed_in(live_hub, admin) as client:
        answer = await client.post(f"/console/apps/{client_id}/secrets", data={"days": "180", "csrf_token": "forged"})
        registered = await client.post("/console/apps/", data={"name": "Sneaky", "csrf_token": ""})
    assert (answer.status_code, registered.status_code) == (403, 403)
    assert "secret" not in answer.headers.get("set-cookie", "")
    assert await setup.state() == before


async def test_another_tenants_apps_are_neither_listed_nor_reachable(
    page: Page, live_hub: str, database: Database
) -> None:
    contoso, _ = await tenant_with_security(database, "contoso.example", "Contoso")
    _, fabrikam = await tenant_with_security(database, "fabrikam.example", "Fabrikam")
    theirs = await fabrikam.app("Fabrikam payroll")
    await sign_in(page, live_hub, contoso)

    await page.goto(f"{live_hub}/console/apps/")
    assert "Fabrikam payroll" not in await page.content()
    answer = await page.goto(f"{live_hub}/console/apps/{theirs}")
    assert answer is not None and answer.status == 404

    before = await fabrikam.state()
    async with signed_in(live_hub, contoso) as client:
        secret = await post_form(client, "/console/apps/", f"/console/apps/{theirs}/secrets", {"days": "180"})
        shown = await client.get(f"/console/apps/{theirs}/secrets/new")
    assert (secret.status_code, shown.status_code) == (404, 404)
    assert await fabrikam.state() == before


async def test_a_multitenant_app_of_another_organisation_is_used_here_after_admin_consent(
    page: Page, live_hub: str, database: Database
) -> None:
    _, vendor = await tenant_with_security(database, "vendor.example", "Vendor")
    shared = await vendor.app("Vendor ATS", multi_tenant=True)
    admin, setup = await tenant_with_security(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/apps/")

    await page.get_by_label("Client ID of a multitenant app").fill(shared)
    await page.get_by_role("button", name="Review consent").click()
    await expect(page.get_by_test_id("consent-app")).to_have_text("Vendor ATS")
    await expect(page.get_by_test_id("consent-publisher")).to_have_text("Vendor (vendor.example)")
    await expect(page.get_by_test_id("consent-grants")).to_contain_text("published by the organisation 'Vendor'")
    assert (await setup.state())["ServicePrincipal"] == []  # nothing is granted by looking
    await screenshot(page, "apps-consent")
    await page.get_by_role("button", name="Grant admin consent").click()

    await expect(page.get_by_role("status")).to_contain_text(
        f"Consent granted to Vendor ATS ({shared}), published by Vendor"
    )
    await expect(page.get_by_role("row").filter(has_text="Vendor ATS")).to_contain_text(shared)
    await expect(page.get_by_role("row").filter(has_text="Vendor ATS")).to_contain_text("Vendor (vendor.example)")
    assert (await setup.state())["ServicePrincipal"] == [(shared,)]
    assert await setup.audit_actions() == ["security.app.consent"]


@pytest.mark.parametrize("path", ["/console/apps/", "/console/apps/3a225c96-d62a-44ce-b3ec-bd4e8e9befef"])
async def test_an_anonymous_visitor_is_sent_to_sign_in(page: Page, live_hub: str, path: str) -> None:
    await page.goto(f"{live_hub}{path}")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.url.startswith(f"{live_hub}/console/sign-in?next=")
