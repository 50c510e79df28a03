"""``hirehub entra connection …``: Entra ID connections (create, list, certificate, test, link)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import select

from hirehub.cli.context import tenant_session, tenant_transaction
from hirehub.cli.output import CommandError, JsonOption, emit, run
from hirehub.directories.entra import linking
from hirehub.directories.entra.certificates import certificate_der
from hirehub.directories.entra.connections import EntraConnectionError, create_connection, test_connection
from hirehub.directories.entra.models import EntraConnection
from hirehub.directories.entra.runtime import connection_sealer, runtime_from_settings
from hirehub.settings import get_settings
from hirehub.tenancy.service import TenancyError

entra_app = typer.Typer(help="Microsoft Entra ID: connections the hub provisions into.")
connection_app = typer.Typer(help="Entra ID connections (customer-owned app with a certificate, or delegated).")
entra_app.add_typer(connection_app, name="connection")

TenantOption = typer.Option(..., "--tenant", help="Tenant GUID or domain.")
NameOption = typer.Option(..., "--name", help="The connection's name.")


def connection_json(connection: EntraConnection) -> dict[str, Any]:
    return {
        "id": str(connection.id),
        "name": connection.name,
        "cloud": connection.cloud,
        "type": connection.connection_type,
        "directory_tenant_id": connection.directory_tenant_id,
        "client_id": connection.client_id,
        "exchange_enabled": connection.exchange_enabled,
        "status": connection.status,
        "status_detail": connection.status_detail,
        "certificate_thumbprint": connection.certificate_thumbprint,
        "certificate_not_after": connection.certificate_not_after,
        "linked_account": connection.linked_account,
        "last_test": connection.last_test,
    }


async def _find(session: Any, name: str) -> EntraConnection:
    connection = await session.scalar(select(EntraConnection).where(EntraConnection.name == name))
    if connection is None:
        raise CommandError(f"no connection named '{name}' in this tenant")
    return connection


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

    async def action() -> dict[str, Any]:
        async with tenant_transaction(tenant) as session:
            connection = await create_connection(
                session,
                name=name,
                cloud=cloud,
                connection_type=kind,
                directory_tenant_id=directory_tenant_id,
                client_id=client_id or None,
                exchange_enabled=exchange,
                box=connection_sealer(get_settings()),
                now=datetime.now(UTC),
            )
            return connection_json(connection)

    emit(run(action, as_json, (TenancyError, EntraConnectionError)), as_json)


@connection_app.command("list")
def list_connections(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """List a tenant's connections and their status."""

    async def action() -> dict[str, Any]:
        async with tenant_session(tenant) as session:
            found = await session.scalars(select(EntraConnection).order_by(EntraConnection.name))
            return {"connections": [connection_json(c) for c in found]}

    emit(run(action, as_json, (TenancyError,)), as_json)


@connection_app.command("certificate")
def certificate(
    tenant: str = TenantOption,
    name: str = NameOption,
    out: Path = typer.Option(..., "--out", help="Where to write the certificate (.pem, or .cer for DER)."),
    as_json: bool = JsonOption,
) -> None:
    """Write the connection's certificate, to upload under the app's Certificates & secrets."""

    async def action() -> EntraConnection:
        async with tenant_session(tenant) as session:
            connection = await _find(session, name)
        if not connection.certificate_pem:
            raise CommandError(f"connection '{name}' is delegated: it has no certificate")
        return connection

    connection = run(action, as_json, (TenancyError,))
    pem = connection.certificate_pem or ""
    if out.suffix.lower() == ".cer":
        out.write_bytes(certificate_der(pem))
    else:
        out.write_text(pem)
    emit({"path": str(out), "thumbprint": connection.certificate_thumbprint}, as_json)


@connection_app.command("test")
def test(tenant: str = TenantOption, name: str = NameOption, as_json: bool = JsonOption) -> None:
    """Test connection: sign in as the app and list each missing permission and directory role."""

    async def action() -> dict[str, Any]:
        runtime = runtime_from_settings(get_settings())
        async with tenant_transaction(tenant) as session:
            connection = await _find(session, name)
            check = await test_connection(runtime, connection, datetime.now(UTC))
            return {"connection": name, "status": connection.status, **check.as_json()}

    emit(run(action, as_json, (TenancyError,)), as_json)


@connection_app.command("link")
def link(tenant: str = TenantOption, name: str = NameOption, as_json: bool = JsonOption) -> None:
    """Link account (delegated connections): prints the Microsoft sign-in URL to open in a browser."""

    async def action() -> dict[str, Any]:
        settings = get_settings()
        runtime = runtime_from_settings(settings)
        if runtime.service_provider is None:
            raise CommandError("set HIREHUB_ENTRA_SP_CLIENT_ID and HIREHUB_ENTRA_SP_CLIENT_SECRET first")
        async with tenant_transaction(tenant) as session:
            connection = await _find(session, name)
            url = await linking.start_link(
                session,
                connection,
                sp=runtime.service_provider,
                outbound=runtime.outbound,
                box=runtime.box,
                now=datetime.now(UTC),
            )
            return {"connection": name, "auth_url": url}

    emit(run(action, as_json, (TenancyError,)), as_json)
