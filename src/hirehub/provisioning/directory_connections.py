"""The Entra connection changes that concern provisioning's jobs: the waiting jobs go on once the active connection
may provision again, and the active connection cannot be deleted from under the jobs that wait for it.

The connection services themselves live with the connector (``hirehub.directories.entra.connection_lifecycle``),
which must not reach into the job queue; the console, the CLI and the admin API call these instead, so each
change and its effect on the queue happen in one transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.directories.entra import connection_lifecycle as lifecycle
from hirehub.directories.entra.connections import ConnectionRuntime
from hirehub.directories.entra.models import EntraConnection
from hirehub.errors import Conflict
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.jobs.queue import resume_paused
from hirehub.provisioning.approvals import APPLY_APPROVED
from hirehub.provisioning.sync import NOTIFY_REPORTS, SYNC

DEPENDENT_KINDS = (SYNC, APPLY_APPROVED, NOTIFY_REPORTS)
"""Jobs that change accounts in the directory: while one is unfinished, the active connection is in use."""
_UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED, JobStatus.HELD)


async def dependent_jobs(session: AsyncSession) -> int:
    """How many of the tenant's jobs still have an account to change through the active connection."""
    count = await session.scalar(
        select(func.count())
        .select_from(DurableJob)
        .where(DurableJob.kind.in_(DEPENDENT_KINDS), DurableJob.status.in_([s.value for s in _UNFINISHED]))
    )
    return int(count or 0)


async def resume_if_provisioning(session: AsyncSession, connection: EntraConnection, *, now: datetime) -> int:
    """Wake the jobs that waited, when ``connection`` is the active one and may provision now."""
    if connection.active and lifecycle.provisioning_blocker(connection) is None:
        return await resume_paused(session, now=now)
    return 0


async def test(
    session: AsyncSession, connection: EntraConnection, runtime: ConnectionRuntime, *, now: datetime, actor: str
) -> lifecycle.ConnectionVerdict:
    """*Test connection*; when it passes on the active connection, the jobs that waited go on."""
    outcome = await lifecycle.run_test(session, connection, runtime, now=now, actor=actor)
    await resume_if_provisioning(session, connection, now=now)
    return outcome


async def update(
    session: AsyncSession,
    connection: EntraConnection,
    changes: lifecycle.ConnectionChanges,
    *,
    now: datetime,
    actor: str,
) -> EntraConnection:
    """Edit; an edit that brings back what the last passing test vouched for lets the waiting jobs go on."""
    await lifecycle.update_connection(session, connection, changes, actor=actor)
    await resume_if_provisioning(session, connection, now=now)
    return connection


async def activate(session: AsyncSession, connection: EntraConnection, *, now: datetime, actor: str) -> EntraConnection:
    await lifecycle.activate(session, connection, actor=actor)
    await resume_if_provisioning(session, connection, now=now)
    return connection


async def set_enabled(
    session: AsyncSession, connection: EntraConnection, enabled: bool, *, now: datetime, actor: str
) -> EntraConnection:
    await lifecycle.set_enabled(session, connection, enabled, actor=actor)
    await resume_if_provisioning(session, connection, now=now)
    return connection


async def delete(session: AsyncSession, connection: EntraConnection, *, actor: str) -> None:
    """Delete a connection; the active one is refused while jobs still depend on it."""
    if connection.active:
        waiting = await dependent_jobs(session)
        if waiting:
            raise Conflict(
                f"the connection '{connection.name}' is the active one and {waiting} provisioning job(s) depend on "
                "it: activate another connection first, or let the jobs finish",
                field="id",
            )
    await lifecycle.delete_connection(session, connection, actor=actor)
