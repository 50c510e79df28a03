"""The Web API's HTTP face: ``/api/data/v9.2/`` (and ``v9.0``, ``v9.1``) — service document,
``$metadata``, ``EntityDefinitions``, entity sets and records, the *Hire* action and ``$batch``.

Each write runs in one transaction of the caller's tenant; a refusal rolls it back, so a refused
request changes nothing. A read on PostgreSQL runs in autocommit (see :func:`_reading`). Every answer
carries ``OData-Version: 4.0``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.api.dataverse_errors import DataverseError
from hirehub.db.session import Database
from hirehub.odata import batch, handlers
from hirehub.odata.csdl import metadata_document
from hirehub.odata.errors import resource_not_found
from hirehub.odata.handlers import Call
from hirehub.odata.model import entity_model
from hirehub.odata.responses import ODATA_HEADERS, odata_json
from hirehub.security.principal import Principal
from hirehub.security.routes import PrincipalDependency

router = APIRouter(tags=["dataverse"])
VERSIONS = ("v9.0", "v9.1", "v9.2")


@asynccontextmanager
async def _reading(database: Database, tenant_id: uuid.UUID) -> AsyncIterator[AsyncSession]:
    """A tenant session for a read. On PostgreSQL its statements run in autocommit: at READ COMMITTED (the
    default) each statement takes its own snapshot inside a transaction too, so BEGIN and ROLLBACK would add
    two round trips (about 0.5 ms, a sixth of a page of 50) and no consistency. On SQLite the transaction stays:
    there it is what gives a read's statements one snapshot."""
    async with database.tenant_session(tenant_id) as session:
        if database.is_postgresql:
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session


def _root(request: Request, version: str) -> str:
    if version not in VERSIONS:
        raise resource_not_found(version)
    return f"{request.app.state.security.base_url}/api/data/{version}"


@router.get("/api/data/{version}/")
async def service_document(version: str, request: Request, principal: Principal = PrincipalDependency) -> Response:
    root = _root(request, version)
    sets = [{"name": e.entity_set, "kind": "EntitySet", "url": e.entity_set} for e in entity_model().types.values()]
    return odata_json({"@odata.context": f"{root}/$metadata", "value": sets})


@router.get("/api/data/{version}/$metadata")
async def metadata(version: str, request: Request, principal: Principal = PrincipalDependency) -> Response:
    _root(request, version)
    return Response(metadata_document(), media_type="application/xml", headers=ODATA_HEADERS)


@router.post("/api/data/{version}/$batch")
async def run_batch(version: str, request: Request, principal: Principal = PrincipalDependency) -> Response:
    database: Database = request.app.state.database
    return await batch.execute(
        database, principal, _root(request, version), await request.body(), request.headers.get("content-type", "")
    )


# The OData resource paths are a grammar, not a list of routes: OpenAPI cannot describe them ($metadata does).
@router.api_route(
    "/api/data/{version}/{path:path}", methods=["GET", "POST", "PATCH", "DELETE", "PUT"], include_in_schema=False
)
async def dispatch(version: str, path: str, request: Request, principal: Principal = PrincipalDependency) -> Response:
    call = Call(
        method=request.method, path=path, query=dict(request.query_params),
        headers={k.lower(): v for k, v in request.headers.items()}, body=await request.body(),
        root=_root(request, version),
    )  # fmt: skip
    database: Database = request.app.state.database
    if call.method == "GET":
        async with _reading(database, principal.tenant_id) as session:
            return await handlers.read(session, principal, call)
    if call.method == "PUT":
        raise DataverseError(405, "0x80060888", "Use PATCH to update a record.")
    async with database.tenant_transaction(principal.tenant_id) as session:
        return await handlers.write(session, principal, call)
