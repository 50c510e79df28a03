"""The pacer: at least one second between calls to LinkedIn, across every worker and process of the hub.

Two rows (:class:`~hirehub.linkedin.models.PacerSlot`) per paced resource, each the next instant something may
happen, each changed only in a short transaction that locks it (a few milliseconds, never across a call):

1. **The queue** (``name``). A caller *reserves* a turn: it takes ``max(now, next_allowed_at)``, moves
   ``next_allowed_at`` one interval past it, commits, and sleeps until its turn. Callers waiting together wake one
   at a time, in order, about when the rule will let them send, instead of all asking the register at once.
2. **The register** (``name:sent``), which keeps the rule. At its turn a caller *registers* its call: it claims
   ``max(now, next_allowed_at)`` as its send time and sets ``next_allowed_at`` ``IN_FLIGHT`` past it (a call is
   under way), commits, sleeps until its time and sends; when the answer is back (or the call failed) it sets
   ``next_allowed_at`` to *now + interval*. While another's call is in flight a caller asks again every ``POLL``
   seconds.

So a call is sent only one interval after LinkedIn *answered* the previous one: LinkedIn received the previous call
before it answered and receives this one after it was sent, so the two arrive more than a second apart however
long the calls took on the way, however late a caller woke, and whatever LinkedIn's own clock says. The price is
the previous call's time on the way back and this one's on the way there, a few milliseconds each near LinkedIn.

Spacing the turns alone is not enough: a caller delayed between its turn and its send (a loaded machine) would
arrive within a second of the next call, and a caller that gave up a late turn would lose a whole interval. The
register closes both. If a process dies during a call, the register holds the next call for ``IN_FLIGHT``, then
the hub goes on.

* PostgreSQL: ``SELECT … FOR UPDATE`` serialises the transactions of every process on every machine, and "now" is
  the database's ``clock_timestamp()``, so workers whose clocks disagree still space their calls correctly.
* SQLite: every hub transaction starts with ``BEGIN IMMEDIATE`` (see :mod:`hirehub.db.session`), which takes the
  database's write lock before the read, so they are serialised across processes on the one machine that can open
  the file; its clock is that machine's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import utcnow
from hirehub.db.database_clock import database_now
from hirehub.db.session import Database
from hirehub.linkedin.models import PacerSlot

ATS_INTEGRATIONS = "atsIntegrations"
SENT_SUFFIX = ":sent"
MIN_INTERVAL = timedelta(seconds=1)
SAFETY = timedelta(milliseconds=5)
"""Added to the interval against clock granularity and slewing; the rule's margin is the calls' own time."""
IN_FLIGHT = timedelta(seconds=60)
"""How long a registered call holds the next one at most: longer than the HTTP client's 30 s timeout."""
POLL = 0.02
"""Seconds between looks at the register while another caller's call is in flight (a few tens of ms each)."""

Sleep = Callable[[float], Awaitable[None]]


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


class Pacer:
    """Spaces the calls of one named resource by ``interval`` (+ ``safety``) from answer to call, hub-wide."""

    def __init__(
        self,
        name: str = ATS_INTEGRATIONS,
        interval: timedelta = MIN_INTERVAL,
        safety: timedelta = SAFETY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.name = name
        self.interval = interval + safety
        self._sleep = sleep
        self.waits = 0
        """Times a caller found another's call in flight at its turn and looked again ``POLL`` seconds later."""

    async def reserve(self, database: Database) -> Reservation:
        """Reserve the next turn in the queue: when it starts, and what time it was when it was taken."""
        async with database.system_transaction() as session:
            now = await database_now(session)
            local_now = utcnow()
            slot = await self._locked_row(session, self.name, now)
            start = max(now, slot.next_allowed_at)
            slot.next_allowed_at = start + self.interval
        return Reservation(start, now, local_now)

    async def register(self, database: Database) -> Reservation | None:
        """Claim the register's next send time for this caller's call (``IN_FLIGHT`` is set past it at once, so
        nobody else can take it), or None while another call is in flight.

        The time is claimed as soon as it is known (up to one interval ahead) rather than when it comes, so the
        claim's own transaction is not part of the gap between two calls."""
        async with database.system_transaction() as session:
            now = await database_now(session)
            local_now = utcnow()
            sent = await self._locked_row(session, self.name + SENT_SUFFIX, now)
            if sent.next_allowed_at - now > self.interval:
                return None
            start = max(now, sent.next_allowed_at)
            sent.next_allowed_at = start + IN_FLIGHT
        return Reservation(start, now, local_now)

    async def done(self, database: Database) -> None:
        """The call registered last is over (answered or failed): the next may go one interval from now."""
        async with database.system_transaction() as session:
            now = await database_now(session)
            sent = await self._locked_row(session, self.name + SENT_SUFFIX, now)
            sent.next_allowed_at = now + self.interval

    async def wait_turn(self, database: Database) -> None:
        """Return when this caller's call is registered and due: send it at once, and call :meth:`done` when it
        is over."""
        reservation = await self.reserve(database)
        delay = reservation.remaining(utcnow())
        if delay > 0:
            await self._sleep(delay)
        while (claimed := await self.register(database)) is None:
            self.waits += 1
            await self._sleep(POLL)
        delay = claimed.remaining(utcnow())
        if delay > 0:
            await self._sleep(delay)

    @asynccontextmanager
    async def turn(self, database: Database) -> AsyncIterator[None]:
        """``async with pacer.turn(database): <the call>``: the call is made in its turn, and the next caller's
        second starts when it is over, however it ended."""
        await self.wait_turn(database)
        try:
            yield
        finally:
            await self.done(database)

    async def _locked_row(self, session: AsyncSession, name: str, now: datetime) -> PacerSlot:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(insert(PacerSlot).values(name=name, next_allowed_at=now).on_conflict_do_nothing())
        slot = await session.scalar(select(PacerSlot).where(PacerSlot.name == name).with_for_update())
        assert slot is not None
        return slot
