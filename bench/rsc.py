"""LinkedIn RSC integration sync against the minimum LinkedIn's pacing rule allows, with the rule's violations.

The Middleware Platform allows at most 100 entities in one ``atsIntegrations`` batch call and at least one second
between two such calls of one partner, whichever customer app makes them. N integrations spread over customers (a
customer's integrations can only go in that customer's calls) therefore need ``paced_calls = Σ ⌈n_customer / 100⌉``
batch calls, and no hub can make them faster than ``(paced_calls − 1) × 1 s``. The benchmark measures how close the
hub gets to that, and that the emulator refused nothing on the way.

Everything runs for real:

* **LinkedIn**: :mod:`hirehub.sandbox.linkedin` served by uvicorn on a loopback port (a thread of this process,
  so its world can be inspected), on its real-time clock, enforcing the batching, pacing and daily rules (a broken
  rule is a refused call, counted in ``world.violations``). A subclass notes the emulator's time whenever it
  admits a batch call, which is where the one-second rule is judged.
* **hirehub**: a fresh PostgreSQL database; the partner app set, then for each customer (tenant) RSC turned on
  (its customer app provisioned through the emulator's Provisioning API) and the integrations the customer
  requested in the emulated plugin stored by the plugin callback's own operation, which queues the tenant's
  ``linkedin.integrations.sync`` job (not timed). Then 2 ``hirehub jobs run`` processes (8 jobs at once each, so
  that the customers' jobs spread over both; polling every second when idle) with ``HIREHUB_OUTBOUND_HOST_MAP``
  pointing ``www.linkedin.com`` and ``api.linkedin.com`` at the emulator. Each tenant's integration job sends its
  names 100 a call, each call waiting for a slot of the hub-wide database pacer, then its configuration job sends
  each integration's ``CALLBACK_URL`` and visibility defaults (unpaced: one integration each, not batch calls over
  integrations).

Why 200 integrations per customer (25 customers at full size): the calls of 25 tenants' jobs, running at once in
two processes, compete for the one-second slots, which is the "across all workers" rule the pacer exists for; and
each job has two batches, so the 100-entity split is exercised as well. One tenant of 5,000 would run in one job in
one process and prove nothing about the hub-wide pacing.

``elapsed_s`` runs, on the emulator's clock, from the first admitted batch call to the moment the last integration
became PARTNER_READY there: the configuration calls after the last paced call, and the job pick-up they may wait for,
are in it (``tail_s`` is that part; ``paced_elapsed_s`` stops at the last paced call, as this benchmark used to).
Process start-up and onboarding are not in it. The minimum is the pacing alone, ``(paced_calls − 1) × 1 s``: the
configuration of the last call's integrations is counted against the hub. When every job is done, every integration
is checked in the hub (synced, configured) and in the emulator (named as the hub named it, owned by its customer's
app, its ``CALLBACK_URL`` the hub's push endpoint for that customer, PARTNER_READY); any difference fails the run,
and so does a run in which fewer than two processes made paced calls (``processes_with_paced_jobs``, read from the
job attempts' runner ids).

It prints the counts, the elapsed time and the minimum, the violations (goal 0) and last the ratio of the elapsed
time to the minimum (goal at most 1.05).

    .venv/bin/python bench/rsc.py            # 5,000 integrations: 25 customers × 200, 50 paced calls
    .venv/bin/python bench/rsc.py --quick    # 1,200: 10 customers × 120 (100 + 20 a call), 20 paced calls

``--quick`` has ten customers so that both processes (each claiming up to 8 jobs, the runner's default) get some.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import math
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from rich.progress import Progress
from sqlalchemy import text
from support import POSTGRES_ADMIN_URL, Subprocess, create_schema, temporary_postgres  # bench/support.py

from hirehub.db.session import Database
from hirehub.linkedin import operations
from hirehub.linkedin.apps import EnableOptions
from hirehub.linkedin.batches import MAX_BATCH
from hirehub.linkedin.runtime import LinkedInRuntime, linkedin_sealer
from hirehub.linkedin.tokens import TokenCache
from hirehub.outbound import HostMap, async_client
from hirehub.sandbox.linkedin import LinkedInWorld, OnboardingStatus, create_app, integration_key
from hirehub.sandbox.linkedin.world import MIN_SECONDS_BETWEEN_CALLS, DeveloperApplication, Integration
from hirehub.sandbox.serving import free_port, serving
from hirehub.tenancy import service as tenancy

PER_TENANT = 200
"""Integrations per customer: two batch calls each (see the module's docstring for why)."""
QUICK_TOTAL, QUICK_PER_TENANT = 1_200, 120
WORKERS = 2
HUB_URL = "https://hub.bench.example"
SECRET_KEY = "bench-rsc-secret-key-0123456789abcdef"
PARTNER_ID, PARTNER_SECRET = "bench-partner-app", "bench-partner-secret"
LINKEDIN_ORIGINS = ("https://www.linkedin.com", "https://api.linkedin.com")
CONFIGURATIONS_PATH_END = "/configurations"


class TimedWorld(LinkedInWorld):
    """The emulator's world, noting when (on its own clock) it admitted each batch call and how many entities the
    call carried (the rule is judged at that moment), and when each integration first became PARTNER_READY (what
    ends a customer's sync: named, and every required configuration sent)."""

    def __init__(self) -> None:
        super().__init__()
        self.batch_calls: list[tuple[float, int]] = []
        self.ready_at: dict[int, float] = {}

    def _settle_status(self, integration: Integration) -> None:  # type: ignore[override]
        super()._settle_status(integration)
        if integration.onboarding_status is OnboardingStatus.PARTNER_READY:
            self.ready_at.setdefault(id(integration), self.clock.seconds())

    def admit_integrations_call(self, app: DeveloperApplication, *, entities: int, batch: bool) -> None:
        super().admit_integrations_call(app, entities=entities, batch=batch)  # raises (and counts) when refused
        if batch:
            self.batch_calls.append((self.clock.seconds(), entities))


WORKER_CONCURRENCY = 8
"""Jobs at once per process: at the runner's default (32) the first process to look would take every customer's job
(25 at full size), and the run would prove nothing across processes."""
WORKER_COMMAND = [sys.executable, "-m", "hirehub", "jobs", "run", "--concurrency", str(WORKER_CONCURRENCY)]
STARTED = "job_runner.started"
"""What a runner logs once it is up: a loaded machine can take a minute to start one."""


@dataclass
class Customer:
    """One tenant of the hub and its customer app in the emulator."""

    tenant_id: uuid.UUID
    app: DeveloperApplication
    integrations: int


def plugin_report(world: LinkedInWorld, app: DeveloperApplication, index: int, count: int) -> list[dict[str, str]]:
    """``count`` integrations the customer requests in the emulated plugin: its organizations with the company
    bundle (3 integrations each) and, for the remainder, contracts with the contract bundle (1 each)."""
    report: list[dict[str, str]] = []
    for organization in range(count // 3):
        context = f"urn:li:organization:bench{index}o{organization}"
        report += world.request_integrations(app, context, ["RECRUITER_SYSTEM_CONNECT_COMPANY"])
    for contract in range(count % 3):
        context = f"urn:li:contract:bench{index}c{contract}"
        report += world.request_integrations(app, context, ["RECRUITER_SYSTEM_CONNECT_CONTRACT"])
    assert len(report) == count
    return report


async def onboard(
    database: Database, runtime: LinkedInRuntime, world: LinkedInWorld, sizes: list[int], progress: Progress
) -> list[Customer]:
    """The partner app, then each customer: RSC on (customer app provisioned), its plugin report stored, its sync
    job queued, exactly as the plugin callback does it (not timed)."""
    await operations.partner_set(
        database, runtime, client_id=PARTNER_ID, client_secret=PARTNER_SECRET, contract="production"
    )
    task = progress.add_task("onboarding customers", total=len(sizes))
    customers = []
    for index, size in enumerate(sizes):
        async with database.system_transaction() as session:
            tenant = await tenancy.create_tenant(session, name=f"Customer {index}", domain=f"c{index}.bench.example")
        await operations.enable(database, tenant.id, runtime, EnableOptions())
        app = next(a for a in world.applications.values() if a.unique_foreign_id == str(tenant.id))
        report = plugin_report(world, app, index, size)
        async with database.tenant_transaction(tenant.id) as session:
            await operations.record_plugin_integrations(session, report)
        customers.append(Customer(tenant.id, app, size))
        progress.advance(task)
    progress.remove_task(task)
    return customers


async def _counts(database: Database, sql: str) -> dict[tuple[Any, ...], int]:
    async with database.engine.connect() as conn:
        return {tuple(row[:-1]): int(row[-1]) for row in await conn.execute(text(sql))}


async def wait_for_sync(
    database: Database, world: TimedWorld, workers: list[Subprocess], total: int, calls: int, progress: Progress
) -> None:
    """Until every integration is synced and configured and no job is left to run; a job that failed for good, an
    integration LinkedIn refused, a dead worker or no progress for a minute fails the run."""
    configured_task = progress.add_task("integrations synced and configured", total=total)
    paced_task = progress.add_task("paced batch calls admitted", total=calls)
    last_change, last_seen = time.monotonic(), (-1, -1)
    while True:
        for worker in workers:
            worker.check_alive()
        states = await _counts(
            database,
            "SELECT sync_state, configuration_state, count(*) FROM linkedin_integration GROUP BY 1, 2",
        )
        jobs = await _counts(database, "SELECT status, count(*) FROM job GROUP BY 1")
        done = states.get(("synced", "synced"), 0)
        refused = sum(n for (sync, configured), n in states.items() if "refused" in (sync, configured))
        progress.update(configured_task, completed=done)
        progress.update(paced_task, completed=len(world.batch_calls))
        if refused or jobs.get(("dead",), 0):
            async with database.engine.connect() as conn:
                errors = (await conn.execute(text(
                    "SELECT kind, last_error FROM job WHERE status = 'dead' UNION ALL "
                    "SELECT 'integration', last_error FROM linkedin_integration WHERE last_error IS NOT NULL LIMIT 5"
                ))).all()  # fmt: skip
            raise RuntimeError(f"{refused} integrations refused, {jobs.get(('dead',), 0)} jobs dead: {errors}")
        unfinished = sum(n for (status,), n in jobs.items() if status not in ("succeeded", "dead", "cancelled"))
        if done == total and not unfinished:
            break
        seen = (done, len(world.batch_calls))
        if seen != last_seen or not all(worker.said(STARTED) for worker in workers):  # start-up is no stall
            last_change, last_seen = time.monotonic(), seen
        elif time.monotonic() - last_change > 60:
            tails = "\n".join(line for worker in workers for line in list(worker.lines)[-5:])
            raise RuntimeError(f"no progress for 60 s: {states} {jobs}\n{tails}")
        await asyncio.sleep(0.25)
    progress.remove_task(configured_task)
    progress.remove_task(paced_task)


async def verify(database: Database, world: TimedWorld, customers: list[Customer], runtime: LinkedInRuntime) -> None:
    """Every integration where it should be, in the hub and in the emulator; raises listing what is not."""
    problems: list[str] = []
    async with database.engine.connect() as conn:
        rows = (await conn.execute(text(
            "SELECT i.tenant_id, i.integration_context, i.integration_type, i.tenant_type, i.data_provider,"
            " i.integration_name, i.sync_state, i.configuration_state, a.client_id, a.push_token"
            " FROM linkedin_integration i JOIN linkedin_customer_app a ON a.tenant_id = i.tenant_id"
        ))).all()  # fmt: skip
    per_tenant = collections.Counter(row.tenant_id for row in rows)
    for customer in customers:
        if per_tenant[customer.tenant_id] != customer.integrations:
            problems.append(f"tenant {customer.tenant_id}: {per_tenant[customer.tenant_id]} integrations in the hub")
    for row in rows:
        where = f"{row.integration_context} {row.integration_type}"
        if (row.sync_state, row.configuration_state) != ("synced", "synced"):
            problems.append(f"{where}: {row.sync_state}/{row.configuration_state} in the hub")
        emulated = world.integration(
            integration_key(row.integration_context, row.integration_type, row.tenant_type, row.data_provider)
        )
        if emulated is None:
            problems.append(f"{where}: unknown to the emulator")
            continue
        callback = runtime.callback_url(row.push_token)
        if emulated.integration_name != row.integration_name:
            problems.append(f"{where}: named {emulated.integration_name!r} in the emulator")
        if emulated.owner_client_id != row.client_id:
            problems.append(f"{where}: owned by {emulated.owner_client_id} in the emulator")
        if emulated.configurations.get("CALLBACK_URL") != callback:
            problems.append(f"{where}: CALLBACK_URL {emulated.configurations.get('CALLBACK_URL')!r} in the emulator")
        if emulated.onboarding_status is not OnboardingStatus.PARTNER_READY:
            problems.append(f"{where}: {emulated.onboarding_status} in the emulator")
    if len(world.integrations) != sum(c.integrations for c in customers):
        problems.append(f"the emulator holds {len(world.integrations)} integrations")
    if problems:
        raise RuntimeError(f"{len(problems)} problems, the first ones:\n" + "\n".join(problems[:20]))


@dataclass
class Figures:
    integrations: int
    customers: int
    needed_calls: int
    batch_calls: list[tuple[float, int]]
    configuration_calls: int
    ready_at: list[float]
    """When each integration became PARTNER_READY, on the emulator's clock."""
    processes: int
    """How many job-runner processes ran integration syncs (and so made paced calls)."""
    violations: dict[str, int] = field(default_factory=dict)


async def run(admin_url: str, total: int, per_tenant: int) -> Figures:
    sizes = [min(per_tenant, total - start) for start in range(0, total, per_tenant)]
    needed_calls = sum(math.ceil(size / MAX_BATCH) for size in sizes)
    world = TimedWorld()
    world.register_partner("hirehub", client_id=PARTNER_ID, client_secret=PARTNER_SECRET)
    port = free_port()
    emulator = f"http://127.0.0.1:{port}"
    host_map = dict.fromkeys(LINKEDIN_ORIGINS, emulator)
    async with temporary_postgres(admin_url, "rsc") as url:
        if url is None:
            raise SystemExit("this benchmark needs PostgreSQL (the hub-wide pacer across worker processes)")
        await create_schema(url)
        database = Database(url)
        http = async_client(HostMap(host_map))
        runtime = LinkedInRuntime(http, linkedin_sealer(SECRET_KEY), HUB_URL, tokens=TokenCache())
        env = {
            **os.environ,
            "HIREHUB_DATABASE_URL": url,
            "HIREHUB_SECRET_KEY": SECRET_KEY,
            "HIREHUB_BASE_URL": HUB_URL,
            "HIREHUB_OUTBOUND_HOST_MAP": json.dumps(host_map),
        }
        workers: list[Subprocess] = []
        try:
            with serving(create_app(world), port), Progress(transient=True) as progress:
                customers = await onboard(database, runtime, world, sizes, progress)
                workers = [await Subprocess.start(WORKER_COMMAND, env) for _ in range(WORKERS)]
                await wait_for_sync(database, world, workers, total, needed_calls, progress)
                for worker in workers:
                    await worker.stop()
                await verify(database, world, customers, runtime)
                processes = await paced_processes(database)
        finally:
            for worker in workers:
                await worker.stop()
            await http.aclose()
            await database.dispose()
    configuration_calls = sum(
        1 for _, method, path in world.calls if method == "PUT" and path.endswith(CONFIGURATIONS_PATH_END)
    )
    violations = {str(rule): count for rule, count in world.violations.items()}
    return Figures(total, len(sizes), needed_calls, world.batch_calls, configuration_calls,
                   sorted(world.ready_at.values()), processes, violations)  # fmt: skip


async def paced_processes(database: Database) -> int:
    """The job runners that ran an integration sync; fewer than two would leave the hub-wide pacing untested."""
    async with database.engine.connect() as conn:
        processes = (await conn.execute(text(
            "SELECT count(DISTINCT a.runner_id) FROM job_attempt a JOIN job j ON j.id = a.job_id"
            " WHERE j.kind = 'linkedin.integrations.sync' AND a.outcome = 'succeeded'"
        ))).scalar_one()  # fmt: skip
    if processes < WORKERS:
        raise RuntimeError(f"only {processes} of {WORKERS} processes made paced calls: the run proves too little")
    return int(processes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1,200 integrations (10 customers) instead of 5,000")
    parser.add_argument("--integrations", type=int, help="integrations in all (overrides --quick)")
    parser.add_argument("--per-customer", type=int, help="integrations per customer (tenant)")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    args = parser.parse_args()
    total = args.integrations or (QUICK_TOTAL if args.quick else 5_000)
    per_customer = args.per_customer or (QUICK_PER_TENANT if args.quick else PER_TENANT)
    figures = asyncio.run(run(args.postgres_admin_url, total, per_customer))
    times = [at for at, _ in figures.batch_calls]
    paced_elapsed = times[-1] - times[0] if times else 0.0
    elapsed = figures.ready_at[-1] - times[0] if times and figures.ready_at else 0.0
    minimum = (figures.needed_calls - 1) * MIN_SECONDS_BETWEEN_CALLS
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    print(f"integrations: {figures.integrations}")
    print(f"customers: {figures.customers}")
    print(f"worker_processes: {WORKERS}")
    print(f"processes_with_paced_jobs: {figures.processes}")
    print(f"paced_calls: {len(times)}")
    print(f"paced_calls_needed: {figures.needed_calls}")
    print(f"largest_batch: {max((n for _, n in figures.batch_calls), default=0)}")
    print(f"configuration_calls: {figures.configuration_calls}")
    if gaps:
        print(f"smallest_gap_s: {min(gaps):.3f}")
        print(f"largest_gap_s: {max(gaps):.3f}")
    print(f"partner_ready: {len(figures.ready_at)}")
    print(f"paced_elapsed_s: {paced_elapsed:.2f}")
    print(f"tail_s: {elapsed - paced_elapsed:.2f}")
    print(f"elapsed_s: {elapsed:.2f}")
    print(f"minimum_s: {minimum:.2f}")
    print(f"violations: {sum(figures.violations.values())}")
    for rule, count in sorted(figures.violations.items()):
        print(f"violations_{rule}: {count}")
    ratio = elapsed / minimum if minimum > 0 else float("nan")
    print(f"headline_ratio_to_minimum: {ratio:.3f}")


if __name__ == "__main__":
    main()
