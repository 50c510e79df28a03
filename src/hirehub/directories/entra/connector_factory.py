"""Which Entra connector a tenant provisions into: the factory the composition root adds to the hub's connectors.

A tenant's directory is its *active* Entra ID connection. While that connection is disabled, has not passed *Test
connection*, or changed since it did, the tenant gets a :class:`WaitingConnector` whose every call raises
:class:`~hirehub.lifecycle.connector.NeedsAdministrator` with the reason: the jobs pause (no attempt spent) and
resume when the connection passes its test, instead of failing against a wrong directory. The factory is built once
per hub (the API, each job runner) around one :class:`ConnectionRuntime`, so MSAL's token caches and Graph's
token buckets are shared by every job of that process, and so are the group adds coalesced into 20-member
``PATCH``es (:class:`~.group_adds.GroupAdds`, one per write budget: per application per directory tenant).

A delegated connection's token cache changes when MSAL renews a token (the refresh token rotates) and its status
changes when renewal fails (``needs_link``): both must reach the database, or the next process would start from
a stale refresh token. So its tokens are fetched in a transaction of their own that stores the connection row
again, and kept in memory for a few minutes to spare the database a round trip per Graph call, unless the
runtime dropped the connection's tokens meanwhile (a refused token, a *Test connection*). Graph calls carry a
Graph token and Exchange calls an Exchange Online token, each fetched and kept for its own resource.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from hirehub.db.session import Database
from hirehub.directories.entra.clouds import cloud as cloud_named
from hirehub.directories.entra.connection_lifecycle import active_connection, provisioning_blocker
from hirehub.directories.entra.connections import ConnectionRuntime
from hirehub.directories.entra.connector import GraphConnector
from hirehub.directories.entra.directory import GraphDirectory
from hirehub.directories.entra.exchange import ExchangeClient
from hirehub.directories.entra.graph import GraphClient
from hirehub.directories.entra.group_adds import GroupAdds
from hirehub.directories.entra.linking import NeedsLink
from hirehub.directories.entra.models import ConnectionType, EntraConnection
from hirehub.lifecycle.connector import ApplyResult, Connector, NeedsAdministrator
from hirehub.lifecycle.directory_state import DirectoryAccount
from hirehub.lifecycle.planning import Plan

DELEGATED_TOKEN_REUSE_SECONDS = 300.0


class WaitingConnector:
    """The directory of a tenant whose active connection may not provision yet: every call says why, as a refusal
    only an administrator can lift, so the work waits paused rather than dying."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def _refuse(self) -> NeedsAdministrator:
        return NeedsAdministrator(self.reason)

    async def apply(self, plan: Plan, account: DirectoryAccount | None) -> ApplyResult:
        raise self._refuse()

    async def find_by_anchor(self, anchor: str) -> DirectoryAccount | None:
        raise self._refuse()

    async def list_accounts(self, page_token: str | None) -> tuple[list[DirectoryAccount], str | None]:
        raise self._refuse()

    async def name_taken(self, name: str) -> bool:
        raise self._refuse()


class EntraConnectors:
    """``await factory(tenant_id)`` → the tenant's :class:`GraphConnector`, or None without a connection."""

    def __init__(self, database: Database, runtime: ConnectionRuntime, *, clock: Callable[[], float] = time.monotonic):
        self.database = database
        self.runtime = runtime
        self._clock = clock
        self._delegated: dict[tuple[uuid.UUID, str], tuple[str, float, int]] = {}
        self._group_adds: dict[object, GroupAdds] = {}

    async def __call__(self, tenant_id: uuid.UUID) -> Connector | None:
        async with self.database.tenant_session(tenant_id) as session:
            connection = await active_connection(session)
            if connection is None:
                if await session.scalar(select(EntraConnection.id).limit(1)) is not None:
                    return WaitingConnector("the tenant has Entra connections but none is active: activate one")
                return None
        blocker = provisioning_blocker(connection)
        if blocker is not None:
            return WaitingConnector(blocker)
        return self.connector(tenant_id, connection)

    def connector(self, tenant_id: uuid.UUID, connection: EntraConnection) -> GraphConnector:
        if connection.connection_type == ConnectionType.CUSTOMER_OWNED:
            graph = self.runtime.graph(connection)
            exchange = self.runtime.exchange(connection) if connection.exchange_enabled else None
            return GraphConnector(GraphDirectory(graph), exchange, group_adds=self.group_adds(connection))
        cloud = cloud_named(connection.cloud)
        connection_id = connection.id
        graph = GraphClient(
            cloud.graph_base,
            self._delegated_token(tenant_id, connection_id, cloud.graph_scope),
            self.runtime.http_client(),
            bucket=self.runtime.bucket(connection),
            on_unauthorized=lambda: self.runtime.forget(connection_id),
        )
        exchange = (
            ExchangeClient(
                cloud.exchange_invoke_url(connection.directory_tenant_id),
                self._delegated_token(tenant_id, connection_id, cloud.exchange_scope),
                self.runtime.http_client(),
                on_unauthorized=lambda: self.runtime.forget(connection_id),
            )
            if connection.exchange_enabled
            else None
        )
        return GraphConnector(GraphDirectory(graph), exchange, group_adds=self.group_adds(connection))

    def group_adds(self, connection: EntraConnection) -> GroupAdds:
        """The coalescer of the connection's write budget: every job of this process writing as that application
        into that directory puts its group adds together with the others'."""
        budget = self.runtime.bucket(connection)
        if budget not in self._group_adds:
            self._group_adds[budget] = GroupAdds()
        return self._group_adds[budget]

    def _delegated_token(
        self, tenant_id: uuid.UUID, connection_id: uuid.UUID, scope: str
    ) -> Callable[[], Awaitable[str]]:
        async def token() -> str:
            key = (connection_id, scope)
            generation = self.runtime.generation(connection_id)
            cached = self._delegated.get(key)
            if (
                cached is not None
                and cached[2] == generation
                and self._clock() - cached[1] < DELEGATED_TOKEN_REUSE_SECONDS
            ):
                return cached[0]
            refused: NeedsLink | None = None
            async with self.database.tenant_transaction(tenant_id) as session:
                connection = await session.get(EntraConnection, connection_id)
                if connection is None:
                    raise LookupError(f"the Entra connection {connection_id} was deleted")
                try:
                    value = await self.runtime.token(connection, scope)
                except NeedsLink as exc:
                    refused = exc  # committed below with the connection marked needs_link
            if refused is not None:
                raise refused
            self._delegated[key] = (value, self._clock(), generation)
            return value

        return token
