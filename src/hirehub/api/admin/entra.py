"""Admin API for Entra ID connections, ``/admin/v1/entra-connections…``: the same services and JSON as
``hirehub entra connection …``. Every change is audited by the connection services in the route's transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.api.admin import common
from hirehub.api.admin.caller import AdminCaller, AdminDependency
from hirehub.directories.entra import connection_lifecycle as lifecycle
from hirehub.directories.entra.certificates import certificate_der
from hirehub.directories.entra.connections import ConnectionRuntime, create_connection
from hirehub.directories.entra.models import EntraConnection
from hirehub.errors import NotFound
from hirehub.provisioning import directory_connections as connections

router = APIRouter(prefix="/admin/v1/entra-connections", tags=["admin: Entra ID connections"])
Json = dict[str, Any]


class NewConnection(BaseModel):
    name: str = Field(max_length=100)
    cloud: str = Field("global", max_length=20, description="global, us_gov_l4, us_gov_l5_dod or china.")
    type: str = Field("customer_owned", max_length=20, description="customer_owned or service_provider.")
    directory_tenant_id: str = Field(max_length=64, description="The customer's Entra tenant ID (a GUID).")
    client_id: str | None = Field(None, max_length=64, description="The customer's app (customer_owned only).")
    exchange_enabled: bool = False


class ConnectionEdit(BaseModel):
    """Fields left out stay as they are; a change to where or as whom it signs in waits for a new test."""

    name: str | None = Field(None, max_length=100)
    cloud: str | None = Field(None, max_length=20)
    client_id: str | None = Field(None, max_length=64)
    directory_tenant_id: str | None = Field(None, max_length=64)
    exchange_enabled: bool | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _runtime(request: Request) -> ConnectionRuntime:
    runtime: ConnectionRuntime = request.app.state.entra_runtime
    return runtime


async def _in_transaction(request: Request, caller: AdminCaller, work: common.Work) -> Json:
    async with common.database_of(request).tenant_transaction(caller.tenant_id) as session:
        return await work(session)


@router.get("")
async def list_connections(request: Request, caller: AdminCaller = AdminDependency) -> Json:
    async def reader(session: AsyncSession) -> Json:
        return {"connections": [lifecycle.summary_json(c) for c in await lifecycle.list_connections(session)]}

    return await common.read(request, caller, reader)


@router.post("", status_code=201)
async def create(body: NewConnection, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    """Create a connection; a customer-owned one gets a certificate to upload. The tenant's first is active."""

    async def work(session: AsyncSession) -> Json:
        connection = await create_connection(
            session, name=body.name, cloud=body.cloud, connection_type=body.type,
            directory_tenant_id=body.directory_tenant_id, client_id=body.client_id,
            exchange_enabled=body.exchange_enabled, box=_runtime(request).box, now=_now(),
        )  # fmt: skip
        lifecycle.record_created(session, connection, actor=caller.actor)
        return lifecycle.detail_json(connection)

    return await _in_transaction(request, caller, work)


@router.get("/{connection_id}")
async def show(connection_id: str, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    async def reader(session: AsyncSession) -> Json:
        return lifecycle.detail_json(await lifecycle.get_connection(session, connection_id))

    return await common.read(request, caller, reader)


@router.patch("/{connection_id}")
async def edit(
    connection_id: str, body: ConnectionEdit, request: Request, caller: AdminCaller = AdminDependency
) -> Json:
    changes = lifecycle.ConnectionChanges(**body.model_dump())

    async def work(session: AsyncSession) -> Json:
        connection = await lifecycle.get_connection(session, connection_id, lock=True)
        return lifecycle.detail_json(
            await connections.update(session, connection, changes, now=_now(), actor=caller.actor)
        )

    return await _in_transaction(request, caller, work)


@router.delete("/{connection_id}", status_code=204)
async def delete(connection_id: str, request: Request, caller: AdminCaller = AdminDependency) -> Response:
    """Delete a connection; the active one is refused (409) while provisioning jobs depend on it."""

    async def work(session: AsyncSession) -> Json:
        connection = await lifecycle.get_connection(session, connection_id, lock=True)
        await connections.delete(session, connection, actor=caller.actor)
        return {}

    await _in_transaction(request, caller, work)
    return Response(status_code=204)


@router.post("/{connection_id}/test")
async def test(connection_id: str, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    """*Test connection* (the pending certificate first, if any): ``{"ok", "problems"}``; jobs that waited go on."""

    async def work(session: AsyncSession) -> Json:
        connection = await lifecycle.get_connection(session, connection_id, lock=True)
        outcome = await connections.test(session, connection, _runtime(request), now=_now(), actor=caller.actor)
        return outcome.as_json()

    return await _in_transaction(request, caller, work)


def _state_route(verb: Literal["enable", "disable", "activate"]) -> None:
    async def route(connection_id: str, request: Request, caller: AdminCaller = AdminDependency) -> Json:
        async def work(session: AsyncSession) -> Json:
            connection = await lifecycle.get_connection(session, connection_id, lock=True)
            if verb == "activate":
                await connections.activate(session, connection, now=_now(), actor=caller.actor)
            else:
                await connections.set_enabled(session, connection, verb == "enable", now=_now(), actor=caller.actor)
            return lifecycle.detail_json(connection)

        return await _in_transaction(request, caller, work)

    router.add_api_route(f"/{{connection_id}}/{verb}", route, methods=["POST"], name=f"{verb}_entra_connection")


for _verb in ("enable", "disable", "activate"):
    _state_route(_verb)


@router.post("/{connection_id}/rotate-certificate")
async def rotate_certificate(connection_id: str, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    """A new key pair and certificate, pending beside the current one until a test passes with it."""

    async def work(session: AsyncSession) -> Json:
        connection = await lifecycle.get_connection(session, connection_id, lock=True)
        rotation = await lifecycle.rotate_certificate(
            session, connection, box=_runtime(request).box, now=_now(), actor=caller.actor
        )
        return rotation.as_json()

    return await _in_transaction(request, caller, work)


def _certificates(connection: EntraConnection) -> Json:
    return {
        "current": lifecycle.detail_json(connection)["certificate"],
        "pending": lifecycle.detail_json(connection)["pending_certificate"],
    }


@router.get("/{connection_id}/certificates")
async def certificates(connection_id: str, request: Request, caller: AdminCaller = AdminDependency) -> Json:
    """The certificate in use and the pending one (thumbprints and expiry), each downloadable below."""

    async def reader(session: AsyncSession) -> Json:
        return _certificates(await lifecycle.get_connection(session, connection_id))

    return await common.read(request, caller, reader)


@router.get("/{connection_id}/certificate", response_class=Response)
async def certificate(
    connection_id: str, request: Request, which: Literal["current", "pending"] = "current",
    format: Literal["pem", "cer"] = "pem", caller: AdminCaller = AdminDependency,
) -> Response:  # fmt: skip
    """Download a certificate (``which=pending`` for the one a rotation made), PEM or DER (``format=cer``)."""
    async with common.database_of(request).tenant_session(caller.tenant_id) as session:
        connection = await lifecycle.get_connection(session, connection_id)
    pem = connection.pending_certificate_pem if which == "pending" else connection.certificate_pem
    if not pem:
        raise NotFound(f"the connection '{connection.name}' has no {which} certificate", field="which")
    if format == "cer":
        return Response(certificate_der(pem), media_type="application/pkix-cert")
    return Response(pem, media_type="application/x-pem-file")
