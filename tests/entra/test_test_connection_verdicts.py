"""*Test connection* never fails with an exception: whatever stops it (no network, DNS, TLS, a timeout, a refused
sign-in, an unknown tenant, a refusal of Graph) is a verdict ``{"ok": false, "problems": [{code, message,
next_step}]}`` stored on the connection, with the reason and what the administrator does next."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from hirehub.db.session import Database
from hirehub.directories.entra.clouds import CLOUDS, CloudName
from hirehub.directories.entra.connection_runtime import ConnectionRuntime
from hirehub.directories.entra.connections import create_connection
from hirehub.directories.entra.connections import test_connection as run_test
from hirehub.directories.entra.models import ConnectionStatus, EntraConnection
from hirehub.directories.entra.msal_client import OutboundConfig
from hirehub.directories.entra.permissions import ConnectionCheck
from hirehub.outbound import HostMap, async_client
from hirehub.sandbox.entra.app import host_map_for
from tests.entra.connection_rig import BOX, NOW, Rig, customer_owned, delegated
from tests.live_server import free_port
from tests.sandbox.entra.conftest import (  # noqa: F401
    EntraSandbox,
    entra_sandbox,
    entra_world,
    sandbox_certificate_authority,
)


async def _connection(database: Database, *, cloud: str = "global", kind: str = "customer_owned") -> EntraConnection:
    from hirehub.tenancy import service as tenancy

    async with database.system_transaction() as session:
        tenant = await tenancy.create_tenant(session, name="Contoso", domain=f"{uuid.uuid4().hex[:10]}.example")
    async with database.tenant_transaction(tenant.id) as session:
        return await create_connection(
            session, name="Contoso", cloud=cloud, connection_type=kind, directory_tenant_id=str(uuid.uuid4()),
            client_id=str(uuid.uuid4()) if kind == "customer_owned" else None, exchange_enabled=False, box=BOX,
            now=NOW,
        )  # fmt: skip


def _runtime_towards(base_url: str, *, verify: object = True, timeout: float = 5.0) -> ConnectionRuntime:
    """A runtime whose every Microsoft host leads to ``base_url``."""
    host_map = HostMap(host_map_for(base_url))
    return ConnectionRuntime(
        outbound=OutboundConfig(host_map, verify, timeout=timeout),
        box=BOX,
        http=async_client(host_map, verify=verify, timeout=timeout),  # type: ignore[arg-type]
    )


async def _verdict(runtime: ConnectionRuntime, connection: EntraConnection) -> ConnectionCheck:
    try:
        return await run_test(runtime, connection, datetime.now(UTC))
    finally:
        if runtime.http is not None:
            await runtime.http.aclose()


def _only_problem(check: ConnectionCheck, connection: EntraConnection) -> dict[str, str]:
    assert not check.ok
    stored = connection.last_test
    assert stored is not None and stored["ok"] is False
    assert stored["problems"] == [p.as_json() for p in check.problems]
    (problem,) = stored["problems"]
    assert set(problem) == {"code", "message", "next_step"} and problem["message"] and problem["next_step"]
    assert connection.status == ConnectionStatus.ERROR
    return problem


async def test_a_closed_port_is_reported_as_unreachable(database: Database) -> None:
    connection = await _connection(database)
    runtime = _runtime_towards(f"https://127.0.0.1:{free_port()}")

    problem = _only_problem(await _verdict(runtime, connection), connection)

    assert problem["code"] == "unreachable"
    assert "login.microsoftonline.com" in problem["message"]
    assert "firewall" in problem["next_step"]


async def test_a_name_that_does_not_resolve_is_reported_as_dns(database: Database) -> None:
    connection = await _connection(database)
    runtime = _runtime_towards("https://hirehub-no-such-host.invalid")

    problem = _only_problem(await _verdict(runtime, connection), connection)

    assert problem["code"] == "dns"
    assert "could not be resolved" in problem["message"] and "DNS" in problem["next_step"]


async def test_a_certificate_that_does_not_verify_is_reported_as_tls(
    database: Database,
    entra_sandbox: EntraSandbox,  # noqa: F811
) -> None:
    connection = await _connection(database)
    runtime = _runtime_towards(entra_sandbox.base_url)  # the system's CAs: the sandbox's own CA is not among them

    problem = _only_problem(await _verdict(runtime, connection), connection)

    assert problem["code"] == "tls"
    assert "HIREHUB_OUTBOUND_CA_BUNDLE" in problem["next_step"]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


async def test_an_endpoint_that_does_not_answer_in_time_is_reported_as_a_timeout(
    database: Database, silent_port: int
) -> None:
    connection = await _connection(database)
    runtime = _runtime_towards(f"https://127.0.0.1:{silent_port}", timeout=0.5)

    problem = _only_problem(await _verdict(runtime, connection), connection)

    assert problem["code"] == "timeout"
    assert "did not answer in time" in problem["message"]


async def test_an_unknown_tenant_says_to_check_the_tenant_id_and_cloud(
    database: Database,
    entra_sandbox: EntraSandbox,  # noqa: F811
) -> None:
    rig = await customer_owned(database, entra_sandbox)
    async with database.tenant_transaction(rig.tenant_id) as session:
        connection = await session.get_one(EntraConnection, rig.connection_id)
        connection.directory_tenant_id = "11111111-2222-3333-4444-555555555555"
        check = await run_test(rig.runtime, connection, datetime.now(UTC))
        problem = _only_problem(check, connection)

    assert problem["code"] == "unknown_tenant"
    assert "11111111-2222-3333-4444-555555555555" in problem["message"]
    assert "Directory (tenant) ID" in problem["next_step"]


async def test_a_certificate_not_uploaded_yet_says_to_upload_it(
    database: Database,
    entra_sandbox: EntraSandbox,  # noqa: F811
) -> None:
    rig = await customer_owned(database, entra_sandbox, uploaded=False)
    async with database.tenant_transaction(rig.tenant_id) as session:
        connection = await session.get_one(EntraConnection, rig.connection_id)
        problem = _only_problem(await run_test(rig.runtime, connection, datetime.now(UTC)), connection)

    assert problem["code"] == "certificate_not_uploaded"
    assert "AADSTS700027" in problem["message"]
    assert "Upload certificate" in problem["next_step"] or "upload it" in problem["next_step"]


async def _tested(rig: Rig) -> tuple[ConnectionCheck, EntraConnection]:
    async with rig.database.tenant_transaction(rig.tenant_id) as session:
        connection = await session.get_one(EntraConnection, rig.connection_id)
        return await run_test(rig.runtime, connection, datetime.now(UTC)), connection


async def test_when_graph_refuses_to_list_the_grants_the_verdict_says_what_it_could_not_check_and_what_is_missing(
    database: Database,
    entra_sandbox: EntraSandbox,  # noqa: F811
) -> None:
    rig = await customer_owned(database, entra_sandbox, granted=False)
    assert rig.app is not None
    entra_sandbox.world.grant_application_permissions(
        rig.directory, rig.app.app_id, ["User.ReadWrite.All"], "00000003-0000-0000-c000-000000000000"
    )

    check, connection = await _tested(rig)

    assert not check.ok and connection.last_test is not None
    codes = [p["code"] for p in connection.last_test["problems"]]
    assert codes == ["grants_unreadable", "missing_permission", "missing_permission", "missing_permission"]
    unreadable = connection.last_test["problems"][0]
    assert "could not check which permissions and directory roles" in unreadable["message"]
    assert "Authorization_RequestDenied" in unreadable["message"]
    assert "Application.Read.All" in unreadable["next_step"] and "Directory.ReadWrite.All" in unreadable["next_step"]
    assert connection.last_test["missing_permissions"] == [
        "Group.ReadWrite.All",
        "Directory.ReadWrite.All",
        "User.EnableDisableAccount.All",
    ]
    assert "API permissions" in connection.last_test["problems"][1]["next_step"]


async def test_a_delegated_connection_in_a_cloud_without_a_service_provider_app_names_the_setting(
    database: Database,
) -> None:
    connection = await _connection(database, cloud=CloudName.US_GOV_L4.value, kind="service_provider")
    runtime = _runtime_towards("https://127.0.0.1:9")
    runtime.service_provider = None

    check = await _verdict(runtime, connection)

    (problem,) = [p.as_json() for p in check.problems]
    assert problem["code"] == "no_service_provider_app"
    assert "Microsoft Graph for US Government L4" in problem["message"]
    assert "HIREHUB_ENTRA_SP_US_GOV_L4_CLIENT_ID" in problem["next_step"]
    assert "HIREHUB_ENTRA_SP_US_GOV_L4_CLIENT_SECRET" in problem["next_step"]


async def test_a_delegated_connection_never_linked_says_to_link_it(
    database: Database,
    entra_sandbox: EntraSandbox,  # noqa: F811
) -> None:
    rig, _ = await delegated(database, entra_sandbox, linked=False)
    check, connection = await _tested(rig)

    (problem,) = check.problems
    assert problem.code == "needs_link" and "Link account" in problem.next_step
    assert connection.status == ConnectionStatus.NEEDS_LINK


async def test_an_unexpected_failure_is_a_verdict_too(database: Database) -> None:
    class Broken(ConnectionRuntime):
        async def token(self, connection: EntraConnection, scope: str) -> str:
            raise RuntimeError("something nobody foresaw")

    connection = await _connection(database)
    runtime = Broken(outbound=OutboundConfig(HostMap()), box=BOX)

    check = await run_test(runtime, connection, datetime.now(UTC))

    (problem,) = check.problems
    assert problem.code == "unexpected" and "something nobody foresaw" in problem.message
    assert CLOUDS[CloudName.GLOBAL].authority_host  # the cloud table is untouched by the failure


async def test_a_delegated_connection_whose_link_predates_exchange_is_told_to_consent_to_exchange(
    database: Database,
    entra_sandbox: EntraSandbox,  # noqa: F811
) -> None:
    rig, _ = await delegated(database, entra_sandbox, exchange=False)
    async with database.tenant_transaction(rig.tenant_id) as session:
        connection = await session.get_one(EntraConnection, rig.connection_id)
        connection.exchange_enabled = True  # turned on after the administrator linked the account
        problem = _only_problem(await run_test(rig.runtime, connection, datetime.now(UTC)), connection)

    assert problem["code"] == "exchange_denied"
    assert "Exchange.Manage" in problem["next_step"] and "Link account" in problem["next_step"]
