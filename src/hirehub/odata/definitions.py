"""``EntityDefinitions``: table and column metadata in the shape of Dataverse's metadata API.

Clients resolve a table's entity set and primary id from it
(``EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute&$filter=LogicalName eq '…'``)
and read choice columns' options through the ``PicklistAttributeMetadata`` cast, so both are here,
derived from the same model as ``$metadata``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from hirehub.odata.edm import EdmType
from hirehub.odata.errors import bad_query, resource_not_found
from hirehub.odata.model import EntityModel, EntityType, Property
from hirehub.odata.syntax import And, Compare, Literal, Node, Not, Or, Path

METADATA_NAMESPACE = uuid.UUID("0f6b8a52-3c5e-4c6f-9d0e-7a1b2c3d4e5f")
LANGUAGE = 1033
ATTRIBUTE_TYPES = {
    EdmType.STRING: ("String", "StringType", "StringAttributeMetadata"),
    EdmType.INT32: ("Integer", "IntegerType", "IntegerAttributeMetadata"),
    EdmType.INT64: ("BigInt", "BigIntType", "BigIntAttributeMetadata"),
    EdmType.BOOLEAN: ("Boolean", "BooleanType", "BooleanAttributeMetadata"),
    EdmType.DATE: ("DateTime", "DateTimeType", "DateTimeAttributeMetadata"),
    EdmType.DATE_TIME_OFFSET: ("DateTime", "DateTimeType", "DateTimeAttributeMetadata"),
    EdmType.DECIMAL: ("Decimal", "DecimalType", "DecimalAttributeMetadata"),
    EdmType.GUID: ("Uniqueidentifier", "UniqueidentifierType", "AttributeMetadata"),
}
PICKLIST_CAST = "Microsoft.Dynamics.CRM.PicklistAttributeMetadata"


def metadata_id(*names: str) -> str:
    return str(uuid.uuid5(METADATA_NAMESPACE, "/".join(names)))


def label(text: str) -> dict[str, Any]:
    localized = {"Label": text, "LanguageCode": LANGUAGE}
    return {"LocalizedLabels": [localized], "UserLocalizedLabel": localized}


def entity_definition(entity: EntityType) -> dict[str, Any]:
    return {
        "MetadataId": metadata_id(entity.logical_name),
        "LogicalName": entity.logical_name,
        "SchemaName": entity.logical_name,
        "EntitySetName": entity.entity_set,
        "LogicalCollectionName": entity.entity_set,
        "PrimaryIdAttribute": entity.key,
        "PrimaryNameAttribute": entity.primary_name,
        "DisplayName": label(entity.display_name),
        "DisplayCollectionName": label(entity.display_collection_name),
        "TableType": "Virtual" if entity.virtual else "Standard",
        "IsCustomEntity": False,
        "IsValidForAdvancedFind": True,
        "OwnershipType": "OrganizationOwned",
    }


def _attribute(entity: EntityType, name: str, kind: tuple[str, str, str], **facts: Any) -> dict[str, Any]:
    return {
        "@odata.type": f"#Microsoft.Dynamics.CRM.{kind[2]}",
        "MetadataId": metadata_id(entity.logical_name, name),
        "LogicalName": name,
        "SchemaName": name,
        "EntityLogicalName": entity.logical_name,
        "AttributeType": kind[0],
        "AttributeTypeName": {"Value": kind[1]},
        "IsValidForRead": True,
        **facts,
    }


def _property_attribute(entity: EntityType, prop: Property) -> dict[str, Any]:
    kind = ATTRIBUTE_TYPES[prop.edm_type]
    if prop.option_set is not None:
        kind = ("Picklist", "PicklistType", "PicklistAttributeMetadata")
    facts: dict[str, Any] = {
        "RequiredLevel": {
            "Value": "SystemRequired" if prop.system else "ApplicationRequired" if prop.required else "None"
        },
        "IsValidForCreate": not prop.system,
        "IsValidForUpdate": not prop.system and not prop.write_once,
        "IsPrimaryId": False,
    }
    if prop.max_length is not None:
        facts["MaxLength"] = prop.max_length
    if prop.edm_type == EdmType.DATE:
        facts["Format"] = "DateOnly"
    if prop.option_set is not None:
        facts["OptionSet"] = {
            "Name": f"{entity.logical_name}_{prop.name}",
            "Options": [
                {"Value": int(option), "Label": label(option.name.replace("_", " ").capitalize())}
                for option in prop.option_set
            ],
        }
    return _attribute(entity, prop.name, kind, **facts)


def attribute_definitions(model: EntityModel, entity: EntityType) -> list[dict[str, Any]]:
    attributes = [
        _attribute(
            entity,
            entity.key,
            ATTRIBUTE_TYPES[EdmType.GUID],
            IsPrimaryId=True,
            IsValidForCreate=True,
            IsValidForUpdate=False,
            RequiredLevel={"Value": "SystemRequired"},
        ),
    ]
    attributes += [_property_attribute(entity, prop) for prop in entity.properties.values()]
    for lookup in entity.lookups.values():
        name = lookup.value_property[1 : -len("_value")]
        attributes.append(
            _attribute(
                entity,
                name,
                ("Lookup", "LookupType", "LookupAttributeMetadata"),
                Targets=[lookup.target],
                IsValidForCreate=True,
                IsValidForUpdate=True,
                RequiredLevel={"Value": "None"},
            )
        )
    return attributes


def find_entity(model: EntityModel, key: uuid.UUID | dict[str, Any]) -> EntityType:
    for entity in model.types.values():
        if isinstance(key, uuid.UUID) and str(key) == metadata_id(entity.logical_name):
            return entity
        if isinstance(key, dict) and key.get("LogicalName") == entity.logical_name:
            return entity
    raise resource_not_found(f"EntityDefinitions({key})")


def matches(node: Node | None, document: dict[str, Any]) -> bool:
    """Evaluate a metadata ``$filter`` (comparisons of top-level properties, and/or/not) in memory."""
    if node is None:
        return True
    if isinstance(node, And):
        return matches(node.left, document) and matches(node.right, document)
    if isinstance(node, Or):
        return matches(node.left, document) or matches(node.right, document)
    if isinstance(node, Not):
        return not matches(node.operand, document)
    if isinstance(node, Compare) and isinstance(node.left, Path) and isinstance(node.right, Literal):
        value = document.get("/".join(node.left.segments))
        expected = node.right.value
        if isinstance(value, str) and isinstance(expected, str):
            value, expected = value.lower(), expected.lower()
        if node.op == "eq":
            return bool(value == expected)
        if node.op == "ne":
            return bool(value != expected)
    raise bad_query("Metadata queries filter with eq/ne comparisons of a property with a constant, and and/or/not.")


def project(document: dict[str, Any], names: Sequence[str] | None) -> dict[str, Any]:
    if names is None:
        return document
    kept = {name: document[name] for name in names if name in document}
    if "@odata.type" in document:
        kept["@odata.type"] = document["@odata.type"]
    kept.setdefault("MetadataId", document.get("MetadataId"))
    return kept


Projector = Callable[[dict[str, Any]], dict[str, Any]]
