"""Crash recovery with real processes: ``kill -9`` job workers while 1,000 joiners reach Entra ID, many times over.

Everything is the product's own, in processes of its own: the Entra sandbox (``python -m hirehub.sandbox.entra
--world``) serves identity, Graph and Exchange over HTTP for the whole test; two ``hirehub jobs run`` processes
(and their replacements) read the hub's settings — the database, the outbound host map, the secret key the
connections' private keys are sealed with — take tokens from the sandbox with each connection's certificate
through MSAL, and provision through the Graph connector. The test hires through the HR services, so the way
to the directory is the real one: outbox → dispatcher (inside the workers) → ``provisioning.sync`` jobs.

Each trial has a tenant and an Entra directory of its own (one database and one sandbox for the whole test) and
hires 1,000 joiners in batches while the workers run; a few in a hundred are namesakes, so the naming rules'
collision handling races too. At random moments one worker is killed with SIGKILL — sometimes both at once,
which leaves nobody to take the jobs over until the leases expire and a replacement finds them — and a
replacement starts at once. A kill lands anywhere: while the outbox is dispatched, between Graph's creation of
an account and the job's report of it, during a heartbeat. Afterwards, read through Graph with a token the
test obtains itself:

- every joiner has exactly one account (by ``employeeId``), no account belongs to nobody, and the names are
  right (given name, surname, display name; a userPrincipalName and mail among the joiner's naming candidates);
- every job is succeeded: none dead, failed, held, queued or running; every hire became exactly one sync; the
  jobs a killed worker held were finished by another worker.

Issue 5 asks for at least 20 trials on PostgreSQL: ``HIREHUB_CRASH_TRIALS=20`` runs them (all twenty
passed on 2026-12-02, with one more, in two runs: 105 to 334 s a trial on a 2-CPU machine loaded by other
work; about 62 s a trial in CI). The suite runs two by default, to keep ``make test`` within CI's budget.
Each trial prints its timing; ``HIREHUB_CRASH_SEED`` replays a run's choices of names and kill moments
(the moments themselves depend on timing).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select

from hirehub.db.session import Database
from hirehub.directories.entra.connections import create_connection
from hirehub.directories.entra.connector_factory import EntraConnectors
from hirehub.directories.entra.permissions import GRAPH_APP_ID
from hirehub.directories.entra.runtime import connection_sealer, runtime_from_settings
from hirehub.events.outbox import OutboxEvent
from hirehub.hr import services
from hirehub.hr.domain import HireDetails
from hirehub.hr.models import CandidateToHire, Person
from hirehub.hr.models.options import ApplicantIntegrationResult
from hirehub.jobs.models import DurableJob, JobStatus
from hirehub.lifecycle.directory_state import DirectoryAccount
from hirehub.lifecycle.naming import candidates
from hirehub.lifecycle.policy import MAIL, USER_PRINCIPAL_NAME, policy_to_json, starter_policy
from hirehub.provisioning.policies import set_policy
from hirehub.provisioning.scheduling import RECONCILE
from hirehub.provisioning.sync import SYNC
from hirehub.settings import Settings
from hirehub.tenancy import service as tenancy
from tests.conftest import ENGINE
from tests.entra.support import mark_tested
from tests.live_server import free_port
from tests.sandbox.entra.graph_support import SEED_GRAPH_PERMISSIONS, USER_ADMINISTRATOR

pytestmark = [
    pytest.mark.crash,
    pytest.mark.slow,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        ENGINE != "postgresql",
        reason="issue 5 requires crash trials on PostgreSQL: many workers claim with FOR UPDATE SKIP LOCKED "
        "there, while SQLite is one machine's single-writer database",
    ),
]

TRIALS = int(os.environ.get("HIREHUB_CRASH_TRIALS", "2"))
JOINERS = 1000
HIRE_BATCHES = 10
SECONDS_BETWEEN_BATCHES = 0.5
TRIAL_DEADLINE_SECONDS = 600.0
SECRET_KEY = "crash-trials secret key, thirty-two bytes and then some"
ALL_STAFF = "All staff"
LEASE_SECONDS = 3.0
WORKER_OPTIONS = (
    "--concurrency", "16", "--poll-interval", "0.05", "--lease-seconds", str(LEASE_SECONDS), "--shutdown-grace", "10",
)  # fmt: skip
"""Short leases, so a dead worker's jobs are taken up again within seconds."""

FIRST_NAMES = (
    "Ana", "José", "Zoë", "Lars", "Mei", "Øyvind", "Chloé", "Tomás", "Ingrid", "Kwame", "Amélie", "Björn", "Priya",
    "Noé", "Sofía", "Jürgen", "Aiko", "Hélène", "Mateus", "Élodie", "Ravi", "Łukasz", "Nina", "Omar", "Renée",
    "Søren", "Yara", "Dário", "Fatima", "Gaël", "Hana", "Iñigo", "Jonas", "Kaja", "Luís", "Maëlle", "Nils", "Olga",
    "Pål", "Rosa",
)  # fmt: skip
SYLLABLES = ("ka", "ro", "mi", "sil", "va", "nu", "ñez", "ber", "gö", "lin", "da", "ström", "fer", "rei", "ra")
LAST_NAMES = tuple(f"{a}{b}".capitalize() for a in SYLLABLES for b in SYLLABLES)
"""40 × 225 pairs: 1,000 joiners drawn from them hold a few dozen namesakes."""


@dataclass(frozen=True)
class TrialTenant:
    """One trial's tenant in the hub and its directory (an Entra tenant) in the sandbox."""

    index: int
    tenant_id: uuid.UUID
    domain: str
    directory_tenant_id: str
    client_id: str
    certificate_pem: str


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class Workers:
    """``hirehub jobs run`` processes of one trial: started, killed, replaced, stopped."""

    environment: dict[str, str]
    logs: Path
    trial: int
    alive: list[Worker] = field(default_factory=list)
    killed: list[Worker] = field(default_factory=list)
    started: int = 0

    def start(self) -> Worker:
        self.started += 1
        name = f"t{self.trial}-w{self.started}"
        log = self.logs / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "hirehub", "jobs", "run", "--runner-id", name, "--json", *WORKER_OPTIONS],
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        worker = Worker(name, process, log)
        self.alive.append(worker)
        return worker

    def kill(self, worker: Worker) -> None:
        """SIGKILL: no chance to finish, release or report anything."""
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.wait()
        self.alive.remove(worker)
        self.killed.append(worker)

    def stop(self) -> None:
        """SIGTERM every survivor; each must shut down cleanly (its jobs are done by now)."""
        for worker in self.alive:
            worker.process.send_signal(signal.SIGTERM)
        for worker in self.alive:
            try:
                code = worker.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
                raise AssertionError(f"{worker.name} did not stop on SIGTERM: {_tail(worker.log)}") from None
            assert code == 0, f"{worker.name} exited with {code}: {_tail(worker.log)}"
        self.alive.clear()

    def kill_all(self) -> None:
        for worker in list(self.alive):
            if worker.process.poll() is None:
                worker.process.kill()
            worker.process.wait()
        self.alive.clear()


def _tail(path: Path, lines: int = 15) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- the sandbox in a process of its own ---------------------------------------------------------------------


def _world(tenants: list[TrialTenant]) -> dict[str, Any]:
    """Each directory as an administrator would arrange it: the hub's app registration trusting the certificate
    of the hub's connection, the seed's Graph permissions consented, User Administrator, and an "All staff"
    group."""
    return {
        "directories": [
            {
                "tenant_id": tenant.directory_tenant_id,
                "default_domain": tenant.domain,
                "applications": [
                    {
                        "app_id": tenant.client_id,
                        "display_name": "hirehub provisioning",
                        "certificates": [tenant.certificate_pem],
                        "permissions": {GRAPH_APP_ID: list(SEED_GRAPH_PERMISSIONS)},
                        "directory_roles": [USER_ADMINISTRATOR],
                    }
                ],
                "groups": [ALL_STAFF],
            }
            for tenant in tenants
        ]
    }


@dataclass
class Sandbox:
    process: subprocess.Popen[bytes]
    host_map: dict[str, str]
    log: Path

    def assert_alive(self) -> None:
        assert self.process.poll() is None, f"the Entra sandbox died: {_tail(self.log)}"


def _start_sandbox(world_file: Path, log: Path) -> Iterator[Sandbox]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "hirehub.sandbox.entra", "--world", str(world_file), "--port", str(port),
             "--log-level", "warning"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"the Entra sandbox did not start: {_tail(log)}"
            try:
                httpx.get(f"{base_url}/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"the Entra sandbox did not answer: {_tail(log)}") from None
                time.sleep(0.1)
        printed, _ = json.JSONDecoder().raw_decode(log.read_text())
        yield Sandbox(process, printed["host_map"], log)
    finally:
        process.kill()
        process.wait()


# --- the hub's side -------------------------------------------------------------------------------------------


async def _prepare_tenants(database: Database, count: int, settings: Settings) -> list[TrialTenant]:
    """A tenant per trial with the starter policy and a customer-owned Entra connection, whose certificate the
    sandbox's app registration will trust."""
    box = connection_sealer(settings)
    prepared = []
    for index in range(count):
        domain = f"trial{index}.onmicrosoft.com"
        async with database.system_transaction() as session:
            tenant = await tenancy.create_tenant(session, name=f"Trial {index}", domain=domain)
        async with database.tenant_transaction(tenant.id) as session:
            connection = await create_connection(
                session, name="Trial directory", cloud="global", connection_type="customer_owned",
                directory_tenant_id=str(uuid.uuid4()), client_id=str(uuid.uuid4()), exchange_enabled=False,
                box=box, now=datetime.now(UTC),
            )  # fmt: skip
            mark_tested(connection)  # its app is registered in the sandbox by the trial, trusted from the start
            await set_policy(session, policy_to_json(starter_policy(domain)), by="crash test")
            assert connection.certificate_pem is not None and connection.client_id is not None
            prepared.append(
                TrialTenant(index, tenant.id, domain, connection.directory_tenant_id, connection.client_id,
                            connection.certificate_pem)
            )  # fmt: skip
    return prepared


async def _candidates(database: Database, tenant: TrialTenant, rng: random.Random) -> list[uuid.UUID]:
    """1,000 candidates to hire (names with diacritics, a few dozen namesakes), written in bulk before the clock
    starts, as an applicant tracking system's initial load would bring them: they are the input, not the subject
    (``create_candidate`` one by one would spend half a minute a trial on sequence numbers)."""
    now = datetime.now(UTC)
    people = [
        {"id": uuid.uuid4(), "tenant_id": tenant.tenant_id, "party_number": f"{n + 1:09d}",
         "first_name": rng.choice(FIRST_NAMES), "last_name": rng.choice(LAST_NAMES), "version": 1,
         "created_at": now, "modified_at": now}
        for n in range(JOINERS)
    ]  # fmt: skip
    candidates_ = [
        {"id": uuid.uuid4(), "tenant_id": tenant.tenant_id, "candidate_id": f"CAND-{n + 1:06d}",
         "first_name": person["first_name"], "last_name": person["last_name"],
         "applicant_integration_result": int(ApplicantIntegrationResult.NOT_PROCESSED), "person_ref_id": person["id"],
         "version": 1, "is_willing_to_relocate": False, "created_at": now, "modified_at": now}
        for n, person in enumerate(people)
    ]  # fmt: skip
    async with database.engine.begin() as connection:
        await connection.execute(insert(Person.__table__), people)  # type: ignore[arg-type]
        await connection.execute(insert(CandidateToHire.__table__), candidates_)  # type: ignore[arg-type]
    return [uuid.UUID(str(candidate["id"])) for candidate in candidates_]


async def _hire(database: Database, tenant: TrialTenant, batch: list[uuid.UUID]) -> dict[str, tuple[str, str]]:
    """Hire a batch through HR, one hire at a time as the Web API's Hire action does, in one transaction (workers,
    employments, outbox events); the joiners' names by personnel number, the directory anchor."""
    start = datetime.now(UTC).date() - timedelta(days=1)  # started yesterday: an account is due now, nothing later
    async with database.tenant_transaction(tenant.tenant_id) as session:
        candidates_ = list(await session.scalars(select(CandidateToHire).where(CandidateToHire.id.in_(batch))))
        people = {
            p.id: p
            for p in await session.scalars(select(Person).where(Person.id.in_([c.person_ref_id for c in candidates_])))
        }
        outcomes = [await services.hire(session, c.id, HireDetails(start)) for c in candidates_ if c.person_ref_id]
    hired = {}
    for outcome in outcomes:
        person = people[outcome.worker.person_id]
        assert outcome.worker.personnel_number is not None and person.last_name is not None
        hired[outcome.worker.personnel_number] = (person.first_name, person.last_name)
    return hired


async def _job_counts(database: Database, tenant: TrialTenant) -> Counter[tuple[str, str]]:
    """The tenant's jobs due by now, by kind and status (the policy's daily reconciliation waits for tomorrow)."""
    async with database.system_session() as session:
        rows = await session.execute(
            select(DurableJob.kind, DurableJob.status, func.count())
            .where(DurableJob.tenant_id == tenant.tenant_id, DurableJob.run_at <= datetime.now(UTC))
            .group_by(DurableJob.kind, DurableJob.status)
        )
        return Counter({(kind, status): count for kind, status, count in rows})


async def _undispatched(database: Database, tenant: TrialTenant) -> int:
    async with database.system_session() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(OutboxEvent.tenant_id == tenant.tenant_id, OutboxEvent.dispatched_at.is_(None))
            )
            or 0
        )


async def _running_under(database: Database, tenant: TrialTenant, worker: str) -> set[uuid.UUID]:
    async with database.system_session() as session:
        return set(
            await session.scalars(
                select(DurableJob.id).where(
                    DurableJob.tenant_id == tenant.tenant_id,
                    DurableJob.status == JobStatus.RUNNING.value,
                    DurableJob.lease_owner == worker,
                )
            )
        )


async def _accounts_through_graph(
    database: Database, settings: Settings, tenant: TrialTenant
) -> list[DirectoryAccount]:
    """Every user of the trial's directory, read through Graph with a token this process obtains with the
    connection's certificate (the product's runtime and connector, not the sandbox's memory)."""
    runtime = runtime_from_settings(settings)
    try:
        connector = await EntraConnectors(database, runtime)(tenant.tenant_id)
        assert connector is not None
        accounts: list[DirectoryAccount] = []
        page: str | None = None
        while True:
            found, page = await connector.list_accounts(page)
            accounts += found
            if page is None:
                return accounts
    finally:
        assert runtime.http is not None
        await runtime.http.aclose()


# --- one trial ------------------------------------------------------------------------------------------------


@dataclass
class Kill:
    """Kill at this share of the syncs succeeded (0: right after the start), one worker or both."""

    progress: float
    both: bool


def _kill_plan(rng: random.Random) -> list[Kill]:
    """Two to four kills at random points of the trial, a quarter of them of both workers at once; sometimes one
    right at the start, while the first outbox events are dispatched and the first tokens fetched."""
    plan = [Kill(rng.uniform(0.03, 0.95), rng.random() < 0.25) for _ in range(rng.randint(2, 4))]
    if rng.random() < 0.3:
        plan.append(Kill(0.0, rng.random() < 0.25))
    return sorted(plan, key=lambda kill: kill.progress)


@dataclass
class TrialReport:
    seconds: float
    kills: list[str]
    interrupted: dict[uuid.UUID, str]
    jobs: Counter[tuple[str, str]]


async def _run_trial(
    database: Database, tenant: TrialTenant, workers: Workers, rng: random.Random
) -> tuple[dict[str, tuple[str, str]], TrialReport]:
    waiting = await _candidates(database, tenant, rng)
    batches = [waiting[n::HIRE_BATCHES] for n in range(HIRE_BATCHES)]
    kills = _kill_plan(rng)
    hired: dict[str, tuple[str, str]] = {}
    interrupted: dict[uuid.UUID, str] = {}
    done_kills: list[str] = []
    started = time.monotonic()
    last_hire = -SECONDS_BETWEEN_BATCHES
    workers.start()
    workers.start()
    while True:
        now = time.monotonic()
        if batches and now - last_hire >= SECONDS_BETWEEN_BATCHES:
            hired.update(await _hire(database, tenant, batches.pop(0)))
            last_hire = now
        counts = await _job_counts(database, tenant)
        syncs_done = counts[(SYNC, JobStatus.SUCCEEDED.value)]
        if kills and syncs_done >= kills[0].progress * JOINERS:
            kill = kills.pop(0)
            if kill.progress == 0.0:
                await asyncio.sleep(rng.uniform(0.5, 2.5))  # somewhere in start-up or the first claims
            else:
                await asyncio.sleep(rng.uniform(0, 0.2))
            victims = list(workers.alive) if kill.both else [rng.choice(workers.alive)]
            for victim in victims:
                workers.kill(victim)
            for victim in victims:
                for job_id in await _running_under(database, tenant, victim.name):
                    interrupted[job_id] = victim.name
            for _ in victims:
                workers.start()
            done_kills.append(f"{'+'.join(v.name for v in victims)}@{syncs_done}")
        unfinished = sum(n for (_, status), n in counts.items() if status != JobStatus.SUCCEEDED.value)
        settled = not batches and not kills and syncs_done >= JOINERS and unfinished == 0
        if settled and await _undispatched(database, tenant) == 0 and await _job_counts(database, tenant) == counts:
            break
        if now - started > TRIAL_DEADLINE_SECONDS:
            logs = "\n".join(f"--- {w.name}\n{_tail(w.log)}" for w in workers.alive + workers.killed)
            raise AssertionError(f"trial {tenant.index} did not converge: {dict(counts)}; kills {done_kills}\n{logs}")
        for worker in workers.alive:
            assert worker.process.poll() is None, f"{worker.name} died by itself: {_tail(worker.log)}"
        await asyncio.sleep(0.1)
    seconds = time.monotonic() - started
    workers.stop()
    return hired, TrialReport(seconds, done_kills, interrupted, counts)


def _expected_names(domain: str, first: str, last: str) -> tuple[set[str], set[str]]:
    """The userPrincipalNames and mail addresses the starter policy may give this joiner (collisions included)."""
    policy = starter_policy(domain)
    attributes = {"FirstName": first, "LastName": last}

    def names(attribute: str) -> set[str]:
        rule = policy.naming_rule(attribute)
        assert rule is not None
        return {name.lower() for _, name in zip(range(30), candidates(rule, attributes), strict=False)}

    return names(USER_PRINCIPAL_NAME), names(MAIL)


def _check_directory(tenant: TrialTenant, hired: dict[str, tuple[str, str]], accounts: list[DirectoryAccount]) -> None:
    anchors = Counter(account.anchor for account in accounts)
    duplicates = {anchor: n for anchor, n in anchors.items() if n > 1}
    assert duplicates == {}, f"trial {tenant.index}: joiners with more than one account: {duplicates}"
    assert set(anchors) == set(hired), (
        f"trial {tenant.index}: joiners without an account: {sorted(set(hired) - set(anchors))[:10]}; "
        f"accounts of nobody: {sorted(map(str, set(anchors) - set(hired)))[:10]}"
    )
    for account in accounts:
        assert account.anchor is not None
        first, last = hired[account.anchor]
        upns, mails = _expected_names(tenant.domain, first, last)
        assert account.enabled, account
        assert account.attributes.get("givenName") == first and account.attributes.get("surname") == last, account
        assert account.attributes.get("displayName") == f"{first} {last}", account
        assert account.user_principal_name.lower() in upns, (account.user_principal_name, first, last)
        assert (account.mail or "").lower() in mails, (account.mail, first, last)
        assert account.groups == (ALL_STAFF,), account


async def _check_jobs(database: Database, tenant: TrialTenant, report: TrialReport) -> None:
    async with database.system_session() as session:
        jobs = list(await session.scalars(select(DurableJob).where(DurableJob.tenant_id == tenant.tenant_id)))
    now = datetime.now(UTC)
    scheduled = {(job.kind, job.status) for job in jobs if job.run_at > now}
    assert scheduled <= {(RECONCILE, JobStatus.QUEUED.value)}, scheduled  # only the daily reconciliation waits
    jobs = [job for job in jobs if job.run_at <= now]
    statuses = Counter(job.status for job in jobs)
    assert statuses == {JobStatus.SUCCEEDED.value: len(jobs)}, (
        f"trial {tenant.index}: {dict(statuses)}: "
        f"{[(j.kind, j.status, j.last_error) for j in jobs if j.status != JobStatus.SUCCEEDED.value][:5]}"
    )
    assert sum(1 for job in jobs if job.kind == SYNC) == JOINERS  # each hire's event became exactly one sync
    for person in {job.ordering_key for job in jobs if job.kind == SYNC}:
        ordered = sorted((job for job in jobs if job.ordering_key == person), key=lambda job: job.sequence)
        finished = [job.finished_at or datetime.max.replace(tzinfo=UTC) for job in ordered]
        assert finished == sorted(finished), f"person {person}: jobs finished out of order"
    by_id = {job.id: job for job in jobs}
    assert report.interrupted, f"trial {tenant.index}: no kill caught a worker running a job ({report.kills})"
    for job_id, killed in report.interrupted.items():
        job = by_id[job_id]
        assert job.attempts >= 2 and job.lease_owner != killed, (job.kind, job.attempts, job.lease_owner, killed)


# --- the test -------------------------------------------------------------------------------------------------


@pytest.fixture
def settings(database_url: str) -> Settings:
    """What the workers read from their environment, and the test from the same values."""
    return Settings(database_url=database_url, secret_key=SECRET_KEY, log_level="WARNING")


@pytest.fixture
async def trial_tenants(database: Database, settings: Settings) -> list[TrialTenant]:
    return await _prepare_tenants(database, TRIALS, settings)


@pytest.fixture
def sandbox(trial_tenants: list[TrialTenant], tmp_path: Path) -> Iterator[Sandbox]:
    """One sandbox process for every trial, each trial in a directory of its own."""
    world_file = tmp_path / "world.json"
    world_file.write_text(json.dumps(_world(trial_tenants)))
    yield from _start_sandbox(world_file, tmp_path / "sandbox.log")


@pytest.fixture
def worker_environment(settings: Settings, sandbox: Sandbox) -> dict[str, str]:
    return {
        **os.environ,
        "HIREHUB_DATABASE_URL": settings.database_url,
        "HIREHUB_SECRET_KEY": SECRET_KEY,
        "HIREHUB_OUTBOUND_HOST_MAP": json.dumps(sandbox.host_map),
        "HIREHUB_LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def report_line(capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    """Print past pytest's capture: the per-trial timings belong in the run's output."""

    def emit(line: str) -> None:
        with capsys.disabled():
            print(line, flush=True)

    yield emit


@pytest.fixture
def workers_of() -> Iterator[list[Workers]]:
    """Whatever becomes of a trial, no worker process outlives the test."""
    made: list[Workers] = []
    yield made
    for workers in made:
        workers.kill_all()


@pytest.mark.timeout(60 + TRIALS * TRIAL_DEADLINE_SECONDS)
async def test_killed_workers_leave_every_joiner_with_exactly_one_account_and_every_job_done(
    database: Database,
    settings: Settings,
    trial_tenants: list[TrialTenant],
    sandbox: Sandbox,
    worker_environment: dict[str, str],
    workers_of: list[Workers],
    report_line: Any,
    tmp_path: Path,
) -> None:
    seed = int(os.environ.get("HIREHUB_CRASH_SEED", str(random.randrange(2**32))))
    rng = random.Random(seed)
    reading = settings.model_copy(update={"outbound_host_map": sandbox.host_map})
    report_line(f"\ncrash trials: {TRIALS} × {JOINERS} joiners, seed {seed}")
    total = time.monotonic()
    for tenant in trial_tenants:
        workers = Workers(worker_environment, tmp_path, tenant.index)
        workers_of.append(workers)
        hired, report = await _run_trial(database, tenant, workers, rng)
        sandbox.assert_alive()
        checked = time.monotonic()
        accounts = await _accounts_through_graph(database, reading, tenant)
        _check_directory(tenant, hired, accounts)
        await _check_jobs(database, tenant, report)
        jobs = {f"{kind.split('.')[-1]}": n for (kind, _), n in sorted(report.jobs.items())}
        retried = sum(1 for _ in report.interrupted)
        report_line(
            f"trial {tenant.index:2d}: {len(hired)} joiners converged in {report.seconds:5.1f}s "
            f"(checked through Graph in {time.monotonic() - checked:4.1f}s); kills {report.kills}; "
            f"{retried} interrupted jobs taken over; jobs {jobs}"
        )
    report_line(f"crash trials: {TRIALS} trials in {time.monotonic() - total:.0f}s")
