"""What the Web API costs over the database: two reads an ATS makes, each against the raw SQLAlchemy Core
query that returns the same rows, in the same process.

For each engine (SQLite, and PostgreSQL when reachable) the benchmark loads N candidates to hire, then:

* **page of 50**: an authorized ``$filter`` + ``$select`` + ``$top=50`` request through the whole stack
  (token validation, both authorization layers, parsing, SQL compilation, JSON) against the Core
  ``SELECT`` with the same condition, columns, order and limit (goal: at most 2×);
* **paged read**: every candidate at ``Prefer: odata.maxpagesize=5000``, following ``@odata.nextLink``,
  against the same keyset-paged Core query (goal: at most 1.5×).

The hub runs in-process behind httpx's ASGI transport, so the network does not blur the ratio. A request is
timed from sending it to holding its whole response; decoding the JSON afterwards is the client's own work (on
a page of 5,000, Python's ``json`` takes about two thirds of what the raw query takes), so it is timed apart and
printed beside the ratio, with the ratio it would give if it were counted (``…_with_client_decode``).

    .venv/bin/python bench/odata.py            # 100,000 candidates per engine
    .venv/bin/python bench/odata.py --quick    # 10,000, done within a minute
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import httpx
from asgi_lifespan import LifespanManager
from rich.progress import Progress
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from support import (  # bench/support.py: the scripts run from this folder
    POSTGRES_ADMIN_URL,
    ats_integration,
    create_schema,
    temporary_postgres,
)

from hirehub.api.app import create_app
from hirehub.db.session import Database
from hirehub.hr.models import CandidateToHire
from hirehub.logging import configure_logging
from hirehub.settings import Settings

BASE = "https://hr.bench.example"
LAST_NAMES = ["Lee", "Okafor", "Dubois", "Nguyen", "Garcia", "Smith", "Kowalski", "Haddad", "Tanaka", "Silva"]
ROUNDS = 30
PAGED_ROUNDS = 5
PAGE = 5000
FILTER = "mshr_lastname eq 'Nguyen' and mshr_applicantintegrationresult eq 200000000"
SELECT = "mshr_firstname,mshr_lastname,mshr_email,mshr_availabilitydate"
PAGE_URL = f"/api/data/v9.2/mshr_hcmcandidatetohireentities?$select={SELECT}&$filter={FILTER}&$top=50"
ALL_URL = f"/api/data/v9.2/mshr_hcmcandidatetohireentities?$select={SELECT}"


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


async def _paired(
    api: Callable[[], Awaitable[Read]], raw: Callable[[], Awaitable[Read]], rounds: int
) -> tuple[Read, Read]:
    """Median seconds of each, measured in alternating rounds so neither gets the quieter half of the run."""
    assert (await api()).rows == (await raw()).rows, "the API and the raw query must return the same rows"
    api_reads, raw_reads = [], []
    for _ in range(rounds):
        api_reads.append(await api())
        raw_reads.append(await raw())

    def median(reads: list[Read]) -> Read:
        return Read(reads[0].rows, statistics.median(r.seconds for r in reads),
                    statistics.median(r.decode_seconds for r in reads))  # fmt: skip

    return median(api_reads), median(raw_reads)


async def _measure(engine_name: str, url: str, count: int) -> dict[str, float]:
    with Progress(transient=True) as progress:
        tenant_id, client_id, secret = await _prepare(url, count, progress)
    app = create_app(
        Settings(database_url=url, base_url=BASE, secret_key="bench-secret-key-0123456789", freeze_gc_at_startup=True)
    )
    table = CandidateToHire.__table__
    columns = [table.c.id, table.c.version, table.c.first_name, table.c.last_name, table.c.email,
               table.c.availability_date]  # fmt: skip
    raw_engine = create_async_engine(url)
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

        async def raw_page() -> Read:
            started = time.perf_counter()
            statement = (
                select(*columns)
                .where(
                    table.c.tenant_id == tenant_id,
                    func.lower(table.c.last_name) == "nguyen",
                    table.c.applicant_integration_result == 200000000,
                )
                .order_by(table.c.id)
                .limit(50)
            )
            async with raw_engine.connect() as conn:
                rows = len((await conn.execute(statement)).all())
            return Read(rows, time.perf_counter() - started)

        async def api_all() -> Read:
            requesting, decoding = Timer(), Timer()
            rows, link = 0, ALL_URL
            while link:
                with requesting:
                    response = await client.get(link, headers={**headers, "Prefer": f"odata.maxpagesize={PAGE}"})
                with decoding:
                    body = response.json()
                rows += len(body["value"])
                link = body.get("@odata.nextLink", "").removeprefix(BASE)
            return Read(rows, requesting.seconds, decoding.seconds)

        async def raw_all() -> Read:
            started = time.perf_counter()
            rows, last = 0, None
            async with raw_engine.connect() as conn:
                while True:
                    statement = select(*columns).where(table.c.tenant_id == tenant_id)
                    if last is not None:
                        statement = statement.where(table.c.id > last)
                    page = (await conn.execute(statement.order_by(table.c.id).limit(PAGE + 1))).all()
                    rows += min(len(page), PAGE)
                    if len(page) <= PAGE:
                        return Read(rows, time.perf_counter() - started)
                    last = page[PAGE - 1][0]

        api_page_read, raw_page_read = await _paired(api_page, raw_page, ROUNDS)
        api_all_read, raw_all_read = await _paired(api_all, raw_all, PAGED_ROUNDS)
    await raw_engine.dispose()
    page50, paged = f"{engine_name}_page50", f"{engine_name}_paged_read"
    return {
        f"{engine_name}_candidates": count,
        f"{page50}_api_ms": api_page_read.seconds * 1000,
        f"{page50}_raw_ms": raw_page_read.seconds * 1000,
        f"{page50}_client_decode_ms": api_page_read.decode_seconds * 1000,
        f"{page50}_ratio_with_client_decode": (api_page_read.seconds + api_page_read.decode_seconds)
        / raw_page_read.seconds,
        f"{page50}_ratio": api_page_read.seconds / raw_page_read.seconds,
        f"{paged}_api_s": api_all_read.seconds,
        f"{paged}_raw_s": raw_all_read.seconds,
        f"{paged}_client_decode_s": api_all_read.decode_seconds,
        f"{paged}_ratio_with_client_decode": (api_all_read.seconds + api_all_read.decode_seconds)
        / raw_all_read.seconds,
        f"{paged}_ratio": api_all_read.seconds / raw_all_read.seconds,
    }


async def _postgres(admin_url: str, count: int) -> dict[str, float]:
    async with temporary_postgres(admin_url, "odata") as url:
        return await _measure("postgresql", url, count) if url else {}


def _print(figures: dict[str, Any]) -> None:
    for name, value in figures.items():
        print(f"{name}: {value:,.2f}" if isinstance(value, float) else f"{name}: {value}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10,000 candidates per engine instead of 100,000")
    parser.add_argument("--count", type=int, help="candidates per engine (overrides --quick)")
    parser.add_argument(
        "--postgres-admin-url",
        default=POSTGRES_ADMIN_URL,
    )
    args = parser.parse_args()
    configure_logging("WARNING")
    count = args.count or (10_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory() as scratch:
        figures = await _measure("sqlite", f"sqlite+aiosqlite:///{Path(scratch) / 'odata.db'}", count)
    figures |= await _postgres(args.postgres_admin_url, count)
    figures["page50_ratio_worst"] = max(v for k, v in figures.items() if k.endswith("page50_ratio"))
    figures["paged_read_ratio_worst"] = max(v for k, v in figures.items() if k.endswith("paged_read_ratio"))
    _print(figures)


if __name__ == "__main__":
    asyncio.run(main())
