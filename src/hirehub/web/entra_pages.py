"""Console pages for Entra ID connections: create, edit, test, enable, disable, activate, delete, download and
rotate the certificate, link the account. The page says which connection provisions, and why provisioning waits."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.accounts import SignedIn
from hirehub.db.session import Database
from hirehub.directories.entra import connection_lifecycle as lifecycle
from hirehub.directories.entra import linking
from hirehub.directories.entra.certificate_expiry import CertificateDays
from hirehub.directories.entra.certificates import certificate_der
from hirehub.directories.entra.clouds import CLOUDS
from hirehub.directories.entra.connections import ConnectionRuntime, create_connection
from hirehub.directories.entra.models import ConnectionType, EntraConnection
from hirehub.directories.entra.runtime import LINK_CALLBACK_PATH
from hirehub.errors import HubError
from hirehub.jobs.queue import resume_paused
from hirehub.provisioning import directory_connections as connections
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.entra_status import provisioning_status
from hirehub.web.forms import FormState, PostedForm, actor, add_page, submit, with_message
from hirehub.web.pages import not_found, render, render_form

router = APIRouter(include_in_schema=False)
PAGE = "/console/entra"


def _runtime(request: Request) -> ConnectionRuntime:
    runtime: ConnectionRuntime = request.app.state.entra_runtime
    return runtime


async def _connections(database: Database, tenant_id: uuid.UUID) -> list[EntraConnection]:
    async with database.tenant_session(tenant_id) as session:
        return await lifecycle.list_connections(session)


def _expiring(expiring: list[CertificateDays]) -> dict[uuid.UUID, CertificateDays]:
    return {held.connection_id: held for held in expiring}


async def connections_page(
    request: Request, admin: SignedIn, state: FormState = FormState(), notice: str = ""
) -> Response:
    database: Database = request.app.state.database
    status = await provisioning_status(database, admin.tenant_id, datetime.now(UTC))
    return render_form(
        request, "entra_connections.html", state, notice=notice,
        connections=await _connections(database, admin.tenant_id), clouds=list(CLOUDS.values()),
        link_available=_runtime(request).has_service_provider, entra_status=status,
        blocker=lifecycle.provisioning_blocker, expiring=_expiring(status.expiring),
    )  # fmt: skip


add_page(router, f"{PAGE}/", connections_page)


@router.post(f"{PAGE}/", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def create(
    request: Request,
    admin: Admin,
    name: str = Form(""),
    cloud: str = Form("global"),
    connection_type: str = Form(ConnectionType.CUSTOMER_OWNED.value),
    directory_tenant_id: str = Form(""),
    client_id: str = Form(""),
    exchange_enabled: bool = Form(False),
) -> Response:
    posted = PostedForm({
        "name": name, "cloud": cloud, "connection_type": connection_type, "directory_tenant_id": directory_tenant_id,
        "client_id": client_id, "exchange_enabled": exchange_enabled,
    })  # fmt: skip
    database: Database = request.app.state.database

    async def change() -> None:
        async with database.tenant_transaction(admin.tenant_id) as session:
            connection = await create_connection(
                session, name=name, cloud=cloud, connection_type=connection_type,
                directory_tenant_id=directory_tenant_id, client_id=client_id or None,
                exchange_enabled=exchange_enabled, box=_runtime(request).box, now=datetime.now(UTC),
            )  # fmt: skip
            lifecycle.record_created(session, connection, actor=actor(admin))

    def then(_created: None) -> str:
        return with_message(f"{PAGE}/", notice=f"Connection {name.strip()} created")

    return await submit(posted, lambda state: connections_page(request, admin, state), change, then)


async def _one(database: Database, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> EntraConnection | None:
    async with database.tenant_session(tenant_id) as session:
        return await session.get(EntraConnection, connection_id)


@router.get(f"{PAGE}/{{connection_id}}/certificate.cer")
async def download_certificate(
    request: Request, connection_id: uuid.UUID, admin: Admin, which: Literal["current", "pending"] = "current"
) -> Response:
    """The certificate in use, or (``which=pending``) the one a rotation made, as a ``.cer`` to upload."""
    connection = await _one(request.app.state.database, admin.tenant_id, connection_id)
    pem = None
    if connection is not None:
        pem = connection.pending_certificate_pem if which == "pending" else connection.certificate_pem
    if connection is None or not pem:
        return render(request, "error.html", status_code=404, message="That connection has no such certificate.")
    suffix = "-new" if which == "pending" else ""
    return Response(
        certificate_der(pem),
        media_type="application/pkix-cert",
        headers={"Content-Disposition": f'attachment; filename="hirehub-{connection.name}{suffix}.cer"'},
    )


Action = Callable[[AsyncSession, EntraConnection], Awaitable[str]]
"""A change to one connection, made in the page's transaction; it returns the notice to show."""


async def _act(request: Request, admin: SignedIn, connection_id: uuid.UUID, action: Action) -> Response:
    """Make one change and go back to the page with its notice, or with the refusal (nothing changed)."""
    database: Database = request.app.state.database
    try:
        async with database.tenant_transaction(admin.tenant_id) as session:
            connection = await lifecycle.get_connection(session, connection_id, lock=True)
            notice = await action(session, connection)
    except HubError as refusal:
        return RedirectResponse(with_message(f"{PAGE}/", error=str(refusal)), status_code=303)
    return RedirectResponse(with_message(f"{PAGE}/", notice=notice), status_code=303)


@router.post(f"{PAGE}/{{connection_id}}/test", dependencies=[Depends(require_csrf)])
async def run_test(request: Request, connection_id: uuid.UUID, admin: Admin) -> Response:
    async def tested(session: AsyncSession, connection: EntraConnection) -> str:
        verdict = await connections.test(session, connection, _runtime(request), now=datetime.now(UTC),
                                         actor=actor(admin))  # fmt: skip
        if verdict.switched:
            return f"Test connection passed with the new certificate: {connection.name} now uses it"
        if verdict.ok and verdict.problems:
            return "Test connection passed with the current certificate; the new certificate was refused"
        return "Test connection passed" if verdict.ok else "Test connection found problems"

    return await _act(request, admin, connection_id, tested)


@router.post(f"{PAGE}/{{connection_id}}/activate", dependencies=[Depends(require_csrf)])
async def activate(request: Request, connection_id: uuid.UUID, admin: Admin) -> Response:
    async def activated(session: AsyncSession, connection: EntraConnection) -> str:
        await connections.activate(session, connection, now=datetime.now(UTC), actor=actor(admin))
        return f"{connection.name} is now the active connection"

    return await _act(request, admin, connection_id, activated)


@router.post(f"{PAGE}/{{connection_id}}/enable", dependencies=[Depends(require_csrf)])
async def enable(request: Request, connection_id: uuid.UUID, admin: Admin) -> Response:
    async def enabled(session: AsyncSession, connection: EntraConnection) -> str:
        await connections.set_enabled(session, connection, True, now=datetime.now(UTC), actor=actor(admin))
        return f"{connection.name} enabled"

    return await _act(request, admin, connection_id, enabled)


@router.post(f"{PAGE}/{{connection_id}}/disable", dependencies=[Depends(require_csrf)])
async def disable(request: Request, connection_id: uuid.UUID, admin: Admin) -> Response:
    async def disabled(session: AsyncSession, connection: EntraConnection) -> str:
        await connections.set_enabled(session, connection, False, now=datetime.now(UTC), actor=actor(admin))
        return f"{connection.name} disabled"

    return await _act(request, admin, connection_id, disabled)


@router.post(f"{PAGE}/{{connection_id}}/delete", dependencies=[Depends(require_csrf)])
async def delete(request: Request, connection_id: uuid.UUID, admin: Admin) -> Response:
    async def deleted(session: AsyncSession, connection: EntraConnection) -> str:
        name = connection.name
        await connections.delete(session, connection, actor=actor(admin))
        return f"Connection {name} deleted"

    return await _act(request, admin, connection_id, deleted)


@router.post(f"{PAGE}/{{connection_id}}/rotate-certificate", dependencies=[Depends(require_csrf)])
async def rotate_certificate(request: Request, connection_id: uuid.UUID, admin: Admin) -> Response:
    async def rotated(session: AsyncSession, connection: EntraConnection) -> str:
        rotation = await lifecycle.rotate_certificate(
            session, connection, box=_runtime(request).box, now=datetime.now(UTC), actor=actor(admin)
        )
        return (
            f"New certificate {rotation.thumbprint} made: download it, upload it beside the current one, then "
            "press Test connection to switch to it"
        )

    return await _act(request, admin, connection_id, rotated)


async def edit_page(
    request: Request, admin: SignedIn, connection_id: uuid.UUID, state: FormState = FormState()
) -> Response:
    connection = await _one(request.app.state.database, admin.tenant_id, connection_id)
    if connection is None:
        return not_found(request, "connection")
    current = {
        "name": connection.name, "cloud": connection.cloud, "client_id": connection.client_id or "",
        "directory_tenant_id": connection.directory_tenant_id, "exchange_enabled": connection.exchange_enabled,
    }  # fmt: skip
    return render_form(request, "entra_connection_edit.html", state.or_values(current), connection=connection,
                       clouds=list(CLOUDS.values()))  # fmt: skip


@router.get(f"{PAGE}/{{connection_id}}/edit", response_class=HTMLResponse)
async def show_edit(request: Request, connection_id: uuid.UUID, admin: Admin) -> Response:
    return await edit_page(request, admin, connection_id)


@router.post(f"{PAGE}/{{connection_id}}/edit", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def edit(
    request: Request,
    connection_id: uuid.UUID,
    admin: Admin,
    name: str = Form(""),
    cloud: str = Form("global"),
    directory_tenant_id: str = Form(""),
    client_id: str = Form(""),
    exchange_enabled: bool = Form(False),
) -> Response:
    posted = PostedForm({
        "name": name, "cloud": cloud, "directory_tenant_id": directory_tenant_id, "client_id": client_id,
        "exchange_enabled": exchange_enabled,
    })  # fmt: skip
    database: Database = request.app.state.database

    async def change() -> str:
        async with database.tenant_transaction(admin.tenant_id) as session:
            connection = await lifecycle.get_connection(session, connection_id, lock=True)
            changes = lifecycle.ConnectionChanges(
                name=name, cloud=cloud, directory_tenant_id=directory_tenant_id,
                client_id=client_id if connection.connection_type == ConnectionType.CUSTOMER_OWNED else None,
                exchange_enabled=exchange_enabled,
            )  # fmt: skip
            await connections.update(session, connection, changes, now=datetime.now(UTC), actor=actor(admin))
            waiting = lifecycle.provisioning_blocker(connection)
            return f"Connection {connection.name} saved" + (f": {waiting}" if waiting and connection.active else "")

    def then(notice: str) -> str:
        return with_message(f"{PAGE}/", notice=notice)

    return await submit(posted, lambda state: edit_page(request, admin, connection_id, state), change, then)


@router.post(f"{PAGE}/{{connection_id}}/link", dependencies=[Depends(require_csrf)])
async def start_link(request: Request, connection_id: uuid.UUID, admin: Admin) -> Response:
    runtime = _runtime(request)
    database: Database = request.app.state.database
    async with database.tenant_transaction(admin.tenant_id) as session:
        connection = await session.get(EntraConnection, connection_id)
        if connection is None:
            return RedirectResponse(f"{PAGE}/?error=No+such+connection", status_code=303)
        try:
            sp = runtime.service_provider_for(connection.cloud)  # an app exists in one national cloud only
        except linking.MissingServiceProviderApp as missing:
            return RedirectResponse(f"{PAGE}/?{urlencode({'error': str(missing)})}", status_code=303)
        url = await linking.start_link(
            session,
            connection,
            sp=sp,
            outbound=runtime.outbound,
            box=runtime.box,
            now=datetime.now(UTC),
        )
    return RedirectResponse(url, status_code=303)


@router.get(LINK_CALLBACK_PATH)
async def link_callback(request: Request, admin: Admin) -> Response:
    """Microsoft redirects the administrator here with ``code`` and ``state`` (or an ``error``)."""
    runtime = _runtime(request)
    if not runtime.has_service_provider:
        return RedirectResponse(f"{PAGE}/?error=The+hub+has+no+service-provider+app+configured", status_code=303)
    database: Database = request.app.state.database
    failure: str | None = None
    name = ""
    # One transaction either way: a failed link still consumes its flow and records the failure.
    async with database.tenant_transaction(admin.tenant_id) as session:
        try:
            now = datetime.now(UTC)
            linked = await linking.complete_link(
                session,
                dict(request.query_params),
                sp=runtime.service_provider_for,
                outbound=runtime.outbound,
                box=runtime.box,
                now=now,
            )
            await resume_paused(session, now=now)  # the provisioning that waited for this link goes on
            name = linked.connection.name
        except (linking.LinkError, linking.MissingServiceProviderApp) as exc:
            failure = str(exc)
    if failure is not None:
        return render(request, "error.html", status_code=400, message=failure)
    return RedirectResponse(f"{PAGE}/?notice=Account+linked+for+{name}", status_code=303)
