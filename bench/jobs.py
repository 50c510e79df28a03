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
both sides, and hirehub's job runner also looks at the (empty) outbox every 0.5 s, as it always does. (Both
sides LISTEN too, but moving the jobs' due time notifies neither: the polls find them.)

It prints jobs per second for each queue and process count, and the lower of the two ratios
hirehub / Procrastinate (``hirehub_to_procrastinate_ratio_worst``; the goal is at least 1).

Then **enqueue-to-start latency under steady arrival**: in a fresh database per side, two worker processes
(concurrency 8, each side's *default* idle poll: 1 s for ``hirehub jobs run``, 5 s for Procrastinate, both woken
by PostgreSQL LISTEN/NOTIFY) are started and left idle; the benchmark then enqueues one job per transaction at a
steady ``--rate`` for ``--seconds`` (200 jobs at the least): 50 a second, or a quarter of the slower side's
two-process throughput just measured if that is less, so that both sides can follow it, through each product's
own enqueue API (``hirehub.jobs.queue.enqueue`` in a tenant transaction; ``defer_async``), each arrival in its
own task (four at most in flight) so that a slow enqueue does not delay the next. A job's latency is its start
minus its enqueue's commit, taken as the moment the commit is asked for (hirehub: before COMMIT is sent, the
INSERT and NOTIFY done; Procrastinate: before its one deferring statement, which commits in autocommit), so it
includes the commit's round trip on both sides and is never measured from after the worker may already have
started; the start is when the worker claimed it (hirehub's ``job.started_at``, the runner's clock as it claims;
Procrastinate's ``started`` event, the server's clock in the fetching transaction; one machine, one clock). It
includes the notification's delivery, the worker waking, its claim and, when the worker is busy, queueing behind
other jobs; it does not include the enqueue itself or running the job. Printed: p50 and p99 per side, their
ratios, and last ``hirehub_to_procrastinate_latency_ratio``, the p99 ratio (the tail is what a steady stream of
jobs feels and what a missed wake-up would show; the p50 ratio is printed beside it). The goal is at most 1.

    .venv/bin/python bench/jobs.py            # 20,000 jobs per throughput run; 60 s of arrivals
    .venv/bin/python bench/jobs.py --quick    # 2,000, and 10 s of arrivals: done within about a minute
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.metadata
import logging
import math
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
from hirehub.jobs.wakeups import APPLICATION_NAME
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
START_TIMEOUT = 300.0
"""Seconds a worker process may take to start (not timed; importing the hub takes minutes on a loaded machine)."""
LATENCY_WORKERS = 2
"""Worker processes on each side in the latency run."""
RATE = 50.0
"""Jobs enqueued per second in the latency run, unless that is more than the workers can follow:"""
RATE_SHARE = 0.25
"""at most this share of the slower side's two-process throughput measured just before (on a machine
loaded by other work, 50 a second can be more than either side drains, and latency would then measure a
growing queue instead of how fast an idle worker wakes)."""
MIN_ARRIVALS = 200
"""Jobs in a latency run at the least, however low the rate: with fewer, p99 would be the single worst job."""
ENQUEUERS = 4
"""Enqueues in flight at once in the latency run, fewer than either side's pool of connections."""
SETTLE_SECONDS = 1.0
"""Between the workers saying they are up and the first arrival: their listeners connect, their first polls end."""


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


async def _procrastinate_worker(conninfo: str, poll_interval: float | None) -> None:
    """What each Procrastinate worker process runs (``jobs.py --procrastinate-worker CONNINFO``); its own
    default poll interval when ``poll_interval`` is None."""
    app, _ = _procrastinate_app(conninfo)
    options: dict[str, Any] = {} if poll_interval is None else {"fetch_job_polling_interval": poll_interval}
    async with app.open_async():
        await app.run_worker_async(concurrency=CONCURRENCY, **options)


def _hirehub_runner(poll_interval: float | None) -> None:
    """What each hirehub process runs (``jobs.py --hirehub-runner``): the product's ``hirehub jobs run``, with
    the ``noop`` kind added to the handlers the composition root gives it; its default poll interval when
    ``poll_interval`` is None."""
    product = bootstrap.job_handlers

    def with_noop(connectors: Connectors) -> dict[str, Handler]:
        return {**product(connectors), NOOP: noop}

    bootstrap.job_handlers = with_noop
    from hirehub.cli import app

    poll = [] if poll_interval is None else ["--poll-interval", str(poll_interval)]
    app(args=["jobs", "run", "--concurrency", str(CONCURRENCY), *poll], prog_name="hirehub")


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

        await _wait_until(ready, processes, START_TIMEOUT, "the workers to start")
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
                command=[sys.executable, SCRIPT, "--hirehub-runner", "--poll-interval", str(POLL_INTERVAL)],
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
                command=[
                    sys.executable,
                    SCRIPT,
                    "--procrastinate-worker",
                    conninfo,
                    "--poll-interval",
                    str(POLL_INTERVAL),
                ],
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


@dataclass(frozen=True)
class Latency:
    """Enqueue-to-start latencies of one side, in milliseconds, and the arrival rate it actually got."""

    p50_ms: float
    p99_ms: float
    achieved_rate: float


def _percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value at least ``fraction`` of ``values`` do not exceed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def _steady_arrivals(
    enqueue_one: Callable[[], Awaitable[tuple[Any, datetime]]], count: int, rate: float
) -> dict[Any, datetime]:
    """Enqueue ``count`` jobs, the i-th at i / ``rate`` seconds from now (or as soon as it can), each in its own
    transaction and task, at most :data:`ENQUEUERS` at once: a slow enqueue does not hold up the next arrival,
    and no enqueue waits for a connection of its pool (both sides keep more). Returns each job's id with the
    moment its commit was asked for."""
    enqueuers = asyncio.Semaphore(ENQUEUERS)

    async def arrive(index: int) -> tuple[Any, datetime]:
        delay = started + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        async with enqueuers:
            return await enqueue_one()

    started = time.monotonic()
    return dict(await asyncio.gather(*(arrive(index) for index in range(count))))


async def _latency(
    *,
    engine: AsyncEngine,
    command: list[str],
    env: dict[str, str],
    ready: Callable[[list[Subprocess]], Awaitable[bool]],
    enqueue_one: Callable[[], Awaitable[tuple[Any, datetime]]],
    starts_sql: str,
    count: int,
    rate: float,
) -> Latency:
    """Start the workers, let them go idle, enqueue at a steady rate, wait for every job to succeed and read when
    each started (``starts_sql``: job id and start time)."""
    processes = [await Subprocess.start(command, env) for _ in range(LATENCY_WORKERS)]
    try:

        async def all_ready() -> bool:
            return await ready(processes)

        await _wait_until(all_ready, processes, START_TIMEOUT, "the workers to start and listen")
        await asyncio.sleep(SETTLE_SECONDS)
        began = time.monotonic()
        committed = await _steady_arrivals(enqueue_one, count, rate)
        achieved = count / (time.monotonic() - began) if count > 1 else rate

        async def all_started() -> bool:
            async with engine.connect() as conn:
                return len((await conn.execute(text(starts_sql))).all()) >= count

        await _wait_until(all_started, processes, START_TIMEOUT, f"{count} jobs to start")
        async with engine.connect() as conn:
            starts = {row[0]: row[1] for row in await conn.execute(text(starts_sql))}
    finally:
        for process in processes:
            await process.stop()
    latencies = [(starts[job_id] - at).total_seconds() * 1000 for job_id, at in committed.items()]
    return Latency(_percentile(latencies, 0.50), _percentile(latencies, 0.99), achieved)


async def _hirehub_latency(admin_url: str, count: int, rate: float) -> Latency:
    async with temporary_postgres(admin_url, "jobs_latency_hirehub") as url:
        if url is None:
            raise SystemExit("this benchmark needs PostgreSQL")
        await create_schema(url)
        database = bootstrap.open_database(url)
        try:
            async with database.system_transaction() as session:
                tenant_id: uuid.UUID = (
                    await tenancy.create_tenant(session, name="Bench", domain="latency.bench.example")
                ).id

            async def enqueue_one() -> tuple[uuid.UUID, datetime]:
                async with database.tenant_session(tenant_id) as session, session.begin():
                    job = await queue.enqueue(session, NOOP, {})
                    await session.flush()
                    committing = datetime.now(UTC)  # the block's end sends COMMIT
                return job.id, committing

            async def ready(processes: list[Subprocess]) -> bool:
                listening = await _scalar(
                    database.engine,
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"
                    " AND datname = current_database()",
                    name=APPLICATION_NAME,
                )
                return all(process.said("job_runner.started") for process in processes) and listening >= len(processes)

            return await _latency(
                engine=database.engine,
                command=[sys.executable, SCRIPT, "--hirehub-runner"],
                env={**os.environ, "HIREHUB_DATABASE_URL": url, "HIREHUB_ENV": "development"},
                ready=ready,
                enqueue_one=enqueue_one,
                starts_sql="SELECT id, started_at FROM job WHERE started_at IS NOT NULL",
                count=count,
                rate=rate,
            )
        finally:
            await database.dispose()


async def _procrastinate_latency(admin_url: str, count: int, rate: float) -> Latency:
    async with temporary_postgres(admin_url, "jobs_latency_procrastinate") as url:
        if url is None:
            raise SystemExit("this benchmark needs PostgreSQL")
        conninfo = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        app, noop = _procrastinate_app(conninfo)
        engine = create_async_engine(url)
        try:
            async with app.open_async():
                await app.schema_manager.apply_schema_async()

            async def ready(processes: list[Subprocess]) -> bool:
                return int(await _scalar(engine, "SELECT count(*) FROM procrastinate_workers")) >= len(processes)

            async def enqueue_one() -> tuple[int, datetime]:
                committing = datetime.now(UTC)  # one statement in autocommit: its end is the commit
                return await noop.defer_async(), committing

            async with app.open_async():
                return await _latency(
                    engine=engine,
                    command=[sys.executable, SCRIPT, "--procrastinate-worker", conninfo],
                    env=dict(os.environ),
                    ready=ready,
                    enqueue_one=enqueue_one,
                    starts_sql="SELECT job_id, at FROM procrastinate_events WHERE type = 'started'",
                    count=count,
                    rate=rate,
                )
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


def _print_throughput(count: int, figures: dict[str, float]) -> None:
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


def _print_latency(count: int, rate: float, hirehub: Latency, procrastinate: Latency) -> None:
    print(f"latency_jobs: {count}")
    print(f"latency_arrival_rate_per_second: {rate:,.1f}")
    print(f"latency_worker_processes: {LATENCY_WORKERS}")
    for name, side in (("hirehub", hirehub), ("procrastinate", procrastinate)):
        print(f"{name}_achieved_arrival_rate_per_second: {side.achieved_rate:,.1f}")
        print(f"{name}_latency_p50_ms: {side.p50_ms:,.1f}")
        print(f"{name}_latency_p99_ms: {side.p99_ms:,.1f}")
    print(f"hirehub_to_procrastinate_latency_ratio_p50: {hirehub.p50_ms / procrastinate.p50_ms:.2f}")
    print(f"hirehub_to_procrastinate_latency_ratio: {hirehub.p99_ms / procrastinate.p99_ms:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="2,000 jobs per run instead of 20,000")
    parser.add_argument("--count", type=int, help="jobs per run (overrides --quick)")
    parser.add_argument(
        "--rate", type=float, help="jobs enqueued per second in the latency run (default: 50, or less, see RATE_SHARE)"
    )
    parser.add_argument("--seconds", type=float, help="seconds of arrivals in the latency run (10 quick, 60 full)")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--procrastinate-worker", metavar="CONNINFO", help=argparse.SUPPRESS)
    parser.add_argument("--hirehub-runner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--poll-interval", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hirehub_runner:
        _hirehub_runner(args.poll_interval)
        return
    if args.procrastinate_worker:
        asyncio.run(_procrastinate_worker(args.procrastinate_worker, args.poll_interval))
        return
    count = args.count or (2_000 if args.quick else 20_000)
    print(f"procrastinate_installed: {_ensure_procrastinate()}")
    figures = asyncio.run(_run(args.postgres_admin_url, count))
    slower = min(figures["hirehub_jobs_per_second_2_processes"], figures["procrastinate_jobs_per_second_2_processes"])
    rate = args.rate or min(RATE, RATE_SHARE * slower)
    arrivals = max(MIN_ARRIVALS, round(rate * (args.seconds or (10 if args.quick else 60))))
    hirehub = asyncio.run(_hirehub_latency(args.postgres_admin_url, arrivals, rate))
    procrastinate = asyncio.run(_procrastinate_latency(args.postgres_admin_url, arrivals, rate))
    _print_throughput(count, figures)
    _print_latency(arrivals, rate, hirehub, procrastinate)


if __name__ == "__main__":
    main()
