"""The clock that rows shared by processes are stamped with: the database's own on PostgreSQL.

Processes on several machines take turns through one row (the LinkedIn pacer, Graph's write budget); their clocks
may disagree, so they read "now" from the database itself, ``clock_timestamp()`` (the time of the call, not of
the transaction's start). SQLite is only ever opened on one machine, whose clock every process shares.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import utcnow


async def database_now(session: AsyncSession) -> datetime:
    """The database's clock on PostgreSQL (one clock for every machine), this machine's on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        value = await session.scalar(text("SELECT clock_timestamp()"))
        assert isinstance(value, datetime)
        return value
    return utcnow()
