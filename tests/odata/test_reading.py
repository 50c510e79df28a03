"""Reading through the Web API: the query options a Dataverse client uses, answered as Dataverse answers."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import date
from urllib.parse import quote

import pytest

from hirehub.db.session import Database
from hirehub.hr.models import PersonSkill, Skill
from tests.odata.conftest import API, CANDIDATES, PEOPLE, Caller

PEOPLE_ROWS = [
    ("Ann", "Lee", "ann@contoso.example", "1990-04-01"),
    ("Bob", "Okafor", "bob@contoso.example", "1985-11-30"),
    ("Chloé", "Dubois", "chloe@fabrikam.example", "1999-01-15"),
    ("Dan", None, None, None),
    ("eve", "Lee", "EVE@contoso.example", "2001-07-04"),
]


@pytest.fixture
async def candidates(hr: Caller) -> dict[str, str]:
    """Five candidates, each with a person; returns their ids by first name."""
    ids = {}
    for first, last, email, birth in PEOPLE_ROWS:
        body = {"mshr_firstname": first, "mshr_lastname": last, "mshr_email": email, "mshr_birthdate": birth}
        ids[first] = await hr.create(CANDIDATES, body)
    return ids


async def names(caller: Caller, query: str) -> list[str]:
    response = await caller.get(f"{CANDIDATES}?$select=mshr_firstname&{query}")
    assert response.status_code == 200, response.text
    return [row["mshr_firstname"] for row in response.json()["value"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("$filter=mshr_lastname eq 'Lee'", {"Ann", "eve"}),
        ("$filter=mshr_lastname eq 'LEE'", {"Ann", "eve"}),  # string comparison is case-insensitive
        ("$filter=mshr_lastname ne 'Lee'", {"Bob", "Chloé"}),  # NULL is neither equal nor unequal
        ("$filter=mshr_lastname eq null", {"Dan"}),
        ("$filter=mshr_lastname ne null and mshr_firstname gt 'c'", {"Chloé", "eve"}),
        ("$filter=mshr_birthdate lt 1990-01-01", {"Bob"}),
        ("$filter=mshr_birthdate ge 1990-04-01 and mshr_birthdate le 1999-01-15", {"Ann", "Chloé"}),
        ("$filter=contains(mshr_email,'CONTOSO')", {"Ann", "Bob", "eve"}),
        ("$filter=startswith(mshr_firstname,'ch') or endswith(mshr_email,'example') and mshr_lastname eq 'Okafor'",
         {"Chloé", "Bob"}),
        ("$filter=not (mshr_lastname eq 'Lee') and mshr_lastname ne null", {"Bob", "Chloé"}),
        ("$filter=(mshr_firstname eq 'Ann' or mshr_firstname eq 'Bob') and mshr_lastname eq 'Okafor'", {"Bob"}),
        ("$filter=Microsoft.Dynamics.CRM.In(PropertyName='mshr_firstname',PropertyValues=['ann','Dan'])",
         {"Ann", "Dan"}),
        ("$filter=Microsoft.Dynamics.CRM.Between(PropertyName='mshr_birthdate',PropertyValues=['1985-01-01',"
         "'1990-12-31'])", {"Ann", "Bob"}),
        ("$filter=Microsoft.Dynamics.CRM.Null(PropertyName='mshr_email')", {"Dan"}),
        ("$filter=mshr_lastname eq @last&@last='Lee'", {"Ann", "eve"}),
        ("$filter=mshr_FK_Person_id/mshr_lastname eq 'dubois'", {"Chloé"}),
        ("$filter=tolower(mshr_firstname) eq 'eve'", {"eve"}),
        ("$filter=mshr_applicantintegrationresult eq 200000000", {"Ann", "Bob", "Chloé", "Dan", "eve"}),
        ("$filter=contains(mshr_firstname,'%') or contains(mshr_firstname,'_')", set()),  # wildcards are literal
    ],
)  # fmt: skip
async def test_filter_selects_the_rows_it_describes(
    ats: Caller, candidates: dict[str, str], query: str, expected: set[str]
) -> None:
    assert set(await names(ats, query)) == expected


async def test_select_returns_the_columns_asked_for_with_the_key_and_etag(
    ats: Caller, candidates: dict[str, str]
) -> None:
    response = await ats.get(
        f"{CANDIDATES}?$select=mshr_firstname,_mshr_fk_person_id_value&$filter=mshr_firstname eq 'Ann'"
    )
    body = response.json()
    assert body["@odata.context"].endswith(
        "$metadata#mshr_hcmcandidatetohireentities(mshr_firstname,_mshr_fk_person_id_value)"
    )
    (row,) = body["value"]
    assert set(row) == {"@odata.etag", "mshr_firstname", "_mshr_fk_person_id_value", "mshr_hcmcandidatetohireentityid"}
    assert row["mshr_hcmcandidatetohireentityid"] == candidates["Ann"]
    assert row["@odata.etag"] == 'W/"1"'
    assert response.headers["OData-Version"] == "4.0"


async def test_a_record_is_read_by_its_id_or_an_alternate_key(ats: Caller, candidates: dict[str, str]) -> None:
    by_id = (await ats.get(f"{CANDIDATES}({candidates['Bob']})")).json()
    assert by_id["mshr_firstname"] == "Bob"
    assert by_id["@odata.context"].endswith("#mshr_hcmcandidatetohireentities/$entity")
    by_key = await ats.get(f"{CANDIDATES}(mshr_candidateid='{by_id['mshr_candidateid']}')")
    assert by_key.json()["mshr_hcmcandidatetohireentityid"] == candidates["Bob"]
    unchanged = await ats.get(f"{CANDIDATES}({candidates['Bob']})", **{"If-None-Match": by_id["@odata.etag"]})
    assert unchanged.status_code == 304


async def test_orderby_and_top(ats: Caller, candidates: dict[str, str]) -> None:
    assert await names(ats, "$orderby=mshr_lastname desc,mshr_firstname&$top=3") == ["Bob", "Ann", "eve"]
    assert await names(ats, "$orderby=mshr_lastname&$top=2") == ["Dan", "Chloé"]  # NULL first, ascending
    assert await names(ats, "$orderby=mshr_FK_Person_id/mshr_firstname desc&$top=1") == ["eve"]


async def test_count_inline_and_as_a_segment(ats: Caller, candidates: dict[str, str]) -> None:
    body = (await ats.get(f"{CANDIDATES}?$count=true&$top=1&$filter=mshr_lastname eq 'Lee'")).json()
    assert body["@odata.count"] == 2 and len(body["value"]) == 1
    response = await ats.get(f"{CANDIDATES}/$count")
    assert (response.status_code, response.text, response.headers["content-type"].split(";")[0]) == (
        200, "5", "text/plain",
    )  # fmt: skip


async def test_expand_a_lookup_and_a_collection_with_nested_options(
    ats: Caller, hr: Caller, database: Database, candidates: dict[str, str]
) -> None:
    ann = (await ats.get(f"{CANDIDATES}({candidates['Ann']})?$expand=mshr_FK_Person_id($select=mshr_firstname)")).json()
    person = ann["mshr_FK_Person_id"]
    assert set(person) == {"@odata.etag", "mshr_firstname", "mshr_dirpersonentityid"}
    person_id = person["mshr_dirpersonentityid"]
    async with database.tenant_transaction(ats.tenant_id) as session:
        skills = [Skill(skill_id=code, description=code) for code in ("PY", "SQL", "GO")]
        session.add_all(skills)
        await session.flush()
        acquired = (date(2019, 1, 1), date(2022, 6, 1), date(2015, 3, 1))
        session.add_all(
            PersonSkill(person_id=uuid.UUID(person_id), skill_id=skill.id, acquired_date=day)
            for skill, day in zip(skills, acquired, strict=True)
        )
    navigation = "mshr_FK_HcmPersonSkillEntity_Person"
    expanded = await ats.get(
        f"{PEOPLE}({person_id})?$select=mshr_firstname&$expand={navigation}($select=mshr_acquireddate;"
        "$filter=mshr_acquireddate gt 2016-01-01;$orderby=mshr_acquireddate desc;$top=1)"
    )
    assert expanded.status_code == 200, expanded.text
    assert [s["mshr_acquireddate"] for s in expanded.json()[navigation]] == ["2022-06-01"]
    recent = f"{navigation}/any(s:s/mshr_acquireddate ge 2022-01-01)"
    matching = await ats.get(f"{PEOPLE}?$select=mshr_firstname&$filter={recent}")
    assert [p["mshr_firstname"] for p in matching.json()["value"]] == ["Ann"]
    since = f"{navigation}/all(s:s/mshr_acquireddate ge 2016-01-01)"
    others = await ats.get(f"{PEOPLE}?$select=mshr_firstname&$filter={since}")
    assert len(others.json()["value"]) == 4  # all() holds for people with no skills; Ann has one from 2015
    related = await ats.get(f"{PEOPLE}({person_id})/{navigation}?$select=mshr_acquireddate&$orderby=mshr_acquireddate")
    assert [s["mshr_acquireddate"] for s in related.json()["value"]] == ["2015-03-01", "2019-01-01", "2022-06-01"]


async def test_apply_groups_and_aggregates(ats: Caller, candidates: dict[str, str]) -> None:
    response = await ats.get(f"{CANDIDATES}?$apply=filter(mshr_lastname ne null)/groupby((mshr_lastname),"
                             "aggregate($count as people))")  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["value"] == [
        {"mshr_lastname": "Dubois", "people": 1}, {"mshr_lastname": "Lee", "people": 2},
        {"mshr_lastname": "Okafor", "people": 1},
    ]  # fmt: skip


async def test_paging_follows_next_links_and_stays_exact_while_rows_change(hr: Caller, ats: Caller) -> None:
    ids = [await hr.create(CANDIDATES, {"mshr_firstname": f"P{n:02d}", "mshr_lastname": "Page"}) for n in range(10)]
    seen: list[str] = []
    url = f"{CANDIDATES}?$select=mshr_firstname&$orderby=mshr_firstname&$filter=mshr_lastname eq 'Page'"
    first = await ats.get(url, Prefer="odata.maxpagesize=4")
    assert first.headers["Preference-Applied"] == "odata.maxpagesize=4"
    seen += [r["mshr_firstname"] for r in first.json()["value"]]
    # Between pages: a row before the cursor is deleted, one after it inserted, one after it deleted.
    assert (await hr.delete(f"{CANDIDATES}({ids[0]})")).status_code == 204
    await hr.create(CANDIDATES, {"mshr_firstname": "P05b", "mshr_lastname": "Page"})
    assert (await hr.delete(f"{CANDIDATES}({ids[8]})")).status_code == 204
    link = first.json()["@odata.nextLink"]
    while link:
        page = await ats.get(link.removeprefix("http://hub"), Prefer="odata.maxpagesize=4")
        seen += [r["mshr_firstname"] for r in page.json()["value"]]
        link = page.json().get("@odata.nextLink")
    assert seen == ["P00", "P01", "P02", "P03", "P04", "P05", "P05b", "P06", "P07", "P09"]


async def test_a_tampered_skiptoken_is_a_clear_400(ats: Caller, candidates: dict[str, str]) -> None:
    forged = base64.urlsafe_b64encode(json.dumps([1, 2, 3]).encode()).decode()
    for token in ("not-base64!!", forged, base64.urlsafe_b64encode(b"[{}]").decode()):
        response = await ats.get(f"{CANDIDATES}?$skiptoken={quote(token)}")
        assert response.status_code == 400
        assert "skiptoken" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("$skip=1", "$skip is not supported"),
        ("$search=ann", "$search is not supported"),
        ("$Select=mshr_firstname", "case-sensitive"),
        ("$top=5001", "range 0 to 5000"),
        ("$top=-1", "whole number"),
        ("$select=mshr_nope", "Could not find a property named 'mshr_nope'"),
        ("$filter=mshr_nope eq 1", "Could not find a property named 'mshr_nope'"),
        ("$filter=mshr_firstname eq", "Syntax error"),
        ("$filter=mshr_birthdate eq 'soon'", "cannot be compared"),
        ("$filter=mshr_firstname gt null", "null can only be compared"),
        ("$expand=mshr_nope", "Could not find a property named 'mshr_nope'"),
        ("$filter=mshr_FK_Person_id/mshr_nope eq 1", "Could not find a property named 'mshr_nope'"),
        ("$orderby=mshr_firstname sideways", "Syntax error"),
        ("$count=maybe", "true or false"),
    ],
)
async def test_a_bad_query_is_a_400_in_dataverse_shape(
    ats: Caller, candidates: dict[str, str], query: str, words: str
) -> None:
    response = await ats.get(f"{CANDIDATES}?{query}")
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"].startswith("0x") and words in error["message"]


async def test_unknown_sets_and_records_are_404(ats: Caller) -> None:
    unknown_set = await ats.get(f"{API}/accounts")
    assert unknown_set.status_code == 404
    assert unknown_set.json()["error"]["message"] == "Resource not found for the segment 'accounts'."
    missing = await ats.get(f"{CANDIDATES}(00000000-0000-4000-8000-000000000001)")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "0x80040217"


@pytest.mark.parametrize(
    "hostile",
    [
        "mshr_lastname eq 'x'' OR 1=1 --'",
        "mshr_lastname eq 'x''); DROP TABLE hr_candidate_to_hire; --'",
        "contains(mshr_lastname,'%'' OR ''1''=''1')",
        "Microsoft.Dynamics.CRM.In(PropertyName='mshr_lastname',PropertyValues=['a'') OR (1=1'])",
    ],
)
async def test_filter_constants_are_bound_parameters_never_sql(
    ats: Caller, candidates: dict[str, str], hostile: str
) -> None:
    assert await names(ats, f"$filter={quote(hostile)}") == []
    assert len(await names(ats, "$top=10")) == 5  # the table is still there, with every row
