"""The LinkedIn export's job title and location through the Web API path the export takes: kept on the candidate
and the person, and the title carried to the worker by the *Hire* action."""

from __future__ import annotations

from typing import Any

from hirehub.db.session import Database
from tests.odata.conftest import API, CANDIDATES, Caller, add_organisation

EXPORTS = f"{API}/mshr_hcmlinkedinexportedcandidateentities"
ADDRESSES = f"{API}/mshr_hcmpersonaddressentities"
HIRE = "Microsoft.Dynamics.CRM.mshr_Hire"
EXPORT = {
    "mshr_linkedincandidateurn": "urn:li:ts_hire_identity:8812", "mshr_firstname": "Ann", "mshr_lastname": "Lee",
    "mshr_startdate": "2027-01-04", "mshr_jobtitle": "Data Engineer", "mshr_location": "Redmond, WA",
}  # fmt: skip


async def exported(ats: Caller, hr: Caller, body: dict[str, Any] = EXPORT) -> dict[str, Any]:
    await ats.create(EXPORTS, body)
    [candidate] = (await hr.get(f"{CANDIDATES}?$filter=mshr_lastname eq 'Lee'")).json()["value"]
    return dict(candidate)


async def test_the_exports_title_is_on_the_candidate_and_its_location_on_the_persons_business_address(
    ats: Caller, hr: Caller
) -> None:
    candidate = await exported(ats, hr)
    assert candidate["mshr_jobtitle"] == "Data Engineer"
    person = candidate["_mshr_fk_person_id_value"]
    addresses = (await hr.get(f"{ADDRESSES}?$filter=_mshr_fk_person_id_value eq {person}")).json()["value"]
    assert [(a["mshr_addresstype"], a["mshr_locationname"]) for a in addresses] == [(200000001, "Redmond, WA")]


async def test_a_hire_without_a_position_gives_the_worker_the_exports_title(ats: Caller, hr: Caller) -> None:
    candidate = await exported(ats, hr)
    hired = await hr.post(
        f"{CANDIDATES}({candidate['mshr_hcmcandidatetohireentityid']})/{HIRE}", {"StartDate": "2027-01-04"}
    )
    assert hired.status_code == 200, hired.text
    worker = hired.json()
    title = (await hr.get(f"{API}/mshr_hcmtitleentities({worker['_mshr_fk_title_id_value']})")).json()
    assert title["mshr_titleid"] == "Data Engineer"


async def test_a_hire_into_a_position_keeps_the_positions_title(ats: Caller, hr: Caller, database: Database) -> None:
    async with database.tenant_transaction(hr.tenant_id) as session:
        organisation = await add_organisation(session)
    candidate = await exported(ats, hr)
    hired = await hr.post(
        f"{CANDIDATES}({candidate['mshr_hcmcandidatetohireentityid']})/{HIRE}",
        {"StartDate": "2027-01-04", "PositionId": str(organisation.position_id)},
    )
    assert hired.status_code == 200, hired.text
    assert hired.json()["_mshr_fk_title_id_value"] == str(organisation.title_id)
