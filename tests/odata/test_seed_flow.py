"""The seeds' flow, end to end over real TLS, driven by Microsoft's own Dataverse SDK for Python
(``PowerPlatform-Dataverse-Client``) with azure-identity credentials — neither modified nor patched:

1. HR's administrator sets the integration up through the admin API: consent to LinkedIn Talent Hub's
   adapter, the *LinkedIn Talent Hub HRIS Integration* security role (Read on Entity, Field,
   Relationship), the application user, an HR user and the *Microsoft Entra applications* link.
2. The adapter (client ID ``3a225c96-…``) exports a hired candidate with *Export to HRIS*, then exports
   the same candidate again: one candidate to hire, updated.
3. The recruiting ATS reads the candidate with ``$filter`` and ``$expand``, in pages.
4. HR hires the candidate with the bound *Hire* action; the worker can be read.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential
from PowerPlatform.Dataverse.client import DataverseClient
from PowerPlatform.Dataverse.models.upsert import UpsertItem

from hirehub.bootstrap import open_database
from hirehub.security import apps
from hirehub.security.privileges import RECRUITING_ROLE_ID
from hirehub.tenancy import service as tenancy
from tests.odata.conftest import add_hr_app
from tests.security.conftest import Integration, TlsHub, set_up_integration

TALENT_HUB = "3a225c96-d62a-44ce-b3ec-bd4e8e9befef"
EXPORTS = "mshr_hcmlinkedinexportedcandidateentity"
CANDIDATES = "mshr_hcmcandidatetohireentity"


def credential(hub: TlsHub, tenant: str, client_id: str, secret: str) -> ClientSecretCredential:
    return ClientSecretCredential(
        tenant, client_id, secret, authority=hub.base_url.removeprefix("https://"), disable_instance_discovery=True
    )


@pytest.fixture
def sdk(tls_hub: TlsHub) -> Iterator[Any]:
    clients: list[DataverseClient] = []

    def open_client(tenant: str, client_id: str, secret: str) -> DataverseClient:
        client = DataverseClient(tls_hub.base_url, credential(tls_hub, tenant, client_id, secret))
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        client.close()


async def _bootstrap(database_url: str) -> tuple[Integration, Integration, str]:
    """The hub's starting point: Contoso with its ATS and HR automation; LinkedIn's adapter app registered in
    LinkedIn's own tenant (multi-tenant, under its published client ID)."""
    database = open_database(database_url)
    try:
        ats = await set_up_integration(database, "contoso.example")
        hr = await add_hr_app(database, ats.tenant_id)
        async with database.system_transaction() as session:
            linkedin = await tenancy.create_tenant(session, name="LinkedIn", domain="linkedin.example")
        async with database.tenant_transaction(linkedin.id) as session:
            adapter = await apps.create_app(
                session, name="Dynamics365 HR LinkedIn HRIS Integration", multi_tenant=True, client_id=TALENT_HUB
            )
            secret = (await apps.add_secret(session, adapter, days=30)).secret
        return ats, hr, secret
    finally:
        await database.dispose()


def test_export_to_hris_then_read_then_hire_with_unmodified_clients(tls_hub: TlsHub, sdk: Any) -> None:
    ats, hr, adapter_secret = asyncio.run(_bootstrap(tls_hub.database_url))
    tenant = "contoso.example"
    hr_token = credential(tls_hub, tenant, hr.client_id, hr.secret).get_token(tls_hub.scope).token
    admin = httpx.Client(base_url=tls_hub.base_url, verify=ssl.create_default_context(cafile=tls_hub.ca_file),
                         headers={"Authorization": f"Bearer {hr_token}"})  # fmt: skip

    # 1. Set-up, as the seed's steps, through the admin API.
    role = "LinkedIn Talent Hub HRIS Integration"
    steps: list[tuple[str, dict[str, Any] | None]] = [
        (f"/admin/v1/apps/{TALENT_HUB}/consent", None),
        ("/admin/v1/roles", {"name": role}),
        *[(f"/admin/v1/roles/{role}/privileges", {"table": t, "privilege": "Read", "level": "Organization"})
          for t in ("entity", "attribute", "relationship")],
        ("/admin/v1/application-users", {"client_id": TALENT_HUB, "roles": [role],
                                         "name": "Dynamics365 HR LinkedIn HRIS Integration"}),
        ("/admin/v1/hr-users", {"user_id": "talent-hub", "name": "Talent Hub", "roles": [RECRUITING_ROLE_ID]}),
        ("/admin/v1/entra-app-links", {"client_id": TALENT_HUB, "name": role, "user_id": "talent-hub"}),
    ]  # fmt: skip
    for path, body in steps:
        response = admin.post(path, json=body)
        assert response.status_code in (200, 201), response.text

    # 2. Export to HRIS, twice for the same candidate.
    adapter = sdk(tenant, TALENT_HUB, adapter_secret)
    urn = "urn:li:ts_hire_identity:8812"
    export = {
        "mshr_linkedincandidateurn": urn, "mshr_firstname": "Ann", "mshr_lastname": "Lee",
        "mshr_email": "ann.lee@example.com", "mshr_phone": "+1 425 555 0100", "mshr_startdate": "2027-01-04",
        "mshr_jobtitle": "Engineer", "mshr_location": "Redmond",
    }  # fmt: skip
    adapter.records.create(EXPORTS, export)
    adapter.records.create(EXPORTS, {**export, "mshr_phone": "+1 425 555 0199"})
    adapter.records.upsert(EXPORTS, [UpsertItem(alternate_key={"mshr_linkedincandidateurn": urn},
                                                record={"mshr_email": "ann@contoso.example"})])  # fmt: skip

    # 3. The recruiting ATS reads it, in pages, with a filter and an expansion.
    recruiter = sdk(tenant, ats.client_id, ats.secret)
    found = list(
        recruiter.records.list(
            CANDIDATES, filter="mshr_lastname eq 'lee' and mshr_FK_Person_id/mshr_firstname eq 'Ann'",
            select=["mshr_firstname", "mshr_email", "mshr_phone", "mshr_availabilitydate"],
            expand=["mshr_FK_Person_id($select=mshr_primarycontactemail)"], page_size=1,
        )
    )  # fmt: skip
    assert len(found) == 1, "exporting the same candidate again updates it"
    candidate = found[0]
    assert (candidate["mshr_phone"], candidate["mshr_email"]) == ("+1 425 555 0199", "ann@contoso.example")
    assert candidate["mshr_availabilitydate"] == "2027-01-04"
    assert candidate["mshr_FK_Person_id"]["mshr_primarycontactemail"] == "ann@contoso.example"
    candidate_id = candidate["mshr_hcmcandidatetohireentityid"]

    # 4. HR hires; the ATS can read the worker it became.
    hired = admin.post(
        f"/api/data/v9.2/mshr_hcmcandidatetohireentities({candidate_id})/Microsoft.Dynamics.CRM.mshr_Hire",
        json={"StartDate": "2027-01-04"},
    )
    assert hired.status_code == 200, hired.text
    worker_id = hired.json()["mshr_hcmworkerentityid"]
    worker = recruiter.records.retrieve("mshr_hcmworkerentity", worker_id)
    assert worker is not None
    assert (worker["mshr_firstname"], worker["mshr_lastname"]) == ("Ann", "Lee")
    assert worker["mshr_personnelnumber"].startswith("HR")
    after = recruiter.records.retrieve(CANDIDATES, candidate_id, select=["mshr_applicantintegrationresult"])
    assert after is not None and after["mshr_applicantintegrationresult"] == 200000001  # Hired
    admin.close()


def test_the_adapter_without_its_set_up_is_refused_with_the_missing_step(tls_hub: TlsHub, sdk: Any) -> None:
    _ats, _hr, adapter_secret = asyncio.run(_bootstrap(tls_hub.database_url))
    # No consent in Contoso: the token endpoint refuses the adapter there, and azure-identity says why.
    with pytest.raises(ClientAuthenticationError, match=r"AADSTS\d+"):
        credential(tls_hub, "contoso.example", TALENT_HUB, adapter_secret).get_token(tls_hub.scope)
