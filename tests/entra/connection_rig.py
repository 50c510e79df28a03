"""A tenant's Entra connection of either type on the Entra sandbox, with a runtime that remembers every bearer token
it sent and to which host (the real host names: the host map reroutes them underneath)."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt

from hirehub.db.session import Database
from hirehub.directories.entra.clouds import CLOUDS, Cloud, CloudName
from hirehub.directories.entra.connection_runtime import ConnectionRuntime
from hirehub.directories.entra.connections import create_connection
from hirehub.directories.entra.linking import ServiceProviderApp, complete_link, start_link
from hirehub.directories.entra.models import EntraConnection
from hirehub.directories.entra.msal_client import OutboundConfig
from hirehub.sandbox.entra.graph import directory_store
from hirehub.sandbox.entra.graph_store import GraphStore
from hirehub.sandbox.entra.world import Application, Directory
from hirehub.sealing import Sealer
from hirehub.tenancy import service as tenancy
from tests.sandbox.entra.conftest import EntraSandbox
from tests.sandbox.entra.graph_support import (
    EXCHANGE_ADMINISTRATOR,
    EXCHANGE_APP_ID,
    GRAPH_APP_ID,
    SEED_GRAPH_PERMISSIONS,
    USER_ADMINISTRATOR,
    user_body,
)
from tests.sandbox.entra.support import consent, delegated_setup

BOX = Sealer("connection rig secret key of 32 bytes", "entra-connection")
CALLBACK = "https://hub.example.com/connections/entra/callback"
NOW = datetime.now(UTC)  # the sandbox checks certificates against its clock, which starts at the wall clock


def audience(token: str) -> str:
    """The ``aud`` claim of an access token (read, not verified: the sandbox verifies)."""
    return str(jwt.decode(token, options={"verify_signature": False})["aud"])


@dataclass
class SentTokens:
    """Every ``Authorization: Bearer`` the runtime's httpx client sent, by the host it addressed."""

    by_host: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    async def __call__(self, request: httpx.Request) -> None:
        authorization = request.headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            self.by_host[request.url.host].append(authorization[7:])


@dataclass
class Rig:
    database: Database
    sandbox: EntraSandbox
    tenant_id: uuid.UUID
    directory: Directory
    runtime: ConnectionRuntime
    connection_id: uuid.UUID
    sent: SentTokens
    app: Application | None = None

    @property
    def store(self) -> GraphStore:
        return directory_store(self.sandbox.world, self.directory)

    async def connection(self) -> EntraConnection:
        async with self.database.tenant_session(self.tenant_id) as session:
            return await session.get_one(EntraConnection, self.connection_id)

    def grant_everything(self, *, exchange: bool) -> None:
        """The administrator grants what Hire2Retire's guide lists (and Exchange's permission and role)."""
        assert self.app is not None
        world = self.sandbox.world
        world.grant_application_permissions(self.directory, self.app.app_id, SEED_GRAPH_PERMISSIONS, GRAPH_APP_ID)
        world.assign_directory_role(self.directory, self.app.app_id, USER_ADMINISTRATOR)
        if exchange:
            world.grant_application_permissions(
                self.directory, self.app.app_id, ["Exchange.ManageAsApp"], EXCHANGE_APP_ID
            )
            world.assign_directory_role(self.directory, self.app.app_id, EXCHANGE_ADMINISTRATOR)

    def add_mailbox_user(self, key: str, mail: str) -> None:
        self.store.create_user(user_body(key, mail=mail))


def outbound(sandbox: EntraSandbox, **kwargs: Any) -> OutboundConfig:
    return OutboundConfig(sandbox.host_map, verify=sandbox.ca_file, **kwargs)


def recording_runtime(sandbox: EntraSandbox, **kwargs: Any) -> tuple[ConnectionRuntime, SentTokens]:
    sent = SentTokens()
    http = sandbox.async_client()
    http.event_hooks = {"request": [sent], "response": []}
    return ConnectionRuntime(outbound=outbound(sandbox), box=BOX, http=http, **kwargs), sent


async def _tenant(database: Database) -> uuid.UUID:
    async with database.system_transaction() as session:
        return (await tenancy.create_tenant(session, name="Contoso", domain=f"{uuid.uuid4().hex[:12]}.example")).id


async def customer_owned(
    database: Database,
    sandbox: EntraSandbox,
    *,
    cloud: CloudName = CloudName.GLOBAL,
    exchange: bool = False,
    granted: bool = True,
    uploaded: bool = True,
) -> Rig:
    """A customer-owned connection whose certificate the administrator uploaded (and, if ``granted``, with every
    permission and role the hub needs)."""
    world = sandbox.world
    directory = world.add_directory(default_domain="contoso.onmicrosoft.com")
    app = world.register_application(directory, "hirehub service account")
    tenant_id = await _tenant(database)
    async with database.tenant_transaction(tenant_id) as session:
        connection = await create_connection(
            session, name="Contoso", cloud=cloud.value, connection_type="customer_owned",
            directory_tenant_id=directory.tenant_id, client_id=app.app_id, exchange_enabled=exchange, box=BOX,
            now=NOW,
        )  # fmt: skip
    assert connection.certificate_pem is not None
    if uploaded:
        world.upload_certificate(app, connection.certificate_pem)
    runtime, sent = recording_runtime(sandbox)
    rig = Rig(database, sandbox, tenant_id, directory, runtime, connection.id, sent, app)
    if granted:
        rig.grant_everything(exchange=exchange)
    return rig


async def delegated(
    database: Database,
    sandbox: EntraSandbox,
    *,
    exchange: bool = False,
    linked: bool = True,
    cloud: CloudName = CloudName.GLOBAL,
) -> tuple[Rig, ServiceProviderApp]:
    """A service-provider connection in ``cloud`` (the hub's app of that cloud configured), linked by the customer's
    administrator through the consent page when ``linked``."""
    setup = delegated_setup(sandbox.world, redirect_uri=CALLBACK)
    sp = ServiceProviderApp(setup.app.app_id, setup.secret, CALLBACK)
    tenant_id = await _tenant(database)
    async with database.tenant_transaction(tenant_id) as session:
        connection = await create_connection(
            session, name="Contoso (delegated)", cloud=cloud.value, connection_type="service_provider",
            directory_tenant_id=setup.customer.tenant_id, client_id=None, exchange_enabled=exchange, box=BOX, now=NOW,
        )  # fmt: skip
    apps = {"service_provider": sp} if cloud is CloudName.GLOBAL else {"service_providers": {cloud: sp}}
    runtime, sent = recording_runtime(sandbox, **apps)
    rig = Rig(database, sandbox, tenant_id, setup.customer, runtime, connection.id, sent)
    if linked:
        async with database.tenant_transaction(tenant_id) as session:
            stored = await session.get_one(EntraConnection, connection.id)
            auth_uri = await start_link(session, stored, sp=sp, outbound=outbound(sandbox), box=BOX, now=NOW)
        callback = await asyncio.to_thread(consent, sandbox, auth_uri, setup.admin.user_principal_name)
        async with database.tenant_transaction(tenant_id) as session:
            await complete_link(session, callback, sp=sp, outbound=outbound(sandbox), box=BOX, now=NOW)
    return rig, sp


def cloud_of(name: CloudName) -> Cloud:
    return CLOUDS[name]
