"""What the benchmarks share: a fresh schema, a throw-away PostgreSQL database, and an ATS integration set up
as the seed describes (app registration with a secret, application user, HR user, Microsoft Entra link)."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from hirehub.db.models import load_all
from hirehub.db.session import Database
from hirehub.security import admin, apps
from hirehub.security.privileges import ATS_ROLE_NAME, RECRUITING_ROLE_ID
from hirehub.tenancy import service as tenancy

POSTGRES_ADMIN_URL = os.environ.get(
    "HIREHUB_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def create_schema(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(load_all().create_all)
    await engine.dispose()


@asynccontextmanager
async def temporary_postgres(admin_url: str, purpose: str) -> AsyncIterator[str | None]:
    """A database created for one run and dropped after it; ``None`` (and a ``postgresql_skipped`` line) when
    PostgreSQL cannot be reached."""
    name = f"hirehub_bench_{purpose}_{os.getpid()}"
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OSError as exc:
        print(f"postgresql_skipped: {exc}")
        await engine.dispose()
        yield None
        return
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await engine.dispose()


async def ats_integration(url: str, domain: str = "bench.example") -> tuple[str, str, str]:
    """A tenant with an ATS integration set up completely; returns (tenant id, client id, secret)."""
    database = Database(url)
    try:
        async with database.system_transaction() as session:
            tenant = await tenancy.create_tenant(session, name="Bench", domain=domain)
        async with database.tenant_transaction(tenant.id) as session:
            app = await apps.create_app(session, name="ATS")
            secret = (await apps.add_secret(session, app)).secret
            await admin.create_application_user(session, str(app.client_id), [ATS_ROLE_NAME])
            await admin.create_hr_user(session, "ats", "ATS", [RECRUITING_ROLE_ID])
            await admin.create_entra_app_link(session, str(app.client_id), "ATS", "ats")
        return str(tenant.id), str(app.client_id), secret
    finally:
        await database.dispose()


class Subprocess:
    """A worker subprocess whose standard error is kept (its start-up line, and errors to show)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: collections.deque[str] = collections.deque(maxlen=200)
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, command: list[str], env: dict[str, str]) -> Subprocess:
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        return cls(process)

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.lines.append(line.decode(errors="replace").rstrip())

    def said(self, marker: str) -> bool:
        return any(marker in line for line in self.lines)

    def check_alive(self) -> None:
        if self.process.returncode is not None:
            tail = "\n".join(self.lines)
            raise RuntimeError(f"a worker process exited with {self.process.returncode}:\n{tail}")

    async def stop(self, grace: float = 40) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=grace)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        await self.reader
