"""Jobs: the tenant's durable work queue, filtered by status and kind, with retry and cancel; each job's page
shows the history of its attempts.

Retry and cancel are :func:`hirehub.jobs.queue.retry` and :func:`~hirehub.jobs.queue.cancel` (the same the CLI
and the admin API call), audited as the admin API audits them. ``hirehub.jobs`` has no listing with a kind
filter, so this module has a thin read-only query for that; the tenant session scopes it like every read.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from enum import StrEnum
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.audit import log as audit
from hirehub.db.session import Database
from hirehub.errors import HubError
from hirehub.jobs import queue
from hirehub.jobs.errors import JobNotFound
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.jobs.serialize import job_json, job_with_history
from hirehub.web.auth import Admin, require_csrf
from hirehub.web.forms import actor
from hirehub.web.pages import not_found, render

router = APIRouter(include_in_schema=False)
PAGE = "/console/jobs"
LIMIT = 200
RETRYABLE = {JobStatus.DEAD.value, JobStatus.FAILED.value, JobStatus.CANCELLED.value}
CANCELLABLE = {JobStatus.QUEUED.value, JobStatus.FAILED.value, JobStatus.HELD.value}


class JobAction(StrEnum):
    """What the list's buttons do to one job (the last segment of the form's path)."""

    RETRY = "retry"
    CANCEL = "cancel"


async def find_jobs(session: AsyncSession, status: str | None, kind: str | None) -> Sequence[DurableJob]:
    """The newest jobs first, by status and kind (the thin query ``queue.list_jobs`` lacks a kind filter for)."""
    statement = select(DurableJob).order_by(DurableJob.sequence.desc()).limit(LIMIT)
    if status:
        statement = statement.where(DurableJob.status == status)
    if kind:
        statement = statement.where(DurableJob.kind == kind)
    return (await session.scalars(statement)).all()


async def _kinds(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(DurableJob.kind).distinct().order_by(DurableJob.kind)))


@router.get(f"{PAGE}/", response_class=HTMLResponse)
async def jobs_page(
    request: Request,
    admin: Admin,
    status: str = "",
    kind: str = "",
    notice: str = "",
    error: str = "",
) -> Response:
    chosen = status if status in {s.value for s in JobStatus} else ""
    database: Database = request.app.state.database
    async with database.tenant_session(admin.tenant_id) as session:
        jobs = [job_json(job, full=True) for job in await find_jobs(session, chosen or None, kind or None)]
        stats = await queue.queue_stats(session)
        kinds = await _kinds(session)
    return render(
        request,
        "jobs_list.html",
        jobs=jobs,
        depth=stats.depth,
        statuses=[(s.value, s.value.capitalize()) for s in JobStatus],
        kinds=[(k, k) for k in kinds],
        status=chosen,
        kind=kind,
        retryable=RETRYABLE,
        cancellable=CANCELLABLE,
        notice=notice,
        error=error,
        limit=LIMIT,
    )


@router.get(f"{PAGE}/{{job_id}}", response_class=HTMLResponse)
async def job_page(request: Request, job_id: str, admin: Admin) -> Response:
    """One job: where it is now and the history of its attempts (the same view as ``hirehub job show``)."""
    try:
        key = uuid.UUID(job_id)
    except ValueError:
        return not_found(request, "job")
    database: Database = request.app.state.database
    async with database.tenant_session(admin.tenant_id) as session:
        try:
            job = await job_with_history(session, await queue.get_job(session, key))
        except JobNotFound:
            return not_found(request, "job")
    return render(request, "jobs_detail.html", job=job)


def _list_url(status: str, kind: str, **message: str) -> str:
    """Back to the list with the filters the operator had, and the outcome to show."""
    query = {key: value for key, value in (("status", status), ("kind", kind), *message.items()) if value}
    return f"{PAGE}/" + (f"?{urlencode(query)}" if query else "")


@router.post(f"{PAGE}/{{job_id}}/{{action}}", dependencies=[Depends(require_csrf)])
async def act(
    request: Request,
    job_id: uuid.UUID,
    action: JobAction,
    admin: Admin,
    status: str = Form(""),
    kind: str = Form(""),
) -> Response:
    """*Retry* or *Cancel*, audited; back to the list with the filters the operator had."""
    database: Database = request.app.state.database
    try:
        async with database.tenant_transaction(admin.tenant_id) as session:
            job = await (queue.retry if action is JobAction.RETRY else queue.cancel)(session, job_id)
            audit.record(
                session, actor=actor(admin), action=f"job.{action}", subject_type="job", subject_id=str(job_id),
                after=job_json(job),
            )  # fmt: skip
            done = f"Job {job.kind} was {'queued again' if action is JobAction.RETRY else 'cancelled'}"
    except HubError as refusal:
        return RedirectResponse(_list_url(status, kind, error=str(refusal)), status_code=303)
    return RedirectResponse(_list_url(status, kind, notice=done), status_code=303)
