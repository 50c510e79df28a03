"""The Web API's HTTP face: ``/api/data/v9.2/`` (and ``v9.0``, ``v9.1``) — service document,
``$metadata``, ``EntityDefinitions``, entity sets and records, the *Hire* action.

Each request runs in one transaction of the caller's tenant; a refusal rolls it back, so a refused
request changes nothing. Every answer carries ``OData-Version: 4.0``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from hirehub.api.dataverse_errors import DataverseError
from hirehub.db.session import Database
from hirehub.hr import errors as hr_errors
from hirehub.odata import actions, definitions
from hirehub.odata.csdl import metadata_document
from hirehub.odata.errors import (
    REFERENCED,
    bad_payload,
    bad_query,
    duplicate_key,
    record_not_found,
    resource_not_found,
    version_mismatch,
)
from hirehub.odata.model import EntityModel, EntityType, entity_model
from hirehub.odata.options import QueryOptions, parse_options
from hirehub.odata.reading import Reader, key_condition
from hirehub.odata.resource_path import ResourcePath, parse_resource_path
from hirehub.odata.responses import ODATA_HEADERS, odata_json
from hirehub.odata.writing import Writer
from hirehub.security.principal import Principal
from hirehub.security.privileges import Privilege
from hirehub.security.routes import PrincipalDependency

router = APIRouter(tags=["dataverse"])
VERSIONS = ("v9.0", "v9.1", "v9.2")


def _version(version: str) -> str:
    if version not in VERSIONS:
        raise resource_not_found(version)
    return version


def _root(request: Request, version: str) -> str:
    return f"{request.app.state.security.base_url}/api/data/{version}"


@router.get("/api/data/{version}/")
async def service_document(version: str, request: Request, principal: Principal = PrincipalDependency) -> Response:
    root = _root(request, _version(version))
    sets = [{"name": e.entity_set, "kind": "EntitySet", "url": e.entity_set} for e in entity_model().types.values()]
    return odata_json({"@odata.context": f"{root}/$metadata", "value": sets})


@router.get("/api/data/{version}/$metadata")
async def metadata(version: str, principal: Principal = PrincipalDependency) -> Response:
    _version(version)
    return Response(metadata_document(), media_type="application/xml", headers=ODATA_HEADERS)


@router.get("/api/data/{version}/{path:path}")
async def read(version: str, path: str, request: Request, principal: Principal = PrincipalDependency) -> Response:
    root = _root(request, _version(version))
    options = parse_options(dict(request.query_params), request.headers.get("prefer"))
    if path == "EntityDefinitions" or path.startswith("EntityDefinitions("):
        return _entity_definitions(path, options, principal, root)
    resource = parse_resource_path(path)
    model = entity_model()
    entity = _entity_set(model, resource.entity_set)
    database: Database = request.app.state.database
    async with database.tenant_session(principal.tenant_id) as session:
        reader = Reader(session, model, _reads(principal), datetime.now(UTC))
        if resource.key is None:
            return await _collection(reader, entity, options, request, root, resource.count)
        if resource.navigation is not None:
            return await _navigation(reader, entity, resource, options, request, root)
        record = await reader.one(entity, key_condition(entity, resource.key), options.select, options.expand)
        if record is None:
            raise record_not_found(entity.logical_name, str(resource.key))
        if request.headers.get("if-none-match") in (record["@odata.etag"], "*"):
            return Response(status_code=304, headers=ODATA_HEADERS)
        context = f"{root}/$metadata#{entity.entity_set}{_projection(options)}/$entity"
        return odata_json({"@odata.context": context, **record}, headers={"ETag": record["@odata.etag"]})


async def _collection(
    reader: Reader, entity: EntityType, options: QueryOptions, request: Request, root: str, count_only: bool,
    extra: tuple[Any, ...] = (), context_path: str | None = None,
) -> Response:  # fmt: skip
    if options.apply is not None:
        return odata_json(await actions.aggregate(reader, entity, options, root))
    if count_only:
        conditions = [*extra]
        if options.filter is not None:
            conditions.append(reader.compiler.compile(options.filter, entity, entity.model))
        reader.on_table(entity.logical_name)
        return Response(str(await reader.count(entity, conditions)), media_type="text/plain", headers=ODATA_HEADERS)
    page = await reader.page(
        entity, select_names=options.select, filter_node=options.filter, orderby=options.orderby, top=options.top,
        page_size=options.page_size, skiptoken=options.skiptoken, expand=options.expand, count=options.count,
        extra=extra,
    )  # fmt: skip
    body: dict[str, Any] = {
        "@odata.context": f"{root}/$metadata#{context_path or entity.entity_set}{_projection(options)}"
    }
    if page.count is not None:
        body["@odata.count"] = page.count
    body["value"] = page.records
    headers: dict[str, str] = {}
    if options.page_size_requested:
        headers["Preference-Applied"] = f"odata.maxpagesize={options.page_size}"
    if page.next_token is not None:
        query = {k: v for k, v in request.query_params.items() if k != "$skiptoken"}
        query["$skiptoken"] = page.next_token
        body["@odata.nextLink"] = f"{root}/{request.path_params['path']}?{urlencode(query, safe='$@,()/')}"
    return odata_json(body, headers=headers)


async def _navigation(
    reader: Reader, entity: EntityType, resource: ResourcePath, options: QueryOptions, request: Request, root: str
) -> Response:
    assert resource.key is not None and resource.navigation is not None
    parent = await reader.one(entity, key_condition(entity, resource.key), [], ())
    if parent is None:
        raise record_not_found(entity.logical_name, str(resource.key))
    parent_id = uuid.UUID(parent[entity.key])
    model = reader.model
    if resource.navigation in entity.collections:
        collection = entity.collections[resource.navigation]
        target = model.entity_type(collection.target)
        condition = getattr(target.model, collection.foreign_key) == parent_id
        return await _collection(reader, target, options, request, root, resource.count, (condition,))
    lookup = entity.lookups.get(resource.navigation)
    if lookup is None or resource.count:
        raise resource_not_found(resource.navigation)
    target = model.entity_type(lookup.target)
    foreign = await reader._foreign_keys(entity, [parent], lookup.foreign_key)
    target_id = foreign.get(str(parent_id))
    if target_id is None:
        return Response(status_code=204, headers=ODATA_HEADERS)
    record = await reader.one(target, target.model.id == target_id, options.select, options.expand)
    if record is None:
        return Response(status_code=204, headers=ODATA_HEADERS)
    return odata_json({"@odata.context": f"{root}/$metadata#{target.entity_set}/$entity", **record})


def _reads(principal: Principal) -> Callable[[str], None]:
    """The check a reader makes on every table it touches: Read, in both layers."""

    def check(table: str) -> None:
        principal.require(table, Privilege.READ)

    return check


def _projection(options: QueryOptions) -> str:
    return f"({','.join(options.select)})" if options.select else ""


def _entity_set(model: EntityModel, name: str) -> EntityType:
    entity = model.by_entity_set.get(name)
    if entity is None:
        raise resource_not_found(name)
    return entity


def _entity_definitions(path: str, options: QueryOptions, principal: Principal, root: str) -> Response:
    principal.require("entity", Privilege.READ)
    model = entity_model()
    if path == "EntityDefinitions":
        documents = [definitions.entity_definition(e) for e in model.types.values()]
        selected = [definitions.project(d, options.select) for d in documents if definitions.matches(options.filter, d)]
        return odata_json({"@odata.context": f"{root}/$metadata#EntityDefinitions", "value": selected})
    head, _, rest = path.partition("/")
    entity = definitions.find_entity(model, parse_resource_path(head).key or {})
    if not rest:
        document = definitions.project(definitions.entity_definition(entity), options.select)
        for item in options.expand:
            if item.navigation != "Attributes":
                raise bad_query(f"EntityDefinitions expands Attributes only, not '{item.navigation}'.")
            principal.require("attribute", Privilege.READ)
            document["Attributes"] = [
                definitions.project(a, item.select) for a in definitions.attribute_definitions(model, entity)
            ]
        return odata_json({"@odata.context": f"{root}/$metadata#EntityDefinitions/$entity", **document})
    principal.require("attribute", Privilege.READ)
    attributes = definitions.attribute_definitions(model, entity)
    if rest == f"Attributes/{definitions.PICKLIST_CAST}":
        attributes = [a for a in attributes if a["AttributeType"] == "Picklist"]
    elif rest != "Attributes":
        raise resource_not_found(rest)
    picked = []
    for attribute in attributes:
        if not definitions.matches(options.filter, attribute):
            continue
        shaped = definitions.project(attribute, options.select)
        for item in options.expand:
            if item.navigation != "OptionSet" or "OptionSet" not in attribute:
                raise bad_query(f"'{item.navigation}' cannot be expanded here.")
            shaped["OptionSet"] = definitions.project(attribute["OptionSet"], item.select)
        picked.append(shaped)
    return odata_json({"@odata.context": f"{root}/$metadata#EntityDefinitions({entity.logical_name})/Attributes",
                  "value": picked})  # fmt: skip


# --- writes -----------------------------------------------------------------------------------------


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise bad_payload("The request body is not valid JSON.") from None


def _translate(exc: Exception) -> DataverseError:
    if isinstance(exc, IntegrityError):
        text = str(exc.orig).lower()
        if "unique" in text or "duplicate" in text:
            return duplicate_key()
        if "foreign key" in text:
            return DataverseError(
                400, REFERENCED, "The record cannot be deleted or changed because other records refer to it."
            )
        return bad_payload("The change does not fit the table's rules (a required value or a reference is missing).")
    if isinstance(exc, StaleDataError):
        return version_mismatch()
    if isinstance(exc, hr_errors.NotFound):
        return DataverseError(404, "0x80040217", str(exc))
    assert isinstance(exc, hr_errors.HRError)
    return DataverseError(400, "0x80040265", str(exc))


WRITE_FAILURES = (IntegrityError, StaleDataError, hr_errors.HRError)


@router.post("/api/data/{version}/{path:path}")
async def create(version: str, path: str, request: Request, principal: Principal = PrincipalDependency) -> Response:
    root = _root(request, _version(version))
    resource = parse_resource_path(path)
    model = entity_model()
    entity = _entity_set(model, resource.entity_set)
    body = await _body(request)
    database: Database = request.app.state.database
    try:
        async with database.tenant_transaction(principal.tenant_id) as session:
            writer = Writer(session, model, principal.require)
            if resource.action is not None:
                return await actions.bound_action(writer, entity, resource, body, root)
            if resource.key is not None:
                raise DataverseError(
                    405, "0x80060888", "POST creates records in an entity set; use PATCH to update one."
                )
            row = await writer.create(entity, body)
            row_id = row.id
            if "return=representation" in (request.headers.get("prefer") or ""):
                options = parse_options(dict(request.query_params), None)
                reader = Reader(
                    session, model, lambda table: principal.require(table, Privilege.READ), datetime.now(UTC)
                )
                record = await reader.one(entity, entity.model.id == row_id, options.select, options.expand)
                location = f"{root}/{entity.entity_set}({row_id})"
                assert record is not None
                return odata_json({"@odata.context": f"{root}/$metadata#{entity.entity_set}/$entity", **record}, 201,
                             {"OData-EntityId": location, "Location": location,
                              "Preference-Applied": "return=representation"})  # fmt: skip
    except WRITE_FAILURES as exc:
        raise _translate(exc) from None
    location = f"{root}/{entity.entity_set}({row_id})"
    return Response(status_code=204, headers={**ODATA_HEADERS, "OData-EntityId": location, "Location": location})


@router.patch("/api/data/{version}/{path:path}")
async def update(version: str, path: str, request: Request, principal: Principal = PrincipalDependency) -> Response:
    """Update, or upsert: ``If-Match: *`` forbids creating, ``If-None-Match: *`` forbids updating."""
    root = _root(request, _version(version))
    resource = parse_resource_path(path)
    model = entity_model()
    entity = _entity_set(model, resource.entity_set)
    if resource.key is None or resource.navigation is not None or resource.action is not None:
        raise DataverseError(405, "0x80060888", "PATCH updates one record: address it by its key.")
    body = await _body(request)
    if_match, if_none_match = request.headers.get("if-match"), request.headers.get("if-none-match")
    database: Database = request.app.state.database
    try:
        async with database.tenant_transaction(principal.tenant_id) as session:
            writer = Writer(session, model, principal.require)
            row = await writer.find(entity, resource.key)
            if row is None:
                if if_match is not None:
                    raise record_not_found(entity.logical_name, str(resource.key))
                row = await writer.create(entity, _with_key(entity, resource.key, body))
            else:
                if if_none_match == "*":
                    raise duplicate_key()
                if if_match not in (None, "*") and if_match != f'W/"{row.version}"':
                    raise version_mismatch()
                await writer.update(entity, row, body)
            row_id = row.id
    except WRITE_FAILURES as exc:
        raise _translate(exc) from None
    location = f"{root}/{entity.entity_set}({row_id})"
    return Response(status_code=204, headers={**ODATA_HEADERS, "OData-EntityId": location})


def _with_key(entity: EntityType, key: uuid.UUID | dict[str, Any], body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    if isinstance(key, uuid.UUID):
        return {**body, entity.key: str(key)}
    return {**body, **{name: value for name, value in key.items()}}


@router.delete("/api/data/{version}/{path:path}")
async def delete(version: str, path: str, request: Request, principal: Principal = PrincipalDependency) -> Response:
    _version(version)
    resource = parse_resource_path(path)
    model = entity_model()
    entity = _entity_set(model, resource.entity_set)
    if resource.key is None or resource.navigation is not None:
        raise DataverseError(405, "0x80060888", "DELETE removes one record: address it by its key.")
    if_match = request.headers.get("if-match")
    database: Database = request.app.state.database
    try:
        async with database.tenant_transaction(principal.tenant_id) as session:
            writer = Writer(session, model, principal.require)
            row = await writer.find(entity, resource.key)
            if row is None:
                raise record_not_found(entity.logical_name, str(resource.key))
            if if_match not in (None, "*") and if_match != f'W/"{row.version}"':
                raise version_mismatch()
            await writer.delete(entity, row)
    except WRITE_FAILURES as exc:
        raise _translate(exc) from None
    return Response(status_code=204, headers=ODATA_HEADERS)
