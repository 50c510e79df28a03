"""Console pages for Entra ID connections: create, download the certificate, test, link the account."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from hirehub.accounts import SignedIn
from hirehub.db.session import Database
from hirehub.directories.entra import linking
from hirehub.directories.entra.certificates import certificate_der
from hirehub.directories.entra.clouds import CLOUDS
from hirehub.directories.entra.connections import ConnectionRuntime, create_connection, test_connection
from hirehub.directories.entra.models import ConnectionType, EntraConnection
from hirehub.directories.entra.runtime import LINK_CALLBACK_PATH
from hirehub.jobs.queue import resume_paused
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.forms import FormState, PostedForm, add_page, submit, with_message
from hirehub.web.pages import render, render_form

router = APIRouter(include_in_schema=False)
PAGE = "/console/entra"


def _runtime(request: Request) -> ConnectionRuntime:
    runtime: ConnectionRuntime = request.app.state.entra_runtime
    return runtime


async def _connections(database: Database, tenant_id: uuid.UUID) -> list[EntraConnection]:
    async with database.tenant_session(tenant_id) as session:
        return list(await session.scalars(select(EntraConnection).order_by(EntraConnection.name)))


async def connections_page(
    request: Request, admin: SignedIn, state: FormState = FormState(), notice: str = ""
) -> Response:
    return render_form(
        request, "entra_connections.html", state, notice=notice,
        connections=await _connections(request.app.state.database, admin.tenant_id), clouds=list(CLOUDS.values()),
        link_available=_runtime(request).service_provider is not None,
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
            await create_connection(
                session, name=name, cloud=cloud, connection_type=connection_type,
                directory_tenant_id=directory_tenant_id, client_id=client_id or None,
                exchange_enabled=exchange_enabled, box=_runtime(request).box, now=datetime.now(UTC),
            )  # fmt: skip

    def then(_created: None) -> str:
        return with_message(f"{PAGE}/", notice=f"Connection {name.strip()} created")

    return await submit(posted, lambda state: connections_page(request, admin, state), change, then)


async def _one(database: Database, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> EntraConnection | None:
    async with database.tenant_session(tenant_id) as session:
        return await session.get(EntraConnection, connection_id)


@router.get(f"{PAGE}/{{connection_id}}/certificate.cer")
async def download_certificate(request: Request, connection_id: uuid.UUID, admin: Admin) -> Response:
    connection = await _one(request.app.state.database, admin.tenant_id, connection_id)
    if connection is None or not connection.certificate_pem:
        return render(request, "error.html", status_code=404, message="That connection has no certificate.")
    return Response(
        certificate_der(connection.certificate_pem),
        media_type="application/pkix-cert",
        headers={"Content-Disposition": f'attachment; filename="hirehub-{connection.name}.cer"'},
    )


@router.post(f"{PAGE}/{{connection_id}}/test", dependencies=[Depends(require_csrf)])
async def run_test(request: Request, connection_id: uuid.UUID, admin: Admin) -> Response:
    database: Database = request.app.state.database
    async with database.tenant_transaction(admin.tenant_id) as session:
        connection = await session.get(EntraConnection, connection_id)
        if connection is None:
            return RedirectResponse(f"{PAGE}/?error=No+such+connection", status_code=303)
        check = await test_connection(_runtime(request), connection, datetime.now(UTC))
    verdict = "Test+connection+passed" if check.ok else "Test+connection+found+problems"
    return RedirectResponse(f"{PAGE}/?notice={verdict}", status_code=303)


@router.post(f"{PAGE}/{{connection_id}}/link", dependencies=[Depends(require_csrf)])
async def start_link(request: Request, connection_id: uuid.UUID, admin: Admin) -> Response:
    runtime = _runtime(request)
    if runtime.service_provider is None:
        return RedirectResponse(f"{PAGE}/?error=The+hub+has+no+service-provider+app+configured", status_code=303)
    database: Database = request.app.state.database
    async with database.tenant_transaction(admin.tenant_id) as session:
        connection = await session.get(EntraConnection, connection_id)
        if connection is None:
            return RedirectResponse(f"{PAGE}/?error=No+such+connection", status_code=303)
        url = await linking.start_link(
            session,
            connection,
            sp=runtime.service_provider,
            outbound=runtime.outbound,
            box=runtime.box,
            now=datetime.now(UTC),
        )
    return RedirectResponse(url, status_code=303)


@router.get(LINK_CALLBACK_PATH)
async def link_callback(request: Request, admin: Admin) -> Response:
    """Microsoft redirects the administrator here with ``code`` and ``state`` (or an ``error``)."""
    runtime = _runtime(request)
    if runtime.service_provider is None:
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
                sp=runtime.service_provider,
                outbound=runtime.outbound,
                box=runtime.box,
                now=now,
            )
            await resume_paused(session, now=now)  # the provisioning that waited for this link goes on
            name = linked.connection.name
        except linking.LinkError as exc:
            failure = str(exc)
    if failure is not None:
        return render(request, "error.html", status_code=400, message=failure)
    return RedirectResponse(f"{PAGE}/?notice=Account+linked+for+{name}", status_code=303)
