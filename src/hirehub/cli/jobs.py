"""``hirehub job …`` (inspect and steer the queue) and ``hirehub worker`` (run it).

Jobs are looked up by id across tenants (a system session): an operator holding a job id from a log line
or a dead-letter alert should not need to know its tenant first. ``job list --tenant`` narrows to one.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import typer
from prometheus_client import start_http_server

from hirehub.cli.context import open_database, resolve_tenant_id
from hirehub.cli.output import CommandError, JsonOption, emit, run
from hirehub.db.session import Database
from hirehub.directories.entra.connector_factory import entra_connectors
from hirehub.directories.entra.runtime import runtime_from_settings
from hirehub.jobs import queue
from hirehub.jobs.errors import JobError
from hirehub.jobs.metrics import refresh_queue_metrics
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.jobs.registry import load_handlers
from hirehub.jobs.serialize import job_json
from hirehub.jobs.worker import Worker
from hirehub.logging import get_logger
from hirehub.metrics import REGISTRY
from hirehub.provisioning.dispatch import OutboxDispatcher
from hirehub.settings import get_settings
from hirehub.tenancy.service import TenancyError

job_app = typer.Typer(help="Durable jobs: list, inspect, retry and cancel queued work.")
log = get_logger("hirehub.jobs")

IdOption = typer.Option(..., "--id", help="The job's GUID.")
_TABLE_COLUMNS = ("id", "kind", "status", "ordering_key", "attempts", "run_at", "last_error")
"""What fits a terminal; ``--json`` and ``job show`` give everything."""


def _job_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a job id (a GUID)") from exc


def _status(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return JobStatus(value).value
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a job status ({', '.join(s.value for s in JobStatus)})") from exc


@job_app.command("list")
def job_list(
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant's jobs (GUID or domain)."),
    status: str | None = typer.Option(None, "--status", help="Only jobs in this status."),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000, help="At most this many, newest first."),
    as_json: bool = JsonOption,
) -> None:
    """List jobs, newest first."""

    async def action() -> dict[str, list[dict[str, Any]]]:
        wanted = _status(status)
        async with open_database() as database:
            if tenant is None:
                session = database.system_session()
            else:
                session = database.tenant_session(await resolve_tenant_id(database, tenant))
            async with session:
                jobs = [job_json(job) for job in await queue.list_jobs(session, wanted, limit)]
        return {"jobs": jobs if as_json else [{key: row[key] for key in _TABLE_COLUMNS} for row in jobs]}

    emit(run(action, as_json, (TenancyError,)), as_json)


@job_app.command("show")
def job_show(job_id: str = IdOption, as_json: bool = JsonOption) -> None:
    """Show one job, with its payload, result and last error."""

    async def action() -> dict[str, Any]:
        async with open_database() as database, database.system_session() as session:
            return job_json(await queue.get_job(session, _job_id(job_id)), full=True)

    emit(run(action, as_json, (JobError,)), as_json)


def _change(job_id: str, change: Callable[..., Awaitable[DurableJob]]) -> Callable[[], Awaitable[dict[str, Any]]]:
    async def action() -> dict[str, Any]:
        async with open_database() as database, database.system_transaction() as session:
            return job_json(await change(session, _job_id(job_id)), full=True)

    return action


@job_app.command("retry")
def job_retry(job_id: str = IdOption, as_json: bool = JsonOption) -> None:
    """Queue a dead, failed or cancelled job again, due now, with a fresh budget of attempts."""
    emit(run(_change(job_id, queue.retry), as_json, (JobError,)), as_json)


@job_app.command("cancel")
def job_cancel(job_id: str = IdOption, as_json: bool = JsonOption) -> None:
    """Cancel a job that has not started (queued, failed waiting for a retry, or held)."""
    emit(run(_change(job_id, queue.cancel), as_json, (JobError,)), as_json)


@job_app.command("stats")
def job_stats(as_json: bool = JsonOption) -> None:
    """Jobs per status across tenants, and how long the oldest due queued job has waited."""

    async def action() -> dict[str, Any]:
        async with open_database() as database, database.system_session() as session:
            return (await queue.queue_stats(session)).as_json()

    emit(run(action, as_json), as_json)


def worker(
    concurrency: int = typer.Option(8, "--concurrency", min=1, help="Jobs run at once."),
    poll_interval: float = typer.Option(1.0, "--poll-interval", min=0.01, help="Seconds between polls when idle."),
    lease_seconds: float = typer.Option(60.0, "--lease-seconds", min=0.1, help="Lease length; renewed while running."),
    shutdown_grace: float = typer.Option(
        30.0, "--shutdown-grace", min=0, help="Seconds running jobs get to finish on SIGINT/SIGTERM."
    ),
    worker_id: str | None = typer.Option(None, "--worker-id", help="Name in leases (default: host:pid:random)."),
    metrics_port: int | None = typer.Option(None, "--metrics-port", help="Serve Prometheus metrics on this port."),
    as_json: bool = JsonOption,
) -> None:
    """Run jobs until SIGINT or SIGTERM; running jobs then finish, or go back to the queue."""

    async def action() -> dict[str, Any]:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        runtime = runtime_from_settings(get_settings())
        # No ping before each checkout: a worker runs a transaction per claim and per batch of results, and
        # the ping was a round trip each. A connection the server dropped fails once; SQLAlchemy then
        # replaces the pool's connections, and the claim or job is retried like any transient error.
        async with open_database(pool_pre_ping=False) as database, entra_connectors(database, runtime):
            runner = Worker(
                database,
                load_handlers(),
                worker_id,
                concurrency=concurrency,
                lease=timedelta(seconds=lease_seconds),
                shutdown_grace=shutdown_grace,
                before_claim=[OutboxDispatcher(database)],
            )
            gauges = _serve_metrics(database, metrics_port, stop)
            try:
                await runner.run_forever(stop, poll_interval)
            finally:
                if gauges is not None:
                    gauges.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await gauges
                if runtime.http is not None:
                    await runtime.http.aclose()
        return {"worker_id": runner.worker_id, "jobs_run": runner.jobs_run}

    emit(run(action, as_json), as_json)


def _serve_metrics(database: Database, port: int | None, stop: asyncio.Event) -> asyncio.Task[None] | None:
    """Expose the registry over HTTP and keep the queue gauges fresh, when a port is given."""
    if port is None:
        return None
    start_http_server(port, registry=REGISTRY)

    async def refresh() -> None:
        while not stop.is_set():
            try:
                await refresh_queue_metrics(database)
            except Exception as exc:  # a scrape of stale gauges beats a dead worker
                log.warning("jobs.metrics_refresh_failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=15)

    return asyncio.create_task(refresh())
