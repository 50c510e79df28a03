"""An Entra connection's life against the Entra sandbox: jobs wait (paused, never dead) until the active connection
has passed *Test connection*; a wrong first connection is replaced by a right one with no job dying; enable,
disable, edit and delete; exactly one active connection; certificates rotated with no failed call, and warned
about before they expire.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hirehub.audit.models import AuditEntry
from hirehub.db.session import Database
from hirehub.directories.entra import certificate_expiry
from hirehub.directories.entra import connection_lifecycle as lifecycle
from hirehub.directories.entra.connections import ConnectionRuntime, create_connection
from hirehub.directories.entra.connector_factory import EntraConnectors
from hirehub.directories.entra.models import EntraConnection
from hirehub.directories.entra.msal_client import OutboundConfig
from hirehub.errors import Conflict, Invalid, NotFound
from hirehub.jobs.errors import PAUSED_PREFIX
from hirehub.lifecycle.policy import policy_to_json, starter_policy
from hirehub.metrics import REGISTRY
from hirehub.provisioning import directory_connections as connections
from hirehub.provisioning.connectors import Connectors
from hirehub.provisioning.policies import set_policy
from hirehub.sandbox.entra.graph import directory_store
from hirehub.sandbox.entra.world import Application, EntraWorld, SandboxClock
from hirehub.sealing import Sealer
from hirehub.tenancy import service as tenancy
from tests.entra.support import Clock, Hub
from tests.sandbox.entra.conftest import EntraSandbox, entra_sandbox, sandbox_certificate_authority  # noqa: F401
from tests.sandbox.entra.graph_support import GRAPH_APP_ID, SEED_GRAPH_PERMISSIONS, USER_ADMINISTRATOR

DOMAIN = "contoso.onmicrosoft.com"
BOX = Sealer("lifecycle e2e secret key of 32 bytes", "entra-connection")
ACTOR = "test"


@pytest.fixture
def entra_world() -> EntraWorld:
    return EntraWorld(clock=SandboxClock(speed=10.0))


@dataclass
class Lifecycle:
    hub: Hub
    runtime: ConnectionRuntime
    app: Application

    async def create(self, name: str, *, directory_tenant_id: str | None = None, upload: bool = True) -> uuid.UUID:
        """A customer-owned connection to the sandbox app (its certificate uploaded unless ``upload`` is false)."""
        async with self.hub.transaction() as session:
            connection = await create_connection(
                session, name=name, cloud="global", connection_type="customer_owned",
                directory_tenant_id=directory_tenant_id or self.hub.directory.tenant_id, client_id=self.app.app_id,
                exchange_enabled=False, box=BOX, now=datetime.now(UTC),
            )  # fmt: skip
            assert connection.certificate_pem is not None
            if upload:
                self.hub.world.upload_certificate(self.app, connection.certificate_pem)
            return connection.id

    async def change(self, connection_id: uuid.UUID, what: str, *args: Any) -> Any:
        """One of the services of :mod:`hirehub.provisioning.directory_connections` or of the lifecycle, in a
        transaction of the tenant, as the console, the CLI and the admin API call them."""
        async with self.hub.transaction() as session:
            connection = await lifecycle.get_connection(session, connection_id, lock=True)
            now = datetime.now(UTC)
            if what == "test":
                return await connections.test(session, connection, self.runtime, now=now, actor=ACTOR)
            if what == "activate":
                return await connections.activate(session, connection, now=now, actor=ACTOR)
            if what == "enabled":
                return await connections.set_enabled(session, connection, args[0], now=now, actor=ACTOR)
            if what == "delete":
                return await connections.delete(session, connection, actor=ACTOR)
            if what == "update":
                return await lifecycle.update_connection(session, connection, args[0], actor=ACTOR)
            if what == "rotate":
                return await lifecycle.rotate_certificate(session, connection, box=BOX, now=now, actor=ACTOR)
            raise AssertionError(what)

    async def connection(self, connection_id: uuid.UUID) -> EntraConnection:
        async with self.hub.database.tenant_session(self.hub.tenant_id) as session:
            return await session.get_one(EntraConnection, connection_id)

    async def syncs(self) -> list[Any]:
        return [job for job in await self.hub.jobs() if job.kind == "provisioning.sync"]

    async def calls_failed(self) -> int:
        """Attempts that failed: any job that needed more than the one attempt that succeeded, or is dead."""
        jobs = await self.hub.jobs()
        return sum(1 for job in jobs if job.status == "dead" or (job.status == "succeeded" and job.attempts > 1))


@pytest.fixture
async def life(database: Database, entra_sandbox: EntraSandbox) -> AsyncIterator[Lifecycle]:  # noqa: F811
    world = entra_sandbox.world
    directory = world.add_directory(default_domain=DOMAIN)
    app = world.register_application(directory, "hirehub provisioning")
    world.grant_application_permissions(directory, app.app_id, SEED_GRAPH_PERMISSIONS, GRAPH_APP_ID)
    world.assign_directory_role(directory, app.app_id, USER_ADMINISTRATOR)
    directory_store(world, directory).create_group(
        {"displayName": "All staff", "mailEnabled": False, "mailNickname": "staff", "securityEnabled": True}
    )
    world.clock.advance(60)
    async with database.system_transaction() as session:
        tenant = await tenancy.create_tenant(session, name="Contoso", domain=DOMAIN)
    async with database.tenant_transaction(tenant.id) as session:
        await set_policy(session, policy_to_json(starter_policy(DOMAIN)), by="test")
    runtime = ConnectionRuntime(
        outbound=OutboundConfig(entra_sandbox.host_map, entra_sandbox.ca_file), box=BOX,
        http=entra_sandbox.async_client(),
    )  # fmt: skip
    connectors = Connectors([EntraConnectors(database, runtime)])
    hub = Hub(database, tenant.id, Clock(datetime(2027, 1, 4, 9, 0, tzinfo=UTC)), world, directory, connectors)
    yield Lifecycle(hub, runtime, app)
    assert runtime.http is not None
    await runtime.http.aclose()


async def test_a_wrong_first_connection_is_replaced_by_a_right_one_with_no_job_dying(life: Lifecycle) -> None:
    hub = life.hub
    wrong = await life.create("Wrong tenant", directory_tenant_id=str(uuid.uuid4()))
    assert (await life.connection(wrong)).active  # the tenant's first connection is its active one
    await hub.hire("José", "Núñez")
    await hub.settle()
    (sync,) = await life.syncs()
    assert sync.status == "held" and (sync.last_error or "").startswith(PAUSED_PREFIX)
    assert "has not passed Test connection" in (sync.last_error or "") and sync.attempts == 0

    verdict = await life.change(wrong, "test")
    assert not verdict.ok and verdict.problems
    await hub.settle()
    assert [job.status for job in await life.syncs()] == ["held"]

    right = await life.create("Contoso directory")
    assert not (await life.connection(right)).active  # a later connection waits to be chosen
    assert (await life.change(right, "test")).ok
    await hub.settle()
    assert [job.status for job in await life.syncs()] == ["held"]  # the active one is still the wrong one

    await life.change(right, "activate")
    assert not (await life.connection(wrong)).active
    await hub.settle()
    assert hub.account(f"jose.nunez@{DOMAIN}")["accountEnabled"] is True
    assert {job.status for job in await hub.jobs()} <= {"succeeded", "queued"}  # queued: tomorrow's ticks
    assert await life.calls_failed() == 0


async def test_a_disabled_active_connection_holds_the_jobs_until_it_is_enabled(life: Lifecycle) -> None:
    hub = life.hub
    connection = await life.create("Contoso directory")
    assert (await life.change(connection, "test")).ok
    await life.change(connection, "enabled", False)
    await hub.hire("José", "Núñez")
    await hub.settle()
    (sync,) = await life.syncs()
    assert sync.status == "held" and "is disabled" in (sync.last_error or "")

    await life.change(connection, "enabled", True)
    await hub.settle()
    assert hub.account(f"jose.nunez@{DOMAIN}")["accountEnabled"] is True
    assert await life.calls_failed() == 0


async def test_an_edit_to_where_it_signs_in_waits_for_a_new_passing_test(life: Lifecycle) -> None:
    hub = life.hub
    connection = await life.create("Contoso directory")
    assert (await life.change(connection, "test")).ok
    await life.change(connection, "update", lifecycle.ConnectionChanges(name="Renamed"))
    assert lifecycle.provisioning_blocker(await life.connection(connection)) is None  # a name is no credential

    await life.change(connection, "update", lifecycle.ConnectionChanges(exchange_enabled=True))
    await hub.hire("José", "Núñez")
    await hub.settle()
    (sync,) = await life.syncs()
    assert sync.status == "held" and "changed since it passed Test connection" in (sync.last_error or "")
    refused = await life.change(connection, "test")  # the app has no Exchange permission
    assert not refused.ok and any("Exchange.ManageAsApp" in p["message"] for p in refused.problems)
    await hub.settle()
    assert [job.status for job in await life.syncs()] == ["held"]

    await life.change(connection, "update", lifecycle.ConnectionChanges(exchange_enabled=False))
    assert not (await life.connection(connection)).last_test["ok"]  # type: ignore[index]
    assert (await life.change(connection, "test")).ok
    await hub.settle()
    assert hub.account(f"jose.nunez@{DOMAIN}")["accountEnabled"] is True
    assert await life.calls_failed() == 0


async def test_an_edit_is_refused_whole_when_one_value_is_wrong(life: Lifecycle) -> None:
    connection = await life.create("Contoso directory")
    with pytest.raises(Invalid) as refused:
        await life.change(connection, "update", lifecycle.ConnectionChanges(name="New", client_id="not-a-guid"))
    assert refused.value.field == "client_id"
    assert (await life.connection(connection)).name == "Contoso directory"


async def test_the_active_connection_cannot_be_deleted_while_jobs_depend_on_it(life: Lifecycle) -> None:
    hub = life.hub
    active = await life.create("Contoso directory")
    spare = await life.create("Spare", upload=False)
    await hub.hire("José", "Núñez")
    await hub.settle()  # held: the active connection has not been tested
    with pytest.raises(Conflict) as refused:
        await life.change(active, "delete")
    assert "depend on it" in str(refused.value)
    assert (await life.connection(active)).active

    await life.change(spare, "delete")  # not the active one: deleted
    with pytest.raises(NotFound):
        await life.change(spare, "test")
    assert (await life.change(active, "test")).ok
    await hub.settle()
    await life.change(active, "delete")  # nothing depends on it any more
    async with hub.database.tenant_session(hub.tenant_id) as session:
        assert list(await session.scalars(select(EntraConnection))) == []
        actions = list(
            await session.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "entra_connection"))
        )
    assert actions.count("entra.connection.delete") == 2 and "entra.connection.test" in actions


async def test_a_malformed_or_another_tenants_id_is_refused(life: Lifecycle, database: Database) -> None:
    connection = await life.create("Contoso directory")
    with pytest.raises(Invalid) as malformed:
        await _get(life.hub, "not-a-guid")
    assert malformed.value.field == "id"
    async with database.system_transaction() as session:
        other = await tenancy.create_tenant(session, name="Fabrikam", domain="fabrikam.example")
    async with database.tenant_session(other.id) as session:
        with pytest.raises(NotFound):
            await lifecycle.get_connection(session, connection)


async def _get(hub: Hub, text: str) -> EntraConnection:
    async with hub.database.tenant_session(hub.tenant_id) as session:
        return await lifecycle.get_connection(session, text)


async def test_two_active_connections_are_impossible_even_written_directly(life: Lifecycle) -> None:
    first = await life.create("First", upload=False)
    second = await life.create("Second", upload=False)
    with pytest.raises(IntegrityError):
        async with life.hub.transaction() as session:
            (await session.get_one(EntraConnection, second)).active = True
    await life.change(second, "activate")
    assert [(await life.connection(c)).active for c in (first, second)] == [False, True]


async def test_a_rotation_switches_certificates_with_no_failed_call(life: Lifecycle) -> None:
    hub = life.hub
    connection = await life.create("Contoso directory")
    assert (await life.change(connection, "test")).ok
    old_thumbprint = (await life.connection(connection)).certificate_thumbprint
    await hub.hire("Ana", "Silva")
    await hub.settle()  # before

    rotation = await life.change(connection, "rotate")
    assert rotation.previous_thumbprint == old_thumbprint and rotation.thumbprint != old_thumbprint
    rotated = await life.connection(connection)
    assert rotated.certificate_thumbprint == old_thumbprint  # the current one goes on signing in
    assert rotated.pending_certificate_pem is not None
    await hub.hire("Bea", "Costa")
    await hub.settle()  # during: the new certificate is not uploaded yet

    refused = await life.change(connection, "test")
    assert refused.ok and not refused.switched  # the current certificate still works: the connection stays usable
    assert refused.problems[0]["code"] == "new_certificate_refused"
    assert (await life.connection(connection)).pending_certificate_thumbprint == rotation.thumbprint

    life.hub.world.upload_certificate(life.app, rotated.pending_certificate_pem)
    await hub.hire("Carla", "Dias")
    await hub.settle()  # during: both certificates are valid
    switched = await life.change(connection, "test")
    assert switched.ok and switched.switched and switched.problems == []
    now_in_use = await life.connection(connection)
    assert now_in_use.certificate_thumbprint == rotation.thumbprint
    assert now_in_use.previous_certificate_thumbprint == old_thumbprint and now_in_use.pending_certificate_pem is None

    (old,) = [c for c in life.app.certificates if c.fingerprint(hashes.SHA1()).hex().upper() == old_thumbprint]
    life.app.certificates.remove(old)  # the administrator removes the old certificate from the app
    await hub.hire("Dora", "Eça")
    await hub.settle()  # after
    for upn in ("ana.silva", "bea.costa", "carla.dias", "dora.eca"):
        assert hub.account(f"{upn}@{DOMAIN}")["accountEnabled"] is True
    assert await life.calls_failed() == 0


async def test_a_certificate_near_expiry_is_in_the_gauge_and_the_daily_log(
    life: Lifecycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = await life.create("Contoso directory", upload=False)
    async with life.hub.transaction() as session:
        stored = await session.get_one(EntraConnection, connection)
        stored.certificate_not_after = datetime(2027, 1, 24, 9, 0, tzinfo=UTC)
    now = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    await certificate_expiry.refresh_certificate_gauge(life.hub.database, now)
    labels = {"tenant": str(life.hub.tenant_id), "connection": str(connection), "name": "Contoso directory",
              "certificate": "current"}  # fmt: skip
    assert REGISTRY.get_sample_value("hirehub_entra_certificate_days_left", labels) == 20.0

    logged: list[tuple[str, dict[str, Any]]] = []

    class Recorder:
        def warning(self, event: str, **fields: Any) -> None:
            logged.append((event, fields))

    monkeypatch.setattr(certificate_expiry, "log", Recorder())
    await certificate_expiry.warn_tenant_expiring(life.hub.database, life.hub.tenant_id, now)
    ((event, fields),) = logged
    assert event == "entra.certificate_expiring" and fields["days_left"] == 20.0
    assert fields["connection_id"] == str(connection)
    logged.clear()
    await certificate_expiry.warn_tenant_expiring(life.hub.database, life.hub.tenant_id, now - timedelta(days=40))
    assert logged == []  # 60 days ahead: no warning yet


async def test_the_gauge_keeps_its_last_figures_when_the_database_cannot_answer(empty_database_url: str) -> None:
    database = Database(empty_database_url)  # no tables: every query fails
    try:
        assert await certificate_expiry.refresh_certificate_gauge(database, datetime.now(UTC)) == []
    finally:
        await database.dispose()
