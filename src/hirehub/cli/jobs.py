"""``hirehub job …`` (also ``hirehub jobs …``): inspect and steer the queue.

Jobs are looked up by id across tenants (a system session): an operator holding a job id from a log line
or a dead-letter alert should not need to know its tenant first. ``job list --tenant`` narrows to one.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub.cli.context import ACROSS_TENANTS, Result, change_in, read_in
from hirehub.cli.output import JsonOption
from hirehub.cli.runner import run_jobs
from hirehub.errors import Invalid
from hirehub.jobs import queue
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.jobs.serialize import job_json, job_with_history

job_app = typer.Typer(help="Durable jobs: list, inspect, retry and cancel queued work.")
jobs_app = typer.Typer(help="Durable jobs: run them, and list, inspect, retry and cancel queued work.")

jobs_app.command("run")(run_jobs)

IdOption = typer.Option(..., "--id", help="The job's GUID.")
_TABLE_COLUMNS = ("id", "kind", "status", "ordering_key", "attempts", "run_at", "last_error")
"""What fits a terminal; ``--json`` and ``job show`` give everything."""


def _queue_command(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a queue command under ``hirehub job`` and, the same, under ``hirehub jobs``."""

    def register(command: Callable[..., None]) -> Callable[..., None]:
        job_app.command(name)(command)
        jobs_app.command(name)(command)
        return command

    return register


def _job_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise Invalid(f"'{value}' is not a job id (a GUID)", field="id") from exc


def _status(value: str | None) -> JobStatus | None:
    if value is None:
        return None
    try:
        return JobStatus(value)
    except ValueError as exc:
        choices = ", ".join(s.value for s in JobStatus)
        raise Invalid(f"'{value}' is not a job status ({choices})", field="status") from exc


@_queue_command("list")
def job_list(
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant's jobs (GUID or domain)."),
    status: str | None = typer.Option(None, "--status", help="Only jobs in this status."),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000, help="At most this many, newest first."),
    as_json: bool = JsonOption,
) -> None:
    """List jobs, newest first."""

    async def listing(session: AsyncSession) -> dict[str, list[dict[str, Any]]]:
        jobs = [job_json(job) for job in await queue.list_jobs(session, _status(status), limit)]
        return {"jobs": jobs if as_json else [{key: row[key] for key in _TABLE_COLUMNS} for row in jobs]}

    read_in(tenant or ACROSS_TENANTS, listing, as_json)


@_queue_command("show")
def job_show(job_id: str = IdOption, as_json: bool = JsonOption) -> None:
    """Show one job, with its payload, result, current error and the history of its attempts (the newest 50)."""

    async def shown(session: AsyncSession) -> Result:
        return await job_with_history(session, await queue.get_job(session, _job_id(job_id)))

    read_in(ACROSS_TENANTS, shown, as_json)


def _change(change: Callable[[AsyncSession, uuid.UUID], Awaitable[DurableJob]], doc: str) -> Callable[..., None]:
    def command(job_id: str = IdOption, as_json: bool = JsonOption) -> None:
        async def changed(session: AsyncSession) -> Result:
            return job_json(await change(session, _job_id(job_id)), full=True)

        change_in(ACROSS_TENANTS, changed, as_json)

    command.__doc__ = doc
    return command


_queue_command("retry")(
    _change(queue.retry, "Queue a dead, failed or cancelled job again, due now, with a fresh budget of attempts.")
)
_queue_command("cancel")(
    _change(queue.cancel, "Cancel a job that has not started (queued, failed waiting for a retry, or held).")
)


@_queue_command("stats")
def job_stats(as_json: bool = JsonOption) -> None:
    """Jobs per status across tenants, and how long the oldest due queued job has waited."""

    async def stats(session: AsyncSession) -> Result:
        return (await queue.queue_stats(session)).as_json()

    read_in(ACROSS_TENANTS, stats, as_json)
