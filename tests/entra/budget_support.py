"""Helpers of the write-budget tests: Graph's bucket as an exact counter, and a clock the tests move themselves."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from hirehub.directories.entra.budget_ledger import Limit

EPOCH = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def excess_writes(times: Iterable[float], limit: Limit, *, slack: float = 1e-6) -> list[float]:
    """The writes Graph's bucket (``limit``, full before the first write) would have refused: an exact replay of
    the token bucket Graph keeps, so an empty list means no window ever saw more than the limit allows."""
    refused: list[float] = []
    tokens = float(limit.capacity)
    previous: float | None = None
    for at in sorted(times):
        if previous is not None:
            tokens = min(float(limit.capacity), tokens + (at - previous) * limit.rate)
        previous = at
        if tokens < 1.0 - slack:
            refused.append(at)
            continue
        tokens -= 1.0
    return refused


class FakeTime:
    """One clock for the ledger (a datetime, as the database's) and the holders (seconds, as ``time.monotonic``);
    sleeping moves it."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.seconds

    def now(self) -> datetime:
        return EPOCH + timedelta(seconds=self.seconds)

    def at(self, seconds: float) -> datetime:
        return EPOCH + timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.seconds += seconds
