"""The Graph client's own behaviour: pacing, Retry-After, eventual consistency and $batch retries.

A scripted transport plays Graph's answers so each rule is tested in isolation; the end-to-end tests
against the Entra sandbox cover the same paths on the real wire format.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from hirehub.directories.entra.graph import BatchRequest, GraphClient, _chunks_keeping_dependencies
from hirehub.directories.entra.graph_errors import GraphError
from hirehub.directories.entra.throttle import TokenBucket


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def client(handler: Callable[[httpx.Request], httpx.Response], time: FakeTime, **kw: Any) -> GraphClient:
    async def token() -> str:
        return "token"

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return GraphClient("https://graph.microsoft.com/v1.0", token, http, sleep=time.sleep, **kw)


def error(status: int, code: str, message: str = "", headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message}}, headers=headers)


async def test_a_429_is_retried_after_the_seconds_retry_after_names() -> None:
    time = FakeTime()
    answers = [
        error(429, "TooManyRequests", headers={"Retry-After": "7"}),
        httpx.Response(200, json={"id": "u1"}),
    ]
    graph = client(lambda request: answers.pop(0), time)
    assert await graph.request("GET", "/users/u1") == {"id": "u1"}
    assert time.slept == [7.0]


async def test_a_404_of_a_just_created_object_is_retried_only_when_asked() -> None:
    time = FakeTime()
    answers = [error(404, "Request_ResourceNotFound"), httpx.Response(204)]
    graph = client(lambda request: answers.pop(0), time)
    assert await graph.request("PUT", "/users/u1/manager/$ref", json={}, retry_not_found=True) is None
    with pytest.raises(GraphError) as raised:
        await client(lambda request: error(404, "Request_ResourceNotFound"), FakeTime()).request("GET", "/users/x")
    assert raised.value.status == 404


async def test_an_object_conflict_names_the_conflicting_property() -> None:
    message = "Another object with the same value for property userPrincipalName already exists."
    graph = client(lambda request: error(400, "ObjectConflict", message), FakeTime())
    with pytest.raises(GraphError) as raised:
        await graph.request("POST", "/users", json={})
    assert raised.value.is_conflict
    assert raised.value.conflicting_property == "userPrincipalName"


async def test_writes_wait_for_the_bucket_and_reads_do_not() -> None:
    time = FakeTime()
    bucket = TokenBucket(capacity=2, window_seconds=10, clock=time.clock, sleep=time.sleep)
    graph = client(lambda request: httpx.Response(204), time, bucket=bucket)
    for _ in range(3):
        await graph.request("GET", "/users")
    assert time.slept == []
    for _ in range(3):
        await graph.request("PATCH", "/users/u1", json={})
    assert time.slept == [pytest.approx(5.0)]


async def test_a_batch_retries_only_the_throttled_item_and_its_dependant() -> None:
    time = FakeTime()
    sent: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        items = json.loads(request.content)["requests"]
        sent.append([i["id"] for i in items])
        responses = []
        for item in items:
            if item["id"] == "create-2" and len(sent) == 1:
                responses.append({"id": "create-2", "status": 429, "headers": {"Retry-After": "3"}, "body": {}})
            elif item["id"] == "manager-2" and len(sent) == 1:
                responses.append({"id": "manager-2", "status": 424, "body": {}})
            else:
                responses.append({"id": item["id"], "status": 201, "body": {"id": item["id"]}})
        return httpx.Response(200, json={"responses": responses})

    graph = client(handler, time)
    results = await graph.batch(
        [
            BatchRequest("create-1", "POST", "/users", {"n": 1}),
            BatchRequest("create-2", "POST", "/users", {"n": 2}),
            BatchRequest("manager-2", "PUT", "/users/x/manager/$ref", {}, depends_on=["create-2"]),
        ]
    )
    assert sent == [["create-1", "create-2", "manager-2"], ["create-2", "manager-2"]]
    assert {k: v.status for k, v in results.items()} == {"create-1": 201, "create-2": 201, "manager-2": 201}
    assert time.slept == [3.0]


async def test_a_424_whose_dependency_truly_failed_is_final() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "responses": [
                    {"id": "a", "status": 400, "body": {"error": {"code": "ObjectConflict", "message": "x"}}},
                    {"id": "b", "status": 424, "body": {}},
                ]
            },
        )

    results = await client(handler, FakeTime()).batch(
        [BatchRequest("a", "POST", "/users", {}), BatchRequest("b", "PUT", "/x", {}, depends_on=["a"])]
    )
    assert results["a"].error().code == "ObjectConflict"
    assert results["b"].status == 424


def test_batches_hold_at_most_20_and_keep_dependency_chains_together() -> None:
    requests = [BatchRequest(f"r{i}", "POST", "/users", {}) for i in range(19)]
    requests += [
        BatchRequest("c1", "POST", "/users", {}),
        BatchRequest("c2", "PUT", "/x", {}, depends_on=["c1"]),
    ]
    chunks = _chunks_keeping_dependencies(requests)
    assert [len(c) for c in chunks] == [19, 2]
    assert all(len(c) <= 20 for c in chunks)


def test_a_dependency_on_an_unknown_request_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        _chunks_keeping_dependencies([BatchRequest("a", "PUT", "/x", {}, depends_on=["ghost"])])


async def test_the_bucket_refills_at_its_rate() -> None:
    time = FakeTime()
    bucket = TokenBucket(capacity=3000, window_seconds=150, clock=time.clock, sleep=time.sleep)
    await bucket.take(3000)
    time.now += 15
    assert bucket.available == pytest.approx(300)


async def test_batch_calls_overlap_up_to_the_concurrency_limit() -> None:
    """A slow $batch call must not hold the next one back: the bucket sets the pace, not the round trip."""
    in_flight = 0
    most = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        items = json.loads(request.content)["requests"]
        return httpx.Response(200, json={"responses": [{"id": i["id"], "status": 204} for i in items]})

    requests = [BatchRequest(f"r{i}", "PATCH", f"/users/u{i}", {}) for i in range(200)]  # ten calls of 20
    results = await client(handler, FakeTime()).batch(requests)  # type: ignore[arg-type]
    assert most == 4
    assert len(results) == 200 and all(r.status == 204 for r in results.values())

    most = 0
    await client(handler, FakeTime(), batch_concurrency=1).batch(requests)  # type: ignore[arg-type]
    assert most == 1


async def test_a_batch_call_that_fails_outright_stops_the_others() -> None:
    sent = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal sent
        sent += 1
        await asyncio.sleep(0.01)
        return error(403, "Authorization_RequestDenied")

    with pytest.raises(GraphError) as raised:
        await client(handler, FakeTime()).batch(  # type: ignore[arg-type]
            [BatchRequest(f"r{i}", "POST", "/users", {}) for i in range(200)]
        )
    assert raised.value.status == 403
    assert sent < 10  # the calls under way when the first failure came back end there; the rest are never sent
