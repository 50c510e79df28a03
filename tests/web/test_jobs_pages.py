"""Jobs: the tenant's queue by status and kind, a dead job retried, a queued job cancelled, other tenants unseen."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from hirehub.db.session import Database
from hirehub.jobs import RetryLater
from hirehub.jobs.context import JobContext
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.jobs.queue import enqueue
from hirehub.jobs.runner import JobRunner
from tests.hr.conftest import HR
from tests.jobs.conftest import ManualClock
from tests.web.console_support import post_form, signed_in, tenant_with_hr
from tests.web.support import screenshot, sign_in

pytestmark = pytest.mark.browser


async def _job(hr: HR, kind: str, status: JobStatus, error: str | None = None) -> DurableJob:
    """A job of the tenant left in ``status`` (as the worker leaves a job that ran out of attempts: dead)."""
    async with hr.transaction() as session:
        job = await enqueue(session, kind, {"person": "P-1"}, max_attempts=3)
        job.status = status.value
        if status is JobStatus.DEAD:
            job.attempts, job.last_error = 3, error
    return job


async def _now(hr: HR, job: DurableJob) -> DurableJob:
    """The job as stored now (its primary key is the sequence; the page names it by id)."""
    [stored] = await hr.rows(DurableJob, id=job.id)
    return stored


async def test_a_dead_job_is_retried_from_the_dead_filter(page: Page, live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    dead = await _job(hr, "provisioning.sync_worker", JobStatus.DEAD, "Graph said 503 three times")
    await _job(hr, "provisioning.reconcile", JobStatus.QUEUED)
    await sign_in(page, live_hub, admin)

    await page.get_by_role("link", name="Background jobs", exact=True).click()
    await expect(page.locator("[data-status=dead]")).to_have_text("1")
    await page.get_by_label("Status").select_option("dead")
    await page.get_by_role("button", name="Filter").click()
    rows = page.locator("tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows).to_contain_text("Graph said 503 three times")
    await screenshot(page, "jobs-dead")
    await rows.get_by_role("button", name="Retry").click()

    await expect(page.get_by_role("status")).to_have_text("Job provisioning.sync_worker was queued again")
    await expect(page).to_have_url(
        f"{live_hub}/console/jobs/?status=dead&notice=Job+provisioning.sync_worker+was+queued+again"
    )
    retried = await _now(hr, dead)
    assert (retried.status, retried.attempts) == (JobStatus.QUEUED.value, 0)


async def test_a_queued_job_is_cancelled(page: Page, live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    queued = await _job(hr, "provisioning.sync_worker", JobStatus.QUEUED)
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/jobs/?kind=provisioning.sync_worker")

    await page.get_by_role("button", name="Cancel job").click()

    await expect(page.get_by_role("status")).to_have_text("Job provisioning.sync_worker was cancelled")
    assert (await _now(hr, queued)).status == JobStatus.CANCELLED.value
    await screenshot(page, "jobs")


async def test_retrying_a_job_that_is_not_stopped_is_refused_with_the_reason(live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    queued = await _job(hr, "provisioning.sync_worker", JobStatus.QUEUED)
    async with signed_in(live_hub, admin) as client:
        answer = await post_form(client, "/console/jobs/", f"/console/jobs/{queued.id}/retry", {})
        shown = await client.get(answer.headers["location"])
    assert "only a job that is dead, failed, cancelled can be retried" in shown.text
    assert (await _now(hr, queued)).status == JobStatus.QUEUED.value


async def test_a_retry_posted_with_a_forged_csrf_token_is_refused(live_hub: str, database: Database) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    dead = await _job(hr, "provisioning.sync_worker", JobStatus.DEAD, "boom")
    async with signed_in(live_hub, admin) as client:
        answer = await client.post(f"/console/jobs/{dead.id}/retry", data={"csrf_token": "forged"})
    assert answer.status_code == 403
    assert (await _now(hr, dead)).status == JobStatus.DEAD.value


async def test_another_tenants_jobs_are_neither_listed_nor_retryable(
    page: Page, live_hub: str, database: Database
) -> None:
    contoso, _ = await tenant_with_hr(database, "contoso.example", "Contoso")
    _, fabrikam_hr = await tenant_with_hr(database, "fabrikam.example", "Fabrikam")
    theirs = await _job(fabrikam_hr, "fabrikam.secret_kind", JobStatus.DEAD, "fabrikam's error")
    await sign_in(page, live_hub, contoso)

    await page.goto(f"{live_hub}/console/jobs/")
    content = await page.content()
    assert "fabrikam" not in content
    await expect(page.locator("[data-status=dead]")).to_have_text("0")

    async with signed_in(live_hub, contoso) as client:
        answer = await post_form(client, "/console/jobs/", f"/console/jobs/{theirs.id}/retry", {})
        shown = await client.get(answer.headers["location"])
    assert f"no job has the id {theirs.id}" in shown.text
    assert (await _now(fabrikam_hr, theirs)).status == JobStatus.DEAD.value


async def _succeeded_after_two_failures(database: Database, hr: HR) -> DurableJob:
    """A job whose handler failed twice (the directory was busy) and then succeeded, run by a real runner."""
    job = await _job(hr, "provisioning.sync_worker", JobStatus.QUEUED)
    clock = ManualClock(job.run_at)

    async def flaky(context: JobContext) -> None:
        if context.attempt < 3:
            raise RetryLater(1, f"Graph answered 503 (attempt {context.attempt})")

    runner = JobRunner(database, {"provisioning.sync_worker": flaky}, "runner-7", clock)
    for _ in range(3):
        await runner.run_once()
        clock.advance(3600)
    return await _now(hr, job)


async def test_a_job_that_succeeded_after_failures_shows_success_and_its_failed_attempts(
    page: Page, live_hub: str, database: Database
) -> None:
    admin, hr = await tenant_with_hr(database, "contoso.example", "Contoso")
    job = await _succeeded_after_two_failures(database, hr)
    await sign_in(page, live_hub, admin)
    await page.goto(f"{live_hub}/console/jobs/")

    await expect(page.locator(f"tr[data-job='{job.id}']")).not_to_contain_text("Graph answered 503")
    await page.get_by_role("link", name=f"Job {job.sequence} (provisioning.sync_worker)").click()

    await expect(page).to_have_url(f"{live_hub}/console/jobs/{job.id}")
    await expect(page.get_by_test_id("job-status")).to_have_text("succeeded")
    await expect(page.get_by_test_id("job-error")).to_have_text("—")
    rows = page.get_by_test_id("attempt-row")
    await expect(rows).to_have_count(3)
    await expect(rows.nth(0)).to_contain_text("Graph answered 503 (attempt 1)")
    await expect(rows.nth(1)).to_contain_text("Graph answered 503 (attempt 2)")
    await expect(rows.nth(2)).to_contain_text("succeeded")
    await expect(rows.nth(2)).to_contain_text("runner-7")
    await screenshot(page, "job-history")


async def test_another_tenants_job_page_is_not_found(live_hub: str, database: Database) -> None:
    contoso, _ = await tenant_with_hr(database, "contoso.example", "Contoso")
    _, fabrikam_hr = await tenant_with_hr(database, "fabrikam.example", "Fabrikam")
    theirs = await _job(fabrikam_hr, "fabrikam.secret_kind", JobStatus.DEAD, "fabrikam's error")

    async with signed_in(live_hub, contoso) as client:
        answers = [await client.get(f"/console/jobs/{theirs.id}"), await client.get("/console/jobs/not-a-guid")]

    assert [a.status_code for a in answers] == [404, 404]
    assert all("fabrikam" not in a.text for a in answers)
