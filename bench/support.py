"""What the benchmarks share: a fresh schema, a throw-away PostgreSQL database, and an ATS integration set up
as the seed describes (app registration with a secret, application user, HR user, Microsoft Entra link)."""

from __future__ import annotations

import os
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
