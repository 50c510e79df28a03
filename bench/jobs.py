"""No-op job throughput on PostgreSQL: hirehub's durable jobs against Procrastinate, with 1 and 2 worker processes.

For each queue and each process count the benchmark makes a fresh database, starts the worker processes
and, while they start, puts N no-op jobs on the queue in bulk, due in the far future (not timed). Once every
worker is running it makes all the jobs due at one instant T0 and measures the wall clock from T0 until the
last job has succeeded. Both sides are set up alike:

* **hirehub**: ``hirehub.jobs.queue.enqueue`` of ``noop`` jobs without an ordering key (so they may run
  side by side), then 1 or 2 ``hirehub jobs run --concurrency 8 --poll-interval 0.1`` processes (the product's
  command, with the test-only ``noop`` kind added to the composition root's handlers) with
  ``HIREHUB_DATABASE_URL`` set, stopped with SIGTERM at the end;
* **Procrastinate** (installed into the running virtualenv when missing): an ``App`` on a
  ``PsycopgConnector`` (its asyncio connector; a pool of 10 connections, like the 10 of hirehub's engine),
  its schema applied, the jobs deferred with ``batch_defer_async``, then 1 or 2 processes running
  ``app.run_worker_async(concurrency=8, fetch_job_polling_interval=0.1)`` (listen/notify on, as by default),
  stopped with SIGTERM.

Concurrency is 8 jobs at once per process on both sides (hirehub's default; Procrastinate's default is 1),
and both poll every 0.1 s when idle, so that neither waits long for T0. The jobs are moved to T0 with one
``UPDATE`` (then ``VACUUM ANALYZE``) a moment before it: process start-up is not what is measured, and the
second process does not start late. The end of the run is the last completion the database recorded
(hirehub's ``job.finished_at``, Procrastinate's ``succeeded`` event). Jobs are kept after they succeed on
both sides, and hirehub's job runner also looks at the (empty) outbox every 0.5 s, as it always does.

It prints jobs per second for each queue and process count, and last the lower of the two ratios
hirehub / Procrastinate; the goal is at least 1.

    .venv/bin/python bench/jobs.py            # 20,000 jobs per run
    .venv/bin/python bench/jobs.py --quick    # 2,000, done within a minute
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.metadata
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.progress import Progress
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from support import (  # bench/support.py: the scripts run from this folder
    POSTGRES_ADMIN_URL,
    Subprocess,
    create_schema,
    temporary_postgres,
)

from hirehub import bootstrap
from hirehub.jobs import queue
from hirehub.jobs.context import Handler
from hirehub.provisioning.connectors import Connectors
from hirehub.tenancy import service as tenancy
from hirehub.testing.jobs import NOOP, noop

CONCURRENCY = 8
"""Jobs at once in each worker process, on both sides."""
POLL_INTERVAL = 0.1
"""Seconds an idle worker waits before it looks for due jobs again, on both sides."""
PROCRASTINATE_POOL = 10
"""Connections in a Procrastinate worker's pool (hirehub's engine keeps 10; one of these listens)."""
BATCH = 1000
LEAD_SECONDS = 1.0
LEAD_PER_JOB = 1 / 4000
"""Between moving the jobs to T0 and T0 there is time for the UPDATE and VACUUM (1 s, plus 1 s per 4,000 jobs)."""
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)
SCRIPT = os.path.abspath(__file__)


def _ensure_procrastinate() -> str:
    """Procrastinate's version, after installing it into this virtualenv if it is missing."""
    try:
        import procrastinate  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "procrastinate"], check=True)
        importlib.invalidate_caches()
    return importlib.metadata.version("procrastinate")


def _procrastinate_app(conninfo: str) -> tuple[Any, Any]:
    """Procrastinate's app on its asyncio psycopg connector, and its no-op task."""
    import procrastinate

    # Procrastinate warns about an app made in ``__main__`` because a worker that imports the task by its
    # dotted path would not find it; here every process makes the same app and names the task, so it would.
    logging.getLogger("procrastinate.blueprints").setLevel(logging.ERROR)
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=conninfo, min_size=PROCRASTINATE_POOL, max_size=PROCRASTINATE_POOL
        )
    )

    @app.task(name="noop")
    async def noop() -> None:
        return None

    return app, noop


async def _procrastinate_worker(conninfo: str) -> None:
    """What each Procrastinate worker process runs (``jobs.py --procrastinate-worker CONNINFO``)."""
    app, _ = _procrastinate_app(conninfo)
    async with app.open_async():
        await app.run_worker_async(concurrency=CONCURRENCY, fetch_job_polling_interval=POLL_INTERVAL)


def _hirehub_runner() -> None:
    """What each hirehub process runs (``jobs.py --hirehub-runner``): the product's ``hirehub jobs run``, with
    the ``noop`` kind added to the handlers the composition root gives it."""
    product = bootstrap.job_handlers

    def with_noop(connectors: Connectors) -> dict[str, Handler]:
        return {**product(connectors), NOOP: noop}

    bootstrap.job_handlers = with_noop
    from hirehub.cli import app

    app(
        args=["jobs", "run", "--concurrency", str(CONCURRENCY), "--poll-interval", str(POLL_INTERVAL)],
        prog_name="hirehub",
    )


async def _wait_until(
    condition: Callable[[], Awaitable[bool]], processes: list[Subprocess], seconds: float, what: str
) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        for process in processes:
            process.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {seconds:.0f} s waiting for {what}")
        await asyncio.sleep(0.2)


async def _scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql), params)).scalar()


async def _release(engine: AsyncEngine, update_sql: str, tables: str, count: int) -> datetime:
    """Make every job due at T0 (a lead from now), tidy the tables, and wait for T0; returns T0."""
    lead = LEAD_SECONDS + count * LEAD_PER_JOB
    t0 = datetime.now(UTC) + timedelta(seconds=lead)
    async with engine.begin() as conn:
        await conn.execute(text(update_sql), {"t0": t0})
    async with engine.connect() as conn:
        await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(text(f"VACUUM ANALYZE {tables}"))
    remaining = (t0 - datetime.now(UTC)).total_seconds()
    if remaining <= 0:
        raise RuntimeError(f"the UPDATE and VACUUM took longer than the {lead:.1f} s lead; raise LEAD_PER_JOB")
    await asyncio.sleep(remaining)
    return t0


@dataclass
class _Side:
    """One queue in one fresh database: how to fill it, start its workers, tell they are up, and time it."""

    engine: AsyncEngine
    fill: Callable[[], Awaitable[None]]
    command: list[str]
    env: dict[str, str]
    ready: Callable[[list[Subprocess]], Awaitable[bool]]
    release_sql: str
    vacuum: str
    done_sql: str
    span_sql: str


async def _measure(side: _Side, workers: int, count: int) -> float:
    """Seconds from T0 to the last completion. The workers start while the queue is filled (its jobs are due
    in the far future), so neither start-up is timed; they are stopped with SIGTERM afterwards."""
    processes = [await Subprocess.start(side.command, side.env) for _ in range(workers)]
    try:
        await side.fill()

        async def ready() -> bool:
            return await side.ready(processes)

        await _wait_until(ready, processes, 60, "the workers to start")
        t0 = await _release(side.engine, side.release_sql, side.vacuum, count)

        async def all_done() -> bool:
            return int(await _scalar(side.engine, side.done_sql)) >= count

        await _wait_until(all_done, processes, 60 + count / 20, f"{count} jobs to succeed")
        async with side.engine.connect() as conn:
            first, last = (await conn.execute(text(side.span_sql))).one()
    finally:
        for process in processes:
            await process.stop()
    assert first >= t0, (first, t0)  # nothing ran before it was released
    return (last - t0).total_seconds()


async def _hirehub(admin_url: str, count: int, workers: int, progress: Progress) -> float:
    async with temporary_postgres(admin_url, f"jobs_hirehub_{workers}") as url:
        if url is None:
            raise SystemExit("this benchmark needs PostgreSQL")
        await create_schema(url)
        database = bootstrap.open_database(url)
        try:
            async with database.system_transaction() as session:
                tenant_id: uuid.UUID = (
                    await tenancy.create_tenant(session, name="Bench", domain="jobs.bench.example")
                ).id

            async def fill() -> None:
                task = progress.add_task(f"hirehub: enqueueing for {workers} process(es)", total=count)
                for offset in range(0, count, BATCH):
                    size = min(BATCH, count - offset)
                    async with database.tenant_transaction(tenant_id) as session:
                        for _ in range(size):
                            await queue.enqueue(session, NOOP, {}, run_at=FAR_FUTURE)
                    progress.advance(task, size)
                progress.remove_task(task)

            async def ready(processes: list[Subprocess]) -> bool:
                return all(process.said("job_runner.started") for process in processes)

            side = _Side(
                engine=database.engine,
                fill=fill,
                command=[sys.executable, SCRIPT, "--hirehub-runner"],
                env={**os.environ, "HIREHUB_DATABASE_URL": url, "HIREHUB_ENV": "development"},
                ready=ready,
                release_sql="UPDATE job SET run_at = :t0",
                vacuum="job",
                done_sql="SELECT count(*) FROM job WHERE status = 'succeeded'",
                span_sql="SELECT min(heartbeat_at), max(finished_at) FROM job",
            )
            return await _measure(side, workers, count)
        finally:
            await database.dispose()


async def _procrastinate(admin_url: str, count: int, workers: int, progress: Progress) -> float:
    async with temporary_postgres(admin_url, f"jobs_procrastinate_{workers}") as url:
        if url is None:
            raise SystemExit("this benchmark needs PostgreSQL")
        conninfo = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        app, noop = _procrastinate_app(conninfo)
        engine = create_async_engine(url)
        try:
            async with app.open_async():
                await app.schema_manager.apply_schema_async()

            async def fill() -> None:
                task = progress.add_task(f"procrastinate: deferring for {workers} process(es)", total=count)
                deferrer = noop.configure(schedule_at=FAR_FUTURE)
                async with app.open_async():
                    for offset in range(0, count, BATCH):
                        size = min(BATCH, count - offset)
                        await deferrer.batch_defer_async(*({} for _ in range(size)))
                        progress.advance(task, size)
                progress.remove_task(task)

            async def ready(processes: list[Subprocess]) -> bool:
                return int(await _scalar(engine, "SELECT count(*) FROM procrastinate_workers")) >= len(processes)

            side = _Side(
                engine=engine,
                fill=fill,
                command=[sys.executable, SCRIPT, "--procrastinate-worker", conninfo],
                env=dict(os.environ),
                ready=ready,
                release_sql="UPDATE procrastinate_jobs SET scheduled_at = :t0",
                vacuum="procrastinate_jobs, procrastinate_events",
                done_sql="SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'",
                span_sql="SELECT min(at) FILTER (WHERE type = 'started'), max(at) FILTER (WHERE type = 'succeeded')"
                " FROM procrastinate_events",
            )
            return await _measure(side, workers, count)
        finally:
            await engine.dispose()


async def _run(admin_url: str, count: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    with Progress(transient=True) as progress:
        for workers in (1, 2):
            suffix = "1_process" if workers == 1 else f"{workers}_processes"
            overall = progress.add_task(f"{workers} process(es): hirehub, then Procrastinate", total=None)
            figures[f"hirehub_jobs_per_second_{suffix}"] = count / await _hirehub(admin_url, count, workers, progress)
            figures[f"procrastinate_jobs_per_second_{suffix}"] = count / await _procrastinate(
                admin_url, count, workers, progress
            )
            progress.remove_task(overall)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="2,000 jobs per run instead of 20,000")
    parser.add_argument("--count", type=int, help="jobs per run (overrides --quick)")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--procrastinate-worker", metavar="CONNINFO", help=argparse.SUPPRESS)
    parser.add_argument("--hirehub-runner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hirehub_runner:
        _hirehub_runner()
        return
    if args.procrastinate_worker:
        asyncio.run(_procrastinate_worker(args.procrastinate_worker))
        return
    count = args.count or (2_000 if args.quick else 20_000)
    print(f"procrastinate_installed: {_ensure_procrastinate()}")
    figures = asyncio.run(_run(args.postgres_admin_url, count))
    print(f"jobs: {count}")
    print(f"concurrency_per_process: {CONCURRENCY}")
    order = ("1_process", "2_processes")
    for system in ("hirehub", "procrastinate"):
        for suffix in order:
            print(f"{system}_jobs_per_second_{suffix}: {figures[f'{system}_jobs_per_second_{suffix}']:,.1f}")
    ratios = [figures[f"hirehub_jobs_per_second_{s}"] / figures[f"procrastinate_jobs_per_second_{s}"] for s in order]
    for suffix, ratio in zip(order, ratios, strict=True):
        print(f"hirehub_to_procrastinate_ratio_{suffix}: {ratio:.2f}")
    print(f"hirehub_to_procrastinate_ratio_worst: {min(ratios):.2f}")


if __name__ == "__main__":
    main()
