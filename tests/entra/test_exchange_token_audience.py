"""Exchange Online is called with a token for Exchange's own resource, in the connection's cloud, on both connection
types; Graph with a Graph token. Exchange refuses a Graph token and Graph an Exchange token, as the services do."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from hirehub.db.session import Database
from hirehub.directories.entra.clouds import CLOUDS, CloudName
from hirehub.directories.entra.connector_factory import EntraConnectors
from hirehub.directories.entra.exchange import ExchangeClient
from hirehub.directories.entra.graph_errors import GraphError
from hirehub.directories.entra.linking import start_link
from hirehub.directories.entra.models import EntraConnection
from tests.entra.connection_rig import BOX, NOW, audience, customer_owned, delegated, outbound
from tests.sandbox.entra.conftest import (  # noqa: F401
    EntraSandbox,
    entra_sandbox,
    entra_world,
    sandbox_certificate_authority,
)

GLOBAL = CLOUDS[CloudName.GLOBAL]


@pytest.mark.parametrize("name", [CloudName.GLOBAL, CloudName.US_GOV_L4, CloudName.US_GOV_L5_DOD, CloudName.CHINA])
async def test_a_customer_owned_connection_calls_exchange_with_an_exchange_token_of_its_cloud(
    database: Database,
    entra_sandbox: EntraSandbox,  # noqa: F811
    name: CloudName,
) -> None:
    cloud = CLOUDS[name]
    rig = await customer_owned(database, entra_sandbox, cloud=name, exchange=True)
    rig.add_mailbox_user("leaver", "leaver@contoso.com")
    connection = await rig.connection()

    mailbox = await rig.runtime.exchange(connection).mailbox("leaver@contoso.com")
    await rig.runtime.graph(connection).request("GET", "/users")

    assert mailbox is not None and mailbox["PrimarySmtpAddress"] == "leaver@contoso.com"
    assert {audience(t) for t in rig.sent.by_host[cloud.exchange_host]} == {f"https://{cloud.exchange_host}"}
    assert {audience(t) for t in rig.sent.by_host[cloud.graph_host]} == {f"https://{cloud.graph_host}"}


@pytest.mark.parametrize("name", [CloudName.GLOBAL, CloudName.US_GOV_L4])
async def test_a_delegated_connection_calls_exchange_with_an_exchange_token_of_its_cloud(
    database: Database,
    entra_sandbox: EntraSandbox,  # noqa: F811
    name: CloudName,
) -> None:
    cloud = CLOUDS[name]
    rig, _sp = await delegated(database, entra_sandbox, exchange=True, cloud=name)
    rig.add_mailbox_user("leaver", "leaver@contoso.com")
    connection = await rig.connection()
    connector = EntraConnectors(database, rig.runtime).connector(rig.tenant_id, connection)
    assert connector.exchange is not None

    await connector.exchange.convert_to_shared("leaver@contoso.com")
    await connector.graph.request("GET", "/users")

    (exchange_token,) = rig.sent.by_host[cloud.exchange_host]
    assert audience(exchange_token) == f"https://{cloud.exchange_host}"
    claims = entra_sandbox.world.verify_access_token(exchange_token, f"https://{cloud.exchange_host}")
    assert "Exchange.Manage" in claims.scopes and claims.delegated
    assert {audience(t) for t in rig.sent.by_host[cloud.graph_host]} == {f"https://{cloud.graph_host}"}
    mailbox = await connector.exchange.mailbox("leaver@contoso.com")
    assert mailbox is not None and mailbox["RecipientTypeDetails"] == "SharedMailbox"


async def test_link_account_asks_consent_for_exchange_only_when_the_connection_uses_it(
    database: Database,
    entra_sandbox: EntraSandbox,  # noqa: F811
) -> None:
    for exchange in (True, False):
        rig, sp = await delegated(database, entra_sandbox, exchange=exchange, linked=False)
        async with database.tenant_transaction(rig.tenant_id) as session:
            connection = await session.get_one(EntraConnection, rig.connection_id)
            url = await start_link(session, connection, sp=sp, outbound=outbound(entra_sandbox), box=BOX, now=NOW)
        scopes = parse_qs(urlsplit(url).query)["scope"][0].split()
        assert ("https://outlook.office365.com/Exchange.Manage" in scopes) is exchange
        assert "https://graph.microsoft.com/User.ReadWrite.All" in scopes


async def test_exchange_refuses_a_graph_token_and_graph_an_exchange_token(
    database: Database,
    entra_sandbox: EntraSandbox,  # noqa: F811
) -> None:
    rig = await customer_owned(database, entra_sandbox, exchange=True)
    rig.add_mailbox_user("leaver", "leaver@contoso.com")
    connection = await rig.connection()
    graph_token = await rig.runtime.token(connection, GLOBAL.graph_scope)
    exchange_token = await rig.runtime.token(connection, GLOBAL.exchange_scope)

    async def graph_token_source() -> str:
        return graph_token

    wrong_for_exchange = ExchangeClient(
        GLOBAL.exchange_invoke_url(connection.directory_tenant_id), graph_token_source, rig.runtime.http_client()
    )
    with pytest.raises(GraphError) as refused:
        await wrong_for_exchange.mailbox("leaver@contoso.com")
    assert refused.value.status == 401

    response = await rig.runtime.http_client().get(
        f"{GLOBAL.graph_base}/users", headers={"Authorization": f"Bearer {exchange_token}"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert "audience" in response.json()["error"]["message"].lower()
