"""What a person asks of RSC data sync: what was synced for each organization, what went wrong, and "sync again".

The same functions answer ``hirehub linkedin sync status|run|settings`` and the console's data-sync page, so the two
cannot disagree. Each takes a tenant session: everything shown is the tenant's own.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import desc, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.db.base import utcnow
from hirehub.errors import Conflict, Invalid
from hirehub.jobs.models import DurableJob
from hirehub.linkedin import data_queue
from hirehub.linkedin.data_models import KIND_ORDER, HistoricalSync, QuotaUsage, SyncedRecord, SyncStatus
from hirehub.linkedin.models import CustomerApp

REFUSALS_SHOWN = 50


async def sync_status(session: AsyncSession) -> dict[str, Any]:
    """Per enabled organization: records by kind and status, the history's progress, the last run and the records
    LinkedIn (or the mapping) refused, with why; and the application's requests today against its daily quota."""
    contexts = await data_queue.enabled_contexts(session)
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: {kind: {} for kind in KIND_ORDER})
    rows = await session.execute(
        select(SyncedRecord.integration_context, SyncedRecord.kind, SyncedRecord.status, func.count()).group_by(
            SyncedRecord.integration_context, SyncedRecord.kind, SyncedRecord.status
        )
    )
    for context, kind, status, count in rows:
        counts[context][kind][status] = int(count)
    organizations = []
    for context in sorted(set(contexts) | set(counts)):
        organizations.append({
            "integration_context": context,
            "enabled": context in contexts,
            "records": counts[context],
            "history": await _history(session, context),
            "last_run": await _last_run(session, context),
            "refused": await _refused(session, context),
        })  # fmt: skip
    app = await session.scalar(select(CustomerApp))
    return {
        "apply_url_template": app.apply_url_template if app is not None else None,
        "quota_today": await _quota_today(session),
        "organizations": organizations,
    }


async def _history(session: AsyncSession, context: str) -> dict[str, Any]:
    runs = list(await session.scalars(select(HistoricalSync).where(HistoricalSync.integration_context == context)))
    if not runs:
        return {"state": "not started", "queued": 0}
    finished = [run.finished_at for run in runs]
    state = "done" if all(finished) else "running"
    return {
        "state": state,
        "queued": sum(run.queued for run in runs),
        "started_at": min(run.started_at for run in runs),
        "finished_at": max(f for f in finished if f is not None) if all(finished) else None,
    }


async def _last_run(session: AsyncSession, context: str) -> dict[str, Any] | None:
    job = await session.scalar(
        select(DurableJob)
        .where(DurableJob.ordering_key == data_queue.ordering_key(context), DurableJob.kind == data_queue.SEND)
        .where(DurableJob.finished_at.is_not(None))
        .order_by(desc(DurableJob.finished_at))
        .limit(1)
    )
    if job is None:
        return None
    return {"finished_at": job.finished_at, "status": job.status, "result": job.result, "error": job.last_error}


async def _refused(session: AsyncSession, context: str) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(SyncedRecord)
        .where(SyncedRecord.integration_context == context, SyncedRecord.status == SyncStatus.REFUSED.value)
        .order_by(desc(SyncedRecord.changed_at))
        .limit(REFUSALS_SHOWN)
    )
    return [{"kind": row.kind, "record_id": row.record_id, "ats_id": row.ats_id, "reason": row.reason} for row in rows]


async def _quota_today(session: AsyncSession) -> dict[str, int]:
    today = utcnow().astimezone(UTC).date()
    rows = await session.execute(select(QuotaUsage.resource, QuotaUsage.requests).where(QuotaUsage.day == today))
    return {resource: int(requests) for resource, requests in rows}


async def resync(session: AsyncSession, integration_context: str | None = None) -> dict[str, Any]:
    """Send everything again: the history of one enabled organization (or of each), from the start. Records
    LinkedIn already holds unchanged are not sent twice (their digest matches)."""
    contexts = await data_queue.enabled_contexts(session)
    if integration_context is not None:
        if integration_context not in contexts:
            raise Conflict(f"{integration_context} has no ENABLED integration: LinkedIn takes no data for it yet")
        contexts = [integration_context]
    if not contexts:
        raise Conflict("no organization has an ENABLED integration yet: data sync starts once the customer enables one")
    for context in contexts:
        await data_queue.start_history(session, context)
        await _retry_refused(session, context)
    return {"queued": contexts}


async def _retry_refused(session: AsyncSession, context: str) -> None:
    """A re-sync also looks again at what was refused (the customer may have fixed the record, or the setting)."""
    for row in await session.scalars(
        select(SyncedRecord).where(
            SyncedRecord.integration_context == context, SyncedRecord.status == SyncStatus.REFUSED.value
        )
    ):
        row.status, row.digest = SyncStatus.PENDING.value, None


def checked_apply_url_template(template: str) -> str:
    """An absolute http(s) URL with ``{id}`` where the recruiting request's id goes."""
    text = template.strip()
    parts = urlsplit(text.replace("{id}", "x"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid("the apply URL must be an absolute http(s) URL", field="apply_url_template")
    if "{id}" not in text:
        raise Invalid("the apply URL names the job with {id} (the recruiting request's id)", field="apply_url_template")
    if len(text) > 500:
        raise Invalid("the apply URL is longer than 500 characters", field="apply_url_template")
    return text


async def set_apply_url_template(session: AsyncSession, template: str) -> dict[str, Any]:
    """Where candidates apply to the customer's jobs (``companyApplyUrl``); job postings refused for the lack of it
    are looked at again."""
    app = await session.scalar(select(CustomerApp))
    if app is None:
        raise Conflict("LinkedIn RSC is not turned on for this tenant")
    app.apply_url_template = checked_apply_url_template(template)
    for context in await data_queue.enabled_contexts(session):
        await _retry_refused(session, context)
        await data_queue.queue_send(session, context)
    return {"apply_url_template": app.apply_url_template}
