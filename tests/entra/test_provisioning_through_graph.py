"""Hire to retire end to end, through jobs, into the Entra sandbox over real TLS.

HR changes go through the domain services; the outbox dispatcher queues syncs; a job worker runs them; the
tenant's customer-owned Entra connection gets its tokens from the sandbox's token endpoint through MSAL with the
connection's certificate; the Graph connector applies the plans through Graph and Exchange Online. The same story
is then told again with a fifth of Graph's answers being 429s and 503s and new objects lagging behind reads: the
end state must be the same, with no second account and nothing lost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography import x509

from hirehub.db.session import Database
from hirehub.directories.entra.connections import ConnectionRuntime, create_connection
from hirehub.directories.entra.connector_factory import EntraConnectors
from hirehub.directories.entra.models import EntraConnection
from hirehub.directories.entra.msal_client import OutboundConfig
from hirehub.hr import services
from hirehub.lifecycle.policy import policy_from_json, policy_to_json, starter_policy
from hirehub.provisioning import directory_connections
from hirehub.provisioning.connectors import Connectors
from hirehub.provisioning.policies import set_policy
from hirehub.sandbox.entra.exchange import mailbox_store
from hirehub.sandbox.entra.graph import directory_store
from hirehub.sandbox.entra.world import EntraWorld, Faults, SandboxClock
from hirehub.sealing import Sealer
from hirehub.tenancy import service as tenancy
from tests.entra.support import START, Clock, Hub
from tests.sandbox.entra.conftest import EntraSandbox, entra_sandbox, sandbox_certificate_authority  # noqa: F401
from tests.sandbox.entra.graph_support import (
    EXCHANGE_ADMINISTRATOR,
    EXCHANGE_APP_ID,
    GRAPH_APP_ID,
    SEED_GRAPH_PERMISSIONS,
    USER_ADMINISTRATOR,
)

DOMAIN = "contoso.onmicrosoft.com"
SANDBOX_SPEED = 10.0  # Retry-After and consistency lags pass ten times faster; tokens still last minutes


@pytest.fixture(params=["calm", "faulty"])
def entra_world(request: pytest.FixtureRequest) -> EntraWorld:
    faults = (
        Faults(throttle_rate=0.1, unavailable_rate=0.1, consistency_lag_seconds=2, retry_after_seconds=1, seed=11)
        if request.param == "faulty"
        else Faults()
    )
    return EntraWorld(clock=SandboxClock(speed=SANDBOX_SPEED), faults=faults)


@pytest.fixture
async def hub(database: Database, entra_sandbox: EntraSandbox) -> AsyncIterator[Hub]:  # noqa: F811
    world = entra_sandbox.world
    directory = world.add_directory(default_domain=DOMAIN)
    app = world.register_application(directory, "hirehub provisioning")
    world.grant_application_permissions(directory, app.app_id, SEED_GRAPH_PERMISSIONS, GRAPH_APP_ID)
    world.grant_application_permissions(directory, app.app_id, {"Exchange.ManageAsApp"}, EXCHANGE_APP_ID)
    world.assign_directory_role(directory, app.app_id, USER_ADMINISTRATOR)
    world.assign_directory_role(directory, app.app_id, EXCHANGE_ADMINISTRATOR)
    store = directory_store(world, directory)
    for name in ("All staff", "Sales", "Marketing"):
        store.create_group({"displayName": name, "mailEnabled": False, "mailNickname": name.replace(" ", ""),
                            "securityEnabled": True})  # fmt: skip
    world.clock.advance(60)  # the groups have settled before anyone looks for them
    box = Sealer("e2e secret key of thirty-two bytes!!", "entra-connection")
    async with database.system_transaction() as session:
        tenant = await tenancy.create_tenant(session, name="Contoso", domain=DOMAIN)
    async with database.tenant_transaction(tenant.id) as session:
        connection = await create_connection(
            session, name="Contoso directory", cloud="global", connection_type="customer_owned",
            directory_tenant_id=directory.tenant_id, client_id=app.app_id, exchange_enabled=True, box=box,
            now=datetime.now(UTC),
        )  # fmt: skip
        assert connection.certificate_pem is not None
        app.certificates.append(x509.load_pem_x509_certificate(connection.certificate_pem.encode()))
        policy = policy_to_json(starter_policy(DOMAIN))
        policy["groups"]["rules"] = [
            {"name": name, "groups": [name], "conditions": [{"attribute": "Department", "operator": "equals",
                                                             "value": name}]}
            for name in ("Sales", "Marketing")
        ]  # fmt: skip
        policy["leaver"]["convert_mailbox_to_shared"] = True
        policy_from_json(policy)
        await set_policy(session, policy, by="test")
    runtime = ConnectionRuntime(
        outbound=OutboundConfig(entra_sandbox.host_map, entra_sandbox.ca_file),
        box=box,
        http=entra_sandbox.async_client(),
    )
    async with database.tenant_transaction(tenant.id) as session:
        stored = await session.get_one(EntraConnection, connection.id)
        verdict = await directory_connections.test(session, stored, runtime, now=datetime.now(UTC), actor="test")
    assert verdict.ok, verdict.problems  # a connection provisions once it has passed Test connection
    connectors = Connectors([EntraConnectors(database, runtime)])
    yield Hub(database, tenant.id, Clock(datetime(2027, 1, 4, 9, 0, tzinfo=UTC)), world, directory, connectors)
    assert runtime.http is not None
    await runtime.http.aclose()


async def test_hire_transfer_terminate_and_rehire_reach_entra_with_one_account_throughout(hub: Hub) -> None:
    sales = await hub.department("D-SALES", "Sales")
    marketing = await hub.department("D-MKT", "Marketing")
    boss = await hub.hire("Ana", "Silva")
    async with hub.transaction() as session:
        await services.transfer(session, boss, START, department_id=sales)
    worker = await hub.hire("José", "Núñez", manager=boss)
    async with hub.transaction() as session:
        await services.transfer(session, worker, START, department_id=sales)
    await hub.settle()

    jose = hub.account(f"jose.nunez@{DOMAIN}")
    assert jose["accountEnabled"] is True and jose["employeeId"] and jose["department"] == "Sales"
    assert hub.groups_of(f"jose.nunez@{DOMAIN}") == {"All staff", "Sales"}
    manager_id = hub.store.manager_of(jose["id"]).id
    assert manager_id == hub.account(f"ana.silva@{DOMAIN}")["id"]

    # Mover: a new department changes the attribute and the groups.
    async with hub.transaction() as session:
        await services.transfer(session, worker, START, department_id=marketing)
    await hub.settle()
    assert hub.account(f"jose.nunez@{DOMAIN}")["department"] == "Marketing"
    assert hub.groups_of(f"jose.nunez@{DOMAIN}") == {"All staff", "Marketing"}

    # Leaver: at the end of the last day worked, disabled, out of groups, mailbox shared with the manager.
    last_day = START + timedelta(days=3)
    async with hub.transaction() as session:
        await services.terminate(session, worker, last_day, today=START)
    await hub.settle()
    assert hub.account(f"jose.nunez@{DOMAIN}")["accountEnabled"] is True  # still working until the day ends
    hub.clock.now = datetime(2027, 1, 8, 0, 5, tzinfo=UTC)  # past midnight after the last day (UTC tenant)
    await hub.settle()
    left = hub.account(f"jose.nunez@{DOMAIN}")
    assert left["accountEnabled"] is False
    assert hub.groups_of(f"jose.nunez@{DOMAIN}") == set()
    mailbox = mailbox_store(hub.world, hub.directory).mailboxes[left["id"]]
    assert mailbox.recipient_type_details == "SharedMailbox"

    # Rehire: the same account, enabled again; never a second one.
    async with hub.transaction() as session:
        await services.rehire(session, worker, date(2027, 2, 1), manager_id=boss)
    hub.clock.now = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    await hub.settle()
    again = hub.account(f"jose.nunez@{DOMAIN}")
    assert again["id"] == left["id"] and again["accountEnabled"] is True
    employee_ids = [u.props.get("employeeId") for u in hub.store.all("user")]
    assert len(employee_ids) == len(set(employee_ids)) == 2
    statuses = {job.status for job in await hub.jobs() if job.run_at <= hub.clock.now}
    assert statuses <= {"succeeded"}, [(j.kind, j.status, j.last_error) for j in await hub.jobs()]
