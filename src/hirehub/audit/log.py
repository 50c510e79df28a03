"""Writing and reading the audit log.

Entries are added to the caller's session, so an audit line commits with the change it records (or
not at all). Values are stored as given; callers pass attribute values and ids, never secrets.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.audit.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    job_id: uuid.UUID | None = None,
    outcome: str = "applied",
    detail: str | None = None,
    tenant_id: uuid.UUID | None = None,
) -> AuditEntry:
    """Add one audit entry to the session's transaction (tenant stamped by a tenant session)."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        before=before,
        after=after,
        job_id=job_id,
        outcome=outcome,
        detail=detail,
    )
    if tenant_id is not None:
        entry.tenant_id = tenant_id
    session.add(entry)
    return entry


async def entries(
    session: AsyncSession,
    *,
    subject_id: str | None = None,
    job_id: uuid.UUID | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> Sequence[AuditEntry]:
    """The newest entries first, optionally for one subject, one job, or since a moment."""
    query = select(AuditEntry).order_by(AuditEntry.position.desc()).limit(limit)
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == subject_id)
    if job_id is not None:
        query = query.where(AuditEntry.job_id == job_id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    return list(await session.scalars(query))


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "before": entry.before,
        "after": entry.after,
        "job_id": str(entry.job_id) if entry.job_id else None,
        "outcome": entry.outcome,
        "detail": entry.detail,
    }
