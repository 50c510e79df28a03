"""Graph's latency and its unprovoked failures, as knobs on the Entra sandbox's command line.

Graph answers in tens to hundreds of milliseconds, and now and then with a 429 or 503 of its own making. A client
measured only against an instant, flawless emulator is measured against a service that does not exist: how much
concurrency it needs to reach the write limit, and what a stray 429 costs it, only show with both.

The injected faults themselves (:class:`~.world.Faults`) act inside the Graph pipeline, per request and per
``$batch`` item, as Graph's do. The latency here is per HTTP call, on the wire, because that is where a client
waits for it: :class:`LatencyMiddleware` holds each call for a delay drawn from a seeded generator, without
blocking the calls around it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from hirehub.sandbox.entra.world import Faults

Sleep = Callable[[float], Awaitable[None]]


@dataclass
class Latency:
    """Each call waits a delay drawn uniformly from ``[min_seconds, max_seconds]``; a ``seed`` repeats the draws."""

    min_seconds: float = 0.0
    max_seconds: float = 0.0
    seed: int | None = None
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        if not 0 <= self.min_seconds <= self.max_seconds:
            raise ValueError(f"latency needs 0 ≤ min ≤ max, not {self.min_seconds}–{self.max_seconds} s")
        self._random.seed(self.seed)

    @property
    def enabled(self) -> bool:
        return self.max_seconds > 0

    def draw(self) -> float:
        """The next call's delay in seconds."""
        return self._random.uniform(self.min_seconds, self.max_seconds)


class LatencyMiddleware:
    """Hold every HTTP call for :meth:`Latency.draw` seconds before the sandbox answers it (asynchronously: the
    delays of concurrent calls overlap, as the round trips of a service far away do)."""

    def __init__(self, app: ASGIApp, latency: Latency, sleep: Sleep = asyncio.sleep) -> None:
        self.app = app
        self.latency = latency
        self.sleep = sleep

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.latency.enabled:
            await self.sleep(self.latency.draw())
        await self.app(scope, receive, send)


# the command line ------------------------------------------------------------------------------------------------
_DEFAULT_FAULTS = Faults()


def _probability(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"a probability is between 0 and 1, not {text}")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The latency and fault options of ``python -m hirehub.sandbox.entra``.

    Defaults are given as text (argparse converts them): ``--help`` leaves out a default that is falsy, and these
    are 0."""
    knobs = parser.add_argument_group(
        "latency and faults",
        "How close to Graph the sandbox behaves. An option changed from its default also replaces\n"
        "a --world scenario's own value.",
    )
    knobs.add_argument("--latency-min-ms", type=_non_negative, default="0", help="Shortest delay of an HTTP call.")
    knobs.add_argument("--latency-max-ms", type=_non_negative, default="0", help="Longest delay of an HTTP call.")
    knobs.add_argument(
        "--throttle-rate",
        type=_probability,
        default=str(_DEFAULT_FAULTS.throttle_rate),
        help="Share of Graph requests and $batch items answered 429 with Retry-After, beside the real throttling.",
    )
    knobs.add_argument(
        "--unavailable-rate",
        type=_probability,
        default=str(_DEFAULT_FAULTS.unavailable_rate),
        help="Share of Graph requests and $batch items answered 503 with Retry-After.",
    )
    knobs.add_argument(
        "--retry-after-seconds",
        type=int,
        default=str(_DEFAULT_FAULTS.retry_after_seconds),
        help="Retry-After of an injected 429 or 503, in sandbox seconds.",
    )
    knobs.add_argument(
        "--consistency-lag-seconds",
        type=_non_negative,
        default=str(_DEFAULT_FAULTS.consistency_lag_seconds),
        help="How long a new object stays invisible to reads and references (eventual consistency).",
    )
    knobs.add_argument("--fault-seed", type=int, help="Seed of the latency and fault draws (random when not given).")


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse, the way argparse does, what each option allows alone but not together."""
    if args.latency_min_ms > args.latency_max_ms:
        parser.error(f"--latency-min-ms {args.latency_min_ms} is above --latency-max-ms {args.latency_max_ms}")


def fault_fields(args: argparse.Namespace, scenario: dict[str, Any]) -> dict[str, Any]:
    """A scenario's ``faults`` object with the options that were changed from their defaults written over it."""
    given = {
        "throttle_rate": args.throttle_rate,
        "unavailable_rate": args.unavailable_rate,
        "retry_after_seconds": args.retry_after_seconds,
        "consistency_lag_seconds": args.consistency_lag_seconds,
        "seed": args.fault_seed,
    }
    return {**scenario, **{name: value for name, value in given.items() if value != getattr(_DEFAULT_FAULTS, name)}}


def latency_from(args: argparse.Namespace) -> Latency:
    return Latency(args.latency_min_ms / 1000, args.latency_max_ms / 1000, seed=args.fault_seed)
