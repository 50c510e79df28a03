"""Reads over one table run as Core with the tenant condition written in, and reuse their statements:
neither may let a tenant see another's rows, whichever tenant asked the same query first."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncConnection

from hirehub.db import driver_rows
from hirehub.db.session import Database
from tests.odata.conftest import CANDIDATES, Caller, Hub
from tests.security.conftest import set_up_integration

SELECT = "$select=mshr_firstname,mshr_lastname"
SAME_QUERY = f"{CANDIDATES}?{SELECT}&$filter=mshr_lastname eq 'Nguyen'&$top=50"


async def _other_tenant(hub: Hub, database: Database) -> Caller:
    return await hub.caller(await set_up_integration(database, "fabrikam.example"))


async def _add(caller: Caller, first_names: list[str]) -> set[str]:
    return {await caller.create(CANDIDATES, {"mshr_firstname": n, "mshr_lastname": "Nguyen"}) for n in first_names}


def _ids(body: dict[str, object]) -> set[str]:
    values = body["value"]
    assert isinstance(values, list)
    return {record["mshr_hcmcandidatetohireentityid"] for record in values}


async def test_the_same_query_from_two_tenants_returns_each_its_own_rows(
    hub: Hub, database: Database, ats: Caller
) -> None:
    mine = await _add(ats, ["Ann", "Bo"])
    other = await _other_tenant(hub, database)
    theirs = await _add(other, ["Cy"])
    for _ in range(2):  # the second round reuses the statements the first one built
        assert _ids((await ats.get(SAME_QUERY)).json()) == mine
        assert _ids((await other.get(SAME_QUERY)).json()) == theirs
        assert (await other.get(f"{CANDIDATES}/$count?$filter=mshr_lastname eq 'Nguyen'")).text == "1"
        counted = (await ats.get(f"{SAME_QUERY}&$count=true")).json()
        assert counted["@odata.count"] == 2


async def test_paging_and_lookup_paths_stay_within_the_tenant(hub: Hub, database: Database, ats: Caller) -> None:
    mine = await _add(ats, ["Ann", "Bo", "Di"])
    other = await _other_tenant(hub, database)
    theirs = await _add(other, ["Cy", "Ed"])
    for caller, expected in ((ats, mine), (other, theirs), (ats, mine)):
        seen: set[str] = set()
        link = f"{CANDIDATES}?{SELECT}"
        while link:
            body = (await caller.get(link, Prefer="odata.maxpagesize=1")).json()
            seen |= _ids(body)
            link = body.get("@odata.nextLink", "").removeprefix("http://hub")
        assert seen == expected
    # A next link of one tenant, followed by another, still reads only the other's rows.
    first = (await ats.get(f"{CANDIDATES}?{SELECT}", Prefer="odata.maxpagesize=1")).json()
    borrowed = first["@odata.nextLink"].removeprefix("http://hub")
    assert _ids((await other.get(borrowed, Prefer="odata.maxpagesize=5")).json()) <= theirs
    # A filter through a lookup runs through the ORM session; it too sees only the caller's rows.
    through_lookup = f"{CANDIDATES}?{SELECT}&$filter=mshr_FK_Person_id/mshr_lastname eq null"
    assert _ids((await other.get(through_lookup)).json()) <= theirs
    assert (await other.get(f"{CANDIDATES}({next(iter(mine))})")).status_code == 404


async def test_on_postgresql_these_reads_come_straight_from_the_driver_with_each_tenants_values(
    hub: Hub, database: Database, ats: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tests above then hold for the asyncpg path too, whose compiled statements tenants share."""
    from_driver: list[bool] = []
    original = driver_rows._driver_query

    def spy(connection: AsyncConnection, statement: Select[Any]) -> tuple[str, list[Any]] | None:
        query = original(connection, statement)
        from_driver.append(query is not None)
        return query

    monkeypatch.setattr(driver_rows, "_driver_query", spy)
    mine = await _add(ats, ["Ann", "Bo"])
    other = await _other_tenant(hub, database)
    theirs = await _add(other, ["Cy"])
    from_driver.clear()
    for _ in range(2):
        assert _ids((await ats.get(SAME_QUERY)).json()) == mine
        assert _ids((await other.get(SAME_QUERY)).json()) == theirs
    assert len(from_driver) == 4
    assert all(from_driver) if database.is_postgresql else not any(from_driver)
