"""The job application table through the Web API: an ATS with the *Recruiting application* role records a
candidate's applications to recruiting requests (one per request), reads and filters them, and a request
location's postal code is a column like its neighbours."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from hirehub.db.session import Database
from hirehub.hr.models import RecruitingRequest
from tests.odata.conftest import API, CANDIDATES, Caller

APPLICATIONS = f"{API}/mshr_hcmjobapplicationentities"
LOCATIONS = f"{API}/mshr_hcmrecruitingrequestlocationentities"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


async def _request(database: Database, caller: Caller, request_id: str) -> str:
    async with database.tenant_transaction(caller.tenant_id) as session:
        request = RecruitingRequest(recruiting_request_id=request_id)
        session.add(request)
        await session.flush()
        return str(request.id)


async def _application(caller: Caller, candidate: str, request: str, application_id: str, **values: str) -> str:
    return await caller.create(APPLICATIONS, {
        "mshr_applicationid": application_id,
        "mshr_FK_CandidateToHire_id@odata.bind": f"/mshr_hcmcandidatetohireentities({candidate})",
        "mshr_FK_RecruitingRequest_id@odata.bind": f"/mshr_hcmrecruitingrequestentities({request})",
        **values,
    })  # fmt: skip


async def test_an_ats_records_a_candidates_application_and_reads_it_back(ats: Caller, database: Database) -> None:
    request = await _request(database, ats, "RR-1")
    candidate = await ats.create(CANDIDATES, {"mshr_firstname": "Ann", "mshr_lastname": "Lee"})

    created = await _application(
        ats, candidate, request, "APP-1",
        mshr_appliedat="2026-11-02T09:30:00Z", mshr_source="LinkedIn", mshr_stage="Phone screen",
    )  # fmt: skip

    read = (await ats.get(f"{APPLICATIONS}({created})")).json()
    assert read["mshr_applicationid"] == "APP-1"
    assert read["_mshr_fk_candidatetohire_id_value"] == candidate
    assert read["_mshr_fk_recruitingrequest_id_value"] == request
    assert (read["mshr_source"], read["mshr_stage"], read["mshr_dispositionreason"]) == (
        "LinkedIn", "Phone screen", None,
    )  # fmt: skip
    assert read["mshr_appliedat"].startswith("2026-11-02T09:30:00")


async def test_an_ats_updates_an_applications_stage_and_filters_applications_by_it(
    ats: Caller, database: Database
) -> None:
    first, second = await _request(database, ats, "RR-1"), await _request(database, ats, "RR-2")
    candidate = await ats.create(CANDIDATES, {"mshr_firstname": "Ann", "mshr_lastname": "Lee"})
    applied = await _application(ats, candidate, first, "APP-1")
    await _application(ats, candidate, second, "APP-2")

    updated = await ats.patch(f"{APPLICATIONS}({applied})", {"mshr_stage": "Rejected", "mshr_dispositionreason": "Fit"})
    found = await ats.get(f"{APPLICATIONS}?$filter=mshr_stage eq 'Rejected'&$select=mshr_applicationid")

    assert updated.status_code == 204, updated.text
    assert [row["mshr_applicationid"] for row in found.json()["value"]] == ["APP-1"]


async def test_a_candidate_applies_to_a_request_once(ats: Caller, database: Database) -> None:
    request = await _request(database, ats, "RR-1")
    candidate = await ats.create(CANDIDATES, {"mshr_firstname": "Ann", "mshr_lastname": "Lee"})
    await _application(ats, candidate, request, "APP-1")

    again = await ats.post(APPLICATIONS, {
        "mshr_applicationid": "APP-2",
        "mshr_FK_CandidateToHire_id@odata.bind": f"/mshr_hcmcandidatetohireentities({candidate})",
        "mshr_FK_RecruitingRequest_id@odata.bind": f"/mshr_hcmrecruitingrequestentities({request})",
    })  # fmt: skip

    assert again.status_code == 412 and "already exists" in again.text


async def test_an_application_names_its_candidate_and_request(ats: Caller, database: Database) -> None:
    await _request(database, ats, "RR-1")

    refused = await ats.post(APPLICATIONS, {"mshr_applicationid": "APP-1"})

    assert refused.status_code == 400, refused.text


async def test_the_metadata_declares_the_application_table_and_the_locations_postal_code(ats: Caller) -> None:
    document = ET.fromstring((await ats.get(f"{API}/$metadata")).content)
    types = {e.get("Name"): e for e in document.iter(f"{EDM}EntityType")}
    application = {p.get("Name"): p.get("Type") for p in types["mshr_hcmjobapplicationentity"].iter(f"{EDM}Property")}
    location = {
        p.get("Name"): p.get("Type") for p in types["mshr_hcmrecruitingrequestlocationentity"].iter(f"{EDM}Property")
    }
    assert application["mshr_appliedat"] == "Edm.DateTimeOffset"
    assert application["mshr_source"] == application["mshr_stage"] == "Edm.String"
    assert application["_mshr_fk_candidatetohire_id_value"] == "Edm.Guid"
    assert location["mshr_postalcode"] == "Edm.String"
    sets = {s.get("Name") for s in document.iter(f"{EDM}EntitySet")}
    assert "mshr_hcmjobapplicationentities" in sets


async def test_hr_writes_a_request_locations_postal_code(hr: Caller, database: Database) -> None:
    request = await _request(database, hr, "RR-1")

    location = await hr.create(LOCATIONS, {
        "mshr_location": "Campus",
        "mshr_postalcode": "10115",
        "mshr_FK_RecruitingRequest_id@odata.bind": f"/mshr_hcmrecruitingrequestentities({request})",
    })  # fmt: skip

    assert (await hr.get(f"{LOCATIONS}({location})")).json()["mshr_postalcode"] == "10115"
