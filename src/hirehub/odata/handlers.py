"""One OData request against a session: the logic behind every route, and behind each part of a ``$batch``.

A :class:`Call` is what a request says (method, path, query, headers, body); :func:`read` runs reads in
a session, :func:`write` runs writes in a transaction the caller owns — one per request, or one per
change set in a batch, which is what makes a change set atomic. Both answer every refusal — the hub's,
the database's — as a :class:`~hirehub.odata.errors.DataverseError`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from hirehub.errors import HubError
from hirehub.odata import actions, aggregation, definitions, documents
from hirehub.odata.budget import Budget
from hirehub.odata.errors import (
    RESOURCE_NOT_FOUND,
    DataverseError,
    as_dataverse_error,
    bad_payload,
    bad_query,
    duplicate_key,
    method_not_allowed,
    record_not_found,
    resource_not_found,
    version_mismatch,
)
from hirehub.odata.functions import FunctionCall, UnboundFunction, call_function, unbound_function
from hirehub.odata.model import EntityModel, EntityType
from hirehub.odata.operations import NAMESPACE, OperationSegment, operation_segment
from hirehub.odata.options import QueryOptions, parse_options
from hirehub.odata.reading import Reader, key_condition
from hirehub.odata.resource_path import ResourcePath, parse_resource_path
from hirehub.odata.responses import ODATA_HEADERS, odata_json
from hirehub.odata.writing import Writer
from hirehub.security.principal import Principal
from hirehub.security.privileges import Privilege

REFUSALS = (HubError, IntegrityError, StaleDataError)


@dataclass(frozen=True)
class Call:
    """One request to the Web API, below the service root ``root`` (``…/api/data/v9.2``)."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    """Lower-case names."""
    body: bytes
    root: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def reads(principal: Principal) -> Callable[[str], None]:
    """The check a reader makes on every table it touches: Read, in both layers."""

    def check(table: str) -> None:
        principal.require(table, Privilege.READ)

    return check


def _unbound_call(path: str) -> tuple[UnboundFunction, OperationSegment] | None:
    """The unbound function a one-segment path calls (``WhoAmI``, ``WhoAmI()``, ``Microsoft.Dynamics.CRM.WhoAmI``,
    ``RetrieveTotalRecordCount(EntityNames=@p)``), or None when the path names something else."""
    segment = path.strip("/")
    if "/" in segment:
        return None
    operation = operation_segment(segment, qualified_only=False)
    if operation is None:
        return None
    function = unbound_function(operation)
    if function is None:
        if operation.qualified:
            raise resource_not_found(segment)
        return None
    return function, operation


def _bound_operation(model: EntityModel, entity: EntityType, operation: OperationSegment) -> None:
    """Refuse what cannot be a call of one of ``entity``'s bound operations: an unknown name, an unqualified
    name (Dataverse reads it as a navigation property, and finds none), or parameters between parentheses
    (an action takes them in the body)."""
    if model.action(entity, operation.name) is None or not operation.qualified:
        hint = (
            f" A bound action is named with its namespace: {NAMESPACE}{operation.name}."
            if model.action(entity, operation.name)
            else ""
        )
        raise DataverseError(404, RESOURCE_NOT_FOUND, f"Resource not found for the segment '{operation.name}'.{hint}")
    if operation.arguments:
        raise bad_payload(f"The action {operation.name} takes its parameters in the request body, as a JSON object.")


def _projection(options: QueryOptions) -> str:
    return f"({','.join(options.select)})" if options.select else ""


def entity_set(model: EntityModel, name: str) -> EntityType:
    entity = model.by_entity_set.get(name)
    if entity is None:
        raise resource_not_found(name)
    return entity


@asynccontextmanager
async def _answered_as_dataverse() -> AsyncIterator[None]:
    try:
        yield
    except REFUSALS as exc:
        raise as_dataverse_error(exc) from None


# --- reads ------------------------------------------------------------------------------------------


async def read(
    session: AsyncSession, call: Call, *, principal: Principal, model: EntityModel, budget: Budget | None = None
) -> Response:
    """GET: a collection, a record, a navigation, a count, ``$apply`` or ``EntityDefinitions``; the rows it reads
    are spent from ``budget`` (a ``$batch``'s) when there is one."""
    async with _answered_as_dataverse():
        return await _read(session, call, principal=principal, model=model, budget=budget)


async def _read(
    session: AsyncSession, call: Call, *, principal: Principal, model: EntityModel, budget: Budget | None
) -> Response:
    called = _unbound_call(call.path)
    if called is not None:
        function, segment = called
        calling = FunctionCall(session, principal, model)
        return await call_function(function, segment, query=call.query, call=calling, root=call.root)
    options = parse_options(call.query, call.header("prefer"))
    if call.path == "EntityDefinitions" or call.path.startswith("EntityDefinitions("):
        return _entity_definitions(model, call.path, options=options, principal=principal, root=call.root)
    resource = parse_resource_path(call.path)
    entity = entity_set(model, resource.entity_set)
    if resource.operation is not None:
        _bound_operation(model, entity, resource.operation)
        raise method_not_allowed(f"{resource.operation.name} is an action: call it with POST.")
    reader = Reader(session, model, reads(principal), datetime.now(UTC), budget=budget)
    if resource.key is None:
        return await _collection(reader, entity, options, call=call, count_only=resource.count)
    if resource.navigation is not None:
        return await _navigation(reader, entity, resource, options=options, call=call)
    record = await reader.one(
        entity, key_condition(entity, resource.key), select_names=options.select, expand=options.expand
    )
    if record is None:
        raise record_not_found(entity.logical_name, str(resource.key))
    if call.header("if-none-match") in (record["@odata.etag"], "*"):
        return Response(status_code=304, headers=ODATA_HEADERS)
    context = f"{call.root}/$metadata#{entity.entity_set}{_projection(options)}/$entity"
    return odata_json({"@odata.context": context, **record}, headers={"ETag": record["@odata.etag"]})


async def _collection(
    reader: Reader, entity: EntityType, options: QueryOptions, *, call: Call, count_only: bool,
    extra: tuple[Any, ...] = (),
) -> Response:  # fmt: skip
    if options.apply is not None:
        return odata_json(await aggregation.aggregate(reader, entity, options, root=call.root))
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
    body: dict[str, Any] = {"@odata.context": f"{call.root}/$metadata#{entity.entity_set}{_projection(options)}"}
    if page.count is not None:
        body["@odata.count"] = page.count
    body["value"] = page.records
    headers: dict[str, str] = {}
    if options.page_size_requested:
        headers["Preference-Applied"] = f"odata.maxpagesize={options.page_size}"
    if page.next_token is not None:
        query = {k: v for k, v in call.query.items() if k != "$skiptoken"}
        query["$skiptoken"] = page.next_token
        body["@odata.nextLink"] = f"{call.root}/{call.path}?{urlencode(query, safe='$@,()/')}"
    return odata_json(body, headers=headers)


async def _navigation(
    reader: Reader, entity: EntityType, resource: ResourcePath, *, options: QueryOptions, call: Call
) -> Response:
    assert resource.key is not None and resource.navigation is not None
    parent = await reader.one(entity, key_condition(entity, resource.key), select_names=[])
    if parent is None:
        raise record_not_found(entity.logical_name, str(resource.key))
    parent_id = uuid.UUID(parent[entity.key])
    model = reader.model
    if resource.navigation in entity.collections:
        collection = entity.collections[resource.navigation]
        target = model.entity_type(collection.target)
        condition = getattr(target.model, collection.foreign_key) == parent_id
        return await _collection(reader, target, options, call=call, count_only=resource.count, extra=(condition,))
    lookup = entity.lookups.get(resource.navigation)
    if lookup is None or resource.count:
        raise resource_not_found(resource.navigation)
    target = model.entity_type(lookup.target)
    foreign = await reader._foreign_keys(entity, [parent], lookup.foreign_key)
    target_id = foreign.get(str(parent_id))
    if target_id is None:
        return Response(status_code=204, headers=ODATA_HEADERS)
    record = await reader.one(target, target.model.id == target_id, select_names=options.select, expand=options.expand)
    if record is None:
        return Response(status_code=204, headers=ODATA_HEADERS)
    return odata_json({"@odata.context": f"{call.root}/$metadata#{target.entity_set}/$entity", **record})


def _entity_definitions(
    model: EntityModel, path: str, *, options: QueryOptions, principal: Principal, root: str
) -> Response:
    principal.require("entity", Privilege.READ)
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


def _body(call: Call) -> Any:
    if not call.body:
        return {}
    try:
        return documents.parse(call.body)
    except ValueError:
        raise bad_payload("The request body is not valid JSON.") from None  # or nested too deep, or a lone surrogate


async def write(session: AsyncSession, call: Call, *, principal: Principal, model: EntityModel) -> Response:
    """POST, PATCH or DELETE in the caller's transaction (which it rolls back if this raises)."""
    writer = Writer(session, model, principal.require)
    async with _answered_as_dataverse():
        called = _unbound_call(call.path)
        if called is not None:
            raise method_not_allowed(f"{called[0].name} is a function: call it with GET.")
        if call.method == "POST":
            return await _create(writer, principal, call)
        if call.method == "PATCH":
            return await _update(writer, call)
        if call.method == "DELETE":
            return await _delete(writer, call)
    raise method_not_allowed(f"The method {call.method} is not supported here.")


async def _create(writer: Writer, principal: Principal, call: Call) -> Response:
    resource = parse_resource_path(call.path)
    entity = entity_set(writer.model, resource.entity_set)
    body = _body(call)
    if resource.operation is not None:
        _bound_operation(writer.model, entity, resource.operation)
        return await actions.invoke(writer, entity, resource, body=body, root=call.root)
    if resource.navigation is not None and writer.model.action(entity, resource.navigation) is not None:
        _bound_operation(writer.model, entity, OperationSegment(resource.navigation, qualified=False, arguments=None))
    if resource.key is not None:
        raise method_not_allowed("POST creates records in a set; use PATCH to update one.")
    row = await writer.create(entity, body)
    location = f"{call.root}/{entity.entity_set}({row.id})"
    headers = {"OData-EntityId": location, "Location": location}
    if "return=representation" not in (call.header("prefer") or ""):
        return Response(status_code=204, headers={**ODATA_HEADERS, **headers})
    options = parse_options(call.query, None)
    reader = Reader(writer.session, writer.model, reads(principal), datetime.now(UTC))
    record = await reader.one(entity, entity.model.id == row.id, select_names=options.select, expand=options.expand)
    assert record is not None
    context = f"{call.root}/$metadata#{entity.entity_set}/$entity"
    return odata_json({"@odata.context": context, **record}, 201,
                      {**headers, "Preference-Applied": "return=representation"})  # fmt: skip


async def _update(writer: Writer, call: Call) -> Response:
    """Update, or upsert: ``If-Match: *`` forbids creating, ``If-None-Match: *`` forbids updating."""
    resource = parse_resource_path(call.path)
    entity = entity_set(writer.model, resource.entity_set)
    if resource.key is None or resource.navigation is not None or resource.action is not None:
        raise method_not_allowed("PATCH updates one record: address it by its key.")
    body = _body(call)
    if_match, if_none_match = call.header("if-match"), call.header("if-none-match")
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
    location = f"{call.root}/{entity.entity_set}({row.id})"
    return Response(status_code=204, headers={**ODATA_HEADERS, "OData-EntityId": location})


def _with_key(entity: EntityType, key: uuid.UUID | dict[str, Any], body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    if isinstance(key, uuid.UUID):
        return {**body, entity.key: str(key)}
    return {**body, **key}


async def _delete(writer: Writer, call: Call) -> Response:
    resource = parse_resource_path(call.path)
    entity = entity_set(writer.model, resource.entity_set)
    if resource.key is None or resource.navigation is not None:
        raise method_not_allowed("DELETE removes one record: address it by its key.")
    row = await writer.find(entity, resource.key)
    if row is None:
        raise record_not_found(entity.logical_name, str(resource.key))
    if_match = call.header("if-match")
    if if_match not in (None, "*") and if_match != f'W/"{row.version}"':
        raise version_mismatch()
    await writer.delete(entity, row)
    return Response(status_code=204, headers=ODATA_HEADERS)
