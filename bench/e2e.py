"""From a hire to its account: the Web API's *Hire* action through the outbox, the job runners, the lifecycle and the
Graph connector into an Entra sandbox that behaves like Graph, on PostgreSQL.

Everything runs as it does in production, each part in its own process:

* **the hub's API**: ``hirehub serve`` (one process, loopback HTTP); each tenant's HR automation (an app registration
  with the *System Administrator* security role and an HR user with the *Human resource manager* role: an ATS's
  *Recruiting application* role may propose but not hire) gets a client-credentials token and calls
  ``Microsoft.Dynamics.CRM.mshr_Hire`` bound to a candidate to hire, starting today;
* **the job runners**: 1 or 3 ``hirehub jobs run`` processes (the product's defaults: concurrency 32, polling every
  second when idle), which dispatch the outbox, plan and provision through ``GraphConnector``, each with its own
  Graph throttle budget or the shared one, whichever the product has;
* **Graph**: the Entra sandbox (:mod:`hirehub.sandbox.entra`) served over HTTPS by uvicorn in a child process,
  with Graph's behaviour switched on: 50–300 ms per HTTP call, 1 s of consistency lag (a new user stays invisible
  to reads and references), 1 % injected 429s and 1 % injected 503s (Retry-After 1 s), and Graph's published
  throttling (3,000 writes per 150 s per app per directory tenant). The sandbox clock runs at Graph's own speed
  (1×): the job runners pace on the real clock, so a sped-up sandbox would only measure the hub at 1/speed of
  the limit. Each hub tenant has its own directory tenant, app registration and customer-owned connection
  (certificate credentials, MSAL over TLS, as a customer sets it up).

Three runs, each on a fresh database and a fresh sandbox:

* **1 tenant, 1 process** and **1 tenant, 3 processes**: a hiring wave under way. The app's write window is spent
  first (as ``bench/provision.py`` does) and a warm-up wave is hired until its accounts exist, so the hub has met
  the limit; then the measured wave is hired all at once. ``fraction_of_graph_limit`` is the writes the sandbox
  admitted for the measured wave over what Graph allowed in that time (the tokens left in the app's bucket when
  the wave started, plus 20 a second until its last account existed). 429s of the real throttle
  (``throttled_429``) are the hub's; the injected ones are printed apart.
* **20 tenants, 3 processes**: hires for all tenants at once, as fast as 16 clients get answers, then a smaller
  second wave arriving steadily at half the rate the first reached. ``accounts_per_minute_20_tenants`` is the first
  wave's accounts over the minutes from its first hire to its last account; ``hire_to_account_p50_s`` and
  ``_p99_s`` are the second wave's, from the action's answer to the sandbox creating the account (the sandbox's
  wall-clock stamp), so they show the pipeline's delay rather than a queue the benchmark made. The 20-tenant
  windows start full (the hub cannot write 3,000 joiners' worth to 20 directories in a minute anyway).

Every joiner must end with exactly one account, in the policy's "All staff" group; otherwise the run fails.

Everything runs on one machine, so each wave also prints the processor time the whole machine spent on it
(``/proc/stat``: the API, the runners, the sandbox with its TLS, PostgreSQL and the hiring client together):
``…_machine_busy_fraction`` (1.0 = every core busy for the whole wave) and ``…_cpu_ms_per_joiner``; and
``accounts_per_minute_20_tenants_if_cores_saturated``, what this machine's cores could provision at that cost per
joiner — the ceiling a faster pipeline would meet here, to read ``accounts_per_minute_20_tenants`` against.

    .venv/bin/python bench/e2e.py            # 300 measured joiners (1 tenant), 20 × (40 + 4) (20 tenants)
    .venv/bin/python bench/e2e.py --quick    # 60, and 20 × (8 + 2)

Each stage runs in a fresh part of one database, API and sandbox (tenants and directories of its own), so seeding
22 tenants and starting the processes is paid once; on a quiet 2-core machine ``--quick`` takes a few minutes, not
one: a joiner's account is Graph-paced in real time, which is the point. Where the run is goes to standard error.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
from rich.progress import Progress
from sqlalchemy import select, text

from hirehub.db.base import utcnow
from hirehub.db.session import Database
from hirehub.demo import SandboxIdentity
from hirehub.directories.entra.connections import create_connection
from hirehub.directories.entra.models import EntraConnection
from hirehub.directories.entra.permissions import USER_ADMINISTRATOR
from hirehub.directories.entra.runtime import connection_sealer, runtime_from_settings
from hirehub.hr import services as hr_services
from hirehub.lifecycle.policy import policy_to_json, starter_policy
from hirehub.provisioning import directory_connections as connections
from hirehub.provisioning.policies import set_policy
from hirehub.sandbox.entra.__main__ import world_from_json
from hirehub.sandbox.entra.app import create_app, host_map_for
from hirehub.sandbox.entra.faults import Latency
from hirehub.sandbox.entra.graph import directory_store
from hirehub.sandbox.serving import free_port, serving
from hirehub.sandbox.tls import make_loopback_tls
from hirehub.security import admin, apps
from hirehub.security.privileges import HR_MANAGER_ROLE_ID, SYSTEM_ADMINISTRATOR_ROLE_NAME
from hirehub.settings import Settings
from hirehub.tenancy import service as tenancy

sys.path.insert(0, str(Path(__file__).parent))
from support import POSTGRES_ADMIN_URL, Subprocess, create_schema, temporary_postgres  # bench/support.py

LATENCY_MS = (50, 300)
THROTTLE_RATE = 0.01
UNAVAILABLE_RATE = 0.01
CONSISTENCY_LAG_SECONDS = 1.0
SEED = 21
SANDBOX_SPEED = 1.0
CLIENTS = 16
"""Hire actions in flight at once (an ATS and HR automation calling in parallel)."""
WARM_UP_PER_PROCESS = 20
STALL_SECONDS = 90
API = "/api/data/v9.2"
HIRE = API + "/mshr_hcmcandidatetohireentities({})/Microsoft.Dynamics.CRM.mshr_Hire"
SECRET_KEY = secrets.token_urlsafe(32)
HUB = [sys.executable, "-m", "hirehub"]
ACTOR = "bench e2e"


# the sandbox, in a child process ----------------------------------------------------------------------------
def _sandbox_process(conn: Connection, port: int, scenario: dict[str, Any], tls_dir: str) -> None:
    """Serve the scenario's world over TLS with Graph's latency and faults; answer the parent until told to stop."""
    world = world_from_json(scenario)
    tls = make_loopback_tls(Path(tls_dir))
    latency = Latency(LATENCY_MS[0] / 1000, LATENCY_MS[1] / 1000, seed=SEED)
    app = create_app(world, latency)
    with serving(app, port, ssl_certfile=str(tls.certificate), ssl_keyfile=str(tls.key)):
        conn.send(str(tls.ca))
        while True:
            command, argument = conn.recv()
            if command == "stats":
                conn.send((world.clock.seconds(), asdict(world.graph_stats)))
            elif command == "spend_window":
                tenant_id, app_id = argument
                store = directory_store(world, world.directories[tenant_id])
                while (
                    world.graph_throttle.admit(app_id, tenant_id, write=True, cost=1.0, tenant_users=store.user_count)
                    is None
                ):
                    pass
                conn.send(None)
            elif command == "write_tokens":
                # the emulator's own bucket, read as a benchmark reads an emulator's state (not an API)
                tenant_id, app_id = argument
                now = world.clock.seconds()
                limit = world.graph_throttle.limits.writes_per_app_per_tenant
                bucket = world.graph_throttle._bucket(("w", app_id, tenant_id), limit, now)
                conn.send((now, bucket.tokens, limit.amount / limit.window))
            elif command == "count":
                conn.send(sum(len(_users(world, d)) for d in world.directories.values()))
            elif command == "accounts":
                conn.send(_accounts(world))
            elif command == "stop":
                conn.send(None)
                return


def _users(world: Any, directory: Any) -> list[Any]:
    return [o for o in directory_store(world, directory).objects.values() if o.kind == "user"]


def _accounts(world: Any) -> list[tuple[str, float, bool]]:
    """Every user: (UPN, when it was created as a wall-clock time, whether it is in "All staff")."""
    to_wall = time.time() - world.clock.seconds()  # the sandbox clock runs at 1×: a constant offset
    found: list[tuple[str, float, bool]] = []
    for directory in world.directories.values():
        store = directory_store(world, directory)
        staff = next(o for o in store.objects.values() if o.kind == "group" and o.props["displayName"] == "All staff")
        for user in _users(world, directory):
            upn = str(user.props["userPrincipalName"]).lower()
            found.append((upn, user.created_at + to_wall, user.id in staff.members))
    return found


class Sandbox:
    """The parent's handle on the child sandbox."""

    def __init__(self, scenario: dict[str, Any], tls_dir: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.port = free_port()
        self._process = context.Process(
            target=_sandbox_process, args=(child, self.port, scenario, str(tls_dir)), daemon=True
        )
        self._process.start()
        self.ca_file: str = self._conn.recv()
        self.base_url = f"https://127.0.0.1:{self.port}"

    def call(self, command: str, argument: Any = None) -> Any:
        self._conn.send((command, argument))
        return self._conn.recv()

    def close(self) -> None:
        if self._process.is_alive():
            self.call("stop")
        self._process.join(timeout=10)


# the hub's tenants --------------------------------------------------------------------------------------------
@dataclass
class Tenant:
    """One hub tenant, its HR automation's credentials, its directory in the sandbox and its candidates."""

    index: int
    tenant_id: str
    client_id: str
    secret: str
    directory_tenant_id: str
    app_id: str
    domain: str
    candidates: list[tuple[str, str]] = field(default_factory=list)
    """(candidate GUID, the UPN the starter policy gives the worker)"""
    certificate_pem: str = ""


async def seed_tenant(database: Database, settings: Settings, index: int, candidates: int) -> Tenant:
    """A tenant ready to hire through the Web API and provision into its own directory tenant."""
    directory_tenant_id, app_id = str(uuid.uuid4()), str(uuid.uuid4())
    domain = f"t{index}.bench.onmicrosoft.com"
    async with database.system_transaction() as session:
        tenant = await tenancy.create_tenant(session, name=f"Bench {index}", domain=f"t{index}.bench.example")
    async with database.tenant_transaction(tenant.id) as session:
        app = await apps.create_app(session, name="HR automation")
        secret = (await apps.add_secret(session, app)).secret
        client_id = str(app.client_id)
        await admin.create_application_user(session, client_id, [SYSTEM_ADMINISTRATOR_ROLE_NAME])
        await admin.create_hr_user(session, "hr-automation", "HR automation", [HR_MANAGER_ROLE_ID])
        await admin.create_entra_app_link(session, client_id, "HR automation", "hr-automation")
        await set_policy(session, policy_to_json(starter_policy(domain)), by=ACTOR)
        connection = await create_connection(
            session, name="Bench directory", cloud="global", connection_type="customer_owned",
            directory_tenant_id=directory_tenant_id, client_id=app_id, exchange_enabled=False,
            box=connection_sealer(settings), now=utcnow(),
        )  # fmt: skip
        made = Tenant(index, str(tenant.id), client_id, secret, directory_tenant_id, app_id, domain)
        made.certificate_pem = connection.certificate_pem or ""
        made_candidates = []
        for i in range(candidates):
            last = f"Joiner{i:05d}"
            new = hr_services.NewCandidate(first_name="Pat", last_name=last, email=f"pat.{i}@mail.example")
            made_candidates.append((await hr_services.create_candidate(session, new), last))
        await session.flush()  # the ids
        made.candidates = [(str(c.id), f"pat.{last.lower()}@{domain}") for c, last in made_candidates]
    return made


def scenario(tenants: Sequence[Tenant]) -> dict[str, Any]:
    """The sandbox world: each tenant's directory with its app (the connection's certificate trusted, the
    permissions the hub asks for granted, User Administrator assigned) and its "All staff" group, as the demo's
    sandbox identity arranges one; Graph's faults and clock."""
    directories = []
    for t in tenants:
        identity = SandboxIdentity(
            tenant_id=t.directory_tenant_id, default_domain=t.domain, client_id=t.app_id,
            client_secret=secrets.token_urlsafe(16), admin=f"admin@{t.domain}",
            admin_password=secrets.token_urlsafe(12), linkedin_client_id="", linkedin_client_secret="",
            certificates=(t.certificate_pem,),
            directory_roles=(USER_ADMINISTRATOR.template_id,),
        )  # fmt: skip
        directories += identity.entra_world(redirect_uri="https://hub.invalid/callback")["directories"]
    faults = {
        "throttle_rate": THROTTLE_RATE,
        "unavailable_rate": UNAVAILABLE_RATE,
        "retry_after_seconds": 1,
        "consistency_lag_seconds": CONSISTENCY_LAG_SECONDS,
        "seed": SEED,
    }
    return {"speed": SANDBOX_SPEED, "faults": faults, "directories": directories}


# hiring through the Web API ---------------------------------------------------------------------------------------
@dataclass
class Hired:
    upn: str
    answered_at: float
    """Wall-clock time the action's answer arrived."""


async def token_for(client: httpx.AsyncClient, tenant: Tenant, base_url: str) -> str:
    response = await client.post(
        f"/{tenant.tenant_id}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": tenant.client_id, "client_secret": tenant.secret,
              "scope": f"{base_url}/.default"},
    )  # fmt: skip
    response.raise_for_status()
    return str(response.json()["access_token"])


async def hire_all(
    client: httpx.AsyncClient, work: list[tuple[str, str, str]], *, per_second: float | None = None
) -> list[Hired]:
    """Call the *Hire* action for each (token, candidate, UPN): ``CLIENTS`` at once, or arriving ``per_second``."""
    today = datetime.now(UTC).date().isoformat()
    hired: list[Hired] = []
    slots = asyncio.Semaphore(CLIENTS)

    async def one(token: str, candidate: str, upn: str) -> None:
        async with slots:
            response = await client.post(
                HIRE.format(candidate), json={"StartDate": today}, headers={"Authorization": f"Bearer {token}"}
            )
        if response.status_code != 200:
            raise SystemExit(f"the Hire action answered {response.status_code}: {response.text[:500]}")
        hired.append(Hired(upn, time.time()))

    if per_second is None:
        await asyncio.gather(*(one(*item) for item in work))
        return hired
    tasks = []
    started = time.monotonic()
    for n, item in enumerate(work):
        await asyncio.sleep(max(0.0, started + n / per_second - time.monotonic()))
        tasks.append(asyncio.create_task(one(*item)))
    await asyncio.gather(*tasks)
    return hired


async def wait_for_accounts(
    sandbox: Sandbox, database: Database, processes: list[Subprocess], total: int, progress: Progress, what: str
) -> None:
    """Until the sandbox holds ``total`` accounts; a dead job, a dead process or no progress fails the run."""
    task = progress.add_task(what, total=total)
    last, last_change = -1, time.monotonic()
    while True:
        count = sandbox.call("count")
        progress.update(task, completed=count)
        if count >= total:
            break
        for process in processes:
            process.check_alive()
        async with database.engine.connect() as conn:
            dead = (await conn.execute(text("SELECT kind, last_error FROM job WHERE status = 'dead' LIMIT 3"))).all()
        if dead:
            raise SystemExit(f"jobs failed for good: {dead}")
        if count != last:
            last, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > STALL_SECONDS:
            tails = "\n".join(line for p in processes for line in list(p.lines)[-5:])
            raise SystemExit(f"no account made for {STALL_SECONDS} s ({count} of {total})\n{tails}")
        await asyncio.sleep(0.25)
    progress.remove_task(task)


# one configuration ----------------------------------------------------------------------------------------------
@dataclass
class Figures:
    joiners: int
    seconds: float
    hiring_seconds: float
    """From the first hire sent to the last action's answer: the API's share of the wave."""
    writes: int
    throttled: int
    injected_429: int
    injected_503: int
    http_requests: int
    latencies: list[float]
    cpu: CpuUse
    fraction: float | None = None
    rate_per_minute: float = 0.0


@dataclass(frozen=True)
class CpuUse:
    """The whole machine's processor time over a span (every process: the API, the runners, the sandbox,
    PostgreSQL and this client), from ``/proc/stat``; zeros where there is no such file."""

    busy_seconds: float
    all_seconds: float

    @classmethod
    def now(cls) -> CpuUse:
        try:
            fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        except (OSError, ValueError):
            return cls(0.0, 0.0)
        idle = fields[3] + fields[4]  # idle, iowait
        total = sum(fields[:8])  # guest time is already counted in user
        tick = os.sysconf("SC_CLK_TCK")
        return cls((total - idle) / tick, total / tick)

    def since(self, earlier: CpuUse) -> CpuUse:
        return CpuUse(self.busy_seconds - earlier.busy_seconds, self.all_seconds - earlier.all_seconds)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _delta(before: dict[str, Any], after: dict[str, Any], key: str) -> int:
    return int(after[key]) - int(before[key])


@dataclass
class Stage:
    """One measured configuration: its tenants, how many job runners run, and its waves."""

    name: str
    tenants: list[Tenant]
    processes: int
    warm_up: int
    measured: int
    paced: int = 0


async def run(admin_url: str, *, single: int, per_tenant: int, paced: int) -> dict[str, Figures]:
    """One database, API and sandbox for the whole run; each stage has tenants (and directories) of its own, so
    what one stage left behind is not in another's way, and each starts with the job runners it names."""
    async with temporary_postgres(admin_url, "e2e") as url:
        if url is None:
            raise SystemExit("this benchmark needs PostgreSQL")
        await create_schema(url)
        database = Database(url)
        started: list[Subprocess] = []
        sandbox: Sandbox | None = None
        results: dict[str, Figures] = {}
        try:
            with Progress(transient=True) as progress, tempfile.TemporaryDirectory() as tls_dir:
                settings = Settings(database_url=url, secret_key=SECRET_KEY, base_url="http://127.0.0.1")
                task = progress.add_task("seeding 22 tenants", total=22)
                seeded: list[Tenant] = []
                for index in range(22):
                    candidates = WARM_UP_PER_PROCESS * 3 + single if index < 2 else per_tenant + paced
                    seeded.append(await seed_tenant(database, settings, index, candidates))
                    progress.advance(task)
                progress.remove_task(task)
                stages = [
                    Stage("1_tenant_1_process", seeded[:1], 1, WARM_UP_PER_PROCESS, single),
                    Stage("1_tenant_3_process", seeded[1:2], 3, WARM_UP_PER_PROCESS * 3, single),
                    Stage("20_tenants_3_process", seeded[2:], 3, 0, per_tenant, paced=paced),
                ]
                _stage("22 tenants seeded; starting the sandbox and the API")
                sandbox = Sandbox(scenario(seeded), Path(tls_dir))
                api_port = free_port()
                base_url = f"http://127.0.0.1:{api_port}"
                host_map = host_map_for(sandbox.base_url)
                env = {
                    **os.environ,
                    "HIREHUB_DATABASE_URL": url,
                    "HIREHUB_SECRET_KEY": SECRET_KEY,
                    "HIREHUB_BASE_URL": base_url,
                    "HIREHUB_OUTBOUND_HOST_MAP": json.dumps(host_map),
                    "HIREHUB_OUTBOUND_CA_BUNDLE": sandbox.ca_file,
                }
                started.append(await Subprocess.start([*HUB, "serve", "--port", str(api_port)], env))
                hub_settings = Settings(
                    database_url=url, secret_key=SECRET_KEY, base_url=base_url, outbound_host_map=host_map,
                    outbound_ca_bundle=sandbox.ca_file,
                )  # fmt: skip
                await test_connections(database, hub_settings, seeded)
                async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
                    await _wait_for_api(client, started)
                    for stage in stages:
                        new = [
                            await Subprocess.start([*HUB, "jobs", "run"], env)
                            for _ in range(stage.processes - (len(started) - 1))
                        ]
                        started += new
                        await _wait_for_runners(new, started)
                        _stage(f"{stage.name}: hiring")
                        measured = await run_stage(client, sandbox, database, started, progress, stage, base_url)
                        for name, figures in measured.items():
                            _print(stage_figures(name, figures))  # as it comes: a long run shows its stages
                        results |= measured
                    hired = [
                        upn for st in stages for t in st.tenants
                        for _, upn in t.candidates[: st.warm_up + st.measured + st.paced]
                    ]  # fmt: skip
                    await _wait_for_jobs(database, started)  # a joiner's group add may follow its account
                    _verify(sandbox.call("accounts"), hired)
        finally:
            for process in started:
                await process.stop(grace=10)
            if sandbox is not None:
                sandbox.close()
            await database.dispose()
    return results


async def test_connections(database: Database, settings: Settings, tenants: list[Tenant]) -> None:
    """*Test connection* on every tenant's connection, as its administrator does once it is set up: the hub
    provisions through a connection only after it passed. An injected fault can fail one; it is tested again."""
    runtime = runtime_from_settings(settings)
    try:
        for tenant in tenants:
            for _ in range(5):
                async with database.tenant_transaction(uuid.UUID(tenant.tenant_id)) as session:
                    connection = await session.scalar(select(EntraConnection))
                    assert connection is not None
                    verdict = await connections.test(session, connection, runtime, now=utcnow(), actor=ACTOR)
                if verdict.ok:
                    break
            else:
                raise SystemExit(f"Test connection did not pass for tenant {tenant.index}: {verdict.problems}")
    finally:
        await runtime.http_client().aclose()


async def run_stage(
    client: httpx.AsyncClient, sandbox: Sandbox, database: Database, processes: list[Subprocess],
    progress: Progress, stage: Stage, base_url: str,
) -> dict[str, Figures]:  # fmt: skip
    """The stage's warm-up (its tenants' write windows spent first), measured and paced waves."""
    tokens = {t.index: await token_for(client, t, base_url) for t in stage.tenants}
    waves = [[(tokens[t.index], *c) for c in t.candidates] for t in stage.tenants]
    done = int(sandbox.call("count"))
    if stage.warm_up:
        for t in stage.tenants:
            sandbox.call("spend_window", (t.directory_tenant_id, t.app_id))
        warm_up = _interleaved([wave[: stage.warm_up] for wave in waves])
        await hire_all(client, warm_up)
        done += len(warm_up)
        await wait_for_accounts(sandbox, database, processes, done, progress, "warm-up accounts")
        _stage(f"{stage.name}: warm-up wave provisioned")
    end = stage.warm_up + stage.measured
    measured = _interleaved([wave[stage.warm_up : end] for wave in waves])
    figures = {stage.name: await _wave(client, sandbox, database, processes, progress, measured, done, stage.tenants)}
    done += len(measured)
    if stage.paced:
        rate = figures[stage.name].rate_per_minute / 60 / 2
        paced = _interleaved([wave[end : end + stage.paced] for wave in waves])
        _stage(f"{stage.name}: a paced wave at {rate:.1f} hires a second")
        figures[f"{stage.name}_paced"] = await _wave(
            client, sandbox, database, processes, progress, paced, done, stage.tenants, rate
        )
    return figures


async def _wait_for_jobs(database: Database, processes: list[Subprocess]) -> None:
    """Until no provisioning job is left to run: the end state is only checked once the hub is done."""
    deadline = time.monotonic() + STALL_SECONDS
    sql = (
        "SELECT count(*) FROM job WHERE kind = 'provisioning.sync' AND status NOT IN ('succeeded', 'dead', 'cancelled')"
    )
    while True:
        async with database.engine.connect() as conn:
            if not (await conn.execute(text(sql))).scalar_one():
                return
        for process in processes:
            process.check_alive()
        if time.monotonic() > deadline:
            raise SystemExit(f"provisioning jobs still unfinished after {STALL_SECONDS} s")
        await asyncio.sleep(0.25)


async def _wait_for_runners(new: list[Subprocess], processes: list[Subprocess]) -> None:
    """Until the runners just started say so (before their later lines push the start-up line out)."""
    deadline = time.monotonic() + 120
    while not all(p.said("job_runner.started") for p in new):
        for process in processes:
            process.check_alive()
        if time.monotonic() > deadline:
            raise SystemExit("the job runners did not start within two minutes")
        await asyncio.sleep(0.2)


def _interleaved(waves: list[list[tuple[str, str, str]]]) -> list[tuple[str, str, str]]:
    """One hire of each tenant in turn, as hires of many customers arrive."""
    return [w for group in itertools.zip_longest(*waves) for w in group if w is not None]


async def _wait_for_api(client: httpx.AsyncClient, processes: list[Subprocess]) -> None:
    deadline = time.monotonic() + 60
    while True:
        for process in processes:
            process.check_alive()
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("the API did not start within a minute")
        await asyncio.sleep(0.2)


async def _wave(
    client: httpx.AsyncClient, sandbox: Sandbox, database: Database, processes: list[Subprocess], progress: Progress,
    work: list[tuple[str, str, str]], done: int, tenants: list[Tenant], per_second: float | None = None,
) -> Figures:  # fmt: skip
    """Hire ``work`` and wait for its accounts; what the sandbox saw meanwhile."""
    only = tenants[0] if len(tenants) == 1 else None
    window = sandbox.call("write_tokens", (only.directory_tenant_id, only.app_id)) if only else None
    before_seconds, before = sandbox.call("stats")
    cpu_before = CpuUse.now()
    first_sent = time.time()
    hired = await hire_all(client, work, per_second=per_second)
    await wait_for_accounts(sandbox, database, processes, done + len(work), progress, "accounts")
    cpu = CpuUse.now().since(cpu_before)
    _, after = sandbox.call("stats")
    created = {upn: at for upn, at, _ in sandbox.call("accounts")}
    last_created = max(created[h.upn] for h in hired)
    writes = _delta(before, after, "writes")
    figures = Figures(
        joiners=len(work), seconds=last_created - first_sent,
        hiring_seconds=max(h.answered_at for h in hired) - first_sent, writes=writes,
        throttled=_delta(before, after, "throttled"), injected_429=_delta(before, after, "injected_throttles"),
        injected_503=_delta(before, after, "unavailable"), http_requests=_delta(before, after, "http_requests"),
        latencies=[created[h.upn] - h.answered_at for h in hired], cpu=cpu,
    )  # fmt: skip
    figures.rate_per_minute = len(work) / (figures.seconds / 60)
    if window is not None:
        window_at, tokens, rate = window
        # what Graph allowed from the wave's start to its last account: the bucket's tokens then, plus its refill
        elapsed = (last_created - first_sent) + (before_seconds - window_at)
        figures.fraction = writes / (tokens + rate * elapsed)
    return figures


def _verify(accounts: list[tuple[str, float, bool]], expected: list[str]) -> None:
    problems: list[str] = []
    seen: dict[str, int] = {}
    for upn, _, _ in accounts:
        seen[upn] = seen.get(upn, 0) + 1
    problems += [f"{upn}: {n} accounts" for upn, n in seen.items() if n != 1]
    problems += [f"{upn}: no account" for upn in expected if upn not in seen]
    problems += [f"{upn}: not in All staff" for upn, _, member in accounts if not member]
    if len(accounts) != len(expected):
        problems.append(f"{len(accounts)} accounts for {len(expected)} joiners")
    if problems:
        raise SystemExit(f"the directories are wrong ({len(problems)} problems), e.g. {problems[:5]}")


# the figures ---------------------------------------------------------------------------------------------------
def stage_figures(name: str, f: Figures) -> dict[str, Any]:
    figures: dict[str, Any] = {
        f"{name}_joiners": f.joiners,
        f"{name}_seconds": f.seconds,
        f"{name}_hiring_seconds": f.hiring_seconds,
        f"{name}_writes_per_joiner": f.writes / f.joiners,
        f"{name}_http_requests_per_joiner": f.http_requests / f.joiners,
        f"{name}_throttled_429": f.throttled,
        f"{name}_injected_429": f.injected_429,
        f"{name}_injected_503": f.injected_503,
        f"{name}_accounts_per_minute": f.rate_per_minute,
        f"{name}_hire_to_account_p50_s": statistics.median(f.latencies),
        f"{name}_hire_to_account_p99_s": percentile(f.latencies, 0.99),
    }
    if f.cpu.all_seconds > 0:
        figures[f"{name}_machine_busy_fraction"] = f.cpu.busy_seconds / f.cpu.all_seconds
        figures[f"{name}_cpu_ms_per_joiner"] = f.cpu.busy_seconds * 1000 / f.joiners
    if f.fraction is not None:
        figures[f"{name}_fraction_of_graph_limit"] = f.fraction
    return figures


def _print(figures: dict[str, Any]) -> None:
    for key, value in figures.items():
        print(f"{key}: {value:,.2f}" if isinstance(value, float) else f"{key}: {value}", flush=True)


def _stage(what: str) -> None:
    """Where the run is, on standard error (the figures go to standard output)."""
    print(f"[{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="60 joiners and 20 × (8 + 2), not 300 and 20 × (40 + 4)")
    args = parser.parse_args()
    single, per_tenant, paced = (60, 8, 2) if args.quick else (300, 40, 4)
    _print({
        "sandbox_clock_speed": SANDBOX_SPEED,
        "sandbox_latency_ms": f"{LATENCY_MS[0]}-{LATENCY_MS[1]}",
        "sandbox_injected_429_rate": THROTTLE_RATE,
        "sandbox_injected_503_rate": UNAVAILABLE_RATE,
        "sandbox_consistency_lag_s": CONSISTENCY_LAG_SECONDS,
        "graph_limit_writes_per_150_s": 3000,
        "load_average_1m_at_start": os.getloadavg()[0],
    })  # fmt: skip
    results = await run(POSTGRES_ADMIN_URL, single=single, per_tenant=per_tenant, paced=paced)
    out: dict[str, Any] = {}
    headline = results["1_tenant_3_process"]
    steady = results["20_tenants_3_process_paced"]
    out |= {
        "writes_per_joiner": headline.writes / headline.joiners,
        "throttled_429": headline.throttled,
        "injected_429_and_503": headline.injected_429 + headline.injected_503,
        "hire_to_account_p50_s": statistics.median(steady.latencies),
        "hire_to_account_p99_s": percentile(steady.latencies, 0.99),
        "accounts_per_minute_20_tenants": results["20_tenants_3_process"].rate_per_minute,
        "cores": os.cpu_count() or 1,
    }
    wave = results["20_tenants_3_process"]
    if wave.cpu.busy_seconds > 0:
        # what the machine's cores could provision if the hub used them all, at the processor time a joiner took
        out["accounts_per_minute_20_tenants_if_cores_saturated"] = (
            (os.cpu_count() or 1) * 60 * wave.joiners / wave.cpu.busy_seconds
        )
    out |= {
        "load_average_1m_at_end": os.getloadavg()[0],
        "fraction_of_graph_limit": headline.fraction,
    }
    _print(out)


if __name__ == "__main__":
    asyncio.run(main())
