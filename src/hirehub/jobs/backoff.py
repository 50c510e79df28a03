"""How long a failed job waits before its next attempt: exponential backoff with full jitter.

Full jitter (a uniformly random delay between zero and the exponential ceiling) spreads the retries of
many jobs that failed together, say when a directory was briefly down, instead of sending them back in
synchronised waves. A service's own hint (``Retry-After``) is a floor: the job waits at least that long.
"""

from __future__ import annotations

import random
from collections.abc import Callable

BASE_SECONDS = 2.0
CAP_SECONDS = 3600.0

Uniform = Callable[[float, float], float]
"""Draws a number between two bounds (``random.uniform``; tests pass their own)."""


def backoff_ceiling(attempt: int, *, base: float = BASE_SECONDS, cap: float = CAP_SECONDS) -> float:
    """The longest wait after failed attempt number ``attempt`` (1, 2, …): base·2^(attempt−1), capped."""
    exponent = min(max(attempt - 1, 0), 62)  # beyond this the cap has long since won
    return min(cap, base * 2.0**exponent)


def backoff_delay(
    attempt: int,
    retry_after: float | None = None,
    *,
    base: float = BASE_SECONDS,
    cap: float = CAP_SECONDS,
    uniform: Uniform = random.uniform,
) -> float:
    """Seconds to wait after failed attempt ``attempt``, never less than ``retry_after`` when given."""
    delay = uniform(0.0, backoff_ceiling(attempt, base=base, cap=cap))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay
