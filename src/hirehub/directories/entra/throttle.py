"""A token bucket set to Microsoft Graph's documented write limit, per application per tenant.

Graph allows 3,000 writes per 150 seconds per app per tenant. Sending faster only earns 429s and
``Retry-After`` waits, so the connector paces itself just under the limit instead: each write takes a
token, tokens refill continuously, and a writer waits for one when the bucket is empty. The clock and
the sleep are injectable so tests and benchmarks can run against a sped-up sandbox clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

GRAPH_WRITES_PER_WINDOW = 3000
GRAPH_WINDOW_SECONDS = 150.0


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
