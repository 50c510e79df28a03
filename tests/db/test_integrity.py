"""Database refusals are classified by the engine's codes, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hirehub.db.integrity import Violation, constraint_name, violation
from hirehub.db.session import Database

metadata = MetaData()
parent = Table(
    "integrity_parent", metadata, Column("id", Integer, primary_key=True),
    Column("name", String(20), unique=True, nullable=False),
)  # fmt: skip
child = Table(
    "integrity_child", metadata, Column("id", Integer, primary_key=True),
    Column("parent_id", ForeignKey("integrity_parent.id")),
)  # fmt: skip


@pytest.fixture
async def connection(database: Database) -> AsyncIterator[AsyncConnection]:
    async with database.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            await conn.execute(text("PRAGMA foreign_keys=ON"))
        await conn.run_sync(metadata.create_all)
        await conn.execute(insert(parent).values(id=1, name="taken"))
        await conn.commit()
        yield conn
        await conn.rollback()
        await conn.run_sync(metadata.drop_all)
        await conn.commit()


async def _refusal(conn: AsyncConnection, statement: object) -> IntegrityError:
    with pytest.raises(IntegrityError) as refused:
        await conn.execute(statement)  # type: ignore[call-overload]
    await conn.rollback()
    return refused.value


async def test_a_duplicate_key_is_a_unique_violation(connection: AsyncConnection) -> None:
    refusal = await _refusal(connection, insert(parent).values(id=2, name="taken"))

    assert violation(refusal) is Violation.UNIQUE


async def test_a_duplicate_primary_key_is_a_unique_violation(connection: AsyncConnection) -> None:
    refusal = await _refusal(connection, insert(parent).values(id=1, name="other"))

    assert violation(refusal) is Violation.UNIQUE


async def test_a_missing_required_value_is_a_not_null_violation(connection: AsyncConnection) -> None:
    refusal = await _refusal(connection, insert(parent).values(id=3, name=None))

    assert violation(refusal) is Violation.NOT_NULL


async def test_a_reference_to_nothing_is_a_foreign_key_violation(connection: AsyncConnection) -> None:
    refusal = await _refusal(connection, insert(child).values(id=1, parent_id=99))

    assert violation(refusal) is Violation.FOREIGN_KEY


async def test_postgresql_names_the_constraint_and_sqlite_names_none(connection: AsyncConnection) -> None:
    refusal = await _refusal(connection, insert(parent).values(id=2, name="taken"))

    expected = "integrity_parent_name_key" if connection.dialect.name == "postgresql" else None
    assert constraint_name(refusal) == expected
