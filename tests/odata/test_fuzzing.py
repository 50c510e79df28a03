"""Fuzzing the API with hypothesis: arbitrary query options and bodies never reach a 5xx, every refusal is
in Dataverse's shape, and a refused write changes nothing."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from hirehub.api.app import create_app
from hirehub.bootstrap import open_database
from hirehub.hr.models import CandidateToHire, Person
from hirehub.settings import Settings
from tests.odata.conftest import BASE, CANDIDATES, add_hr_app
from tests.security.conftest import SECRET_KEY, set_up_integration

NAMES = [
    "mshr_firstname", "mshr_lastname", "mshr_birthdate", "mshr_gender", "mshr_candidateid", "mshr_email",
    "mshr_applicantintegrationresult", "mshr_iswillingtorelocate", "_mshr_fk_person_id_value", "mshr_FK_Person_id",
    "mshr_FK_Person_id/mshr_lastname", "mshr_hcmcandidatetohireentityid", "createdon", "versionnumber", "nope",
    "mshr_FK_HcmPersonSkillEntity_Person",
]  # fmt: skip
TOKENS = [
    *NAMES, " ", " eq ", " ne ", " gt ", " le ", " and ", " or ", "not ", "(", ")", ",", "'", "'ann'", "''", "5",
    "-1", "1.5e3", "null", "true", "2026-01-31", "2026-01-31T08:00:00Z", "00000000-0000-4000-8000-000000000001",
    "contains(", "startswith(", "tolower(", "/any(s:s/", "/all(", "@p1", " in (", ";", "$select=", "$filter=",
    "$top=", " desc", " asc", "Microsoft.Dynamics.CRM.In(PropertyName='mshr_firstname',PropertyValues=['a'])",
    "Microsoft.Dynamics.CRM.LastXDays(PropertyName='createdon',PropertyValue=", "groupby((", "aggregate(",
    "$count as n", " with sum as s", "filter(", "%", "\\", "\u00e9", "\x00",
]  # fmt: skip
OPTIONS = ["$filter", "$select", "$orderby", "$expand", "$top", "$apply", "$count", "$skiptoken", "@p1"]

fragments = st.lists(st.sampled_from(TOKENS) | st.text(max_size=4), max_size=12).map("".join)
queries = st.dictionaries(st.sampled_from(OPTIONS), fragments, max_size=4)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
bodies = st.dictionaries(
    st.sampled_from([*NAMES, "mshr_FK_Person_id@odata.bind", "@odata.type"]) | st.text(max_size=12), json_values,
    max_size=5,
) | json_values  # fmt: skip


class FuzzHub:
    def __init__(self, database_url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.database = open_database(database_url)
        self.loop.run_until_complete(self._start())

    async def _start(self) -> None:
        ats = await set_up_integration(self.database, "contoso.example")
        hr = await add_hr_app(self.database, ats.tenant_id)
        self.tenant_id = ats.tenant_id
        settings_ = Settings(database_url=self.database.url, base_url=BASE, secret_key=SECRET_KEY, log_level="ERROR")
        # raise_app_exceptions: an unhandled error fails the test instead of turning into a 500.
        transport = httpx.ASGITransport(app=create_app(settings_, self.database), raise_app_exceptions=True)
        self.client = httpx.AsyncClient(transport=transport, base_url=BASE)
        self.headers = {}
        for integration in (ats, hr):
            token = await self.client.post(
                f"/{integration.tenant_id}/oauth2/v2.0/token",
                data={"grant_type": "client_credentials", "client_id": integration.client_id,
                      "client_secret": integration.secret, "scope": f"{BASE}/.default"},
            )  # fmt: skip
            self.headers[integration.client_id] = {"Authorization": f"Bearer {token.json()['access_token']}"}
        self.ats_headers = self.headers[ats.client_id]
        self.hr_headers = self.headers[hr.client_id]
        for first in ("Ann", "Bob", "Chloé"):
            await self.client.post(CANDIDATES, json={"mshr_firstname": first, "mshr_lastname": "Lee"},
                                   headers=self.hr_headers)  # fmt: skip

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    async def counts(self) -> tuple[int, int, int]:
        async with self.database.tenant_session(self.tenant_id) as session:
            return (
                int(await session.scalar(select(func.count()).select_from(CandidateToHire)) or 0),
                int(await session.scalar(select(func.count()).select_from(Person)) or 0),
                int(await session.scalar(select(func.sum(CandidateToHire.version))) or 0),
            )

    def close(self) -> None:
        self.run(self.client.aclose())
        self.run(self.database.dispose())
        self.loop.close()


@pytest.fixture
def fuzz_hub(database_url: str) -> Iterator[FuzzHub]:
    hub = FuzzHub(database_url)
    yield hub
    hub.close()


def assert_dataverse_refusal(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["code"].startswith("0x") and error["message"]


FUZZ = settings(
    max_examples=int(os.environ.get("HIREHUB_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(query=queries)
def test_arbitrary_query_options_never_reach_a_5xx(fuzz_hub: FuzzHub, query: dict[str, str]) -> None:
    url = CANDIDATES + "?" + "&".join(f"{name}={quote(value, safe='')}" for name, value in query.items())
    response = fuzz_hub.run(fuzz_hub.client.get(url, headers=fuzz_hub.ats_headers))
    assert_dataverse_refusal(response)


@FUZZ
@given(body=bodies, method=st.sampled_from(["POST", "PATCH"]))
def test_arbitrary_bodies_never_reach_a_5xx_and_a_refusal_changes_nothing(
    fuzz_hub: FuzzHub, body: Any, method: str
) -> None:
    before = fuzz_hub.run(fuzz_hub.counts())
    url = CANDIDATES if method == "POST" else f"{CANDIDATES}(mshr_candidateid='CAND-000001')"
    response = fuzz_hub.run(
        fuzz_hub.client.request(method, url, content=json.dumps(body), headers=fuzz_hub.ats_headers)
    )
    assert_dataverse_refusal(response)
    if response.status_code >= 400:
        assert fuzz_hub.run(fuzz_hub.counts()) == before


@FUZZ
@given(raw=st.binary(max_size=200))
def test_bodies_that_are_not_json_are_refused_cleanly(fuzz_hub: FuzzHub, raw: bytes) -> None:
    response = fuzz_hub.run(fuzz_hub.client.post(CANDIDATES, content=raw, headers=fuzz_hub.ats_headers))
    assert_dataverse_refusal(response)
