"""``$metadata``: the model as OData CSDL XML, in Dataverse's namespace (``Microsoft.Dynamics.CRM``, alias
``mscrm``) with its container name (``System``), so generated clients name things as Dataverse's do."""

from __future__ import annotations

from functools import cache
from xml.etree import ElementTree as ET

from hirehub.odata.model import EntityModel, EntityType, entity_model

EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"
NAMESPACE = "Microsoft.Dynamics.CRM"
ALIAS = "mscrm"
HIRE_ACTION = "mshr_Hire"
CANDIDATE_TABLE = "mshr_hcmcandidatetohireentity"
WORKER_TABLE = "mshr_hcmworkerentity"


def _edm(tag: str) -> str:
    return f"{{{EDM}}}{tag}"


def _sub(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, _edm(tag), attributes)


def _entity_type(schema: ET.Element, entity: EntityType) -> None:
    element = _sub(schema, "EntityType", Name=entity.logical_name)
    key = _sub(element, "Key")
    _sub(key, "PropertyRef", Name=entity.key)
    _sub(element, "Property", Name=entity.key, Type="Edm.Guid", Nullable="false")
    for prop in entity.properties.values():
        attributes = {"Name": prop.name, "Type": prop.edm_type}
        if not prop.nullable:
            attributes["Nullable"] = "false"
        if prop.max_length is not None:
            attributes["MaxLength"] = str(prop.max_length)
        if prop.edm_type == "Edm.Decimal":
            attributes.update(Precision="18", Scale="6")
        _sub(element, "Property", **attributes)
    for lookup in entity.lookups.values():
        _sub(element, "Property", Name=lookup.value_property, Type="Edm.Guid")
    for lookup in entity.lookups.values():
        navigation = _sub(element, "NavigationProperty", Name=lookup.navigation, Type=f"{ALIAS}.{lookup.target}")
        _sub(
            navigation, "ReferentialConstraint", Property=lookup.value_property, ReferencedProperty=lookup.target + "id"
        )
    for collection in entity.collections.values():
        _sub(element, "NavigationProperty", Name=collection.navigation, Type=f"Collection({ALIAS}.{collection.target})")


def _operations(schema: ET.Element) -> None:
    response = _sub(schema, "ComplexType", Name="WhoAmIResponse")
    for name in ("BusinessUnitId", "UserId", "OrganizationId"):
        _sub(response, "Property", Name=name, Type="Edm.Guid", Nullable="false")
    function = _sub(schema, "Function", Name="WhoAmI")
    _sub(function, "ReturnType", Type=f"{ALIAS}.WhoAmIResponse", Nullable="false")
    action = _sub(schema, "Action", Name=HIRE_ACTION, IsBound="true")
    _sub(action, "Parameter", Name="entity", Type=f"{ALIAS}.{CANDIDATE_TABLE}", Nullable="false")
    for name, edm_type in (("StartDate", "Edm.Date"), ("PositionId", "Edm.Guid"), ("ManagerId", "Edm.Guid"),
                           ("CompanyCode", "Edm.String")):  # fmt: skip
        _sub(action, "Parameter", Name=name, Type=edm_type)
    _sub(action, "ReturnType", Type=f"{ALIAS}.{WORKER_TABLE}", Nullable="false")


def _container(schema: ET.Element, model: EntityModel) -> None:
    container = _sub(schema, "EntityContainer", Name="System")
    for entity in model.types.values():
        entity_set = _sub(container, "EntitySet", Name=entity.entity_set, EntityType=f"{ALIAS}.{entity.logical_name}")
        for lookup in entity.lookups.values():
            target = model.entity_type(lookup.target).entity_set
            _sub(entity_set, "NavigationPropertyBinding", Path=lookup.navigation, Target=target)
        for collection in entity.collections.values():
            target = model.entity_type(collection.target).entity_set
            _sub(entity_set, "NavigationPropertyBinding", Path=collection.navigation, Target=target)
    _sub(container, "FunctionImport", Name="WhoAmI", Function=f"{ALIAS}.WhoAmI")


@cache
def metadata_document() -> bytes:
    """The CSDL document (computed once per process)."""
    model = entity_model()
    ET.register_namespace("edmx", EDMX)
    ET.register_namespace("", EDM)
    root = ET.Element(f"{{{EDMX}}}Edmx", {"Version": "4.0"})
    services = ET.SubElement(root, f"{{{EDMX}}}DataServices")
    schema = ET.SubElement(services, _edm("Schema"), {"Namespace": NAMESPACE, "Alias": ALIAS})
    for entity in model.types.values():
        _entity_type(schema, entity)
    _operations(schema)
    _container(schema, model)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
