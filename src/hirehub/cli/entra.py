"""``hirehub entra connection …``: Entra ID connections (create, list, certificate, test, link)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.cli.context import change_in, read_in
from hirehub.cli.output import JsonOption
from hirehub.directories.entra import linking
from hirehub.directories.entra.certificates import certificate_der
from hirehub.directories.entra.connections import create_connection, test_connection
from hirehub.directories.entra.models import EntraConnection
from hirehub.directories.entra.runtime import connection_sealer, runtime_from_settings
from hirehub.errors import Conflict, NotFound, Unavailable
from hirehub.settings import get_settings

entra_app = typer.Typer(help="Microsoft Entra ID: connections the hub provisions into.")
connection_app = typer.Typer(help="Entra ID connections (customer-owned app with a certificate, or delegated).")
entra_app.add_typer(connection_app, name="connection")

TenantOption = typer.Option(..., "--tenant", help="Tenant GUID or domain.")
NameOption = typer.Option(..., "--name", help="The connection's name.")
OutOption = typer.Option(..., "--out", help="Where to write the certificate (.pem, or .cer for DER).")

_SHOWN = (
    "id", "name", "cloud", "connection_type", "directory_tenant_id", "client_id", "exchange_enabled", "status",
    "status_detail", "certificate_thumbprint", "certificate_not_after", "linked_account", "last_test",
)  # fmt: skip
"""The columns a connection is shown with: everything but its keys and tokens."""
_RENAMED = {"connection_type": "type"}


def connection_json(connection: EntraConnection) -> dict[str, Any]:
    """A connection as the commands print it (never its private key or token cache)."""
    shown = {_RENAMED.get(column, column): getattr(connection, column) for column in _SHOWN}
    return {**shown, "id": str(connection.id)}


async def _find(session: AsyncSession, name: str) -> EntraConnection:
    connection = await session.scalar(select(EntraConnection).where(EntraConnection.name == name))
    if connection is None:
        raise NotFound(f"no connection named '{name}' in this tenant", field="name")
    return connection


def _write_certificate(out: Path, pem: str) -> None:
    """PEM as it is, or DER for a ``.cer`` file (what the Entra admin center's upload expects either way)."""
    if out.suffix.lower() == ".cer":
        out.write_bytes(certificate_der(pem))
    else:
        out.write_text(pem)


@connection_app.command("create")
def create(
    tenant: str = TenantOption,
    name: str = NameOption,
    cloud: str = typer.Option("global", "--cloud", help="global, us_gov_l4, us_gov_l5_dod or china."),
    kind: str = typer.Option("customer_owned", "--type", help="customer_owned or service_provider."),
    directory_tenant_id: str = typer.Option(..., "--directory-tenant-id", help="The Entra tenant ID."),
    client_id: str = typer.Option("", "--client-id", help="The customer's app (customer_owned only)."),
    exchange: bool = typer.Option(False, "--exchange", help="Also manage Exchange Online mailboxes."),
    as_json: bool = JsonOption,
) -> None:
    """Create a connection; a customer-owned one gets a certificate to upload to the app."""

    async def created(session: AsyncSession) -> dict[str, Any]:
        connection = await create_connection(
            session, name=name, cloud=cloud, connection_type=kind, directory_tenant_id=directory_tenant_id,
            client_id=client_id or None, exchange_enabled=exchange, box=connection_sealer(get_settings()),
            now=datetime.now(UTC),
        )  # fmt: skip
        return connection_json(connection)

    change_in(tenant, created, as_json)


@connection_app.command("list")
def list_connections(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """List a tenant's connections and their status."""

    async def listing(session: AsyncSession) -> dict[str, Any]:
        found = await session.scalars(select(EntraConnection).order_by(EntraConnection.name))
        return {"connections": [connection_json(c) for c in found]}

    read_in(tenant, listing, as_json)


@connection_app.command("certificate")
def certificate(
    tenant: str = TenantOption, name: str = NameOption, out: Path = OutOption, as_json: bool = JsonOption
) -> None:
    """Write the connection's certificate, to upload under the app's Certificates & secrets."""

    async def written(session: AsyncSession) -> dict[str, Any]:
        connection = await _find(session, name)
        if not connection.certificate_pem:
            raise Conflict(f"connection '{name}' is delegated: it has no certificate", field="name")
        await asyncio.to_thread(_write_certificate, out, connection.certificate_pem)
        return {"path": str(out), "thumbprint": connection.certificate_thumbprint}

    read_in(tenant, written, as_json)


@connection_app.command("test")
def test(tenant: str = TenantOption, name: str = NameOption, as_json: bool = JsonOption) -> None:
    """Test connection: sign in as the app and list each missing permission and directory role."""

    async def tested(session: AsyncSession) -> dict[str, Any]:
        connection = await _find(session, name)
        check = await test_connection(runtime_from_settings(get_settings()), connection, datetime.now(UTC))
        return {"connection": name, "status": connection.status, **check.as_json()}

    change_in(tenant, tested, as_json)


@connection_app.command("link")
def link(tenant: str = TenantOption, name: str = NameOption, as_json: bool = JsonOption) -> None:
    """Link account (delegated connections): prints the Microsoft sign-in URL to open in a browser."""

    async def started(session: AsyncSession) -> dict[str, Any]:
        runtime = runtime_from_settings(get_settings())
        if runtime.service_provider is None:
            raise Unavailable("set HIREHUB_ENTRA_SP_CLIENT_ID and HIREHUB_ENTRA_SP_CLIENT_SECRET first")
        connection = await _find(session, name)
        url = await linking.start_link(session, connection, sp=runtime.service_provider, outbound=runtime.outbound,
                                       box=runtime.box, now=datetime.now(UTC))  # fmt: skip
        return {"connection": name, "auth_url": url}

    change_in(tenant, started, as_json)
