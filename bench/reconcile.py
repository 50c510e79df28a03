"""What a full reconciliation costs over merely reading both sides: N HR workers against N directory accounts in the
Entra sandbox, read over HTTP as the scheduled reconciliation job reads them.

The benchmark puts N workers of one tenant in a fresh PostgreSQL database (person, worker and employment
rows, with departments, titles and a management tree) and builds the directory those workers would have, by
planning and applying every account with the starter policy, as the engine does (leavers who were handled are
disabled, pre-start hires are disabled until their start), in an in-memory directory first, then copied into the
Entra sandbox's world through its own store (seeding 100,000 users over HTTP would take longer than the run). Then
it injects drift of every kind the report knows:

* **orphans** (~1%): accounts anchored to personnel numbers no worker has;
* **duplicates** (~0.5%): a second account carrying a worker's anchor;
* **mismatched** (~2%): HR moved the worker to another department or title and the directory was not told;
* **enabled leavers** (~1%): HR recorded a termination whose last day has ended, the account is still on;
* **missing** (~1%): workers who should have an account and have none;

besides clean cases that must not be reported (future hires outside the provisioning window, handled leavers,
pre-start hires, a few administrators' accounts without an anchor).

The sandbox is then served by uvicorn over loopback HTTP in a process of its own (forked once the world is
seeded), and both sides are read as production reads them, through
:func:`hirehub.provisioning.reconcile.read_both_sides`:

* **the workers** through the product's loader (:func:`hirehub.provisioning.workers.all_worker_views`, the one a
  sync uses too), as of the tenant's date, with the tenant's policy and each worker's person;
* **the accounts** through :meth:`GraphConnector.list_accounts` page after page: users ``$select``-ed with their
  manager expanded (100 a page, Graph's cap when expanding), memberships from the groups' member pages (999 a
  page); no read per user.

It checks the report finds exactly what was injected, then measures, in alternating rounds (median of each):

* **reading both sides**: ``read_both_sides`` alone;
* **reconciliation**: ``read_both_sides`` then ``drift`` (``compare`` and the fixes), exactly the job's path up to
  the queueing of syncs; the policy is read from the database each time, as the job does, so no memo carries over.

Peak memory is measured in a separate run of each under ``tracemalloc`` (its peak above what was allocated
before), as tracing slows Python down; ``max_rss_mb`` is this process's high-water mark, which also held the
in-memory directory and the set-up (the sandbox's process is not counted). The goal is a reconciliation at most 2x
the reading. The sandbox answers without added latency: against Graph each of the hundreds of pages is a request
over the Internet, which would add the same time to both sides and lower the ratio.

    .venv/bin/python bench/reconcile.py            # 100,000 workers and accounts
    .venv/bin/python bench/reconcile.py --quick    # 10,000, done within a minute
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import random
import resource
import statistics
import time as clock
import tracemalloc
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter
from typing import Any

import httpx
import uvicorn
from rich.progress import Progress
from sqlalchemy import insert, text
from support import (  # bench/support.py: the scripts run from this folder
    POSTGRES_ADMIN_URL,
    create_schema,
    temporary_postgres,
)

from hirehub.db.session import Database
from hirehub.directories.entra.clouds import CLOUDS, CloudName
from hirehub.directories.entra.connector import GraphConnector
from hirehub.directories.entra.directory import GraphDirectory
from hirehub.directories.entra.graph import GraphClient
from hirehub.directories.entra.step_outcomes import graph_value
from hirehub.hr.models import Department, Employment, Person, Title, Worker
from hirehub.hr.models.options import WorkerStatus
from hirehub.lifecycle.directory_state import DirectoryAccount
from hirehub.lifecycle.planning import Plan, plan
from hirehub.lifecycle.policy import LifecyclePolicy, starter_policy
from hirehub.lifecycle.reconciliation import DriftReport
from hirehub.lifecycle.worker_view import HRStatus, WorkerView
from hirehub.outbound import HostMap, async_client
from hirehub.provisioning.reconcile import BothSides, read_both_sides
from hirehub.provisioning.reconcile import drift as drift_of
from hirehub.sandbox.entra.app import create_app
from hirehub.sandbox.entra.graph import directory_store
from hirehub.sandbox.entra.graph_store import format_datetime
from hirehub.sandbox.entra.world import Application, Directory, EntraWorld
from hirehub.sandbox.serving import free_port
from hirehub.tenancy import service as tenancy
from hirehub.testing.memory_connector import InMemoryConnector

NOW = datetime(2027, 3, 15, 11, 0, tzinfo=UTC)
TODAY = date(2027, 3, 15)
TIME_ZONE = "Europe/Berlin"
DOMAIN = "bench.example"
PAGE_SIZE = 999
BATCH = 5000
ROUNDS = 3
UNANCHORED = 20
FAN_OUT = 8
"""Each manager has up to this many direct reports (worker i reports to worker (i - 1) // FAN_OUT)."""

_FIRST = """José Ana Luis María Ahmed Fatima Chen Wei Olga Ivan Aoife Seán Zoë Chloé Jürgen Ingrid Kofi Ama Ravi Priya
Tomás Lucía Mateo Sofía Noah Emma Liam Olivia Hiroshi Yuki Mohammed Aisha Pierre Amélie Lars Astrid Kwame Nia Dmitri
Anya Giulia Marco Björn Sigrid Omar Layla Diego Camila Rohan Meera"""
_LAST = """Núñez García Müller Smith Okafor Dubois Nguyen Kowalski Haddad Tanaka Silva O'Brien Johansson Rossi
Novak Schmidt Martínez López González Hernández Pérez Sánchez Ramírez Torres Flores Rivera Gómez Díaz Reyes
Morales Jiménez Álvarez Romero Andersson Nilsson Larsen Hansen Jensen Petersen Virtanen Korhonen Mäkinen
Nieminen Wójcik Kowalczyk Lewandowski Zieliński Szymański Dąbrowski Kozłowski Horváth Nagy Tóth Szabó Kovács
Popescu Ionescu Georgiou Papadopoulos Yılmaz Kaya Demir Şahin Çelik Cohen Levi Mizrahi Friedman Kim Lee Park
Choi Jung Kang Cho Yoon Jang Lim Wang Li Zhang Liu Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo
Zheng Liang Patel Shah Singh Kumar Sharma Gupta Mehta Iyer Reddy Nair Rao Das Bose Sen Mukherjee Banerjee"""
FIRST_NAMES = tuple(_FIRST.split())
LAST_NAMES = tuple(_LAST.split())
DEPARTMENTS = tuple(f"Department {n:02d}" for n in range(1, 41))
TITLES = tuple(f"Title {n:02d}" for n in range(1, 61))


@dataclass
class _Spec:
    """One worker as the benchmark makes them: what HR holds, and what the directory last knew."""

    index: int
    worker_id: uuid.UUID
    first_name: str
    last_name: str
    department: int
    title: int
    start: date
    status: WorkerStatus = WorkerStatus.EMPLOYED
    end: date | None = None
    directory_department: int | None = None
    """The department the directory was last told of, when HR has moved the worker since."""
    directory_title: int | None = None
    category: str = "clean"

    @property
    def anchor(self) -> str:
        return f"{self.index + 1:06d}"

    @property
    def manager(self) -> int | None:
        return (self.index - 1) // FAN_OUT if self.index else None


@dataclass
class _Drift:
    """How many of each kind the benchmark injected (what the report must find)."""

    orphans: int = 0
    duplicates: int = 0
    mismatched: int = 0
    enabled_leavers: int = 0
    missing: int = 0


def _specs(count: int, rng: random.Random) -> tuple[list[_Spec], _Drift]:
    """N workers, and which of them (all without reports, so no one else's account depends on theirs) drift."""
    specs = [
        _Spec(
            index=i,
            worker_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            department=rng.randrange(len(DEPARTMENTS)),
            title=rng.randrange(len(TITLES)),
            start=date(2015, 1, 1) + timedelta(days=rng.randrange(4400)),
        )
        for i in range(count)
    ]
    first_leaf = (count - 2) // FAN_OUT + 1  # workers from here on manage no one
    leaves = rng.sample(range(first_leaf, count), k=count * 10 // 100)
    shares = {  # per 1,000 workers
        "duplicate": 5,
        "mismatched": 20,
        "enabled_leaver": 10,
        "missing": 10,
        "handled_leaver": 30,
        "pre_start": 5,
        "future_hire": 10,
    }
    drift = _Drift(orphans=count // 100)
    for category, share in shares.items():
        for _ in range(count * share // 1000):
            spec = specs[leaves.pop()]
            spec.category = category
            if category == "mismatched":
                if spec.index % 2:
                    spec.directory_department = spec.department
                    spec.department = (spec.department + 1) % len(DEPARTMENTS)
                else:
                    spec.directory_title = spec.title
                    spec.title = (spec.title + 1) % len(TITLES)
            elif category in ("enabled_leaver", "handled_leaver"):
                spec.status = WorkerStatus.TERMINATED
                spec.end = TODAY - timedelta(days=10 if category == "enabled_leaver" else 40)
            elif category in ("pre_start", "future_hire"):
                spec.status = WorkerStatus.PENDING
                spec.start = TODAY + timedelta(days=7 if category == "pre_start" else 60)
    counts = {category: sum(1 for s in specs if s.category == category) for category in shares}
    drift.duplicates = counts.pop("duplicate")
    drift.mismatched = counts.pop("mismatched")
    drift.enabled_leavers = counts.pop("enabled_leaver")
    drift.missing = counts.pop("missing")
    return specs, drift


def _view(spec: _Spec, specs: list[_Spec], *, as_directory_knew: bool = False) -> WorkerView:
    """The worker as the loader will read them from HR, or as they were when the directory was last synced."""
    department, title = spec.department, spec.title
    status, last_day = spec.status, spec.end
    if as_directory_knew:
        department = spec.directory_department if spec.directory_department is not None else department
        title = spec.directory_title if spec.directory_title is not None else title
        if spec.category in ("enabled_leaver", "handled_leaver"):
            status, last_day = WorkerStatus.EMPLOYED, None
    manager = spec.manager
    return WorkerView(
        worker_id=str(spec.worker_id),
        personnel_number=spec.anchor,
        first_name=spec.first_name,
        last_name=spec.last_name,
        status=HRStatus(status.name.lower()),
        start_date=spec.start,
        last_day=last_day,
        time_zone=TIME_ZONE,
        email=f"p{spec.index}@home.example",
        department=DEPARTMENTS[department],
        job_title=TITLES[title],
        company_code="USMF",
        manager_personnel_number=specs[manager].anchor if manager is not None else None,
    )


async def _populate(database: Database, specs: list[_Spec], progress: Progress) -> uuid.UUID:
    """The tenant, its departments and titles, and a person, worker and employment row per spec."""
    async with database.system_transaction() as session:
        tenant = await tenancy.create_tenant(session, name="Bench", domain=DOMAIN, time_zone=TIME_ZONE)
    tenant_id = tenant.id
    now = datetime.now(UTC)
    common = {"tenant_id": tenant_id, "version": 1, "created_at": now, "modified_at": now}
    department_ids = [uuid.uuid4() for _ in DEPARTMENTS]
    title_ids = [uuid.uuid4() for _ in TITLES]
    async with database.engine.begin() as conn:
        await conn.execute(
            insert(Department.__table__),  # type: ignore[arg-type]
            [{"id": i, "department_number": f"D{n:03d}", "name": name, **common}
             for n, (i, name) in enumerate(zip(department_ids, DEPARTMENTS, strict=True))],
        )  # fmt: skip
        await conn.execute(
            insert(Title.__table__),  # type: ignore[arg-type]
            [{"id": i, "title_id": name, **common} for i, name in zip(title_ids, TITLES, strict=True)],
        )
    task = progress.add_task("writing HR workers", total=len(specs))
    for offset in range(0, len(specs), BATCH):
        chunk = specs[offset : offset + BATCH]
        people = [uuid.uuid4() for _ in chunk]
        async with database.engine.begin() as conn:
            await conn.execute(
                insert(Person.__table__),  # type: ignore[arg-type]
                [{"id": p, "party_number": f"P{s.index + 1:08d}", "first_name": s.first_name,
                  "last_name": s.last_name, **common} for p, s in zip(people, chunk, strict=True)],
            )  # fmt: skip
            await conn.execute(
                insert(Worker.__table__),  # type: ignore[arg-type]
                [{"id": s.worker_id, "personnel_number": s.anchor, "person_id": p, "worker_type": 200000000,
                  "status": int(s.status), "first_name": s.first_name, "last_name": s.last_name,
                  "email": f"p{s.index}@home.example", "data_area_id": "USMF",
                  "department_id": department_ids[s.department], "title_id": title_ids[s.title],
                  "manager_id": specs[s.manager].worker_id if s.manager is not None else None, **common}
                 for p, s in zip(people, chunk, strict=True)],
            )  # fmt: skip
            employments = [
                {"id": uuid.uuid4(), "worker_id": s.worker_id, "start_date": s.start, "end_date": s.end,
                 "employment_type": 200000000, "rescinded": False, **common}
                for s in chunk
            ]  # fmt: skip
            # Some handled leavers had an earlier employment too (a rehire who left again): the loader must
            # take the current one.
            employments += [
                {"id": uuid.uuid4(), "worker_id": s.worker_id, "start_date": date(2010, 1, 1),
                 "end_date": date(2012, 12, 31), "employment_type": 200000000, "rescinded": False, **common}
                for s in chunk if s.category == "handled_leaver" and s.index % 3 == 0
            ]  # fmt: skip
            await conn.execute(insert(Employment.__table__), employments)  # type: ignore[arg-type]
        progress.advance(task, len(chunk))
    async with database.engine.connect() as conn:
        await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(text("VACUUM ANALYZE"))
    progress.remove_task(task)
    return tenant_id


async def _build_directory(
    specs: list[_Spec], drift: _Drift, policy: LifecyclePolicy, progress: Progress
) -> InMemoryConnector:
    """The directory the engine would have made for the workers as it last knew them, then the drift."""
    moment = [NOW]
    connector = InMemoryConnector(clock=lambda: moment[0], page_size=PAGE_SIZE)

    async def apply(worker_plan: Plan, account: DirectoryAccount | None) -> DirectoryAccount:
        result = await connector.apply(worker_plan, account)
        assert result.ok and result.account is not None, result
        return result.account

    for n in range(UNANCHORED):  # administrators' and service accounts: not the lifecycle's business
        connector.add_account(anchor=None, user_principal_name=f"admin{n}@{DOMAIN}")
    task = progress.add_task("building the directory", total=len(specs))
    for spec in specs:
        progress.advance(task)
        if spec.category in ("missing", "future_hire"):
            continue
        known = _view(spec, specs, as_directory_knew=True)
        account = await apply(plan(known, policy, None, NOW, connector.holds_name), None)
        if spec.category == "handled_leaver":  # handled two days after the last day
            moment[0] = datetime.combine(spec.end or TODAY, time(), tzinfo=UTC) + timedelta(days=2)
            await apply(plan(_view(spec, specs), policy, account, NOW, connector.holds_name), account)
            moment[0] = NOW
    for spec in specs:
        if spec.category == "duplicate":
            connector.add_account(anchor=spec.anchor, user_principal_name=f"dup.{spec.anchor}@{DOMAIN}")
    for n in range(drift.orphans):
        name = f"gone{n}@{DOMAIN}"
        connector.add_account(anchor=f"X{n + 1:06d}", user_principal_name=name, mail=name, groups=["All staff"])
    progress.remove_task(task)
    return connector


GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
READ_PERMISSIONS = ("User.Read.All", "Group.Read.All", "Directory.Read.All")
GRAPH = CLOUDS[CloudName.GLOBAL]
PASSWORD = "Str0ng!Passw0rd#2027"


@dataclass
class Sandbox:
    """The Entra sandbox's world holding the directory, and the app the hub reads it as."""

    world: EntraWorld
    directory: Directory
    app: Application

    def token(self) -> str:
        principal = self.world.service_principal_in(self.directory, self.app.app_id)
        roles = principal.app_roles.get(GRAPH_APP_ID, set())
        token, _ = self.world.issue_access_token(
            self.directory, self.app.app_id, f"https://{GRAPH.graph_host}", roles=roles
        )
        return token


def _seed_sandbox(accounts: list[DirectoryAccount], progress: Progress) -> Sandbox:
    """The accounts, their managers and their groups put into the sandbox through its store, as Graph would hold
    them had the engine written them (the traces of a handled leaver's one-shot actions included)."""
    world = EntraWorld()
    directory = world.add_directory(default_domain=DOMAIN)
    app = world.register_application(directory, "hirehub reconciliation")
    world.grant_application_permissions(directory, app.app_id, READ_PERMISSIONS, GRAPH_APP_ID)
    store = directory_store(world, directory)
    groups = {}
    for name in dict.fromkeys(group for account in accounts for group in account.groups):
        nickname = "".join(ch for ch in name if ch.isalnum()) or "group"
        groups[name] = store.create_group(
            {"displayName": name, "mailEnabled": False, "securityEnabled": True, "mailNickname": nickname}
        ).id
    task = progress.add_task("seeding the sandbox", total=len(accounts))
    ids: list[str] = []
    by_anchor: dict[str, str] = {}
    for account in accounts:
        body = {
            **{name: graph_value(value) for name, value in account.attributes.items() if value is not None},
            "accountEnabled": account.enabled,
            "userPrincipalName": account.user_principal_name,
            "mailNickname": account.mail_nickname or account.user_principal_name.split("@")[0],
            "passwordProfile": {"forceChangePasswordNextSignIn": True, "password": PASSWORD},
        }
        body.setdefault("displayName", account.user_principal_name)
        if account.mail:
            body["mail"] = account.mail
        if account.anchor:
            body["employeeId"] = account.anchor
        user = store.create_user(body)
        for stamp, moment in (("lastPasswordChangeDateTime", account.password_changed_at),
                              ("signInSessionsValidFromDateTime", account.sessions_valid_from)):  # fmt: skip
            if moment is not None:
                user.props[stamp] = format_datetime(moment)
        ids.append(user.id)
        if account.anchor:
            by_anchor.setdefault(account.anchor, user.id)
        progress.advance(task)
    base = f"{GRAPH.graph_base}/directoryObjects/"
    for account, user_id in zip(accounts, ids, strict=True):
        if account.manager_anchor and account.manager_anchor in by_anchor:
            store.set_manager(user_id, base + by_anchor[account.manager_anchor])
        for group in account.groups:
            store.add_member(groups[group], base + user_id)
    world.clock.advance(world.faults.consistency_lag_seconds + 1)  # settled before anyone looks
    progress.remove_task(task)
    return Sandbox(world, directory, app)


def _serve_sandbox(sandbox: Sandbox, port: int) -> None:
    """The sandbox's own process (forked, so it starts with the seeded world)."""
    uvicorn.run(create_app(sandbox.world), host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def _graph_connector(sandbox: Sandbox, port: int) -> tuple[GraphConnector, httpx.AsyncClient]:
    """The product's Graph connector, its calls to graph.microsoft.com sent to the sandbox."""
    http = async_client(HostMap({f"https://{GRAPH.graph_host}": f"http://127.0.0.1:{port}"}))
    token = sandbox.token()

    async def source() -> str:
        return token

    deadline = clock.monotonic() + 60
    while True:
        try:
            await http.get(f"https://{GRAPH.graph_host}/v1.0/organization")
            break
        except httpx.TransportError:
            if clock.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
    return GraphConnector(GraphDirectory(GraphClient(GRAPH.graph_base, source, http))), http


@dataclass
class _Bench:
    database: Database
    tenant_id: uuid.UUID
    connector: GraphConnector

    async def read_both_sides(self) -> BothSides:
        return await read_both_sides(self.database, self.tenant_id, self.connector, NOW)

    async def reconcile(self) -> tuple[DriftReport, list[Plan]]:
        return drift_of(await self.read_both_sides(), NOW)


def _check(report: DriftReport, fixes: list[Plan], drift: _Drift) -> dict[str, int]:
    found = report.summary()
    expected = {
        "orphans": drift.orphans,
        "duplicates": drift.duplicates,
        "mismatched": drift.mismatched,
        "enabled_leavers": drift.enabled_leavers,
        "missing": drift.missing,
        "errors": 0,
        "fixes": drift.mismatched + drift.enabled_leavers + drift.missing,
        "unanchored": UNANCHORED,
    }
    wrong = {name: (found[name], count) for name, count in expected.items() if found[name] != count}
    if wrong or len(fixes) != expected["fixes"]:
        raise SystemExit(f"the report does not find what was injected (found, injected): {wrong}, {len(fixes)} fixes")
    return found


async def _timed(action: Callable[[], Awaitable[Any]]) -> float:
    gc.collect()
    started = perf_counter()
    await action()
    return perf_counter() - started


async def _peak(action: Callable[[], Awaitable[Any]]) -> float:
    """MiB allocated at the peak of ``action`` above what was allocated when it began (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        await action()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - baseline) / 2**20


LOADED_FIELDS = ("personnel_number", "first_name", "last_name", "status", "start_date", "last_day", "department",
                 "job_title", "company_code", "manager_personnel_number")  # fmt: skip


def _check_loaded(workers: list[WorkerView], specs: list[_Spec]) -> None:
    """The product's loader reads what the benchmark wrote (the fields the benchmark decides)."""
    expected = {spec.anchor: _view(spec, specs) for spec in specs}
    for view in workers:
        wanted = expected.pop(view.personnel_number)
        different = [f for f in LOADED_FIELDS if getattr(view, f) != getattr(wanted, f)]
        if different:
            raise SystemExit(f"the loader reads {view.personnel_number} differently: {different}")
    if expected:
        raise SystemExit(f"the loader misses {len(expected)} workers")


async def _measure(url: str, specs: list[_Spec], injected: _Drift, sandbox: Sandbox, port: int) -> dict[str, Any]:
    await create_schema(url)
    database = Database(url)
    connector, http = await _graph_connector(sandbox, port)
    try:
        with Progress(transient=True) as progress:
            tenant_id = await _populate(database, specs, progress)
        bench = _Bench(database, tenant_id, connector)
        sides = await bench.read_both_sides()
        _check_loaded(sides.workers, specs)
        accounts = len(sides.accounts)
        del sides
        report, fixes = await bench.reconcile()
        found = _check(report, fixes, injected)
        del report, fixes
        read_times, reconcile_times = [], []
        for _ in range(ROUNDS):
            read_times.append(await _timed(bench.read_both_sides))
            reconcile_times.append(await _timed(bench.reconcile))
        read_peak = await _peak(bench.read_both_sides)
        reconcile_peak = await _peak(bench.reconcile)
    finally:
        await http.aclose()
        await database.dispose()
    read_seconds = statistics.median(read_times)
    reconcile_seconds = statistics.median(reconcile_times)
    return {
        "workers": len(specs),
        "accounts": accounts,
        **{name: found[name] for name in ("orphans", "duplicates", "mismatched", "enabled_leavers", "missing")},
        "errors": found["errors"],
        "fixes": found["fixes"],
        "drift_as_injected": "yes",
        "reconcile_seconds": reconcile_seconds,
        "read_both_sides_seconds": read_seconds,
        "read_peak_memory_mb": read_peak,
        "peak_memory_mb": reconcile_peak,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "reconcile_to_read_ratio": reconcile_seconds / read_seconds,
    }


async def _directory(specs: list[_Spec], injected: _Drift, policy: LifecyclePolicy) -> list[DirectoryAccount]:
    with Progress(transient=True) as progress:
        return (await _build_directory(specs, injected, policy, progress)).accounts()


async def _run(admin_url: str, specs: list[_Spec], injected: _Drift, sandbox: Sandbox, port: int) -> dict[str, Any]:
    async with temporary_postgres(admin_url, "reconcile") as url:
        if url is None:
            raise SystemExit("this benchmark needs PostgreSQL")
        return await _measure(url, specs, injected, sandbox, port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10,000 workers instead of 100,000")
    parser.add_argument("--count", type=int, help="workers (overrides --quick)")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    args = parser.parse_args()
    count = args.count or (10_000 if args.quick else 100_000)
    specs, injected = _specs(count, random.Random(20270315))
    accounts = asyncio.run(_directory(specs, injected, starter_policy(DOMAIN)))
    with Progress(transient=True) as progress:
        sandbox = _seed_sandbox(accounts, progress)
    del accounts
    gc.collect()
    port = free_port()
    # Forked before any event loop runs here, so the sandbox's process starts with the seeded world.
    server = multiprocessing.get_context("fork").Process(target=_serve_sandbox, args=(sandbox, port), daemon=True)
    server.start()
    try:
        figures = asyncio.run(_run(args.postgres_admin_url, specs, injected, sandbox, port))
    finally:
        server.terminate()
        server.join()
    for name, value in figures.items():
        print(f"{name}: {value:,.2f}" if isinstance(value, float) else f"{name}: {value}")


if __name__ == "__main__":
    main()
