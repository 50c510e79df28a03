"""Functions and actions, callable in every form OData 4.0 allows on the Web API's documented paths: with and
without parentheses, namespace-qualified or (for an unbound function) not, parameters inline or as aliases; and
each wrong call refused in Dataverse's error shape, changing nothing."""

from __future__ import annotations

import json
from urllib.parse import quote
from xml.etree import ElementTree as ET

import httpx
import pytest
from sqlalchemy import func, select

from hirehub.db.session import Database
from hirehub.hr.models import Worker
from hirehub.odata.batch_codec import ChangeSetResponse, parse_batch_response
from tests.odata.conftest import API, CANDIDATES, Caller, Hub
from tests.odata.test_writing import batch_body, http_part
from tests.security.conftest import set_up_integration

QUALIFIED = "Microsoft.Dynamics.CRM."
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
JOBS = "mshr_hcmjobentity"


def assert_dataverse_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}


async def workers(database: Database, caller: Caller) -> int:
    async with database.tenant_session(caller.tenant_id) as session:
        return int(await session.scalar(select(func.count()).select_from(Worker)) or 0)


# --- unbound functions ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["WhoAmI", "WhoAmI()", f"{QUALIFIED}WhoAmI", f"{QUALIFIED}WhoAmI()"])
@pytest.mark.parametrize("version", ["v9.0", "v9.1", "v9.2"])
async def test_who_am_i_answers_in_every_form_on_every_version(ats: Caller, path: str, version: str) -> None:
    response = await ats.get(f"/api/data/{version}/{path}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@odata.context"].endswith(f"/api/data/{version}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse")
    assert body["OrganizationId"] == str(ats.tenant_id)
    assert set(body) == {"@odata.context", "BusinessUnitId", "UserId", "OrganizationId"}


@pytest.mark.parametrize("path", ["RetrieveVersion", "RetrieveVersion()", f"{QUALIFIED}RetrieveVersion()"])
async def test_retrieve_version_names_the_web_api_version_followed(ats: Caller, path: str) -> None:
    body = (await ats.get(f"{API}/{path}")).json()
    assert body["@odata.context"].endswith("$metadata#Microsoft.Dynamics.CRM.RetrieveVersionResponse")
    assert body["Version"].startswith("9.2.")


async def test_a_function_parameter_is_accepted_inline(ats: Caller) -> None:
    await ats.create(CANDIDATES, {"mshr_firstname": "Ann"})
    names = quote('["mshr_hcmcandidatetohireentity","mshr_dirpersonentity"]')
    response = await ats.get(f"{API}/RetrieveTotalRecordCount(EntityNames={names})")
    assert response.status_code == 200, response.text
    counts = response.json()["EntityRecordCountCollection"]
    assert counts["Keys"] == ["mshr_hcmcandidatetohireentity", "mshr_dirpersonentity"]
    assert counts["Values"] == [1, 1]
    assert counts["Count"] == 2


async def test_a_function_parameter_is_accepted_as_a_parameter_alias(ats: Caller) -> None:
    await ats.create(CANDIDATES, {"mshr_firstname": "Ann"})
    await ats.create(CANDIDATES, {"mshr_firstname": "Bob"})
    alias = quote('["mshr_hcmcandidatetohireentity"]')
    response = await ats.get(f"{API}/{QUALIFIED}RetrieveTotalRecordCount(EntityNames=@p1)?@p1={alias}")
    assert response.status_code == 200, response.text
    assert response.json()["EntityRecordCountCollection"]["Values"] == [2]


async def test_inline_single_quoted_strings_are_accepted_in_a_collection_parameter(ats: Caller) -> None:
    response = await ats.get(f"{API}/RetrieveTotalRecordCount(EntityNames=['mshr_hcmcandidatetohireentity'])")
    assert response.json()["EntityRecordCountCollection"]["Values"] == [0]


async def test_counts_are_of_the_callers_tenant_only(ats: Caller, hub: Hub, database: Database) -> None:
    await ats.create(CANDIDATES, {"mshr_firstname": "Ann"})
    fabrikam = await hub.caller(await set_up_integration(database, "fabrikam.example"))
    await fabrikam.create(CANDIDATES, {"mshr_firstname": "Mallory"})
    await fabrikam.create(CANDIDATES, {"mshr_firstname": "Trudy"})
    alias = quote('["mshr_hcmcandidatetohireentity"]')
    answer = await ats.get(f"{API}/RetrieveTotalRecordCount(EntityNames=@p)?@p={alias}")
    assert answer.json()["EntityRecordCountCollection"]["Values"] == [1]


async def test_counting_a_table_the_caller_cannot_read_is_refused(ats: Caller) -> None:
    alias = quote('["mshr_hcmemploymententity"]')
    response = await ats.get(f"{API}/RetrieveTotalRecordCount(EntityNames=@p)?@p={alias}")
    assert_dataverse_error(response, 403)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("RetrieveTotalRecordCount()", 400),  # the parameter is missing
        ("RetrieveTotalRecordCount(EntityNames=@p)", 400),  # the alias has no value
        ("RetrieveTotalRecordCount(EntityNames='mshr_hcmjobentity')", 400),  # one value where a collection goes
        ("RetrieveTotalRecordCount(EntityNames=[1])", 400),  # a number where a string goes
        ("RetrieveTotalRecordCount(EntityNames=['nope'])", 404),  # no such table
        ("RetrieveTotalRecordCount(EntityNames=['mshr_hcmjobentity'],Other=1)", 400),  # no such parameter
        ("RetrieveTotalRecordCount(EntityNames=['a'],EntityNames=['b'])", 400),  # given twice
        ("RetrieveTotalRecordCount(EntityNames=['a'", 400),  # malformed
        ("WhoAmI(Unknown=1)", 400),
        (f"{QUALIFIED}NoSuchFunction()", 404),
    ],
)
async def test_a_wrong_function_call_is_refused_in_dataverses_shape(ats: Caller, path: str, status: int) -> None:
    assert_dataverse_error(await ats.get(f"{API}/{path}"), status)


@pytest.mark.parametrize("path", ["WhoAmI", "WhoAmI()", f"{QUALIFIED}RetrieveVersion()"])
async def test_a_function_called_with_post_is_refused(ats: Caller, path: str) -> None:
    assert_dataverse_error(await ats.post(f"{API}/{path}", {}), 405)


async def test_a_function_needs_a_token(hr: Caller) -> None:
    response = await hr.client.get(f"{API}/WhoAmI()")
    assert response.status_code == 401


# --- the bound action -----------------------------------------------------------------------------


@pytest.mark.parametrize("segment", [f"{QUALIFIED}mshr_Hire", f"{QUALIFIED}mshr_Hire()"])
async def test_the_bound_hire_action_runs_with_or_without_parentheses(
    hr: Caller, database: Database, segment: str
) -> None:
    candidate = await hr.create(CANDIDATES, {"mshr_firstname": "Ann", "mshr_lastname": "Lee"})
    response = await hr.post(f"{CANDIDATES}({candidate})/{segment}", {"StartDate": "2027-01-04"})
    assert response.status_code == 200, response.text
    assert response.json()["@odata.context"].endswith("$metadata#mshr_hcmworkerentities/$entity")
    assert await workers(database, hr) == 1


async def test_the_bound_action_is_reached_through_an_alternate_key(hr: Caller, database: Database) -> None:
    candidate = await hr.create(CANDIDATES, {"mshr_firstname": "Ann", "mshr_lastname": "Lee"})
    code = (await hr.get(f"{CANDIDATES}({candidate})?$select=mshr_candidateid")).json()["mshr_candidateid"]
    response = await hr.post(
        f"{CANDIDATES}(mshr_candidateid='{code}')/{QUALIFIED}mshr_Hire()", {"StartDate": "2027-01-04"}
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("segment", "status"),
    [
        ("mshr_Hire", 404),  # unqualified: Dataverse reads it as a navigation property, and has none
        ("mshr_Hire()", 404),
        (f"{QUALIFIED}mshr_Hire(StartDate=2027-01-04)", 400),  # an action's parameters go in the body
        (f"{QUALIFIED}mshr_Fire", 404),
    ],
)
async def test_a_wrong_action_call_is_refused_and_hires_nobody(
    hr: Caller, database: Database, segment: str, status: int
) -> None:
    candidate = await hr.create(CANDIDATES, {"mshr_firstname": "Ann", "mshr_lastname": "Lee"})
    response = await hr.post(f"{CANDIDATES}({candidate})/{segment}", {"StartDate": "2027-01-04"})
    assert_dataverse_error(response, status)
    if segment.startswith("mshr_Hire"):
        assert f"{QUALIFIED}mshr_Hire" in response.json()["error"]["message"]
    assert await workers(database, hr) == 0


@pytest.mark.parametrize("segment", [f"{QUALIFIED}mshr_Hire", f"{QUALIFIED}mshr_Hire()"])
async def test_an_action_called_with_get_is_refused_and_reads_nothing(hr: Caller, segment: str) -> None:
    candidate = await hr.create(CANDIDATES, {"mshr_firstname": "Ann"})
    response = await hr.get(f"{CANDIDATES}({candidate})/{segment}")
    assert_dataverse_error(response, 405)


# --- $metadata ------------------------------------------------------------------------------------


async def test_metadata_declares_each_function_its_import_and_its_response_type(ats: Caller) -> None:
    document = ET.fromstring((await ats.get(f"{API}/$metadata")).content)
    functions = {f.get("Name"): f for f in document.iter(f"{EDM}Function")}
    imports = {f.get("Name"): f.get("Function") for f in document.iter(f"{EDM}FunctionImport")}
    complex_types = {t.get("Name") for t in document.iter(f"{EDM}ComplexType")}
    for name in ("WhoAmI", "RetrieveVersion", "RetrieveTotalRecordCount"):
        assert imports[name] == f"mscrm.{name}"
        (returns,) = functions[name].iter(f"{EDM}ReturnType")
        assert returns.get("Type", "").removeprefix("mscrm.") in complex_types
    (parameter,) = functions["RetrieveTotalRecordCount"].iter(f"{EDM}Parameter")
    assert (parameter.get("Name"), parameter.get("Type")) == ("EntityNames", "Collection(Edm.String)")


async def test_functions_are_callable_inside_a_batch(ats: Caller) -> None:
    alias = quote('["mshr_hcmcandidatetohireentity"]')
    body = batch_body(
        http_part("GET", "WhoAmI()"),
        http_part("GET", f"{QUALIFIED}RetrieveTotalRecordCount(EntityNames=@p)?@p={alias}"),
    )
    response = await ats.client.post(
        f"{API}/$batch", content=body.encode(),
        headers={**ats.headers, "Content-Type": "multipart/mixed; boundary=batch_1"},
    )  # fmt: skip
    assert response.status_code == 200
    who, counted = parse_batch_response(response.content, response.headers["content-type"])
    assert not isinstance(who, ChangeSetResponse) and not isinstance(counted, ChangeSetResponse)
    assert json.loads(who.body)["OrganizationId"] == str(ats.tenant_id)
    assert json.loads(counted.body)["EntityRecordCountCollection"]["Values"] == [0]
