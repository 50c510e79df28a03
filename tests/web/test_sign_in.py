"""Console sign-in, in a real browser: anonymous visitors are sent to sign in; tenants never meet."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Page, expect

from hirehub.db.session import Database
from tests.web.support import make_admin, screenshot, sign_in

pytestmark = pytest.mark.browser


async def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(page: Page, live_hub: str, database: Database) -> None:
    admin = await make_admin(database, "contoso.example", "Contoso")
    await page.goto(f"{live_hub}/console/")
    await expect(page).to_have_url(f"{live_hub}/console/sign-in?next=/console/")
    await screenshot(page, "sign-in")
    await sign_in(page, live_hub, admin)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Contoso")
    await expect(page.get_by_text(str(admin.tenant_id))).to_be_visible()
    await screenshot(page, "overview")


async def test_a_wrong_password_is_explained_next_to_the_field(page: Page, live_hub: str, database: Database) -> None:
    admin = await make_admin(database, "contoso.example", "Contoso")
    await page.goto(f"{live_hub}/console/sign-in")
    await page.get_by_label("E-mail address").fill(admin.email)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("the e-mail address or the password is not right")
    await expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    await screenshot(page, "sign-in-error")


async def test_the_sign_in_form_works_from_the_keyboard_alone(page: Page, live_hub: str, database: Database) -> None:
    admin = await make_admin(database, "contoso.example", "Contoso")
    await page.goto(f"{live_hub}/console/sign-in")
    await page.keyboard.press("Tab")  # the skip link comes first
    await page.keyboard.press("Tab")
    await page.keyboard.type(admin.email)
    await page.keyboard.press("Tab")
    await page.keyboard.type(admin.password)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{live_hub}/console/")


async def test_an_administrator_sees_only_their_own_tenant(page: Page, live_hub: str, database: Database) -> None:
    contoso = await make_admin(database, "contoso.example", "Contoso")
    await make_admin(database, "fabrikam.example", "Fabrikam")
    await sign_in(page, live_hub, contoso)
    content = await page.content()
    assert "Contoso" in content
    assert "Fabrikam" not in content and "fabrikam.example" not in content


async def test_signing_out_ends_the_session(page: Page, live_hub: str, database: Database) -> None:
    admin = await make_admin(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)
    await page.get_by_role("button", name="Sign out").click()
    await page.goto(f"{live_hub}/console/")
    await expect(page).to_have_url(f"{live_hub}/console/sign-in?next=/console/")


async def test_the_page_is_readable_at_a_phone_width(page: Page, live_hub: str, database: Database) -> None:
    admin = await make_admin(database, "contoso.example", "Contoso")
    await page.set_viewport_size({"width": 360, "height": 740})
    await sign_in(page, live_hub, admin)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    await screenshot(page, "overview-narrow")


async def test_a_form_posted_without_its_csrf_token_is_refused(live_hub: str, database: Database) -> None:
    await make_admin(database, "contoso.example", "Contoso")
    async with httpx.AsyncClient(base_url=live_hub) as client:
        await client.get("/console/sign-in")
        response = await client.post(
            "/console/sign-in",
            data={"email": "admin@contoso.example", "password": "x", "csrf_token": "forged"},
        )
    assert response.status_code == 403
    assert "hirehub_console" not in response.cookies
