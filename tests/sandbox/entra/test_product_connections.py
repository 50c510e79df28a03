"""The product's two Entra connection types, end to end against the sandbox: *Link account* (delegated, with the
consent page and silent renewal) and the customer-owned application's certificate."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hirehub.db.session import Database
from hirehub.directories.entra.clouds import CLOUDS, CloudName
from hirehub.directories.entra.connections import ConnectionRuntime, create_connection
from hirehub.directories.entra.linking import NeedsLink, ServiceProviderApp, complete_link, delegated_token, start_link
from hirehub.directories.entra.models import ConnectionStatus, EntraConnection, EntraLinkFlow
from hirehub.directories.entra.msal_client import OutboundConfig, TokenError
from hirehub.directories.entra.permissions import GRAPH_APP_ID
from hirehub.sealing import Sealer
from hirehub.tenancy import service as tenancy
from tests.sandbox.entra.conftest import EntraSandbox
from tests.sandbox.entra.support import DelegatedSetup, consent, delegated_setup

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CALLBACK = "https://hub.example.com/connections/entra/callback"
BOX = Sealer("sandbox-tests-secret-key-0123456789", "entra-connection")


async def _tenant(database: Database) -> uuid.UUID:
    async with database.system_transaction() as session:
        return (await tenancy.create_tenant(session, name="Contoso", domain="contoso.example")).id


def _outbound(sandbox: EntraSandbox) -> OutboundConfig:
    return OutboundConfig(sandbox.host_map, verify=sandbox.ca_file)


async def _linked_connection(
    database: Database, sandbox: EntraSandbox, setup: DelegatedSetup, sp: ServiceProviderApp
) -> tuple[uuid.UUID, EntraConnection]:
    """Create a delegated connection, press *Link account*, consent as the customer's administrator, and let the
    callback redeem the code: the product's whole link flow."""
    tenant_id = await _tenant(database)
    async with database.tenant_transaction(tenant_id) as session:
        connection = await create_connection(
            session, name="Contoso (delegated)", cloud="global", connection_type="service_provider",
            directory_tenant_id=setup.customer.tenant_id, client_id=None, exchange_enabled=False, box=BOX, now=NOW,
        )  # fmt: skip
        auth_uri = await start_link(session, connection, sp=sp, outbound=_outbound(sandbox), box=BOX, now=NOW)
    callback = await asyncio.to_thread(consent, sandbox, auth_uri, setup.admin.user_principal_name)
    async with database.tenant_transaction(tenant_id) as session:
        linked = await complete_link(session, callback, sp=sp, outbound=_outbound(sandbox), box=BOX, now=NOW)
    return tenant_id, linked.connection


@pytest.fixture
def setup(entra_sandbox: EntraSandbox) -> DelegatedSetup:
    return delegated_setup(entra_sandbox.world, redirect_uri=CALLBACK)


@pytest.fixture
def sp(setup: DelegatedSetup) -> ServiceProviderApp:
    return ServiceProviderApp(setup.app.app_id, setup.secret, CALLBACK)


async def test_link_account_activates_the_connection_with_the_consented_scopes(
    database: Database, entra_sandbox: EntraSandbox, setup: DelegatedSetup, sp: ServiceProviderApp
) -> None:
    _, connection = await _linked_connection(database, entra_sandbox, setup, sp)
    assert connection.status == ConnectionStatus.ACTIVE
    assert connection.linked_account == "admin@contoso.onmicrosoft.com"
    granted = {s.rsplit("/", 1)[-1] for s in connection.granted_scopes or []}
    assert {"User.ReadWrite.All", "Group.ReadWrite.All", "Directory.AccessAsUser.All"} <= granted
    assert connection.token_cache_encrypted and "refresh_token" not in connection.token_cache_encrypted.lower()


@pytest.mark.usefixtures("msal_on_sandbox_time")
async def test_the_delegated_token_renews_silently_after_it_expires(
    database: Database, entra_sandbox: EntraSandbox, setup: DelegatedSetup, sp: ServiceProviderApp
) -> None:
    _, connection = await _linked_connection(database, entra_sandbox, setup, sp)
    first = await delegated_token(connection, sp=sp, outbound=_outbound(entra_sandbox), box=BOX)
    cache_before = connection.token_cache_encrypted
    entra_sandbox.world.clock.advance(timedelta(hours=2).total_seconds())
    renewed = await delegated_token(connection, sp=sp, outbound=_outbound(entra_sandbox), box=BOX)
    assert renewed != first
    claims = entra_sandbox.world.verify_access_token(renewed, "https://graph.microsoft.com")
    assert claims.user_object_id == setup.admin.object_id
    assert "Directory.AccessAsUser.All" in claims.scopes
    assert connection.token_cache_encrypted != cache_before  # the rotated refresh token is kept


@pytest.mark.usefixtures("msal_on_sandbox_time")
async def test_after_revocation_the_connection_needs_a_new_link(
    database: Database, entra_sandbox: EntraSandbox, setup: DelegatedSetup, sp: ServiceProviderApp
) -> None:
    _, connection = await _linked_connection(database, entra_sandbox, setup, sp)
    entra_sandbox.world.clock.advance(60)
    entra_sandbox.world.revoke_sign_in_sessions(setup.customer, setup.admin.object_id)
    entra_sandbox.world.clock.advance(timedelta(hours=2).total_seconds())
    with pytest.raises(NeedsLink):
        await delegated_token(connection, sp=sp, outbound=_outbound(entra_sandbox), box=BOX)
    assert connection.status == ConnectionStatus.NEEDS_LINK
    assert "invalid_grant" in (connection.status_detail or "")


async def test_a_link_the_administrator_cancels_is_reported_as_access_denied(
    database: Database, entra_sandbox: EntraSandbox, setup: DelegatedSetup, sp: ServiceProviderApp
) -> None:
    from hirehub.directories.entra.linking import LinkError

    tenant_id = await _tenant(database)
    async with database.tenant_transaction(tenant_id) as session:
        connection = await create_connection(
            session, name="Contoso (delegated)", cloud="global", connection_type="service_provider",
            directory_tenant_id=setup.customer.tenant_id, client_id=None, exchange_enabled=False, box=BOX, now=NOW,
        )  # fmt: skip
        auth_uri = await start_link(session, connection, sp=sp, outbound=_outbound(entra_sandbox), box=BOX, now=NOW)
    callback = await asyncio.to_thread(consent, entra_sandbox, auth_uri, setup.admin.user_principal_name, accept=False)
    # As the console does: the refusal is caught inside the transaction, so the consumed flow and the
    # connection's new status are kept.
    async with database.tenant_transaction(tenant_id) as session:
        with pytest.raises(LinkError, match="access_denied"):
            await complete_link(session, callback, sp=sp, outbound=_outbound(entra_sandbox), box=BOX, now=NOW)
    async with database.tenant_session(tenant_id) as session:
        stored = await session.get_one(EntraConnection, connection.id)
        assert stored.status == ConnectionStatus.NEEDS_LINK and "access_denied" in (stored.status_detail or "")
        assert (await session.scalar(select(func.count()).select_from(EntraLinkFlow))) == 0
    async with database.tenant_transaction(tenant_id) as session:
        with pytest.raises(LinkError, match="unknown or was already used"):
            await complete_link(session, callback, sp=sp, outbound=_outbound(entra_sandbox), box=BOX, now=NOW)


@pytest.mark.parametrize("cloud_name", [CloudName.GLOBAL, CloudName.US_GOV_L5_DOD])
async def test_a_customer_owned_connection_signs_in_with_its_uploaded_certificate(
    database: Database, entra_sandbox: EntraSandbox, cloud_name: CloudName
) -> None:
    world = entra_sandbox.world
    directory = world.add_directory()
    app = world.register_application(directory, "hirehub service account")
    world.grant_application_permissions(directory, app.app_id, {"User.ReadWrite.All"}, GRAPH_APP_ID)
    tenant_id = await _tenant(database)
    async with database.tenant_transaction(tenant_id) as session:
        connection = await create_connection(
            session, name="Contoso", cloud=cloud_name.value, connection_type="customer_owned",
            directory_tenant_id=directory.tenant_id, client_id=app.app_id, exchange_enabled=False, box=BOX, now=NOW,
        )  # fmt: skip
    assert connection.certificate_pem is not None
    world.upload_certificate(app, connection.certificate_pem)  # the administrator's "Upload certificate"
    runtime = ConnectionRuntime(outbound=_outbound(entra_sandbox), box=BOX)
    cloud = CLOUDS[cloud_name]
    token = await runtime.token(connection, cloud.graph_scope)
    claims = world.verify_access_token(token, f"https://{cloud.graph_host}")
    assert (claims.app_id, claims.tenant_id, claims.roles) == (app.app_id, directory.tenant_id, {"User.ReadWrite.All"})


async def test_before_the_certificate_is_uploaded_the_token_is_refused(
    database: Database, entra_sandbox: EntraSandbox
) -> None:
    world = entra_sandbox.world
    directory = world.add_directory()
    app = world.register_application(directory, "hirehub service account")
    tenant_id = await _tenant(database)
    async with database.tenant_transaction(tenant_id) as session:
        connection = await create_connection(
            session, name="Contoso", cloud="global", connection_type="customer_owned",
            directory_tenant_id=directory.tenant_id, client_id=app.app_id, exchange_enabled=False, box=BOX, now=NOW,
        )  # fmt: skip
    runtime = ConnectionRuntime(outbound=_outbound(entra_sandbox), box=BOX)
    with pytest.raises(TokenError) as refused:
        await runtime.token(connection, CLOUDS[CloudName.GLOBAL].graph_scope)
    assert refused.value.codes == [700027]
