"""The console's Entra connection pages over a connection's life: the page says which connection provisions and why
provisioning waits (as do the dashboard and the worker page); edit, disable, enable, make active, rotate and
download the new certificate, delete; a certificate close to expiry is announced on the dashboard."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from playwright.async_api import Dialog, Page, expect

from hirehub.db.session import Database
from hirehub.directories.entra.connections import create_connection
from hirehub.directories.entra.models import EntraConnection
from hirehub.directories.entra.runtime import connection_sealer
from hirehub.hr.models import Worker
from hirehub.jobs.queue import enqueue
from hirehub.lifecycle.policy import policy_to_json, starter_policy
from hirehub.provisioning.policies import set_policy
from hirehub.provisioning.sync import SYNC
from hirehub.sandbox.entra.graph import directory_store
from hirehub.sealing import Sealer
from tests.entra.support import Hub
from tests.web.console_support import linkedin_candidate, tenant_with_hr
from tests.web.entra_support import DOMAIN, EntraHub, customer_owned_connection, grant_what_the_seed_lists
from tests.web.support import make_admin, screenshot, sign_in

pytestmark = pytest.mark.browser
BOX = Sealer("a-long-enough-test-secret-key", "entra-connection")


async def _connection(
    database: Database, tenant_id: uuid.UUID, name: str, *, now: datetime | None = None, box: Sealer = BOX
) -> uuid.UUID:
    async with database.tenant_transaction(tenant_id) as session:
        connection = await create_connection(
            session, name=name, cloud="global", connection_type="customer_owned",
            directory_tenant_id=str(uuid.uuid4()), client_id=str(uuid.uuid4()), exchange_enabled=False, box=box,
            now=now or datetime.now(UTC),
        )  # fmt: skip
        return connection.id


async def test_a_wrong_first_connection_is_replaced_in_the_console_and_the_waiting_hire_goes_on(
    page: Page, entra_hub: EntraHub, database: Database
) -> None:
    # Given a tenant whose first connection names the wrong directory tenant, and a hire whose job waits for it
    admin, hr = await tenant_with_hr(database, DOMAIN, "Contoso")
    app = entra_hub.sandbox.world.register_application(entra_hub.directory, "hirehub provisioning")
    grant_what_the_seed_lists(entra_hub, app.app_id)
    directory_store(entra_hub.sandbox.world, entra_hub.directory).create_group(
        {"displayName": "All staff", "mailEnabled": False, "mailNickname": "Allstaff", "securityEnabled": True}
    )
    entra_hub.sandbox.world.clock.advance(60)
    await _connection(database, admin.tenant_id, "Wrong tenant", box=connection_sealer(entra_hub.settings))
    async with database.tenant_transaction(admin.tenant_id) as session:
        await set_policy(session, policy_to_json(starter_policy(DOMAIN)), by="test")
    await hr.position("SALES-1")
    await linkedin_candidate(hr, "Ada", "Lovelace", start=entra_hub.clock.now.date())
    jobs = Hub(
        database, admin.tenant_id, entra_hub.clock, entra_hub.sandbox.world, entra_hub.directory, entra_hub.connectors
    )
    await sign_in(page, entra_hub.url, admin)
    await page.get_by_role("link", name="Personnel management").click()
    await page.get_by_role("row").filter(has_text="Ada Lovelace").get_by_role("link", name="Hire Ada Lovelace").click()
    await page.get_by_label("Company").select_option("USMF")
    await page.get_by_label("Position").select_option(label="SALES-1 – Seat SALES-1")
    await page.get_by_role("button", name="Hire", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("Ada Lovelace was hired as")
    worker_page = page.url
    await jobs.settle(horizon=timedelta(minutes=5))
    assert [job.status for job in await jobs.jobs() if job.kind == SYNC] == ["held"]

    # Then the worker page and the dashboard say which connection provisions and why it waits
    await page.reload()
    await expect(page.get_by_test_id("provisioning-connection")).to_contain_text("Wrong tenant")
    await expect(page.get_by_test_id("provisioning-waiting")).to_contain_text("has not passed Test connection")
    await screenshot(page, "entra-lifecycle-worker-waiting")
    await page.goto(f"{entra_hub.url}/console/")
    await expect(page.get_by_test_id("provisioning-waiting")).to_contain_text("'Wrong tenant'")

    # When the administrator adds the right connection, tests it and makes it the active one
    await customer_owned_connection(entra_hub, admin.tenant_id, app)
    await page.goto(f"{entra_hub.url}/console/entra/")
    wrong, right = page.get_by_test_id("connection-Wrong tenant"), page.get_by_test_id("connection-Contoso directory")
    await expect(wrong.get_by_test_id("active-badge")).to_be_visible()
    await wrong.get_by_role("button", name="Test connection").click()
    await expect(page.get_by_role("status")).to_have_text("Test connection found problems")
    await expect(wrong.get_by_role("list", name="What is missing")).not_to_contain_text("sealed secret")
    await right.get_by_role("button", name="Test connection").click()
    await expect(page.get_by_role("status")).to_have_text("Test connection passed")
    await right.get_by_role("button", name="Make active").click()
    await expect(page.get_by_role("status")).to_have_text("Contoso directory is now the active connection")
    await expect(right.get_by_test_id("active-badge")).to_be_visible()
    await expect(wrong.get_by_test_id("active-badge")).to_have_count(0)
    await expect(page.get_by_test_id("provisioning-waiting")).to_have_count(0)
    await screenshot(page, "entra-lifecycle-replaced")

    # Then the waiting job goes on and the account exists; no job died
    await jobs.settle(horizon=timedelta(minutes=5))
    [worker] = await hr.rows(Worker)
    users = directory_store(entra_hub.sandbox.world, entra_hub.directory).all("user")
    assert [u.props["employeeId"] for u in users if u.props.get("employeeId")] == [worker.personnel_number]
    assert "dead" not in {job.status for job in await jobs.jobs()}
    await page.goto(worker_page)
    await expect(page.get_by_test_id("provisioning-connection")).to_contain_text("Contoso directory")
    await expect(page.get_by_test_id("directory-state")).to_have_text("Enabled")


async def test_a_connection_is_edited_disabled_enabled_and_made_active(
    page: Page, live_hub: str, database: Database
) -> None:
    admin = await make_admin(database, "contoso.example", "Contoso")
    await _connection(database, admin.tenant_id, "First")
    await _connection(database, admin.tenant_id, "Second")
    await sign_in(page, live_hub, admin)
    await page.get_by_role("link", name="Entra ID connection").click()
    second = page.get_by_test_id("connection-Second")

    await second.get_by_role("link", name="Edit").click()
    await page.get_by_label("Tenant ID").fill("1111-not-a-guid")
    await page.get_by_label("Name").fill("Backup directory")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("#tenant-error")).to_contain_text("tenant ID must be a GUID")
    await expect(page.get_by_label("Name")).to_have_value("Backup directory")
    await screenshot(page, "entra-lifecycle-edit-error")
    await page.get_by_label("Tenant ID").fill(str(uuid.uuid4()))
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("Connection Backup directory saved")
    backup = page.get_by_test_id("connection-Backup directory")

    first = page.get_by_test_id("connection-First")
    await first.get_by_role("button", name="Disable").click()
    await expect(page.get_by_role("status")).to_have_text("First disabled")
    await expect(first.get_by_test_id("disabled-badge")).to_be_visible()
    await expect(page.get_by_test_id("provisioning-waiting")).to_contain_text("is disabled")
    await first.get_by_role("button", name="Enable").click()
    await expect(page.get_by_role("status")).to_have_text("First enabled")

    await backup.get_by_role("button", name="Make active").click()
    await expect(backup.get_by_test_id("active-badge")).to_be_visible()
    await expect(page.get_by_test_id("provisioning-connection")).to_contain_text("Backup directory")
    await screenshot(page, "entra-lifecycle-active")


async def test_a_rotated_certificate_is_downloaded_beside_the_current_one(
    page: Page, live_hub: str, database: Database
) -> None:
    admin = await make_admin(database, "contoso.example", "Contoso")
    connection_id = await _connection(database, admin.tenant_id, "Contoso directory")
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/entra/")
    await page.get_by_role("button", name="Rotate certificate").click()
    await expect(page.get_by_role("status")).to_contain_text("New certificate")
    await expect(page.get_by_test_id("pending-certificate")).to_contain_text("Test connection to switch")
    await screenshot(page, "entra-lifecycle-rotated")
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Download new certificate").click()
    path = await (await download_info.value).path()
    with open(path, "rb") as handle:  # noqa: ASYNC230 - a few hundred bytes in a test
        new = x509.load_der_x509_certificate(handle.read())
    async with database.tenant_session(admin.tenant_id) as session:
        stored = await session.get_one(EntraConnection, connection_id)
    assert stored.pending_certificate_pem is not None and stored.certificate_pem is not None
    assert new == x509.load_pem_x509_certificate(stored.pending_certificate_pem.encode())
    assert new != x509.load_pem_x509_certificate(stored.certificate_pem.encode())


async def test_deleting_the_active_connection_is_refused_while_a_job_depends_on_it(
    page: Page, live_hub: str, database: Database
) -> None:
    admin = await make_admin(database, "contoso.example", "Contoso")
    await _connection(database, admin.tenant_id, "Active")
    await _connection(database, admin.tenant_id, "Spare")
    async with database.tenant_transaction(admin.tenant_id) as session:
        await enqueue(session, SYNC, {"person_id": str(uuid.uuid4()), "reason": "worker.hired"})
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/entra/")
    questions: list[str] = []

    async def accept(dialog: Dialog) -> None:
        questions.append(dialog.message)
        await dialog.accept()

    page.on("dialog", accept)
    await page.get_by_test_id("connection-Active").get_by_role("button", name="Delete").click()
    await expect(page.get_by_role("alert")).to_contain_text("provisioning job(s) depend on it")
    await expect(page.get_by_test_id("connection-Active")).to_be_visible()
    await screenshot(page, "entra-lifecycle-delete-refused")
    await page.get_by_test_id("connection-Spare").get_by_role("button", name="Delete").click()
    await expect(page.get_by_role("status")).to_have_text("Connection Spare deleted")
    await expect(page.get_by_test_id("connection-Spare")).to_have_count(0)
    assert questions[-1].startswith("Delete the connection Spare?")


async def test_a_certificate_close_to_expiry_is_announced_on_the_dashboard(
    page: Page, live_hub: str, database: Database
) -> None:
    admin = await make_admin(database, "contoso.example", "Contoso")
    await _connection(database, admin.tenant_id, "Contoso directory", now=datetime.now(UTC) - timedelta(days=710))
    await sign_in(page, live_hub, admin)
    banner = page.get_by_test_id("certificate-expiring")
    await expect(banner).to_contain_text("The certificate of the connection Contoso directory expires in 19 days")
    await screenshot(page, "entra-lifecycle-expiry-banner")
    await page.goto(f"{live_hub}/console/entra/")
    await expect(page.get_by_test_id("certificate-expiring")).to_contain_text("rotate it")
