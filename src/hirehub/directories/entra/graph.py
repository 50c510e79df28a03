"""A Microsoft Graph v1.0 client built for provisioning throughput and for Graph's failure modes.

What it owns, because throughput is ours to own:
- pacing: every write takes a token from a :class:`~.throttle.TokenBucket` set to Graph's limit;
- ``429``/``503`` with ``Retry-After``: wait as told (and hold other writers back), then retry;
- eventual consistency: a just-created object can 404 for a few seconds; callers that reference one
  ask for ``retry_not_found`` and get a few spaced retries;
- JSON ``$batch``: up to 20 requests a call, ``dependsOn`` kept inside one call, each item throttled
  on its own by Graph, so a per-item 429 (and the 424s of its dependants) are retried item by item
  while the successes are kept;
- a refused token (401, or a 403 for a permission granted since the token was issued): ``on_unauthorized`` drops
  it and the call is sent once more with a fresh one;
- several ``$batch`` calls in flight (``batch_concurrency``, 4 by default): a call of 20 user creations
  can take a second or more at Graph, which is the whole per-second budget of 20 writes, so one call at
  a time would leave the limit unused whenever a call is slow; the bucket, not the number of calls in
  flight, decides the pace.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from hirehub.directories.entra.graph_errors import GraphError, retry_after_seconds
from hirehub.directories.entra.throttle import WriteBudget

BATCH_LIMIT = 20
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
TokenSource = Callable[[], Awaitable[str]]


@dataclass
class BatchRequest:
    """One request of a JSON batch; ``url`` is relative to the version root (``/users/{id}``)."""

    id: str
    method: str
    url: str
    body: dict[str, Any] | None = None
    depends_on: Sequence[str] = ()
    retry_not_found: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    """Headers of this item (``ConsistencyLevel: eventual`` for an advanced query)."""

    def as_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {"id": self.id, "method": self.method, "url": self.url}
        headers = dict(self.headers)
        if self.body is not None:
            item["body"] = self.body
            headers["Content-Type"] = "application/json"
        if headers:
            item["headers"] = headers
        if self.depends_on:
            item["dependsOn"] = list(self.depends_on)
        return item


@dataclass
class BatchResponse:
    id: str
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def error(self) -> GraphError:
        return GraphError.from_response(self.status, self.body, self.headers)


@dataclass
class GraphStats:
    """What the client did: the benchmark and the tests read these."""

    requests: int = 0
    batch_calls: int = 0
    writes: int = 0
    throttled: int = 0
    retried_not_found: int = 0


class GraphClient:
    def __init__(
        self,
        base_url: str,
        token: TokenSource,
        http: httpx.AsyncClient,
        *,
        bucket: WriteBudget | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_attempts: int = 8,
        not_found_retries: int = 5,
        not_found_delay: float = 1.0,
        batch_concurrency: int = 4,
        on_unauthorized: Callable[[], None] | None = None,
    ) -> None:
        if batch_concurrency < 1:
            raise ValueError("batch_concurrency must be at least 1")
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._http = http
        self._bucket = bucket
        self._sleep = sleep
        self._max_attempts = max_attempts
        self._not_found_retries = not_found_retries
        self._not_found_delay = not_found_delay
        self._batch_concurrency = batch_concurrency
        self._on_unauthorized = on_unauthorized
        self.stats = GraphStats()

    async def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {await self._token()}",
            "Accept": "application/json",
            **(extra or {}),
        }

    def _backoff(self, attempt: int, hint: float | None) -> float:
        if hint is not None:
            return hint
        return min(30.0, 0.5 * 2**attempt) * (0.5 + random.random() / 2)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        retry_not_found: bool = False,
    ) -> Any:
        """One request with pacing and retries; returns the parsed body (``None`` for 204)."""
        url = path if path.startswith("https://") else f"{self.base_url}{path}"
        not_found_left = self._not_found_retries if retry_not_found else 0
        token_renewed = False
        for attempt in range(self._max_attempts):
            # a $batch envelope is not a write of its own: its items took their tokens in _run_chunk
            if method in WRITE_METHODS and self._bucket is not None and path != "/$batch":
                await self._bucket.take()
                self.stats.writes += 1
            self.stats.requests += 1
            response = await self._http.request(
                method, url, json=json, params=params, headers=await self._headers(headers)
            )
            if response.is_success:
                return response.json() if response.content else None
            body = _json_or_text(response)
            hint = retry_after_seconds(dict(response.headers))
            if response.status_code in (429, 503, 504) and attempt + 1 < self._max_attempts:
                self.stats.throttled += 1
                delay = self._backoff(attempt, hint)
                if response.status_code == 429 and self._bucket is not None:
                    await self._bucket.hold(delay)
                await self._sleep(delay)
                continue
            if not token_renewed and self._on_unauthorized is not None and refused_token(response.status_code, body):
                token_renewed = True  # once per call: a fresh token carries the grants of now; then the error stands
                self._on_unauthorized()
                continue
            if response.status_code == 404 and not_found_left > 0:
                not_found_left -= 1
                self.stats.retried_not_found += 1
                await self._sleep(self._not_found_delay)
                continue
            raise GraphError.from_response(response.status_code, body, dict(response.headers))
        raise GraphError(429, "TooManyRequests", f"gave up after {self._max_attempts} attempts")

    async def pages(self, path: str, params: dict[str, str] | None = None) -> Any:
        """Iterate the ``value`` pages of a collection, following ``@odata.nextLink``."""
        body = await self.request("GET", path, params=params)
        while True:
            yield body.get("value", []), body
            link = body.get("@odata.nextLink")
            if not link:
                return
            body = await self.request("GET", link)

    async def batch(self, requests: Iterable[BatchRequest]) -> dict[str, BatchResponse]:
        """Run requests through ``$batch``; every request ends with its final response (success or not).

        Calls are independent of each other (``dependsOn`` never crosses one), so up to ``batch_concurrency``
        are in flight at once; each takes its writes' tokens before it is sent, so the pace stays the bucket's.
        """
        chunks = _chunks_keeping_dependencies(list(requests))
        in_flight = asyncio.Semaphore(self._batch_concurrency)

        async def run(chunk: list[BatchRequest]) -> dict[str, BatchResponse]:
            async with in_flight:
                return await self._run_chunk(chunk)

        tasks = [asyncio.ensure_future(run(chunk)) for chunk in chunks]
        try:
            answers = await asyncio.gather(*tasks)
        except BaseException:  # one call failed outright (401, 403…): stop the others, as a sequential run would
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        results: dict[str, BatchResponse] = {}
        for answered in answers:
            results.update(answered)
        return results

    async def _run_chunk(self, chunk: list[BatchRequest]) -> dict[str, BatchResponse]:
        final: dict[str, BatchResponse] = {}
        pending = {r.id: r for r in chunk}
        not_found_left = {r.id: self._not_found_retries if r.retry_not_found else 0 for r in chunk}
        token_renewed = False
        for attempt in range(self._max_attempts):
            if not pending:
                break
            items = list(pending.values())
            for item in items:  # a dependency already settled is no longer a dependency of the resend
                item.depends_on = [d for d in item.depends_on if d in pending]
            writes = sum(1 for item in items if item.method in WRITE_METHODS)
            if writes and self._bucket is not None:
                await self._bucket.take(writes)
                self.stats.writes += writes
            self.stats.batch_calls += 1
            body = await self.request("POST", "/$batch", json={"requests": [i.as_json() for i in items]})
            responses = {
                str(r["id"]): BatchResponse(
                    str(r["id"]),
                    int(r["status"]),
                    r.get("body"),
                    {k: str(v) for k, v in (r.get("headers") or {}).items()},
                )
                for r in body.get("responses", [])
            }
            retry: set[str] = set()
            wait = 0.0
            throttled_for = 0.0  # what Graph's 429s said: the write budget's hold (a 404's or a 503's wait is not)
            renew = False
            for item in items:
                response = responses.get(item.id)
                if response is None:
                    retry.add(item.id)
                    continue
                if (
                    not token_renewed
                    and self._on_unauthorized is not None
                    and refused_token(response.status, response.body)
                ):
                    renew = True  # each item is authorized on its own: a fresh token, then resend the refused ones
                    retry.add(item.id)
                    continue
                if response.status in (429, 503, 504):
                    self.stats.throttled += 1
                    retry.add(item.id)
                    delay = self._backoff(attempt, retry_after_seconds(response.headers))
                    wait = max(wait, delay)
                    if response.status == 429:
                        throttled_for = max(throttled_for, delay)
                elif response.status == 404 and not_found_left[item.id] > 0:
                    not_found_left[item.id] -= 1
                    self.stats.retried_not_found += 1
                    retry.add(item.id)
                    wait = max(wait, self._not_found_delay)
                else:
                    final[item.id] = response
            # A 424 only means "my dependency failed": retry it when that dependency is being retried.
            for item in items:
                response = final.get(item.id)
                if response is not None and response.status == 424 and any(d in retry for d in item.depends_on):
                    del final[item.id]
                    retry.add(item.id)
            pending = {item.id: item for item in items if item.id in retry}
            if renew and self._on_unauthorized is not None:
                token_renewed = True
                self._on_unauthorized()
            if pending:
                if self._bucket is not None and throttled_for:
                    await self._bucket.hold(throttled_for)
                await self._sleep(wait)
        for item_id in pending:
            final[item_id] = BatchResponse(item_id, 429, {"error": {"code": "TooManyRequests", "message": "gave up"}})
        return final


def refused_token(status: int, body: Any) -> bool:
    """A refusal a new token may cure: 401 (expired, revoked, wrong audience) or 403 ``Authorization_RequestDenied``
    (a permission granted after the token was issued is not in it)."""
    if status == 401:
        return True
    error = body.get("error") if isinstance(body, dict) else None
    return status == 403 and isinstance(error, dict) and error.get("code") == "Authorization_RequestDenied"


def _json_or_text(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _chunks_keeping_dependencies(requests: list[BatchRequest]) -> list[list[BatchRequest]]:
    """Split into calls of at most 20 so that every ``dependsOn`` chain stays within one call."""
    by_id = {r.id: r for r in requests}
    groups: list[list[BatchRequest]] = []
    group_of: dict[str, int] = {}
    for request in requests:
        linked = {group_of[d] for d in request.depends_on if d in group_of}
        unknown = [d for d in request.depends_on if d not in by_id]
        if unknown:
            raise ValueError(f"request {request.id} depends on unknown request(s) {unknown}")
        if not linked:
            groups.append([request])
            group_of[request.id] = len(groups) - 1
            continue
        target = min(linked)
        for other in sorted(linked - {target}, reverse=True):
            for moved in groups[other]:
                group_of[moved.id] = target
            groups[target].extend(groups[other])
            groups[other] = []
        groups[target].append(request)
        group_of[request.id] = target
    chunks: list[list[BatchRequest]] = []
    current: list[BatchRequest] = []
    for group in (g for g in groups if g):
        if len(group) > BATCH_LIMIT:
            raise ValueError(f"a dependsOn chain of {len(group)} requests cannot fit one batch of {BATCH_LIMIT}")
        if len(current) + len(group) > BATCH_LIMIT:
            chunks.append(current)
            current = []
        current.extend(group)
    if current:
        chunks.append(current)
    return chunks
