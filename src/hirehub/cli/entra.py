"""``hirehub entra connection …``: an Entra ID connection's whole life (create, list, show, update, test, enable,
disable, activate, delete, certificates and their rotation, link)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.bootstrap import Hub
from hirehub.cli.context import change_in, read_in, with_tenant
from hirehub.cli.output import JsonOption
from hirehub.directories.entra import connection_lifecycle as lifecycle
from hirehub.directories.entra import linking
from hirehub.directories.entra.certificates import certificate_der
from hirehub.directories.entra.connections import create_connection
from hirehub.directories.entra.models import EntraConnection
from hirehub.directories.entra.runtime import connection_sealer, runtime_from_settings
from hirehub.errors import Conflict, Invalid, NotFound
from hirehub.provisioning import directory_connections as connections
from hirehub.settings import get_settings

entra_app = typer.Typer(help="Microsoft Entra ID: connections the hub provisions into.")
connection_app = typer.Typer(help="Entra ID connections (customer-owned app with a certificate, or delegated).")
entra_app.add_typer(connection_app, name="connection")

ACTOR = "cli"
TenantOption = typer.Option(..., "--tenant", help="Tenant GUID or domain.")
NameOption = typer.Option(..., "--name", help="The connection's name.")
IdOption = typer.Option(None, "--id", help="The connection's id (a GUID).")
ByNameOption = typer.Option(None, "--name", help="The connection's name (instead of --id).")
OutOption = typer.Option(..., "--out", help="Where to write the certificate (.pem, or .cer for DER).")


def connection_json(connection: EntraConnection) -> dict[str, Any]:
    """A connection as the commands print it (never its private key or token cache)."""
    return lifecycle.detail_json(connection)


async def _find(session: AsyncSession, connection_id: str | None, name: str | None) -> EntraConnection:
    """The connection ``--id`` (or ``--name``) names, locked for the change about to be made."""
    if connection_id:
        return await lifecycle.get_connection(session, connection_id, lock=True)
    if not name:
        raise Invalid("name the connection with --id (or --name)", field="id")
    connection = await session.scalar(select(EntraConnection).where(EntraConnection.name == name))
    if connection is None:
        raise NotFound(f"no connection named '{name}' in this tenant", field="name")
    return connection


def _now() -> datetime:
    return datetime.now(UTC)


def _write_certificate(out: Path, pem: str) -> None:
    """PEM as it is, or DER for a ``.cer`` file (what the Entra admin center's upload expects either way)."""
    if out.suffix.lower() == ".cer":
        out.write_bytes(certificate_der(pem))
    else:
        out.write_text(pem)


def _with_runtime(tenant: str, work: Callable[[AsyncSession, Hub], Awaitable[dict[str, Any]]], as_json: bool) -> None:
    """One transaction of the tenant, with the hub's Entra runtime (closed with the hub)."""

    async def action(hub: Hub, tenant_id: uuid.UUID) -> dict[str, Any]:
        async with hub.database.tenant_transaction(tenant_id) as session:
            return await work(session, hub)

    with_tenant(tenant, action, as_json)


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
    """Create a connection; a customer-owned one gets a certificate to upload to the app. The first is active."""

    async def created(session: AsyncSession) -> dict[str, Any]:
        connection = await create_connection(
            session, name=name, cloud=cloud, connection_type=kind, directory_tenant_id=directory_tenant_id,
            client_id=client_id or None, exchange_enabled=exchange, box=connection_sealer(get_settings()),
            now=_now(),
        )  # fmt: skip
        lifecycle.record_created(session, connection, actor=ACTOR)
        return connection_json(connection)

    change_in(tenant, created, as_json)


@connection_app.command("list")
def list_connections(tenant: str = TenantOption, as_json: bool = JsonOption) -> None:
    """List a tenant's connections: which one is active, enabled, its certificate and last test."""

    async def listing(session: AsyncSession) -> dict[str, Any]:
        return {"connections": [lifecycle.summary_json(c) for c in await lifecycle.list_connections(session)]}

    read_in(tenant, listing, as_json)


@connection_app.command("show")
def show(
    tenant: str = TenantOption, connection_id: str = IdOption, name: str = ByNameOption, as_json: bool = JsonOption
) -> None:
    """One connection in full, and why it does not provision when it does not."""

    async def shown(session: AsyncSession) -> dict[str, Any]:
        return connection_json(await _find(session, connection_id, name))

    read_in(tenant, shown, as_json)


@connection_app.command("update")
def update(
    tenant: str = TenantOption,
    connection_id: str = IdOption,
    new_name: str = typer.Option(None, "--name", help="A new name."),
    client_id: str = typer.Option(None, "--client-id", help="The app's client ID (customer_owned only)."),
    directory_tenant_id: str = typer.Option(None, "--directory-tenant-id", help="The Entra tenant ID."),
    cloud: str = typer.Option(None, "--cloud", help="global, us_gov_l4, us_gov_l5_dod or china."),
    exchange: bool = typer.Option(None, "--exchange/--no-exchange", help="Manage Exchange Online mailboxes."),
    as_json: bool = JsonOption,
) -> None:
    """Edit a connection; a change to where or as whom it signs in waits for a new passing test."""

    async def updated(session: AsyncSession) -> dict[str, Any]:
        changes = lifecycle.ConnectionChanges(
            name=new_name, cloud=cloud, client_id=client_id, directory_tenant_id=directory_tenant_id,
            exchange_enabled=exchange,
        )  # fmt: skip
        connection = await _find(session, connection_id, None)
        return connection_json(await connections.update(session, connection, changes, now=_now(), actor=ACTOR))

    change_in(tenant, updated, as_json)


@connection_app.command("certificate")
def certificate(
    tenant: str = TenantOption,
    out: Path = OutOption,
    connection_id: str = IdOption,
    name: str = ByNameOption,
    pending: bool = typer.Option(False, "--pending", help="The new certificate a rotation made, not yet in use."),
    as_json: bool = JsonOption,
) -> None:
    """Write the connection's certificate (or the pending one), to upload under the app's Certificates & secrets."""

    async def written(session: AsyncSession) -> dict[str, Any]:
        connection = await _find(session, connection_id, name)
        pem, thumbprint = (
            (connection.pending_certificate_pem, connection.pending_certificate_thumbprint)
            if pending
            else (connection.certificate_pem, connection.certificate_thumbprint)
        )
        if not pem:
            why = "no pending certificate: rotate-certificate makes one" if pending else "is delegated: no certificate"
            raise Conflict(f"connection '{connection.name}' has {why}", field="id")
        await asyncio.to_thread(_write_certificate, out, pem)
        return {"path": str(out), "thumbprint": thumbprint}

    read_in(tenant, written, as_json)


@connection_app.command("rotate-certificate")
def rotate_certificate(tenant: str = TenantOption, connection_id: str = IdOption, as_json: bool = JsonOption) -> None:
    """Make a new key pair and certificate, pending beside the current one until Test connection passes with it."""

    async def rotated(session: AsyncSession) -> dict[str, Any]:
        connection = await _find(session, connection_id, None)
        rotation = await lifecycle.rotate_certificate(
            session, connection, box=connection_sealer(get_settings()), now=_now(), actor=ACTOR
        )
        return rotation.as_json()

    change_in(tenant, rotated, as_json)


@connection_app.command("test")
def test(
    tenant: str = TenantOption, connection_id: str = IdOption, name: str = ByNameOption, as_json: bool = JsonOption
) -> None:
    """Test connection (with the pending certificate first, if any); provisioning that waited goes on if it passes."""

    async def tested(session: AsyncSession, hub: Hub) -> dict[str, Any]:
        connection = await _find(session, connection_id, name)
        outcome = await connections.test(session, connection, hub.entra_runtime, now=_now(), actor=ACTOR)
        return outcome.as_json()

    _with_runtime(tenant, tested, as_json)


def _state_command(
    verb: str, help_text: str, change: Callable[[AsyncSession, EntraConnection], Awaitable[Any]]
) -> None:
    @connection_app.command(verb, help=help_text)
    def command(tenant: str = TenantOption, connection_id: str = IdOption, as_json: bool = JsonOption) -> None:
        async def changed(session: AsyncSession) -> dict[str, Any]:
            connection = await _find(session, connection_id, None)
            await change(session, connection)
            return connection_json(connection)

        change_in(tenant, changed, as_json)


_state_command(
    "enable", "Enable a connection (the active one provisions again once it has passed its test).",
    lambda session, c: connections.set_enabled(session, c, True, now=_now(), actor=ACTOR),
)  # fmt: skip
_state_command(
    "disable", "Disable a connection: if it is the active one, provisioning waits (paused) until it is enabled.",
    lambda session, c: connections.set_enabled(session, c, False, now=_now(), actor=ACTOR),
)  # fmt: skip
_state_command(
    "activate", "Make this the connection the tenant provisions through (the previous active one steps down).",
    lambda session, c: connections.activate(session, c, now=_now(), actor=ACTOR),
)  # fmt: skip


@connection_app.command("delete")
def delete(tenant: str = TenantOption, connection_id: str = IdOption, as_json: bool = JsonOption) -> None:
    """Delete a connection; the active one is refused while provisioning jobs depend on it."""

    async def deleted(session: AsyncSession) -> dict[str, Any]:
        connection = await _find(session, connection_id, None)
        key, name = str(connection.id), connection.name
        await connections.delete(session, connection, actor=ACTOR)
        return {"id": key, "name": name, "deleted": True}

    change_in(tenant, deleted, as_json)


@connection_app.command("link")
def link(
    tenant: str = TenantOption, connection_id: str = IdOption, name: str = ByNameOption, as_json: bool = JsonOption
) -> None:
    """Link account (delegated connections): prints the Microsoft sign-in URL to open in a browser."""

    async def started(session: AsyncSession) -> dict[str, Any]:
        runtime = runtime_from_settings(get_settings())
        connection = await _find(session, connection_id, name)
        sp = runtime.service_provider_for(connection.cloud)  # refused with the settings to set, when missing
        url = await linking.start_link(session, connection, sp=sp, outbound=runtime.outbound,
                                       box=runtime.box, now=_now())  # fmt: skip
        return {"connection": connection.name, "auth_url": url}

    change_in(tenant, started, as_json)
