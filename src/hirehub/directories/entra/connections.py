"""Entra ID connections: creating them, reaching Graph and Exchange through them, testing them.

:class:`ConnectionRuntime` is the process-wide part: it keeps one MSAL application per connection (so
app-only tokens are cached until they near expiry) and one write bucket per application per
directory tenant (Graph's throttling unit), whichever worker task is using the connection.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import msal
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.directories.entra.certificates import generate_certificate
from hirehub.directories.entra.clouds import cloud as cloud_named
from hirehub.directories.entra.exchange import ExchangeClient
from hirehub.directories.entra.graph import GraphClient
from hirehub.directories.entra.graph_errors import GraphError
from hirehub.directories.entra.linking import NeedsLink, ServiceProviderApp, delegated_token
from hirehub.directories.entra.models import ConnectionStatus, ConnectionType, EntraConnection
from hirehub.directories.entra.msal_client import (
    OutboundConfig,
    SecretBox,
    TokenError,
    app_token,
    certificate_app,
)
from hirehub.directories.entra.permissions import DELEGATED_SCOPES, ConnectionCheck, judge
from hirehub.directories.entra.throttle import TokenBucket
from hirehub.errors import AlreadyExists, Invalid


class EntraConnectionError(Invalid):
    """A connection request that cannot be carried out; the message says why, ``field`` which input is wrong."""


class ConnectionNameTaken(AlreadyExists):
    """The tenant has a connection of that name already."""


def _validate_guid(value: str, what: str, *, field: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise EntraConnectionError(f"{what} must be a GUID (find it on the app's Overview blade)", field=field) from exc


async def create_connection(
    session: AsyncSession,
    *,
    name: str,
    cloud: str,
    connection_type: str,
    directory_tenant_id: str,
    client_id: str | None,
    exchange_enabled: bool,
    box: SecretBox,
    now: datetime,
) -> EntraConnection:
    """A new connection; a customer-owned one gets its own key pair and certificate to download."""
    try:
        kind = ConnectionType(connection_type)
    except ValueError as exc:
        raise EntraConnectionError(str(exc), field="connection_type") from exc
    try:
        cloud_named(cloud)
    except ValueError as exc:
        raise EntraConnectionError(str(exc), field="cloud") from exc
    if not name.strip():
        raise EntraConnectionError("a connection needs a name", field="name")
    if await session.scalar(select(EntraConnection.id).where(EntraConnection.name == name.strip())):
        raise ConnectionNameTaken(f"a connection named '{name.strip()}' already exists", field="name")
    connection = EntraConnection(
        name=name.strip(),
        cloud=cloud,
        connection_type=kind,
        directory_tenant_id=_validate_guid(directory_tenant_id, "the tenant ID", field="directory_tenant_id"),
        exchange_enabled=exchange_enabled,
        status=ConnectionStatus.PENDING,
    )
    if kind is ConnectionType.CUSTOMER_OWNED:
        if not client_id:
            raise EntraConnectionError(
                "a customer-owned application connection needs the app's client ID", field="client_id"
            )
        connection.client_id = _validate_guid(client_id, "the client ID", field="client_id")
        cert = generate_certificate(f"hirehub {name.strip()}", now=now)
        connection.certificate_pem = cert.certificate_pem
        connection.certificate_thumbprint = cert.thumbprint_sha1
        connection.certificate_not_after = cert.not_after
        connection.private_key_encrypted = box.seal(cert.private_key_pem)
    session.add(connection)
    await session.flush()
    return connection


@dataclass
class ConnectionRuntime:
    """Tokens and clients for connections, shared by everything in one process."""

    outbound: OutboundConfig
    box: SecretBox
    service_provider: ServiceProviderApp | None = None
    http: httpx.AsyncClient | None = None
    _apps: dict[tuple[uuid.UUID, str], msal.ConfidentialClientApplication] = field(default_factory=dict)
    _buckets: dict[tuple[str, str], TokenBucket] = field(default_factory=dict)
    bucket_factory: Any = TokenBucket

    def http_client(self) -> httpx.AsyncClient:
        if self.http is None:
            raise RuntimeError("ConnectionRuntime needs an httpx client (hirehub.outbound.async_client)")
        return self.http

    def _certificate_app(self, connection: EntraConnection) -> msal.ConfidentialClientApplication:
        key = (connection.id, connection.certificate_thumbprint or "")
        if key not in self._apps:
            if not (connection.client_id and connection.certificate_pem and connection.private_key_encrypted):
                raise EntraConnectionError(f"connection '{connection.name}' has no certificate credentials")
            self._apps[key] = certificate_app(
                cloud=cloud_named(connection.cloud),
                directory_tenant_id=connection.directory_tenant_id,
                client_id=connection.client_id,
                certificate_pem=connection.certificate_pem,
                private_key_pem=self.box.open(connection.private_key_encrypted),
                outbound=self.outbound,
            )
        return self._apps[key]

    async def token(self, connection: EntraConnection, scope: str) -> str:
        """A token for ``scope``; raises :class:`TokenError` or :class:`NeedsLink`."""
        if connection.connection_type == ConnectionType.CUSTOMER_OWNED:
            return await app_token(self._certificate_app(connection), scope)
        if self.service_provider is None:
            raise EntraConnectionError("the hub has no service-provider application configured")
        return await delegated_token(connection, sp=self.service_provider, outbound=self.outbound, box=self.box)

    def bucket(self, connection: EntraConnection) -> TokenBucket:
        app = connection.client_id or (self.service_provider.client_id if self.service_provider else "")
        key = (connection.directory_tenant_id, app)
        if key not in self._buckets:
            self._buckets[key] = self.bucket_factory()
        return self._buckets[key]

    def graph(self, connection: EntraConnection) -> GraphClient:
        graph_cloud = cloud_named(connection.cloud)

        async def token() -> str:
            return await self.token(connection, graph_cloud.graph_scope)

        return GraphClient(graph_cloud.graph_base, token, self.http_client(), bucket=self.bucket(connection))

    def exchange(self, connection: EntraConnection) -> ExchangeClient:
        exchange_cloud = cloud_named(connection.cloud)

        async def token() -> str:
            return await self.token(connection, exchange_cloud.exchange_scope)

        return ExchangeClient(
            exchange_cloud.exchange_invoke_url(connection.directory_tenant_id), token, self.http_client()
        )


@dataclass(frozen=True)
class CertificateCredentials:
    """A certificate to sign in with instead of the connection's current one (a rotation's pending certificate)."""

    certificate_pem: str
    private_key_encrypted: str
    thumbprint: str


async def test_connection(
    runtime: ConnectionRuntime,
    connection: EntraConnection,
    now: datetime,
    *,
    certificate: CertificateCredentials | None = None,
) -> ConnectionCheck:
    """*Test connection*: get a token, then compare granted permissions and roles with the list in permissions.py.

    The verdict is stored on the connection (``last_test``) and its status follows it. With ``certificate`` the
    customer-owned application signs in with that certificate instead of the stored one.
    """
    check = await _check(runtime, connection)
    connection.last_test = check.as_json()
    connection.last_tested_at = now
    if check.ok:
        connection.status = ConnectionStatus.ACTIVE
        connection.status_detail = None
    elif connection.status != ConnectionStatus.NEEDS_LINK:
        connection.status = ConnectionStatus.ERROR
        connection.status_detail = "; ".join(check.messages())[:1000]
    return check


async def _check(runtime: ConnectionRuntime, connection: EntraConnection) -> ConnectionCheck:
    graph = runtime.graph(connection)
    try:
        await runtime.token(connection, cloud_named(connection.cloud).graph_scope)
    except TokenError as exc:
        return ConnectionCheck(token_ok=False, error=f"could not sign in as the application: {exc}")
    except NeedsLink as exc:
        return ConnectionCheck(token_ok=False, error=exc.reason)
    if connection.connection_type == ConnectionType.SERVICE_PROVIDER:
        granted = {s.rsplit("/", 1)[-1].lower() for s in connection.granted_scopes or []}
        missing = [s for s in DELEGATED_SCOPES if s != "offline_access" and s.lower() not in granted]
        notes = tuple(f"Missing delegated permission {s}: use Link account to consent" for s in missing)
        return ConnectionCheck(token_ok=True, error=notes[0] if notes else None, notes=notes)
    try:
        found = await graph.request(
            "GET", "/servicePrincipals", params={"$filter": f"appId eq '{connection.client_id}'"}
        )
        principals = found.get("value", [])
        if not principals:
            return ConnectionCheck(token_ok=True, error="the application has no service principal in this tenant")
        principal_id = principals[0]["id"]
        assignments = await graph.request("GET", f"/servicePrincipals/{principal_id}/appRoleAssignments")
        roles = await graph.request(
            "GET",
            "/roleManagement/directory/roleAssignments",
            params={"$filter": f"principalId eq '{principal_id}'"},
        )
    except GraphError as exc:
        return ConnectionCheck(token_ok=True, error=f"Microsoft Graph refused the check: {exc.code} {exc.message}")
    return judge(
        exchange_enabled=connection.exchange_enabled,
        granted_app_role_ids=[a["appRoleId"] for a in assignments.get("value", [])],
        assigned_role_template_ids=[r["roleDefinitionId"] for r in roles.get("value", [])],
    )
