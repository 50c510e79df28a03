"""Rows straight from the driver: on PostgreSQL in autocommit a plain select runs on asyncpg itself, with the
same rows SQLAlchemy would return; anything SQLAlchemy would convert, and every other case, still runs through
SQLAlchemy."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Boolean, Column, Date, Integer, MetaData, Numeric, String, Table, Uuid, insert, select
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncConnection

from hirehub.db.base import UTCDateTime
from hirehub.db.driver_rows import fetch_all
from hirehub.db.session import Database
from hirehub.odata.paging import SortKey, after

PROBE = Table(
    "driver_rows_probe",
    MetaData(),
    Column("id", Uuid, primary_key=True),
    Column("name", String(40)),
    Column("born", Date, nullable=True),
    Column("seen", UTCDateTime, nullable=False),
    Column("flag", Boolean, nullable=False),
    Column("n", Integer, nullable=False),
    Column("amount", Numeric(18, 6), nullable=False),
)
START = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


@pytest.fixture
async def probe(database: Database) -> AsyncIterator[Database]:
    rows = [
        {"id": uuid.UUID(int=n * 7919), "name": f"name {n % 5}", "seen": START + timedelta(hours=n),
         "born": None if n % 4 == 0 else date(1990, 1, n % 28 + 1), "flag": n % 3 == 0, "n": n,
         "amount": Decimal(n) / 8}
        for n in range(1, 41)
    ]  # fmt: skip
    async with database.engine.begin() as conn:
        await conn.run_sync(PROBE.metadata.create_all)
        await conn.execute(insert(PROBE), rows)
    yield database


async def autocommit(database: Database) -> AsyncConnection:
    connection = await database.engine.connect()
    if database.is_postgresql:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
    return connection


def from_driver(rows: Sequence[Any]) -> bool:
    return type(rows[0]).__name__ == "Record"  # asyncpg's; SQLAlchemy's are Row


async def both_ways(connection: AsyncConnection, statement: Any) -> tuple[Sequence[Any], list[tuple[Any, ...]]]:
    """What :func:`fetch_all` returns, and what SQLAlchemy returns for the same statement."""
    rows = await fetch_all(connection, statement)
    expected = [tuple(row) for row in (await connection.execute(statement)).all()]
    assert [tuple(row) for row in rows] == expected
    assert rows, "the probe statement should return rows"
    return rows, expected


async def test_a_keyset_page_in_autocommit_comes_from_the_driver_on_postgresql_with_sqlalchemys_values(
    probe: Database,
) -> None:
    c = PROBE.c
    keys = [SortKey(c.born, "Edm.Date", True), SortKey(c.id, "Edm.Guid", False, nullable=False)]
    pages = [  # the third has the first's structure: the statement compiled for the first runs with its values
        [date(1990, 1, 20), uuid.UUID(int=19 * 7919)],
        [None, uuid.UUID(int=8 * 7919)],
        [date(1990, 1, 11), uuid.UUID(int=10 * 7919)],
    ]
    for last in pages:
        statement = (
            select(c.id, c.name, c.born, c.seen, c.flag, c.n)
            .where(c.flag.is_(False), c.seen > START + timedelta(hours=2), c.name != "name 1", after(keys, last))
            .order_by(*[k.ordering() for k in keys])
            .limit(7)
        )
        connection = await autocommit(probe)
        try:
            rows, _ = await both_ways(connection, statement)
        finally:
            await connection.close()
        assert from_driver(rows) is probe.is_postgresql
        assert all(row[3].tzinfo is not None and row[3].utcoffset() == timedelta(0) for row in rows)


@pytest.mark.parametrize(
    "case",
    ["in a transaction", "a column SQLAlchemy converts", "an IN list"],
)
async def test_what_the_driver_cannot_run_as_sqlalchemy_would_runs_through_sqlalchemy(
    probe: Database, case: str
) -> None:
    c = PROBE.c
    statement = select(c.id, c.name, c.n).where(c.n > 3).order_by(c.id)
    if case == "a column SQLAlchemy converts":
        statement = select(c.id, c.amount).where(c.n > 3).order_by(c.id)
    if case == "an IN list":
        statement = select(c.id, c.name).where(c.n.in_([4, 9, 16])).order_by(c.id)
    connection = await probe.engine.connect() if case == "in a transaction" else await autocommit(probe)
    try:
        rows, _ = await both_ways(connection, statement)
    finally:
        await connection.close()
    assert not from_driver(rows)
    if case == "a column SQLAlchemy converts":
        assert all(isinstance(row[1], Decimal) for row in rows)


async def test_parameters_go_through_their_types_as_they_would_through_sqlalchemy(probe: Database) -> None:
    naive = datetime(2026, 3, 29, 3, 0)
    connection = await autocommit(probe)
    try:
        with pytest.raises((ValueError, StatementError), match="naive datetimes are not stored"):
            await fetch_all(connection, select(PROBE.c.id).where(PROBE.c.seen > naive))
    finally:
        await connection.close()
