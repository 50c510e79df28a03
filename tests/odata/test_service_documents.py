"""The documents clients discover the API with: the service document, ``$metadata`` and ``EntityDefinitions``."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from hirehub.hr.tables import SEED_TABLES, exposed_tables
from tests.odata.conftest import API, Caller

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


async def test_the_service_document_lists_every_table_of_the_seed(ats: Caller) -> None:
    body = (await ats.get(f"{API}/")).json()
    assert body["@odata.context"] == "http://hub/api/data/v9.2/$metadata"
    sets = {entry["name"] for entry in body["value"]}
    assert {t.odata.entity_set for t in exposed_tables()} == sets
    logical = {t.odata.logical_name for t in exposed_tables()}
    assert set(SEED_TABLES.values()) <= logical


async def test_every_name_the_metadata_uses_is_declared_in_it(ats: Caller) -> None:
    response = await ats.get(f"{API}/$metadata")
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    (schema,) = root.iter(f"{EDM}Schema")
    assert (schema.get("Namespace"), schema.get("Alias")) == ("Microsoft.Dynamics.CRM", "mscrm")
    types = {t.get("Name"): t for t in schema.findall(f"{EDM}EntityType")}
    for name, entity_type in types.items():
        properties = {p.get("Name") for p in entity_type.findall(f"{EDM}Property")}
        (key,) = entity_type.find(f"{EDM}Key").findall(f"{EDM}PropertyRef")  # type: ignore[union-attr]
        assert key.get("Name") == f"{name}id" and key.get("Name") in properties
        for navigation in entity_type.findall(f"{EDM}NavigationProperty"):
            target = navigation.get("Type", "").removeprefix("Collection(").removesuffix(")").removeprefix("mscrm.")
            assert target in types, f"{name}.{navigation.get('Name')} points at an undeclared type {target}"
            for constraint in navigation.findall(f"{EDM}ReferentialConstraint"):
                assert constraint.get("Property") in properties
    container = schema.find(f"{EDM}EntityContainer")
    assert container is not None and container.get("Name") == "System"
    sets = {s.get("Name"): s for s in container.findall(f"{EDM}EntitySet")}
    for entity_set in sets.values():
        assert entity_set.get("EntityType", "").removeprefix("mscrm.") in types
        for binding in entity_set.findall(f"{EDM}NavigationPropertyBinding"):
            assert binding.get("Target") in sets
    candidate = types["mshr_hcmcandidatetohireentity"]
    computed = {p.get("Name") for p in candidate.findall(f"{EDM}Property") if p.find(f"{EDM}Annotation") is not None}
    assert {"mshr_candidateid", "createdon", "_mshr_fk_person_id_value"} <= computed


async def test_entity_definitions_answer_the_query_clients_resolve_tables_with(ats: Caller) -> None:
    response = await ats.get(
        f"{API}/EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute"
        "&$filter=LogicalName eq 'mshr_hcmcandidatetohireentity'"
    )
    (definition,) = response.json()["value"]
    assert definition["EntitySetName"] == "mshr_hcmcandidatetohireentities"
    assert definition["PrimaryIdAttribute"] == "mshr_hcmcandidatetohireentityid"


async def test_entity_definitions_describe_attributes_and_choices(ats: Caller) -> None:
    table = "EntityDefinitions(LogicalName='mshr_hcmcandidatetohireentity')"
    expanded = (
        await ats.get(f"{API}/{table}?$select=LogicalName&$expand=Attributes($select=LogicalName,AttributeType)")
    ).json()
    kinds = {a["LogicalName"]: a["AttributeType"] for a in expanded["Attributes"]}
    assert kinds["mshr_firstname"] == "String" and kinds["mshr_fk_person_id"] == "Lookup"
    assert kinds["mshr_applicantintegrationresult"] == "Picklist"
    picklists = await ats.get(
        f"{API}/{table}/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName"
        "&$expand=OptionSet($select=Options)"
    )
    options = {a["LogicalName"]: [o["Value"] for o in a["OptionSet"]["Options"]] for a in picklists.json()["value"]}
    assert options["mshr_applicantintegrationresult"] == [200000000, 200000001, 200000002, 200000003]
    unknown = await ats.get(f"{API}/EntityDefinitions(LogicalName='account')")
    assert unknown.status_code == 404
