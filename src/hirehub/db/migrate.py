"""Alembic migrations driven from code, on the async engine, for ``hirehub db`` and ``/readyz``.

The migration scripts ship inside the package (``hirehub/db/migrations``), so an installed hub can
migrate its database without a checkout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def _run(engine: AsyncEngine, fn: Any, *args: Any) -> Any:
    async with engine.begin() as conn:
        return await conn.run_sync(fn, *args)


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


def _downgrade(connection: Connection, revision: str) -> None:
    command.downgrade(alembic_config(connection), revision)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> str | None:
    """Upgrade to ``revision``; returns the revision the database is at afterwards."""
    await _run(engine, _upgrade, revision)
    return await current_revision(engine)


async def downgrade(engine: AsyncEngine, revision: str) -> str | None:
    """Downgrade to ``revision`` (``base`` empties the schema); returns the revision afterwards."""
    await _run(engine, _downgrade, revision)
    return await current_revision(engine)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)
