"""Job runners say they are alive: a row per runner, refreshed while it polls, that the console's dashboard reads.

Nothing a person does in the console reaches a directory without a job runner; a hub whose runners all stopped
looks healthy from the API alone. Each runner writes its heartbeat as one of the tasks it does before it looks
for jobs (:class:`Heartbeat`, wired by the composition root), and :func:`live_runners` lists those heard from
recently. Runners are the hub's, not a tenant's, so the table is a platform table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from hirehub.db.base import Base, UTCDateTime
from hirehub.db.session import Database
from hirehub.jobs.context import Clock
from hirehub.logging import get_logger

log = get_logger("hirehub.jobs")

BEAT_INTERVAL = timedelta(seconds=10)
"""How often a polling runner refreshes its row."""
ALIVE_WITHIN = timedelta(seconds=60)
"""A runner not heard from for this long is taken for stopped (several beats missed, not one slow poll)."""
FORGOTTEN_AFTER = timedelta(days=1)
"""Rows of runners silent this long are removed, so the table holds the runners of the last day only."""


class RunnerHeartbeat(Base):
    """The last sign of life of one job runner (platform-wide: a runner serves every tenant)."""

    __tablename__ = "runner_heartbeat"

    runner_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


@dataclass
class Heartbeat:
    """Refresh ``runner_id``'s row at most every :data:`BEAT_INTERVAL` (``await heartbeat()`` before each look for
    jobs). A failed write is logged and tried again a beat later: a heartbeat never stops a runner's work."""

    database: Database
    runner_id: str
    clock: Clock
    _started_at: datetime | None = None
    _last_attempt: datetime | None = None

    async def __call__(self) -> None:
        now = self.clock()
        last = self._last_attempt
        if last is not None and timedelta(0) <= now - last < BEAT_INTERVAL:
            return
        self._last_attempt = now
        started = self._started_at = self._started_at or now
        try:
            async with self.database.system_transaction() as session:
                await beat(session, self.runner_id, started_at=started, now=now)
        except Exception as exc:  # a missing table or a busy database: the runner's jobs matter more
            log.warning("job_runner.heartbeat_failed", runner_id=self.runner_id, error=type(exc).__name__)


async def beat(session: AsyncSession, runner_id: str, *, started_at: datetime, now: datetime) -> None:
    """Record that ``runner_id`` is alive at ``now``, and forget runners silent for a day."""
    row = await session.get(RunnerHeartbeat, runner_id)
    if row is None:
        session.add(RunnerHeartbeat(runner_id=runner_id, started_at=started_at, beat_at=now))
    else:
        row.beat_at = now
    await session.execute(delete(RunnerHeartbeat).where(RunnerHeartbeat.beat_at < now - FORGOTTEN_AFTER))


@dataclass(frozen=True)
class RunnerSeen:
    """A runner as the dashboard shows it."""

    runner_id: str
    started_at: datetime
    beat_at: datetime


async def live_runners(session: AsyncSession, now: datetime) -> list[RunnerSeen]:
    """The runners heard from within :data:`ALIVE_WITHIN` of ``now``, most recent first."""
    rows = await session.scalars(
        select(RunnerHeartbeat)
        .where(RunnerHeartbeat.beat_at >= now - ALIVE_WITHIN)
        .order_by(RunnerHeartbeat.beat_at.desc())
    )
    return [RunnerSeen(row.runner_id, row.started_at, row.beat_at) for row in rows]


async def last_heard(session: AsyncSession) -> datetime | None:
    """When any runner was last heard from (None: never, or not within the last day)."""
    value: datetime | None = await session.scalar(
        select(RunnerHeartbeat.beat_at).order_by(RunnerHeartbeat.beat_at.desc()).limit(1)
    )
    return value
