"""Provisioning throughput into Microsoft Graph on the path production runs, against Graph's write limit.

N joiners (an account, a manager and two group memberships each) are provisioned into the Entra sandbox
(:mod:`hirehub.sandbox.entra`) the way ``provisioning.sync`` jobs do it: :meth:`GraphConnector.apply
<hirehub.directories.entra.connector.GraphConnector.apply>` on each joiner's plan (``create_account``,
``set_manager``, two ``add_to_group``), ``CONCURRENCY`` joiners in flight as the job runner's default concurrency
has them, each with its own connector and Graph client as the Entra factory builds them per job, sharing the
process's write budget (the product's ``TokenBucket``) and its group-add coalescer (``GroupAdds``). The connector
resolves the manager by anchor and the groups by name, batches the creation with the manager, and coalesces the
group adds; nothing is read back. With ``--naive``, the same writes are also sent one request at a time (no
batching, no pacing, sleeping ``Retry-After``) into a fresh world, for comparison.

Managers are pre-existing accounts or joiners of earlier pages of ``PAGE`` joiners (a page is applied once the
page before it is done, so a manager's account exists when a report's ``set_manager`` runs); the ten groups exist
beforehand.

**The sandbox runs in a child process and is served over loopback HTTP by uvicorn**, not through
``httpx.ASGITransport``: Graph is another machine, so its work must not share the client's interpreter (and GIL),
and each call pays for a real connection, HTTP framing and JSON on the wire. The product's clients are built as
in production (``hirehub.outbound.async_client`` with a host map), so the product keeps sending to
``https://graph.microsoft.com/v1.0/…``.

**Time.** Graph's write limit per app per tenant is 3,000 per 150 s (20 writes per second; the sandbox's
``GraphLimits``, from Microsoft's published numbers). The sandbox clock runs ``--speed`` times faster
(``SandboxClock(speed)``), so the limit becomes ``20 × speed`` writes per wall second and thousands of joiners take
seconds, not hours. Everything else is put on the same time scale: the product's ``TokenBucket`` keeps Graph's
3,000 with the window scaled to ``150 / speed`` real seconds; Graph's per-call latency (``--latency-ms``, 50–300 ms
by default, held by the sandbox's ``LatencyMiddleware`` on every HTTP call) and the coalescer's window are divided
by the speed. So the concurrency the job runner needs to keep the limit busy is the one it needs against Graph.

The connection is opened (with one read) before the clock starts, as a running service's would be; what is timed
is from the moment the window is spent to the last write's answer.

**Steady state.** The run starts with the app's window already spent (as in a hiring wave under way): the
sandbox's buckets are emptied through ``GraphThrottle.admit`` and the product's bucket is drained to zero. From a
full bucket the first 3,000 writes would pass at any speed; from an empty one, what Graph allows in ``T`` sandbox
seconds is exactly ``20 × T``, so ``writes / (20 × T)`` is the fraction of the limit used. Writes are what the
sandbox admitted; ``throttled_429`` counts the sandbox's 429s (the product's pacing should leave none).

Printed: ``writes_per_joiner`` (Graph's minimum for this plan is 2 + 2/20: the manager cannot be set in the
creation, a group ``PATCH`` binds 20 members), ``throttled_429`` and, last, the headline
``fraction_of_graph_write_limit`` (goal ≥ 0.9 with no 429). The end state is checked in the sandbox: every joiner
has exactly one account, its manager and its two groups, and no account more.

    .venv/bin/python bench/provision.py            # 5,000 joiners
    .venv/bin/python bench/provision.py --quick    # 500, done within a minute
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from multiprocessing.connection import Connection
from typing import Any

import httpx
import uvicorn
from rich.progress import Progress

from hirehub.directories.entra.clouds import CLOUDS, CloudName
from hirehub.directories.entra.connector import GraphConnector
from hirehub.directories.entra.directory import GraphDirectory, random_password
from hirehub.directories.entra.graph import GraphClient
from hirehub.directories.entra.group_adds import DEFAULT_WINDOW_SECONDS, GroupAdds
from hirehub.directories.entra.permissions import GRAPH_APP_ID, USER_ADMINISTRATOR
from hirehub.directories.entra.throttle import GRAPH_WINDOW_SECONDS, GRAPH_WRITES_PER_WINDOW, TokenBucket
from hirehub.lifecycle.directory_state import DesiredAccount
from hirehub.lifecycle.planning import AddToGroup, CreateAccount, Phase, Plan, SetManager, Step
from hirehub.outbound import HostMap, async_client
from hirehub.sandbox.entra.app import create_app, host_map_for
from hirehub.sandbox.entra.faults import Latency
from hirehub.sandbox.entra.graph import directory_store
from hirehub.sandbox.entra.world import EntraWorld, SandboxClock
from hirehub.sandbox.serving import free_port

GLOBAL = CLOUDS[CloudName.GLOBAL]
DOMAIN = "contoso.onmicrosoft.com"
PERMISSIONS = ("User.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All")
GROUPS = 10
EXISTING_MANAGERS = 50
PAGE = 200
"""Joiners applied before the next page starts: the managers of a page's joiners are in earlier pages."""
CONCURRENCY = 32
"""Joiners in flight at once: the job runner's default concurrency (syncs of different people run side by side)."""
DEFAULT_SPEED = 3.0
"""Fast enough for 5,000 joiners in minutes, slow enough that a busy 2-core machine keeps up with the limit."""
GRAPH_LATENCY_MS = (50.0, 300.0)
"""Graph's round trip as the issue measures it (per HTTP call, a $batch included), before scaling by the speed."""


# the joiners ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Joiner:
    index: int
    upn: str
    manager_upn: str
    manager_anchor: str
    groups: tuple[int, int]

    @property
    def anchor(self) -> str:
        return joiner_anchor(self.index)

    def attributes(self) -> dict[str, Any]:
        """The Graph attributes other than the names and the anchor."""
        return {
            "displayName": f"Joiner {self.index}",
            "givenName": "Joiner",
            "surname": str(self.index),
            "department": f"Department {self.groups[0]}",
            "jobTitle": "Associate",
            "usageLocation": "DE",
        }

    def graph_body(self) -> dict[str, Any]:
        """The whole ``POST /users`` body, as the naive client sends it."""
        names = {"mailNickname": self.upn.split("@")[0], "userPrincipalName": self.upn, "employeeId": self.anchor}
        return {**self.attributes(), **names}

    def plan(self) -> Plan:
        """The plan the engine makes for this joiner on their start date: an account, its manager, its groups."""
        groups = tuple(group_name(g) for g in self.groups)
        account = DesiredAccount(
            anchor=self.anchor, user_principal_name=self.upn, mail=None, mail_nickname=self.upn.split("@")[0],
            enabled=True, attributes=self.attributes(), manager_anchor=self.manager_anchor, groups=groups,
        )  # fmt: skip
        steps: tuple[Step, ...] = (
            CreateAccount(account),
            SetManager(self.manager_anchor),
            *(AddToGroup(group) for group in groups),
        )
        return Plan(worker_id=str(self.index), anchor=self.anchor, phase=Phase.ACTIVE, account_id=None, steps=steps)


def manager_upn(index: int) -> str:
    return f"manager{index:03d}@{DOMAIN}"


def manager_anchor(index: int) -> str:
    return f"M{index:03d}"


def joiner_anchor(index: int) -> str:
    return f"E{index:06d}"


def group_name(index: int) -> str:
    return f"Group {index}"


def joiners(count: int) -> list[Joiner]:
    """Joiner ``i`` joins groups ``i % 10`` and another; reports to a pre-existing manager (the first page, and
    every fifth joiner) or to a joiner of an earlier page."""
    made: list[Joiner] = []
    for i in range(count):
        page_start = i - i % PAGE
        if page_start == 0 or i % 5 == 0:
            manager, anchor = manager_upn(i % EXISTING_MANAGERS), manager_anchor(i % EXISTING_MANAGERS)
        else:
            boss = made[(i * 7919) % page_start]
            manager, anchor = boss.upn, boss.anchor
        first = i % GROUPS
        second = (first + 1 + (i // GROUPS) % (GROUPS - 1)) % GROUPS
        made.append(Joiner(i, f"joiner{i:06d}@{DOMAIN}", manager, anchor, (first, second)))
    return made


# the sandbox, in a child process ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Arranged:
    """What the administrator set up in the child's world, for the client."""

    tenant_id: str
    app_id: str
    token: str
    group_ids: list[str]
    manager_ids: dict[str, str]
    limit_amount: float
    limit_window: float


def _sandbox_process(conn: Connection, port: int, speed: float, latency_ms: tuple[float, float]) -> None:
    """Arrange a world, serve it on ``port`` (each call held for Graph's latency on the sandbox's time scale) and
    answer the parent's commands until told to stop."""
    world = EntraWorld(clock=SandboxClock(speed=speed))
    directory = world.add_directory(default_domain=DOMAIN)
    app = world.register_application(directory, "hirehub provisioning")
    world.grant_application_permissions(directory, app.app_id, PERMISSIONS, GRAPH_APP_ID)
    world.assign_directory_role(directory, app.app_id, USER_ADMINISTRATOR.template_id)
    store = directory_store(world, directory)
    group_ids = [
        store.create_group(
            {"displayName": group_name(g), "mailNickname": f"group{g}", "mailEnabled": False, "securityEnabled": True}
        ).id
        for g in range(GROUPS)
    ]
    managers = {}
    for m in range(EXISTING_MANAGERS):
        upn = manager_upn(m)
        body = {
            "accountEnabled": True,
            "displayName": f"Manager {m}",
            "mailNickname": upn.split("@")[0],
            "userPrincipalName": upn,
            "employeeId": manager_anchor(m),
            "passwordProfile": {"password": random_password()},
        }
        managers[upn] = store.create_user(body).id
    # the token lives long enough for any run: a sped-up sandbox hour is a few wall minutes, and renewing
    # tokens is not what is measured
    token, _ = world.issue_access_token(
        directory, app.app_id, f"https://{GLOBAL.graph_host}", roles=PERMISSIONS, lifetime=timedelta(days=3650)
    )
    limit = world.graph_throttle.limits.writes_per_app_per_tenant
    latency = Latency(latency_ms[0] / 1000 / speed, latency_ms[1] / 1000 / speed, seed=21)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(world, latency=latency), host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    conn.send(Arranged(directory.tenant_id, app.app_id, token, group_ids, managers, limit.amount, limit.window))

    def spend_window() -> None:
        # the app has just written its window's worth: take write tokens until Graph would refuse one
        while (
            world.graph_throttle.admit(
                app.app_id, directory.tenant_id, write=True, cost=1.0, tenant_users=store.user_count
            )
            is None
        ):
            pass

    while True:
        command, argument = conn.recv()
        if command == "spend_window":
            spend_window()
            conn.send((world.clock.seconds(), asdict(world.graph_stats)))
        elif command == "stats":
            conn.send((world.clock.seconds(), asdict(world.graph_stats)))
        elif command == "verify":
            conn.send(_verify(world, directory, argument, group_ids, set(managers)))
        elif command == "stop":
            server.should_exit = True
            thread.join(timeout=10)
            conn.send(None)
            return


def _verify(
    world: EntraWorld, directory: Any, expected: list[tuple[str, str, tuple[int, int]]], groups: list[str],
    managers: set[str],
) -> list[str]:  # fmt: skip
    """What is wrong with the end state: each joiner one account, its manager and exactly its two groups."""
    store = directory_store(world, directory)
    users = [o for o in store.objects.values() if o.kind == "user"]
    by_upn: dict[str, list[Any]] = {}
    for user in users:
        by_upn.setdefault(str(user.props["userPrincipalName"]).lower(), []).append(user)
    member_of: dict[str, set[int]] = {}
    for g, group_id in enumerate(groups):
        for member in store.objects[group_id].members:
            member_of.setdefault(member, set()).add(g)
    problems: list[str] = []
    if len(users) != len(expected) + len(managers):
        problems.append(f"{len(users)} accounts, expected {len(expected) + len(managers)}")
    by_employee: dict[str, int] = {}
    for user in users:
        if user.props.get("employeeId"):
            by_employee[user.props["employeeId"]] = by_employee.get(user.props["employeeId"], 0) + 1
    problems += [f"{count} accounts carry employeeId {e}" for e, count in by_employee.items() if count != 1]
    for upn, manager, joined in expected:
        found = by_upn.get(upn.lower(), [])
        if len(found) != 1:
            problems.append(f"{upn}: {len(found)} accounts")
            continue
        user = found[0]
        boss = store.objects.get(user.manager_id or "")
        if boss is None or str(boss.props["userPrincipalName"]).lower() != manager.lower():
            problems.append(f"{upn}: manager {boss.props['userPrincipalName'] if boss else None}, expected {manager}")
        if member_of.get(user.id, set()) != set(joined):
            problems.append(f"{upn}: groups {sorted(member_of.get(user.id, set()))}, expected {sorted(joined)}")
    return problems


class Sandbox:
    """The parent's handle on one child sandbox: a fresh world per side."""

    def __init__(self, speed: float, latency_ms: tuple[float, float]) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.port = free_port()
        self._process = context.Process(
            target=_sandbox_process, args=(child, self.port, speed, latency_ms), daemon=True
        )
        self._process.start()
        self.arranged: Arranged = self._conn.recv()
        self.base_url = f"http://127.0.0.1:{self.port}"

    def call(self, command: str, argument: Any = None) -> Any:
        self._conn.send((command, argument))
        return self._conn.recv()

    def http(self) -> httpx.AsyncClient:
        """The product's outbound client, its Graph URLs mapped to this sandbox."""
        return async_client(HostMap(host_map_for(self.base_url)))

    def close(self) -> None:
        self.call("stop")
        self._process.join(timeout=10)


@dataclass
class Side:
    """One side's measured run."""

    joiners: int
    writes: int
    throttled: int
    http_requests: int
    sandbox_seconds: float
    wall_seconds: float
    problems: list[str]


Run = Callable[[Sandbox, httpx.AsyncClient, list[Joiner], Progress], Awaitable[None]]


async def _measure(name: str, sandbox: Sandbox, people: list[Joiner], run: Run) -> Side:
    with Progress(transient=True) as progress:
        async with sandbox.http() as http:
            # a running service has its connection open already: open it before the clock starts (one read)
            token = {"Authorization": f"Bearer {sandbox.arranged.token}"}
            (await http.get(f"{GLOBAL.graph_base}/groups", params={"$top": "1"}, headers=token)).raise_for_status()
            started_sandbox, before = sandbox.call("spend_window")
            started = time.perf_counter()
            await run(sandbox, http, people, progress)
            wall = time.perf_counter() - started
            ended_sandbox, after = sandbox.call("stats")
    problems = sandbox.call("verify", [(j.upn, j.manager_upn, j.groups) for j in people])
    if problems:
        raise SystemExit(f"{name}: the end state is wrong ({len(problems)} problems), e.g. {problems[:5]}")
    return Side(
        joiners=len(people),
        writes=after["writes"] - before["writes"],
        throttled=after["throttled"] - before["throttled"],
        http_requests=after["http_requests"] - before["http_requests"],
        sandbox_seconds=ended_sandbox - started_sandbox,
        wall_seconds=wall,
        problems=problems,
    )


# hirehub's path ----------------------------------------------------------------------------------------------
async def run_hirehub(
    sandbox: Sandbox, http: httpx.AsyncClient, people: list[Joiner], progress: Progress, speed: float
) -> None:
    arranged = sandbox.arranged

    async def token() -> str:
        return arranged.token

    # what one job-runner process shares: the write budget (Graph's 3,000 writes per 150 s, on the real clock the
    # client sleeps on: the window is 150 / speed real s) and the group-add coalescer (its window on the same scale)
    bucket = TokenBucket(GRAPH_WRITES_PER_WINDOW, GRAPH_WINDOW_SECONDS / speed)
    bucket.drain(0)  # the window was spent, here as in the sandbox
    group_adds = GroupAdds(window_seconds=DEFAULT_WINDOW_SECONDS / speed)
    task = progress.add_task("hirehub: GraphConnector.apply", total=len(people))
    slots = asyncio.Semaphore(CONCURRENCY)

    async def sync(joiner: Joiner) -> None:
        async with slots:
            # a job's connector, as EntraConnectors builds it for each job: its own client, the process's budget
            graph = GraphClient(GLOBAL.graph_base, token, http, bucket=bucket, max_attempts=30)
            connector = GraphConnector(GraphDirectory(graph), group_adds=group_adds)
            applied = await connector.apply(joiner.plan(), None)
        if not applied.ok:
            failed = [(r.step.kind.value, r.outcome.value, r.error) for r in applied.results if not r.ok]
            raise SystemExit(f"hirehub: joiner {joiner.upn} was not provisioned: {failed}")
        progress.advance(task)

    for start in range(0, len(people), PAGE):
        await asyncio.gather(*(sync(joiner) for joiner in people[start : start + PAGE]))


# the naive client ---------------------------------------------------------------------------------------------
async def run_naive(sandbox: Sandbox, http: httpx.AsyncClient, people: list[Joiner], progress: Progress) -> None:
    arranged = sandbox.arranged
    headers = {"Authorization": f"Bearer {arranged.token}", "Accept": "application/json"}
    base = GLOBAL.graph_base

    async def send(method: str, path: str, body: dict[str, Any]) -> Any:
        while True:
            response = await http.request(method, f"{base}{path}", json=body, headers=headers)
            if response.status_code in (429, 503):
                await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            if not response.is_success:
                raise SystemExit(f"naive: {method} {path} answered {response.status_code}: {response.text}")
            return response.json() if response.content else None

    ids = dict(arranged.manager_ids)
    task = progress.add_task("naive: one request at a time", total=len(people))
    for j in people:
        body = {
            "accountEnabled": True,
            "passwordProfile": {"forceChangePasswordNextSignIn": True, "password": random_password()},
            **j.graph_body(),
        }
        user_id = (await send("POST", "/users", body))["id"]
        ids[j.upn] = user_id
        await send("PUT", f"/users/{user_id}/manager/$ref", {"@odata.id": f"{base}/users/{ids[j.manager_upn]}"})
        for g in j.groups:
            ref = {"@odata.id": f"{base}/directoryObjects/{user_id}"}
            await send("POST", f"/groups/{arranged.group_ids[g]}/members/$ref", ref)
        progress.advance(task)


# the figures ---------------------------------------------------------------------------------------------------
async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="500 joiners instead of 5,000")
    parser.add_argument("--count", type=int, help="joiners (overrides --quick)")
    parser.add_argument("--speed", type=float, default=DEFAULT_SPEED, help="how much faster the sandbox clock runs")
    parser.add_argument(
        "--latency-ms", type=float, nargs=2, default=GRAPH_LATENCY_MS, metavar=("MIN", "MAX"),
        help="Graph's per-call latency in Graph's time (divided by --speed on the wall clock)",
    )  # fmt: skip
    parser.add_argument("--naive", action="store_true", help="also time a naive client, one request at a time")
    args = parser.parse_args()
    count = args.count or (500 if args.quick else 5_000)
    speed: float = args.speed
    latency: tuple[float, float] = (args.latency_ms[0], args.latency_ms[1])
    people = joiners(count)

    sides: dict[str, Side] = {}
    limit = 0.0
    for name in ("hirehub", "naive") if args.naive else ("hirehub",):
        sandbox = Sandbox(speed, latency)
        try:
            limit = sandbox.arranged.limit_amount / sandbox.arranged.limit_window
            if name == "hirehub":
                sides[name] = await _measure(name, sandbox, people, lambda s, h, p, g: run_hirehub(s, h, p, g, speed))
            else:
                sides[name] = await _measure(name, sandbox, people, run_naive)
        finally:
            sandbox.close()

    hirehub = sides["hirehub"]
    figures: dict[str, float | int | str] = {
        "joiners": count,
        "sandbox_speed": speed,
        "graph_latency_ms": f"{latency[0]:g}-{latency[1]:g}",
        "concurrency": CONCURRENCY,
        "limit_writes_per_second": limit,
    }
    if "naive" in sides:
        naive = sides["naive"]
        figures |= {
            "naive_writes_per_joiner": naive.writes / naive.joiners,
            "naive_fraction_of_limit": naive.writes / naive.sandbox_seconds / limit,
            "naive_throttled_429": naive.throttled,
            "ratio_to_naive": naive.sandbox_seconds / hirehub.sandbox_seconds,
        }
    figures |= {
        "writes": hirehub.writes,
        "http_requests": hirehub.http_requests,
        "sandbox_seconds": hirehub.sandbox_seconds,
        "wall_seconds": hirehub.wall_seconds,
        "joiners_per_sandbox_minute": hirehub.joiners / hirehub.sandbox_seconds * 60,
        "writes_per_joiner": hirehub.writes / hirehub.joiners,
        "throttled_429": hirehub.throttled,
        "fraction_of_graph_write_limit": hirehub.writes / hirehub.sandbox_seconds / limit,
    }
    for key, value in figures.items():
        print(f"{key}: {value:,.3f}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    asyncio.run(main())
