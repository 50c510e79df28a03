"""What the Web API costs over the database: two reads an ATS makes, each against the fastest honest query for the
same rows; and the page of 50 under 32 concurrent clients over real HTTPS, against the web stack's floor.

For each engine (SQLite, and PostgreSQL when reachable) the benchmark loads N candidates to hire, then:

* **page of 50**: an authorized ``$filter`` + ``$select`` + ``$top=50`` request through the whole stack
  (token validation, both authorization layers, parsing, SQL compilation, JSON) against the raw query
  (goal: at most 2×);
* **paged read**: every candidate at ``Prefer: odata.maxpagesize=5000``, following ``@odata.nextLink``,
  against the raw queries of the same pages (goal: at most 1.5×).

**The raw side** runs the very SQL the hub sent, with the same parameters (captured from the hub's own first
request), straight on the driver: on PostgreSQL asyncpg on a connection of its own, outside any transaction
(autocommit), each statement prepared once and then only executed; on SQLite the ``sqlite3`` module on the same
file, whose statement cache keeps them prepared. Neither side builds SQL per call that the other does not.

The hub runs in-process behind httpx's ASGI transport, so the network does not blur those two ratios. A request is
timed from sending it to holding its whole response; decoding the JSON afterwards is the client's own work (on
a page of 5,000, Python's ``json`` takes about two thirds of what the raw query takes), so it is timed apart and
printed beside the ratio, with the ratio it would give if it were counted (``…_with_client_decode``).

**Concurrent run** (PostgreSQL): ``hirehub serve --workers 2`` over TLS (a throw-away CA and certificate, as the
sandboxes make them), as production runs it, and a bare ASGI app that answers every GET with the bytes the hub
answered the page of 50 with, served by uvicorn with the same options (two processes, TLS, no access log). 32
clients (one httpx connection each, kept alive, in this process) send the page-of-50 request one after another;
the sides alternate in rounds and each figure is the median over the rounds. ``concurrent_page50_p99_ratio``
(goal ≤ 3) is the hub's 99th-percentile latency over the bare endpoint's, ``concurrent_page50_throughput_ratio``
(goal ≥ 0.5) the hub's requests per second over the bare endpoint's. The clients, PostgreSQL and both server
processes share the machine's cores.

The headline, printed last, is ``page50_ratio_worst``: the page of 50 is the read the goal names first.

    .venv/bin/python bench/odata.py            # 100,000 candidates per engine
    .venv/bin/python bench/odata.py --quick    # 10,000, done within a minute
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import ssl
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import asyncpg
import httpx
from asgi_lifespan import LifespanManager
from rich.progress import Progress
from sqlalchemy import event, insert, text
from sqlalchemy.engine import Engine
from support import (  # bench/support.py: the scripts run from this folder
    POSTGRES_ADMIN_URL,
    Subprocess,
    ats_integration,
    create_schema,
    temporary_postgres,
)

from hirehub.api.app import create_app
from hirehub.db import driver_rows
from hirehub.db.session import Database
from hirehub.hr.models import CandidateToHire
from hirehub.logging import configure_logging
from hirehub.sandbox.serving import free_port
from hirehub.sandbox.tls import make_loopback_tls
from hirehub.settings import Settings

BASE = "https://hr.bench.example"
SECRET_KEY = "bench-odata-" + "0123456789abcdef" * 3
"""Long enough for a production hub (``hirehub serve`` refuses a short one); the in-process app uses it too, so the
token-signing key it seals opens in the served processes."""
LAST_NAMES = ["Lee", "Okafor", "Dubois", "Nguyen", "Garcia", "Smith", "Kowalski", "Haddad", "Tanaka", "Silva"]
ROUNDS = 30
PAGED_ROUNDS = 5
PAGE = 5000
FILTER = "mshr_lastname eq 'Nguyen' and mshr_applicantintegrationresult eq 200000000"
SELECT = "mshr_firstname,mshr_lastname,mshr_email,mshr_availabilitydate"
PAGE_URL = f"/api/data/v9.2/mshr_hcmcandidatetohireentities?$select={SELECT}&$filter={FILTER}&$top=50"
ALL_URL = f"/api/data/v9.2/mshr_hcmcandidatetohireentities?$select={SELECT}"
TABLE = CandidateToHire.__tablename__
CLIENTS = 32
SERVER_PROCESSES = 2
BARE_ENDPOINT = Path(__file__).with_name("bare_endpoint.py")


async def _prepare(url: str, count: int, progress: Progress) -> tuple[uuid.UUID, str, str]:
    await create_schema(url)
    tenant, client_id, secret = await ats_integration(url)
    tenant_id = uuid.UUID(tenant)
    database = Database(url)
    try:
        task = progress.add_task("loading candidates", total=count)
        now = datetime.now(UTC)
        for start in range(0, count, 10_000):
            rows = [
                {"id": uuid.uuid4(), "tenant_id": tenant_id, "version": 1, "created_at": now, "modified_at": now,
                 "candidate_id": f"CAND-{n:07d}", "first_name": f"First{n}", "last_name": LAST_NAMES[n % 10],
                 "email": f"c{n}@example.com", "is_willing_to_relocate": False,
                 "applicant_integration_result": 200000000}
                for n in range(start, min(start + 10_000, count))
            ]  # fmt: skip
            async with database.engine.begin() as conn:
                await conn.execute(insert(CandidateToHire.__table__), rows)  # type: ignore[arg-type]
            progress.advance(task, len(rows))
        if database.is_postgresql:
            async with database.engine.begin() as conn:
                await conn.execute(text("ANALYZE"))
        return tenant_id, client_id, secret
    finally:
        await database.dispose()


class Read(NamedTuple):
    rows: int
    seconds: float
    """Requests (or queries) only."""
    decode_seconds: float = 0.0
    """The client decoding the JSON it received."""


class Timer:
    """Adds up the time spent in the ``with`` blocks it is used for."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __enter__(self) -> None:
        self._started = time.perf_counter()

    def __exit__(self, *_: object) -> None:
        self.seconds += time.perf_counter() - self._started


Query = tuple[str, Sequence[Any]]
"""SQL as the driver receives it, and its parameters."""


@contextmanager
def captured_queries() -> Iterator[list[Query]]:
    """The hub's reads of the candidates' table while the block runs, exactly as handed to the driver: through
    :mod:`hirehub.db.driver_rows` (asyncpg) or SQLAlchemy's cursor (SQLite)."""
    queries: list[Query] = []
    original = driver_rows._driver_query

    def through_driver(connection: Any, statement: Any) -> tuple[str, list[Any]] | None:
        query = original(connection, statement)
        if query is not None and f"FROM {TABLE}" in query[0]:
            queries.append((query[0], list(query[1])))
        return query

    def through_cursor(_conn: Any, _cursor: Any, sql: str, parameters: Any, _context: Any, _many: bool) -> None:
        if f"FROM {TABLE}" in sql:
            queries.append((sql, parameters))

    driver_rows._driver_query = through_driver  # type: ignore[assignment]
    event.listen(Engine, "before_cursor_execute", through_cursor)
    try:
        yield queries
    finally:
        driver_rows._driver_query = original
        event.remove(Engine, "before_cursor_execute", through_cursor)


class RawReader:
    """The fastest honest way to run given queries: the driver itself, statements prepared once."""

    async def rows(self, queries: Sequence[Query]) -> int:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class PostgresReader(RawReader):
    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection
        self.statements: dict[str, asyncpg.prepared_stmt.PreparedStatement] = {}

    @classmethod
    async def open(cls, url: str) -> PostgresReader:
        return cls(await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://")))

    async def rows(self, queries: Sequence[Query]) -> int:
        count = 0
        for sql, parameters in queries:
            statement = self.statements.get(sql)
            if statement is None:
                statement = self.statements[sql] = await self.connection.prepare(sql)
            count += len(await statement.fetch(*parameters))
        return count

    async def close(self) -> None:
        await self.connection.close()


class SqliteReader(RawReader):
    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path)

    async def rows(self, queries: Sequence[Query]) -> int:
        return sum(len(self.connection.execute(sql, parameters).fetchall()) for sql, parameters in queries)

    async def close(self) -> None:
        self.connection.close()


async def _paired(
    api: Callable[[], Awaitable[Read]], raw: Callable[[], Awaitable[Read]], rounds: int
) -> tuple[Read, Read]:
    """Median seconds of each, measured in alternating rounds so neither gets the quieter half of the run."""
    api_reads, raw_reads = [], []
    for _ in range(rounds):
        api_reads.append(await api())
        raw_reads.append(await raw())

    def median(reads: list[Read]) -> Read:
        return Read(reads[0].rows, statistics.median(r.seconds for r in reads),
                    statistics.median(r.decode_seconds for r in reads))  # fmt: skip

    return median(api_reads), median(raw_reads)


def _raw_page_rows(queries: Sequence[Query], api_rows: int, raw_rows: int, pages: int) -> None:
    """The hub asks one row more than a page holds (to know whether a next page exists): the raw queries return
    that row too, at most one per page, and nothing else."""
    if not queries:
        raise SystemExit("the hub's queries were not captured: the raw side would have nothing to run")
    if not 0 <= raw_rows - api_rows <= pages:
        raise SystemExit(f"the raw queries return {raw_rows} rows, the API {api_rows}: not the same rows")


async def _measure(engine_name: str, url: str, tenant_id: uuid.UUID, client_id: str, secret: str) -> dict[str, float]:
    app = create_app(Settings(database_url=url, base_url=BASE, secret_key=SECRET_KEY, freeze_gc_at_startup=True))
    raw: RawReader = (
        await PostgresReader.open(url) if url.startswith("postgresql") else SqliteReader(url.split("///", 1)[1])
    )
    async with LifespanManager(app), httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE) as client:
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
                "scope": f"{BASE}/.default"}  # fmt: skip
        token = (await client.post(f"/{tenant_id}/oauth2/v2.0/token", data=form)).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        async def api_page() -> Read:
            requesting, decoding = Timer(), Timer()
            with requesting:
                response = await client.get(PAGE_URL, headers=headers)
            assert response.status_code == 200, response.text
            with decoding:
                rows = len(response.json()["value"])
            return Read(rows, requesting.seconds, decoding.seconds)

        async def api_all() -> Read:
            requesting, decoding = Timer(), Timer()
            rows, link, pages = 0, ALL_URL, 0
            while link:
                with requesting:
                    response = await client.get(link, headers={**headers, "Prefer": f"odata.maxpagesize={PAGE}"})
                with decoding:
                    body = response.json()
                rows += len(body["value"])
                pages += 1
                link = body.get("@odata.nextLink", "").removeprefix(BASE)
            return Read(rows, requesting.seconds, decoding.seconds)

        with captured_queries() as page_queries:
            first_page = await api_page()
        with captured_queries() as all_queries:
            first_all = await api_all()
        _raw_page_rows(page_queries, first_page.rows, await raw.rows(page_queries), 1)
        _raw_page_rows(all_queries, first_all.rows, await raw.rows(all_queries), len(all_queries))

        async def raw_page() -> Read:
            started = time.perf_counter()
            rows = await raw.rows(page_queries)
            return Read(rows, time.perf_counter() - started)

        async def raw_all() -> Read:
            started = time.perf_counter()
            rows = await raw.rows(all_queries)
            return Read(rows, time.perf_counter() - started)

        api_page_read, raw_page_read = await _paired(api_page, raw_page, ROUNDS)
        api_all_read, raw_all_read = await _paired(api_all, raw_all, PAGED_ROUNDS)
    await raw.close()
    page50, paged = f"{engine_name}_page50", f"{engine_name}_paged_read"
    return {
        f"{page50}_api_ms": api_page_read.seconds * 1000,
        f"{page50}_raw_ms": raw_page_read.seconds * 1000,
        f"{page50}_client_decode_ms": api_page_read.decode_seconds * 1000,
        f"{page50}_ratio_with_client_decode": (api_page_read.seconds + api_page_read.decode_seconds)
        / raw_page_read.seconds,
        f"{page50}_ratio": api_page_read.seconds / raw_page_read.seconds,
        f"{paged}_pages": len(all_queries),
        f"{paged}_api_s": api_all_read.seconds,
        f"{paged}_raw_s": raw_all_read.seconds,
        f"{paged}_client_decode_s": api_all_read.decode_seconds,
        f"{paged}_ratio_with_client_decode": (api_all_read.seconds + api_all_read.decode_seconds)
        / raw_all_read.seconds,
        f"{paged}_ratio": api_all_read.seconds / raw_all_read.seconds,
    }


class Load(NamedTuple):
    p50_ms: float
    p99_ms: float
    requests_per_second: float
    resent: int
    """Requests sent again because the connection was dropped (the time lost is in their latency)."""


async def _load(context: ssl.SSLContext, url: str, headers: dict[str, str], per_client: int, size: int) -> Load:
    """``CLIENTS`` clients on fresh connections, each sending one untimed request (its TLS handshake) and then,
    straight after, ``per_client`` timed ones, one after another (no pause in which the server's keep-alive
    timeout could close the connection); every answer is checked. Throughput counts from the first timed request
    sent to the last answer."""
    latencies: list[float] = []
    spans: list[tuple[float, float]] = []
    resent = 0
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(verify=context, limits=limits, timeout=120) as client:

        async def send() -> float:
            """One request; sent again (twice at most) when the server drops the connection, as uvicorn's
            supervisor does when it restarts a worker that missed its health check on a starved machine."""
            nonlocal resent
            started = time.perf_counter()
            for attempt in range(3):
                try:
                    response = await client.get(url, headers=headers)
                    break
                except httpx.TransportError:
                    if attempt == 2:
                        raise
                    resent += 1
            if response.status_code != 200 or len(response.content) != size:
                raise SystemExit(f"{url}: {response.status_code}, {len(response.content)} bytes")
            return started

        async def one_client() -> None:
            await send()
            first = time.perf_counter()
            for _ in range(per_client):
                started = await send()
                latencies.append(time.perf_counter() - started)
            spans.append((first, time.perf_counter()))

        await asyncio.gather(*(one_client() for _ in range(CLIENTS)))
    elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
    latencies.sort()
    return Load(
        latencies[len(latencies) // 2] * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        len(latencies) / elapsed,
        resent,
    )


def _say(what: str) -> None:
    """Where the concurrent run is, on standard error (it takes a while on a loaded machine)."""
    print(f"[{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


async def _ready(client: httpx.AsyncClient, url: str, servers: Sequence[Subprocess]) -> None:
    deadline = time.monotonic() + 600  # two processes importing the hub on a loaded machine take a while
    while True:
        for server in servers:
            server.check_alive()
        try:
            if (await client.get(url)).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            said = "\n".join(line for server in servers for line in list(server.lines)[-10:])
            raise RuntimeError(f"{url} did not answer within ten minutes:\n{said}")
        await asyncio.sleep(0.2)


async def _concurrent(
    url: str, tenant_id: uuid.UUID, client_id: str, secret: str, per_client: int, rounds: int
) -> dict[str, float]:
    """The page of 50 under ``CLIENTS`` concurrent clients: the served hub against the bare endpoint."""
    with tempfile.TemporaryDirectory() as scratch:
        tls = make_loopback_tls(Path(scratch))
        hub_port, bare_port = free_port(), free_port()
        serving = ["--host", "127.0.0.1", "--workers", str(SERVER_PROCESSES),
                   "--ssl-certfile", str(tls.certificate), "--ssl-keyfile", str(tls.key)]  # fmt: skip
        env = {**os.environ, "HIREHUB_DATABASE_URL": url, "HIREHUB_BASE_URL": BASE, "HIREHUB_SECRET_KEY": SECRET_KEY,
               "HIREHUB_ENV": "production", "HIREHUB_LOG_LEVEL": "WARNING"}  # fmt: skip
        hub = await Subprocess.start([sys.executable, "-m", "hirehub", "serve", "--port", str(hub_port), *serving], env)
        servers = [hub]
        context = ssl.create_default_context(cafile=str(tls.ca))
        try:
            async with httpx.AsyncClient(verify=context, timeout=60) as client:
                hub_url = f"https://127.0.0.1:{hub_port}"
                _say("waiting for the hub's processes")
                await _ready(client, f"{hub_url}/healthz", servers)
                form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
                        "scope": f"{BASE}/.default"}  # fmt: skip
                answer = await client.post(f"{hub_url}/{tenant_id}/oauth2/v2.0/token", data=form)
                headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
                page = await client.get(hub_url + PAGE_URL, headers=headers)
                assert page.status_code == 200, page.text
                body = Path(scratch) / "page50.json"
                body.write_bytes(page.content)
                bare_env = {**env, "BENCH_BARE_BODY": str(body),
                            "BENCH_BARE_CONTENT_TYPE": page.headers["content-type"]}  # fmt: skip
                bare = await Subprocess.start(
                    [sys.executable, str(BARE_ENDPOINT), "--port", str(bare_port), *serving], bare_env
                )
                servers.append(bare)
                bare_url = f"https://127.0.0.1:{bare_port}"
                _say("waiting for the bare endpoint's processes")
                await _ready(client, f"{bare_url}/", servers)
                size = len(page.content)
                for target in (hub_url, bare_url):  # warm-up: caches of both server processes
                    _say(f"warming up {target}")
                    await _load(context, target + PAGE_URL, headers, 5, size)
                hub_loads, bare_loads = [], []
                for round_number in range(rounds):
                    _say(f"round {round_number + 1} of {rounds}")
                    hub_loads.append(await _load(context, hub_url + PAGE_URL, headers, per_client, size))
                    bare_loads.append(await _load(context, bare_url + PAGE_URL, headers, per_client, size))
        finally:
            for server in servers:
                await server.stop(grace=10)

    def median(loads: list[Load], field: str) -> float:
        return statistics.median(getattr(load, field) for load in loads)

    hub_p99, bare_p99 = median(hub_loads, "p99_ms"), median(bare_loads, "p99_ms")
    hub_rps, bare_rps = median(hub_loads, "requests_per_second"), median(bare_loads, "requests_per_second")
    return {
        "concurrent_clients": CLIENTS,
        "concurrent_server_processes": SERVER_PROCESSES,
        "concurrent_requests_per_round": CLIENTS * per_client,
        "concurrent_rounds": rounds,
        "concurrent_page50_hub_p50_ms": median(hub_loads, "p50_ms"),
        "concurrent_page50_hub_p99_ms": hub_p99,
        "concurrent_page50_bare_p50_ms": median(bare_loads, "p50_ms"),
        "concurrent_page50_bare_p99_ms": bare_p99,
        "concurrent_page50_hub_requests_per_second": hub_rps,
        "concurrent_page50_bare_requests_per_second": bare_rps,
        "concurrent_page50_hub_resent": sum(load.resent for load in hub_loads),
        "concurrent_page50_bare_resent": sum(load.resent for load in bare_loads),
    }


async def _engine(engine_name: str, url: str, count: int) -> tuple[dict[str, float], tuple[uuid.UUID, str, str]]:
    with Progress(transient=True) as progress:
        integration = await _prepare(url, count, progress)
    figures: dict[str, float] = {f"{engine_name}_candidates": count}
    figures |= await _measure(engine_name, url, *integration)
    return figures, integration


async def _postgres(admin_url: str, count: int, per_client: int, rounds: int) -> dict[str, float]:
    async with temporary_postgres(admin_url, "odata") as url:
        if not url:
            return {}
        figures, integration = await _engine("postgresql", url, count)
        return figures | await _concurrent(url, *integration, per_client, rounds)


def _print(figures: dict[str, Any]) -> None:
    for name, value in figures.items():
        print(f"{name}: {value:,.2f}" if isinstance(value, float) else f"{name}: {value}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10,000 candidates per engine instead of 100,000")
    parser.add_argument("--count", type=int, help="candidates per engine (overrides --quick)")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    args = parser.parse_args()
    configure_logging("WARNING")
    count = args.count or (10_000 if args.quick else 100_000)
    per_client, rounds = (10, 3) if args.quick else (40, 3)
    with tempfile.TemporaryDirectory() as scratch:
        figures, _ = await _engine("sqlite", f"sqlite+aiosqlite:///{Path(scratch) / 'odata.db'}", count)
    figures |= await _postgres(args.postgres_admin_url, count, per_client, rounds)
    if "concurrent_page50_hub_p99_ms" in figures:
        figures["concurrent_page50_throughput_ratio"] = (
            figures["concurrent_page50_hub_requests_per_second"] / figures["concurrent_page50_bare_requests_per_second"]
        )
        figures["concurrent_page50_p99_ratio"] = (
            figures["concurrent_page50_hub_p99_ms"] / figures["concurrent_page50_bare_p99_ms"]
        )
    figures["paged_read_ratio_worst"] = max(v for k, v in figures.items() if k.endswith("paged_read_ratio"))
    figures["page50_ratio_worst"] = max(v for k, v in figures.items() if k.endswith("page50_ratio"))
    _print(figures)


if __name__ == "__main__":
    asyncio.run(main())
