"""A generic OData v4 client that knows nothing of Dataverse — ``python-odata``, unmodified — reads the
hub's ``$metadata``, builds its classes from it, and queries and writes through them."""

from __future__ import annotations

import asyncio

import pytest
import requests

from odata import ODataService
from tests.odata.conftest import add_hr_app
from tests.odata.test_seed_flow import credential
from tests.security.conftest import Integration, TlsHub, set_up_integration


async def _callers(database_url: str) -> tuple[Integration, Integration]:
    from hirehub.bootstrap import open_database

    database = open_database(database_url)
    try:
        ats = await set_up_integration(database, "contoso.example")
        return ats, await add_hr_app(database, ats.tenant_id)
    finally:
        await database.dispose()


@pytest.fixture
def service(tls_hub: TlsHub) -> ODataService:
    ats, _hr = asyncio.run(_callers(tls_hub.database_url))
    token = credential(tls_hub, "contoso.example", ats.client_id, ats.secret).get_token(tls_hub.scope).token
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return ODataService(f"{tls_hub.base_url}/api/data/v9.2/", reflect_entities=True, session=session,
                        quiet_progress=True)  # fmt: skip


def test_the_metadata_reflects_into_a_class_per_entity_set(service: ODataService) -> None:
    assert "mshr_hcmcandidatetohireentities" in service.entities
    assert "mshr_dirpersonentities" in service.entities
    candidate = service.entities["mshr_hcmcandidatetohireentities"]
    assert hasattr(candidate, "mshr_firstname") and hasattr(candidate, "mshr_FK_Person_id")


def test_a_generic_client_creates_and_queries_candidates(service: ODataService) -> None:
    Candidate = service.entities["mshr_hcmcandidatetohireentities"]
    for first, last in (("Ann", "Lee"), ("Bob", "Okafor"), ("Eve", "Lee")):
        created = Candidate()
        created.mshr_firstname = first
        created.mshr_lastname = last
        service.save(created)
    query = service.query(Candidate).filter(Candidate.mshr_lastname == "Lee").order_by(Candidate.mshr_firstname.asc())
    assert [c.mshr_firstname for c in query] == ["Ann", "Eve"]
    first = query.first()
    assert first.mshr_candidateid.startswith("CAND-")


def test_a_generic_client_calls_the_unbound_functions_it_reflected(service: ODataService) -> None:
    answers: list[requests.Response] = []
    service.default_context.connection.session.hooks["response"].append(lambda r, *a, **k: answers.append(r))
    assert {"WhoAmI", "RetrieveVersion", "RetrieveTotalRecordCount"} <= set(service.functions)
    service.functions["WhoAmI"]()
    service.functions["RetrieveVersion"]()
    assert [(r.request.url.rsplit("/", 1)[1], r.status_code) for r in answers] == [
        ("WhoAmI()", 200), ("RetrieveVersion()", 200),
    ]  # fmt: skip
    assert answers[0].json()["@odata.context"].endswith("$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse")
    assert answers[1].json()["Version"].startswith("9.2.")
