"""Entra ID connections: creating them.

Reaching Graph and Exchange through a connection is :mod:`.connection_runtime`'s, testing it
:mod:`.connection_check`'s; both are re-exported here for the callers that import them from this module.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.directories.entra.certificates import generate_certificate
from hirehub.directories.entra.clouds import cloud as cloud_named
from hirehub.directories.entra.connection_check import test_connection
from hirehub.directories.entra.connection_runtime import CertificateCredentials, ConnectionRuntime
from hirehub.directories.entra.models import ConnectionStatus, ConnectionType, EntraConnection
from hirehub.directories.entra.msal_client import SecretBox
from hirehub.directories.entra.permissions import ConnectionCheck
from hirehub.errors import AlreadyExists, Invalid

__all__ = [
    "CertificateCredentials",
    "ConnectionCheck",
    "ConnectionNameTaken",
    "ConnectionRuntime",
    "EntraConnectionError",
    "create_connection",
    "test_connection",
]


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
    """A new connection; a customer-owned one gets its own key pair and certificate to download.

    The tenant's first connection becomes its active one; later ones wait to be activated explicitly."""
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
        enabled=True,
        active=await session.scalar(select(EntraConnection.id).where(EntraConnection.active.is_(True))) is None,
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
