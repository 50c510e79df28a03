"""Plan preview when the directory cannot be reached: the console shows the reason and the next step on the page,
``hirehub plan preview --json`` prints one ``{"error"}`` object and the admin API answers a problem (503); never a
bare 500 or a traceback.

The tenant's connection points at Microsoft's real hosts, rerouted to a loopback port nobody listens on: MSAL and
the Graph connector fail as they would on a machine without a route to Microsoft."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hirehub.api.app import create_app
from hirehub.bootstrap import open_database
from hirehub.cli import app as cli
from hirehub.db.session import Database
from hirehub.directories.entra.connections import create_connection
from hirehub.directories.entra.connector_factory import EntraConnectors
from hirehub.directories.entra.models import EntraConnection
from hirehub.directories.entra.runtime import connection_sealer
from hirehub.hr import services
from hirehub.hr.domain import HireDetails
from hirehub.lifecycle.connector import Connector
from hirehub.provisioning.connectors import Connectors
from hirehub.sandbox.entra.app import host_map_for
from hirehub.security.privileges import SYSTEM_ADMINISTRATOR_ROLE_NAME
from hirehub.settings import Settings, get_settings
from tests.api.conftest import BASE, Hub
from tests.live_server import free_port, serving
from tests.security.conftest import SECRET_KEY, set_up_integration
from tests.web.console_support import signed_in
from tests.web.support import make_admin

DOMAIN = "contoso.example"


@dataclass(frozen=True)
class Seeded:
    tenant_id: uuid.UUID
    personnel_number: str


def _unreachable_settings(database_url: str, **extra: object) -> Settings:
    closed = f"https://127.0.0.1:{free_port()}"
    return Settings(database_url=database_url, outbound_host_map=host_map_for(closed), log_level="WARNING", **extra)  # type: ignore[arg-type]


async def _seed(database: Database, settings: Settings, tenant_id: uuid.UUID) -> Seeded:
    async with database.tenant_transaction(tenant_id) as session:
        await create_connection(
            session, name="Contoso", cloud="global", connection_type="customer_owned",
            directory_tenant_id=str(uuid.uuid4()), client_id=str(uuid.uuid4()), exchange_enabled=False,
            box=connection_sealer(settings), now=datetime.now(UTC),
        )  # fmt: skip
        candidate = await services.create_candidate(
            session, services.NewCandidate(first_name="Ada", last_name="Lovelace")
        )
    async with database.tenant_transaction(tenant_id) as session:
        outcome = await services.hire(session, candidate.id, HireDetails(date(2027, 1, 4)))
    return Seeded(tenant_id, outcome.worker.personnel_number)


async def _first_connection(factory: EntraConnectors, tenant_id: uuid.UUID) -> Connector | None:
    """The Entra factory's connector for the tenant's one connection whatever its state: these tests are about what
    happens when the directory fails, not about which connection is chosen or whether it may provision."""
    async with factory.database.tenant_session(tenant_id) as session:
        connection = (await session.scalars(select(EntraConnection).limit(1))).first()
    return None if connection is None else factory.connector(tenant_id, connection)


async def test_the_console_preview_says_the_directory_is_unreachable_and_what_to_do(database_url: str) -> None:
    port = free_port()
    settings = _unreachable_settings(database_url, base_url=f"http://127.0.0.1:{port}")
    database = open_database(database_url)
    try:
        admin = await make_admin(database, DOMAIN, "Contoso")
        seeded = await _seed(database, settings, admin.tenant_id)
    finally:
        await database.dispose()
    hub_app = create_app(settings)
    factory = EntraConnectors(hub_app.state.hub.database, hub_app.state.hub.entra_runtime)
    hub_app.state.connectors = Connectors([lambda tenant_id: _first_connection(factory, tenant_id)])
    with serving(hub_app, port):
        async with signed_in(f"http://127.0.0.1:{port}", admin) as client:
            page = await client.get("/console/lifecycle/preview", params={"personnel_number": seeded.personnel_number})
    assert page.status_code == 503
    assert "Internal Server Error" not in page.text
    assert "the directory could not be read" in page.text
    assert "login.microsoftonline.com" in page.text and "firewall" in page.text


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    closed = f"https://127.0.0.1:{free_port()}"
    monkeypatch.setenv("HIREHUB_DATABASE_URL", database_url)
    monkeypatch.setenv("HIREHUB_OUTBOUND_HOST_MAP", json.dumps(host_map_for(closed)))
    monkeypatch.setenv("HIREHUB_LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    monkeypatch.setattr(EntraConnectors, "__call__", _first_connection)
    yield database_url
    get_settings.cache_clear()


def test_the_cli_preview_prints_one_error_object_naming_the_reason_and_next_step(cli_database: str) -> None:
    from hirehub.tenancy import service as tenancy

    async def seed() -> Seeded:
        database = open_database(cli_database)
        try:
            async with database.system_transaction() as session:
                tenant = await tenancy.create_tenant(session, name="Contoso", domain=DOMAIN)
            return await _seed(database, get_settings(), tenant.id)
        finally:
            await database.dispose()

    seeded = asyncio.run(seed())
    result = CliRunner().invoke(
        cli, ["plan", "preview", "--tenant", DOMAIN, "--personnel-number", seeded.personnel_number, "--json"]
    )

    assert result.exit_code == 1, result.output
    (line,) = [line for line in result.stdout.splitlines() if line.strip()]
    error = json.loads(line)["error"]
    assert error.startswith("the directory could not be read")
    assert "login.microsoftonline.com" in error and "firewall" in error
    assert "Traceback" not in result.output


async def test_the_admin_apis_preview_answers_a_problem_naming_the_reason(database: Database) -> None:
    administrator = await set_up_integration(database, DOMAIN, roles=(SYSTEM_ADMINISTRATOR_ROLE_NAME,))
    settings = _unreachable_settings(database.url, base_url=BASE, secret_key=SECRET_KEY)
    seeded = await _seed(database, settings, administrator.tenant_id)
    hub_app = create_app(settings, database)
    factory = EntraConnectors(database, hub_app.state.hub.entra_runtime)
    hub_app.state.connectors = Connectors([lambda tenant_id: _first_connection(factory, tenant_id)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hub_app), base_url=BASE) as client:
        hub = Hub(client, database)
        answer = await client.get(
            f"/admin/v1/workers/{seeded.personnel_number}/plan", headers=await hub.bearer(administrator)
        )

    assert answer.status_code == 503 and answer.headers["content-type"] == "application/problem+json"
    assert "the directory could not be read" in answer.text and "login.microsoftonline.com" in answer.text
