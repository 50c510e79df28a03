"""The Web API's HTTP face: ``/api/data/v9.2/`` (and ``v9.0``, ``v9.1``) — the service document, ``$metadata``,
``EntityDefinitions``, entity sets and records, functions (``WhoAmI``…), bound actions and ``$batch``.

The tables are the binding's: the application factory puts one :class:`~hirehub.odata.binding.Binding` in
``app.state.odata_binding`` (see :func:`install`). Every route answers a refusal — its own, the caller's
token or privileges, the domain's — in Dataverse's error shape (:class:`DataverseRoute`), so this API never
answers with another protocol's body. Each write runs in one transaction of the caller's tenant; a refusal
rolls it back, so a refused request changes nothing. A read on PostgreSQL runs in autocommit (see
:func:`_reading`). Every answer carries ``OData-Version: 4.0``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.session import READ_ONLY, Database
from hirehub.errors import HubError
from hirehub.odata import batch, handlers
from hirehub.odata.binding import Binding
from hirehub.odata.budget import Budget
from hirehub.odata.csdl import metadata_document
from hirehub.odata.errors import DataverseError, as_dataverse_error, method_not_allowed, resource_not_found
from hirehub.odata.handlers import Call
from hirehub.odata.model import EntityModel, build_model
from hirehub.odata.responses import ODATA_HEADERS, odata_json
from hirehub.security.addressing import address_prefix
from hirehub.security.principal import Principal
from hirehub.security.routes import PrincipalDependency
from hirehub.settings import Settings

VERSIONS = ("v9.0", "v9.1", "v9.2")


class DataverseRoute(APIRoute):
    """A route whose refusals — raised by the handler or by a dependency such as the caller's principal —
    are answered as Dataverse error bodies."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def answered(request: Request) -> Response:
            try:
                return await handle(request)
            except (DataverseError, HubError) as exc:
                error = as_dataverse_error(exc)
                return JSONResponse(error.body(), status_code=error.status, headers=error.response_headers())

        return answered


router = APIRouter(tags=["dataverse"], route_class=DataverseRoute)


def install(app: FastAPI, binding: Binding) -> None:
    """Serve ``binding``'s tables on ``app``. Include it before any route whose path could shadow
    ``/api/data/{version}/{path}``."""
    app.state.odata_binding = binding
    app.include_router(router)


def _model(request: Request) -> EntityModel:
    binding: Binding = request.app.state.odata_binding
    return build_model(binding)


@asynccontextmanager
async def _reading(database: Database, tenant_id: uuid.UUID) -> AsyncIterator[AsyncSession]:
    """A tenant session for a read. On PostgreSQL its statements run in autocommit: at READ COMMITTED (the
    default) each statement takes its own snapshot inside a transaction too, so BEGIN and ROLLBACK would add
    two round trips and no consistency. On SQLite the transaction stays: there it is what gives a read's
    statements one snapshot; it begins as a read, so readers do not queue behind each other and the writer."""
    async with database.tenant_session(tenant_id) as session:
        if database.is_postgresql:
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        else:
            await session.connection(execution_options={READ_ONLY: True})
        yield session


def _root(request: Request, version: str) -> str:
    if version not in VERSIONS:
        raise resource_not_found(version)
    return f"{request.app.state.security.base_url}{address_prefix(request)}/api/data/{version}"


@router.get("/api/data/{version}/")
async def service_document(version: str, request: Request, principal: Principal = PrincipalDependency) -> Response:
    root = _root(request, version)
    entities = _model(request).types.values()
    sets = [{"name": e.entity_set, "kind": "EntitySet", "url": e.entity_set} for e in entities]
    return odata_json({"@odata.context": f"{root}/$metadata", "value": sets})


@router.get("/api/data/{version}/$metadata")
async def metadata(version: str, request: Request, principal: Principal = PrincipalDependency) -> Response:
    _root(request, version)
    return Response(metadata_document(_model(request)), media_type="application/xml", headers=ODATA_HEADERS)


@router.post("/api/data/{version}/$batch")
async def run_batch(version: str, request: Request, principal: Principal = PrincipalDependency) -> Response:
    database: Database = request.app.state.database
    settings: Settings = request.app.state.settings
    return await batch.execute(
        database, principal, model=_model(request), root=_root(request, version), body=await request.body(),
        content_type=request.headers.get("content-type", ""),
        budget=Budget(rows=settings.batch_max_rows, bytes=settings.batch_max_bytes),
    )  # fmt: skip


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
    model = _model(request)
    if call.method == "GET":
        async with _reading(database, principal.tenant_id) as session:
            return await handlers.read(session, call, principal=principal, model=model)
    if call.method == "PUT":
        raise method_not_allowed("Use PATCH to update a record.")
    async with database.tenant_transaction(principal.tenant_id) as session:
        return await handlers.write(session, call, principal=principal, model=model)
