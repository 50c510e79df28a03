"""Browser tests against the Entra sandbox: a hub whose outbound calls reach it, and a browser that does too.

The hub keeps Microsoft's real URLs and reaches the sandbox through its host map, trusting the sandbox's test CA
(``HIREHUB_OUTBOUND_HOST_MAP`` and ``HIREHUB_OUTBOUND_CA_BUNDLE``, as a demo would set them). The browser is sent to
the same real URLs (the *Link account* consent, the OpenID Connect sign-in); Playwright's ``context.route`` answers
them by forwarding each request to the sandbox over verified TLS with the trustme CA, so Chromium itself never needs
to trust a test CA nor resolve Microsoft's hosts.

Jobs run in the test's own event loop, with the test's clock, through the test's own Entra connectors (the hub's
``Connectors`` of one :class:`EntraConnectors` on the sandbox's runtime), handed to the job loop explicitly.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from playwright.async_api import BrowserContext, Route

from hirehub.api.app import create_app
from hirehub.db.session import Database
from hirehub.directories.entra.clouds import CLOUDS
from hirehub.directories.entra.connections import ConnectionRuntime, create_connection
from hirehub.directories.entra.connector_factory import EntraConnectors
from hirehub.directories.entra.models import EntraConnection
from hirehub.directories.entra.msal_client import OutboundConfig
from hirehub.directories.entra.runtime import LINK_CALLBACK_PATH, connection_sealer
from hirehub.provisioning.connectors import Connectors
from hirehub.sandbox.entra.app import host_map_for
from hirehub.sandbox.entra.world import Application, Directory
from hirehub.settings import Settings
from hirehub.web.oidc import CALLBACK_PATH as OIDC_CALLBACK_PATH
from tests.entra.support import Clock
from tests.live_server import free_port, serving
from tests.sandbox.entra.conftest import EntraSandbox
from tests.sandbox.entra.graph_support import (
    EXCHANGE_ADMINISTRATOR,
    EXCHANGE_APP_ID,
    GRAPH_APP_ID,
    SEED_GRAPH_PERMISSIONS,
    USER_ADMINISTRATOR,
)

DOMAIN = "contoso.onmicrosoft.com"
SECRET_KEY = "browser-tests-secret-key-0123456789abcdef"
SP_SECRET = "service-provider-app-secret"
CONSOLE_SECRET = "console-sign-in-app-secret"
# Headers the browser's stack sets itself, or that do not describe the forwarded body.
HOP_BY_HOP = {"host", "content-length", "connection", "accept-encoding", "transfer-encoding", "content-encoding"}


@dataclass
class EntraHub:
    """A hub on loopback HTTP whose Entra traffic goes to the sandbox, and the sandbox's arranged directory."""

    url: str
    database: Database
    sandbox: EntraSandbox
    directory: Directory
    service_provider: Application
    console_app: Application
    settings: Settings
    clock: Clock
    connectors: Connectors

    @property
    def issuer(self) -> str:
        return f"https://login.microsoftonline.com/{self.directory.tenant_id}/v2.0"


@pytest.fixture
async def entra_hub(database: Database, database_url: str, entra_sandbox: EntraSandbox) -> AsyncIterator[EntraHub]:
    """A directory in the sandbox (with the hub's multi-tenant app and a console sign-in app), and a hub that uses
    it for connections, *Link account* and OpenID Connect sign-in."""
    world = entra_sandbox.world
    directory = world.add_directory(default_domain=DOMAIN)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    publisher = world.add_directory(default_domain="hirehub.onmicrosoft.com")
    service_provider = world.register_application(
        publisher, "hirehub", multi_tenant=True, redirect_uris=[url + LINK_CALLBACK_PATH]
    )
    service_provider.secrets.append(SP_SECRET)
    console_app = world.register_application(directory, "hirehub console", redirect_uris=[url + OIDC_CALLBACK_PATH])
    console_app.secrets.append(CONSOLE_SECRET)
    settings = Settings(
        database_url=database_url,
        base_url=url,
        secret_key=SECRET_KEY,
        log_level="WARNING",
        outbound_host_map=host_map_for(entra_sandbox.base_url),
        outbound_ca_bundle=entra_sandbox.ca_file,
        entra_sp_client_id=service_provider.app_id,
        entra_sp_client_secret=SP_SECRET,
        oidc_issuer=f"https://login.microsoftonline.com/{directory.tenant_id}/v2.0",
        oidc_client_id=console_app.app_id,
        oidc_client_secret=CONSOLE_SECRET,
        oidc_provider_name="Microsoft Entra ID",
    )
    runtime = ConnectionRuntime(
        outbound=OutboundConfig(entra_sandbox.host_map, entra_sandbox.ca_file),
        box=connection_sealer(settings),
        http=entra_sandbox.async_client(),
    )
    try:
        with serving(create_app(settings), port):
            yield EntraHub(
                url, database, entra_sandbox, directory, service_provider, console_app, settings,
                Clock(datetime.now(UTC)), Connectors([EntraConnectors(database, runtime)]),
            )  # fmt: skip
    finally:
        assert runtime.http is not None
        await runtime.http.aclose()


def microsoft_hosts() -> list[str]:
    """The sign-in hosts of every national cloud: where a browser is sent to sign in or consent."""
    return sorted({cloud.authority_host for cloud in CLOUDS.values()})


async def route_microsoft_to_sandbox(context: BrowserContext, sandbox: EntraSandbox) -> httpx.AsyncClient:
    """Answer the browser's requests to Microsoft's sign-in hosts from the sandbox (redirects included: the browser
    follows them itself). Returns the forwarding client; the caller closes it."""
    client = sandbox.async_client()

    async def forward(route: Route) -> None:
        request = route.request
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        answer = await client.request(
            request.method, request.url, headers=headers, content=request.post_data_buffer or b""
        )
        await route.fulfill(
            status=answer.status_code,
            headers={k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP},
            body=answer.content,
        )

    for host in microsoft_hosts():
        await context.route(f"https://{host}/**", forward)
    return client


def grant_what_the_seed_lists(hub: EntraHub, app_id: str, *, leaving_out: frozenset[str] = frozenset()) -> None:
    """The administrator grants admin consent for the seed's permissions (all but ``leaving_out``) and assigns
    the directory roles, as the Entra portal's *API permissions* and *Roles and administrators* pages do."""
    world = hub.sandbox.world
    graph = set(SEED_GRAPH_PERMISSIONS) - leaving_out
    world.grant_application_permissions(hub.directory, app_id, graph, GRAPH_APP_ID)
    world.grant_application_permissions(hub.directory, app_id, {"Exchange.ManageAsApp"} - leaving_out, EXCHANGE_APP_ID)
    world.assign_directory_role(hub.directory, app_id, USER_ADMINISTRATOR)
    world.assign_directory_role(hub.directory, app_id, EXCHANGE_ADMINISTRATOR)


async def customer_owned_connection(hub: EntraHub, tenant_id: uuid.UUID, app: Application) -> EntraConnection:
    """The tenant's customer-owned connection to ``app``, its certificate uploaded to the app registration."""
    async with hub.database.tenant_transaction(tenant_id) as session:
        connection = await create_connection(
            session, name="Contoso directory", cloud="global", connection_type="customer_owned",
            directory_tenant_id=hub.directory.tenant_id, client_id=app.app_id, exchange_enabled=True,
            box=connection_sealer(hub.settings), now=datetime.now(UTC),
        )  # fmt: skip
    assert connection.certificate_pem is not None
    hub.sandbox.world.upload_certificate(app, connection.certificate_pem)
    return connection
