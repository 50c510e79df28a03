"""The pacer: at least one second between calls to LinkedIn, across every worker and process of the hub.

One row (:class:`~hirehub.linkedin.models.PacerSlot`) holds the next instant a call may start. A caller *reserves*
a slot in a short transaction: it locks the row, takes ``max(now, next_allowed_at)`` as its own start, moves
``next_allowed_at`` one interval past it, commits, and then sleeps until its start. The lock is held for a few
milliseconds, never across the call itself, and the reservations form a queue: callers waiting together get
consecutive slots one interval apart, which is both the rule and the best throughput the rule allows.

* PostgreSQL: ``SELECT … FOR UPDATE`` serialises the reservations of every process on every machine, and "now" is
  the database's ``clock_timestamp()``, so workers whose clocks disagree still space their calls correctly.
* SQLite: every hub transaction starts with ``BEGIN IMMEDIATE`` (see :mod:`hirehub.db.session`), which takes the
  database's write lock before the read, so reservations are serialised across processes on the one machine that
  can open the file; its clock is that machine's.

A slot is a promise only if it is kept on time: a caller that reaches its slot late (its commit came back slowly,
its event loop was busy) would send closer than one second to the next caller's call. So a caller may send only
within ``tolerance`` after its slot start; one that is later gives the slot up and reserves again. Slots are spaced
``interval + tolerance + safety``, so two calls are always at least ``interval + safety`` apart, the safety
absorbing jitter on the way to LinkedIn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.linkedin.models import PacerSlot

ATS_INTEGRATIONS = "atsIntegrations"
MIN_INTERVAL = timedelta(seconds=1)
TOLERANCE = timedelta(milliseconds=25)
SAFETY = timedelta(milliseconds=10)

Sleep = Callable[[float], Awaitable[None]]


async def database_now(session: AsyncSession) -> datetime:
    """The database's clock on PostgreSQL (one clock for every machine), this machine's on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        value = await session.scalar(text("SELECT clock_timestamp()"))
        assert isinstance(value, datetime)
        return value
    return utcnow()


@dataclass(frozen=True)
class Reservation:
    start: datetime
    """When the caller may send its call, on the database's clock."""
    taken_at: datetime
    """The database's time when the slot was reserved."""
    local_taken_at: datetime
    """This machine's time at that same moment: the two together translate ``start`` to this machine's clock."""

    @property
    def delay(self) -> float:
        """Seconds from the reservation to the slot."""
        return max(0.0, (self.start - self.taken_at).total_seconds())

    @property
    def local_start(self) -> datetime:
        return self.start - (self.taken_at - self.local_taken_at)

    def remaining(self, local_now: datetime) -> float:
        """Seconds still to wait at ``local_now``: the slot is absolute, so time spent committing is not added."""
        return max(0.0, (self.local_start - local_now).total_seconds())

    def lateness(self, local_now: datetime) -> float:
        """How far past its start the slot is at ``local_now`` (0 when not yet started)."""
        return max(0.0, (local_now - self.local_start).total_seconds())


class Pacer:
    """Spaces the calls of one named resource by ``interval`` (+ ``margin``) across the whole hub."""

    def __init__(
        self,
        name: str = ATS_INTEGRATIONS,
        interval: timedelta = MIN_INTERVAL,
        tolerance: timedelta = TOLERANCE,
        safety: timedelta = SAFETY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.name = name
        self.tolerance = tolerance
        self.spacing = interval + tolerance + safety
        self._sleep = sleep
        self.slots_given_up = 0

    async def reserve(self, database: Database) -> Reservation:
        """Reserve the next slot: when it starts, and what time it was when it was taken."""
        async with database.system_transaction() as session:
            now = await database_now(session)
            local_now = utcnow()
            await self._ensure_row(session, now)
            slot = await session.scalar(select(PacerSlot).where(PacerSlot.name == self.name).with_for_update())
            assert slot is not None
            start = max(now, slot.next_allowed_at)
            slot.next_allowed_at = start + self.spacing
        return Reservation(start, now, local_now)

    async def wait_turn(self, database: Database) -> None:
        """Return when this caller may send its call: in its slot, never late."""
        while True:
            reservation = await self.reserve(database)
            delay = reservation.remaining(utcnow())
            if delay > 0:
                await self._sleep(delay)
            if reservation.lateness(utcnow()) <= self.tolerance.total_seconds():
                return
            self.slots_given_up += 1

    async def _ensure_row(self, session: AsyncSession, now: datetime) -> None:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(insert(PacerSlot).values(name=self.name, next_allowed_at=now).on_conflict_do_nothing())
