"""The pacer: never two LinkedIn batch calls less than one second apart, whoever makes them."""

from __future__ import annotations

import asyncio
import itertools
import time

from hirehub.db.session import Database
from hirehub.linkedin.pacer import IN_FLIGHT, Pacer


async def test_reservations_queue_one_interval_apart_without_holding_a_lock(database: Database) -> None:
    pacer = Pacer()
    reservations = [await pacer.reserve(database) for _ in range(3)]
    assert reservations[0].delay == 0  # nobody called before: at once
    starts = [reservation.start for reservation in reservations]
    assert [(b - a).total_seconds() for a, b in itertools.pairwise(starts)] == [1.005, 1.005]
    assert all(reservation.taken_at < reservation.start for reservation in reservations[1:])


async def test_two_syncers_on_separate_connections_never_call_less_than_a_second_apart(database_url: str) -> None:
    """Two workers (each its own engine, so its own sessions and connections) pace through the one database row;
    each call takes a while, and the next starts a second after it is over, not after it began."""
    first, second = Database(database_url), Database(database_url)
    calls: list[tuple[float, float]] = []

    async def syncer(database: Database) -> None:
        pacer = Pacer()
        for _ in range(2):
            async with pacer.turn(database):
                began = time.monotonic()
                await asyncio.sleep(0.05)  # the call on its way to LinkedIn and back
                calls.append((began, time.monotonic()))

    try:
        await asyncio.gather(syncer(first), syncer(second))
    finally:
        await first.dispose()
        await second.dispose()
    calls.sort()
    assert len(calls) == 4
    assert all(later[0] - earlier[1] >= 1.0 for earlier, later in itertools.pairwise(calls)), calls
    assert calls[-1][0] - calls[0][0] < 3.6  # and no slower than the rule needs


async def test_a_call_in_flight_holds_the_next_until_it_is_over(database: Database) -> None:
    holder, waiter = Pacer(), Pacer()
    await holder.wait_turn(database)  # registered, its answer not back yet
    assert await waiter.register(database) is None  # in flight: nobody else may claim a time

    await holder.done(database)
    claimed = await waiter.register(database)
    assert claimed is not None and 0.9 < claimed.delay <= 1.005  # one interval after the answer
    assert claimed.delay < IN_FLIGHT.total_seconds()


async def test_a_caller_that_wakes_late_loses_only_its_lateness(database: Database) -> None:
    slept: list[float] = []

    async def oversleeping(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(seconds + (0.2 if len(slept) == 1 else 0))

    first = Pacer()
    async with first.turn(database):
        pass
    late = Pacer(sleep=oversleeping)
    began = time.monotonic()
    async with late.turn(database):
        sent = time.monotonic()
    assert late.waits == 0 and 1.0 <= sent - began < 1.6  # sent at once when it woke, not a second later
