"""The pacer: never two LinkedIn batch calls less than one second apart, whoever makes them."""

from __future__ import annotations

import asyncio
import itertools
import time

from hirehub.db.session import Database
from hirehub.linkedin.pacer import Pacer


async def test_reservations_queue_one_interval_apart_without_holding_a_lock(database: Database) -> None:
    pacer = Pacer()
    reservations = [await pacer.reserve(database) for _ in range(3)]
    assert reservations[0].delay == 0  # nobody called before: at once
    starts = [reservation.start for reservation in reservations]
    assert [(b - a).total_seconds() for a, b in itertools.pairwise(starts)] == [1.035, 1.035]
    assert all(reservation.taken_at < reservation.start for reservation in reservations[1:])


async def test_two_syncers_on_separate_connections_never_call_less_than_a_second_apart(database_url: str) -> None:
    """Two workers (each its own engine, so its own sessions and connections) pace through the one database row."""
    first, second = Database(database_url), Database(database_url)
    calls: list[float] = []

    async def syncer(database: Database) -> None:
        pacer = Pacer()
        for _ in range(2):
            await pacer.wait_turn(database)
            calls.append(time.monotonic())

    try:
        await asyncio.gather(syncer(first), syncer(second))
    finally:
        await first.dispose()
        await second.dispose()
    calls.sort()
    gaps = [later - earlier for earlier, later in itertools.pairwise(calls)]
    assert len(calls) == 4
    assert min(gaps) >= 1.0, gaps
    assert calls[-1] - calls[0] < 3.5  # and no slower than the rule needs


async def test_a_caller_that_reaches_its_slot_late_gives_it_up_rather_than_crowd_the_next(database: Database) -> None:
    slow_sleeps: list[float] = []

    async def oversleeping(seconds: float) -> None:
        slow_sleeps.append(seconds)
        await asyncio.sleep(seconds + (0.2 if len(slow_sleeps) == 1 else 0))

    await Pacer().reserve(database)  # someone else holds the slot that starts now
    pacer = Pacer(sleep=oversleeping)
    await pacer.wait_turn(database)
    assert pacer.slots_given_up == 1  # woke 0.2 s late for its first slot, so it took the next one
