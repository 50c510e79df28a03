"""A delegated (service-provider) connection provisions through jobs, and a revoked grant pauses them.

The seed's promise for *Link account*: the hub acts with the administrator's delegated consent and renews its
tokens silently; when the grant stops working only the administrator can fix it, so the connection is marked as
needing a new link and its jobs wait (held, no attempt spent) instead of failing; linking again lets them go on.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hirehub.db.session import Database
from hirehub.directories.entra.connections import ConnectionRuntime, create_connection
from hirehub.directories.entra.connector_factory import EntraConnectors
from hirehub.directories.entra.linking import ServiceProviderApp, complete_link, start_link
from hirehub.directories.entra.models import ConnectionStatus, EntraConnection
from hirehub.directories.entra.msal_client import OutboundConfig
from hirehub.hr import services
from hirehub.jobs.errors import PAUSED_PREFIX
from hirehub.jobs.queue import resume_paused
from hirehub.lifecycle.policy import policy_to_json, starter_policy
from hirehub.provisioning import directory_connections
from hirehub.provisioning.connectors import Connectors
from hirehub.provisioning.policies import set_policy
from hirehub.sandbox.entra.graph import directory_store
from hirehub.sealing import Sealer
from hirehub.tenancy import service as tenancy
from tests.entra.support import Clock, Hub
from tests.sandbox.entra.conftest import (  # noqa: F401
    EntraSandbox,
    entra_sandbox,
    entra_world,
    msal_on_sandbox_time,
    sandbox_certificate_authority,
)
from tests.sandbox.entra.support import DelegatedSetup, consent, delegated_setup

CALLBACK = "https://hub.example.com/connections/entra/callback"
BOX = Sealer("delegated e2e secret key of 32 bytes", "entra-connection")
DOMAIN = "contoso.onmicrosoft.com"


@dataclass
class Delegated:
    hub: Hub
    setup: DelegatedSetup
    sandbox: EntraSandbox
    sp: ServiceProviderApp
    factory: EntraConnectors
    connection_id: uuid.UUID

    def outbound(self) -> OutboundConfig:
        return OutboundConfig(self.sandbox.host_map, verify=self.sandbox.ca_file)

    async def link(self) -> None:
        """*Link account*: start, consent as the customer's administrator, and let the callback redeem the code."""
        async with self.hub.transaction() as session:
            connection = await session.get_one(EntraConnection, self.connection_id)
            auth_uri = await start_link(
                session, connection, sp=self.sp, outbound=self.outbound(), box=BOX, now=self.hub.clock()
            )
        callback = await asyncio.to_thread(consent, self.sandbox, auth_uri, self.setup.admin.user_principal_name)
        async with self.hub.transaction() as session:
            linked = await complete_link(
                session, callback, sp=self.sp, outbound=self.outbound(), box=BOX, now=self.hub.clock()
            )
            assert linked.connection.id == self.connection_id
            await resume_paused(session, now=self.hub.clock())  # what the console's callback does with the result

    async def test(self) -> None:
        """*Test connection*, which a connection must pass before it provisions."""
        async with self.hub.transaction() as session:
            connection = await session.get_one(EntraConnection, self.connection_id)
            verdict = await directory_connections.test(
                session, connection, self.factory.runtime, now=self.hub.clock(), actor="test"
            )
        assert verdict.ok, verdict.problems

    async def connection(self) -> EntraConnection:
        async with self.hub.database.tenant_session(self.hub.tenant_id) as session:
            return await session.get_one(EntraConnection, self.connection_id)


@pytest.fixture
async def delegated(database: Database, entra_sandbox: EntraSandbox) -> AsyncIterator[Delegated]:  # noqa: F811
    world = entra_sandbox.world
    setup = delegated_setup(world, redirect_uri=CALLBACK)
    directory_store(world, setup.customer).create_group(
        {"displayName": "All staff", "mailEnabled": False, "mailNickname": "staff", "securityEnabled": True}
    )
    world.clock.advance(60)
    sp = ServiceProviderApp(setup.app.app_id, setup.secret, CALLBACK)
    async with database.system_transaction() as session:
        tenant = await tenancy.create_tenant(session, name="Contoso", domain=DOMAIN)
    async with database.tenant_transaction(tenant.id) as session:
        connection = await create_connection(
            session, name="Contoso (delegated)", cloud="global", connection_type="service_provider",
            directory_tenant_id=setup.customer.tenant_id, client_id=None, exchange_enabled=False, box=BOX,
            now=datetime.now(UTC),
        )  # fmt: skip
        await set_policy(session, policy_to_json(starter_policy(DOMAIN)), by="test")
    runtime = ConnectionRuntime(
        outbound=OutboundConfig(entra_sandbox.host_map, entra_sandbox.ca_file),
        box=BOX,
        service_provider=sp,
        http=entra_sandbox.async_client(),
    )
    factory = EntraConnectors(database, runtime)
    clock = Clock(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    hub = Hub(database, tenant.id, clock, world, setup.customer, Connectors([factory]))
    yield Delegated(hub, setup, entra_sandbox, sp, factory, connection.id)
    assert runtime.http is not None
    await runtime.http.aclose()


@pytest.mark.usefixtures("msal_on_sandbox_time")
async def test_a_revoked_grant_pauses_the_jobs_until_the_account_is_linked_again(delegated: Delegated) -> None:
    hub = delegated.hub
    await delegated.link()
    await delegated.test()
    worker = await hub.hire("José", "Núñez")
    await hub.settle()
    assert hub.account(f"jose.nunez@{DOMAIN}")["accountEnabled"] is True  # provisioned with the delegated grant

    # The administrator's sessions are revoked; once the access token has expired, renewal fails.
    delegated.sandbox.world.clock.advance(60)
    delegated.sandbox.world.revoke_sign_in_sessions(delegated.setup.customer, delegated.setup.admin.object_id)
    delegated.sandbox.world.clock.advance(timedelta(hours=2).total_seconds())
    delegated.factory._delegated.clear()  # as a worker process started after the revocation would be
    sales = await hub.department("D-SALES", "Sales")
    async with hub.transaction() as session:
        await services.transfer(session, worker, hub.clock().date(), department_id=sales)
    await hub.settle()

    assert (await delegated.connection()).status == ConnectionStatus.NEEDS_LINK
    held = [job for job in await hub.jobs() if job.status == "held"]
    assert len(held) == 1 and held[0].kind == "provisioning.sync"
    assert (held[0].last_error or "").startswith(PAUSED_PREFIX) and "Link account" in (held[0].last_error or "")
    assert held[0].attempts == 0  # waiting for a person spends no attempt
    assert "department" not in hub.account(f"jose.nunez@{DOMAIN}")

    await delegated.link()
    assert (await delegated.connection()).status == ConnectionStatus.ACTIVE
    await hub.settle()
    assert hub.account(f"jose.nunez@{DOMAIN}")["department"] == "Sales"
    assert {job.status for job in await hub.jobs() if job.kind == "provisioning.sync"} == {"succeeded"}
    async with hub.database.tenant_session(hub.tenant_id) as session:
        assert (await session.scalars(select(EntraConnection))).one().token_cache_encrypted
