"""Waking idle runners when a job is enqueued: PostgreSQL's LISTEN/NOTIFY on one channel.

A runner that found nothing to do would otherwise wait for its next poll before it sees a job enqueued
just after; with a poll interval of a second, that is half a second of latency on average for every
job. On PostgreSQL, :func:`announce` sends a NOTIFY on :data:`CHANNEL` in the enqueuing transaction (the
server delivers it at commit, and not at all on rollback, so a runner is never woken for a job it cannot
yet see), and :class:`Wakeups` keeps a dedicated connection LISTENing on that channel for each runner,
setting the runner's wake event on every notification.

Notifications are a shortcut, not the source of truth: a runner still polls (for jobs that become due
later — scheduled ones, retries after backoff — for notifications missed while the listening connection
was down, and on SQLite, which has no such channel). The listener reconnects when its connection drops,
and wakes the runner each time it (re)connects, so whatever was enqueued in between is claimed then.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.session import Database
from hirehub.logging import get_logger

log = get_logger("hirehub.jobs")

CHANNEL = "hirehub_jobs"
"""The notification channel every enqueue announces on and every runner listens to (one database, one channel)."""
APPLICATION_NAME = "hirehub-job-wakeups"
"""How a listening connection names itself in ``pg_stat_activity``."""

_ANNOUNCE = text(f"SELECT pg_notify('{CHANNEL}', '')")
_ANNOUNCED_IN = "hirehub.jobs.announced_in"


async def announce(session: AsyncSession) -> None:
    """Tell listening runners, when the session's transaction commits, that a job is due (PostgreSQL only).

    Sent once per transaction: a transaction enqueueing a thousand jobs wakes each runner once, which is
    all it needs, since a woken runner claims as many as it has room for.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    transaction = session.sync_session.get_transaction()
    if transaction is not None and session.info.get(_ANNOUNCED_IN) is transaction:
        return
    await session.execute(_ANNOUNCE)
    session.info[_ANNOUNCED_IN] = transaction


Connect = Callable[[], Awaitable[asyncpg.Connection]]
"""Opens a connection to listen on (a test may count or break the connections it hands out)."""


def connector_for(database: Database) -> Connect:
    """Opens a connection to ``database`` outside its pool, with the same connection arguments as its engine.

    Outside the pool because a LISTENing connection must stay open and unshared: returned to a pool, it
    would stop listening (or, worse, carry its LISTEN into some transaction's connection).
    """
    _, arguments = database.engine.dialect.create_connect_args(database.engine.url)

    async def connect() -> asyncpg.Connection:
        return await asyncpg.connect(**arguments, server_settings={"application_name": APPLICATION_NAME})

    return connect


class Wakeups:
    """Sets ``wake`` whenever a job is announced, for as long as :meth:`run` runs.

    ``check_interval`` is how often an idle connection is probed with a trivial query: a connection the
    network dropped without a word would otherwise listen to nothing, silently, until the operating system
    gave up on it. ``reconnect_delay`` is the pause before trying again after the connection is lost or
    cannot be made. ``connected`` is set while a connection listens (tests wait on it); ``connections``
    counts those made.
    """

    def __init__(self, connect: Connect, *, check_interval: float = 30.0, reconnect_delay: float = 1.0) -> None:
        self.connect = connect
        self.check_interval = check_interval
        self.reconnect_delay = reconnect_delay
        self.connected = asyncio.Event()
        self.connections = 0

    async def run(self, wake: asyncio.Event, stop: asyncio.Event) -> None:
        """Listen until ``stop`` is set, reconnecting whenever the connection fails."""
        while not stop.is_set():
            try:
                await self._listen_once(wake, stop)
            except Exception as exc:  # the database is away: poll until it is back
                log.warning("job_runner.listen_failed", error=f"{type(exc).__name__}: {exc}")
            finally:
                self.connected.clear()
            if not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.reconnect_delay)

    async def _listen_once(self, wake: asyncio.Event, stop: asyncio.Event) -> None:
        """One connection's life: LISTEN, wake the runner on each notification; return once lost or stopped."""
        lost = asyncio.Event()
        connection = await self.connect()
        try:
            connection.add_termination_listener(lambda *_: lost.set())
            await connection.add_listener(CHANNEL, lambda *_: wake.set())
            self.connections += 1
            self.connected.set()
            wake.set()  # anything enqueued while no one listened is claimed now, not at the next poll
            while not (stop.is_set() or lost.is_set()):
                await first_of(stop, lost, seconds=self.check_interval)
                if not (stop.is_set() or lost.is_set()):
                    await connection.execute("SELECT 1", timeout=self.check_interval)
            if lost.is_set():
                log.warning("job_runner.listener_lost")
        finally:
            if not connection.is_closed():
                with contextlib.suppress(Exception):
                    await connection.close(timeout=5)


async def first_of(*events: asyncio.Event, seconds: float) -> None:
    """Wait until any of ``events`` is set, or ``seconds`` pass."""
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
