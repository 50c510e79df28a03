"""The Entra ID connection page: create a connection, see field errors in place, download the certificate."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from cryptography import x509
from playwright.async_api import Page, expect

from hirehub.db.session import Database
from hirehub.directories.entra.connections import create_connection
from hirehub.sealing import Sealer
from tests.web.support import make_admin, screenshot, sign_in

pytestmark = pytest.mark.browser


async def test_a_customer_owned_connection_is_created_and_its_certificate_downloaded(
    page: Page, live_hub: str, database: Database
) -> None:
    admin = await make_admin(database, "contoso.example", "Contoso")
    await sign_in(page, live_hub, admin)
    await page.get_by_role("link", name="Entra ID connection").click()
    await page.get_by_label("Name").fill("Contoso directory")
    await page.get_by_label("National cloud").select_option("us_gov_l4")
    await page.get_by_label("Tenant ID").fill("not-a-guid")
    await page.get_by_label("Client ID (customer-owned application)").fill(str(uuid.uuid4()))
    await page.get_by_role("button", name="Create connection").click()
    await expect(page.locator("#tenant-error")).to_contain_text("tenant ID must be a GUID")
    await expect(page.get_by_label("Tenant ID")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Name")).to_have_value("Contoso directory")
    await screenshot(page, "entra-connection-error")

    await page.get_by_label("Tenant ID").fill(str(uuid.uuid4()))
    await page.get_by_role("button", name="Create connection").click()
    await expect(page.get_by_role("status")).to_contain_text("Connection Contoso directory created")
    await expect(page.get_by_role("heading", name="Contoso directory")).to_be_visible()
    await screenshot(page, "entra-connection")

    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Download certificate").click()
    download = await download_info.value
    path = await download.path()
    with open(path, "rb") as handle:  # noqa: ASYNC230 - a few hundred bytes in a test
        cert = x509.load_der_x509_certificate(handle.read())
    assert cert.subject.rfc4514_string() == "CN=hirehub Contoso directory"


async def test_another_tenants_connection_is_neither_listed_nor_downloadable(
    page: Page, live_hub: str, database: Database
) -> None:
    fabrikam = await make_admin(database, "fabrikam.example", "Fabrikam")
    contoso = await make_admin(database, "contoso.example", "Contoso")
    async with database.tenant_transaction(fabrikam.tenant_id) as session:
        other = await create_connection(
            session,
            name="Fabrikam directory",
            cloud="global",
            connection_type="customer_owned",
            directory_tenant_id=str(uuid.uuid4()),
            client_id=str(uuid.uuid4()),
            exchange_enabled=False,
            box=Sealer("a-long-enough-test-secret-key", "entra-connection"),
            now=datetime.now(UTC),
        )
    await sign_in(page, live_hub, contoso)
    await page.goto(f"{live_hub}/console/entra/")
    assert "Fabrikam directory" not in await page.content()
    response = await page.goto(f"{live_hub}/console/entra/{other.id}/certificate.cer")
    assert response is not None and response.status == 404
