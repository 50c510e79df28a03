"""Issue 18, finding 11: a GUID of another tenant's record, sent by upsert or create, must tell the caller nothing.

A record is identified by its tenant and its GUID, so the GUID of tenant A's record is, to tenant B, a GUID it
has not used: B's create or upsert makes B's own record under it, exactly as with a fresh GUID, and A's record is
untouched."""

from __future__ import annotations

import uuid

import httpx
import pytest

from hirehub.db.session import Database
from tests.odata.conftest import CANDIDATES, Caller, Hub
from tests.security.conftest import set_up_integration

ANN = {"mshr_firstname": "Ann", "mshr_lastname": "Lee"}


async def _tenant_b(hub: Hub, database: Database) -> Caller:
    return await hub.caller(await set_up_integration(database, "fabrikam.example"))


def _shape(response: httpx.Response) -> tuple[int, object]:
    body = response.json() if response.content else None
    return response.status_code, sorted(body["error"]) if isinstance(body, dict) and "error" in body else body


async def test_a_foreign_guid_in_an_upsert_or_create_leaves_the_other_tenants_record_unchanged(
    hub: Hub, database: Database, ats: Caller
) -> None:
    record = await ats.create(CANDIDATES, ANN)
    b = await _tenant_b(hub, database)

    created = await b.post(
        CANDIDATES, {"mshr_hcmcandidatetohireentityid": record, "mshr_firstname": "Eve", "mshr_lastname": "B"}
    )
    updated = await b.patch(f"{CANDIDATES}({record})", {"mshr_firstname": "Mallory", "mshr_lastname": "B"})

    assert (created.status_code, updated.status_code) == (204, 204)
    mine = (await ats.get(f"{CANDIDATES}({record})")).json()
    assert (mine["mshr_firstname"], mine["mshr_lastname"]) == ("Ann", "Lee")
    theirs = (await b.get(f"{CANDIDATES}({record})")).json()
    assert (theirs["mshr_firstname"], theirs["mshr_lastname"]) == ("Mallory", "B")


async def test_a_delete_of_a_guid_both_tenants_hold_removes_only_the_callers_record(
    hub: Hub, database: Database, ats: Caller
) -> None:
    record = await ats.create(CANDIDATES, ANN)
    b = await _tenant_b(hub, database)
    await b.post(CANDIDATES, {**ANN, "mshr_hcmcandidatetohireentityid": record})

    assert (await b.delete(f"{CANDIDATES}({record})")).status_code == 204

    assert (await b.get(f"{CANDIDATES}({record})")).status_code == 404
    assert (await ats.get(f"{CANDIDATES}({record})")).status_code == 200


@pytest.mark.parametrize("method", ["PATCH", "POST"])
async def test_a_foreign_guid_is_answered_as_an_unknown_guid_is(
    hub: Hub, database: Database, ats: Caller, method: str
) -> None:
    foreign = await ats.create(CANDIDATES, ANN)
    b = await _tenant_b(hub, database)

    async def send(guid: str) -> httpx.Response:
        if method == "PATCH":
            return await b.patch(f"{CANDIDATES}({guid})", ANN)
        return await b.post(CANDIDATES, {**ANN, "mshr_hcmcandidatetohireentityid": guid})

    assert _shape(await send(foreign)) == _shape(await send(str(uuid.uuid4())))
