"""Test fixtures shared by the whole suite: a fresh database per test, on SQLite or PostgreSQL.

The engine is chosen by ``HIREHUB_TEST_ENGINE`` (``sqlite``, the default, or ``postgresql``); ``make
test`` runs the suite once with each. The schema is built once per run into a template (a file on
SQLite, a template database on PostgreSQL) and each test gets its own copy, so tests are isolated
without paying for ``create_all`` every time. PostgreSQL databases are created per run under a unique
name and dropped at the end, so parallel runs never meet.

The ``database`` a test gets is the hub's kind (:func:`hirehub.bootstrap.open_database`: tenant-scoped
sessions that write the outbox), and ``hub`` is the hub the composition root builds on it, exactly as the API
and the job runner build theirs (fixture ``composed_hub``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from hirehub.bootstrap import Hub, build_hub, open_database
from hirehub.db.models import load_all
from hirehub.db.session import Database
from hirehub.settings import Settings

ENGINE = os.environ.get("HIREHUB_TEST_ENGINE", "sqlite")
PG_ADMIN_URL = os.environ.get(
    "HIREHUB_TEST_POSTGRES_ADMIN_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
os.environ.setdefault("HIREHUB_ENV", "development")  # the suite's hubs and the servers it starts use test keys


def pytest_report_header(config: pytest.Config) -> str:
    return f"hirehub test engine: {ENGINE}"


def _pg_url(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


async def _pg_admin(*statements: str) -> None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _create_schema(url: str) -> None:
    metadata = load_all()
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def engine_name() -> str:
    return ENGINE


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with the full schema, built once per run; tests copy it."""
    if ENGINE == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.db"
        asyncio.run(_create_schema(f"sqlite+aiosqlite:///{path}"))
        yield str(path)
        return
    if ENGINE != "postgresql":
        raise pytest.UsageError(f"HIREHUB_TEST_ENGINE must be sqlite or postgresql, not {ENGINE!r}")
    name = f"hirehub_tpl_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        asyncio.run(_create_schema(_pg_url(name)))
        yield name
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh copy of the template database, private to this test."""
    if ENGINE == "sqlite":
        path = tmp_path / "hirehub.db"
        shutil.copyfile(template_database, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    name = f"hirehub_t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
    try:
        yield _pg_url(name)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """The hub's :class:`Database` on this test's private copy of the schema."""
    db = open_database(database_url)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def composed_hub(database: Database, database_url: str) -> AsyncIterator[Hub]:
    """The hub the composition root builds on this test's database (the test's fixture disposes of it)."""
    built = build_hub(Settings(database_url=database_url), database=database)
    try:
        yield built
    finally:
        await built.aclose()


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all (for migration tests), on the engine under test."""
    if ENGINE == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"hirehub_e_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _pg_url(name)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
