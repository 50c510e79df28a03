"""``GET /admin/v1/jobs/{id}``: the job as it is now, with the history of its attempts; another tenant's is a 404."""

from __future__ import annotations

from datetime import UTC, datetime

from hirehub.db.session import Database
from hirehub.jobs import RetryLater, enqueue
from hirehub.jobs.context import JobContext
from hirehub.jobs.runner import JobRunner
from tests.api.conftest import Hub
from tests.jobs.conftest import ManualClock
from tests.security.conftest import Integration, set_up_integration


async def test_a_job_that_succeeded_after_a_failure_shows_success_and_the_failure_in_its_attempts(
    hub: Hub, database: Database, administrator: Integration
) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    async with database.tenant_transaction(administrator.tenant_id) as session:
        job = await enqueue(session, "test.flaky", {}, now=clock())

    async def flaky(context: JobContext) -> None:
        if context.attempt == 1:
            raise RetryLater(1, "Graph answered 503")

    runner = JobRunner(database, {"test.flaky": flaky}, "runner-1", clock)
    await runner.run_once()
    clock.advance(3600)
    await runner.run_once()

    shown = await hub.client.get(f"/admin/v1/jobs/{job.id}", headers=await hub.bearer(administrator))
    assert shown.status_code == 200
    body = shown.json()
    assert (body["status"], body["last_error"], body["attempts"]) == ("succeeded", None, 2)
    assert [(a["attempt"], a["outcome"], a["error"], a["runner_id"]) for a in body["history"]] == [
        (1, "failed", "RetryLater: Graph answered 503", "runner-1"),
        (2, "succeeded", None, "runner-1"),
    ]

    fabrikam = await set_up_integration(database, "fabrikam.example", roles=("System Administrator",))
    theirs = await hub.client.get(f"/admin/v1/jobs/{job.id}", headers=await hub.bearer(fabrikam))
    assert theirs.status_code == 404
