"""The recruiting request's ``mshr_jobid`` and ``mshr_titleid``: the job's and the title's codes, readable and
writable through the Web API, kept in step with the ``mshr_FK_Job_id`` and ``mshr_FK_Title_id`` lookups."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import func, select

from hirehub.db.session import Database
from hirehub.hr.models import Job, RecruitingRequest
from tests.odata.conftest import API, Caller, Hub, add_hr_app, add_organisation
from tests.security.conftest import set_up_integration

REQUESTS = f"{API}/mshr_hcmrecruitingrequestentities"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


@pytest.fixture
async def fabrikam_hr(hub: Hub, database: Database) -> Caller:
    fabrikam = await set_up_integration(database, "fabrikam.example")
    return await hub.caller(await add_hr_app(database, fabrikam.tenant_id))


async def organisation(database: Database, caller: Caller) -> tuple[str, str]:
    async with database.tenant_transaction(caller.tenant_id) as session:
        made = await add_organisation(session)
    return str(made.job_id), str(made.title_id)


async def test_metadata_declares_the_job_and_title_codes_as_strings(hr: Caller) -> None:
    document = ET.fromstring((await hr.get(f"{API}/$metadata")).content)
    entity = next(e for e in document.iter(f"{EDM}EntityType") if e.get("Name") == "mshr_hcmrecruitingrequestentity")
    properties = {p.get("Name"): p.get("Type") for p in entity.iter(f"{EDM}Property")}
    assert properties["mshr_jobid"] == "Edm.String"
    assert properties["mshr_titleid"] == "Edm.String"
    assert properties["_mshr_fk_job_id_value"] == "Edm.Guid"
    assert properties["_mshr_fk_title_id_value"] == "Edm.Guid"


async def test_codes_given_on_create_set_the_lookups(hr: Caller, database: Database) -> None:
    job_id, title_id = await organisation(database, hr)
    request = await hr.create(
        REQUESTS, {"mshr_recruitingrequestid": "RR-1", "mshr_jobid": "J-ENG", "mshr_titleid": "ENG"}
    )
    read = (await hr.get(f"{REQUESTS}({request})")).json()
    assert (read["mshr_jobid"], read["_mshr_fk_job_id_value"]) == ("J-ENG", job_id)
    assert (read["mshr_titleid"], read["_mshr_fk_title_id_value"]) == ("ENG", title_id)


async def test_lookups_bound_on_create_fill_the_codes(hr: Caller, database: Database) -> None:
    job_id, title_id = await organisation(database, hr)
    request = await hr.create(REQUESTS, {
        "mshr_recruitingrequestid": "RR-1",
        "mshr_FK_Job_id@odata.bind": f"/mshr_hcmjobentities({job_id})",
        "mshr_FK_Title_id@odata.bind": f"/mshr_hcmtitleentities({title_id})",
    })  # fmt: skip
    read = (await hr.get(f"{REQUESTS}({request})?$select=mshr_jobid,mshr_titleid")).json()
    assert (read["mshr_jobid"], read["mshr_titleid"]) == ("J-ENG", "ENG")


async def test_the_request_can_be_read_by_its_codes_in_a_filter(hr: Caller, database: Database) -> None:
    await organisation(database, hr)
    await hr.create(REQUESTS, {"mshr_recruitingrequestid": "RR-1", "mshr_jobid": "J-ENG"})
    await hr.create(REQUESTS, {"mshr_recruitingrequestid": "RR-2"})
    found = (await hr.get(f"{REQUESTS}?$filter=mshr_jobid eq 'J-ENG'&$select=mshr_recruitingrequestid")).json()
    assert [r["mshr_recruitingrequestid"] for r in found["value"]] == ["RR-1"]


async def test_changing_the_code_moves_the_lookup_and_clearing_it_clears_the_lookup(
    hr: Caller, database: Database
) -> None:
    job_id, _ = await organisation(database, hr)
    request = await hr.create(REQUESTS, {"mshr_recruitingrequestid": "RR-1"})
    url = f"{REQUESTS}({request})"
    assert (await hr.patch(url, {"mshr_jobid": "J-ENG"})).status_code == 204
    assert (await hr.get(url)).json()["_mshr_fk_job_id_value"] == job_id
    assert (await hr.patch(url, {"mshr_jobid": None})).status_code == 204
    assert (await hr.get(url)).json()["_mshr_fk_job_id_value"] is None


async def test_rebinding_the_lookup_moves_the_code(hr: Caller, database: Database) -> None:
    _, title_id = await organisation(database, hr)
    request = await hr.create(REQUESTS, {"mshr_recruitingrequestid": "RR-1"})
    url = f"{REQUESTS}({request})"
    bind = {"mshr_FK_Title_id@odata.bind": f"/mshr_hcmtitleentities({title_id})"}
    assert (await hr.patch(url, bind)).status_code == 204
    assert (await hr.get(url)).json()["mshr_titleid"] == "ENG"
    assert (await hr.patch(url, {"mshr_FK_Title_id@odata.bind": None})).status_code == 204
    assert (await hr.get(url)).json()["mshr_titleid"] is None


async def test_an_unknown_code_is_refused_in_dataverses_shape_and_nothing_is_created(
    hr: Caller, database: Database
) -> None:
    response = await hr.post(REQUESTS, {"mshr_recruitingrequestid": "RR-1", "mshr_jobid": "NOPE"})
    assert response.status_code == 404
    assert "mshr_jobid" in response.json()["error"]["message"]
    async with database.tenant_session(hr.tenant_id) as session:
        assert await session.scalar(select(func.count()).select_from(RecruitingRequest)) == 0


async def test_a_code_and_a_lookup_naming_different_records_are_refused(hr: Caller, database: Database) -> None:
    job_id, _ = await organisation(database, hr)
    async with database.tenant_transaction(hr.tenant_id) as session:
        session.add(Job(job_id="J-OTHER"))
    response = await hr.post(REQUESTS, {
        "mshr_recruitingrequestid": "RR-1", "mshr_jobid": "J-OTHER",
        "mshr_FK_Job_id@odata.bind": f"/mshr_hcmjobentities({job_id})",
    })  # fmt: skip
    assert response.status_code == 400
    assert set(response.json()["error"]) >= {"code", "message"}


async def test_another_tenants_job_code_names_nothing(hr: Caller, database: Database, fabrikam_hr: Caller) -> None:
    await organisation(database, fabrikam_hr)
    response = await hr.post(REQUESTS, {"mshr_recruitingrequestid": "RR-1", "mshr_jobid": "J-ENG"})
    assert response.status_code == 404
