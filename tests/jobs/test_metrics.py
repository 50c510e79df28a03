"""Queue metrics: counters move as jobs run, and the depth gauges read the whole queue from the database."""

from __future__ import annotations

import uuid

from hirehub.db.session import Database
from hirehub.jobs import PermanentFailure
from hirehub.jobs.context import JobContext
from hirehub.jobs.metrics import refresh_queue_metrics
from hirehub.jobs.runner import JobRunner
from hirehub.metrics import REGISTRY
from tests.jobs.conftest import ManualClock
from tests.jobs.support import add_job


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_running_jobs_counts_claims_successes_failures_and_dead_letters_by_kind(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    kind = f"test.metrics.{uuid.uuid4().hex[:8]}"  # counters are process-wide: a kind of this test's own

    async def handler(context: JobContext) -> None:
        outcome = context.payload["outcome"]
        if outcome == "fail":
            raise TimeoutError("slow directory")
        if outcome == "dead":
            raise PermanentFailure("refused")

    for outcome in ("ok", "ok", "fail", "dead"):
        await add_job(database, tenant_id, clock(), kind, {"outcome": outcome})
    await JobRunner(database, {kind: handler}, "w1", clock).run_once()

    assert _sample("hirehub_jobs_claimed_total", kind=kind) == 4
    assert _sample("hirehub_jobs_succeeded_total", kind=kind) == 2
    assert _sample("hirehub_jobs_failed_total", kind=kind) == 1
    assert _sample("hirehub_jobs_dead_total", kind=kind) == 1
    assert _sample("hirehub_job_duration_seconds_count", kind=kind) == 4


async def test_refreshing_the_queue_gauges_reads_depth_per_status_and_the_oldest_waiting_age(
    database: Database, tenant_id: uuid.UUID, clock: ManualClock
) -> None:
    await add_job(database, tenant_id, clock())
    await add_job(database, tenant_id, clock())
    clock.advance(90)

    await refresh_queue_metrics(database, now=clock())

    assert _sample("hirehub_jobs_queue_depth", status="queued") == 2
    assert _sample("hirehub_jobs_queue_depth", status="dead") == 0
    assert _sample("hirehub_jobs_oldest_queued_age_seconds") == 90
