"""Graph write budgets in the database: each ledger operation in one short transaction that locks the budget's row.

As the LinkedIn pacer does, every change reads the row ``FOR UPDATE`` on PostgreSQL (the transactions of every
process on every machine queue on it, and "now" is the database's ``clock_timestamp()``) and runs under
``BEGIN IMMEDIATE`` on SQLite (the database's write lock, taken before the read). A transaction lasts a few
milliseconds and never spans a Graph call or a sleep.

A budget is named by :class:`BudgetKey`, Graph's throttling unit: the application (client ID) in the directory
(tenant ID) of one cloud. The row's key is a hash of the three (see
:class:`~hirehub.directories.entra.models.GraphWriteBudget` for why the row is the hub's, not a tenant's).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.database_clock import database_now
from hirehub.db.session import Database
from hirehub.directories.entra import budget_ledger
from hirehub.directories.entra.budget_ledger import LEASE_SECONDS, Grant, Lease, Ledger, Limit
from hirehub.directories.entra.models import GraphWriteBudget


@dataclass(frozen=True)
class BudgetKey:
    """Graph's throttling unit: one application in one directory of one cloud."""

    cloud: str
    directory_tenant_id: str
    client_id: str

    @property
    def row_key(self) -> str:
        parts = "\x00".join((self.cloud, self.directory_tenant_id.lower(), self.client_id.lower()))
        return "graph-writes:" + hashlib.sha256(parts.encode()).hexdigest()

    @property
    def label(self) -> str:
        """How metrics name the budget."""
        return f"{self.cloud}/{self.directory_tenant_id}/{self.client_id}"


class BudgetStore:
    """The ledgers of every Graph write budget, kept in ``entra_graph_write_budget``.

    ``clock`` replaces the database's clock (tests run the ledger on a clock they move themselves)."""

    def __init__(
        self, database: Database, limit: Limit | None = None, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.database = database
        self.limit = limit or Limit()
        self._clock = clock

    async def grant(
        self,
        key: BudgetKey,
        *,
        lease_id: str,
        want: int,
        spare: int = 0,
        settling: tuple[str, int] | None = None,
        lease_seconds: float = LEASE_SECONDS,
    ) -> Grant:
        """Settle the caller's previous lease (``(lease id, unused tokens)``) and grant it a new one, in one
        transaction."""
        async with self.database.system_transaction() as session:
            now = await self._now(session)
            row, ledger = await self._locked(session, key, now)
            if settling is not None:
                ledger = budget_ledger.settle(ledger, self.limit, now, lease_id=settling[0], unused=settling[1])
            ledger, granted = budget_ledger.grant(
                ledger, self.limit, now, lease_id=lease_id, want=want, spare=spare, lease_seconds=lease_seconds
            )
            _store(row, ledger)
        return granted

    async def settle(self, key: BudgetKey, *, lease_id: str, unused: int) -> None:
        """Give a lease's unused tokens back (a holder that stops writing)."""
        async with self.database.system_transaction() as session:
            now = await self._now(session)
            row, ledger = await self._locked(session, key, now)
            _store(row, budget_ledger.settle(ledger, self.limit, now, lease_id=lease_id, unused=unused))

    async def hold(self, key: BudgetKey, seconds: float, *, settling: tuple[str, int] | None = None) -> datetime:
        """Graph said wait ``seconds``: hold the budget for every process (settling the caller's lease first);
        returns when the hold ends, on the database's clock."""
        async with self.database.system_transaction() as session:
            now = await self._now(session)
            row, ledger = await self._locked(session, key, now)
            if settling is not None:
                ledger = budget_ledger.settle(ledger, self.limit, now, lease_id=settling[0], unused=settling[1])
            ledger = budget_ledger.hold(ledger, self.limit, now, seconds)
            _store(row, ledger)
        assert ledger.held_until is not None
        return ledger.held_until

    async def confirm(
        self, key: BudgetKey, *, lease_id: str, lease_seconds: float = LEASE_SECONDS
    ) -> tuple[float, bool]:
        """Seconds until a lease the caller waited for may be used (a hold may have come meanwhile), and whether
        the ledger still keeps it (False: it expired, ask for a new one)."""
        async with self.database.system_transaction() as session:
            now = await self._now(session)
            row, ledger = await self._locked(session, key, now)
            ledger, resume = budget_ledger.confirm(
                ledger, self.limit, now, lease_id=lease_id, lease_seconds=lease_seconds
            )
            _store(row, ledger)
        if resume is None:
            return 0.0, False
        return max(0.0, (resume - now).total_seconds()), True

    async def ledger(self, key: BudgetKey) -> Ledger | None:
        """The budget's ledger as stored (None before its first use): what tests and operators look at."""
        async with self.database.system_session() as session:
            row = await session.get(GraphWriteBudget, key.row_key)
            return None if row is None else _ledger(row)

    async def _now(self, session: AsyncSession) -> datetime:
        """The database's clock on PostgreSQL; on SQLite the wall clock, not the hub's clock (which development's
        time travel shifts): Graph's bucket, like the sandbox's, refills on the wall clock."""
        if self._clock is not None:
            return self._clock()
        if session.get_bind().dialect.name == "postgresql":
            return await database_now(session)
        return datetime.now(UTC)

    async def _locked(self, session: AsyncSession, key: BudgetKey, now: datetime) -> tuple[GraphWriteBudget, Ledger]:
        fresh = Ledger.full(self.limit, now)
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(
            insert(GraphWriteBudget)
            .values(key=key.row_key, tokens=fresh.tokens, stamp=fresh.stamp, held_until=None, leases={})
            .on_conflict_do_nothing()
        )
        query = select(GraphWriteBudget).where(GraphWriteBudget.key == key.row_key).with_for_update()
        row = await session.scalar(query.execution_options(populate_existing=True))
        assert row is not None
        return row, _ledger(row)


def _ledger(row: GraphWriteBudget) -> Ledger:
    leases = {
        lease_id: Lease(int(tokens), datetime.fromisoformat(expires))
        for lease_id, (tokens, expires) in (row.leases or {}).items()
    }
    return Ledger(row.tokens, row.stamp, row.held_until, leases)


def _store(row: GraphWriteBudget, ledger: Ledger) -> None:
    row.tokens = ledger.tokens
    row.stamp = ledger.stamp
    row.held_until = ledger.held_until
    leases: dict[str, Any] = {
        lease_id: [lease.tokens, lease.expires.isoformat()] for lease_id, lease in ledger.leases.items()
    }
    row.leases = leases
