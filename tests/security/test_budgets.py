"""Issue 18, findings 5 and 6: every request has a budget. A body is refused at the hub's cap while it is read (its
declared length first), the LinkedIn push endpoint checks its token and length before it reads anything, and a
``$batch`` spends one budget of rows and bytes across its parts, answering the part that overspends it with
Dataverse's error and stopping there.

The body tests drive the application as a server does, through ASGI, with a body that arrives in chunks: the number
of chunks the application asked for is what it read."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from hirehub.api.app import create_app
from hirehub.db.session import Database
from hirehub.hr.models import CandidateToHire
from hirehub.linkedin.models import CustomerApp
from hirehub.linkedin.push import MAX_BODY
from hirehub.linkedin.runtime import PUSH_PATH, linkedin_sealer
from hirehub.linkedin.signatures import sign
from hirehub.odata.batch_codec import BatchResponse, parse_batch_response
from hirehub.odata.errors import OPERATION_REFUSED
from hirehub.settings import Settings
from tests.odata.conftest import API, BASE, CANDIDATES, add_hr_app
from tests.security.conftest import SECRET_KEY, set_up_integration
from tests.tokens import client_credentials_token

CAP = 256 * 1024
CHUNK = 16 * 1024
ENDLESS = 100_000
"""Chunks a caller is ready to send: far more than any cap, so only the application's reading decides."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    chunks_read: int

    def json(self) -> object:
        return json.loads(self.body)


async def deliver(
    app: FastAPI, method: str, path: str, *, headers: dict[str, str], chunks: int, chunk: bytes = b"x" * CHUNK
) -> Answer:
    """Send ``chunks`` chunks of ``chunk`` (or fewer, if the application stops reading) and collect the answer."""
    read = 0
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        nonlocal read
        if read >= chunks:
            return {"type": "http.disconnect"}
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": read < chunks}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
        "server": ("hub", 80), "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }  # fmt: skip
    await app(scope, receive, send)  # type: ignore[arg-type]
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")  # type: ignore[misc]
    names = {k.decode().lower(): v.decode() for k, v in start["headers"]}  # type: ignore[attr-defined]
    return Answer(int(start["status"]), names, body, read)  # type: ignore[call-overload]


@dataclass
class Budgeted:
    app: FastAPI
    client: httpx.AsyncClient
    database: Database
    tenant_id: uuid.UUID
    bearer: dict[str, str]


async def _budgeted(database: Database, **limits: int) -> AsyncIterator[Budgeted]:
    settings = Settings(database_url=database.url, base_url=BASE, secret_key=SECRET_KEY, log_level="WARNING",
                        max_body_bytes=CAP, **limits)  # type: ignore[arg-type]  # fmt: skip
    app = create_app(settings, database)
    ats = await set_up_integration(database, "contoso.example")
    hr = await add_hr_app(database, ats.tenant_id)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        token = await client_credentials_token(client, hr.tenant_id, hr.client_id, hr.secret, BASE)
        yield Budgeted(app, client, database, ats.tenant_id, {"Authorization": f"Bearer {token}"})


@pytest.fixture
async def hub(database: Database) -> AsyncIterator[Budgeted]:
    async for built in _budgeted(database, batch_max_rows=100, batch_max_bytes=10 * 1024 * 1024):
        yield built


async def _candidates(hub: Budgeted) -> int:
    async with hub.database.tenant_session(hub.tenant_id) as session:
        return int(await session.scalar(select(func.count(CandidateToHire.id))) or 0)


# --- the body limit (finding 6) ------------------------------------------------------------------------------


async def test_a_declared_length_over_the_cap_is_refused_before_a_byte_is_read(hub: Budgeted) -> None:
    headers = {**hub.bearer, "Content-Type": "application/json", "Content-Length": str(300 * 1024 * 1024)}

    answer = await deliver(hub.app, "POST", CANDIDATES, headers=headers, chunks=ENDLESS)

    assert answer.status == 413
    assert answer.chunks_read == 0
    assert set(answer.json()["error"]) == {"code", "message"}  # type: ignore[index]
    assert await _candidates(hub) == 0


async def test_a_web_api_body_without_a_length_stops_at_the_cap_with_dataverses_error(hub: Budgeted) -> None:
    headers = {**hub.bearer, "Content-Type": "application/json"}

    answer = await deliver(hub.app, "POST", CANDIDATES, headers=headers, chunks=ENDLESS)

    assert answer.status == 413
    assert answer.chunks_read <= CAP // CHUNK + 1
    assert answer.headers["odata-version"] == "4.0"
    assert set(answer.json()["error"]) == {"code", "message"}  # type: ignore[index]
    assert await _candidates(hub) == 0


async def test_a_body_elsewhere_stops_at_the_cap_with_a_problem_document(hub: Budgeted) -> None:
    answer = await deliver(hub.app, "POST", "/admin/v1/apps", headers={"Content-Type": "application/json"},
                           chunks=ENDLESS)  # fmt: skip

    assert answer.status == 413
    assert answer.chunks_read <= CAP // CHUNK + 1
    assert answer.headers["content-type"] == "application/problem+json"


async def test_a_body_under_the_cap_is_read_whole_and_served(hub: Budgeted) -> None:
    body = json.dumps({"mshr_firstname": "Ann", "mshr_lastname": "Lee"}).encode()
    headers = {**hub.bearer, "Content-Type": "application/json"}

    answer = await deliver(hub.app, "POST", CANDIDATES, headers=headers, chunks=1, chunk=body)

    assert answer.status == 204
    assert await _candidates(hub) == 1


# --- the push endpoint (finding 6) ---------------------------------------------------------------------------


async def _customer(hub: Budgeted, secret: str) -> str:
    token = uuid.uuid4().hex
    async with hub.database.tenant_transaction(hub.tenant_id) as session:
        session.add(CustomerApp(
            origin="brought", client_id="customer", client_secret_sealed=linkedin_sealer(SECRET_KEY).seal(secret),
            push_token=token, integration_types=[],
        ))  # fmt: skip
    return token


async def test_a_huge_push_to_an_unknown_token_is_refused_without_being_read(hub: Budgeted) -> None:
    answer = await deliver(hub.app, "POST", f"{PUSH_PATH}/{uuid.uuid4().hex}", headers={}, chunks=ENDLESS)

    assert answer.status == 403
    assert answer.chunks_read == 0


async def test_a_push_token_holding_a_nul_is_refused_as_an_unknown_token_is(hub: Budgeted) -> None:
    await _customer(hub, "s3cret")

    answer = await hub.client.post(f"{PUSH_PATH}/abc%00def", content=b"{}")

    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"


async def test_a_push_declaring_more_than_its_cap_is_refused_before_it_is_read(hub: Budgeted) -> None:
    token = await _customer(hub, "s3cret")

    answer = await deliver(hub.app, "POST", f"{PUSH_PATH}/{token}", headers={"Content-Length": str(MAX_BODY + 1)},
                           chunks=ENDLESS)  # fmt: skip

    assert answer.status == 413
    assert answer.chunks_read == 0


async def test_a_chunked_push_is_cut_off_at_its_cap(hub: Budgeted) -> None:
    token = await _customer(hub, "s3cret")

    answer = await deliver(hub.app, "POST", f"{PUSH_PATH}/{token}", headers={}, chunks=ENDLESS)

    assert answer.status == 413
    assert answer.chunks_read <= MAX_BODY // CHUNK + 1
    assert answer.headers["content-type"] == "application/problem+json"


async def test_a_signed_push_nested_too_deep_is_a_400(hub: Budgeted) -> None:
    token = await _customer(hub, "s3cret")
    body = b"[" * 20_000 + b"]" * 20_000

    answer = await hub.client.post(f"{PUSH_PATH}/{token}", content=body,
                                   headers={"X-LI-Signature": sign(body, "s3cret")})  # fmt: skip

    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"


# --- the $batch budget (finding 5) ---------------------------------------------------------------------------


def _batch(parts: list[str]) -> tuple[bytes, str]:
    lines = []
    for url in parts:
        lines += ["--b", "Content-Type: application/http", "Content-Transfer-Encoding: binary", "",
                  f"GET {API}/{url} HTTP/1.1", "", ""]  # fmt: skip
    lines += ["--b--", ""]
    return "\r\n".join(lines).encode(), "multipart/mixed; boundary=b"


async def _post_batch(hub: Budgeted, parts: list[str]) -> tuple[BatchResponse, ...]:
    body, content_type = _batch(parts)
    answer = await hub.client.post(f"{API}/$batch", content=body, headers={**hub.bearer, "Content-Type": content_type})
    assert answer.status_code == 200
    items = parse_batch_response(answer.content, answer.headers["content-type"])
    assert all(isinstance(item, BatchResponse) for item in items)
    return items  # type: ignore[return-value]


async def _seed(hub: Budgeted, count: int) -> None:
    for n in range(count):
        created = await hub.client.post(CANDIDATES, json={"mshr_firstname": f"C{n}", "mshr_lastname": "Lee"},
                                        headers=hub.bearer)  # fmt: skip
        assert created.status_code == 204


async def test_a_thousand_part_batch_of_full_pages_is_refused_once_it_overspends_its_rows(hub: Budgeted) -> None:
    await _seed(hub, 30)
    query = "mshr_hcmcandidatetohireentities?$top=5000&$expand=mshr_FK_Person_id"

    answers = await _post_batch(hub, [query] * 1000)

    # A part reads 60 rows (30 candidates, their 30 people) against a budget of 100: the second overspends it,
    # is answered with the refusal, and the other 998 never run.
    assert [a.status for a in answers] == [200, 400]
    refusal = json.loads(answers[-1].body)["error"]
    assert refusal["code"] == OPERATION_REFUSED
    assert "$batch" in refusal["message"]


async def test_a_batch_within_its_budget_answers_every_part(hub: Budgeted) -> None:
    await _seed(hub, 3)

    answers = await _post_batch(hub, ["mshr_hcmcandidatetohireentities?$select=mshr_firstname"] * 20)

    assert [a.status for a in answers] == [200] * 20
    assert all(len(json.loads(a.body)["value"]) == 3 for a in answers)


async def test_a_batch_whose_answer_outgrows_its_bytes_is_refused_at_the_part_that_crosses(
    database: Database,
) -> None:
    async for hub in _budgeted(database, batch_max_rows=10_000, batch_max_bytes=4_000):
        await _seed(hub, 5)

        answers = await _post_batch(hub, ["mshr_hcmcandidatetohireentities"] * 50)

        assert 1 <= len(answers) < 50
        assert [a.status for a in answers[:-1]] == [200] * (len(answers) - 1)
        assert answers[-1].status == 400
        assert json.loads(answers[-1].body)["error"]["code"] == OPERATION_REFUSED
