"""Dataverse's unbound functions that clients call before anything else: ``WhoAmI``, ``RetrieveVersion`` and
``RetrieveTotalRecordCount``.

They belong to the protocol, not to a domain: SDKs call ``WhoAmI`` to check a connection, ``RetrieveVersion``
to pick features, and ``RetrieveTotalRecordCount`` to size tables before a sync. Each is a GET; called with
POST it is refused, as Dataverse refuses it. Their responses are complex types that ``$metadata`` declares
(:data:`COMPLEX_TYPES`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.odata.edm import EdmType
from hirehub.odata.errors import bad_query, resource_not_found
from hirehub.odata.model import EntityModel
from hirehub.odata.operations import OperationSegment, aliases_of, typed
from hirehub.odata.responses import odata_json
from hirehub.security.principal import Principal
from hirehub.security.privileges import Privilege

SERVICE_VERSION = "9.2.0.0"
"""The Dataverse Web API version whose behaviour this service follows (what ``RetrieveVersion`` reports)."""
BUSINESS_UNIT_NAMESPACE = uuid.UUID("5b0e7f1c-1d7e-4b61-9c55-6f1f7f0d2a11")


@dataclass(frozen=True)
class FunctionCall:
    """What a function runs with: the caller's session and principal, and the model of the tables."""

    session: AsyncSession
    principal: Principal
    model: EntityModel


@dataclass(frozen=True)
class UnboundFunction:
    name: str
    parameters: Mapping[str, str]
    """Name → EDM type (``Collection(Edm.String)`` for a collection)."""
    returns: str
    """The complex type of the response, in :data:`COMPLEX_TYPES`."""
    run: Callable[[FunctionCall, Mapping[str, Any]], Awaitable[dict[str, Any]]]


async def _who_am_i(call: FunctionCall, parameters: Mapping[str, Any]) -> dict[str, Any]:
    principal = call.principal
    return {
        "BusinessUnitId": str(uuid.uuid5(BUSINESS_UNIT_NAMESPACE, str(principal.tenant_id))),
        "UserId": str(principal.application_user_id),
        "OrganizationId": str(principal.tenant_id),
    }


async def _retrieve_version(call: FunctionCall, parameters: Mapping[str, Any]) -> dict[str, Any]:
    return {"Version": SERVICE_VERSION}


async def _retrieve_total_record_count(call: FunctionCall, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The number of rows of each table named, in the caller's tenant; each needs Read."""
    names: list[str | None] = parameters["EntityNames"] or []
    if not names or any(not name for name in names):
        raise bad_query('EntityNames lists the logical names of the tables to count, such as ["mshr_hcmjobentity"].')
    counts: list[int] = []
    for name in names:
        assert name is not None
        entity = call.model.types.get(name)
        if entity is None:
            raise resource_not_found(name)
        call.principal.require(entity.logical_name, Privilege.READ)
        counts.append(int(await call.session.scalar(select(func.count()).select_from(entity.model)) or 0))
    collection = {"Count": len(names), "IsReadOnly": False, "Keys": names, "Values": counts}
    return {"EntityRecordCountCollection": collection}


UNBOUND_FUNCTIONS: dict[str, UnboundFunction] = {
    f.name: f
    for f in (
        UnboundFunction("WhoAmI", {}, "WhoAmIResponse", _who_am_i),
        UnboundFunction("RetrieveVersion", {}, "RetrieveVersionResponse", _retrieve_version),
        UnboundFunction(
            "RetrieveTotalRecordCount",
            {"EntityNames": "Collection(Edm.String)"},
            "RetrieveTotalRecordCountResponse",
            _retrieve_total_record_count,
        ),
    )
}

COMPLEX_TYPES: dict[str, dict[str, tuple[str, bool]]] = {
    "WhoAmIResponse": {
        "BusinessUnitId": (EdmType.GUID, False), "UserId": (EdmType.GUID, False),
        "OrganizationId": (EdmType.GUID, False),
    },
    "RetrieveVersionResponse": {"Version": (EdmType.STRING, True)},
    "EntityRecordCountCollection": {
        "Count": (EdmType.INT32, False), "IsReadOnly": (EdmType.BOOLEAN, False),
        "Keys": ("Collection(Edm.String)", True), "Values": ("Collection(Edm.Int64)", True),
    },
    "RetrieveTotalRecordCountResponse": {"EntityRecordCountCollection": ("mscrm.EntityRecordCountCollection", True)},
}  # fmt: skip
"""Each response type's properties: name → (type, nullable)."""


def unbound_function(segment: OperationSegment) -> UnboundFunction | None:
    return UNBOUND_FUNCTIONS.get(segment.name)


async def call_function(
    function: UnboundFunction, segment: OperationSegment, *, query: Mapping[str, str], call: FunctionCall, root: str
) -> Any:
    """Run ``function`` with the parameters the path gives (inline or as aliases) and answer its response."""
    given = segment.parameters(aliases_of(query))
    unknown = sorted(set(given) - set(function.parameters))
    if unknown:
        declared = ", ".join(function.parameters) or "no parameters"
        raise bad_query(f"The function {function.name} has no parameter {', '.join(unknown)} (it takes {declared}).")
    missing = sorted(set(function.parameters) - set(given))
    if missing:
        raise bad_query(f"The function {function.name} needs the parameter {', '.join(missing)}.")
    parameters = {name: typed(name, edm_type, given[name]) for name, edm_type in function.parameters.items()}
    result = await function.run(call, parameters)
    return odata_json({"@odata.context": f"{root}/$metadata#Microsoft.Dynamics.CRM.{function.returns}", **result})
