"""LinkedIn RSC data sync (Module 2): one customer's two years of history, from enablement to every record synced,
against the minimum LinkedIn's rules allow, with the rules' violations and the 429s.

The rules (*Sync Jobs*, *Sync Candidates*, *Sync Applications*): batches of at most 100 records, one after another;
candidates and applications at most 10,000 records a minute per application (the hub paces each resource at one
full batch every 0.6 s, answer to call), and 100,000 requests a day. Reading a batch of candidates' matches is a
``batch_get`` of the same resource, counted against the same records a minute. So the calls the rules force are

* ``⌈jobs / 100⌉`` job-posting batches, one after another (no pacing beyond that; their tasks are read back);
* ``2 × ⌈candidates / 100⌉`` candidate calls (each batch and its match read), 0.6 s apart;
* ``⌈applications / 100⌉`` application calls, 0.6 s apart (the first sync of an application sends no stage: see
  :func:`hirehub.linkedin.data_send.stage_to_send`),

and the minimum is ``(candidate calls + application calls − 1) × 0.6 s``: an application names its candidate, so
the hub sends the candidates before the applications (``minimum_overlapped_s`` prints the lower bound of a hub that
would overlap the two resources' budgets, for reference; the headline is against the sequential one). Job postings
are not paced, so their round trips count against the hub.

Everything runs for real: the emulator (:mod:`hirehub.sandbox.linkedin`, its quotas, required fields, posting tasks
and member matching) served by uvicorn on a loopback port in a thread of this process (its world read afterwards);
a fresh PostgreSQL database; the tenant's customer app provisioned through the emulator, its organization ENABLED
there; the HR rows inserted in bulk through the product's models (not timed, no outbox events: history is what
the sync enumerates); then one ``hirehub worker`` process (one organization's sends share one ordering key, so a
second process would only wait) and the enablement as the push notification handler does it
(``data_queue.start_history_once``). ``elapsed_s`` runs from that commit to the last record's ``synced_at``.
When every job is done, every record is checked in the hub (synced) and in the emulator (held).

Applications are job application rows (``JobApplication``), spread over the candidates as evenly as the counts
allow (1.5 a candidate at both sizes), each of a candidate's applications to a different request; no candidate
names a request of its own, so every application is a row.

    .venv/bin/python bench/rsc_sync.py            # 20,000 jobs, 200,000 candidates, 300,000 applications (≥ 70 min)
    .venv/bin/python bench/rsc_sync.py --quick    # 200 jobs, 2,000 candidates, 3,000 applications
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text
from support import POSTGRES_ADMIN_URL, Subprocess, create_schema, temporary_postgres  # bench/support.py

from hirehub.db.session import Database
from hirehub.hr.models import CandidateToHire, JobApplication, RecruitingRequest, RecruitingRequestLocation
from hirehub.hr.models.options import RecruitingRequestStatus
from hirehub.linkedin import data_queue, operations
from hirehub.linkedin.apps import EnableOptions
from hirehub.linkedin.batches import MAX_BATCH
from hirehub.linkedin.data_client import RECORD_LIMITED_INTERVAL
from hirehub.linkedin.models import CustomerApp
from hirehub.linkedin.runtime import LinkedInRuntime, linkedin_sealer
from hirehub.linkedin.tokens import TokenCache
from hirehub.outbound import HostMap, async_client
from hirehub.sandbox.linkedin import LinkedInWorld, OnboardingStatus, create_app
from hirehub.sandbox.serving import free_port, serving
from hirehub.tenancy import service as tenancy

FULL = (20_000, 200_000, 300_000)
QUICK = (200, 2_000, 3_000)
HUB_URL = "https://hub.bench.example"
SECRET_KEY = "bench-rsc-sync-secret-key-0123456789abcdef"
PARTNER_ID, PARTNER_SECRET = "bench-partner-app", "bench-partner-secret"
LINKEDIN_ORIGINS = ("https://www.linkedin.com", "https://api.linkedin.com")
ORGANIZATION = "urn:li:organization:bench1"
APPLY_URL = "https://careers.bench.example/jobs/{id}"
WORKER_COMMAND = [sys.executable, "-m", "hirehub", "jobs", "run"]
STARTED = "job_runner.started"
SOURCES = ("LinkedIn", "Referral", "Career site", "Agency")
CITIES = ("Berlin, Germany", "Paris, France", "Madrid, Spain", "Seattle, United States", "Leeds, United Kingdom")
INSERT_CHUNK = 5_000


async def onboard(database: Database, runtime: LinkedInRuntime, world: LinkedInWorld) -> uuid.UUID:
    """The partner app, the customer with RSC on (its app provisioned in the emulator), its organization's
    integrations ENABLED in the emulator, the apply URL set; not timed."""
    await operations.partner_set(database, runtime, client_id=PARTNER_ID, client_secret=PARTNER_SECRET,
                                 contract="production")  # fmt: skip
    async with database.system_transaction() as session:
        tenant = await tenancy.create_tenant(session, name="Customer", domain="customer.bench.example")
    await operations.enable(database, tenant.id, runtime, EnableOptions())
    app = next(a for a in world.applications.values() if a.unique_foreign_id == str(tenant.id))
    world.request_integrations(app, ORGANIZATION, ["RECRUITER_SYSTEM_CONNECT_COMPANY"])
    for integration in world.integrations.values():
        integration.onboarding_status = OnboardingStatus.ENABLED
    async with database.tenant_transaction(tenant.id) as session:
        customer_app = await session.scalar(select(CustomerApp))
        assert customer_app is not None
        customer_app.apply_url_template = APPLY_URL
    return tenant.id


async def seed(database: Database, tenant_id: uuid.UUID, jobs: int, candidates: int, applications: int) -> None:
    """Two years of history, inserted in bulk through the models: requests (a fifth of them closed) each with a
    location, candidates, and ``applications`` job applications shared out over the candidates (the first
    ``applications % candidates`` get one more than the others), a candidate's to distinct requests."""
    rng = random.Random(7)
    now = datetime.now(UTC)

    def when() -> datetime:
        return now - timedelta(days=rng.uniform(1, 720))

    request_ids = [uuid.uuid4() for _ in range(jobs)]
    requests = [
        {"id": rid, "tenant_id": tenant_id, "recruiting_request_id": f"RR-{n:06d}", "title_id": f"Role {n % 97}",
         "description": f"Role {n % 97}, opening {n}", "number_of_openings": 1, "created_at": when(),
         "status": RecruitingRequestStatus.CLOSED if n % 5 == 0 else RecruitingRequestStatus.APPROVED}
        for n, rid in enumerate(request_ids)
    ]  # fmt: skip
    locations = [{"id": uuid.uuid4(), "tenant_id": tenant_id, "recruiting_request_id": rid,
                  "location": CITIES[n % len(CITIES)]} for n, rid in enumerate(request_ids)]  # fmt: skip
    people = [
        {"id": uuid.uuid4(), "tenant_id": tenant_id, "candidate_id": f"C-{n:07d}", "first_name": f"First{n}",
         "last_name": f"Last{n}", "email": f"c{n}@mail.bench.example", "created_at": when()}
        for n in range(candidates)
    ]  # fmt: skip
    each, more = divmod(applications, candidates)
    if each + (more > 0) > jobs:
        raise SystemExit(f"{applications} applications of {candidates} candidates need more than {jobs} jobs")
    applied = []
    for n, person in enumerate(people):
        for request in rng.sample(range(jobs), each + (n < more)):
            moment = max(when(), person["created_at"])
            applied.append({
                "id": uuid.uuid4(), "tenant_id": tenant_id, "application_id": f"A-{len(applied):08d}",
                "candidate_ref_id": person["id"], "recruiting_request_ref_id": request_ids[request],
                "applied_at": moment, "created_at": moment, "source": SOURCES[len(applied) % len(SOURCES)],
            })  # fmt: skip
    for model, rows in ((RecruitingRequest, requests), (RecruitingRequestLocation, locations),
                        (CandidateToHire, people), (JobApplication, applied)):  # fmt: skip
        for start in range(0, len(rows), INSERT_CHUNK):
            async with database.tenant_transaction(tenant_id) as session:
                await session.execute(insert(model), rows[start : start + INSERT_CHUNK])


async def _one(database: Database, sql: str) -> Any:
    async with database.engine.connect() as conn:
        return (await conn.execute(text(sql))).scalar()


async def wait_until_synced(database: Database, worker: Subprocess, expected: int) -> None:
    """Until the history is queued to its end, every record answered and no job is left; a dead job or worker,
    or a minute without progress, fails the run."""
    last, last_change = -1, time.monotonic()
    while True:
        worker.check_alive()
        answered = await _one(database, "SELECT count(*) FROM linkedin_synced_record WHERE status IN "
                                        "('synced', 'refused', 'deleted')")  # fmt: skip
        open_jobs = await _one(database, "SELECT count(*) FROM job WHERE status NOT IN "
                                         "('succeeded', 'dead', 'cancelled')")  # fmt: skip
        dead = await _one(database, "SELECT count(*) FROM job WHERE status = 'dead'")
        if dead:
            errors = await _one(database, "SELECT string_agg(kind || ': ' || coalesce(last_error, ''), '; ') "
                                          "FROM job WHERE status = 'dead'")  # fmt: skip
            raise RuntimeError(f"{dead} jobs dead: {errors}")
        if answered >= expected and not open_jobs:
            return
        progress = answered + await _one(database, "SELECT count(*) FROM linkedin_synced_record")
        if progress != last or not worker.said(STARTED):
            last, last_change = progress, time.monotonic()
        elif time.monotonic() - last_change > 60:
            jobs = await _one(database, "SELECT string_agg(kind || ' ' || status || ' ' || attempts || ' ' || "
                                        "coalesce(last_error, ''), '; ') FROM job")  # fmt: skip
            raise RuntimeError(f"no progress for 60 s at {answered}/{expected}: {jobs}\n" + "\n".join(worker.lines))
        await asyncio.sleep(0.25)


async def verify(database: Database, world: LinkedInWorld, jobs: int, candidates: int, applications: int) -> None:
    """Every record synced in the hub and held by the emulator; raises saying what is not."""
    async with database.engine.connect() as conn:
        states = dict((await conn.execute(text(
            "SELECT kind || ':' || status, count(*) FROM linkedin_synced_record GROUP BY 1"
        ))).all())  # fmt: skip
    wanted = {"job_posting:synced": jobs, "candidate:synced": candidates, "application:synced": applications}
    held = {"job_posting:synced": len(world.data.postings), "candidate:synced": len(world.data.candidates),
            "application:synced": len(world.data.applications)}  # fmt: skip
    if states != wanted or held != wanted:
        raise RuntimeError(f"expected {wanted}; the hub holds {states}, the emulator {held}")


async def run(admin_url: str, jobs: int, candidates: int, applications: int) -> dict[str, Any]:
    world = LinkedInWorld()
    world.register_partner("hirehub", client_id=PARTNER_ID, client_secret=PARTNER_SECRET)
    port = free_port()
    host_map = dict.fromkeys(LINKEDIN_ORIGINS, f"http://127.0.0.1:{port}")
    async with temporary_postgres(admin_url, "rsc_sync") as url:
        if url is None:
            raise SystemExit("this benchmark needs PostgreSQL")
        await create_schema(url)
        database = Database(url)
        http = async_client(HostMap(host_map))
        runtime = LinkedInRuntime(http, linkedin_sealer(SECRET_KEY), HUB_URL, tokens=TokenCache())
        env = {**os.environ, "HIREHUB_DATABASE_URL": url, "HIREHUB_SECRET_KEY": SECRET_KEY,
               "HIREHUB_BASE_URL": HUB_URL, "HIREHUB_OUTBOUND_HOST_MAP": json.dumps(host_map)}  # fmt: skip
        worker: Subprocess | None = None
        try:
            with serving(create_app(world), port):
                tenant_id = await onboard(database, runtime, world)
                await seed(database, tenant_id, jobs, candidates, applications)
                worker = await Subprocess.start(WORKER_COMMAND, env)
                while not worker.said(STARTED):
                    worker.check_alive()
                    await asyncio.sleep(0.1)
                calls_before = len(world.calls)
                started = datetime.now(UTC)
                async with database.tenant_transaction(tenant_id) as session:
                    await data_queue.start_history_once(session, ORGANIZATION)
                await wait_until_synced(database, worker, jobs + candidates + applications)
                last = await _one(database, "SELECT max(synced_at) FROM linkedin_synced_record")
                queued = await _one(database, "SELECT max(finished_at) FROM linkedin_historical_sync")
                first_send = await _one(database, "SELECT min(started_at) FROM job WHERE kind = 'linkedin.data.send'")
                await worker.stop()
                await verify(database, world, jobs, candidates, applications)
                calls = world.calls[calls_before:]
        finally:
            if worker is not None:
                await worker.stop()
            await http.aclose()
            await database.dispose()

    def since_start(moment: datetime) -> float:
        return ((moment if moment.tzinfo else moment.replace(tzinfo=UTC)) - started).total_seconds()

    return {
        "elapsed_s": since_start(last),
        "history_queued_s": since_start(queued),
        "first_send_s": since_start(first_send),
        "calls": calls,
        "violations": {str(rule): n for rule, n in world.data.violations.items()},
        "violations_integrations": sum(world.violations.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="200 jobs, 2,000 candidates, 3,000 applications")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    args = parser.parse_args()
    jobs, candidates, applications = QUICK if args.quick else FULL
    figures = asyncio.run(run(args.postgres_admin_url, jobs, candidates, applications))
    interval = RECORD_LIMITED_INTERVAL.total_seconds()
    posting_calls = math.ceil(jobs / MAX_BATCH)
    candidate_calls = 2 * math.ceil(candidates / MAX_BATCH)
    application_calls = math.ceil(applications / MAX_BATCH)
    minimum = (candidate_calls + application_calls - 1) * interval
    overlapped = (max(candidate_calls, application_calls) - 1) * interval
    made: dict[str, int] = {}
    for _, method, path in figures["calls"]:
        resource = path.split("?")[0].rstrip("/").split("/")[2] if path.count("/") >= 2 else path
        made[f"{method} {resource}"] = made.get(f"{method} {resource}", 0) + 1
    quota_429 = sum(n for rule, n in figures["violations"].items() if rule in ("daily_requests", "records_per_minute"))
    violations = sum(figures["violations"].values()) + figures["violations_integrations"]
    print(f"jobs: {jobs}")
    print(f"candidates: {candidates}")
    print(f"applications: {applications}")
    print(f"records: {jobs + candidates + applications}")
    print(f"posting_calls_needed: {posting_calls}")
    print(f"candidate_calls_needed: {candidate_calls}")
    print(f"application_calls_needed: {application_calls}")
    for name, count in sorted(made.items()):
        print(f"calls_{name.replace(' ', '_')}: {count}")
    print(f"history_queued_s: {figures['history_queued_s']:.2f}")
    print(f"sending_s: {figures['elapsed_s'] - figures['first_send_s']:.2f}")
    print(f"elapsed_s: {figures['elapsed_s']:.2f}")
    print(f"minimum_s: {minimum:.2f}")
    print(f"minimum_overlapped_s: {overlapped:.2f}")
    print(f"violations: {violations}")
    for rule, count in sorted(figures["violations"].items()):
        print(f"violations_{rule}: {count}")
    print(f"quota_429: {quota_429}")
    ratio = figures["elapsed_s"] / minimum if minimum > 0 else float("nan")
    print(f"headline_ratio_to_minimum: {ratio:.3f}")


if __name__ == "__main__":
    main()
