"""Both layers on every table and verb, and tenants that never see each other's rows."""

from __future__ import annotations

import pytest

from hirehub.db.session import Database
from hirehub.security import admin
from tests.odata.conftest import API, CANDIDATES, PEOPLE, Caller, Hub
from tests.security.conftest import set_up_integration


async def test_the_ats_role_writes_candidates_but_cannot_touch_the_organisation(ats: Caller) -> None:
    assert (await ats.post(CANDIDATES, {"mshr_firstname": "Ann"})).status_code == 204
    refused = await ats.post(f"{API}/mshr_omdepartmententities", {"mshr_departmentnumber": "D1", "mshr_name": "X"})
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "0x80040220"
    assert "Create" in error["message"] and "mshr_omdepartmententity" in error["message"]


async def test_layer_two_refuses_what_the_recruiting_role_does_not_grant(ats: Caller, hr: Caller) -> None:
    # The ATS integration security role grants Delete on jobs; the Recruiting application HR role only Read.
    job = await hr.create(f"{API}/mshr_hcmjobentities", {"mshr_jobid": "J-1"})
    assert (await ats.get(f"{API}/mshr_hcmjobentities({job})")).status_code == 200
    refused = await ats.delete(f"{API}/mshr_hcmjobentities({job})")
    assert refused.status_code == 403
    message = refused.json()["error"]["message"]
    assert "HR user 'ats-integration'" in message and "Delete" in message
    assert (await ats.get(f"{API}/mshr_hcmjobentities({job})")).status_code == 200


async def test_reading_through_a_lookup_needs_read_on_the_target_table(hub: Hub, database: Database) -> None:
    narrow = await set_up_integration(database, "narrow.example", roles=("Narrow",), app_user=False)
    async with database.tenant_transaction(narrow.tenant_id) as session:
        await admin.create_role(session, "Narrow")
        for privilege in ("Read", "Create"):
            await admin.grant(session, "Narrow", "mshr_hcmcandidatetohireentity", privilege, "Organization")
        await admin.create_application_user(session, narrow.client_id, ["Narrow"])
    caller = await hub.caller(narrow)
    assert (await caller.get(f"{CANDIDATES}?$select=mshr_firstname")).status_code == 200
    for query in ("$filter=mshr_FK_Person_id/mshr_lastname eq 'x'", "$expand=mshr_FK_Person_id"):
        refused = await caller.get(f"{CANDIDATES}?{query}")
        assert refused.status_code == 403
        assert "mshr_dirpersonentity" in refused.json()["error"]["message"]
    assert (await caller.get(PEOPLE)).status_code == 403


async def test_hiring_needs_the_hr_side_not_the_ats(ats: Caller) -> None:
    candidate = await ats.create(CANDIDATES, {"mshr_firstname": "Ann"})
    refused = await ats.post(f"{CANDIDATES}({candidate})/Microsoft.Dynamics.CRM.mshr_Hire", {"StartDate": "2027-01-04"})
    assert refused.status_code == 403


async def test_no_token_reaches_another_tenants_rows(hub: Hub, database: Database, ats: Caller) -> None:
    ann = await ats.create(CANDIDATES, {"mshr_firstname": "Ann"})
    other = await hub.caller(await set_up_integration(database, "fabrikam.example"))
    url = f"{CANDIDATES}({ann})"
    assert (await other.get(url)).status_code == 404
    assert (await other.get(CANDIDATES)).json()["value"] == []
    assert (await other.get(f"{CANDIDATES}/$count")).text == "0"
    assert (await other.patch(url, {"mshr_lastname": "Mallory"}, **{"If-Match": "*"})).status_code == 404
    assert (await other.delete(url)).status_code == 404
    bind = {"mshr_firstname": "Eve", "mshr_FK_Person_id@odata.bind": f"/mshr_dirpersonentities({ann})"}
    assert (await other.post(CANDIDATES, bind)).status_code == 404
    assert (await ats.get(url)).json()["mshr_lastname"] is None


@pytest.mark.parametrize("path", ["", "$metadata", "mshr_hcmcandidatetohireentities", "EntityDefinitions"])
async def test_every_resource_needs_a_token(hub: Hub, path: str) -> None:
    response = await hub.client.get(f"{API}/{path}")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer authorization_uri=")
