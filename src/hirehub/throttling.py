"""Throttling guesses: failed attempts counted in the database, with lockouts that grow and always expire.

The counts live in the database so that every API process sees the same ones: a guesser spread over
processes meets one limit. Three counters follow each attempt, after Entra's smart lockout:

- the account *from* the source: the first to lock, and what a guesser mostly meets;
- the source over every account: one address guessing many accounts;
- the account over every source: guessing spread over many addresses. It locks out only the sources that
  have failed on the account themselves, so an attacker can never shut out the owner signing in from
  elsewhere.

Every lockout expires; each new one lasts twice the last, up to a ceiling, and the count is forgotten after a
quiet period. A locked attempt is refused before its credential is checked, so it neither proves nor counts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Integer, String, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from starlette.requests import HTTPConnection

from hirehub.db.base import Base, UTCDateTime
from hirehub.db.session import Database


def source_of(connection: HTTPConnection) -> str:
    """The caller's address as the server saw it: behind a proxy, the server must be told to trust its
    forwarded address (uvicorn's ``--forwarded-allow-ips``), or every caller is the proxy."""
    return connection.client.host if connection.client else "unknown"


class FailedAttempts(Base):
    """The recent failures behind one counter (platform-wide, as the endpoints it guards are)."""

    __tablename__ = "failed_attempts"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class Counter(StrEnum):
    """What one counter follows (see the module's docstring)."""

    ACCOUNT_FROM_SOURCE = "pair"
    SOURCE = "source"
    ACCOUNT = "account"


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures within ``window`` lock each counter, and for how long."""

    account_from_source: int
    source: int
    account: int
    window: timedelta = timedelta(minutes=10)
    first_lockout: timedelta = timedelta(minutes=1)
    longest_lockout: timedelta = timedelta(minutes=30)
    forget_after: timedelta = timedelta(days=1)

    def limit(self, counter: Counter) -> int:
        return {
            Counter.ACCOUNT_FROM_SOURCE: self.account_from_source, Counter.SOURCE: self.source,
            Counter.ACCOUNT: self.account,
        }[counter]  # fmt: skip


@dataclass(frozen=True)
class Lockout:
    """An attempt refused before it is checked: which counter locked it, and until when."""

    counter: Counter
    until: datetime

    def retry_after(self, now: datetime) -> int:
        """Whole seconds to wait (at least one), as ``Retry-After`` says it."""
        return max(1, int((self.until - now).total_seconds() + 0.999))


@dataclass(frozen=True)
class Standing:
    """What the counters say of an attempt before it is checked."""

    lockout: Lockout | None
    failed_before: bool
    """This account failed from this source recently: a success should clear that."""


class Throttle:
    """The failed attempts at one door (``name``: the token endpoint, the console sign-in)."""

    def __init__(self, database: Database, name: str, policy: ThrottlePolicy) -> None:
        self._database = database
        self._name = name
        self.policy = policy

    def _keys(self, account: str, source: str) -> dict[Counter, str]:
        def key(counter: Counter, *parts: str) -> str:
            digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
            return f"{self._name}:{counter}:{digest}"

        return {
            Counter.ACCOUNT_FROM_SOURCE: key(Counter.ACCOUNT_FROM_SOURCE, account, source),
            Counter.SOURCE: key(Counter.SOURCE, source),
            Counter.ACCOUNT: key(Counter.ACCOUNT, account),
        }

    async def standing(self, *, account: str, source: str, now: datetime) -> Standing:
        """The lockout an attempt on ``account`` from ``source`` meets now, if any, and whether it failed before."""
        keys = self._keys(account, source)
        async with self._database.system_session() as session:
            found = await session.scalars(select(FailedAttempts).where(FailedAttempts.key.in_(keys.values())))
            rows = {row.key: row for row in found}
        pair = rows.get(keys[Counter.ACCOUNT_FROM_SOURCE])
        guessed_here = pair is not None and now - pair.last_failure_at < self.policy.forget_after
        for counter in Counter:
            row = rows.get(keys[counter])
            if row is None or row.locked_until is None or row.locked_until <= now:
                continue
            if counter is Counter.ACCOUNT and not guessed_here:
                continue  # the owner, from a source that was not guessing
            return Standing(Lockout(counter, row.locked_until), guessed_here)
        return Standing(None, guessed_here)

    async def failed(self, *, account: str, source: str, now: datetime) -> None:
        """Count a failed attempt, in its own transaction (the attempt's own work is rolled back)."""
        async with self._database.system_transaction() as session:
            forgotten = now - self.policy.forget_after
            await session.execute(delete(FailedAttempts).where(FailedAttempts.last_failure_at < forgotten))
            for counter, key in self._keys(account, source).items():
                row = await _locked_row(session, key, now)
                self._count(row, self.policy.limit(counter), now)

    def _count(self, row: FailedAttempts, limit: int, now: datetime) -> None:
        if now - row.window_started_at >= self.policy.window:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= limit:
            row.lockouts += 1
            length = min(self.policy.first_lockout * 2 ** min(row.lockouts - 1, 20), self.policy.longest_lockout)
            row.locked_until = now + length
            row.failures, row.window_started_at = 0, now

    async def succeeded(self, *, account: str, source: str) -> None:
        """Forget the failures of this account from this source: its owner is back."""
        key = self._keys(account, source)[Counter.ACCOUNT_FROM_SOURCE]
        async with self._database.system_transaction() as session:
            await session.execute(delete(FailedAttempts).where(FailedAttempts.key == key))


async def _locked_row(session: AsyncSession, key: str, now: datetime) -> FailedAttempts:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(FailedAttempts)
        .values(key=key, failures=0, window_started_at=now, last_failure_at=now, lockouts=0)
        .on_conflict_do_nothing()
    )
    query = select(FailedAttempts).where(FailedAttempts.key == key).with_for_update()
    row = await session.scalar(query.execution_options(populate_existing=True))
    assert row is not None
    return row
