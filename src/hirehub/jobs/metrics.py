"""Prometheus metrics of the job queue, on the process-wide registry.

Counters and the duration histogram move as a runner runs jobs. The depth and lateness gauges describe the
whole queue, not one process, so they are read from the database by :func:`refresh_queue_metrics`, which
whatever exposes ``/metrics`` calls periodically (``hirehub jobs run --metrics-port`` does).
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Counter, Gauge, Histogram

from hirehub.db.session import Database
from hirehub.jobs.queue import QueueStats, queue_stats
from hirehub.metrics import REGISTRY

JOBS_CLAIMED = Counter("hirehub_jobs_claimed_total", "Jobs claimed by a runner, by kind.", ["kind"], registry=REGISTRY)
JOBS_SUCCEEDED = Counter(
    "hirehub_jobs_succeeded_total", "Jobs whose handler succeeded, by kind.", ["kind"], registry=REGISTRY
)
JOBS_FAILED = Counter(
    "hirehub_jobs_failed_total",
    "Failed attempts that will be retried, by kind.",
    ["kind"],
    registry=REGISTRY,
)
JOBS_DEAD = Counter(
    "hirehub_jobs_dead_total",
    "Jobs that went dead (out of attempts, permanent failure, unknown kind), by kind.",
    ["kind"],
    registry=REGISTRY,
)
JOB_DURATION = Histogram(
    "hirehub_job_duration_seconds",
    "Time a handler ran for one attempt, whatever its outcome, by kind.",
    ["kind"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
QUEUE_DEPTH = Gauge("hirehub_jobs_queue_depth", "Jobs in each status, across tenants.", ["status"], registry=REGISTRY)
OLDEST_QUEUED_AGE = Gauge(
    "hirehub_jobs_oldest_queued_age_seconds",
    "How long the oldest due queued job has waited past its run_at (0 when none is waiting).",
    registry=REGISTRY,
)


async def refresh_queue_metrics(database: Database, now: datetime | None = None) -> QueueStats:
    """Read the queue's depth and lateness from the database into the gauges, and return them."""
    async with database.system_session() as session:
        stats = await queue_stats(session, now=now)
    for status, count in stats.depth.items():
        QUEUE_DEPTH.labels(status=status).set(count)
    OLDEST_QUEUED_AGE.set(stats.oldest_queued_age_seconds or 0.0)
    return stats
