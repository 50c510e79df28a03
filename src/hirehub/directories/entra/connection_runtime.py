"""Tokens and clients for Entra connections, shared by everything in one process.

:class:`ConnectionRuntime` keeps one MSAL application per customer-owned connection (so app-only tokens are cached
until they near expiry) and one write budget per application per directory tenant and cloud (Graph's throttling
unit), whichever worker task is using the connection. Given the hub's database (``budgets``), that budget is shared
with every other process of the hub (:class:`~.throttle.SharedBucket`); without one (a test, a one-off command),
it is this process's own :class:`~.throttle.TokenBucket`.

Each service gets a token for its own resource in the connection's cloud: Graph calls carry a Graph token,
Exchange calls an Exchange Online token (``https://outlook.office365.com`` or the national cloud's twin), on both
connection types; MSAL caches each separately. A token says which permissions were granted when it was issued, so
tokens follow the grants: :meth:`ConnectionRuntime.forget` drops a connection's tokens, and the clients call it
when Graph or Exchange refuses one (then fetch once more), as *Test connection* does before every test.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import msal

from hirehub.directories.entra.budget_store import BudgetKey, BudgetStore
from hirehub.directories.entra.clouds import CloudName
from hirehub.directories.entra.clouds import cloud as cloud_named
from hirehub.directories.entra.exchange import ExchangeClient
from hirehub.directories.entra.graph import GraphClient, TokenSource
from hirehub.directories.entra.linking import MissingServiceProviderApp, ServiceProviderApp, delegated_token
from hirehub.directories.entra.models import ConnectionType, EntraConnection
from hirehub.directories.entra.msal_client import OutboundConfig, SecretBox, app_token, certificate_app
from hirehub.directories.entra.throttle import SharedBucket, TokenBucket, WriteBudget
from hirehub.errors import Conflict


class MissingCredentials(Conflict):
    """A customer-owned connection without a certificate and its key cannot sign in."""


@dataclass(frozen=True)
class CertificateCredentials:
    """A certificate to sign in with instead of the connection's current one (a rotation's pending certificate)."""

    certificate_pem: str
    private_key_encrypted: str
    thumbprint: str


@dataclass
class ConnectionRuntime:
    """Tokens and clients for connections, shared by everything in one process.

    ``service_provider`` is the hub's service-provider app in the global cloud, ``service_providers`` the apps of
    the other clouds (an app is registered in one cloud only).
    """

    outbound: OutboundConfig
    box: SecretBox
    service_provider: ServiceProviderApp | None = None
    http: httpx.AsyncClient | None = None
    service_providers: dict[CloudName, ServiceProviderApp] = field(default_factory=dict)
    _apps: dict[tuple[uuid.UUID, str], msal.ConfidentialClientApplication] = field(default_factory=dict)
    budgets: BudgetStore | None = None
    """Graph's write budgets in the hub's database, shared by every process; None: each process paces alone."""
    _buckets: dict[BudgetKey, WriteBudget] = field(default_factory=dict)
    _generations: dict[uuid.UUID, int] = field(default_factory=dict)
    _renewed_since_forget: dict[uuid.UUID, set[str]] = field(default_factory=dict)
    bucket_factory: Any = TokenBucket

    def http_client(self) -> httpx.AsyncClient:
        if self.http is None:
            raise RuntimeError("ConnectionRuntime needs an httpx client (hirehub.outbound.async_client)")
        return self.http

    @property
    def has_service_provider(self) -> bool:
        """Whether the hub has its service-provider app in at least one cloud (*Link account* is offered)."""
        return self.service_provider is not None or bool(self.service_providers)

    def service_provider_for(self, cloud_name: str) -> ServiceProviderApp:
        """The hub's service-provider app in that cloud; :class:`MissingServiceProviderApp` names the settings."""
        name = cloud_named(cloud_name).name
        app = self.service_provider if name is CloudName.GLOBAL else self.service_providers.get(name)
        if app is None:
            raise MissingServiceProviderApp(name)
        return app

    def forget(self, connection_id: uuid.UUID) -> None:
        """Drop the connection's tokens: the next call of each scope fetches a new one with the grants of now."""
        for key in [key for key in self._apps if key[0] == connection_id]:
            del self._apps[key]
        self._generations[connection_id] = self.generation(connection_id) + 1
        self._renewed_since_forget[connection_id] = set()

    def generation(self, connection_id: uuid.UUID) -> int:
        """How many times the connection's tokens were dropped: a token kept elsewhere is stale once it changes."""
        return self._generations.get(connection_id, 0)

    def _must_renew(self, connection_id: uuid.UUID, scope: str) -> bool:
        renewed = self._renewed_since_forget.get(connection_id)
        if renewed is None or scope in renewed:
            return False
        renewed.add(scope)
        return True

    async def _certificate_app(
        self, connection: EntraConnection, credentials: CertificateCredentials | None = None
    ) -> msal.ConfidentialClientApplication:
        if credentials is None:
            if not (connection.certificate_pem and connection.private_key_encrypted):
                raise MissingCredentials(f"connection '{connection.name}' has no certificate credentials")
            credentials = CertificateCredentials(
                connection.certificate_pem, connection.private_key_encrypted, connection.certificate_thumbprint or ""
            )
        if not connection.client_id:
            raise MissingCredentials(f"connection '{connection.name}' has no client ID")
        key = (connection.id, credentials.thumbprint)
        if key not in self._apps:
            # MSAL reads the authority's configuration over the network while it builds the app: not on the loop.
            self._apps[key] = await asyncio.to_thread(
                certificate_app,
                cloud=cloud_named(connection.cloud),
                directory_tenant_id=connection.directory_tenant_id,
                client_id=connection.client_id,
                certificate_pem=credentials.certificate_pem,
                private_key_pem=self.box.open(credentials.private_key_encrypted),
                outbound=self.outbound,
            )
        return self._apps[key]

    async def token(self, connection: EntraConnection, scope: str) -> str:
        """A token for ``scope``'s resource; raises :class:`TokenError`, :class:`NeedsLink` or
        :class:`MissingServiceProviderApp`."""
        if connection.connection_type == ConnectionType.CUSTOMER_OWNED:
            return await app_token(await self._certificate_app(connection), scope)
        return await delegated_token(
            connection,
            sp=self.service_provider_for(connection.cloud),
            outbound=self.outbound,
            box=self.box,
            scope=scope,
            force_refresh=self._must_renew(connection.id, scope),
        )

    async def certificate_token(
        self, connection: EntraConnection, scope: str, credentials: CertificateCredentials
    ) -> str:
        """A customer-owned connection's token signed in with ``credentials`` instead of its current certificate."""
        return await app_token(await self._certificate_app(connection, credentials), scope)

    def bucket(self, connection: EntraConnection) -> WriteBudget:
        """The write budget of the connection's application in its directory: the same object for every
        connection of this process that writes as that application there, whichever tenant it belongs to."""
        key = BudgetKey(
            cloud_named(connection.cloud).name.value,
            connection.directory_tenant_id,
            connection.client_id or self.service_provider_id(connection.cloud),
        )
        if key not in self._buckets:
            self._buckets[key] = SharedBucket(self.budgets, key) if self.budgets is not None else self.bucket_factory()
        return self._buckets[key]

    def service_provider_id(self, cloud_name: str) -> str:
        """The client ID of the hub's service-provider app in that cloud, or "" when there is none."""
        try:
            return self.service_provider_for(cloud_name).client_id
        except (MissingServiceProviderApp, ValueError):
            return ""

    def _token_source(
        self, connection: EntraConnection, scope: str, credentials: CertificateCredentials | None
    ) -> TokenSource:
        async def token() -> str:
            if credentials is not None:
                return await self.certificate_token(connection, scope, credentials)
            return await self.token(connection, scope)

        return token

    def graph(self, connection: EntraConnection, *, credentials: CertificateCredentials | None = None) -> GraphClient:
        graph_cloud = cloud_named(connection.cloud)
        return GraphClient(
            graph_cloud.graph_base,
            self._token_source(connection, graph_cloud.graph_scope, credentials),
            self.http_client(),
            bucket=self.bucket(connection),
            on_unauthorized=lambda: self.forget(connection.id),
        )

    def exchange(
        self, connection: EntraConnection, *, credentials: CertificateCredentials | None = None
    ) -> ExchangeClient:
        exchange_cloud = cloud_named(connection.cloud)
        return ExchangeClient(
            exchange_cloud.exchange_invoke_url(connection.directory_tenant_id),
            self._token_source(connection, exchange_cloud.exchange_scope, credentials),
            self.http_client(),
            on_unauthorized=lambda: self.forget(connection.id),
        )
