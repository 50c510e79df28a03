"""Invoking a bound action: ``POST …/<set>(<key>)/Microsoft.Dynamics.CRM.<name>`` with a JSON object of parameters.

The binding declares each action's parameters, privileges and result type; this module holds what every
action shares: the privileges checked before anything is read, parameters converted (and refused) by their
EDM type as column values are, the bound record found in the caller's tenant, and the result answered as
a record of the result type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hirehub.odata.binding import BoundAction
from hirehub.odata.errors import bad_payload, record_not_found, resource_not_found
from hirehub.odata.model import EntityType, Property
from hirehub.odata.reading import Reader
from hirehub.odata.resource_path import ResourcePath
from hirehub.odata.responses import odata_json
from hirehub.odata.values import from_json
from hirehub.odata.writing import Writer


async def invoke(writer: Writer, entity: EntityType, resource: ResourcePath, *, body: Any, root: str) -> Any:
    """Run the action ``resource`` names on the record it addresses; the response carries the result record."""
    assert resource.action is not None and resource.key is not None
    action = writer.model.action(entity, resource.action)
    if action is None:
        raise resource_not_found(f"Microsoft.Dynamics.CRM.{resource.action}")
    for table, privilege in action.requires:
        writer.require(table, privilege)
    parameters = _parameters(action, body)
    bound = await writer.find(entity, resource.key)
    if bound is None:
        raise record_not_found(entity.logical_name, str(resource.key))
    row = await action.run(writer.session, bound, parameters)
    await writer.session.flush()
    result = writer.model.entity_type(action.returns)
    # The action's own privileges cover its result: no Read check on the record it made.
    reader = Reader(writer.session, writer.model, lambda table: None, row.created_at)
    record = await reader.one(result, result.model.id == row.id)
    assert record is not None
    return odata_json({"@odata.context": f"{root}/$metadata#{result.entity_set}/$entity", **record})


def _parameters(action: BoundAction, body: Any) -> Mapping[str, Any]:
    if not isinstance(body, dict):
        raise bad_payload(f"The {action.name} action takes a JSON object of parameters.")
    declared = {parameter.name: parameter for parameter in action.parameters}
    unknown = set(body) - set(declared)
    if unknown:
        raise bad_payload(f"The {action.name} action has no parameter {', '.join(sorted(unknown))} (it takes "
                          f"{', '.join(sorted(declared))}).")  # fmt: skip
    return {
        name: from_json(Property(name, name, parameter.edm_type), body.get(name))
        for name, parameter in declared.items()
    }
