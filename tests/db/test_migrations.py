"""Migrations: they build exactly the schema the models describe, and go down and up again cleanly."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from hirehub.db import migrate
from hirehub.db.models import load_all
from hirehub.db.session import create_engine


async def _table_names(engine: Any) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def _schema_diff(engine: Any) -> list[Any]:
    metadata = load_all()

    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with engine.connect() as conn:
        return await conn.run_sync(diff)


async def test_upgrade_to_head_builds_every_table_of_the_models(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        revision = await migrate.upgrade(engine)
        assert revision == migrate.head_revision()
        assert set(load_all().tables) <= await _table_names(engine)
    finally:
        await engine.dispose()


async def test_the_migrated_schema_matches_the_models_exactly(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate.upgrade(engine)
        assert await _schema_diff(engine) == []
    finally:
        await engine.dispose()


async def test_downgrade_to_base_removes_every_table_and_upgrade_rebuilds(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate.upgrade(engine)
        assert await migrate.downgrade(engine, "base") is None
        assert await _table_names(engine) <= {"alembic_version"}
        assert await migrate.upgrade(engine) == migrate.head_revision()
        assert await _schema_diff(engine) == []
    finally:
        await engine.dispose()
