"""Microsoft Graph's documented throttling, as token buckets on the sandbox clock.

The limits are those Microsoft publishes for identity and access (users, groups, directory objects) in
"Microsoft Graph service-specific throttling limits" (learn.microsoft.com/graph/throttling-limits):

- writes, per app per tenant: 3,000 per 150 s; per tenant (all apps): 18,000 per 5 min; per app across all
  tenants: 35,000 per 5 min;
- reads, per app per tenant, in resource units per 10 s: 3,500 (tenants under 50 users), 5,000 (50–500),
  8,000 (more); a collection read costs 2 units, a read of one object 1, a write 1 (``$select`` takes one off
  a collection read, never below 1);
- any request, per app: 2,000 per second.

A bucket holds a window's worth of tokens and refills continuously at ``limit / window`` per *sandbox* second,
so a benchmark that speeds the sandbox clock up meets the same limits proportionally. A refused request learns
how long to wait in ``Retry-After``, converted from sandbox seconds to the real seconds a client must sleep.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol


class SandboxSeconds(Protocol):
    """What throttling needs of :class:`~.world.SandboxClock`."""

    speed: float

    def seconds(self) -> float: ...


@dataclass(frozen=True)
class Limit:
    """``amount`` units per ``window`` sandbox seconds."""

    amount: float
    window: float

    @property
    def rate(self) -> float:
        return self.amount / self.window


@dataclass(frozen=True)
class GraphLimits:
    """Graph's published limits (defaults); tests and benchmarks may pass smaller ones to reach them sooner."""

    writes_per_app_per_tenant: Limit = Limit(3_000, 150)
    writes_per_tenant: Limit = Limit(18_000, 300)
    writes_per_app: Limit = Limit(35_000, 300)
    reads_small_tenant: Limit = Limit(3_500, 10)  # resource units, tenants with fewer than 50 users
    reads_medium_tenant: Limit = Limit(5_000, 10)  # 50 to 500 users
    reads_large_tenant: Limit = Limit(8_000, 10)  # more than 500 users
    requests_per_app: Limit = Limit(2_000, 1)

    def reads_for(self, tenant_users: int) -> Limit:
        if tenant_users < 50:
            return self.reads_small_tenant
        if tenant_users <= 500:
            return self.reads_medium_tenant
        return self.reads_large_tenant


class Bucket:
    """A token bucket: starts full, refills at the limit's rate, never holds more than one window's worth."""

    def __init__(self, limit: Limit, now: float) -> None:
        self.limit = limit
        self.tokens = float(limit.amount)
        self._stamp = now

    def refill(self, now: float, limit: Limit | None = None) -> None:
        if limit is not None and limit != self.limit:  # a tenant grew into another size class
            self.tokens = min(self.tokens + limit.amount - self.limit.amount, limit.amount)
            self.limit = limit
        self.tokens = min(float(self.limit.amount), self.tokens + max(0.0, now - self._stamp) * self.limit.rate)
        self._stamp = now

    def wait_for(self, cost: float) -> float:
        """Sandbox seconds until ``cost`` tokens are there (0 when they already are)."""
        return max(0.0, (cost - self.tokens) / self.limit.rate)


@dataclass
class GraphServiceStats:
    """What the Graph emulator saw, for benchmarks and tests (``world.graph_stats``).

    ``requests`` counts operations (each ``$batch`` item is one, the ``$batch`` envelope is counted in
    ``batch_calls``); ``writes`` and ``reads`` count operations admitted by throttling; ``throttled`` the 429s
    of the buckets, ``injected_throttles`` and ``unavailable`` the 429s and 503s of :class:`~.world.Faults`.
    """

    http_requests: int = 0
    batch_calls: int = 0
    requests: int = 0
    reads: int = 0
    writes: int = 0
    throttled: int = 0
    injected_throttles: int = 0
    unavailable: int = 0
    statuses: Counter[int] = field(default_factory=Counter)


@dataclass(frozen=True)
class Refusal:
    """Throttled: which limit, and how long to wait in sandbox seconds."""

    limit_name: str
    wait_seconds: float


class GraphThrottle:
    """The buckets of one emulated Graph service, keyed by app and tenant as Graph keys them."""

    def __init__(self, clock: SandboxSeconds, limits: GraphLimits | None = None) -> None:
        self.clock = clock
        self.limits = limits or GraphLimits()
        self._buckets: dict[tuple[str, ...], Bucket] = {}

    def _bucket(self, key: tuple[str, ...], limit: Limit, now: float) -> Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(limit, now)
        bucket.refill(now, limit)
        return bucket

    def admit(self, app_id: str, tenant_id: str, *, write: bool, cost: float, tenant_users: int) -> Refusal | None:
        """Take the request's tokens from every bucket it counts against, or none if any is short."""
        now = self.clock.seconds()
        wanted: list[tuple[str, Bucket, float]] = [
            ("requests per app", self._bucket(("app", app_id), self.limits.requests_per_app, now), 1.0),
            (
                "resource units per app per tenant",
                self._bucket(("ru", app_id, tenant_id), self.limits.reads_for(tenant_users), now),
                cost,
            ),
        ]
        if write:
            wanted += [
                (
                    "writes per app per tenant",
                    self._bucket(("w", app_id, tenant_id), self.limits.writes_per_app_per_tenant, now),
                    1.0,
                ),
                ("writes per tenant", self._bucket(("wt", tenant_id), self.limits.writes_per_tenant, now), 1.0),
                ("writes per app", self._bucket(("wa", app_id), self.limits.writes_per_app, now), 1.0),
            ]
        short = [(name, bucket.wait_for(need)) for name, bucket, need in wanted if bucket.tokens < need]
        if short:
            name, wait = max(short, key=lambda item: item[1])
            return Refusal(name, wait)
        for _name, bucket, need in wanted:
            bucket.tokens -= need
        return None


def retry_after_header(sandbox_seconds: float, speed: float) -> str:
    """``Retry-After`` in the real seconds a client must sleep for ``sandbox_seconds`` to pass.

    At normal speed Graph's whole seconds (rounded up, at least 1); on a sped-up clock the fraction is kept
    (``0.015``), since rounding up to a whole second would stall a benchmark for many sandbox seconds.
    """
    real = max(sandbox_seconds, 0.0) / (speed or 1.0)
    if speed == 1.0:
        return str(max(1, math.ceil(real)))
    return f"{max(real, 0.001):.3f}"


def read_cost(collection: bool, selected: bool) -> float:
    """Resource units of a read: a collection 2, one object 1; ``$select`` saves one on a collection."""
    base = 2.0 if collection else 1.0
    return max(1.0, base - (1.0 if selected and collection else 0.0))
