"""``$metadata`` validates against the OASIS OData CSDL XML schemas (edmx.xsd importing edm.xsd).

The schemas are OASIS's own, from the npm package ``odata-csdl`` that the OData TC publishes;
``make test`` fetches them (scripts/fetch_csdl_schemas.sh) rather than the repository carrying a copy.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.odata.conftest import API, Caller

SCHEMAS = Path(__file__).resolve().parents[2] / ".cache" / "odata-csdl-0.11.2" / "package" / "schemas"


@pytest.fixture(scope="module")
def csdl_schema() -> etree.XMLSchema:
    edmx = SCHEMAS / "edmx.xsd"
    if not edmx.exists():
        pytest.fail(f"the OASIS CSDL schemas are missing from {SCHEMAS}: run scripts/fetch_csdl_schemas.sh")
    return etree.XMLSchema(etree.parse(str(edmx)))


async def test_the_metadata_document_is_valid_csdl(ats: Caller, csdl_schema: etree.XMLSchema) -> None:
    response = await ats.get(f"{API}/$metadata")
    document = etree.fromstring(response.content)
    valid = csdl_schema.validate(document)
    assert valid, "\n".join(str(error) for error in csdl_schema.error_log)


async def test_the_schema_check_refuses_a_document_that_breaks_csdl(ats: Caller, csdl_schema: etree.XMLSchema) -> None:
    """The check can fail: an entity type without a name, which CSDL requires, is refused."""
    document = etree.fromstring((await ats.get(f"{API}/$metadata")).content)
    entity_type = document.find(".//{http://docs.oasis-open.org/odata/ns/edm}EntityType")
    assert entity_type is not None
    del entity_type.attrib["Name"]
    assert not csdl_schema.validate(document)
