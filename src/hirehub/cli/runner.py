"""``hirehub jobs run``: the job runner, until SIGINT or SIGTERM; ``hirehub worker`` is its deprecated old name.

The runner is built by the composition root (:meth:`hirehub.bootstrap.Hub.job_runner`), with the same job
handlers, event routes and directory connectors as the API, so a job runs the same wherever it was queued. Like
``hirehub serve``, it refuses to start outside development with an unsafe ``HIREHUB_SECRET_KEY``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import signal
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import typer
import uvicorn
from prometheus_client import make_asgi_app
from starlette.types import ASGIApp, Receive, Scope, Send

from hirehub.api.operations_access import OperationsAccess
from hirehub.api.problems import problem_response
from hirehub.cli.context import open_hub
from hirehub.cli.output import JsonOption, respond, warn
from hirehub.db.session import Database
from hirehub.jobs.metrics import refresh_queue_metrics
from hirehub.logging import get_logger
from hirehub.metrics import REGISTRY
from hirehub.sealing import require_safe_key
from hirehub.settings import Environment, Settings, get_settings

log = get_logger("hirehub.jobs")

METRICS_REFRESH_SECONDS = 15.0
"""How often the queue gauges are recomputed while metrics are served: a scrape may see them that stale."""


def run_jobs(
    concurrency: int = typer.Option(32, "--concurrency", min=1, help="Jobs run at once."),
    poll_interval: float = typer.Option(1.0, "--poll-interval", min=0.01, help="Seconds between polls when idle."),
    lease_seconds: float = typer.Option(60.0, "--lease-seconds", min=0.1, help="Lease length; renewed while running."),
    shutdown_grace: float = typer.Option(
        30.0, "--shutdown-grace", min=0, help="Seconds running jobs get to finish on SIGINT/SIGTERM."
    ),
    runner_id: str | None = typer.Option(
        None, "--runner-id", "--worker-id", help="Name in leases (default: host:pid:random)."
    ),
    metrics_port: int | None = typer.Option(None, "--metrics-port", help="Serve Prometheus metrics on this port."),
    metrics_host: str = typer.Option(
        "127.0.0.1", "--metrics-host", help="Address the metrics port listens on (0.0.0.0 for every interface)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Run jobs until SIGINT or SIGTERM; running jobs then finish, or go back to the queue."""

    async def action() -> dict[str, Any]:
        require_safe_key(get_settings())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        # No ping before each checkout: a runner makes a transaction per claim and per batch of results, and
        # the ping was a round trip each. A connection the server dropped fails once; SQLAlchemy then
        # replaces the pool's connections, and the claim or job is retried like any transient error.
        async with open_hub(pool_pre_ping=False) as hub:
            runner = hub.job_runner(
                runner_id=runner_id,
                concurrency=concurrency,
                poll_interval=poll_interval,
                lease=timedelta(seconds=lease_seconds),
                shutdown_grace=shutdown_grace,
            )
            # A long-running process whose modules, models and handlers are all loaded now: out of the collector's
            # reach, a full collection no longer rescans them, which showed as a job now and then starting tens
            # of milliseconds late (see HIREHUB_FREEZE_GC_AT_STARTUP for the server's).
            gc.collect()
            gc.freeze()
            endpoint = MetricsEndpoint(host=metrics_host, port=metrics_port) if metrics_port is not None else None
            async with _serving_metrics(hub.database, endpoint, get_settings(), stop):
                await runner.run_forever(stop)
        # "worker_id", as the job table names a lease's owner: scripts read the same key from either command.
        return {"worker_id": runner.runner_id, "jobs_run": runner.jobs_run}

    respond(action, as_json)


@functools.wraps(run_jobs)
def worker(*args: Any, **kwargs: Any) -> None:
    warn("`hirehub worker` is deprecated and will be removed: use `hirehub jobs run` (same options)")
    run_jobs(*args, **kwargs)


worker.__doc__ = "Deprecated: the old name of `hirehub jobs run`; it says so on stderr, then runs it."


@dataclass(frozen=True)
class MetricsEndpoint:
    host: str
    port: int


def metrics_app(settings: Settings) -> ASGIApp:
    """``/metrics`` of the registry under the same rule as the API's: open in development, else behind
    ``HIREHUB_OPERATIONS_TOKEN`` (closed without one); every other path is a 404."""
    exposition = make_asgi_app(registry=REGISTRY)

    async def only_metrics(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] != "/metrics":
            await problem_response(404, "Not Found", "Not Found")(scope, receive, send)
            return
        await exposition(scope, receive, send)

    return OperationsAccess(
        only_metrics, open_to_all=settings.env is Environment.DEVELOPMENT, token=settings.operations_token
    )


class _MetricsServer(uvicorn.Server):
    """uvicorn without its signal handlers: SIGINT and SIGTERM belong to the runner, which stops this server."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def _serving_metrics(
    database: Database, endpoint: MetricsEndpoint | None, settings: Settings, stop: asyncio.Event
) -> AsyncIterator[None]:
    """Expose the registry over HTTP and keep the queue gauges fresh while the block runs, when given a port."""
    if endpoint is None:
        yield
        return
    config = uvicorn.Config(
        metrics_app(settings), host=endpoint.host, port=endpoint.port, lifespan="off", log_level="warning",
        access_log=False,
    )  # fmt: skip
    server = _MetricsServer(config)
    serving = asyncio.create_task(server.serve())

    async def refresh() -> None:
        while not stop.is_set():
            try:
                await refresh_queue_metrics(database)
            except Exception as exc:  # a scrape of stale gauges beats a dead runner
                log.warning("jobs.metrics_refresh_failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=METRICS_REFRESH_SECONDS)

    gauges = asyncio.create_task(refresh())
    try:
        yield
    finally:
        gauges.cancel()
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await gauges
        await serving
