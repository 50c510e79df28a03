"""Pacing writes to Microsoft Graph's documented limit, per application per tenant.

Graph allows 3,000 writes per 150 seconds per app per tenant. Sending faster only earns 429s and
``Retry-After`` waits, so the connector paces itself just under the limit instead: each write takes a
token, tokens refill continuously, and a writer waits for one when the bucket is empty. A ``429`` holds
every writer back for as long as Graph said.

The :class:`~hirehub.directories.entra.graph.GraphClient` sees a :class:`WriteBudget`; two kinds exist:

* :class:`SharedBucket`, what the hub runs: one budget per application and directory kept in the database
  (:mod:`.budget_ledger`, :mod:`.budget_store`), so every process of the hub together stays under Graph's
  limit and a ``Retry-After`` seen by one holds them all;
* :class:`TokenBucket`, a bucket of this process alone: for tests, benchmarks and commands without a database.

The clock and the sleep are injectable so tests and benchmarks can run against a sped-up sandbox clock.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from prometheus_client import Counter

from hirehub.directories.entra.budget_ledger import GRAPH_WINDOW_SECONDS, GRAPH_WRITES_PER_WINDOW, LEASE_SECONDS
from hirehub.directories.entra.budget_store import BudgetKey, BudgetStore
from hirehub.metrics import REGISTRY

__all__ = ["GRAPH_WINDOW_SECONDS", "GRAPH_WRITES_PER_WINDOW", "SharedBucket", "TokenBucket", "WriteBudget"]

LEASE_SIZE = 20
"""Tokens a process asks for at once when the budget has them: one second of Graph's pace, one full ``$batch``."""

BUDGET_WAITS = Counter(
    "hirehub_graph_write_budget_waits_total",
    "Times a process had to wait for Graph's write budget (queued behind others, or held by a 429), by budget "
    "(cloud/directory/application).",
    ["budget"],
    registry=REGISTRY,
)
BUDGET_WAIT_SECONDS = Counter(
    "hirehub_graph_write_budget_wait_seconds_total",
    "Seconds spent waiting for Graph's write budget, by budget.",
    ["budget"],
    registry=REGISTRY,
)
BUDGET_LEASES = Counter(
    "hirehub_graph_write_budget_leases_total",
    "Leases taken from Graph's write budget in the database (one transaction each), by budget.",
    ["budget"],
    registry=REGISTRY,
)
GRAPH_THROTTLED = Counter(
    "hirehub_graph_throttled_total",
    "429 answers from Microsoft Graph that put a write budget on hold (Retry-After), by budget.",
    ["budget"],
    registry=REGISTRY,
)


class WriteBudget(Protocol):
    """What the Graph client needs of a budget: a token per write, and a hold when Graph answers 429."""

    async def take(self, count: int = 1) -> None:
        """Return when ``count`` writes may be sent (a ``$batch`` of n writes takes n)."""

    async def hold(self, seconds: float) -> None:
        """Graph said wait (``Retry-After``): no write of this budget goes before ``seconds`` from now."""


class TokenBucket:
    """``capacity`` tokens, refilled at ``capacity / window`` per second; ``take`` waits when empty."""

    def __init__(
        self,
        capacity: int = GRAPH_WRITES_PER_WINDOW,
        window_seconds: float = GRAPH_WINDOW_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if capacity < 1 or window_seconds <= 0:
            raise ValueError("a bucket needs a positive capacity and window")
        self.capacity = capacity
        self.rate = capacity / window_seconds
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(capacity)
        self._stamp = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    @property
    def available(self) -> float:
        self._refill()
        return self._tokens

    async def take(self, count: int = 1) -> None:
        """Take ``count`` tokens, waiting as long as the refill rate requires."""
        if count > self.capacity:
            raise ValueError(f"cannot take {count} tokens from a bucket of {self.capacity}")
        async with self._lock:
            while True:
                self._refill()
                if self._tokens >= count:
                    self._tokens -= count
                    return
                await self._sleep((count - self._tokens) / self.rate)

    def drain(self, seconds: float) -> None:
        """The service said wait (``Retry-After``): hold every writer back for that long."""
        self._refill()
        self._tokens = min(self._tokens, -seconds * self.rate)

    async def hold(self, seconds: float) -> None:
        self.drain(seconds)


@dataclass
class _Lease:
    """The tokens this process holds: ``left`` of them, usable until ``usable_until`` on the local clock."""

    lease_id: str
    left: int
    usable_until: float


class SharedBucket:
    """This process's side of one Graph write budget shared through the database.

    Writes are served from a lease of up to ``lease_size`` tokens; when it is spent or older than
    ``lease_seconds``, the next write settles it (the unused tokens go back) and takes a new one in the same
    transaction. So a process alone can use the whole limit with one transaction per ``lease_size`` writes, and at
    the limit, when the ledger has no spare tokens, it asks for exactly what it needs and waits its turn. A hold
    reaches this process's next lease at once, and a lease it already holds within ``lease_seconds``.

    Writers of one process queue on a lock, as they did on the process's own bucket; a hold never waits for it.
    """

    def __init__(
        self,
        store: BudgetStore,
        key: BudgetKey,
        *,
        lease_size: int = LEASE_SIZE,
        lease_seconds: float = LEASE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if lease_size < 1 or lease_seconds <= 0:
            raise ValueError("a lease needs at least one token and a positive life")
        self.key = key
        self.capacity = store.limit.capacity
        self.lease_size = lease_size
        self.lease_seconds = lease_seconds
        self._store = store
        self._clock = clock
        self._sleep = sleep
        self._lease: _Lease | None = None
        self._lock = asyncio.Lock()

    async def take(self, count: int = 1) -> None:
        if count < 1 or count > self.capacity:
            raise ValueError(f"cannot take {count} tokens from a budget of {self.capacity}")
        async with self._lock:
            while True:
                lease = self._lease
                if lease is not None and lease.left >= count and self._clock() < lease.usable_until:
                    lease.left -= count
                    return
                await self._renew(count)

    async def hold(self, seconds: float) -> None:
        GRAPH_THROTTLED.labels(budget=self.key.label).inc()
        await self._store.hold(self.key, seconds, settling=self._give_up_lease())

    async def release(self) -> None:
        """Give the unused tokens back now (a process that stops writing), rather than when the lease expires."""
        settling = self._give_up_lease()
        if settling is not None:
            await self._store.settle(self.key, lease_id=settling[0], unused=settling[1])

    def _give_up_lease(self) -> tuple[str, int] | None:
        lease, self._lease = self._lease, None
        return None if lease is None else (lease.lease_id, lease.left)

    async def _renew(self, count: int) -> None:
        """Settle the lease held and take one with at least ``count`` tokens, waiting until it starts."""
        asked = self._clock()
        granted = await self._store.grant(
            self.key,
            lease_id=uuid.uuid4().hex,
            want=count,
            spare=max(0, self.lease_size - count),
            settling=self._give_up_lease(),
            lease_seconds=self.lease_seconds,
        )
        BUDGET_LEASES.labels(budget=self.key.label).inc()
        # The ledger counts the lease from the database's "now", between ``asked`` and the answer: usable from the
        # answer plus its delay (never early), until ``asked`` plus its delay and life (never late).
        delay = granted.delay
        usable_until = asked + delay + self.lease_seconds
        await self._wait(delay)
        while delay > self.lease_seconds:  # a long wait: another process's 429 may have put the budget on hold
            asked = self._clock()
            delay, kept = await self._store.confirm(
                self.key, lease_id=granted.lease_id, lease_seconds=self.lease_seconds
            )
            if not kept:
                return  # the ledger gave the lease up meanwhile: ask again
            usable_until = max(usable_until, asked + delay + self.lease_seconds)
            await self._wait(delay)
        self._lease = _Lease(granted.lease_id, granted.tokens, usable_until)

    async def _wait(self, seconds: float) -> None:
        if seconds <= 0:
            return
        BUDGET_WAITS.labels(budget=self.key.label).inc()
        BUDGET_WAIT_SECONDS.labels(budget=self.key.label).inc(seconds)
        await self._sleep(seconds)
